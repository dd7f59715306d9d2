"""Debian's Chromium: an analyst types 250k as a service's annual spend and sees 250,000; a typo
gets a message naming it and keeps what was typed; the portfolio shows spend converted to EUR and
the admin's rates page."""

import pytest

from procurement.assessments.models import Assessment
from procurement.core.services import DEMO_PASSWORD
from procurement.vendors.models import AIService

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Log out")


def test_typing_250k_as_annual_spend_shows_250000(seed_demo, page, csp_errors, live_server, artifacts_dir):
    seed_demo()
    page.set_viewport_size({"width": 1400, "height": 1000})
    _login(page, live_server, "analyst")
    service = AIService.objects.get(name="Managed model (eu-west, provisioned)")
    edit = f"{live_server.url}/vendors/{service.vendor_id}/services/{service.pk}/edit/"
    page.goto(edit)
    spend = page.locator("#id_annual_spend")
    assert spend.get_attribute("type") == "text"
    spend.fill("25O k")  # a letter O for a zero
    page.click("button:has-text('Save')")
    page.wait_for_selector(".invalid-feedback")
    assert "“25O k” is not an amount we can read" in page.locator(".invalid-feedback").inner_text()
    assert page.locator("#id_annual_spend").input_value() == "25O k"
    page.screenshot(path=str(artifacts_dir / "money-1-form-refusal.png"), full_page=True)

    page.fill("#id_annual_spend", "250k")
    page.select_option("#id_currency", "EUR")
    page.click("button:has-text('Save')")
    page.wait_for_selector("#service-spend")
    assert page.locator("#service-spend").inner_text() == "EUR 250,000"
    page.screenshot(path=str(artifacts_dir / "money-2-service.png"), full_page=True)
    service.refresh_from_db()
    assert str(service.annual_spend) == "250000.00"
    page.goto(edit)
    assert page.locator("#id_annual_spend").input_value() == "250,000"

    page.click("nav >> text=Portfolio")
    page.wait_for_selector("#spend-basis")
    assert "converted with the" in page.locator("#spend-basis").inner_text()
    # Frontier API spends USD 2,400,000: at the demo's 0.92, EUR 2,208,000 on its serving providers.
    assert page.locator("#providers >> text=EUR").count() > 0
    page.screenshot(path=str(artifacts_dir / "money-3-portfolio.png"), full_page=True)

    # The draft's intake: INT-08 came from the service record (USD 2,400,000 at 0.92 is EUR 1M to 5M).
    draft = Assessment.objects.get(status=Assessment.Status.DRAFT)
    page.goto(f"{live_server.url}/assessments/{draft.pk}/sections/INT/")
    page.wait_for_selector("#source-INT-08")
    assert page.locator("#q-INT-08 input[value='1m_5m']").is_checked()
    page.locator("#q-INT-08").screenshot(path=str(artifacts_dir / "money-5-int08.png"))
    assert csp_errors == []


def test_the_admin_sets_a_rate_on_the_rates_page(seed_demo, page, live_server, artifacts_dir):
    seed_demo()
    page.set_viewport_size({"width": 1300, "height": 900})
    _login(page, live_server, "admin")
    page.click("nav >> text=Organisation")
    page.click("text=Currency rates")
    page.wait_for_selector("#rates")
    page.select_option("#id_currency", "CHF")
    page.fill("#id_rate", "1.07")
    page.click("button:has-text('Save rate')")
    page.wait_for_selector("#rates >> text=CHF")
    assert "1.07 EUR" in page.locator("#rates tr:has-text('CHF')").inner_text()
    page.screenshot(path=str(artifacts_dir / "money-4-rates.png"), full_page=True)
