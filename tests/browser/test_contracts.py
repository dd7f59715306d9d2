"""Debian's Chromium: an analyst records a service's contract (a renewal notice longer than the
term is refused, naming the field, with what was typed kept), attaches the MSA, sees the contract
and its notice date on the service page, then starts offboarding and works the checklist."""

import pytest

from procurement.core.services import DEMO_PASSWORD
from procurement.vendors.models import AIService, Contract
from tests.documents import pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Log out")


def test_contract_and_offboarding(seed_demo, page, live_server, artifacts_dir, tmp_path):
    seed_demo()
    page.set_viewport_size({"width": 1400, "height": 1000})
    _login(page, live_server, "analyst")
    service = AIService.objects.get(name="Managed model (eu-west, provisioned)")
    service_url = f"{live_server.url}/vendors/{service.vendor_id}/services/{service.pk}/"
    page.goto(service_url)
    page.click("text=Record the contract")
    page.wait_for_selector("#contract-form")
    page.fill("#id_reference", "MSA-2026-014")
    page.fill("#id_start_date", "2026-01-01")
    page.fill("#id_end_date", "2027-01-01")
    page.check("#id_auto_renews")
    page.fill("#id_renewal_notice_days", "400")
    page.fill("#id_vendor_termination_notice_days", "30")
    page.fill("#id_buyer_termination_notice_days", "60")
    page.fill("#id_pass_through_notice_days", "30")
    page.fill("#id_spend_amount", "20k")
    page.select_option("#id_spend_period", "month")
    page.click("button:has-text('Save the contract')")
    page.wait_for_selector(".invalid-feedback")
    assert "longer than the contract's term" in page.locator("#contract-form").inner_text()
    assert page.locator("#id_reference").input_value() == "MSA-2026-014"
    page.screenshot(path=str(artifacts_dir / "contract-1-form-refusal.png"), full_page=True)
    assert not Contract.objects.filter(service=service).exists()

    page.fill("#id_renewal_notice_days", "60")
    page.click("button:has-text('Save the contract')")
    page.wait_for_selector("#contract-documents")
    assert "30 days" in page.locator("#contract-vendor-notice").inner_text()
    assert "EUR 20,000 per month" in page.locator("#contract-spend").inner_text()
    msa = tmp_path / "msa.pdf"
    msa.write_bytes(pdf())
    page.set_input_files("#contract-file", str(msa))
    page.click("#contract-document-form button")
    page.wait_for_selector("#contract-documents >> text=msa.pdf")
    page.screenshot(path=str(artifacts_dir / "contract-2-service-page.png"), full_page=True)

    page.click("button:has-text('Start offboarding')")
    page.wait_for_selector("#offboarding-checklist")
    cert = tmp_path / "deletion-certificate.pdf"
    cert.write_bytes(pdf() + b"\n% deletion certificate\n")  # other bytes than the MSA: its own document
    page.set_input_files("#certificate-file", str(cert))
    page.click("button:has-text('Confirm deletion')")
    page.wait_for_selector("#offboarding-checklist >> text=deletion-certificate.pdf")
    page.fill("#access-note", "API keys revoked, SSO app removed")
    page.click("button:has-text('Access revoked')")
    page.wait_for_selector("#offboarding-checklist >> text=API keys revoked")
    page.locator("#lifecycle").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "contract-3-offboarding.png"), full_page=True)
    done = page.locator("#offboarding-checklist .badge.text-bg-success").count()
    assert done >= 2

    page.goto(f"{live_server.url}/vendors/{service.vendor_id}/?status=offboarding")
    page.wait_for_selector("#service-table")
    assert "Offboarding" in page.locator("#service-table").inner_text()
    assert page.locator("#service-table tbody tr").count() == 1
    page.screenshot(path=str(artifacts_dir / "contract-4-vendor-services-by-status.png"), full_page=True)
