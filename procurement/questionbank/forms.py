"""Forms of the bank editor's own pages (publishing, uploading a bank file)."""

from __future__ import annotations

from django import forms
from django.conf import settings

from procurement.questionbank.document.diff import DocumentDiff
from procurement.questionbank.models import Question

MARK_CHOICES = [
    ("", "As compared (automatic)"),
    (Question.ChangeKind.EDITORIAL, "Editorial: keep answers"),
    (Question.ChangeKind.SUBSTANTIVE, "Substantive: ask again"),
]


class PublishForm(forms.Form):
    """The changelog (required) and, per changed question, the editor's editorial/substantive mark."""

    changelog = forms.CharField(
        label="Changelog",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What changed in this version and why. Shown to everyone asked to move to it.",
        error_messages={"required": "Write a changelog before publishing: say what changed and why."},
    )

    def __init__(self, *args, diff: DocumentDiff | None = None, marks: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mark_fields = []
        marks = marks or {}
        for code in sorted(diff.details if diff else ()):
            name = f"mark-{code}"
            self.fields[name] = forms.ChoiceField(
                label=f"{code}: treat the change as",
                choices=MARK_CHOICES,
                required=False,
                initial=marks.get(code, ""),
            )
            self.mark_fields.append((code, name))

    def clean_changelog(self) -> str:
        text = self.cleaned_data["changelog"].strip()
        if not text:
            raise forms.ValidationError("Write a changelog before publishing: say what changed and why.")
        return text

    @property
    def marks(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(name) or "" for code, name in self.mark_fields}


class BankUploadForm(forms.Form):
    file = forms.FileField(
        label="Bank file (YAML)",
        help_text="The format of docs/question-bank-format.md, as written by Export as YAML.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.BANK_FILE_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; a bank file may be at most {settings.BANK_FILE_MAX_BYTES:,}."
            )
        return upload
