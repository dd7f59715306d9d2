"""Debian's Chromium: the reviewer answers the reviewer-only contract check on the review page;
an analyst sees the answer and no input."""

import pytest
from playwright.sync_api import expect

from procurement.assessments.models import Answer
from tests.browser.test_assessment_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reviewer_answers_the_contract_check_on_the_review_page(
    browser, page, live_server, in_review, personas, artifacts_dir
):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/assessments/{in_review.pk}/review/")
    expect(page.locator("#row-CON-12")).to_contain_text("To be answered by the reviewer")
    page.fill("#checks-CON textarea[name='q-CON-12']", "Clause 14.2 of the signed MSA gives 90 days, as answered.")
    page.locator("#reviewer-checks").screenshot(path=str(artifacts_dir / "review-checks-1-typed.png"))
    page.click("text=Save reviewer answers")
    page.wait_for_selector("text=Reviewer answers saved.")
    expect(page.locator("#row-CON-12")).to_contain_text("Clause 14.2 of the signed MSA")
    assert Answer.objects.get(assessment=in_review, question_code="CON-12").updated_by == personas["reviewer"]

    analyst = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(analyst, live_server, "analyst")
    analyst.goto(f"{live_server.url}/assessments/{in_review.pk}/review/")
    expect(analyst.locator("#checks-CON")).to_contain_text("Clause 14.2 of the signed MSA")
    assert analyst.locator("textarea[name='q-CON-12']").count() == 0
    analyst.locator("#reviewer-checks").screenshot(path=str(artifacts_dir / "review-checks-2-analyst.png"))
