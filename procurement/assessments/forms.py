"""Forms built from bank questions, rendered with crispy-forms.

Every field is optional at form level so a section can be saved half done;
completeness is checked on submit. Field names: ``q-CODE`` for the answer,
``na-CODE`` and ``nar-CODE`` for N/A and its justification, ``nd-CODE`` for "the vendor
does not disclose this" (number and date questions). Numbers and dates are checked against
their question's limits (procurement.questionbank.values): outside ``min``/``max`` refused with
the allowed range, outside the soft range saved with a warning.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from procurement.assessments.models import Answer, Finding
from procurement.assessments.presentation import has_basis
from procurement.assessments.services import AnswerInput
from procurement.assessments.services.review import FROM_SERVICE_RECORD
from procurement.core.forms import IdsMultipleChoiceField, StorableTextMixin
from procurement.questionbank.values import allows_undisclosed, check_limits, range_words
from procurement.scoring.provider_table import COLUMNS, KINDS, MAX_ROWS, TableError, clean_rows
from procurement.scoring.supply import ARRANGEMENTS, ROLES

NA_NEEDS_REASON = "Say why this question does not apply."
DUE_DATE_PAST = "The due date {due:%d %b %Y} is in the past; choose today ({today:%d %b %Y}) or a later date."
UNDISCLOSED_AND_VALUE = "Either give a value or tick “{label}”, not both."
UNDISCLOSED_AND_NA = "Tick “Not applicable” or “{label}”, not both."
UNDISCLOSED_CONTROL = "Vendor does not disclose"
BASIS_INVALID = "Choose what the answer rests on: vendor statement, document or independent attestation."


def _choices(q: dict) -> list[tuple[str, str]]:
    return [(c["value"], c["label"]) for c in q["choices"]]


def answer_field(q: dict) -> forms.Field:
    label = q["text"]
    kw = {"required": False, "label": label, "help_text": q["help"]}
    qtype = q["type"]
    if qtype in ("single_choice", "yes_no"):
        return forms.ChoiceField(choices=_choices(q), widget=forms.RadioSelect, **kw)
    if qtype == "multi_choice":
        return forms.MultipleChoiceField(choices=_choices(q), widget=forms.CheckboxSelectMultiple, **kw)
    if qtype == "number":
        return forms.DecimalField(
            max_digits=14,
            decimal_places=4,
            widget=forms.NumberInput(attrs={"step": "any", "class": "w-auto"}),
            error_messages={"invalid": "Enter a number" + (f" (in {q['unit']})" if q["unit"] else "") + "."},
            **kw,
        )
    if qtype == "date":
        # <input type=date> only understands ISO dates, whatever the locale.
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date", "class": "w-auto"}, format="%Y-%m-%d"), **kw
        )
    if qtype == "evidence":
        return forms.FileField(widget=forms.ClearableFileInput, **kw)
    if qtype == "provider_table":
        return ProviderTableField(**kw)
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000, **kw)


class ProviderTableWidget(forms.Widget):
    """Reads the table's inputs, named ``q-CODE.<row>.<column>``, into a list of row mappings."""

    def value_from_datadict(self, data, files, name):
        prefix, rows = name + ".", {}
        for key in data:
            if not key.startswith(prefix):
                continue
            index, _, column = key[len(prefix) :].partition(".")
            if index.isdigit() and int(index) < 2 * MAX_ROWS:
                rows.setdefault(int(index), {})[column] = data.get(key)
        return [rows[i] for i in sorted(rows)] if rows else None

    def value_omitted_from_data(self, data, files, name):
        return False


class ProviderTableField(forms.Field):
    widget = ProviderTableWidget

    def to_python(self, value):
        try:
            return clean_rows(value)
        except TableError as exc:
            raise forms.ValidationError(exc.problems) from exc


def table_rows(raw, *, spare: int = 2, minimum: int = 3) -> list[dict]:
    """Rows for the table inputs: what was posted or stored, plus empty rows to fill in."""
    rows = [
        {col: ("" if row.get(col) is None else row.get(col)) for col in COLUMNS}
        for row in (raw if isinstance(raw, list) else [])
        if isinstance(row, dict)
    ]
    for row in rows:
        for col in ("pass_through", "alternative", "competitor"):
            row[col] = row[col] is True or str(row[col]).lower() in ("on", "true", "yes", "1")
    blanks = max(spare, minimum - len(rows))
    rows += [dict.fromkeys(COLUMNS, "") for _ in range(blanks)]
    return rows[:MAX_ROWS]


def initial_value(q: dict, stored):
    if stored is None:
        return None
    if q["type"] == "date" and isinstance(stored, str):
        try:
            return dt.date.fromisoformat(stored)
        except ValueError:
            return None
    return stored


def stored_value(q: dict, cleaned):
    """Form value -> JSON value kept on Answer.value."""
    if cleaned in (None, "", []):
        return None
    if q["type"] == "number":
        number = Decimal(cleaned)
        return int(number) if number == number.to_integral_value() else float(number)
    if q["type"] == "date":
        return cleaned.isoformat()
    if q["type"] == "multi_choice":
        return list(cleaned)
    if q["type"] == "text":
        return cleaned.strip() or None
    return cleaned


class SectionForm(StorableTextMixin, forms.Form):
    """One section of the questionnaire: validates and cleans posted answers.

    The page writes its inputs from ``section_rows`` (see there for why); the
    fields here define what is accepted.
    """

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, questions: list[dict], answers: dict, revision: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.document_errors: dict[str, list[str]] = {}
        self.fields["revision"].initial = revision
        for q in questions:
            code = q["code"]
            answer = answers.get(code)
            field = answer_field(q)
            field.initial = initial_value(q, answer.value if answer else None)
            self.fields[f"q-{code}"] = field
            if q["na"]:
                self.fields[f"na-{code}"] = forms.BooleanField(
                    required=False, label="Not applicable", initial=bool(answer and answer.na)
                )
                self.fields[f"nar-{code}"] = forms.CharField(
                    required=False,
                    label="Why it does not apply",
                    max_length=2000,
                    initial=answer.na_reason if answer else "",
                )
            if has_basis(q):
                self.fields[f"bs-{code}"] = forms.ChoiceField(
                    required=False,
                    choices=Answer.Basis.choices,
                    initial=getattr(answer, "basis", Answer.Basis.STATEMENT),
                    error_messages={"invalid_choice": BASIS_INVALID},
                )
            if allows_undisclosed(q):
                self.fields[f"nd-{code}"] = forms.BooleanField(
                    required=False,
                    label=UNDISCLOSED_CONTROL,
                    initial=bool(answer and getattr(answer, "undisclosed", False)),
                )
        self.warnings: dict[str, str] = {}

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        for q in self.questions:
            code = q["code"]
            if cleaned.get(f"na-{code}") and not (cleaned.get(f"nar-{code}") or "").strip():
                self.add_error(f"nar-{code}", NA_NEEDS_REASON)
            value = cleaned.get(f"q-{code}")
            if cleaned.get(f"nd-{code}"):
                if cleaned.get(f"na-{code}"):
                    self.add_error(f"nd-{code}", UNDISCLOSED_AND_NA.format(label=UNDISCLOSED_CONTROL))
                elif value not in (None, ""):
                    self.add_error(f"nd-{code}", UNDISCLOSED_AND_VALUE.format(label=UNDISCLOSED_CONTROL))
                continue
            if value in (None, "") or cleaned.get(f"na-{code}"):
                continue
            checked = check_limits(q, value, today)
            if checked.error:
                self.add_error(f"q-{code}", checked.error)
            elif checked.warning:
                self.warnings[code] = checked.warning
        return cleaned

    def add_document_error(self, code: str, message: str) -> None:
        """A refused supporting document for question ``code``: shown under that question."""
        self.document_errors.setdefault(code, []).append(message)
        self.add_error(None, f"{code}: {message}")

    def answer_inputs(self, *, only_valid: bool = False) -> dict[str, AnswerInput]:
        """The answers this form carries. Evidence files are handled separately."""
        data = self.cleaned_data
        result = {}
        for q in self.questions:
            code = q["code"]
            if q["type"] == "evidence":
                continue
            names = (f"q-{code}", f"na-{code}", f"nar-{code}", f"nd-{code}", f"bs-{code}")
            if only_valid and any(name in self.errors for name in names):
                continue
            na = bool(data.get(f"na-{code}"))
            if data.get(f"nd-{code}") and not na:
                result[code] = AnswerInput(undisclosed=True)
                continue
            try:
                value = stored_value(q, data.get(f"q-{code}"))
            except (InvalidOperation, ValueError):
                continue
            result[code] = AnswerInput(
                value=None if na else value,
                na=na,
                na_reason=(data.get(f"nar-{code}") or "").strip(),
                # Not posted (a form without the control): the answer keeps what it rests on.
                basis=data.get(f"bs-{code}") or None,
            )
        return result


class ReviewersForm(forms.Form):
    """Who reviews an assessment: reviewers and admins of its organisation."""

    reviewers = IdsMultipleChoiceField(queryset=None, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = candidates
        self.fields["reviewers"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class AssessmentCreateForm(StorableTextMixin, forms.Form):
    service = forms.ModelChoiceField(queryset=None, label="Vendor service")
    bank = forms.ModelChoiceField(
        queryset=None, label="Question bank", help_text="Its latest published version is pinned."
    )
    owner = forms.ModelChoiceField(queryset=None, required=False)
    reviewers = IdsMultipleChoiceField(queryset=None, required=False, widget=forms.CheckboxSelectMultiple)
    due_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the due date as a date (YYYY-MM-DD)."},
    )

    def __init__(self, *args, services, banks, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["bank"].queryset = banks
        self.fields["owner"].queryset = members
        self.fields["reviewers"].queryset = members
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_due_date(self):
        due = self.cleaned_data.get("due_date")
        today = timezone.localdate()
        if due is not None and due < today:
            raise forms.ValidationError(DUE_DATE_PAST.format(due=due, today=today))
        return due


class OverrideForm(StorableTextMixin, forms.Form):
    question_code = forms.CharField(widget=forms.HiddenInput)
    points = forms.IntegerField(min_value=0, max_value=4)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class BasisConfirmForm(forms.Form):
    """A reviewer's confirmation of what one answer rests on."""

    question_code = forms.CharField(widget=forms.HiddenInput, max_length=32)
    basis = forms.ChoiceField(
        choices=Answer.Basis.choices,
        error_messages={"invalid_choice": "Choose vendor statement, document or independent attestation."},
    )


class FindingForm(StorableTextMixin, forms.Form):
    """A finding or condition raised during review: its owner is a member of the organisation."""

    kind = forms.ChoiceField(choices=[("finding", "Finding"), ("condition", "Condition")])
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, label="Description")
    owner_user = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Owner",
        empty_label="No owner yet",
        error_messages={"invalid_choice": "Choose the owner from the organisation's members."},
    )
    due_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the due date as a date (YYYY-MM-DD)."},
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = members
        self.fields["owner_user"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


class FindingUpdateForm(StorableTextMixin, forms.Form):
    """The owner's update: a new status, notes (closure notes when done) and an optional file."""

    status = forms.ChoiceField(
        choices=[("in_progress", "In progress"), ("done", "Done: ask for verification"), ("open", "Open")],
        error_messages={"invalid_choice": "Choose open, in progress or done."},
    )
    note = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Notes",
        help_text="Required when marking it done: what was done, and where the proof is.",
    )
    file = forms.FileField(required=False, label="Closure evidence (optional)")


class FindingVerifyForm(StorableTextMixin, forms.Form):
    verified = forms.TypedChoiceField(
        choices=[("yes", "Verified"), ("no", "Not verified")],
        coerce=lambda v: v == "yes",
        error_messages={"invalid_choice": "Choose verified or not verified."},
    )
    note = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when not verified: what is missing.",
    )


def _acceptance_label(acceptance) -> str:
    until = f", until {acceptance.expires_on:%d %b %Y}" if acceptance.expires_on else ""
    return f"{acceptance.title} ({acceptance.get_scope_display().lower()}{until})"


class FindingAcceptForm(StorableTextMixin, forms.Form):
    acceptance = forms.ModelChoiceField(
        queryset=None,
        label="Risk acceptance",
        error_messages={
            "required": "Choose the risk acceptance this rests on.",
            "invalid_choice": "Choose one of the assessment's accepted risk acceptances.",
        },
    )
    note = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, acceptances, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acceptance"].queryset = acceptances
        self.fields["acceptance"].label_from_instance = _acceptance_label


class DecisionForm(StorableTextMixin, forms.Form):
    """The confirmation page's form: the outcome, a note, and the state the page showed."""

    outcome = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    state = forms.CharField(widget=forms.HiddenInput, max_length=64)


class AcceptanceRequestForm(StorableTextMixin, forms.Form):
    scope = forms.ChoiceField(choices=[("knockout", "Knockout"), ("rule", "Flagged rule"), ("residual", "Residual")])
    rule = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    requested_from = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Anyone with the authority", label="Ask"
    )
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_from"].queryset = get_user_model().objects.filter(pk__in=[u.pk for u in candidates])


class AcceptanceForm(StorableTextMixin, forms.Form):
    scope = forms.ChoiceField(
        choices=[("knockout", "Knockout"), ("rule", "Flagged rule"), ("residual", "Residual")],
        widget=forms.HiddenInput,
    )
    rule = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label="Why the risk is accepted"
    )
    compensating_controls = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label="Compensating controls"
    )
    expires_on = forms.DateField(
        label="Expires on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When the acceptance lapses; the service is then flagged for reassessment.",
    )
    conditions = IdsMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Conditions it rests on"
    )

    def __init__(self, *args, assessment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conditions"].queryset = assessment.findings.all() if assessment else Finding.objects.none()


class RequestChangesForm(StorableTextMixin, forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


def section_rows(
    form: SectionForm | None, *, questions: list[dict], answers: dict, visible: dict[str, bool]
) -> list[dict]:
    """Everything the section template needs to write each question's inputs directly.

    Rendering widgets one by one through Django's widget templates dominated the
    page's time (bench: section_page_ratio); the template writes plain inputs from
    these rows instead. The form still validates and cleans every answer.

    A conditional question whose controlling question is on the same page is shown
    and hidden in the browser (conditional.js); one controlled from another section
    is shown or hidden here, from the saved answers (``visible``).
    """
    on_page = {q["code"] for q in questions}
    rows = []
    today = timezone.localdate()
    bound = form is not None and form.is_bound
    for q in questions:
        code = q["code"]
        name = f"q-{code}"
        if bound and q["type"] == "provider_table":
            raw = ProviderTableWidget().value_from_datadict(form.data, None, name)
            na = bool(form.data.get(f"na-{code}"))
            na_reason = form.data.get(f"nar-{code}", "")
        elif bound:
            raw = form.data.getlist(name) if q["type"] == "multi_choice" else form.data.get(name, "")
            na = bool(form.data.get(f"na-{code}"))
            na_reason = form.data.get(f"nar-{code}", "")
            undisclosed = bool(form.data.get(f"nd-{code}"))
            basis = form.data.get(f"bs-{code}") or None
        else:
            answer = answers.get(code)
            raw = answer.value if answer else None
            na = bool(answer and answer.na)
            na_reason = answer.na_reason if answer else ""
            undisclosed = bool(answer and getattr(answer, "undisclosed", False))
            basis = None
        if q["type"] == "provider_table":
            undisclosed = False
        multi = q["type"] == "multi_choice"
        selected = {str(v) for v in (raw or [])} if multi else {"" if raw is None else str(raw)}
        value = (
            ""
            if raw is None or isinstance(raw, list)  # lists: choices or table rows, written separately
            else (raw.isoformat() if isinstance(raw, dt.date) else str(raw))
        )
        keys = (name, f"na-{code}", f"nar-{code}", f"nd-{code}", f"bs-{code}")
        errors = [str(e) for key in keys for e in form.errors.get(key, [])] if bound else []
        # Which field is wrong (the answer, or the N/A reason), and what describes the answer input.
        answer_invalid = bound and any(key in form.errors for key in (name, f"na-{code}", f"nd-{code}"))
        allowed = range_words(q, today) if q["type"] in ("number", "date") else ""
        described = (
            ([f"err-{code}"] if errors else [])
            + ([f"range-{code}"] if allowed else [])
            + ([f"help-{code}"] if q.get("help") else [])
        )
        banded = q["type"] in ("number", "date")
        stored = answers.get(code)
        rows.append(
            {
                **_basis_row(q, stored, basis),
                "q": q,
                "code": code,
                "name": name,
                "from_service": bool(stored and stored.updated_by_label == FROM_SERVICE_RECORD),
                "value": value if q["type"] not in ("multi_choice",) else "",
                "choices": [(c["value"], c["label"], c["value"] in selected) for c in q["choices"]],
                "na": na,
                "na_reason": na_reason or "",
                "undisclosed": undisclosed,
                "undisclosed_allowed": allows_undisclosed(q),
                "allowed": allowed,
                "warning": _row_warning(q, value, today) if banded and value and not errors and not na else "",
                "errors": errors,
                "answer_invalid": answer_invalid,
                "reason_invalid": bound and f"nar-{code}" in form.errors,
                "describedby": " ".join(described),
                "error_target": error_target(q, code, reason=bound and f"nar-{code}" in form.errors),
                "document_errors": form.document_errors.get(code, []) if bound else [],
                "show_if_values": " ".join(q["show_if"]["in"]) if q["show_if"] else "",
                "table": table_rows(raw) if q["type"] == "provider_table" else None,
                "table_choices": TABLE_CHOICES if q["type"] == "provider_table" else None,
                "show_if_here": bool(q["show_if"]) and q["show_if"]["question"] in on_page,
                "hidden": bool(q["show_if"])
                and q["show_if"]["question"] not in on_page
                and not visible.get(code, True),
            }
        )
    return rows


def _basis_row(q: dict, stored, posted: str | None) -> dict:
    """What the basis control shows: the choice (posted, else stored), and whether and by whom a
    reviewer confirmed it."""
    if not has_basis(q):
        return {"basis_allowed": False}
    basis = posted or getattr(stored, "basis", None) or Answer.Basis.STATEMENT
    confirmed_at = getattr(stored, "basis_confirmed_at", None)
    confirmed = confirmed_at is not None and (posted is None or posted == stored.basis)
    by = stored.basis_confirmed_by if confirmed else None
    return {
        "basis_allowed": True,
        "basis": basis,
        "basis_confirmed": f"Confirmed by {by.get_full_name() or by.get_username() if by else 'a reviewer'}"
        f" on {confirmed_at:%d %b %Y}"
        if confirmed
        else "",
        "basis_pending": not confirmed and basis != Answer.Basis.STATEMENT,
    }


def error_target(q: dict, code: str, *, reason: bool) -> str:
    """The id of the control the error summary links to: the field to change."""
    if reason:
        return f"nar-{code}"
    if q["type"] in ("single_choice", "yes_no", "multi_choice"):
        return f"in-{code}-1"
    if q["type"] == "provider_table":
        return f"q-{code}"
    return f"in-{code}"


def _row_warning(q: dict, value: str, today) -> str:
    """The soft-range warning for a shown value (stored or posted), "" when none."""
    if q["type"] == "number":
        try:
            typed = Decimal(value)
        except InvalidOperation:
            return ""
    else:
        typed = value
    return check_limits(q, typed, today).warning


TABLE_CHOICES = {
    "kind": [("", "—")] + [(k, k.replace("_", " ")) for k in KINDS],
    "role": [("", "—")] + [(r, r.replace("_", " ")) for r in ROLES],
    "arrangement": [("", "—")] + [(a, a.replace("_", "-")) for a in ARRANGEMENTS],
}
