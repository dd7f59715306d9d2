"""Reassessment from the last answers: starting one (by hand or on its own) and the
organisation's choice, per trigger, between starting one and only notifying.

A reassessment is a new assessment on the latest published version of the bank the previous
decision used (the organisation's own copy of a shipped bank where it has one), with the
previous answers that still hold carried forward (``assessments.services.answers_carry_forward``).

What starts one on its own (``reassessments_start_due``, run daily by
``manage.py start_reassessments`` or the worker task): a review falling due, and a flag raised
by ``reassessment_mark`` with a trigger (a supply-chain or model change: ``chain``; expired
evidence: ``evidence_expired``; an approaching contract renewal: ``contract_renewal``), where
the organisation chose "start a reassessment" for that trigger. Anything else only notifies
(the flag already told the owner). Running it twice starts one reassessment: a decision with
an open reassessment is skipped, and the database allows one open reassessment per decision.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from procurement.assessments.models import Assessment
from procurement.assessments.notifications import assessment_label, notify_reassessment_started
from procurement.assessments.services import (
    answers_carry_forward,
    assessment_create,
    assessment_rescore,
    latest_published,
    reassessment_mark,
    timeline_add,
)
from procurement.core.models import Organisation
from procurement.portfolio.models import ReassessmentPolicy, ReassessmentTrigger
from procurement.portfolio.selectors import review_schedule
from procurement.questionbank.models import BankVersion, QuestionBank

logger = logging.getLogger(__name__)

NOT_DECIDED = "Only a decided assessment can be reassessed."
Trigger = ReassessmentTrigger


def reassessment_target(previous: Assessment) -> BankVersion:
    """The latest published version of the previous assessment's bank or, for a shipped bank,
    of the organisation's own copy of it (same slug, or versions derived from it) if it has one
    with a published version."""
    bank = previous.bank_version.bank
    if bank.is_shipped:
        own = (
            QuestionBank.objects.filter(organisation=previous.organisation_id)
            .filter(Q(slug=bank.slug) | Q(versions__based_on__bank=bank))
            .filter(versions__status=BankVersion.Status.PUBLISHED)
            .distinct()
            .order_by("pk")
            .first()
        )
        if own is not None:
            bank = own
    return latest_published(bank)


def open_reassessment(previous: Assessment) -> Assessment | None:
    return previous.reassessments.filter(status__in=Assessment.OPEN).order_by("pk").first()


@transaction.atomic
def reassessment_start(*, previous: Assessment, by, by_label: str = "") -> tuple[Assessment, bool]:
    """Start a reassessment of a decided assessment: (the new assessment, True), or the open
    reassessment already started from it (False). Same service, owner and reviewers; the
    answers and supporting documents that still hold are carried forward."""
    previous = Assessment.objects.select_for_update().select_related("bank_version__bank").get(pk=previous.pk)
    if not previous.is_final:
        raise ValidationError(NOT_DECIDED, code="not_decided")
    if (existing := open_reassessment(previous)) is not None:
        return existing, False
    target = reassessment_target(previous)
    assessment = assessment_create(
        service=previous.service,
        bank=target.bank,
        by=by,
        owner=previous.owner or by,
        reviewers=list(previous.reviewers.all()),
    )
    assessment.previous = previous
    assessment.save(update_fields=["previous", "updated_at"])
    result = answers_carry_forward(assessment=assessment, previous=previous, by=by, by_label=by_label)
    timeline_add(
        previous,
        "reassessment started",
        by=by,
        by_label=by_label,
        note=f"A-{assessment.pk} on {target}: {len(result.carried)} answer(s) carried forward.",
    )
    assessment_rescore(assessment=assessment)
    return assessment, True


def policy_actions(organisation: Organisation) -> dict[str, str]:
    """Each trigger's action for the organisation; "notify" where it chose nothing."""
    chosen = dict(organisation.reassessment_policies.values_list("trigger", "action"))
    return {t.value: chosen.get(t.value, ReassessmentPolicy.Action.NOTIFY) for t in Trigger}


@transaction.atomic
def reassessment_policies_set(*, organisation: Organisation, actions: dict[str, str], by) -> list[str]:
    """Save the action per trigger; returns the triggers whose action changed, in words."""
    before = policy_actions(organisation)
    changed = []
    for trigger, action in actions.items():
        if trigger not in Trigger.values or action not in ReassessmentPolicy.Action.values:
            raise ValidationError("Unknown trigger or action.", code="invalid")
        if before[trigger] == action:
            continue
        ReassessmentPolicy.objects.update_or_create(
            organisation=organisation, trigger=trigger, defaults={"action": action}
        )
        changed.append(f"{Trigger(trigger).label}: {ReassessmentPolicy.Action(action).label.lower()}")
    return changed


def reassessment_flag(*, service, trigger: str, reason: str, by_label: str) -> Assessment | None:
    """The hook for triggers raised elsewhere (expired evidence, an approaching contract
    renewal): flag the service's latest assessment with ``trigger``; the next
    ``reassessments_start_due`` starts a reassessment if the organisation chose so."""
    return reassessment_mark(service=service, reason=reason, by_label=by_label, trigger=trigger)


@dataclass
class StartReport:
    started: list[str] = field(default_factory=list)
    notified_only: int = 0
    problems: int = 0


def _due_triggers(row: dict, today: dt.date) -> set[str]:
    a = row["assessment"]
    triggers = set()
    if row["flagged"]:
        # Flags raised before triggers were recorded came from supply-chain edits.
        triggers |= set(a.reassess_triggers or [Trigger.CHAIN])
    if row["due"] is not None and row["due"] <= today:
        triggers.add(Trigger.REVIEW_DUE)
    return triggers


def reassessments_start_due(*, today: dt.date, organisations=None) -> StartReport:
    """Start a reassessment of every decided service whose review is due or whose flag names a
    trigger the organisation set to "start". Idempotent: a decision with an open reassessment
    (or a service whose latest assessment is open) is left alone."""
    report = StartReport()
    for org in organisations if organisations is not None else Organisation.objects.all():
        actions = policy_actions(org)
        starting = {t for t, action in actions.items() if action == ReassessmentPolicy.Action.START}
        for row in review_schedule(org, today=today):
            previous = row["assessment"]
            if not previous.is_final:
                continue
            due = _due_triggers(row, today)
            hits = sorted(due & starting)
            if not hits:
                report.notified_only += bool(due)
                continue
            why = ", ".join(Trigger(t).label.lower() for t in hits)
            try:
                with transaction.atomic():
                    assessment, created = reassessment_start(
                        previous=previous, by=None, by_label=f"automatic reassessment ({why})"
                    )
            except (ValidationError, IntegrityError):
                logger.exception("start_reassessments: A-%s could not be reassessed", previous.pk)
                report.problems += 1
                continue
            if created:
                notify_reassessment_started(assessment=assessment, why=why)
                report.started.append(f"{assessment_label(assessment)}: reassessment of A-{previous.pk} ({why})")
    return report
