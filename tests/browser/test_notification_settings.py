"""Debian's Chromium: a reviewer opens their settings from the top bar and chooses notifications per kind."""

import pytest
from playwright.sync_api import expect

from procurement.core.models import Membership
from procurement.core.notifications import preference_modes
from procurement.core.services import membership_set
from tests.browser.test_assessment_flow import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_chooses_a_daily_summary_and_never(page, live_server, org, django_user_model, artifacts_dir):
    rita = django_user_model.objects.create_user(
        "rita", password=PASSWORD, first_name="Rita", last_name="Reviewer", email="rita@acme.example"
    )
    membership_set(user=rita, organisation=org, role=Membership.Role.REVIEWER)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "rita")
    page.click("nav >> text=Your settings")
    expect(page.locator("h1")).to_have_text("Notifications")
    page.check("input[aria-label='The vendor asked a question: In a daily summary']")
    page.check("input[aria-label='A review is coming due or overdue: Never']")
    page.click("text=Save")
    expect(page.locator(".alert-success")).to_contain_text("Notification settings saved.")
    page.screenshot(path=str(artifacts_dir / "notification-settings.png"), full_page=True)
    modes = preference_modes(rita)
    assert modes["vendor_question"] == "digest" and modes["review_due"] == "off"
    assert modes["vendor_submitted"] == "immediate"
