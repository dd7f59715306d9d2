"""The life of a vendor and its services: prospect, active, offboarding, ended.

Offboarding a service is a checklist: data deletion confirmed with the vendor's certificate
(the DAT-11 certificate, stored as a vendor document), access revoked, the vendor's portal
links revoked (through the portal's own revoke service), and the final report archived (the
PDF of the last decided assessment exists). Ending a service needs the checklist complete, or
a reason. An ended service leaves the review schedule, the reminders and the contract
deadlines; its assessments, reports and history stay.

It reads the portal and the reports, so it sits in the top layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from procurement.assessments.models import Assessment
from procurement.core.services import audit_add
from procurement.portal.models import Invitation
from procurement.portal.services import invitation_revoke
from procurement.reports.models import ReportFile
from procurement.reports.services import report_request
from procurement.vendors.contracts import service_change_record
from procurement.vendors.documents import CheckedUpload, document_store
from procurement.vendors.history import EMPTY, person
from procurement.vendors.models import AIService, Lifecycle, Offboarding, Vendor

L = Lifecycle
# Where a service may go from each status (ending is checked against the checklist as well).
SERVICE_MOVES = {
    L.PROSPECT: {L.ACTIVE, L.OFFBOARDING, L.ENDED},
    L.ACTIVE: {L.OFFBOARDING, L.ENDED},
    L.OFFBOARDING: {L.ACTIVE, L.ENDED},
    L.ENDED: set(),
}


def service_moves(service: AIService) -> set[str]:
    """The statuses the service may move to from its own (the page offers only these). Ending
    an active or prospective service directly is allowed, with a reason, for when there is
    nothing to offboard (a vendor that shut down, a trial that never went live)."""
    return {str(status) for status in SERVICE_MOVES[L(service.status)]}


ENDED_IS_FINAL = "The service has ended; its history and reports stay, but its status no longer changes."
CHECKLIST_OPEN = (
    "The offboarding checklist is not complete ({missing}). Complete it, or give the reason for ending the service now."
)
VENDOR_HAS_LIVE_SERVICES = "{names} {verb} not ended yet; end every service of the vendor before ending the vendor."


def _say(status: str) -> str:
    return str(L(status).label).lower()


def _status_change(service: AIService, status: str, *, by, extra: list[dict] | None = None) -> None:
    before = service.status
    service.status = status
    service.ended_at = timezone.now() if status == L.ENDED else None
    service.save(update_fields=["status", "ended_at", "end_reason", "updated_at"])
    fields = [{"field": "Status", "old": str(L(before).label), "new": str(L(status).label)}, *(extra or [])]
    service_change_record(service=service, subject=f"Status of {service.name}", fields=fields, by=by)
    audit_add(
        organisation=service.vendor.organisation,
        by=by,
        note=f"service {service} {_say(before)} → {_say(status)}",
    )


def _check_move(service: AIService, status: str) -> None:
    if status not in L.values:
        raise ValidationError("Choose prospect, active, offboarding or ended.", code="status")
    if service.status == L.ENDED:
        raise ValidationError(ENDED_IS_FINAL, code="ended")
    if status == service.status:
        raise ValidationError(f"The service is already {_say(status)}.", code="same")
    if status not in SERVICE_MOVES[L(service.status)]:
        raise ValidationError(
            f"A service that is {_say(service.status)} cannot become {_say(status)} directly.", code="move"
        )


@transaction.atomic
def service_status_set(*, service: AIService, status: str, by) -> AIService:
    """Move a service to prospect, active or offboarding (starting its checklist). Ending goes
    through ``service_end``."""
    service = AIService.objects.select_for_update().select_related("vendor__organisation").get(pk=service.pk)
    if status == L.ENDED:
        raise ValidationError("End a service with its own button, after the offboarding checklist.", code="end")
    _check_move(service, status)
    if status == L.OFFBOARDING:
        Offboarding.objects.get_or_create(service=service, defaults={"started_by_label": person(by)})
    _status_change(service, status, by=by)
    return service


# --- The checklist ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    done: bool
    detail: str


def live_invitations(service: AIService):
    """The vendor's portal links for the service's assessments that still open."""
    return Invitation.objects.filter(
        assessment__service=service, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("contact", "assessment")


def last_decided(service: AIService) -> Assessment | None:
    return (
        service.assessments.filter(status__in=(Assessment.Status.APPROVED, Assessment.Status.REJECTED))
        .exclude(frozen_hash="")
        .defer("frozen_record")
        .order_by("-decided_at", "-pk")
        .first()
    )


def final_report(assessment: Assessment | None) -> ReportFile | None:
    """The ready PDF of the decided assessment's frozen record (any report format), if any."""
    if assessment is None:
        return None
    return (
        ReportFile.objects.filter(
            assessment=assessment, content_hash=assessment.frozen_hash, status=ReportFile.Status.READY
        )
        .only("id", "assessment_id", "created_at", "format_version", "status")
        .order_by("-format_version", "-pk")
        .first()
    )


def _when(at, by_label: str) -> str:
    return f"{by_label or 'someone'} on {timezone.localtime(at):%d %b %Y}" if at else ""


def offboarding_checklist(service: AIService) -> list[Step]:
    """The four steps with whether each is done and what shows it."""
    off = Offboarding.objects.filter(service=service).select_related("deletion_certificate").first()
    steps = []
    if off and off.deletion_confirmed_at:
        detail = f"Confirmed by {_when(off.deletion_confirmed_at, off.deletion_confirmed_by_label)}; certificate: " + (
            off.deletion_certificate.original_name
        )
        steps.append(Step("deletion", "Data deletion confirmed, with the deletion certificate (DAT-11)", True, detail))
    else:
        steps.append(
            Step(
                "deletion",
                "Data deletion confirmed, with the deletion certificate (DAT-11)",
                False,
                "Attach the vendor's certificate that our data, backups included, is deleted.",
            )
        )
    if off and off.access_revoked_at:
        note = f": {off.access_note}" if off.access_note else ""
        steps.append(
            Step(
                "access",
                "Access revoked",
                True,
                f"By {_when(off.access_revoked_at, off.access_revoked_by_label)}{note}",
            )
        )
    else:
        steps.append(Step("access", "Access revoked", False, "Accounts, API keys, SSO apps and network rules removed."))
    live = live_invitations(service).count()
    if live:
        steps.append(
            Step("links", "Vendor links revoked", False, f"{live} portal link{'s' if live != 1 else ''} still open.")
        )
    else:
        detail = (
            f"Revoked by {_when(off.links_revoked_at, off.links_revoked_by_label)}"
            if off and off.links_revoked_at
            else "No portal link is open."
        )
        steps.append(Step("links", "Vendor links revoked", True, detail))
    decided = last_decided(service)
    report = final_report(decided)
    if decided is None:
        steps.append(
            Step("report", "Final report archived", True, "No decided assessment: there is no report to keep.")
        )
    elif report is not None:
        steps.append(
            Step(
                "report",
                "Final report archived",
                True,
                f"The PDF of A-{decided.pk} is kept ({report.created_at:%d %b %Y}).",
            )
        )
    else:
        steps.append(
            Step(
                "report",
                "Final report archived",
                False,
                f"The PDF of A-{decided.pk}, the last decided assessment, is not rendered yet.",
            )
        )
    return steps


def _offboarding(service: AIService) -> Offboarding:
    """The service's checklist, locked; refused unless the service (as stored now) is offboarding."""
    service.status = AIService.objects.select_for_update().values_list("status", flat=True).get(pk=service.pk)
    if service.status != L.OFFBOARDING:
        raise ValidationError("Start offboarding the service first.", code="not_offboarding")
    return Offboarding.objects.select_for_update().get_or_create(service=service)[0]


@transaction.atomic
def offboarding_deletion_confirm(*, service: AIService, checked: CheckedUpload, by) -> Offboarding:
    """Store the deletion certificate as the vendor's document and tick the step."""
    off = _offboarding(service)
    document, _ = document_store(vendor=service.vendor, checked=checked, by=by)
    off.deletion_certificate = document
    off.deletion_confirmed_at = timezone.now()
    off.deletion_confirmed_by_label = person(by)
    off.save()
    service_change_record(
        service=service,
        subject="Offboarding: data deletion confirmed",
        fields=[{"field": "Deletion certificate", "old": EMPTY, "new": document.original_name}],
        by=by,
    )
    return off


@transaction.atomic
def offboarding_access_confirm(*, service: AIService, note: str, by) -> Offboarding:
    off = _offboarding(service)
    off.access_revoked_at = timezone.now()
    off.access_revoked_by_label = person(by)
    off.access_note = note.strip()[:500]
    off.save()
    service_change_record(
        service=service,
        subject="Offboarding: access revoked",
        fields=[{"field": "What was revoked", "old": EMPTY, "new": off.access_note or "(not described)"}],
        by=by,
    )
    return off


@transaction.atomic
def offboarding_links_revoke(*, service: AIService, by) -> int:
    """Revoke every open portal link of the service's assessments (each on its assessment's
    timeline, by the portal's own service). Returns how many were revoked."""
    off = _offboarding(service)
    links = list(live_invitations(service).select_for_update(of=("self",)))
    for invitation in links:
        invitation_revoke(invitation=invitation, by=by)
    off.links_revoked_at = timezone.now()
    off.links_revoked_by_label = person(by)
    off.save()
    service_change_record(
        service=service,
        subject="Offboarding: vendor links revoked",
        fields=[{"field": "Links revoked", "old": EMPTY, "new": str(len(links))}],
        by=by,
    )
    return len(links)


def offboarding_report_archive(*, service: AIService) -> ReportFile | None:
    """Ask for the PDF of the last decided assessment (rendered by the worker); None when
    there is no decided assessment."""
    decided = last_decided(service)
    return None if decided is None else report_request(assessment=decided)


@transaction.atomic
def service_end(*, service: AIService, by, reason: str = "") -> AIService:
    """End a service: the checklist complete, or a reason given. It leaves the review schedule,
    the reminders and the contract deadlines; its assessments, reports and history stay."""
    service = AIService.objects.select_for_update().select_related("vendor__organisation").get(pk=service.pk)
    _check_move(service, L.ENDED)
    reason = reason.strip()
    missing = [s.label.split(",")[0].lower() for s in offboarding_checklist(service) if not s.done]
    if missing and not reason:
        raise ValidationError({"reason": CHECKLIST_OPEN.format(missing="; ".join(missing))})
    service.end_reason = reason[:4000]
    # Whatever the checklist says, no vendor link outlives the service.
    for invitation in live_invitations(service).select_for_update(of=("self",)):
        invitation_revoke(invitation=invitation, by=by)
    extra = [{"field": "Reason", "old": EMPTY, "new": reason}] if reason else []
    if missing:
        extra.append({"field": "Checklist steps not done", "old": EMPTY, "new": "; ".join(missing)})
    _status_change(service, L.ENDED, by=by, extra=extra)
    return service


# --- Vendors ----------------------------------------------------------------------------------


@transaction.atomic
def vendor_status_set(*, vendor: Vendor, status: str, by) -> Vendor:
    """A vendor's own status. It ends only once every service of it has ended."""
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    if status not in L.values:
        raise ValidationError("Choose prospect, active, offboarding or ended.", code="status")
    if status == vendor.status:
        return vendor
    if status == L.ENDED:
        live = list(vendor.services.exclude(status=L.ENDED).values_list("name", flat=True)[:4])
        if live:
            names = ", ".join(live)
            raise ValidationError(
                VENDOR_HAS_LIVE_SERVICES.format(names=names, verb="is" if len(live) == 1 else "are"), code="live"
            )
    before = vendor.status
    vendor.status = status
    vendor.save(update_fields=["status", "updated_at"])
    audit_add(organisation=vendor.organisation, by=by, note=f"vendor {vendor.name} {_say(before)} → {_say(status)}")
    return vendor
