"""Debian's Chromium, end to end (issue 23): a decided service's SOC 2 report expires; the
analyst sees it on the home page and the calendar and starts a reassessment; the vendor sees
only what changed (the answer resting on the expired report among it), updates it and confirms
the rest; the reviewer sees what moved since the previous decision. And an admin's choice of
which triggers start a reassessment."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from procurement.assessments import services
from procurement.assessments.evidence import evidence_store
from procurement.assessments.models import Answer, Assessment
from procurement.core.models import Membership
from procurement.core.services import membership_set
from procurement.portal import services as portal_services
from procurement.portfolio.evidence_services import document_details_update
from procurement.questionbank.services import bank_load
from procurement.vendors.models import AIService, Vendor, VendorContact, add_months
from tests.browser.test_assessment_flow import log_in
from tests.conftest import PASSWORD
from tests.portfolio.test_reassessment import GOOD, V1, V2

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOC2 = "Frontier SOC 2 Type II.pdf"


def test_an_expired_soc2_report_is_seen_reassessed_confirmed_by_the_vendor_and_diffed_for_the_reviewer(
    browser, page, live_server, org, django_user_model, artifacts_dir
):
    analyst = django_user_model.objects.create_user("ana", password=PASSWORD, first_name="Ana", last_name="Analyst")
    reviewer = django_user_model.objects.create_user("rita", password=PASSWORD, first_name="Rita", last_name="Reviewer")
    membership_set(user=analyst, organisation=org, role=Membership.Role.ANALYST)
    membership_set(user=reviewer, organisation=org, role=Membership.Role.REVIEWER)
    v1 = bank_load(raw=V1, source="v1").version
    vendor = Vendor.objects.create(organisation=org, name="Frontier Lab", owner=analyst)
    service = AIService.objects.create(vendor=vendor, name="Frontier API")
    previous = services.assessment_create(service=service, bank=v1.bank, by=analyst, reviewers=[reviewer])
    services.answers_save(
        assessment=previous,
        values={k: services.AnswerInput(value=v) for k, v in GOOD.items()},
        by=analyst,
        base_revisions=None,
    )
    # The failover answer rests on the vendor's SOC 2 report, current when decided.
    today = timezone.localdate()
    upload = SimpleUploadedFile(SOC2, b"%PDF-1.4\nFrontier SOC 2\n%%EOF\n")
    soc2 = evidence_store(assessment=previous, question_code="OPS-05", upload=upload, by=analyst, field="f").document
    document_details_update(
        document=soc2,
        values={
            "kind": "soc2_type2",
            "period_start": today - dt.timedelta(days=400),
            "period_end": today - dt.timedelta(days=200),
            "auditor": "Example Assurance LLP",
            "opinion": "unqualified",
        },
        subservice=[],
        by=analyst,
    )
    services.assessment_submit(assessment=previous, by=analyst)
    services.assessment_start_review(assessment=previous, by=reviewer)
    services.assessment_decide(assessment=previous, by=reviewer, approve=True, note="", authenticated_at=timezone.now())
    # Since the decision the bank moved on: OPS-02 is scored differently and OPS-06 is new.
    bank_load(raw=V2, source="v2")
    # Time passes: the report's period ended a year and three days ago, so it expired three days
    # ago; the daily run expires it and flags the decided service.
    soc2.refresh_from_db()
    soc2.period_end = add_months(today, -12) - dt.timedelta(days=3)
    soc2.save(update_fields=["period_end"])
    out = io.StringIO()
    call_command("send_notifications", stdout=out, stderr=io.StringIO())
    assert f"Expired: Frontier Lab: SOC 2 Type II report “{SOC2}” expired on" in out.getvalue()
    page.set_viewport_size({"width": 1280, "height": 900})

    # 0. The analyst sees the expired report on the home page and the calendar, and the flag.
    log_in(page, live_server, "ana")
    page.goto(f"{live_server.url}/")
    page.wait_for_selector(f"#dates-evidence >> text={SOC2}")
    evidence = " ".join(page.locator("#dates-evidence").inner_text().split())
    assert "(passed)" in evidence and "Ana Analyst" in evidence
    assert SOC2 in page.locator("#queue-reassess").inner_text()
    page.locator("#dates-ahead").screenshot(path=str(artifacts_dir / "reassess-0a-home-dates.png"))
    page.click("#dates-evidence >> text=See them on the calendar")
    page.wait_for_selector(f"section[aria-labelledby=group-overdue] >> text={SOC2}")
    page.screenshot(path=str(artifacts_dir / "reassess-0b-calendar.png"), full_page=True)
    page.click(f"section[aria-labelledby=group-overdue] >> text={SOC2}")  # to the vendor's evidence register
    page.wait_for_selector(f"#doc-{soc2.pk}")

    # 1. The analyst starts the reassessment from the decided assessment's page.
    page.goto(f"{live_server.url}/vendors/{vendor.pk}/services/{service.pk}/")
    page.wait_for_selector(f"form[action='/portfolio/reassess/{previous.pk}/']")
    page.screenshot(path=str(artifacts_dir / "reassess-0-service-page.png"))
    page.goto(f"{live_server.url}/assessments/{previous.pk}/")
    page.click("#reassess-actions button:has-text('Reassess')")
    page.wait_for_selector("#reassessment-of")
    new = Assessment.objects.get(previous=previous)
    assert page.url.endswith(f"/assessments/{new.pk}/")
    page.screenshot(path=str(artifacts_dir / "reassess-1-started.png"), full_page=True)
    page.goto(f"{live_server.url}/assessments/{new.pk}/sections/OPS/")  # the staff page shows the same marks
    page.wait_for_selector("#mark-OPS-02:has-text('Needs attention')")
    page.screenshot(path=str(artifacts_dir / "reassess-1b-staff-section.png"))

    # 2. The vendor opens its link: only what changed needs attention.
    contact = VendorContact.objects.create(vendor=vendor, name="Vera Vendor", email="vera@frontier.example")
    (invitation,) = portal_services.invite(assessment=new, contacts=[contact], by=analyst, base_url="")
    vendor_context = browser.new_context(viewport={"width": 1280, "height": 900})
    vpage = vendor_context.new_page()
    vpage.goto(live_server.url + portal_services.invitation_link(invitation, base_url=""))
    vpage.wait_for_selector("#reassessment-summary")
    summary = " ".join(vpage.locator("#reassessment-summary").inner_text().split())
    assert "3 questions need your attention" in summary and "3 carried answers to confirm or change" in summary
    vpage.screenshot(path=str(artifacts_dir / "reassess-2-portal-overview.png"), full_page=True)

    vpage.goto(f"{live_server.url}/portal/a/{new.pk}/sections/OPS/")
    vpage.wait_for_selector("#carried-OPS-01")
    # Carried answers show as one line; the changed, the new and the one resting on the expired
    # report show in full, the report named.
    assert not vpage.locator("#in-OPS-04").is_visible() and vpage.locator("#in-OPS-02").is_visible()
    assert vpage.locator("#in-OPS-05").is_visible() and SOC2 in vpage.locator("#q-OPS-05").inner_text()
    vpage.screenshot(path=str(artifacts_dir / "reassess-3-portal-section.png"), full_page=True)

    # 3. The vendor answers the three, changes one carried answer and confirms the rest.
    vpage.fill("#in-OPS-02", "200")
    vpage.fill("#in-OPS-05", "Fail over to the second cloud; the new SOC 2 report follows in May.")
    vpage.fill("#in-OPS-06", "The platform team, around the clock.")
    vpage.click("#q-OPS-01 summary")
    vpage.check("input[name='q-OPS-01'][value='partial']")
    vpage.wait_for_selector("#section-form[data-all-saved=yes]", state="attached")
    vpage.click("button:has-text('Confirm all unchanged')")
    vpage.wait_for_selector("text=Confirmed unchanged: 2 answers.")
    vpage.screenshot(path=str(artifacts_dir / "reassess-4-portal-confirmed.png"), full_page=True)
    answers = {a.question_code: a for a in Answer.objects.filter(assessment=new)}
    assert answers["OPS-02"].value == 200 and answers["OPS-01"].value == "partial"
    assert answers["OPS-01"].carried_from is None  # changed, so no longer the carried answer
    assert all(answers[c].confirmed_at for c in ("OPS-03", "OPS-04"))
    assert answers["OPS-05"].value.startswith("Fail over to the second cloud; the new SOC 2")
    assert answers["OPS-03"].value == "other_cloud"
    vendor_context.close()

    # 4. Submitted, the reviewer sees what moved since the previous decision.
    new.refresh_from_db()
    services.assessment_submit(assessment=new, by=analyst)
    rcontext = browser.new_context(viewport={"width": 1280, "height": 900})
    rpage = rcontext.new_page()
    log_in(rpage, live_server, "rita")
    rpage.goto(f"{live_server.url}/assessments/{new.pk}/review/")
    rpage.wait_for_selector("#since-previous")
    answers_table = " ".join(rpage.locator("#since-answers").inner_text().split())
    assert "OPS-01" in answers_table and "Yes" in answers_table and "Partially" in answers_table
    assert "OPS-06" in answers_table and "OPS-02" in answers_table and "OPS-05" in answers_table
    assert "OPS-01" in rpage.locator("#since-points").inner_text()
    rpage.locator("#since-previous").screenshot(path=str(artifacts_dir / "reassess-5-review-diff.png"))
    rcontext.close()


def test_an_admin_chooses_which_triggers_start_a_reassessment(page, live_server, org, django_user_model, artifacts_dir):
    admin = django_user_model.objects.create_user("adam", password=PASSWORD, first_name="Adam", last_name="Admin")
    membership_set(user=admin, organisation=org, role=Membership.Role.ADMIN)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "adam")
    page.goto(f"{live_server.url}/accounts/members/")
    page.click("nav[aria-label='Organisation settings'] >> text=Reassessments")
    page.check("input[name=review_due][value=start]")
    page.check("input[name=chain][value=start]")
    page.click("#reassessment-settings button[type=submit]")
    page.wait_for_selector("text=Saved:")
    assert dict(org.reassessment_policies.values_list("trigger", "action")) == {"review_due": "start", "chain": "start"}
    page.screenshot(path=str(artifacts_dir / "reassess-6-settings.png"), full_page=True)
