"""The vendor respondent's attestation, given when it submits its answers.

The portal's submit service calls ``attestation_add`` in its own transaction, so an
attestation exists exactly when the vendor's submission does. The record carries the
latest one (``records._attestation_part``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from procurement.assessments.models import Assessment, Attestation
from procurement.core.text import text_problem

ATTESTATION_NAME_REQUIRED = "Enter your full name."
ATTESTATION_TITLE_REQUIRED = "Enter your job title."
ATTESTATION_CONFIRM_REQUIRED = "Tick the box to confirm the statement; the answers cannot be submitted without it."
ATTESTATION_FIELD_MAX = 200


def _clean_line(value: str, *, required: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(required, code="required")
    if len(value) > ATTESTATION_FIELD_MAX:
        raise ValidationError(f"Keep this under {ATTESTATION_FIELD_MAX} characters.", code="max_length")
    if "\n" in value or "\r" in value:
        raise ValidationError("Keep this on one line.", code="one_line")
    if problem := text_problem(value):
        raise ValidationError(f"This text {problem}; remove it and try again.", code="text")
    return value


def attestation_add(
    *, assessment: Assessment, name: str, title: str, confirmed: bool, contact_label: str = ""
) -> Attestation:
    """Record that ``name`` (``title``) confirms ``Attestation.STATEMENT`` for this assessment, now.

    Refused (ValidationError keyed by field: name, title, confirmed) when a field is missing,
    the statement is not confirmed, or the assessment is decided. Call it inside the
    transaction of the submission it belongs to.
    """
    errors: dict[str, ValidationError] = {}
    cleaned: dict[str, str] = {}
    for field, value, required in (
        ("name", name, ATTESTATION_NAME_REQUIRED),
        ("title", title, ATTESTATION_TITLE_REQUIRED),
    ):
        try:
            cleaned[field] = _clean_line(value, required=required)
        except ValidationError as exc:
            errors[field] = exc
    if confirmed is not True:
        errors["confirmed"] = ValidationError(ATTESTATION_CONFIRM_REQUIRED, code="not_confirmed")
    if errors:
        raise ValidationError(errors)
    if assessment.is_final:
        raise ValidationError("A decided assessment is frozen.", code="frozen")
    attestation = Attestation(
        assessment=assessment,
        name=cleaned["name"],
        title=cleaned["title"],
        statement=Attestation.STATEMENT,
        contact_label=contact_label[:200],
    )
    attestation.full_clean()
    attestation.save()
    return attestation
