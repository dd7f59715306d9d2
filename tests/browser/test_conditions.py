"""Debian's Chromium: the condition owner sees an overdue condition on the home page and closes
it; the reviewer finds it waiting for verification and verifies it; the Open conditions page
lists what is left."""

import pytest

from procurement.core.services import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONDITION = "Contract must include 180 days' notice before go-live."


def _login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Log out")


def test_owner_closes_an_overdue_condition_and_the_reviewer_verifies_it(
    seed_demo, page, csp_errors, live_server, artifacts_dir
):
    seed_demo()
    page.set_viewport_size({"width": 1400, "height": 1000})

    _login(page, live_server, "analyst")
    overdue = page.locator("#queue-conditions_overdue")
    assert overdue.locator(f"text={CONDITION}").count() == 1
    assert "(overdue)" in overdue.inner_text()
    page.screenshot(path=str(artifacts_dir / "conditions-1-home-queue.png"), full_page=True)

    overdue.locator(f"text={CONDITION}").click()
    page.wait_for_selector("#update")
    page.select_option("#id_status", "done")
    page.fill("#id_note", "Clause 14.2 of the signed contract gives 180 days.")
    page.set_input_files("#id_file", files=[{"name": "clause.txt", "mimeType": "text/plain", "buffer": b"14.2"}])
    page.click("#update button[type=submit]")
    page.wait_for_selector("text=Now done, awaiting verification.")
    assert page.locator("#closure-evidence >> text=clause.txt").count() == 1
    page.screenshot(path=str(artifacts_dir / "conditions-2-done.png"), full_page=True)

    _login(page, live_server, "reviewer")
    verify = page.locator("#queue-verify")
    page.screenshot(path=str(artifacts_dir / "conditions-3a-reviewer-home.png"), full_page=True)
    verify.locator(f"text={CONDITION}").click()
    page.wait_for_selector("#verify")
    page.fill("#id_verify_note", "Checked against the signed contract.")
    page.click("#verify button[value=yes]")
    page.wait_for_selector("text=Verified and closed.")
    state = page.locator("#state").inner_text()
    assert "Open" in state and "Verified" in state  # the frozen state beside the current one
    page.screenshot(path=str(artifacts_dir / "conditions-3-verified.png"), full_page=True)

    page.click("nav >> text=Open conditions")
    page.wait_for_selector("#conditions")
    assert page.locator(f"#conditions >> text={CONDITION}").count() == 0
    assert page.locator("#conditions tr.table-danger").count() >= 1  # another overdue one is left
    page.screenshot(path=str(artifacts_dir / "conditions-4-open-conditions.png"), full_page=True)
    assert csp_errors == []
