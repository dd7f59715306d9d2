"""Debian's Chromium, the decision flow of issue 19 end to end:

1. the analyst submits an assessment with a knockout;
2. the reviewer cannot approve it;
3. the reviewer adds a condition and requests the acceptances;
4. the approver records the waiver with an expiry (and the residual acceptance) and approves;
5. the condition's owner sees it on the home page and closes it;
6. the reviewer verifies it.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from procurement.assessments import services
from procurement.assessments.demo import profile_answers
from procurement.assessments.models import Assessment, Finding
from procurement.assessments.services import AnswerInput
from procurement.core.models import Membership
from procurement.core.services import membership_set
from procurement.vendors.models import AIService, Vendor
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONDITION = "Pin the model version before go-live."
KNOCKOUT = "Floating model version for decisions about people"


def _login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Log out")


def _people(org, django_user_model):
    people = {}
    for username, first, role, authority in (
        ("ana", "Ana", "analyst", 1),
        ("rita", "Rita", "reviewer", 1),
        ("alex", "Alex", "reviewer", Membership.Authority.EXECUTIVE),
    ):
        user = django_user_model.objects.create_user(username, password=PASSWORD, first_name=first, last_name="Demo")
        membership_set(user=user, organisation=org, role=role, authority=authority)
        people[username] = user
    return people


def test_knockout_needs_an_acceptance_the_approver_records_and_the_condition_is_closed_and_verified(
    page, csp_errors, live_server, shipped_version, org, django_user_model, artifacts_dir
):
    people = _people(org, django_user_model)
    vendor = Vendor.objects.create(organisation=org, name="Frontier Lab", owner=people["ana"])
    service = AIService.objects.create(vendor=vendor, name="Frontier API", model_name="fx-1")
    assessment = services.assessment_create(
        service=service, bank=shipped_version.bank, by=people["ana"], reviewers=[people["rita"]]
    )
    answers = profile_answers("lab-api-leased-capacity") | {
        "INT-03": AnswerInput("automated_individuals"),
        "MOD-01": AnswerInput("floating"),
    }
    services.answers_save(assessment=assessment, values=answers, by=people["ana"], base_revisions=None)
    page.set_viewport_size({"width": 1400, "height": 1000})
    review_url = f"{live_server.url}/assessments/{assessment.pk}/review/"

    # 1. The analyst submits it.
    _login(page, live_server, "ana")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.click("text=Submit for review")
    page.wait_for_selector("text=Submitted for review.")

    # 2. The reviewer starts the review and cannot approve: the page says what is missing.
    _login(page, live_server, "rita")
    page.goto(review_url)
    page.click("text=Start review")
    blocked = page.locator("#approve-blocked")
    expect(blocked).to_contain_text(f"Knockout “{KNOCKOUT}”: needs a risk acceptance")
    expect(blocked).to_contain_text("High residual risk")
    page.click("a:has-text('Approve…')")
    expect(page.locator("#decide-problems")).to_contain_text("You cannot approve this yet")
    expect(page.locator("button:has-text('Approve and freeze')")).to_be_disabled()
    page.screenshot(path=str(artifacts_dir / "decision-2-cannot-approve.png"), full_page=True)

    # 3. The reviewer adds a condition owned by the analyst, then requests both acceptances.
    page.goto(review_url)
    form = page.locator("#findings form")
    form.locator("select[name=kind]").select_option("condition")
    form.locator("input[name=text]").fill(CONDITION)
    form.locator("select[name=owner_user]").select_option(str(people["ana"].pk))
    form.locator("input[name=due_date]").fill((timezone.localdate() + dt.timedelta(days=5)).isoformat())
    form.locator("button:has-text('Add')").click()
    expect(page.locator("#findings")).to_contain_text(CONDITION)
    for _ in range(2):
        page.locator("#decide button:has-text('Request acceptance')").first.click()
        page.wait_for_selector("text=Acceptance requested.")
    assert assessment.acceptances.filter(status="requested").count() == 2
    page.locator("#decide").screenshot(path=str(artifacts_dir / "decision-3-requested.png"))

    # 4. The approver finds both on the home page, accepts them with an expiry, and approves.
    _login(page, live_server, "alex")
    queue = page.locator("#queue-acceptance")
    expect(queue).to_contain_text(KNOCKOUT)
    page.screenshot(path=str(artifacts_dir / "decision-4a-approver-home.png"), full_page=True)
    queue.locator(f"text={KNOCKOUT}").first.click()
    page.fill("#id_reason", "Every automated decision is reviewed by a person until the pinned version ships.")
    page.fill("#id_compensating_controls", "Human review of each decision; weekly sampling.")
    page.fill("#id_expires_on", (timezone.localdate() + dt.timedelta(days=90)).isoformat())
    page.get_by_label(CONDITION).check()
    page.screenshot(path=str(artifacts_dir / "decision-4b-accept.png"), full_page=True)
    page.click("button:has-text('Accept and record')")
    page.wait_for_selector("text=Risk accepted and recorded.")
    page.locator("#decide a:has-text('Accept this risk…')").first.click()
    page.fill("#id_reason", "Leased capacity accepted for the launch; exit plan tested.")
    page.fill("#id_expires_on", (timezone.localdate() + dt.timedelta(days=180)).isoformat())
    page.click("button:has-text('Accept and record')")
    page.wait_for_selector("text=Risk accepted and recorded.")
    expect(page.locator("#approve-blocked")).to_have_count(0)
    page.click("a:has-text('Approve…')")
    page.fill("#id_note", "Approved with the waiver and the pinning condition.")
    page.screenshot(path=str(artifacts_dir / "decision-4c-confirm.png"), full_page=True)
    page.click("button:has-text('Approve and freeze')")
    page.wait_for_selector("text=Approved and frozen.")
    page.screenshot(path=str(artifacts_dir / "decision-4d-approved.png"), full_page=True)
    assessment = Assessment.objects.get(pk=assessment.pk)
    assert assessment.status == "approved" and assessment.decision.authority == Membership.Authority.EXECUTIVE
    waiver = next(a for a in assessment.frozen_record["acceptances"] if a["scope"] == "knockout")
    assert waiver["expires_on"] and waiver["conditions"] == [CONDITION]

    # 5. The condition's owner sees it on the home page and marks it done.
    _login(page, live_server, "ana")
    soon = page.locator("#queue-conditions_soon")
    expect(soon).to_contain_text(CONDITION)
    soon.locator(f"text={CONDITION}").click()
    page.wait_for_selector("#update")
    page.select_option("#id_status", "done")
    page.fill("#id_note", "Pinned to fx-1-2026-06 in the integration config.")
    page.click("#update button[type=submit]")
    page.wait_for_selector("text=Now done, awaiting verification.")
    page.screenshot(path=str(artifacts_dir / "decision-5-done.png"), full_page=True)

    # 6. The reviewer verifies it.
    _login(page, live_server, "rita")
    page.locator("#queue-verify").locator(f"text={CONDITION}").click()
    page.wait_for_selector("#verify")
    page.fill("#id_verify_note", "Checked the integration config.")
    page.click("#verify button[value=yes]")
    page.wait_for_selector("text=Verified and closed.")
    page.screenshot(path=str(artifacts_dir / "decision-6-verified.png"), full_page=True)
    assert Finding.objects.get(text=CONDITION).status == Finding.Status.VERIFIED
    assert csp_errors == []
