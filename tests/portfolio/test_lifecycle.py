"""Vendor and service lifecycle: prospect, active, offboarding, ended. The offboarding
checklist (deletion certificate, access, the vendor's links really revoked, the final report
kept), ending only when it is complete or with a reason, and ended services leaving the review
schedule, the reminders and the contract deadlines while keeping their history and reports."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from procurement.assessments.models import Assessment
from procurement.portal import services as portal_services
from procurement.portal.models import Invitation
from procurement.portfolio import lifecycle
from procurement.portfolio.selectors import review_schedule
from procurement.reports.models import ReportFile
from procurement.vendors.documents import upload_check
from procurement.vendors.models import AIService, Lifecycle, Offboarding, ServiceChange, Vendor, VendorContact
from tests.documents import pdf

pytestmark = pytest.mark.django_db


def certificate(name="deletion-certificate.pdf"):
    return upload_check(SimpleUploadedFile(name, pdf()))


def approved(assessment, *, on=dt.date(2026, 1, 10)):
    Assessment.objects.filter(pk=assessment.pk).update(
        status="approved",
        decided_at=timezone.make_aware(dt.datetime.combine(on, dt.time(12))),
        frozen_record={"score": {"tier": 2}},
        frozen_hash="f" * 64,
    )
    assessment.refresh_from_db()
    return assessment


def test_existing_and_new_rows_start_active_and_moves_are_checked(service, personas):
    assert service.status == Lifecycle.ACTIVE and service.vendor.status == Lifecycle.ACTIVE
    lifecycle.service_status_set(service=service, status="offboarding", by=personas["analyst"])
    service.refresh_from_db()
    assert service.status == "offboarding" and Offboarding.objects.filter(service=service).exists()
    with pytest.raises(ValidationError, match="already offboarding"):
        lifecycle.service_status_set(service=service, status="offboarding", by=None)
    with pytest.raises(ValidationError, match="its own button"):
        lifecycle.service_status_set(service=service, status="ended", by=None)
    lifecycle.service_status_set(service=service, status="active", by=personas["analyst"])
    with pytest.raises(ValidationError, match="cannot become prospect"):
        lifecycle.service_status_set(service=service, status="prospect", by=None)
    (first, second) = ServiceChange.objects.filter(service=service).order_by("at", "pk")
    assert first.fields == [{"field": "Status", "old": "Active", "new": "Offboarding"}]
    assert second.fields[0]["new"] == "Active" and second.by_label == "analyst"


def test_ending_needs_the_checklist_or_a_reason(service, personas):
    lifecycle.service_status_set(service=service, status="offboarding", by=None)
    with pytest.raises(ValidationError) as caught:
        lifecycle.service_end(service=service, by=personas["analyst"])
    assert "The offboarding checklist is not complete (data deletion confirmed; access revoked)" in str(caught.value)
    service.refresh_from_db()
    assert service.status == "offboarding"
    lifecycle.service_end(service=service, by=personas["admin"], reason="Vendor went out of business")
    service.refresh_from_db()
    assert service.status == "ended" and service.ended_at and service.end_reason == "Vendor went out of business"
    ended = ServiceChange.objects.filter(service=service).first()
    assert {"field": "Checklist steps not done", "old": "—", "new": "data deletion confirmed; access revoked"} in (
        ended.fields
    )
    with pytest.raises(ValidationError, match="has ended"):
        lifecycle.service_status_set(service=service, status="active", by=None)


def test_the_checklist_revokes_the_vendors_links_and_keeps_the_final_report(service, assessment, personas):
    contact = VendorContact.objects.create(vendor=service.vendor, name="Vera", email="vera@frontier.example")
    (invitation,) = portal_services.invite(
        assessment=assessment, contacts=[contact], by=personas["analyst"], base_url=""
    )
    decided = approved(assessment)
    lifecycle.service_status_set(service=service, status="offboarding", by=None)
    steps = {s.key: s for s in lifecycle.offboarding_checklist(service)}
    assert not any(s.done for s in steps.values())
    assert steps["links"].detail == "1 portal link still open."
    assert f"A-{decided.pk}" in steps["report"].detail

    lifecycle.offboarding_deletion_confirm(service=service, checked=certificate(), by=personas["analyst"])
    lifecycle.offboarding_access_confirm(service=service, note="API keys and SSO app removed", by=personas["analyst"])
    assert lifecycle.offboarding_links_revoke(service=service, by=personas["analyst"]) == 1
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None and invitation.revoked_by == personas["analyst"]
    assert assessment.timeline.filter(kind="vendor link revoked").exists()
    assert Invitation.objects.get(pk=invitation.pk).is_revoked
    assert not lifecycle.live_invitations(service).exists()

    report = ReportFile(assessment=decided, content_hash=decided.frozen_hash, record={}, status="ready", pages=1)
    report.file.save("final.pdf", ContentFile(b"%PDF-1.7 x"), save=False)
    report.save()
    steps = lifecycle.offboarding_checklist(service)
    assert all(s.done for s in steps), [s for s in steps if not s.done]
    off = Offboarding.objects.get(service=service)
    assert off.deletion_certificate.vendor == service.vendor and off.access_note == "API keys and SSO app removed"
    lifecycle.service_end(service=service, by=personas["analyst"])
    service.refresh_from_db()
    assert service.status == "ended" and service.end_reason == ""


def test_ending_with_a_reason_revokes_open_links_and_the_vendor_can_no_longer_answer_or_be_invited(
    service, assessment, personas
):
    """The links step may be skipped with a reason, but no vendor link outlives the service."""
    contact = VendorContact.objects.create(vendor=service.vendor, name="Vera", email="vera@frontier.example")
    (invitation,) = portal_services.invite(
        assessment=assessment, contacts=[contact], by=personas["analyst"], base_url=""
    )
    assert portal_services.vendor_can_edit(invitation)
    lifecycle.service_status_set(service=service, status="offboarding", by=None)

    lifecycle.service_end(service=service, by=personas["admin"], reason="Terminated for convenience")

    invitation.refresh_from_db()
    assert invitation.is_revoked and not portal_services.vendor_can_edit(invitation)
    with pytest.raises(ValidationError, match="has ended"):
        portal_services.invite(assessment=assessment, contacts=[contact], by=personas["analyst"], base_url="")


def test_a_service_never_decided_has_no_report_to_keep(service):
    step = next(s for s in lifecycle.offboarding_checklist(service) if s.key == "report")
    assert step.done and "no report to keep" in step.detail
    assert lifecycle.offboarding_report_archive(service=service) is None


def test_checklist_steps_need_offboarding_to_have_started(service, personas):
    with pytest.raises(ValidationError, match="Start offboarding"):
        lifecycle.offboarding_access_confirm(service=service, note="", by=personas["analyst"])


def test_an_ended_service_leaves_the_review_schedule_but_keeps_its_assessments(org, service, assessment, personas):
    approved(assessment)
    today = dt.date(2027, 6, 1)
    assert [r["assessment"] for r in review_schedule(org, today=today)] == [assessment]
    lifecycle.service_end(service=service, by=personas["admin"], reason="Replaced by an in-house model")
    assert review_schedule(org, today=today) == []
    assert Assessment.objects.filter(service=service).count() == 1


def test_a_vendor_ends_only_once_every_service_has(service, personas):
    vendor = service.vendor
    with pytest.raises(ValidationError, match="Frontier API is not ended yet"):
        lifecycle.vendor_status_set(vendor=vendor, status="ended", by=None)
    lifecycle.service_end(service=service, by=None, reason="Pilot stopped")
    lifecycle.vendor_status_set(vendor=vendor, status="ended", by=personas["admin"])
    assert Vendor.objects.get(pk=vendor.pk).status == "ended"


# --- Pages -------------------------------------------------------------------------------------


def test_lists_show_and_filter_by_status(login, personas, org, service):
    Vendor.objects.create(organisation=org, name="Prospective Labs", status="prospect")
    AIService.objects.create(vendor=service.vendor, name="Old API", status="ended", ended_at=timezone.now())
    client = login(personas["viewer"])
    page = client.get(reverse("vendors:list")).content.decode()
    assert "Prospective Labs" in page and "Frontier Lab" in page and "Prospect" in page
    page = client.get(reverse("vendors:list"), {"status": "prospect"}).content.decode()
    assert "Prospective Labs" in page and "Frontier Lab" not in page
    detail = reverse("vendors:detail", args=[service.vendor_id])
    page = client.get(detail, {"status": "ended"}).content.decode()
    assert "Old API" in page and "Frontier API" not in page
    assert "Frontier API" in client.get(detail, {"status": "nonsense"}).content.decode()


def test_offboarding_from_the_service_page(login, personas, service):
    client = login(personas["analyst"])
    base = [service.vendor_id, service.pk]
    client.post(reverse("vendors:service_status", args=base), {"status": "offboarding"})
    page = client.get(reverse("vendors:service", args=base)).content.decode()
    assert "Offboarding checklist" in page and "Revoke the vendor" not in page  # no link open: step done
    refused = client.post(reverse("vendors:offboarding_step", args=[*base, "deletion"]), {})
    assert refused.status_code == 400 and "Attach the deletion certificate" in refused.content.decode()
    bad = SimpleUploadedFile("cert.html", b"<html><script>alert(1)</script></html>")
    refused = client.post(reverse("vendors:offboarding_step", args=[*base, "deletion"]), {"file": bad})
    assert refused.status_code == 400 and "Only PDF" in refused.content.decode()
    ok = client.post(
        reverse("vendors:offboarding_step", args=[*base, "deletion"]),
        {"file": SimpleUploadedFile("certificate.pdf", pdf())},
    )
    assert ok.status_code == 302
    client.post(reverse("vendors:offboarding_step", args=[*base, "access"]), {"note": "Keys rotated"})
    download = client.get(reverse("vendors:offboarding_certificate", args=base))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    ended = client.post(reverse("vendors:service_end", args=base), {})
    assert ended.status_code == 302
    page = client.get(reverse("vendors:service", args=base)).content.decode()
    assert "Ended on" in page and "Contract and status history" in page


def test_ending_without_the_checklist_shows_the_reason_field_with_a_message(login, personas, service):
    base = [service.vendor_id, service.pk]
    response = login(personas["analyst"]).post(reverse("vendors:service_end", args=base), {"reason": "  "})
    assert response.status_code == 400
    assert "The offboarding checklist is not complete" in response.content.decode()
    service.refresh_from_db()
    assert service.status == "active"
    assert 'id="end-now" open' in response.content.decode()  # the refused form opens with its message


@pytest.mark.parametrize(
    "status, offered, not_offered",
    [
        ("prospect", ["Mark as active", "Start offboarding", "End it now, without offboarding"], ["Stop offboarding"]),
        ("active", ["Start offboarding", "End it now, without offboarding"], ["Mark as active", "Stop offboarding"]),
        ("offboarding", ["Stop offboarding", "End the service"], ["Start offboarding", "End it now"]),
        ("ended", [], ["Mark as active", "Start offboarding", "Stop offboarding", "End the service"]),
    ],
)
def test_the_page_offers_only_the_moves_the_lifecycle_allows_from_the_status(
    login, personas, service, status, offered, not_offered
):
    """An active service can be ended directly (nothing to offboard: the vendor shut down), but
    only behind "End it now, without offboarding" with a reason; offboarding is the button."""
    service.status = status
    service.ended_at = timezone.now() if status == "ended" else None
    service.save()
    page = login(personas["analyst"]).get(reverse("vendors:service", args=[service.vendor_id, service.pk]))
    card = " ".join(page.content.decode().split('id="lifecycle"')[1].split("</section>")[0].split())
    assert all(words in card for words in offered), offered
    assert not any(words in card for words in not_offered), not_offered
