"""Forms of the evidence register and the model lifecycle. They validate and normalise; the
services (procurement.portfolio.evidence_services) write."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from procurement.vendors.evidence import dates_problems, lifecycle_problems
from procurement.vendors.models import SOC2_CHECKLIST, AuditOpinion, Document, DocumentKind, ModelLifecycle, SOC2Review

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RADIO = forms.RadioSelect(attrs={"class": "form-check-input"})
INSCOPE_CHOICES = (("", "Not recorded"), ("yes", "Yes"), ("no", "No"))


def _date(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=DATE_INPUT,
        help_text=help_text,
        error_messages={"invalid": "Enter a date as YYYY-MM-DD, e.g. 2026-03-31."},
    )


class DocumentDetailsForm(forms.Form):
    """What a document is and its dates. The fields a kind does not use are ignored on save."""

    kind = forms.ChoiceField(
        label="Kind of document", choices=(("", "Not said yet"), *DocumentKind.choices), required=False
    )
    issued_on = _date("Dated", "The report's, certificate's, letter's or model card's date.")
    period_start = _date("Period start", "SOC 2 Type II: the first day of the period the auditor tested.")
    period_end = _date("Period end", "SOC 2: the last day of the period (Type I: the date of the description).")
    expires_on = _date("Expires on", Document._meta.get_field("expires_on").help_text)
    auditor = forms.CharField(label="Auditor, certification body or tester", max_length=200, required=False)
    opinion = forms.ChoiceField(label="Opinion", choices=(("", "Not recorded"), *AuditOpinion.choices), required=False)
    exceptions = forms.CharField(label="Exceptions", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    carve_outs = forms.CharField(label="Carve-outs", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    subservice_providers = forms.ModelMultipleChoiceField(
        label="Subservice organisations from the supply chain",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick each upstream provider the report names as a subservice organisation.",
    )
    subservice_other = forms.CharField(
        label="Other subservice organisations",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Named in the report but not among the supply-chain providers, one per line.",
    )
    cuecs = forms.CharField(
        label="Complementary user entity controls (CUECs)", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    inference_in_scope = forms.ChoiceField(label="Inference is in scope", choices=INSCOPE_CHOICES, required=False)
    scope = forms.CharField(label="Scope", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    model_version = forms.CharField(label="Model version", max_length=200, required=False)

    def __init__(self, *args, document: Document, providers, **kwargs):
        kwargs.setdefault("initial", document_initial(document))  # shown only while unbound
        super().__init__(*args, **kwargs)
        self.fields["subservice_providers"].queryset = providers

    def clean_inference_in_scope(self):
        return {"yes": True, "no": False}.get(self.cleaned_data.get("inference_in_scope") or "")

    def clean(self):
        cleaned = super().clean()
        for name, message in dates_problems(cleaned, today=timezone.localdate()).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned


def document_initial(document: Document) -> dict:
    initial = {
        name: getattr(document, name)
        for name in (
            *("kind", "issued_on", "period_start", "period_end", "expires_on", "auditor", "opinion"),
            *("exceptions", "carve_outs", "subservice_other", "cuecs", "scope", "model_version"),
        )
    }
    initial["inference_in_scope"] = {True: "yes", False: "no"}.get(document.inference_in_scope, "")
    if document.pk:
        initial["subservice_providers"] = list(document.subservice_providers.values_list("pk", flat=True))
    return initial


class SOC2ReviewForm(forms.Form):
    """One answer (yes, no, not applicable) and an optional note per checklist item, then a conclusion."""

    conclusion = forms.ChoiceField(label="Conclusion", choices=SOC2Review.Conclusion.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label="Notes on the conclusion", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, question in SOC2_CHECKLIST:
            self.fields[f"check_{key}"] = forms.ChoiceField(
                label=question,
                choices=SOC2Review.Answer.choices,
                widget=RADIO,
                error_messages={"required": "Answer this check."},
            )
            self.fields[f"note_{key}"] = forms.CharField(label=f"Note on: {question}", max_length=1000, required=False)

    def checks(self):
        """(question, answer field, note field) per checklist item, for the template."""
        return [(q, self[f"check_{k}"], self[f"note_{k}"]) for k, q in SOC2_CHECKLIST]

    def answers(self) -> dict[str, str]:
        return {k: self.cleaned_data[f"check_{k}"] for k, _ in SOC2_CHECKLIST}

    def notes_by_key(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(f"note_{k}", "") for k, _ in SOC2_CHECKLIST}


class ModelLifecycleForm(forms.Form):
    model_version = forms.CharField(
        label="Model version in use", max_length=200, required=False, help_text="The dated version we pin, if any."
    )
    deprecated_on = _date("Deprecation date", "The day the vendor announced or began the deprecation.")
    retires_on = _date("Retirement date", "The day the vendor stops serving the model.")
    replacement = forms.CharField(label="Replacement model", max_length=200, required=False)
    source = forms.CharField(
        label="Source", max_length=300, required=False, help_text="Where the dates come from, e.g. the vendor's notice."
    )

    def __init__(self, *args, lifecycle: ModelLifecycle | None = None, **kwargs):
        if lifecycle is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                f: getattr(lifecycle, f)
                for f in ("model_version", "deprecated_on", "retires_on", "replacement", "source")
            }
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        for name, message in lifecycle_problems(cleaned, today=timezone.localdate()).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned
