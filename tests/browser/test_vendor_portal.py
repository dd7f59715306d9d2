"""Debian's Chromium: an analyst invites a vendor contact, who answers, uploads and submits
through the mailed link; the analyst sees the answers and revokes the link."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from procurement.assessments.demo import profile_answers
from procurement.assessments.models import Answer, Attestation, Evidence
from procurement.assessments.services import answers_save, assessment_create
from procurement.core.models import Membership
from procurement.core.services import membership_set
from procurement.portal.models import Invitation
from procurement.vendors.models import AIService, Vendor, VendorContact
from tests.browser.test_assessment_flow import log_in
from tests.conftest import PASSWORD
from tests.documents import docx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _csp_watch(page, errors: list[str]) -> None:
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)


def test_vendor_answers_through_the_mailed_link_and_the_revoked_link_stops_working(
    browser, page, live_server, shipped_version, org, django_user_model, artifacts_dir, tmp_path
):
    analyst = django_user_model.objects.create_user(
        "ana", password=PASSWORD, first_name="Ana", last_name="Analyst", email="ana@acme.example"
    )
    membership_set(user=analyst, organisation=org, role=Membership.Role.ANALYST)
    vendor = Vendor.objects.create(organisation=org, name="Frontier Lab", owner=analyst)
    service = AIService.objects.create(vendor=vendor, name="Frontier API", model_name="fx-1")
    VendorContact.objects.create(vendor=vendor, name="Vera Vendor", email="vera@frontier.example", role="Trust lead")
    assessment = assessment_create(service=service, bank=shipped_version.bank, by=analyst)
    profile = profile_answers("lab-api-leased-capacity")
    # The team's buyer intake, and the vendor's answers outside SUP (typing all 120 would only slow the test).
    answers_save(
        assessment=assessment,
        values={k: v for k, v in profile.items() if k.startswith("INT-")},
        by=analyst,
        base_revisions=None,
    )
    csp_errors: list[str] = []
    _csp_watch(page, csp_errors)
    page.set_viewport_size({"width": 1280, "height": 900})

    # 1. The analyst invites the contact from the assessment page.
    log_in(page, live_server, "ana")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.check("#invite-form input[type=checkbox]")
    page.fill("#invite-form textarea[name=message]", "Please answer by Friday.")
    page.locator("#vendor-links").screenshot(path=str(artifacts_dir / "portal-1-invite.png"))
    page.click("text=Send invitation")
    page.wait_for_selector("text=Invitation for Vera Vendor saved")
    assert page.locator("#vendor-links .badge:has-text('Open')").count() == 1
    expect(page.locator("#vendor-links .fresh-link")).to_contain_text("Shown this once, to you")
    page.locator("#vendor-links").screenshot(path=str(artifacts_dir / "portal-1b-sent-link-once.png"))

    # 2. The mail arrives; its link is opened in the vendor's own browser (no shared cookies).
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["vera@frontier.example"]
    link = re.search(r"http://\S+/portal/\S+/", mail.outbox[0].body).group(0)
    vendor_context = browser.new_context(viewport={"width": 1280, "height": 900})
    vpage = vendor_context.new_page()
    _csp_watch(vpage, csp_errors)
    vpage.goto(link)
    assert "/portal/a/" in vpage.url and "portal/" + link.split("/portal/")[1] not in vpage.url
    vpage.wait_for_selector("text=Your questionnaire")
    assert vpage.locator("text=Buyer intake").count() == 0 and vpage.locator("text=INT").count() == 0
    vpage.screenshot(path=str(artifacts_dir / "portal-2-overview.png"), full_page=True)

    # 3. The vendor answers SUP in the browser (autosave), ...
    answers_save(
        assessment=assessment,
        values={k: v for k, v in profile.items() if not k.startswith(("INT-", "SUP-"))},
        by=None,
        by_label="Vera Vendor <vera@frontier.example> (vendor contact)",
        base_revisions=None,
    )
    vpage.goto(f"{live_server.url}/portal/a/{assessment.pk}/sections/SUP/")
    for code, answer in profile.items():
        if not code.startswith("SUP-") or not vpage.locator(f"#q-{code}").is_visible():
            continue
        if isinstance(answer.value, list):  # SUP-16, the provider table: one row per provider
            for i, row in enumerate(answer.value):
                for key in ("provider", "owner", "country", "regions", "share", "notice_days"):
                    vpage.fill(f"[name='q-{code}.{i}.{key}']", "" if row.get(key) is None else str(row[key]))
                for key in ("kind", "role", "arrangement"):
                    vpage.select_option(f"[name='q-{code}.{i}.{key}']", row[key])
                for key in ("pass_through", "alternative", "competitor"):
                    vpage.set_checked(f"[name='q-{code}.{i}.{key}']", bool(row[key]))
        elif isinstance(answer.value, int | float):
            vpage.fill(f"input[name='q-{code}']", str(answer.value))
        else:
            vpage.check(f"input[name='q-{code}'][value='{answer.value}']")
    vpage.wait_for_selector("#save-status span:text-matches('^Saved ')")
    vpage.locator("#q-SUP-16").screenshot(path=str(artifacts_dir / "portal-3b-provider-table.png"))
    vpage.click("button:has-text('Save')")
    vpage.wait_for_selector("text=Saved.")
    assert Answer.objects.get(assessment=assessment, question_code="SUP-05").value == 90
    table = Answer.objects.get(assessment=assessment, question_code="SUP-16").value
    assert [r["provider"] for r in table] == ["Hyperscale Cloud us-east", "Rival AI data centre (Ohio)"]
    assert table[1]["competitor"] is True and table[1]["notice_days"] == 90
    vpage.screenshot(path=str(artifacts_dir / "portal-3-section.png"))

    # ... uploads its SOC 2 report on SEC, asks a clarification, and submits.
    vpage.goto(f"{live_server.url}/portal/a/{assessment.pk}/sections/SEC/")
    pdf = tmp_path / "soc2-type2.pdf"
    pdf.write_bytes(b"%PDF-1.7\n% SOC 2 Type II report\n")
    # Chromium does not show a multipart body with a file to Playwright, so the page itself
    # records, for each htmx request, the names of the non-empty files in the posted form.
    vpage.evaluate(
        """() => { window.postedFiles = [];
        const send = XMLHttpRequest.prototype.send;
        XMLHttpRequest.prototype.send = function (body) {
          if (body instanceof FormData) {
            window.postedFiles.push([...body.entries()].filter(([, v]) => v instanceof File && v.size).map(([k]) => k));
          }
          return send.call(this, body);
        }; }"""
    )
    vpage.set_input_files("input[name='q-SEC-01B']", str(pdf))
    # Typing elsewhere fires autosave, which must not post the chosen file; Save then stores it once.
    vpage.fill("input[name='q-SEC-11']", "12")
    vpage.wait_for_selector("#section-form[data-all-saved=yes]", state="attached")
    posted = vpage.evaluate("window.postedFiles")
    assert posted and not any(posted)
    assert not Evidence.objects.filter(assessment=assessment).exists()
    vpage.click("button:has-text('Save'):not([name=next])")
    vpage.wait_for_selector("#docs-SEC-01B >> text=soc2-type2.pdf")
    assert Evidence.objects.filter(assessment=assessment).count() == 1
    # A supporting document on an answer that is not an evidence question: a DOCX, through Attach.
    docx_file = tmp_path / "Data processing agreement.docx"
    docx_file.write_bytes(docx("Frontier Lab DPA, signed 2026"))
    vpage.click("#q-SEC-02 summary:has-text('Attach a supporting document')")
    vpage.set_input_files("input[name='doc-SEC-02']", str(docx_file))
    vpage.click("#q-SEC-02 button:has-text('Attach')")
    vpage.wait_for_selector("#docs-SEC-02 >> text=Data processing agreement.docx")
    expect(vpage.locator("#docs-SEC-02")).to_contain_text("Word document (DOCX)")
    supporting = Evidence.objects.select_related("document").get(assessment=assessment, question_code="SEC-02")
    assert supporting.document.content_type.endswith("wordprocessingml.document")
    assert Evidence.objects.filter(assessment=assessment).count() == 2
    vpage.locator("#q-SEC-02").screenshot(path=str(artifacts_dir / "portal-3c-supporting-docx.png"))
    vpage.click("#q-SEC-02 >> text=Ask the team about this question")
    vpage.fill("#id_body", "Does the bridge letter count as full scope?")
    vpage.click("button:has-text('Send')")
    vpage.wait_for_selector("text=The team's reply will appear here.")
    # Submitting asks for the attestation: without the ticked statement it is refused, keeping what was typed.
    vpage.goto(f"{live_server.url}/portal/a/{assessment.pk}/")
    expect(vpage.locator("#id_name")).to_have_value("Vera Vendor")  # the contact's own name to start from
    vpage.fill("#id_name", "Vera Q. Vendor")
    vpage.fill("#id_title", "Chief Trust Officer")
    vpage.click("text=Submit answers")
    vpage.wait_for_selector("text=Tick the box to confirm the statement")
    expect(vpage.locator("#id_name")).to_have_value("Vera Q. Vendor")
    expect(vpage.locator("#id_title")).to_have_value("Chief Trust Officer")
    assert Invitation.objects.get().submitted_at is None
    vpage.locator("#attestation").screenshot(path=str(artifacts_dir / "portal-4a-attestation-refused.png"))
    vpage.check("#id_confirmed")
    vpage.locator("#attestation").screenshot(path=str(artifacts_dir / "portal-4b-attestation.png"))
    vpage.click("text=Submit answers")
    vpage.wait_for_selector("#portal-state:has-text('Submitted on')")
    expect(vpage.locator("#attestation")).to_contain_text("Submitted by Vera Q. Vendor, Chief Trust Officer")
    attestation = Attestation.objects.get(assessment=assessment)
    assert (attestation.name, attestation.title) == ("Vera Q. Vendor", "Chief Trust Officer")
    vpage.screenshot(path=str(artifacts_dir / "portal-4-submitted.png"), full_page=True)

    # 4. The analyst sees the vendor's answers, upload, question and submission.
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/sections/SUP/")
    expect(page.locator("input[name='q-SUP-06'][value='reserved_short']")).to_be_checked()
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/questions/SUP-05/history/")
    assert page.locator("text=Vera Vendor <vera@frontier.example> (vendor contact)").count() >= 1
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/questions/SEC-02/history/")
    assert page.locator("#clarifications >> text=Does the bridge letter count as full scope?").count() == 1
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    assert page.locator("text=vendor submitted").count() >= 1
    assert page.locator("#vendor-links .badge:has-text('Submitted by the vendor')").count() == 1
    # The link was shown once, right after sending; this later visit shows only the state.
    assert page.locator("#vendor-links input[readonly]").count() == 0
    page.screenshot(path=str(artifacts_dir / "portal-5-analyst-sees.png"), full_page=True)
    page.goto(f"{live_server.url}/reports/{assessment.pk}/")
    expect(page.locator("#vendor-statement")).to_contain_text("Vera Q. Vendor, Chief Trust Officer, attested on")
    page.locator("#vendor-statement").screenshot(path=str(artifacts_dir / "portal-5b-report-statement.png"))
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    assert Evidence.objects.get(assessment=assessment, question_code="SEC-01B").uploaded_by_label.startswith(
        "Vera Vendor"
    )

    # 5. The analyst revokes the link; the vendor's open page and the mailed link both stop working.
    page.click("#vendor-links button:has-text('Revoke')")
    page.wait_for_selector("text=no longer works")
    assert Invitation.objects.get().revoked_at is not None
    vpage.goto(f"{live_server.url}/portal/a/{assessment.pk}/")
    expect(vpage.locator("h1:has-text('This link has been withdrawn')")).to_be_visible()
    assert vpage.locator("text=ana@acme.example").count() == 1
    response = vpage.goto(link)
    assert response.status == 410
    vpage.screenshot(path=str(artifacts_dir / "portal-6-revoked.png"))
    vendor_context.close()
    assert csp_errors == []
