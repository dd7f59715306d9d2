"""Debian's Chromium: an analyst opens the demo portfolio, runs the leased-capacity scenario
and sees the affected services; the service page draws the chain."""

from pathlib import Path

import pytest

from procurement.core.services import DEMO_PASSWORD
from procurement.vendors.models import AIService

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_portfolio_scenario_lists_the_services_on_the_leased_capacity(
    seed_demo, page, csp_errors, live_server, artifacts_dir
):
    seed_demo()
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Log out")

    page.click("nav >> text=Portfolio")
    page.wait_for_selector("text=Concentration of inference compute")
    assert page.locator("#providers tr:has-text('Frontier Lab') .badge:has-text('shared')").count() == 1
    page.screenshot(path=str(artifacts_dir / "portfolio-1.png"), full_page=True)

    page.select_option("#scenario-provider", label="Rival AI data centre (Ohio)")
    page.fill("#scenario-notice", "90")
    page.click("text=Run scenario")
    result = page.locator("#scenario-result")
    result.wait_for()
    text = result.inner_text()
    assert "reclaims its capacity on 90 days' notice" in text
    for name in ("Frontier API", "ClaimsBot SaaS", "Helpdesk Copilot"):
        assert name in text
    assert "Managed model" not in text
    assert result.locator("tr.table-danger:has-text('Frontier API') >> text=180 days short").count() == 1
    result.screenshot(path=str(artifacts_dir / "portfolio-2-scenario.png"))
    with page.expect_download() as download:
        result.locator("text=CSV").click()
    assert "Frontier API" in Path(download.value.path()).read_text(encoding="utf-8")

    service = AIService.objects.get(name="Frontier API")
    page.goto(f"{live_server.url}{service.get_absolute_url()}")
    assert page.locator("svg.chain-diagram >> text=Rival AI data centre (Ohio)").count() == 1
    page.screenshot(path=str(artifacts_dir / "portfolio-3-service.png"), full_page=True)
    assert csp_errors == []
