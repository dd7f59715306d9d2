"""Debian's Chromium: an analyst picks a required geography and a link's regions from the taxonomy
(filter box, Enter picks the first match, chips to remove) and sees no false "outside"."""

import re

import pytest

from procurement.core.services import DEMO_PASSWORD
from procurement.vendors.models import AIService, Provider, SupplyLink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pick(page, field: str, text: str, chip: str) -> None:
    page.fill(f"[data-geo-filter={field}]", text)
    page.press(f"[data-geo-filter={field}]", "Enter")
    page.locator(f"[data-geo-chips={field}] >> text={chip}").wait_for()


def test_regions_picked_from_the_taxonomy_inside_the_eu_are_not_outside(
    seed_demo, page, csp_errors, live_server, artifacts_dir
):
    seed_demo()
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Log out")

    service = AIService.objects.get(name="Managed model (eu-west, provisioned)")
    page.goto(f"{live_server.url}{service.get_absolute_url()}")
    page.click("a:has-text('Edit')")
    page.locator("[data-geo-chips=id_required_regions] >> text=EU").wait_for()  # stored "eu", shown by name
    _pick(page, "id_required_regions", "netherl", "Netherlands")
    page.fill("[data-geo-filter=id_required_regions]", "adequacy")
    page.screenshot(path=str(artifacts_dir / "geo-1-required-geography.png"), full_page=True)
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Required geography: EU, Netherlands")
    service.refresh_from_db()
    assert service.required_regions == "eu,nl"

    page.select_option("#id_source", label="Model Co (deeper tier)")
    page.select_option("#id_provider", label="Hyperscale Cloud eu-west")
    page.select_option("#id_role", value="inference_compute")
    page.fill("#id_share", "50")
    # Known facts about the provider, so only the regions could make the row red.
    page.select_option("#id_arrangement", value="owned")
    page.select_option("#id_competitor", value="false")
    _pick(page, "id_regions", "eu-west-1", "AWS eu-west-1 (Ireland)")
    _pick(page, "id_regions", "germany", "Germany")
    _pick(page, "id_regions", "westeurope", "Azure westeurope (Netherlands)")
    # A chip's button removes the place again; then Germany is picked once more.
    page.click("[data-geo-chips=id_regions] button[aria-label='Remove Germany']")
    assert page.locator("[data-geo-chips=id_regions] >> text=Germany").count() == 0
    _pick(page, "id_regions", "germany", "Germany")
    page.locator("#link-form").screenshot(path=str(artifacts_dir / "geo-2-link-regions.png"))
    page.click("button:has-text('Add link')")
    regions = page.locator("#chain-regions")
    regions.wait_for()
    text = regions.inner_text()
    assert "AWS eu-west-1 (Ireland)" in text and "Germany" in text and "Azure westeurope (Netherlands)" in text
    assert "outside" not in text and "unknown location" not in text
    link = SupplyLink.objects.get(from_provider__name="Model Co")
    assert link.regions == "de,aws:eu-west-1,azure:westeurope"
    assert page.locator("tr.table-danger").count() == 0
    page.screenshot(path=str(artifacts_dir / "geo-3-service.png"), full_page=True)

    page.click("nav >> text=Portfolio")
    page.wait_for_selector("#regions")
    # The row whose place is the EU group (other rows may name services with "eu" in them).
    eu_row = page.locator("#regions tbody tr").filter(has=page.locator("td:first-child", has_text=re.compile(r"^EU\b")))
    assert "AWS eu-west-1 (Ireland)" in eu_row.inner_text() and "Germany" in eu_row.inner_text()
    assert page.locator("#regions td:text-is('Germany')").count() == 0
    page.locator("#regions").screenshot(path=str(artifacts_dir / "geo-4-portfolio-regions.png"))

    provider = Provider.objects.get(name="Model Co")
    page.goto(f"{live_server.url}{provider.get_absolute_url()}")
    page.wait_for_selector("text=Country: France")  # stored "fr"
    page.fill("[data-geo-filter=id_country]", "luxem")
    page.press("[data-geo-filter=id_country]", "Enter")
    assert page.input_value("#id_country") == "lu"
    page.screenshot(path=str(artifacts_dir / "geo-5-provider-country.png"), full_page=True)
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Country: Luxembourg")
    provider.refresh_from_db()
    assert provider.country == "lu"
    assert csp_errors == []
