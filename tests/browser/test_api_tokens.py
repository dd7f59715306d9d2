"""Debian's Chromium: an analyst makes an API token from Your settings, copies it, uses it, revokes it."""

import pytest
from playwright.sync_api import expect

from procurement.core.models import Membership
from procurement.core.services import membership_set
from tests.browser.test_assessment_flow import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_makes_a_token_sees_it_once_and_revokes_it(page, live_server, org, django_user_model, artifacts_dir):
    ana = django_user_model.objects.create_user("ana", password=PASSWORD, first_name="Ana", last_name="Analyst")
    membership_set(user=ana, organisation=org, role=Membership.Role.ANALYST)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "ana")
    page.goto(f"{live_server.url}/accounts/notifications/")
    page.click("nav[aria-label='Your settings'] >> text=API tokens")
    expect(page.locator("h1")).to_have_text("API tokens")
    page.fill("input[name=name]", "Nightly sync")
    page.select_option("select[name=scope]", "write")
    page.fill("input[name=days]", "90")
    page.click("text=Make token")
    secret = page.locator("#new-token").inner_text().strip()
    assert secret.startswith("pat_")
    page.screenshot(path=str(artifacts_dir / "api-tokens.png"), full_page=True)

    used = page.request.get(f"{live_server.url}/api/v1/vendors", headers={"Authorization": f"Bearer {secret}"})
    assert used.status == 200 and used.json()["count"] == 0

    page.goto(f"{live_server.url}/accounts/tokens/")
    expect(page.locator("#new-token")).to_have_count(0)
    page.click("button[aria-label='Revoke Nightly sync']")
    expect(page.locator(".alert-success")).to_contain_text("Token revoked")
    refused = page.request.get(f"{live_server.url}/api/v1/vendors", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status == 401
