"""WCAG 2.2 AA with axe-core (docs/accessibility.md): every page, as every persona, with the demo data.

One browser and one page per persona, reused across the crawl. Each page is loaded and checked
with axe (the WCAG 2.0/2.1/2.2 A and AA rules; a critical or serious violation fails), and the
failures of the whole crawl are reported together. Error states (a form with errors, a
conflict, 403 and 404) are checked too. The keyboard walk is in test_keyboard.py.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from procurement.assessments import services
from procurement.assessments.evidence import evidence_store
from procurement.assessments.models import Assessment, Finding
from procurement.assessments.services import AnswerInput
from procurement.core.members import member_invitation_token, member_invite
from procurement.core.models import ExternalIdentity, Membership, Organisation, WebhookEndpoint
from procurement.core.services import DEMO_ORG
from procurement.portal import services as portal_services
from procurement.questionbank.models import BankVersion
from procurement.vendors.models import AIService, Provider
from tests.browser.axe import axe_violations, describe
from tests.test_access_matrix import all_url_names

pytestmark = [pytest.mark.browser, pytest.mark.no_axe, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2026"
PERSONAS = ("admin", "analyst", "reviewer", "viewer", "approver")

# URL name -> the page(s) to visit, built from the demo world. One entry per GET page.
PAGES = {
    "core:home": lambda w: ["/"],
    "questionbank:version_preview": lambda w: [
        reverse("questionbank:version_preview", args=[pk]) for pk in (w["version"].pk, w["bank_draft"].pk)
    ],
    "questionbank:version_compare": lambda w: [
        reverse("questionbank:version_compare", args=[pk]) for pk in (w["version"].pk, w["bank_draft"].pk)
    ],
    "questionbank:version_publish": lambda w: [reverse("questionbank:version_publish", args=[w["bank_draft"].pk])],
    "questionbank:version_rules": lambda w: [reverse("questionbank:version_rules", args=[w["bank_draft"].pk])],
    "questionbank:version_upstream": lambda w: [reverse("questionbank:version_upstream", args=[w["bank_draft"].pk])],
    "assessments:bank_rescoring": lambda w: [
        reverse("assessments:bank_rescoring", args=[pk]) for pk in (w["version"].pk, w["bank_draft"].pk)
    ],
    "vendors:list": lambda w: [reverse("vendors:list")],
    "vendors:create": lambda w: [reverse("vendors:create")],
    "vendors:detail": lambda w: [reverse("vendors:detail", args=[w["service"].vendor_id])],
    "vendors:edit": lambda w: [reverse("vendors:edit", args=[w["service"].vendor_id])],
    "vendors:service_create": lambda w: [reverse("vendors:service_create", args=[w["service"].vendor_id])],
    "vendors:contact_create": lambda w: [reverse("vendors:contact_create", args=[w["service"].vendor_id])],
    "vendors:service": lambda w: [reverse("vendors:service", args=[w["service"].vendor_id, w["service"].pk])],
    "vendors:service_edit": lambda w: [reverse("vendors:service_edit", args=[w["service"].vendor_id, w["service"].pk])],
    "vendors:contract_edit": lambda w: [
        reverse("vendors:contract_edit", args=[w["service"].vendor_id, w["service"].pk])
    ],
    "vendors:providers": lambda w: [reverse("vendors:providers")],
    "vendors:provider": lambda w: [reverse("vendors:provider", args=[w["provider"].pk])],
    "portfolio:index": lambda w: [reverse("portfolio:index")],
    "portfolio:compare": lambda w: [reverse("portfolio:compare") + "?" + "&".join(f"s={s}" for s in w["services"])],
    "portfolio:reviews": lambda w: [reverse("portfolio:reviews")],
    "portfolio:conditions": lambda w: [reverse("portfolio:conditions")],
    "portfolio:calendar": lambda w: [reverse("portfolio:calendar"), reverse("portfolio:calendar") + "?by=week&end="],
    "accounts:calendar_feed": lambda w: [reverse("accounts:calendar_feed")],
    "assessments:list": lambda w: [reverse("assessments:list")],
    "assessments:create": lambda w: [reverse("assessments:create")],
    # Every state: the page differs by what may be done next.
    "assessments:detail": lambda w: [reverse("assessments:detail", args=[a.pk]) for a in w["by_status"].values()],
    "assessments:section": lambda w: [
        reverse("assessments:section", args=[w["by_status"]["draft"].pk, code]) for code in w["sections"]
    ],
    "assessments:review": lambda w: [
        reverse("assessments:review", args=[w["by_status"][s].pk]) for s in ("submitted", "in_review", "approved")
    ],
    "assessments:finding_detail": lambda w: [
        reverse("assessments:finding_detail", args=[w["finding"].assessment_id, w["finding"].pk])
    ],
    "assessments:decide": lambda w: [
        reverse("assessments:decide", args=[w["by_status"]["in_review"].pk]) + "?outcome=approve"
    ],
    "assessments:accept": lambda w: [reverse("assessments:accept", args=[w["by_status"]["in_review"].pk])],
    "assessments:history": lambda w: [reverse("assessments:history", args=[w["by_status"]["in_review"].pk, "SUP-05"])],
    "reports:preview": lambda w: [reverse("reports:preview", args=[w["by_status"]["approved"].pk])],
    "accounts:confirm_password": lambda w: [reverse("accounts:confirm_password")],
    "accounts:decision_rules": lambda w: [reverse("accounts:decision_rules")],
    "notifications:preferences": lambda w: [reverse("notifications:preferences")],
    "accounts:members": lambda w: [reverse("accounts:members")],
    "accounts:two_step": lambda w: [reverse("accounts:two_step")],
    "accounts:webhooks": lambda w: [reverse("accounts:webhooks")],
    "portfolio:currency_rates": lambda w: [reverse("portfolio:currency_rates")],
    "portfolio:reassessment_settings": lambda w: [reverse("portfolio:reassessment_settings")],
    "vendors:import": lambda w: [reverse("vendors:import")],
    "accounts:tokens": lambda w: [reverse("accounts:tokens")],
    "accounts:password": lambda w: [reverse("accounts:password")],
    "vendors:evidence": lambda w: [reverse("vendors:evidence", args=[w["document"].vendor_id])],
    "vendors:document_edit": lambda w: [
        reverse("vendors:document_edit", args=[w["document"].vendor_id, w["document"].pk])
    ],
    "vendors:soc2_review": lambda w: [reverse("vendors:soc2_review", args=[w["document"].vendor_id, w["document"].pk])],
    "vendors:model_lifecycle": lambda w: [
        reverse("vendors:model_lifecycle", args=[w["service"].vendor_id, w["service"].pk])
    ],
    "vendors:model_notice_import": lambda w: [reverse("vendors:model_notice_import", args=[w["service"].vendor_id])],
    "accounts:webhook_detail": lambda w: [reverse("accounts:webhook_detail", args=[w["webhook"].pk])],
}
# Pages whose controls differ by role: every persona opens these.
ROLE_PAGES = {
    "core:home",
    "portfolio:calendar",
    "assessments:list",
    "assessments:detail",
    "assessments:section",
    "assessments:review",
    "assessments:finding_detail",
    "assessments:accept",
    "assessments:decide",
    "reports:preview",
    "vendors:service",
}
# Pages the vendor sees, through the portal link of the draft.
PORTAL_PAGES = {
    "portal:overview": lambda w: [reverse("portal:overview", args=[w["by_status"]["draft"].pk])],
    "portal:section": lambda w: [
        # The same template as the staff section pages (all ten checked there): the sections with
        # every input type (number, date, file, text, the provider table, N/A).
        reverse("portal:section", args=[w["by_status"]["draft"].pk, code])
        for code in ("SUP", "CAP", "CON", "SEC")
    ],
    "portal:clarify": lambda w: [reverse("portal:clarify", args=[w["by_status"]["draft"].pk, "SUP-05"])],
}
# Everything else is not a page of its own: an action (POST, then a redirect to a page above),
# a download, or a fragment of a page above. Checked by test_every_url_name_is_crawled.
NOT_PAGES = {
    "assessments:basis_confirm": "POST action (its form is on assessments:review, per answer)",
    "accounts:member_change": "POST action",
    "questionbank:version_copy": "POST action (its button is on questionbank:version_preview)",
    "questionbank:version_download": "a YAML download",
    "accounts:member_withdraw": "POST action",
    "accounts:two_step_require": "POST action",
    "accounts:sso_request": "POST action (its form is on accounts:members, when a sign-in waits for approval)",
    "sso_login": "redirects to the identity provider (404 while single sign-on is off)",
    "sso_callback": "redirects back from the identity provider (tests/core/test_sso.py)",
    "accounts:webhook_action": "POST action",
    "vendors:import_template": "a CSV download",
    "accounts:token_revoke": "POST action",
    "accounts:calendar_feed_revoke": "POST action",
    "portfolio:calendar_feed": "an iCalendar download",
    "login": "checked anonymously in the crawl",
    "logout": "POST action",
    "portal:enter": "redirects to portal:overview",
    "portal:leave": "POST action",
    "portal:submit": "POST action (the attestation form is on portal:overview)",
    "portal:evidence": "a file download",
    "assessments:evidence": "a file download",
    "assessments:export": "a JSON download",
    "assessments:import": "POST action",
    "assessments:upgrade": "redirects to assessments:detail unless a newer bank version exists",
    "assessments:submit": "POST action",
    "assessments:reviewers": "POST action",
    "assessments:review_start": "POST action",
    "assessments:override": "POST action",
    "assessments:finding": "POST action",
    "assessments:finding_update": "POST action",
    "assessments:finding_verify": "POST action",
    "assessments:finding_accept": "POST action",
    "assessments:request_changes": "POST action",
    "assessments:acceptance_request": "POST action",
    "assessments:acceptance_decline": "POST action",
    "assessments:review_answers": "POST action",
    "assessments:comment": "POST action",
    "assessments:clarification": "POST action",
    "assessments:chain_from_answer": "POST action",
    "vendorlinks:invite": "POST action",
    "vendorlinks:revoke": "POST action",
    "vendorlinks:resend": "POST action",
    "vendorlinks:reopen": "POST action",
    "vendors:link_add": "POST action",
    "vendors:vendor_status": "POST action",
    "vendors:service_status": "POST action",
    "vendors:service_end": "POST action (a refusal shows the service page, crawled above)",
    "vendors:offboarding_step": "POST action",
    "vendors:contract_document_add": "POST action",
    "vendors:contract_document_remove": "POST action",
    "vendors:contract_document": "a file download",
    "vendors:offboarding_certificate": "a file download",
    "vendors:link_remove": "POST action",
    "vendors:provider_add": "POST action",
    "vendors:provider_delete": "POST action",
    "portfolio:scenario_export": "a CSV or PDF download",
    "vendors:document_download": "a file download",
    "vendors:model_notice_template": "a CSV download",
    "portfolio:board_pack_generate": "POST action (htmx; its status fragment is part of portfolio:index)",
    "portfolio:board_pack_status": "a fragment of portfolio:index",
    "portfolio:board_pack_download": "a PDF download",
    "portfolio:conditions_export": "a CSV or XLSX download",
    "portfolio:reassess": "POST action (its pages are checked in tests/browser/test_reassessment.py)",
    "reports:generate": "POST action (htmx; its status fragment is part of reports:preview)",
    "reports:status": "a fragment of reports:preview",
    "reports:download": "a PDF download",
    "reports:export_xlsx": "an XLSX download",
    "reports:export_json": "a JSON download",
}


# Pages opened outside the persona loop: the join page anonymously (a signed-in person gets
# "you are already signed in"), the code prompt by someone who has two-step sign-in set up.
SPECIAL_PAGES = {
    "accounts:join": "anonymously, from a member invitation",
    "accounts:two_step_verify": "by a person with two-step sign-in set up, after the password",
}


def test_every_url_name_is_crawled():
    # The JSON API (api:) has no pages; its schema is checked in tests/api.
    names = {n for n in all_url_names() if not n.startswith(("admin:", "api:"))}
    known = set(PAGES) | set(PORTAL_PAGES) | set(NOT_PAGES) | set(SPECIAL_PAGES)
    assert sorted(names - known) == [], "add these URL names to the accessibility crawl (PAGES or NOT_PAGES)"
    assert sorted(known - names) == [], "these crawl entries name no URL"


def _demo_world(live_server, seed_demo) -> dict:
    seed_demo(site_url=live_server.url)
    org = Organisation.objects.get(slug=DEMO_ORG[1])
    assessments = Assessment.objects.filter(organisation=org).select_related("service", "bank_version")
    by_status = {}
    for a in assessments.order_by("pk"):
        by_status.setdefault(a.status, a)
    draft = by_status["draft"]
    sections = list(draft.bank_version.sections.values_list("code", flat=True))
    (invitation,) = portal_services.invite(
        assessment=draft, contacts=list(draft.service.vendor.contacts.all()[:1]), by=draft.owner, base_url=""
    )
    provider = Provider.objects.filter(organisation=org, supplies__isnull=False).first()
    shipped = BankVersion.objects.filter(bank__slug="ai-vendor-due-diligence").first()
    document = evidence_store(
        assessment=draft,
        question_code="SEC-01B",
        upload=SimpleUploadedFile("soc2-type2.pdf", b"%PDF-1.4\n%%EOF\n"),
        by=draft.owner,
        field="f",
    ).document
    admin = Membership.objects.get(organisation=org, user__username="admin").user
    join = member_invite(organisation=org, email="new.colleague@example.com", role="analyst", by=admin, base_url="")
    # A sign-in through single sign-on waiting for an admin's approval (shown on the Members page).
    ExternalIdentity.objects.create(
        user=get_user_model().objects.create_user(username="newcomer", first_name="Nia", last_name="Newcomer"),
        issuer="https://login.example.com",
        subject="nia",
        organisation=org,
        email="nia@example.com",
        status="pending",
    )
    # Straight to the table: adding one through the service resolves the host on the network.
    webhook = WebhookEndpoint.objects.create(
        organisation=org, url="https://hooks.example.com/procurement", events=["assessment.decided"], secret="x" * 32
    )
    return {
        # The organisation's own copy of the shipped bank, a draft with one reworded question.
        "bank_draft": _reworded_copy(shipped, org),
        "by_status": by_status,
        "sections": sections,
        "service": by_status["approved"].service,
        "services": list(AIService.objects.filter(vendor__organisation=org).values_list("pk", flat=True)[:3]),
        "provider": provider,
        "finding": Finding.objects.filter(assessment__organisation=org).first(),
        "version": BankVersion.objects.filter(bank__slug="ai-vendor-due-diligence").first(),
        "portal_link": portal_services.invitation_link(invitation, base_url=live_server.url),
        "join": reverse("accounts:join", args=[member_invitation_token(join)]),
        "webhook": webhook,
        "document": document,
    }


def _reworded_copy(version: BankVersion, org: Organisation) -> BankVersion:
    from procurement.questionbank.services import bank_copy_to_organisation

    draft = bank_copy_to_organisation(version=version, organisation=org)
    question = draft.questions.get(code="SUP-03")
    question.text = question.text.replace("largest single provider", "single largest provider")
    question.save()
    return draft


SSO_ON = {
    "OIDC_ISSUER": "http://127.0.0.1:9",
    "OIDC_CLIENT_ID": "procurement",
    "OIDC_CLIENT_SECRET": "x",
    "OIDC_ORGANISATIONS": [DEMO_ORG[1]],
    "OIDC_LOCAL_PASSWORDS": "staff",
}


class Crawl:
    def __init__(self, page, base: str):
        self.page, self.base, self.failures, self.visited, self.sideways = page, base, [], 0, []

    def check(self, label: str) -> None:
        self.visited += 1
        violations = axe_violations(self.page)
        if violations:
            self.failures.append(f"[{label}] " + describe(violations, self.page.url))

    def visit(self, path: str, label: str, *, skip_statuses=(403, 404, 405), reflow: bool = False) -> int:
        response = self.page.goto(self.base + path)
        status = response.status if response else 0
        if status not in skip_statuses:
            self.check(label)
            if reflow:
                self.reflow(f"{label} ({path})")
        return status

    def reflow(self, label: str) -> None:
        """SC 1.4.10: at 320 CSS px wide the page does not scroll sideways (wide tables scroll
        inside their own box). Measured on the page as loaded, then the window is put back."""
        size = self.page.viewport_size
        self.page.set_viewport_size({"width": 320, "height": 800})
        width = self.page.evaluate("() => document.documentElement.scrollWidth")
        if width > 320:
            self.sideways.append(f"{label}: {width} px wide")
        self.page.set_viewport_size(size)


def _log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Log out")


def test_every_page_passes_axe_as_every_persona_and_the_vendor(seed_demo, page, live_server, settings):
    settings.AXES_ENABLED = False
    world = _demo_world(live_server, seed_demo)
    page.set_viewport_size({"width": 1280, "height": 900})
    crawl = Crawl(page, live_server.url)

    crawl.visit("/accounts/login/", "anonymous")
    # With single sign-on on and its provider not answering: the button, the message, and the
    # password form as site staff's emergency sign-in (nothing is fetched from the provider here).
    with override_settings(**SSO_ON):
        assert crawl.visit("/accounts/login/?sso=down", "anonymous login, single sign-on on", skip_statuses=()) == 200
        assert page.get_by_text("is not answering").is_visible()
    assert crawl.visit(world["join"], "anonymous accounts:join", skip_statuses=()) == 200
    # The admin opens every page; the other personas the pages whose controls depend on the role
    # (two instances of each), which keeps the crawl to about a hundred pages.
    for persona in PERSONAS:
        _log_in(page, live_server.url, persona)
        for name, build in PAGES.items():
            if persona != "admin" and name not in ROLE_PAGES:
                continue
            for i, path in enumerate(build(world)[: None if persona == "admin" else 2]):
                # Reflow: the admin's first instance of each page is also measured 320 px wide.
                crawl.visit(path, f"{persona} {name}", reflow=persona == "admin" and i == 0)

    # Error states: a 404, a 403 (a viewer on an edit page), a form with errors, a section save
    # with errors (focus goes to the summary), a conflict.
    _log_in(page, live_server.url, "viewer")
    assert crawl.visit("/assessments/999999/", "404", skip_statuses=()) == 404
    assert crawl.visit(reverse("vendors:create"), "403", skip_statuses=()) == 403
    _log_in(page, live_server.url, "analyst")
    crawl.visit(reverse("vendors:create"), "vendor form")
    page.click("form button[type=submit]:not(.btn-outline-light)")
    crawl.check("vendor form with errors")
    draft = world["by_status"]["draft"]
    section = reverse("assessments:section", args=[draft.pk, "SUP"])
    crawl.visit(section, "section")
    page.check("#na-SUP-03")
    page.fill("input[name='nar-SUP-03']", "")
    page.click("#section-form button[type=submit]:not([name])")
    page.wait_for_selector("#error-summary")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'error-summary'")
    crawl.check("section with errors")
    page.goto(live_server.url + section)  # then someone else saves SUP while this page is open
    revision = services.section_revisions(draft).get("SUP", 0)
    services.answers_save(
        assessment=draft, values={"SUP-05": AnswerInput(365)}, by=None, base_revisions={"SUP": revision}
    )
    page.fill("#in-SUP-05", "30")
    page.click("#section-form button[type=submit]:not([name])")
    page.wait_for_selector("text=was changed while you were editing")
    crawl.check("conflict")

    # Two-step sign-in: after the password, the code prompt.
    viewer = Membership.objects.get(organisation=world["by_status"]["draft"].organisation, user__username="viewer")
    TOTPDevice.objects.create(user=viewer.user, name="Authenticator app", confirmed=True)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "viewer")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/two-step/verify/**")
    crawl.check("viewer accounts:two_step_verify")

    # The vendor: the portal link, then every portal page.
    page.context.clear_cookies()
    page.goto(world["portal_link"])
    page.wait_for_url("**/portal/a/**")
    crawl.check("vendor portal:enter")
    for name, build in PORTAL_PAGES.items():
        for i, path in enumerate(build(world)):
            crawl.visit(path, f"vendor {name}", reflow=i == 0)

    assert crawl.visited > 80
    assert not crawl.failures, "\n\n".join(crawl.failures)
    assert crawl.sideways == [], "pages wider than a 320 px window"
