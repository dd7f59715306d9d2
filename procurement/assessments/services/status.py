"""The status machine, the timeline and the score summary kept on the row.

Every status change goes through ``transition`` and onto the timeline.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from procurement.assessments.models import Answer, Assessment, TimelineEvent
from procurement.assessments.presentation import missing_answers
from procurement.assessments.records import person_label
from procurement.assessments.selectors import assessment_score
from procurement.assessments.signals import assessment_changed
from procurement.scoring import types as t

S = Assessment.Status

# Legal moves. Every change goes through transition() and onto the timeline.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.IN_PROGRESS, S.SUBMITTED},
    S.IN_PROGRESS: {S.SUBMITTED},
    S.SUBMITTED: {S.IN_REVIEW, S.CHANGES_REQUESTED},
    S.IN_REVIEW: {S.CHANGES_REQUESTED, S.APPROVED, S.REJECTED},
    S.CHANGES_REQUESTED: {S.IN_PROGRESS, S.SUBMITTED},
    S.APPROVED: set(),
    S.REJECTED: set(),
}

# Where a record is stable enough that its report will be wanted: rendered ahead at once.
SETTLED = {S.SUBMITTED, S.IN_REVIEW}

ILLEGAL_MOVE = "An assessment that is {current} cannot become {target}."


def timeline_add(
    assessment: Assessment,
    kind: str,
    *,
    by=None,
    by_label: str = "",
    note: str = "",
    old: str = "",
    new: str = "",
    settled: bool = False,
):
    """Add an event to the timeline. The timeline is part of the record, so reports is told
    (``assessment_changed``, ``settled`` as there) when a person did it or the record settled;
    not for the system's own events (reminders sent, an acceptance expiring), which would render
    every open assessment's draft PDF ahead on each sweep for nobody in particular."""
    TimelineEvent.objects.create(
        assessment=assessment,
        kind=kind,
        from_status=old,
        to_status=new,
        note=note,
        by=by,
        by_label=by_label or person_label(by),
    )
    if by is not None or settled:
        assessment_changed.send(sender=Assessment, assessment=assessment, settled=settled)


def transition(assessment: Assessment, target: str, *, by, note: str = "", by_label: str = "") -> None:
    current = assessment.status
    if target not in TRANSITIONS[current]:
        raise ValidationError(
            ILLEGAL_MOVE.format(current=S(current).label.lower(), target=S(target).label.lower()), code="illegal"
        )
    assessment.status = target
    assessment.save(update_fields=["status", "updated_at"])
    timeline_add(
        assessment, "status", by=by, by_label=by_label, note=note, old=current, new=target, settled=target in SETTLED
    )


def assessment_rescore(*, assessment: Assessment, answers: list[Answer] | None = None) -> None:
    """Refresh the score summary kept on the row for lists and filters, with how many answers
    it still waits for (the lists label it provisional without scoring again). ``answers``: every
    answer of the assessment as it stands, when the caller has them (read under its lock)."""
    if assessment.is_final:
        return
    result = assessment_score(assessment, answers=answers)
    Assessment.objects.filter(pk=assessment.pk).update(
        risk_band=result.residual or "",
        recommendation=result.decision,
        overall_risk=result.overall_risk,
        recommended_at=timezone.now(),
        recommendation_unanswered=missing_count(result),
    )


def missing_count(result: t.ScoreResult) -> int:
    """The answers a score waits for (``Assessment.recommendation_unanswered``)."""
    return missing_answers(
        unanswered=result.unanswered,
        pending=(p.missing for p in result.pending_rules),
        incomplete=result.incomplete,
    )


def open_assessments_rescore(*, services) -> int:
    """Refresh the recommendation of every open assessment of these services: their supply
    chain changed, and the chain's facts feed the score. Decided ones keep their frozen record
    (``reassessment_mark`` flags them instead). Returns how many were rescored."""
    rows = Assessment.objects.filter(service__in=list(services), status__in=Assessment.OPEN).defer("frozen_record")
    count = 0
    for assessment in rows.select_related("bank_version", "service"):
        assessment_rescore(assessment=assessment)
        count += 1
    return count
