"""Debian's Chromium: log in, open the bank editor, preview the shipped bank."""

import pytest
from playwright.sync_api import expect

from procurement.core.models import Membership
from procurement.core.services import membership_set
from tests.browser.axe import assert_no_axe_violations
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_logs_in_opens_the_editor_and_previews_the_shipped_bank(
    page, live_server, shipped_version, org, django_user_model, artifacts_dir, csp_errors
):
    user = django_user_model.objects.create_user("editor", password=PASSWORD)
    membership_set(user=user, organisation=org, role=Membership.Role.ADMIN)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.screenshot(path=str(artifacts_dir / "login.png"))
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Question banks")
    page.screenshot(path=str(artifacts_dir / "home.png"), full_page=True)

    page.click("nav.navbar >> text=Organisation")
    page.click("nav[aria-label='Organisation settings'] >> text=Question banks")
    page.wait_for_selector("text=Question banks and organisations")
    page.click("a[href$='/admin/questionbank/bankversion/']")
    page.wait_for_selector("#changelist-filter li a")
    # Django's changelist, its filter links included (24 px targets: static/css/admin.css), checked
    # here rather than left to the automatic check, which the next click may or may not precede.
    assert_no_axe_violations(page)
    page.click(f"a[href$='/admin/questionbank/bankversion/{shipped_version.pk}/change/']")
    page.wait_for_selector("text=Preview as respondent")
    page.screenshot(path=str(artifacts_dir / "admin-version.png"), full_page=True)

    page.click("text=Preview as respondent")
    page.wait_for_selector("#section-SUP")
    page.wait_for_load_state()  # conditional.js hides the conditional questions on DOMContentLoaded
    # Conditional question SEC-01A appears only after a qualifying SEC-01 answer.
    expect(page.locator("#q-SEC-01A")).to_be_hidden()
    page.check("input[name='q-SEC-01'][value='inclusive']")
    expect(page.locator("#q-SEC-01A")).to_be_visible()
    page.check("input[name='q-SEC-01'][value='none']")
    expect(page.locator("#q-SEC-01A")).to_be_hidden()
    page.screenshot(path=str(artifacts_dir / "preview.png"))
    assert page.locator(".question").count() == shipped_version.questions.count()
    assert csp_errors == []


def test_report_page_generates_the_pdf_without_csp_errors(
    page, live_server, tasks_inline, decided, personas, artifacts_dir, csp_errors
):
    """The report preview, its htmx status polling and the download link, with no CSP violation."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/reports/{decided.pk}/")
    # Deciding queued the PDF already: the page polls until it is there, or offers to generate it.
    download, generate = page.get_by_text("Download PDF"), page.get_by_text("Generate PDF")
    page.screenshot(path=str(artifacts_dir / "report-preview-0.png"))
    expect(download.or_(generate).first).to_be_visible()
    if generate.is_visible():
        page.click("text=Generate PDF")
    page.wait_for_selector("text=Download PDF")
    page.screenshot(path=str(artifacts_dir / "report-preview.png"))
    assert csp_errors == []
