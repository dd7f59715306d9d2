"""Reassessment from the last answers: copying a decided assessment's answers into a new one,
and the respondent confirming a carried answer unchanged.

Which answers still hold is the version diff's call (``version_diff``, the same one that moves
an assessment to a newer bank version): a question in both versions that the diff does not
list as ``changed`` carries its answer (with renamed choice values mapped), a new or changed
question is asked again. The orchestration (which version, who, when) lives in
``procurement.portfolio.reassessment``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from procurement.assessments.models import Answer, AnswerChange, Assessment, Evidence
from procurement.assessments.records import person_label, stored_answer
from procurement.assessments.selectors import bank_structure
from procurement.assessments.services.answers import NOT_EDITABLE
from procurement.assessments.services.status import timeline_add
from procurement.assessments.services.upgrade import VersionDiff, _mapped, answers_outside_new_limits, version_diff

NOTHING_TO_CONFIRM = "There is no carried answer to confirm here."


@dataclass(frozen=True)
class CarryResult:
    diff: VersionDiff
    carried: list[str] = field(default_factory=list)  # answers copied forward
    asked: list[str] = field(default_factory=list)  # new or changed questions: asked again
    dropped: list[str] = field(default_factory=list)  # previous answers not carried (changed or removed)
    documents: int = 0  # supporting documents linked again


def carry_label(previous: Assessment) -> str:
    return f"carried from A-{previous.pk}"


def carried_codes(diff: VersionDiff, new_index: dict[str, dict]) -> set[str]:
    """Questions whose answers still hold: in the new version and not a substantive change.

    Reads only the diff's public lists, so a finer classification there (wording-only changes
    kept in ``unchanged``) carries more answers here with no change. Reviewer-only checks
    belong to the review that made them and are never carried."""
    asked_again = set(diff.changed) | set(diff.added)
    return {code for code in new_index if code not in asked_again and new_index[code]["audience"] != "reviewer"}


@transaction.atomic
def answers_carry_forward(*, assessment: Assessment, previous: Assessment, by, by_label: str = "") -> CarryResult:
    """Copy ``previous``'s answers that still hold into ``assessment`` (a new, empty reassessment),
    each marked as carried from it with the date it was given there, and link its supporting
    documents to the same questions. Every copy is an entry in the answer history ("carried
    from A-nn", by whom)."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_editable:
        raise ValidationError(NOT_EDITABLE.format(status=assessment.get_status_display().lower()), code="locked")
    diff = version_diff(previous.bank_version, assessment.bank_version)
    new_index = bank_structure(assessment.bank_version).question_index
    # An answer the new version's limits refuse is asked again, like a changed question.
    keep = carried_codes(diff, new_index) - answers_outside_new_limits(previous, diff, assessment.bank_version)
    label = f"{by_label or person_label(by)} ({carry_label(previous)})"
    existing = set(assessment.answers.values_list("question_code", flat=True))
    carried, dropped, rows, changes = [], [], [], []
    for answer in previous.answers.order_by("question_code"):
        code = answer.question_code
        if code not in keep:
            if code in new_index and new_index[code]["audience"] != "reviewer":
                dropped.append(code)
            continue
        if code in existing:  # answered at creation (the intake given then wins)
            continue
        copy = Answer(
            assessment=assessment,
            question_code=code,
            value=_mapped(answer.value, diff.renamed.get(code, {})),
            na=answer.na,
            na_reason=answer.na_reason,
            undisclosed=answer.undisclosed,
            # What it rests on carries with the documents linked again below; a reviewer of
            # this assessment confirms it afresh.
            basis=answer.basis,
            # Who gave it stays who gave it; the history says who carried it.
            updated_by=answer.updated_by,
            updated_by_label=answer.updated_by_label,
            carried_from=previous,
            carried_given_at=answer.given_at,
        )
        rows.append(copy)
        changes.append(
            AnswerChange(
                assessment=assessment,
                question_code=code,
                old_value=None,
                new_value=stored_answer(copy),
                by=by,
                by_label=label,
            )
        )
        carried.append(code)
    Answer.objects.bulk_create(rows)
    AnswerChange.objects.bulk_create(changes)
    documents = 0
    linked = set(assessment.evidence.values_list("question_code", "document_id"))
    for e in previous.evidence.filter(finding__isnull=True).order_by("pk"):
        if e.question_code not in new_index or (e.question_code, e.document_id) in linked:
            continue
        if new_index[e.question_code]["audience"] == "reviewer":
            continue
        Evidence.objects.create(
            assessment=assessment,
            question_code=e.question_code,
            document_id=e.document_id,
            uploaded_by=e.uploaded_by,
            uploaded_by_label=e.uploaded_by_label,
        )
        linked.add((e.question_code, e.document_id))
        documents += 1
    asked = sorted(code for code in set(diff.changed) | set(diff.added) if new_index[code]["audience"] != "reviewer")
    timeline_add(
        assessment,
        "carried forward",
        by=by,
        by_label=by_label,
        note=f"From A-{previous.pk}: {len(carried)} answer(s) carried, {len(asked)} new or changed question(s) "
        f"asked again, {documents} supporting document(s) linked.",
    )
    return CarryResult(diff=diff, carried=carried, asked=asked, dropped=dropped, documents=documents)


@transaction.atomic
def answers_confirm(*, assessment: Assessment, codes, by, by_label: str = "") -> list[str]:
    """The respondent confirms carried answers unchanged: each counts as given now (its
    freshness starts again) and the history records the confirmation. Codes whose answer is
    not a carried one are skipped. Returns the codes confirmed."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_editable:
        raise ValidationError(NOT_EDITABLE.format(status=assessment.get_status_display().lower()), code="locked")
    answers = list(
        assessment.answers.filter(question_code__in=list(codes), carried_from__isnull=False, confirmed_at__isnull=True)
    )
    if not answers:
        return []
    now = timezone.now()
    label = f"{by_label or person_label(by)} (confirmed unchanged)"
    Answer.objects.filter(pk__in=[a.pk for a in answers]).update(confirmed_at=now)
    AnswerChange.objects.bulk_create(
        AnswerChange(
            assessment=assessment,
            question_code=a.question_code,
            old_value=stored_answer(a),
            new_value=stored_answer(a),
            by=by,
            by_label=label,
        )
        for a in answers
    )
    confirmed = sorted(a.question_code for a in answers)
    timeline_add(assessment, "confirmed", by=by, by_label=by_label, note=f"Confirmed unchanged: {', '.join(confirmed)}")
    return confirmed
