"""Debian's Chromium, the issue's walk-through: an org admin customises the shipped bank,
changes a band and a rule threshold through the forms, sees the rescoring report, publishes
with a changelog, and upgrades a draft assessment that keeps the answers of reworded questions,
which the respondent then confirms still hold."""

import pytest
from playwright.sync_api import expect

from procurement.assessments import services as assessment_services
from procurement.questionbank.models import BankVersion
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("nav.navbar")


def _publish(page, url, version_pk, changelog, shot):
    page.goto(f"{url}/banks/versions/{version_pk}/publish/")
    page.fill("#id_changelog", changelog)
    page.screenshot(path=str(shot), full_page=True)
    page.click("button:has-text('Publish')")
    page.wait_for_selector("text=Published")


def test_org_admin_customises_edits_publishes_and_upgrades(
    page, live_server, shipped_version, org, personas, service, artifacts_dir
):
    url = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    _login(page, url, "admin")

    # 1. Customise the shipped bank, and publish the copy as the organisation's v1.
    page.goto(f"{url}/banks/versions/{shipped_version.pk}/preview/")
    page.screenshot(path=str(artifacts_dir / "bank-customise.png"))
    page.click("#copy-form button")
    page.wait_for_selector("text=copied into")
    page.screenshot(path=str(artifacts_dir / "bank-copied.png"))
    copy = BankVersion.objects.get(bank__organisation=org)
    _publish(page, url, copy.pk, "Our copy of the shipped bank.", artifacts_dir / "bank-publish-copy.png")

    # An assessment on the organisation's v1 with three answers.
    assessment = assessment_services.assessment_create(service=service, bank=copy.bank, by=personas["analyst"])
    assessment_services.answers_save(
        assessment=assessment,
        values={
            "SUP-03": assessment_services.AnswerInput(45),
            "SUP-05": assessment_services.AnswerInput(90),
            "INT-05": assessment_services.AnswerInput(12),
        },
        by=personas["analyst"],
        base_revisions=None,
    )

    # 2. A new draft: reword SUP-03, change a band of SUP-05 and a rule threshold, in the forms.
    page.goto(f"{url}/banks/versions/{copy.pk}/preview/")
    page.click("#copy-form button:has-text('New draft from this version')")
    page.wait_for_selector("text=Created")
    draft = BankVersion.objects.get(bank__organisation=org, status="draft")
    sup03 = draft.questions.get(code="SUP-03")
    page.goto(f"{url}/admin/questionbank/question/{sup03.pk}/change/")
    page.fill("#id_text", sup03.text.replace("largest single provider", "single largest provider"))
    page.click("input[name='_continue']")
    page.wait_for_selector("text=was changed successfully")
    sup05 = draft.questions.get(code="SUP-05")
    page.goto(f"{url}/admin/questionbank/question/{sup05.pk}/change/")
    page.fill("#id_band_0_to", "120")
    page.fill("#id_band_1_from", "100")
    page.click("input[name='_continue']")
    page.wait_for_selector(".errornote")
    expect(page.get_by_text("gap or overlap between 0-120 and 100-180")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "bank-band-refused.png"), full_page=True)
    page.fill("#id_band_1_from", "120")
    page.click("input[name='_continue']")
    page.wait_for_selector("text=was changed successfully")

    # 3. The rule threshold, with the rescoring report before saving.
    page.goto(f"{url}/banks/versions/{draft.pk}/rules/")
    page.fill("#id_p-rules-single_upstream_provider-condition-all-0-lt", "48")
    page.fill("#id_p-bands-high", "30")
    page.click("button[name='preview']")
    page.wait_for_selector("text=Preview of the edited values")
    expect(page.locator("#rescoring")).to_contain_text("changes")
    page.locator("#rescoring").screenshot(path=str(artifacts_dir / "bank-rules-preview.png"))
    page.screenshot(path=str(artifacts_dir / "bank-rules-form.png"), full_page=True)
    page.fill("#id_p-bands-high", "45")
    page.click("button[name='save']")
    page.wait_for_selector("text=Rule parameters saved")
    # ... and the organisation's own assessment rescored under the saved draft.
    page.click("#own-rescoring a")
    expect(page.locator(f"#rescore-A-{assessment.pk}")).to_contain_text("1 cleared (SUP-05)")
    page.screenshot(path=str(artifacts_dir / "bank-own-rescoring.png"), full_page=True)

    # 4. Publish with a changelog; the page shows the diff.
    page.goto(f"{url}/banks/versions/{draft.pk}/publish/")
    page.click("button:has-text('Publish')")
    expect(page.get_by_text("Write a changelog before publishing")).to_be_visible()
    _publish(
        page,
        url,
        draft.pk,
        "SUP-03 reworded; SUP-05 bands at 120 days; tolerable outage 48 h.",
        artifacts_dir / "bank-publish.png",
    )
    page.screenshot(path=str(artifacts_dir / "bank-compare.png"), full_page=True)

    # 5. The draft assessment moves to v2: SUP-03 kept (reworded), SUP-05 asked again.
    page.goto(f"{url}/assessments/{assessment.pk}/upgrade/")
    expect(page.locator("#upgrade-counts")).to_contain_text("2")
    expect(page.locator("#change-SUP-03")).to_contain_text("Editorial (answers kept)")
    expect(page.locator("#change-SUP-05")).to_contain_text("Substantive (asked again)")
    page.screenshot(path=str(artifacts_dir / "bank-upgrade.png"), full_page=True)
    page.click("button:has-text('Move to v2')")
    page.wait_for_selector("text=2 answers kept, 1 cleared")
    codes = set(assessment.answers.values_list("question_code", flat=True))
    assert codes == {"SUP-03", "INT-05"}

    # 6. The respondent checks the kept answer against the new wording: the badge goes.
    page.goto(f"{url}/assessments/{assessment.pk}/sections/SUP/")
    expect(page.locator("#rw-SUP-03")).to_contain_text("Wording changed since answered")
    page.locator("#q-SUP-03").screenshot(path=str(artifacts_dir / "bank-reworded-badge.png"))
    page.click("button[name='confirm_wording'][value='SUP-03']")
    page.wait_for_selector("text=the answer still holds after the rewording")
    expect(page.locator("#rw-SUP-03")).to_have_count(0)
