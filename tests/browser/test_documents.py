"""Debian's Chromium: an analyst attaches a workbook to an answer on the section page, and in a
later assessment of the same vendor attaches the same document again from the list."""

import pytest
from playwright.sync_api import expect

from procurement.assessments.models import Evidence
from procurement.assessments.services import assessment_create
from procurement.core.models import Membership
from procurement.core.services import membership_set
from procurement.vendors.models import AIService, Document, Vendor
from tests.browser.test_assessment_flow import log_in
from tests.conftest import PASSWORD
from tests.documents import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_attaches_a_document_and_reuses_it_in_a_later_assessment(
    page, live_server, shipped_version, org, django_user_model, artifacts_dir, tmp_path
):
    analyst = django_user_model.objects.create_user("ana", password=PASSWORD, first_name="Ana", last_name="Analyst")
    membership_set(user=analyst, organisation=org, role=Membership.Role.ANALYST)
    vendor = Vendor.objects.create(organisation=org, name="Frontier Lab", owner=analyst)
    service = AIService.objects.create(vendor=vendor, name="Frontier API", model_name="fx-1")
    first = assessment_create(service=service, bank=shipped_version.bank, by=analyst)
    later = assessment_create(service=service, bank=shipped_version.bank, by=analyst)
    workbook = tmp_path / "Sub-processor list.xlsx"
    workbook.write_bytes(xlsx((("Sub-processor", "Country"), ("Hyperscale Cloud", "IE"))))
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "ana")

    page.goto(f"{live_server.url}/assessments/{first.pk}/sections/SEC/")
    page.check("input[name='q-SEC-02'] >> nth=0")
    page.click("#q-SEC-03 summary:has-text('Attach a supporting document')")
    page.set_input_files("input[name='doc-SEC-03']", str(workbook))
    page.click("#q-SEC-03 button:has-text('Attach')")
    page.wait_for_selector("#docs-SEC-03 >> text=Sub-processor list.xlsx")
    expect(page.locator("#docs-SEC-03")).to_contain_text("Excel workbook (XLSX)")
    expect(page.locator("input[name='q-SEC-02'] >> nth=0")).to_be_checked()  # the answer went with it
    page.locator("#q-SEC-03").screenshot(path=str(artifacts_dir / "documents-1-section-attached.png"))

    page.goto(f"{live_server.url}/assessments/{later.pk}/sections/SEC/")
    page.click("#q-SEC-04 summary:has-text('Attach a supporting document')")
    expect(page.locator("select[name='attach-SEC-04']")).to_contain_text("Sub-processor list.xlsx")
    page.select_option("select[name='attach-SEC-04']", value=str(Document.objects.get().pk))
    page.locator("#q-SEC-04").screenshot(path=str(artifacts_dir / "documents-2-attach-existing.png"))
    page.click("#q-SEC-04 button:has-text('Attach')")
    page.wait_for_selector("#docs-SEC-04 >> text=Sub-processor list.xlsx")
    assert Document.objects.count() == 1
    assert {e.assessment_id for e in Evidence.objects.all()} == {first.pk, later.pk}
