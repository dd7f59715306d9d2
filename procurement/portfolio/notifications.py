"""The time-based notifications, queued by ``manage.py send_notifications`` (cron).

Reads every kind of deadline, so it sits in the top layer: conditions and findings coming due
or overdue (to their owner), reviews coming due or overdue (the review schedule of the
reviews page, to the owner and the reviewers), risk acceptances expiring, and expired ones
(marked expired; a decided assessment's service is flagged for reassessment), evidence expiring
and model retirements (procurement.portfolio.evidence_notifications), and contract dates (the
last day to give notice of non-renewal, or the end of a contract that does not renew by itself,
to the contract's owner; its approach also flags the service for reassessment, trigger
``contract_renewal``). Then the daily summaries. Services that have ended get none of these.

It only queues: the outbox sends. Each reminder step (procurement.core.schedule) has its own
key, so a second run the same day queues nothing new. Each deadline is handled in its own
transaction and each recipient on their own, so one bad row or address stops nothing else.
What was queued is written on the assessment's timeline.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from procurement.assessments.models import Assessment, Finding, RiskAcceptance
from procurement.assessments.notifications import WEBHOOK_EVENTS, assessment_event, assessment_label, owner_of
from procurement.assessments.services import assessment_rescore, reassessment_mark, timeline_add
from procurement.core.models import DeadlineKind, Membership, NotificationKind, Organisation
from procurement.core.notifications import Delivery, Schedules, digests_send, display_name, notify
from procurement.core.schedule import Schedule, Step, step_due
from procurement.portfolio.evidence_notifications import evidence_remind, model_retirements_remind
from procurement.portfolio.models import ReassessmentTrigger
from procurement.portfolio.reassessment import reassessment_flag
from procurement.portfolio.selectors import review_schedule
from procurement.vendors.contracts import contract_dates
from procurement.vendors.models import Contract, Lifecycle
from procurement.vendors.selectors import live_contracts

logger = logging.getLogger(__name__)

BY = "reminders"


@dataclass
class RunReport:
    queued: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    digests: int = 0
    problems: int = 0


def _log(assessment: Assessment, deliveries: list[Delivery], what: str, report: RunReport) -> None:
    """One timeline line per person newly told, e.g. "reminder to Rita Reviewer: condition due in 7 days"."""
    for d in deliveries:
        if not d.created:
            continue
        how = " (in the daily summary)" if d.mode == "digest" else ""
        note = f"reminder to {display_name(d.user)}: {what}{how}"
        timeline_add(assessment, "reminder", by_label=BY, note=note)
        report.queued.append(f"{assessment_label(assessment)}: {note}")


def _isolated(report: RunReport, what: str, work: Callable[[], None]) -> None:
    """Run one deadline's work in its own transaction; a failure is logged and the run goes on."""
    try:
        with transaction.atomic():
            work()
    except Exception:
        logger.exception("send_notifications: %s failed", what)
        report.problems += 1


def _notify_step(assessment: Assessment, *, kind: str, users, what: str, subject: str, lines, action, key, report):
    if kind in WEBHOOK_EVENTS:
        assessment_event(assessment, event=WEBHOOK_EVENTS[kind], key=key, summary=subject, lines=lines)
    deliveries = notify(
        kind=kind,
        users=users,
        subject=f"{subject}: {assessment_label(assessment)}",
        lines=[f"Assessment: {assessment_label(assessment)}", f"Vendor: {assessment.service.vendor.name}", *lines],
        action=action,
        url=assessment.get_absolute_url(),
        key=key,
        organisation=assessment.organisation,
        ref=f"assessment:{assessment.pk}",
    )
    _log(assessment, deliveries, what, report)


# --- Conditions and findings ------------------------------------------------------------


def _condition(finding: Finding, step: Step, report: RunReport) -> None:
    a = finding.assessment
    kind = finding.get_kind_display().lower()
    _notify_step(
        a,
        kind=NotificationKind.CONDITION_DUE,
        users=[finding.owner_user],
        what=f"{kind} {step.describe()} ({finding.text[:80]})",
        subject=f"{kind.capitalize()} {step.describe()}",
        lines=[
            f"{kind.capitalize()}: {finding.text}",
            f"Due: {finding.due_date:%d %b %Y} ({step.describe()})",
            f"Status: {finding.get_status_display()}",
        ],
        action=f"Update the {kind}",
        key=f"finding:{finding.pk}:{finding.due_date.isoformat()}:{step.key}",
        report=report,
    )


def conditions_remind(*, today: dt.date, schedules: Schedules, report: RunReport) -> None:
    findings = (
        Finding.objects.filter(status__in=Finding.LIVE, due_date__isnull=False, owner_user__isnull=False)
        .exclude(assessment__service__status=Lifecycle.ENDED)
        .select_related("assessment__service__vendor", "assessment__organisation", "owner_user")
        .order_by("pk")
    )
    for finding in findings:
        step = step_due(finding.due_date, today, schedules.get(DeadlineKind.CONDITION, finding.assessment.organisation))
        if step is not None:
            _isolated(report, f"finding {finding.pk}", lambda f=finding, s=step: _condition(f, s, report))


# --- Reviews ----------------------------------------------------------------------------


def _review(row: dict, step: Step, report: RunReport) -> None:
    a: Assessment = row["assessment"]
    _notify_step(
        a,
        kind=NotificationKind.REVIEW_DUE,
        users=[owner_of(a), *a.reviewers.all()],
        what=f"review {step.describe()}",
        subject=f"Review {step.describe()}",
        lines=[
            f"Next review: {row['due']:%d %b %Y} ({step.describe()})",
            f"Tier {row['tier']}: reviewed every {row['months']} months.",
            "To review the service, start a new assessment of it.",
        ],
        action="Open the assessment",
        key=f"review:{a.pk}:{row['due'].isoformat()}:{step.key}",
        report=report,
    )


def reviews_remind(*, today: dt.date, schedules: Schedules, report: RunReport) -> None:
    for organisation in Organisation.objects.order_by("pk"):
        schedule = schedules.get(DeadlineKind.REVIEW, organisation)
        for row in review_schedule(organisation, today=today):
            if row["due"] is None:
                continue  # flagged only: its owner was told when it was flagged
            step = step_due(row["due"], today, schedule)
            if step is not None:
                a = row["assessment"]
                _isolated(report, f"review of assessment {a.pk}", lambda r=row, s=step: _review(r, s, report))


# --- Risk acceptances ---------------------------------------------------------------------


def _acceptance_lines(acceptance: RiskAcceptance) -> list[str]:
    return [
        f"Accepted risk: {acceptance.title}",
        f"Accepted by {acceptance.accepted_by_label} on {acceptance.accepted_at:%d %b %Y}.",
        f"Expires on {acceptance.expires_on:%d %b %Y}.",
    ]


def _acceptance_expiring(acceptance: RiskAcceptance, step: Step, report: RunReport) -> None:
    a = acceptance.assessment
    when = step.describe().replace("due", "expires", 1)
    _notify_step(
        a,
        kind=NotificationKind.ACCEPTANCE_EXPIRING,
        users=[owner_of(a), acceptance.accepted_by],
        what=f"risk acceptance {when} ({acceptance.title[:80]})",
        subject=f"Risk acceptance {when}",
        lines=[*_acceptance_lines(acceptance), "Renew it, or plan the reassessment."],
        action="Open the assessment",
        key=f"acceptance:{acceptance.pk}:{acceptance.expires_on.isoformat()}:{step.key}",
        report=report,
    )


def acceptance_expire(*, acceptance: RiskAcceptance, report: RunReport | None = None) -> bool:
    """Mark an accepted risk whose expiry date has come as expired. If its assessment is
    decided, the service is flagged for reassessment (its owner is told); the owner and the
    approver are told it expired. False when another run got there first."""
    report = report or RunReport()
    changed = RiskAcceptance.objects.filter(pk=acceptance.pk, status=RiskAcceptance.Status.ACCEPTED).update(
        status=RiskAcceptance.Status.EXPIRED
    )
    if not changed:
        return False
    a = acceptance.assessment
    note = f"{acceptance.title} (accepted by {acceptance.accepted_by_label}, expired {acceptance.expires_on:%d %b %Y})"
    timeline_add(a, "acceptance expired", by_label=BY, note=note)
    if a.is_final:
        reassessment_mark(
            service=a.service,
            reason=f"Risk acceptance expired on {acceptance.expires_on:%d %b %Y}: {acceptance.title}",
            by_label="risk acceptance",
            trigger="acceptance_expired",  # only notifies: no organisation setting starts one
        )
    else:
        # The waiver no longer counts: the open assessment's recommendation moves with it.
        assessment_rescore(assessment=a)
    _notify_step(
        a,
        kind=NotificationKind.ACCEPTANCE_EXPIRING,
        users=[owner_of(a), acceptance.accepted_by],
        what=f"risk acceptance expired ({acceptance.title[:80]})",
        subject="Risk acceptance expired",
        lines=[
            *_acceptance_lines(acceptance),
            "The service is flagged for reassessment." if a.is_final else "Renew it before the decision.",
        ],
        action="Open the assessment",
        key=f"acceptance:{acceptance.pk}:{acceptance.expires_on.isoformat()}:expired",
        report=report,
    )
    report.expired.append(f"{assessment_label(a)}: {acceptance.title}")
    return True


def acceptances_remind(*, today: dt.date, schedules: Schedules, report: RunReport) -> None:
    acceptances = (
        RiskAcceptance.objects.filter(status=RiskAcceptance.Status.ACCEPTED, expires_on__isnull=False)
        .exclude(assessment__service__status=Lifecycle.ENDED)
        .select_related("assessment__service__vendor", "assessment__organisation", "accepted_by")
        .order_by("pk")
    )
    for acceptance in acceptances:
        # In force through its expiry date (selectors.accepted_acceptances): expired the day after.
        if acceptance.expires_on < today:
            _isolated(
                report,
                f"expiry of risk acceptance {acceptance.pk}",
                lambda x=acceptance: acceptance_expire(acceptance=x, report=report),
            )
            continue
        schedule = schedules.get(DeadlineKind.ACCEPTANCE, acceptance.assessment.organisation)
        step = step_due(acceptance.expires_on, today, schedule)
        if step is not None:
            _isolated(
                report,
                f"risk acceptance {acceptance.pk}",
                lambda x=acceptance, s=step: _acceptance_expiring(x, s, report),
            )


# --- Contracts ------------------------------------------------------------------------------


def contract_recipients(contract: Contract) -> list:
    """The contract's owner, else the vendor's owner, else the organisation's admins: a notice
    date nobody hears about is the failure this reminder exists for."""
    owner = contract.owner or contract.service.vendor.owner
    if owner is not None:
        return [owner]
    admins = Membership.objects.filter(
        organisation=contract.service.vendor.organisation, role=Membership.Role.ADMIN
    ).select_related("user")
    return [m.user for m in admins]


def _when(step: Step) -> str:
    """The deadline relative to today: "in 7 days", "tomorrow", "today", "1 day ago", "7 days ago"."""
    if step.days < -1:
        return f"in {-step.days} days"
    if step.days == -1:
        return "tomorrow"
    if step.days == 0:
        return "today"
    return "1 day ago" if step.days == 1 else f"{step.days} days ago"


def _contract(contract: Contract, deadline: dt.date, step: Step, report: RunReport) -> None:
    service = contract.service
    dates = contract_dates(contract, today=deadline)
    ref = f" {contract.reference}" if contract.reference else ""
    when = _when(step)
    if dates.notice_by is not None:
        what = f"last day to give notice of non-renewal{ref} {'was' if step.overdue else 'is'} {when}"
        subject = f"Contract{ref}: the last day to give notice {'was' if step.overdue else 'is'} {when}"
        lines = [
            f"Last day to give notice of non-renewal: {deadline:%d %b %Y}.",
            f"Without notice the contract renews on {dates.term_end:%d %b %Y} for "
            f"{contract.renewal_term_months or 12} months.",
        ]
    else:
        what = f"contract{ref} {'ended' if step.overdue else 'ends'} {when}"
        subject = f"Contract{ref} {'ended' if step.overdue else 'ends'} {when}"
        lines = [
            f"The contract ends on {deadline:%d %b %Y}.",
            "Renew it and record the new end date, or offboard the service.",
        ]
    label = f"{service.vendor.name} — {service.name}"
    deliveries = notify(
        kind=NotificationKind.CONTRACT_NOTICE,
        users=contract_recipients(contract),
        subject=f"{subject}: {label}",
        lines=[f"Service: {label}", f"Parties: {contract.buyer_party} and {contract.vendor_party}", *lines],
        action="Open the contract",
        url=contract.get_absolute_url(),
        key=f"contract:{contract.pk}:{deadline.isoformat()}:{step.key}",
        organisation=service.vendor.organisation,
        ref=f"service:{service.pk}",
    )
    for d in deliveries:
        if d.created:
            how = " (in the daily summary)" if d.mode == "digest" else ""
            report.queued.append(f"{label}: reminder to {display_name(d.user)}: {what}{how}")


def renewal_reason(contract: Contract, deadline: dt.date) -> str:
    dates = contract_dates(contract, today=deadline)
    ref = f" {contract.reference}" if contract.reference else ""
    if dates.notice_by is not None:
        return (
            f"Contract{ref}: the last day to give notice of non-renewal is {deadline:%d %b %Y}"
            f" (it renews on {dates.term_end:%d %b %Y})."
        )
    return f"Contract{ref} ends on {deadline:%d %b %Y}: renew it or offboard the service."


def contract_renewal_flag(*, contract: Contract, deadline: dt.date, by_label: str = BY) -> Assessment | None:
    """A contract's last day to give notice (or its end, when it does not renew by itself) is
    within the organisation's contract-notice window: flag the service for reassessment with
    the trigger ``contract_renewal`` when its latest assessment is decided (an open one is the
    reassessment already). Once per deadline (``Contract.renewal_flagged_for``); a changed
    date flags again when it comes near. Returns the flagged assessment, if any."""
    claimed = (
        Contract.objects.filter(pk=contract.pk)
        .exclude(renewal_flagged_for=deadline)
        .update(renewal_flagged_for=deadline)
    )
    if not claimed:
        return None
    contract.renewal_flagged_for = deadline
    latest = (
        Assessment.objects.filter(service_id=contract.service_id).order_by("-created_at", "-pk").only("status").first()
    )
    if latest is None or not latest.is_final:
        return None
    return reassessment_flag(
        service=contract.service,
        trigger=ReassessmentTrigger.CONTRACT_RENEWAL,
        reason=renewal_reason(contract, deadline),
        by_label=by_label,
    )


def renewal_window_open(deadline: dt.date, today: dt.date, schedule: Schedule) -> bool:
    """The first reminder's day has come (the schedule's longest "days before"; the day itself
    when it has none)."""
    return today >= deadline - dt.timedelta(days=max(schedule.before_days, default=0))


def contracts_remind(*, today: dt.date, schedules: Schedules, report: RunReport) -> None:
    """Each live contract's notice date (renewing automatically) or end date (otherwise), on
    the contract-notice schedule. When the schedule's first reminder comes due, the service is
    also flagged for reassessment (``contract_renewal_flag``; the organisation chooses whether
    that starts one, procurement.portfolio.reassessment)."""
    for organisation in Organisation.objects.order_by("pk"):
        schedule = schedules.get(DeadlineKind.CONTRACT_NOTICE, organisation)
        for contract in live_contracts(organisation):
            dates = contract_dates(contract, today=today)
            deadline = dates.notice_by or dates.term_end
            if contract.renewal_flagged_for != deadline and renewal_window_open(deadline, today, schedule):

                def flag(c=contract, d=deadline):
                    if (flagged := contract_renewal_flag(contract=c, deadline=d)) is not None:
                        report.flagged.append(f"{assessment_label(flagged)}: {renewal_reason(c, d)}")

                _isolated(report, f"renewal flag of contract {contract.pk}", flag)
            step = step_due(deadline, today, schedule)
            if step is not None:
                _isolated(
                    report,
                    f"contract {contract.pk}",
                    lambda c=contract, d=deadline, s=step: _contract(c, d, s, report),
                )


# --- The run ------------------------------------------------------------------------------


def notifications_send(*, today: dt.date) -> RunReport:
    """Queue today's reminders and the daily summaries. Safe to run as often as cron likes."""
    report = RunReport()
    schedules = Schedules()
    conditions_remind(today=today, schedules=schedules, report=report)
    reviews_remind(today=today, schedules=schedules, report=report)
    acceptances_remind(today=today, schedules=schedules, report=report)
    evidence_remind(today=today, schedules=schedules, report=report, isolated=_isolated)
    model_retirements_remind(today=today, schedules=schedules, report=report, isolated=_isolated)
    contracts_remind(today=today, schedules=schedules, report=report)
    report.digests = len(digests_send(today=today))
    return report
