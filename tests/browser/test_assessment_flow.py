"""Debian's Chromium: an analyst creates and fills an assessment, a reviewer overrides and rejects.

Approvals that need a risk acceptance are in test_decision_flow.py."""

import re

import pytest
from playwright.sync_api import expect

from procurement.assessments.demo import profile_answers
from procurement.assessments.models import Answer, Assessment
from procurement.assessments.services import answers_save
from procurement.core.models import Membership
from procurement.core.services import membership_set
from procurement.vendors.models import AIService, Vendor
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Log out")


def test_analyst_fills_and_submits_reviewer_overrides_and_rejects(
    page, csp_errors, live_server, shipped_version, org, django_user_model, artifacts_dir
):
    analyst = django_user_model.objects.create_user("ana", password=PASSWORD, first_name="Ana", last_name="Analyst")
    reviewer = django_user_model.objects.create_user("rita", password=PASSWORD, first_name="Rita", last_name="Reviewer")
    membership_set(user=analyst, organisation=org, role=Membership.Role.ANALYST)
    membership_set(user=reviewer, organisation=org, role=Membership.Role.REVIEWER)
    vendor = Vendor.objects.create(organisation=org, name="Frontier Lab", owner=analyst)
    service = AIService.objects.create(vendor=vendor, name="Frontier API", model_name="fx-1")
    page.set_viewport_size({"width": 1280, "height": 900})

    # 1. The analyst creates the assessment.
    log_in(page, live_server, "ana")
    page.goto(f"{live_server.url}/assessments/new/?service={service.pk}")
    page.select_option("#id_bank", str(shipped_version.bank.pk))
    page.check(f"input[name=reviewers][value='{reviewer.pk}']")
    page.screenshot(path=str(artifacts_dir / "flow-1-create.png"))
    page.click("text=Create and start the buyer intake")
    page.wait_for_selector("h2:has-text('INT · Buyer intake')")
    assessment = Assessment.objects.get()

    # 2. Two sections: the buyer intake, then SEC with its conditional date question.
    page.check("input[name='q-INT-01'][value='customer_or_regulated']")
    page.check("input[name='q-INT-02'][value='confidential']")
    page.check("input[name='q-INT-03'][value='external']")
    page.check("input[name='q-INT-04'][value='several_apps']")
    page.fill("input[name='q-INT-05']", "4")
    page.fill("input[name='q-INT-06']", "180")
    page.check("input[name='q-INT-07'][value='gdpr']")
    page.check("input[name='q-INT-08'][value='1m_5m']")
    page.check("input[name='q-INT-09'][value='preferred']")
    page.check("input[name='q-INT-10'][value='partial']")
    page.fill("input[name='q-INT-11']", "100000")
    page.check("input[name='q-INT-12'][value='tokens']")
    page.check("input[name='q-INT-13'][value='yes']")
    # htmx autosave, no click: wait until every edit above has a "saved" reply, not just the first.
    page.wait_for_selector("#section-form[data-all-saved=yes]", state="attached")
    expect(page.locator("#save-status span")).to_have_text(re.compile("^Saved "))
    assert Answer.objects.get(assessment=assessment, question_code="INT-06").value == 180
    page.screenshot(path=str(artifacts_dir / "flow-2-intake.png"), full_page=True)
    page.click("button[name=next]")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/sections/SEC/")
    expect(page.locator("#q-SEC-01A")).to_be_hidden()
    page.check("input[name='q-SEC-01'][value='inclusive']")
    expect(page.locator("#q-SEC-01A")).to_be_visible()
    page.fill("input[name='q-SEC-01A']", "2027-06-30")
    page.check("input[name='q-SEC-02'][value='full_scope']")
    page.screenshot(path=str(artifacts_dir / "flow-3-conditional.png"))
    page.click("button:has-text('Save and continue')")
    page.wait_for_selector("text=Saved.")

    # 3. Reload: everything typed is still there.
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/sections/SEC/")
    expect(page.locator("input[name='q-SEC-01'][value='inclusive']")).to_be_checked()
    assert page.input_value("input[name='q-SEC-01A']") == "2027-06-30"
    expect(page.locator("#q-SEC-01A")).to_be_visible()
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/sections/INT/")
    assert page.input_value("input[name='q-INT-06']") == "180"
    page.screenshot(path=str(artifacts_dir / "flow-4-reloaded.png"))

    # 4. The other seven sections come from the vendor's returned answers (not typed here), then submit.
    rest = {k: v for k, v in profile_answers("lab-api-leased-capacity").items() if k[:3] not in ("INT", "SEC")}
    answers_save(assessment=assessment, values=rest, by=analyst, base_revisions=None)
    sec_rest = {k: v for k, v in profile_answers("lab-api-leased-capacity").items() if k[:3] == "SEC" and k[4:] >= "03"}
    answers_save(assessment=assessment, values=sec_rest, by=analyst, base_revisions=None)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.click("text=Submit for review")
    page.wait_for_selector("text=Submitted for review.")
    page.screenshot(path=str(artifacts_dir / "flow-5-submitted.png"))
    page.click("text=Log out")

    # 5. The reviewer starts the review, overrides SUP-05 with a reason, and rejects on the confirmation page.
    log_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/review/")
    page.click("text=Start review")
    page.wait_for_selector("text=Approving needs these risk acceptances")
    row = page.locator("#row-SUP-05")
    row.locator("select[name=points]").select_option("1")
    row.locator("input[name=reason]").fill("Lease renewed to 2028; letter on file")
    row.locator("button:has-text('Set')").click()
    page.wait_for_selector("text=Override on SUP-05 saved.")
    assert "Lease renewed to 2028" in page.locator("#row-SUP-05").inner_text()
    page.locator("#row-SUP-05").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "flow-6-override.png"))
    page.click("a:has-text('Reject…')")
    page.wait_for_selector("h1:has-text('Reject A-')")
    page.fill("#id_note", "Leased capacity on 90 days' notice is not acceptable for this use.")
    page.screenshot(path=str(artifacts_dir / "flow-7-confirm.png"), full_page=True)
    page.click("button:has-text('Reject and freeze')")
    page.wait_for_selector("text=Rejected and frozen.")
    page.screenshot(path=str(artifacts_dir / "flow-8-rejected.png"), full_page=True)

    assessment.refresh_from_db()
    assert assessment.status == "rejected" and assessment.decision.role == "reviewer"
    assert assessment.frozen_record["overrides"][0]["points"] == 1
    assert csp_errors == []


def test_minus_30_days_is_refused_with_the_allowed_range_and_an_unusual_share_is_saved_with_a_warning(
    page, live_server, assessment, personas, artifacts_dir
):
    """The section page shows each number's unit beside its input and its allowed range; -30 days
    comes back with a message naming the question, the value and the range, and nothing of it is
    stored; an unusual value is stored and flagged. The vendor may also tick "does not disclose"."""
    page.set_viewport_size({"width": 1280, "height": 1000})
    log_in(page, live_server, personas["analyst"].username)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/sections/SUP/")
    page.fill("input[name='q-SUP-05']", "-30")
    page.fill("input[name='q-SUP-14']", "800")
    # Autosave stores what is valid and says the rest needs attention.
    page.wait_for_selector("#save-status:has-text('some answers need attention')")
    page.click("button:has-text('Save'):not([name=next])")
    refusal = page.locator("#q-SUP-05 .invalid-feedback")
    # The visible message; screen readers hear "Error:" first (a visually hidden prefix).
    expect(refusal).to_contain_text("SUP-05: -30 days is outside the allowed range (from 0 to 3650 days).")
    expect(page.locator("#q-SUP-05 .input-group-text")).to_have_text("days")
    expect(page.locator("#range-SUP-05")).to_have_text("Allowed: from 0 to 3650 days")
    expect(page.locator("#warn-SUP-14")).to_contain_text("SUP-14: 800 % is unusual (expected at most 300 %)")
    expect(page.locator("label[for='nd-SUP-05']")).to_be_visible()
    assert page.input_value("input[name='q-SUP-05']") == "-30"  # what was typed stays in the box
    page.locator("#q-SUP-05").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "section-limits.png"))
    page.locator("#q-SUP-14").screenshot(path=str(artifacts_dir / "section-limits-warning.png"))
    stored = dict(Answer.objects.filter(assessment=assessment).values_list("question_code", "value"))
    assert "SUP-05" not in stored and stored["SUP-14"] == 800
