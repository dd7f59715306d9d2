"""Who is told what about an assessment, in words that name the assessment, the vendor and
what to do. The services call these inside their transactions; the mails go through the
outbox (procurement.core.notifications.notify), each person as they chose.

``notify_acceptance_requested`` and ``notify_decision_made`` are called by the decide
services (procurement.assessments.services.decide).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence

from django.urls import reverse
from django.utils import timezone

from procurement.assessments.models import Assessment, Clarification, RiskAcceptance
from procurement.assessments.records import person_label
from procurement.core.access import REVIEWERS
from procurement.core.models import Membership, NotificationKind
from procurement.core.notifications import Delivery, absolute_url, notify
from procurement.core.webhooks import webhook_emit
from procurement.scoring.explain import DECISION_LABELS

K = NotificationKind


def assessment_label(assessment: Assessment) -> str:
    """ "A-12 Frontier Lab — Frontier API": the assessment, its vendor and its service."""
    service = assessment.service
    return f"A-{assessment.pk} {service.vendor.name} — {service.name}"


def owner_of(assessment: Assessment):
    return assessment.owner or assessment.created_by


def _about(assessment: Assessment) -> list[str]:
    return [f"Assessment: {assessment_label(assessment)}", f"Vendor: {assessment.service.vendor.name}"]


def _without(users: Iterable, *left_out) -> list:
    skip = {u.pk for u in left_out if u is not None}
    return [u for u in users if u is not None and u.pk not in skip]


# What the organisation's webhook endpoints hear when people are told (procurement/core/webhooks.py).
WEBHOOK_EVENTS = {
    K.VENDOR_SUBMITTED: "assessment.vendor_submitted",
    K.DECISION_MADE: "assessment.decided",
    K.REASSESSMENT_FLAGGED: "assessment.reassessment_flagged",
    K.CONDITION_DUE: "condition.due",
    K.ACCEPTANCE_EXPIRING: "acceptance.expiring",
}


def assessment_event(assessment: Assessment, *, event: str, key: str, summary: str, lines: Sequence[str]) -> None:
    """Queue a webhook event about ``assessment`` for the endpoints that listen to it: the
    assessment as data (ids, names, status, recommendation, decision) and the same words the
    mail uses."""
    decision = getattr(assessment, "decision", None) if assessment.is_final else None
    data = {
        "assessment": {
            "id": assessment.pk,
            "reference": assessment_label(assessment),
            "url": absolute_url(assessment.get_absolute_url()),
            "vendor": assessment.service.vendor.name,
            "service": assessment.service.name,
            "status": assessment.status,
            "recommendation": assessment.recommendation or None,
            "decision": decision.outcome if decision else None,
        },
        "summary": summary,
        "details": list(lines),
    }
    webhook_emit(organisation=assessment.organisation, event=event, key=key, data=data)


def _notify(
    assessment: Assessment,
    *,
    kind: str,
    users: Iterable,
    subject: str,
    lines: Sequence[str],
    action: str,
    url: str,
    key: str,
) -> list[Delivery]:
    if kind in WEBHOOK_EVENTS:
        assessment_event(assessment, event=WEBHOOK_EVENTS[kind], key=key, summary=subject, lines=lines)
    return notify(
        kind=kind,
        users=users,
        subject=subject,
        lines=[*_about(assessment), *lines],
        action=action,
        url=url,
        key=key,
        organisation=assessment.organisation,
        ref=f"assessment:{assessment.pk}",
    )


def _stamp(at: dt.datetime | None = None) -> str:
    return f"{(at or timezone.now()).timestamp():.6f}"


def _team(assessment: Assessment) -> list:
    return [owner_of(assessment), *assessment.reviewers.all()]


# --- Events -------------------------------------------------------------------------


def notify_vendor_submitted(*, assessment: Assessment, by_label: str, at: dt.datetime) -> list[Delivery]:
    """The vendor handed its answers over: the owner and the assigned reviewers."""
    vendor = assessment.service.vendor.name
    return _notify(
        assessment,
        kind=K.VENDOR_SUBMITTED,
        users=_team(assessment),
        subject=f"{vendor} submitted its answers: {assessment_label(assessment)}",
        lines=[f"Submitted by {by_label or vendor} through the vendor link. The answers are now read-only for them."],
        action="Check the answers",
        url=assessment.get_absolute_url(),
        key=f"assessment:{assessment.pk}:vendor-submitted:{_stamp(at)}",
    )


def notify_vendor_question(*, clarification: Clarification) -> list[Delivery]:
    """The vendor asked a question in a clarification thread: the owner and the reviewers."""
    assessment = clarification.assessment
    return _notify(
        assessment,
        kind=K.VENDOR_QUESTION,
        users=_team(assessment),
        subject=f"{assessment.service.vendor.name} asked about {clarification.question_code}: "
        f"{assessment_label(assessment)}",
        lines=[f"{clarification.author_label or 'The vendor'} wrote:", clarification.body],
        action="Reply to the vendor",
        url=reverse("assessments:history", args=[assessment.pk, clarification.question_code]),
        key=f"clarification:{clarification.pk}",
    )


def notify_reviewers_assigned(*, assessment: Assessment, reviewers: Iterable, by) -> list[Delivery]:
    """People newly assigned to review: each is told, except whoever assigned themselves."""
    return _notify(
        assessment,
        kind=K.REVIEWER_ASSIGNED,
        users=_without(reviewers, by),
        subject=f"You are a reviewer of {assessment_label(assessment)}",
        lines=[
            f"Assigned by {person_label(by) or 'the team'}."
            + (f" Due {assessment.due_date:%d %b %Y}." if assessment.due_date else "")
        ],
        action="Open the assessment",
        url=assessment.get_absolute_url(),
        key=f"assessment:{assessment.pk}:reviewer:{_stamp()}",
    )


def notify_reassessment_flagged(*, assessment: Assessment, reason: str) -> list[Delivery]:
    """The service's current assessment needs a reassessment: its owner."""
    digest = hashlib.sha256(reason.encode()).hexdigest()[:16]
    return _notify(
        assessment,
        kind=K.REASSESSMENT_FLAGGED,
        users=[owner_of(assessment)],
        subject=f"Reassessment needed: {assessment_label(assessment)}",
        lines=[f"Why: {reason}"],
        action="Open the assessment",
        url=assessment.get_absolute_url(),
        key=f"assessment:{assessment.pk}:reassess:{digest}",
    )


def notify_reassessment_started(*, assessment: Assessment, why: str) -> list[Delivery]:
    """A reassessment started on its own (the organisation's choice for ``why``): its owner,
    under the same preference as a reassessment flag."""
    return _notify(
        assessment,
        kind=K.REASSESSMENT_FLAGGED,
        users=[owner_of(assessment)],
        subject=f"Reassessment started: {assessment_label(assessment)}",
        lines=[
            f"Started automatically from A-{assessment.previous_id}'s answers because {why}.",
            "The answers that still hold are carried forward: invite the vendor to confirm them"
            " and to answer what changed.",
        ],
        action="Open the reassessment",
        url=assessment.get_absolute_url(),
        key=f"assessment:{assessment.pk}:reassessment-started",
    )


def acceptance_approvers(acceptance: RiskAcceptance, *, authority: int, exclude: Iterable[int] = ()) -> list:
    """Who is asked to accept: the approver named in the request, or else every member of the
    organisation whose role may decide (admin, reviewer) holding at least ``authority``, never
    the person who asked nor those in ``exclude`` (user ids: whoever separation of duties
    keeps from accepting)."""
    if acceptance.requested_from is not None:
        return [acceptance.requested_from]
    members = (
        Membership.objects.filter(
            organisation=acceptance.assessment.organisation, role__in=REVIEWERS, authority__gte=authority
        )
        .exclude(user__in=list(exclude))
        .select_related("user")
    )
    return _without([m.user for m in members], acceptance.requested_by)


def notify_acceptance_requested(
    *, acceptance: RiskAcceptance, authority: int = Membership.Authority.RISK, exclude: Iterable[int] = ()
) -> list[Delivery]:
    """A risk acceptance is asked for: the named approver, or every member whose authority
    (``authority`` or above) suffices. Call it in the service that records the request."""
    assessment = acceptance.assessment
    lines = [f"What is to be accepted: {acceptance.title}"]
    if acceptance.requested_by is not None:
        lines.append(f"Asked by {person_label(acceptance.requested_by)}.")
    if acceptance.request_note:
        lines.append(f"Note: {acceptance.request_note}")
    return _notify(
        assessment,
        kind=K.ACCEPTANCE_REQUESTED,
        users=acceptance_approvers(acceptance, authority=authority, exclude=exclude),
        subject=f"Risk acceptance requested: {assessment_label(assessment)}",
        lines=lines,
        action="Accept or decline",
        url=reverse("assessments:review", args=[assessment.pk]),
        key=f"acceptance:{acceptance.pk}:requested:{_stamp(acceptance.requested_at)}",
    )


def notify_decision_made(*, assessment: Assessment) -> list[Delivery]:
    """A decision was recorded: the owner, the reviewers and whoever asked for risk
    acceptances on it, except the person who decided. Call it in the decide service, after
    the Decision row is written."""
    decision = assessment.decision
    requesters = [a.requested_by for a in assessment.acceptances.select_related("requested_by")]
    outcome = decision.get_outcome_display().lower()
    lines = [f"{decision.by_label or person_label(decision.by)} decided: {outcome}."]
    if decision.differs:
        recommended = DECISION_LABELS.get(decision.recommendation, decision.recommendation)
        lines.append(f"The engine recommended: {recommended.lower()}.")
    if decision.note:
        lines.append(f"Note: {decision.note}")
    return _notify(
        assessment,
        kind=K.DECISION_MADE,
        users=_without([*_team(assessment), *requesters], decision.by),
        subject=f"Decision: {outcome} — {assessment_label(assessment)}",
        lines=lines,
        action="See the decision",
        url=assessment.get_absolute_url(),
        key=f"assessment:{assessment.pk}:decision:{_stamp(decision.at)}",
    )
