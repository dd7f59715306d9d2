"""Debian's Chromium: the owner of an overdue condition finds it on top of the Calendar, filters
the page, makes a calendar feed address from Your settings, subscribes (the feed parses with
icalendar), and revokes it."""

import datetime as dt

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from procurement.assessments import services
from procurement.assessments.models import Assessment
from procurement.core.models import Membership
from procurement.core.services import membership_set
from procurement.vendors.models import AIService, Vendor
from tests.browser.test_assessment_flow import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_calendar_shows_overdue_first_and_the_feed_follows_the_settings(
    page, live_server, org, shipped_version, django_user_model, artifacts_dir
):
    ana = django_user_model.objects.create_user("ana", password=PASSWORD, first_name="Ana", last_name="Analyst")
    membership_set(user=ana, organisation=org, role=Membership.Role.ANALYST)
    today = timezone.localdate()
    vendor = Vendor.objects.create(organisation=org, name="Frontier Lab")
    approved = services.assessment_create(
        service=AIService.objects.create(vendor=vendor, name="Frontier API"), bank=shipped_version.bank, by=ana
    )
    Assessment.objects.filter(pk=approved.pk).update(
        status="approved",
        frozen_record={"score": {"tier": 2}},
        frozen_hash="x",
        decided_at=timezone.now(),
        review_due=today + dt.timedelta(days=40),
    )
    for days, text in ((-4, "Sign the DPA with the 30-day deletion clause"), (9, "Add the upstream provider list")):
        services.finding_add(
            assessment=approved,
            kind="condition",
            text=text,
            owner_user=ana,
            due_date=today + dt.timedelta(days=days),
            by=ana,
        )
    other = Vendor.objects.create(organisation=org, name="Claims Helper")
    open_one = services.assessment_create(
        service=AIService.objects.create(vendor=other, name="ClaimsBot"), bank=shipped_version.bank, by=ana
    )
    Assessment.objects.filter(pk=open_one.pk).update(due_date=today + dt.timedelta(days=12))

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "ana")
    page.click("nav.navbar >> text=Calendar")
    expect(page.locator("h1")).to_have_text("Calendar")
    groups = page.locator("#calendar section h2")
    expect(groups.first).to_contain_text("Overdue")
    expect(page.locator("#calendar tbody tr").first).to_contain_text("Sign the DPA")
    expect(page.locator("#calendar")).to_contain_text("Review of Frontier Lab — Frontier API")
    page.screenshot(path=str(artifacts_dir / "calendar.png"), full_page=True)

    page.select_option("#id_vendor", label="Claims Helper")
    page.select_option("#id_by", "week")
    page.click("#filters button[type=submit]")
    expect(page.locator("#calendar tbody tr")).to_have_count(1)
    expect(page.locator("#calendar")).to_contain_text("Assessment due")
    page.screenshot(path=str(artifacts_dir / "calendar-filtered.png"), full_page=True)

    page.click("text=Add these dates to your own calendar")
    expect(page.locator("h1")).to_have_text("Calendar feed")
    expect(page.locator("nav[aria-label='Your settings'] .active")).to_have_text("Calendar feed")
    page.check("text=Only what I own")
    page.click("text=Make address")
    address = page.locator("#feed-address").inner_text().strip()
    assert "/portfolio/calendar/feed/cal_" in address
    page.screenshot(path=str(artifacts_dir / "calendar-feed-settings.png"), full_page=True)

    fetched = page.request.get(address)
    assert fetched.status == 200
    events = icalendar.Calendar.from_ical(fetched.body()).walk("VEVENT")
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert "Condition due: Sign the DPA with the 30-day deletion clause" in summaries
    assert "Review due: Review of Frontier Lab — Frontier API" in summaries and len(summaries) == 4

    page.goto(f"{live_server.url}/accounts/calendar-feed/")
    expect(page.locator("#feed-address")).to_have_count(0)
    expect(page.locator("#feed-live")).to_contain_text("What it shows: Only what I own")
    page.click("text=Revoke this address")
    expect(page.locator(".alert-success")).to_contain_text("revoked")
    page.screenshot(path=str(artifacts_dir / "calendar-feed-revoked.png"), full_page=True)
    assert page.request.get(address).status == 404
