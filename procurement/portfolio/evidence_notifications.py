"""Reminders about expiring evidence and retiring models, queued by ``send_notifications``
(procurement.portfolio.notifications.notifications_send) on the shared reminder schedule
(settings.REMINDER_SCHEDULE "evidence" and "model_retirement"; procurement.core.schedule).

Each step has its own key (object, date and step), so a second run the same day queues
nothing new. A document whose expiry has passed is handled once per date
(procurement.portfolio.evidence_services.evidence_expire): open assessments rescored, the
service flagged for reassessment when its latest assessment is decided.
"""

from __future__ import annotations

import datetime as dt

from procurement.assessments.models import Assessment
from procurement.assessments.notifications import owner_of
from procurement.core.models import DeadlineKind, NotificationKind, Organisation
from procurement.core.notifications import Schedules, display_name, notify
from procurement.core.schedule import Step, step_due
from procurement.portfolio.evidence_services import evidence_expire
from procurement.vendors.models import Document, ModelLifecycle
from procurement.vendors.selectors import DatedRow, documents_expiring, model_retirements

BY = "reminders"


def _horizon(today: dt.date, schedules: Schedules, kind: str, organisation: Organisation) -> dt.date:
    schedule = schedules.get(kind, organisation)
    return today + dt.timedelta(days=max(schedule.before_days, default=0))


def _owners(vendor_owner, service_ids) -> list:
    """The vendor's owner, and the owner of each service's latest assessment."""
    people = [vendor_owner] if vendor_owner is not None else []
    for service_id in dict.fromkeys(service_ids):
        latest = (
            Assessment.objects.filter(service_id=service_id)
            .select_related("owner", "created_by")
            .defer("frozen_record")
            .order_by("-created_at", "-pk")
            .first()
        )
        if latest is not None and owner_of(latest) is not None:
            people.append(owner_of(latest))
    return people


def _when(step: Step, verb: str) -> str:
    return step.describe().replace("due", verb, 1)


def _document_reminder(row: DatedRow, step: Step, organisation: Organisation, report) -> None:
    document = Document.objects.select_related("vendor").get(pk=row.object_id)
    services = document.attachments.filter(finding=None).values_list("assessment__service_id", flat=True)
    when = _when(step, "expires")
    lines = [
        f"Vendor: {row.vendor_name}",
        f"Document: {document.get_kind_display()} “{document.original_name}”",
        f"Expires on {row.due:%d %b %Y} ({when}).",
    ]
    if document.period_end:
        lines.append(f"Its period ended on {document.period_end:%d %b %Y}.")
    lines.append(
        "Answers it supports score as stale once it expires, and the service is flagged for reassessment."
        if step.days < 0
        else "Answers it supports now score as stale; ask the vendor for the current one."
    )
    deliveries = notify(
        kind=NotificationKind.EVIDENCE_EXPIRING,
        users=_owners(row.owner, services),
        subject=f"{document.get_kind_display()} {when}: {row.vendor_name}",
        lines=lines,
        action="Open the evidence register",
        url=row.url,
        key=f"evidence:{document.pk}:{row.due.isoformat()}:{step.key}",
        organisation=organisation,
        ref=f"document:{document.pk}",
    )
    for d in deliveries:
        if d.created:
            report.queued.append(f"{row.vendor_name}: reminder to {display_name(d.user)}: {row.title} {when}")


def evidence_remind(*, today: dt.date, schedules: Schedules, report, isolated) -> None:
    """Expire what has passed (once per date), then queue the reminder step due for each document."""
    for organisation in Organisation.objects.order_by("pk"):
        schedule = schedules.get(DeadlineKind.EVIDENCE, organisation)
        until = _horizon(today, schedules, DeadlineKind.EVIDENCE, organisation)
        for row in documents_expiring(organisation=organisation, until=until):
            if row.due < today:
                document = Document.objects.select_related("vendor").get(pk=row.object_id)
                if document.expiry_handled != row.due:

                    def expire(d=document, r=row):
                        if evidence_expire(document=d, by_label=BY):
                            report.expired.append(f"{r.vendor_name}: {r.title} on {r.due:%d %b %Y}")

                    isolated(report, f"expiry of document {row.object_id}", expire)
            step = step_due(row.due, today, schedule)
            if step is not None:
                isolated(
                    report,
                    f"document {row.object_id}",
                    lambda r=row, s=step, o=organisation: _document_reminder(r, s, o, report),
                )


def _retirement_reminder(row: DatedRow, step: Step, organisation: Organisation, report) -> None:
    life = ModelLifecycle.objects.select_related("service__vendor").get(pk=row.object_id)
    when = _when(step, "retires")
    lines = [
        f"Vendor: {row.vendor_name}",
        f"Service: {row.service_name}",
        f"Model: {life.model_version or life.service.model_name or 'not recorded'}",
        f"Retires on {row.due:%d %b %Y} ({when}).",
    ]
    if life.deprecated_on:
        lines.append(f"Deprecated since {life.deprecated_on:%d %b %Y}.")
    if life.replacement:
        lines.append(f"Replacement: {life.replacement}.")
    deliveries = notify(
        kind=NotificationKind.MODEL_RETIRING,
        users=_owners(row.owner, [row.service_id]),
        subject=f"Model {when}: {row.vendor_name} — {row.service_name}",
        lines=lines,
        action="Open the service",
        url=row.url,
        key=f"model:{life.pk}:{row.due.isoformat()}:{step.key}",
        organisation=organisation,
        ref=f"service:{life.service_id}",
    )
    for d in deliveries:
        if d.created:
            report.queued.append(f"{row.vendor_name}: reminder to {display_name(d.user)}: {row.title} {when}")


def model_retirements_remind(*, today: dt.date, schedules: Schedules, report, isolated) -> None:
    for organisation in Organisation.objects.order_by("pk"):
        schedule = schedules.get(DeadlineKind.MODEL_RETIREMENT, organisation)
        until = _horizon(today, schedules, DeadlineKind.MODEL_RETIREMENT, organisation)
        for row in model_retirements(organisation=organisation, until=until):
            step = step_due(row.due, today, schedule)
            if step is not None:
                isolated(
                    report,
                    f"model retirement {row.object_id}",
                    lambda r=row, s=step, o=organisation: _retirement_reminder(r, s, o, report),
                )
