"""Saving one section's posted form: shared by the staff screens and the vendor portal."""

from __future__ import annotations

from dataclasses import dataclass

from procurement.assessments import services
from procurement.assessments.evidence import EvidenceRejected, evidence_store
from procurement.assessments.forms import SectionForm
from procurement.assessments.models import Assessment


@dataclass
class SaveOutcome:
    valid: bool
    revision: int
    conflict: services.StaleSection | None = None


def section_save(
    *,
    assessment: Assessment,
    section: str,
    questions: list[dict],
    form: SectionForm,
    files,
    revision: int,
    by,
    by_label: str = "",
) -> SaveOutcome:
    """Save every valid answer in the form and store its uploads; invalid ones come back with their messages.

    The answers are saved before the uploads, so a rejected file loses no typed answer.
    """
    valid = form.is_valid()
    # A missing or tampered revision can never match, so the save is treated as stale.
    base = form.cleaned_data.get("revision")
    base = -1 if base is None and "revision" in form.data else base
    inputs = form.answer_inputs(only_valid=True)
    try:
        if inputs:
            revision = services.answers_save(
                assessment=assessment,
                values=inputs,
                by=by,
                by_label=by_label,
                base_revisions={section: base if base is not None else -1},
            ).get(section, revision)
        for q in questions:
            field = f"q-{q['code']}"
            if q["type"] == "evidence" and (upload := files.get(field)):
                evidence_store(
                    assessment=assessment,
                    question_code=q["code"],
                    upload=upload,
                    by=by,
                    by_label=by_label,
                    field=field,
                )
    except services.StaleSection as exc:
        return SaveOutcome(False, revision, exc)
    except EvidenceRejected as exc:
        form.add_error(exc.field, exc.message)
        valid = False
    return SaveOutcome(valid, revision)
