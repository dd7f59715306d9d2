"""Every URL pattern, every persona: the expected status, and 404 (never data) for outsiders.

A URL added without an entry here fails test_every_url_is_in_the_matrix.

Personas: the roles of one organisation, another organisation's admin ("outsider"),
site staff, and two vendor respondents with no account: "vendor_link" opened the
invitation link for the assessment under test, "vendor_other" one for another
assessment. To the staff screens both are anonymous visitors.
"""

import datetime as dt
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from procurement.assessments import services
from procurement.assessments.evidence import evidence_store
from procurement.core.calendar_feeds import calendar_feed_create
from procurement.core.members import member_invitation_token, member_invite
from procurement.core.models import ExternalIdentity, WebhookEndpoint
from procurement.core.tokens import api_token_create
from procurement.portal import services as portal_services
from procurement.portfolio.models import BoardPack
from procurement.questionbank.services import bank_load, version_new_draft
from procurement.reports.models import ReportFile
from procurement.reports.services import report_current
from procurement.vendors.models import (
    Contract,
    ContractDocument,
    Document,
    Offboarding,
    Provider,
    SupplyLink,
    VendorContact,
)
from tests.conftest import (
    SMALL_BANK,
    load_shipped_version,
    make_assessment,
    make_complete,
    make_decided,
    make_org,
    make_personas,
    make_service,
    module_world,
)

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "outsider", "viewer", "analyst", "reviewer", "admin", "staff", "vendor_link", "vendor_other")
VENDORS = ("vendor_link", "vendor_other")
OK = "ok"  # the action is allowed: 200, 302 (redirect after a write) or 400 (validation message)
ALLOWED = {200, 302, 400, 409}

READ = {"anonymous": 302, "outsider": 404, "viewer": 200, "analyst": 200, "reviewer": 200, "admin": 200, "staff": 404}
EDIT = {**READ, "viewer": 403, "reviewer": 403, "analyst": OK, "admin": OK}
REVIEW = {**READ, "viewer": 403, "analyst": 403, "reviewer": OK, "admin": OK}
COMMENT = {**READ, "viewer": 403, "analyst": OK, "reviewer": OK, "admin": OK}
ANY_MEMBER = {
    "anonymous": 302,
    "outsider": 200,
    "viewer": 200,
    "analyst": 200,
    "reviewer": 200,
    "admin": 200,
    "staff": 200,
}
ORG_LIST = {**ANY_MEMBER, "staff": 404}
# Portal pages: only the session opened from this assessment's link gets in.
PORTAL = {p: 404 for p in PERSONAS} | {"vendor_link": 200}
PORTAL_WRITE = {**PORTAL, "vendor_link": OK}
ORG_CREATE = {**ORG_LIST, "viewer": 403, "reviewer": 403}
ORG_QUERY = {**{p: OK for p in ANY_MEMBER}, "anonymous": 302, "staff": 404}  # 400 without query parameters

# name: (method, kwargs builder, expectations)
MATRIX = {
    "core:home": ("get", lambda w: {}, ANY_MEMBER),
    "questionbank:version_preview": ("get", lambda w: {"pk": w["own_version"].pk}, {**READ, "staff": 200}),
    "questionbank:version_compare": ("get", lambda w: {"pk": w["own_version"].pk}, {**READ, "staff": 200}),
    "questionbank:version_download": ("get", lambda w: {"pk": w["own_version"].pk}, {**READ, "staff": 200}),
    # Only the organisation's admins edit its banks; site staff see them but edit shipped banks only.
    "questionbank:version_publish": (
        "get",
        lambda w: {"pk": w["own_version"].pk},
        {**READ, "viewer": 403, "analyst": 403, "reviewer": 403, "staff": 403},
    ),
    "questionbank:version_rules": (
        "get",
        lambda w: {"pk": w["own_version"].pk},
        {**READ, "viewer": 403, "analyst": 403, "reviewer": 403, "staff": 403},
    ),
    "questionbank:version_upstream": (
        "get",
        lambda w: {"pk": w["own_version"].pk},
        {**READ, "viewer": 403, "analyst": 403, "reviewer": 403, "staff": 403},
    ),
    "questionbank:version_copy": (
        "post",
        lambda w: {"pk": w["own_version"].pk},
        {**READ, "viewer": 403, "analyst": 403, "reviewer": 403, "admin": OK, "staff": 403},
    ),
    "vendors:list": ("get", lambda w: {}, ORG_LIST),
    "vendors:create": ("get", lambda w: {}, ORG_CREATE),
    "vendors:import": ("get", lambda w: {}, ORG_CREATE),
    "vendors:import_template": ("get", lambda w: {}, ORG_LIST),
    "vendors:detail": ("get", lambda w: {"pk": w["vendor"].pk}, READ),
    "vendors:edit": ("post", lambda w: {"pk": w["vendor"].pk}, EDIT),
    "vendors:service_create": ("post", lambda w: {"pk": w["vendor"].pk}, EDIT),
    "vendors:service_edit": ("post", lambda w: {"pk": w["vendor"].pk, "service_pk": w["service"].pk}, EDIT),
    "vendors:contact_create": ("post", lambda w: {"pk": w["vendor"].pk}, EDIT),
    "vendors:service": ("get", lambda w: {"pk": w["vendor"].pk, "service_pk": w["service"].pk}, READ),
    "vendors:link_add": ("post", lambda w: {"pk": w["vendor"].pk, "service_pk": w["service"].pk}, EDIT),
    "vendors:link_remove": (
        "post",
        lambda w: {"pk": w["vendor"].pk, "service_pk": w["service"].pk, "link_pk": w["link"].pk},
        EDIT,
    ),
    "vendors:provider_add": ("post", lambda w: {"pk": w["vendor"].pk, "service_pk": w["service"].pk}, EDIT),
    "vendors:vendor_status": ("post", lambda w: {"pk": w["vendor"].pk}, EDIT),
    "vendors:contract_edit": ("get", lambda w: {"pk": w["vendor"].pk, "service_pk": w["service"].pk}, EDIT),
    "vendors:contract_document_add": ("post", lambda w: {"pk": w["vendor"].pk, "service_pk": w["service"].pk}, EDIT),
    # Read before the removal below takes the document off the contract.
    "vendors:contract_document": (
        "get",
        lambda w: {"pk": w["vendor"].pk, "service_pk": w["service"].pk, "link_pk": w["contract_document"].pk},
        READ,
    ),
    "vendors:contract_document_remove": (
        "post",
        lambda w: {"pk": w["vendor"].pk, "service_pk": w["service"].pk, "link_pk": w["contract_document"].pk},
        EDIT,
    ),
    "vendors:offboarding_certificate": ("get", lambda w: {"pk": w["vendor"].pk, "service_pk": w["service"].pk}, READ),
    # No status given: refused with a message and a redirect.
    "vendors:service_status": ("post", lambda w: {"pk": w["vendor"].pk, "service_pk": w["service"].pk}, EDIT),
    # Not offboarding: refused with a message and a redirect.
    "vendors:offboarding_step": (
        "post",
        lambda w: {"pk": w["vendor"].pk, "service_pk": w["service"].pk, "step": "access"},
        EDIT,
    ),
    # The checklist is open and no reason is given: refused with a message (400).
    "vendors:service_end": ("post", lambda w: {"pk": w["vendor"].pk, "service_pk": w["service"].pk}, EDIT),
    "vendors:providers": ("get", lambda w: {}, ORG_LIST),
    "vendors:provider": ("get", lambda w: {"provider_pk": w["link"].provider_id}, READ),
    # Still in a chain, so every allowed try is refused with a message and a redirect.
    "vendors:provider_delete": ("post", lambda w: {"provider_pk": w["link"].provider_id}, EDIT),
    # The evidence register and the model lifecycle.
    "vendors:evidence": ("get", lambda w: {"pk": w["vendor"].pk}, READ),
    "vendors:document_edit": ("post", lambda w: {"pk": w["vendor"].pk, "doc_pk": w["evidence"].document_id}, EDIT),
    "vendors:document_download": (
        "get",
        lambda w: {"pk": w["vendor"].pk, "doc_pk": w["evidence"].document_id},
        READ,
    ),
    "vendors:soc2_review": ("post", lambda w: {"pk": w["vendor"].pk, "doc_pk": w["evidence"].document_id}, COMMENT),
    "vendors:model_notice_import": ("post", lambda w: {"pk": w["vendor"].pk}, EDIT),
    "vendors:model_notice_template": ("get", lambda w: {"pk": w["vendor"].pk}, READ),
    "vendors:model_lifecycle": ("post", lambda w: {"pk": w["vendor"].pk, "service_pk": w["service"].pk}, EDIT),
    "portfolio:index": ("get", lambda w: {}, ORG_LIST),
    "portfolio:scenario_export": ("get", lambda w: {"fmt": "csv"}, ORG_QUERY),
    "portfolio:compare": ("get", lambda w: {}, ORG_LIST),
    # Only org admins set the reporting currency and the rates.
    "portfolio:currency_rates": ("get", lambda w: {}, {**ORG_LIST, "viewer": 403, "analyst": 403, "reviewer": 403}),
    "portfolio:reviews": ("get", lambda w: {}, ORG_LIST),
    "portfolio:reassess": ("post", lambda w: {"pk": w["decided"].pk}, EDIT),
    "portfolio:reassessment_settings": (
        "get",
        lambda w: {},
        {**ORG_LIST, "viewer": 403, "analyst": 403, "reviewer": 403},
    ),
    "portfolio:conditions": ("get", lambda w: {}, ORG_LIST),
    "portfolio:conditions_export": ("get", lambda w: {"fmt": "csv"}, ORG_LIST),
    "portfolio:calendar": ("get", lambda w: {}, ORG_LIST),
    # The address is the credential (like a vendor link): whoever holds the analyst's live
    # address reads the analyst's organisation's dates; a revoked or wrong one is 404 for
    # everyone (tests/portfolio/test_calendar.py).
    "portfolio:calendar_feed": ("get", lambda w: {"secret": w["feed_secret"]}, {p: 200 for p in PERSONAS}),
    # Generating renders the asker's own organisation's pack: an outsider gets theirs, never ours.
    "portfolio:board_pack_generate": ("post", lambda w: {}, ORG_LIST),
    "portfolio:board_pack_status": ("get", lambda w: {"digest": w["board_pack"].inputs_hash}, READ),
    "portfolio:board_pack_download": ("get", lambda w: {"digest": w["board_pack"].inputs_hash}, READ),
    "assessments:list": ("get", lambda w: {}, ANY_MEMBER),
    "assessments:create": ("get", lambda w: {}, ORG_CREATE),
    "assessments:detail": ("get", lambda w: {"pk": w["draft"].pk}, READ),
    "assessments:section": ("post", lambda w: {"pk": w["draft"].pk, "section": "SUP"}, EDIT),
    "assessments:submit": ("post", lambda w: {"pk": w["draft"].pk}, EDIT),
    "assessments:review": ("get", lambda w: {"pk": w["review"].pk}, READ),
    "assessments:review_start": ("post", lambda w: {"pk": w["review"].pk}, REVIEW),
    "assessments:override": ("post", lambda w: {"pk": w["review"].pk}, REVIEW),
    "assessments:basis_confirm": ("post", lambda w: {"pk": w["review"].pk}, REVIEW),
    "assessments:finding": ("post", lambda w: {"pk": w["review"].pk}, REVIEW),
    "assessments:request_changes": ("post", lambda w: {"pk": w["review"].pk}, REVIEW),
    "assessments:finding_detail": ("get", lambda w: {"pk": w["review"].pk, "finding_pk": w["finding"].pk}, READ),
    # Owned by the analyst: the owner, analysts and admins update; reviewers and admins verify.
    "assessments:finding_update": ("post", lambda w: {"pk": w["review"].pk, "finding_pk": w["finding"].pk}, EDIT),
    "assessments:finding_verify": ("post", lambda w: {"pk": w["review"].pk, "finding_pk": w["finding"].pk}, REVIEW),
    "assessments:finding_accept": ("post", lambda w: {"pk": w["review"].pk, "finding_pk": w["finding"].pk}, REVIEW),
    "assessments:decide": ("post", lambda w: {"pk": w["review"].pk}, REVIEW),
    "assessments:reviewers": ("post", lambda w: {"pk": w["review"].pk}, {**COMMENT}),
    "assessments:accept": ("get", lambda w: {"pk": w["review"].pk}, REVIEW),
    "assessments:acceptance_request": ("post", lambda w: {"pk": w["review"].pk}, REVIEW),
    "assessments:acceptance_decline": (
        "post",
        lambda w: {"pk": w["review"].pk, "acceptance_pk": w["acceptance"].pk},
        REVIEW,
    ),
    # Any signed-in person confirms their own password; only org admins set decision rules.
    "accounts:confirm_password": ("get", lambda w: {}, ANY_MEMBER),
    "accounts:decision_rules": (
        "get",
        lambda w: {},
        {**ORG_LIST, "viewer": 403, "analyst": 403, "reviewer": 403},
    ),
    # Org admins manage their own organisation's members; another organisation's member is 404.
    "accounts:members": ("get", lambda w: {}, {**ORG_LIST, "viewer": 403, "analyst": 403, "reviewer": 403}),
    "accounts:member_change": (
        "post",
        lambda w: {"pk": w["membership"].pk},
        {**READ, "viewer": 403, "analyst": 403, "reviewer": 403, "admin": OK},
    ),
    "accounts:member_withdraw": (
        "post",
        lambda w: {"pk": w["member_invitation"].pk},
        {**READ, "viewer": 403, "analyst": 403, "reviewer": 403, "admin": OK},
    ),
    # A sign-in through single sign-on waiting for an admin's approval (procurement/core/sso.py).
    "accounts:sso_request": (
        "post",
        lambda w: {"pk": w["sso_request"].pk},
        {**READ, "viewer": 403, "analyst": 403, "reviewer": 403, "admin": OK},
    ),
    "accounts:two_step_require": (
        "post",
        lambda w: {},
        {**ORG_LIST, "outsider": OK, "viewer": 403, "analyst": 403, "reviewer": 403, "admin": OK},
    ),
    "accounts:webhooks": ("get", lambda w: {}, {**ORG_LIST, "viewer": 403, "analyst": 403, "reviewer": 403}),
    "accounts:webhook_detail": (
        "get",
        lambda w: {"pk": w["webhook"].pk},
        {**READ, "viewer": 403, "analyst": 403, "reviewer": 403},
    ),
    "accounts:webhook_action": (
        "post",
        lambda w: {"pk": w["webhook"].pk},
        {**READ, "viewer": 403, "analyst": 403, "reviewer": 403, "admin": OK},
    ),
    # One's own two-step sign-in; the code prompt sends anyone who owes no code on.
    "accounts:two_step": ("get", lambda w: {}, ANY_MEMBER),
    # One's own API tokens; another person's token is as unknown as a wrong id.
    "accounts:tokens": ("get", lambda w: {}, ANY_MEMBER),
    "accounts:password": ("get", lambda w: {}, ANY_MEMBER),
    "accounts:token_revoke": (
        "post",
        lambda w: {"pk": w["api_token"].pk},
        {**{p: 404 for p in PERSONAS if p not in VENDORS}, "anonymous": 302, "analyst": OK},
    ),
    "accounts:two_step_verify": ("get", lambda w: {}, {p: 302 for p in PERSONAS}),
    # One's own calendar feed address: no object, every signed-in person has their own page.
    "accounts:calendar_feed": ("get", lambda w: {}, ANY_MEMBER),
    "accounts:calendar_feed_revoke": ("post", lambda w: {}, {**{p: OK for p in ANY_MEMBER}, "anonymous": 302}),
    # The invitation link is the credential; someone already signed in is asked to log out first.
    "accounts:join": (
        "get",
        lambda w: {"token": w["member_token"]},
        {p: (200 if p in ("anonymous", *VENDORS) else 409) for p in PERSONAS},
    ),
    "assessments:review_answers": ("post", lambda w: {"pk": w["review"].pk, "section": "CON"}, REVIEW),
    "assessments:history": ("get", lambda w: {"pk": w["draft"].pk, "code": "SUP-05"}, READ),
    "assessments:comment": ("post", lambda w: {"pk": w["draft"].pk, "code": "SUP-05"}, COMMENT),
    "assessments:evidence": ("get", lambda w: {"pk": w["draft"].pk, "evidence_pk": w["evidence"].pk}, READ),
    "assessments:import": ("post", lambda w: {"pk": w["draft"].pk}, EDIT),
    "assessments:export": ("get", lambda w: {"pk": w["draft"].pk}, READ),
    "assessments:upgrade": ("get", lambda w: {"pk": w["draft"].pk}, EDIT),
    # The organisation's own assessments under one of its bank versions: members who move them.
    "assessments:bank_rescoring": ("get", lambda w: {"pk": w["own_version"].pk}, EDIT),
    "reports:preview": ("get", lambda w: {"pk": w["review"].pk}, READ),
    "reports:generate": ("post", lambda w: {"pk": w["review"].pk}, {**READ, "viewer": 200}),
    "reports:status": ("get", lambda w: {"pk": w["review"].pk}, READ),
    "reports:download": ("get", lambda w: {"pk": w["review"].pk, "digest": w["report"].content_hash}, READ),
    "reports:export_xlsx": ("get", lambda w: {"pk": w["review"].pk}, READ),
    "reports:export_json": ("get", lambda w: {"pk": w["review"].pk}, READ),
    "assessments:chain_from_answer": ("post", lambda w: {"pk": w["draft"].pk, "code": "SUP-16"}, EDIT),
    "assessments:clarification": ("post", lambda w: {"pk": w["draft"].pk, "code": "SUP-05"}, COMMENT),
    "vendorlinks:invite": ("post", lambda w: {"pk": w["draft"].pk}, EDIT),
    "vendorlinks:revoke": ("post", lambda w: {"pk": w["draft"].pk, "invitation_pk": w["spare_invitation"].pk}, EDIT),
    "vendorlinks:reopen": ("post", lambda w: {"pk": w["draft"].pk}, EDIT),
    "vendorlinks:resend": ("post", lambda w: {"pk": w["draft"].pk, "invitation_pk": w["spare_invitation"].pk}, EDIT),
    "portal:overview": ("get", lambda w: {"pk": w["draft"].pk}, PORTAL),
    "portal:section": ("post", lambda w: {"pk": w["draft"].pk, "section": "SUP"}, PORTAL_WRITE),
    "portal:clarify": ("get", lambda w: {"pk": w["draft"].pk, "code": "SUP-05"}, PORTAL),
    "portal:submit": ("post", lambda w: {"pk": w["draft"].pk}, PORTAL_WRITE),
    "portal:evidence": ("get", lambda w: {"pk": w["draft"].pk, "evidence_pk": w["evidence"].pk}, PORTAL),
    # Whoever holds a link gets in (the token is the credential); a bad one is 404 (tests/portal).
    "portal:enter": ("get", lambda w: {"token": w["token"]}, {p: 302 for p in PERSONAS}),
    "portal:leave": ("post", lambda w: {}, {p: 200 for p in PERSONAS}),
    # Each person's own settings: no object, so every signed-in person gets their own page.
    "notifications:preferences": ("get", lambda w: {}, ANY_MEMBER),
    "login": ("get", lambda w: {}, {p: (200 if p in ("anonymous", *VENDORS) else 302) for p in PERSONAS}),
    "logout": ("post", lambda w: {}, {p: 302 for p in PERSONAS}),
    # Single sign-on is off unless configured (as here): its two legs do not exist (tests/core/test_sso.py).
    "sso_login": ("get", lambda w: {}, {p: 404 for p in PERSONAS}),
    "sso_callback": ("get", lambda w: {}, {p: 404 for p in PERSONAS}),
}

# The admin: editors (org admins, site staff) get in; members get 403; anonymous is sent to log in.
ADMIN_INDEX = {
    "anonymous": 302,
    "vendor_link": 302,
    "vendor_other": 302,
    "outsider": 200,
    "viewer": 403,
    "analyst": 403,
    "reviewer": 403,
    "admin": 200,
    "staff": 200,
}


def all_url_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= all_url_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_url_is_in_the_matrix():
    # The REST API's URLs ("api:…") have their own matrix, by token rather than session:
    # tests/api/test_api_access_matrix.py, which checks it lists every one of them.
    missing = sorted(n for n in all_url_names() if not n.startswith(("admin:", "api:")) and n not in MATRIX)
    assert missing == [], f"add these URLs to the access matrix: {missing}"


def _module_world() -> dict:
    """The world: built once for the module's tests (about 0.5 s on PostgreSQL, and sixteen
    tests use it), each test in a savepoint of its own with its own copy (module_world)."""
    user_model = get_user_model()
    org, other_org = make_org(), make_org(name="Other Corp", slug="other")
    personas = make_personas(user_model, org, other_org)
    shipped = load_shipped_version()
    service = make_service(org, personas)
    complete = make_complete(make_assessment(service, shipped, personas), personas)
    decided = make_decided(org, personas, shipped)
    world = _build_world(user_model, personas, org, shipped, complete, service, decided)
    return {**world, "org": org, "other_org": other_org, "personas": personas}


module_world_rows, world, org, other_org, personas = module_world(_module_world, "org", "other_org", "personas")


def _build_world(django_user_model, personas, org, shipped_version, complete_assessment, service, decided):
    own_version = version_new_draft(version=bank_load(raw=SMALL_BANK, source="s", organisation=org).version)
    review = complete_assessment
    services.assessment_submit(assessment=review, by=personas["analyst"])
    acceptance = services.acceptance_request(assessment=review, by=personas["reviewer"], scope="residual")
    draft = services.assessment_create(service=service, bank=shipped_version.bank, by=personas["analyst"])
    finding = services.finding_add(
        assessment=review, kind="condition", text="Renew the lease", owner_user=personas["analyst"], by=None
    )
    evidence = evidence_store(
        assessment=draft,
        question_code="SEC-01B",
        upload=SimpleUploadedFile("soc2.pdf", b"%PDF-1.7 x"),
        by=None,
        field="x",
    )
    contact = VendorContact.objects.create(vendor=service.vendor, name="Vera", email="vera@frontier.example")
    spare = VendorContact.objects.create(vendor=service.vendor, name="Sam", email="sam@frontier.example")
    other_draft = services.assessment_create(service=service, bank=shipped_version.bank, by=personas["analyst"])
    by = personas["analyst"]
    (invitation,) = portal_services.invite(assessment=draft, contacts=[contact], by=by, base_url="")
    (spare_invitation,) = portal_services.invite(assessment=draft, contacts=[spare], by=by, base_url="")
    (other_invitation,) = portal_services.invite(assessment=other_draft, contacts=[contact], by=by, base_url="")
    link = SupplyLink.objects.create(
        service=service, provider=Provider.objects.create(organisation=org, name="Rival DC"), role="inference_compute"
    )
    # A ready report without rendering one (the PDF itself is tested in tests/reports).
    record, digest, _ = report_current(review)
    report = ReportFile(assessment=review, content_hash=digest, record=record, status=ReportFile.Status.READY, pages=1)
    report.file.save(f"{digest}.pdf", ContentFile(b"%PDF-1.7 placeholder"), save=False)
    report.save()
    # A ready board pack of the organisation, likewise without rendering one.
    board_pack = BoardPack(organisation=org, inputs_hash="b" * 64, inputs={"as_of": "2026-11-26"}, status="ready")
    board_pack.file.save("pack.pdf", ContentFile(b"%PDF-1.7 placeholder"), save=False)
    board_pack.save()
    member_invitation = member_invite(
        organisation=org, email="new@acme.example", role="analyst", by=personas["admin"], base_url=""
    )
    webhook = WebhookEndpoint.objects.create(
        organisation=org, url="https://hooks.example.com/x", events=["assessment.decided"], secret="whsec_eA=="
    )
    contract = Contract.objects.create(
        service=service, buyer_party="Acme", vendor_party="Frontier", start_date=dt.date(2026, 1, 1)
    )
    document = Document.objects.create(
        vendor=service.vendor, original_name="msa.pdf", content_type="application/pdf", size=10, sha256="a" * 64
    )
    document.file.save("msa", ContentFile(b"%PDF-1.7 x"), save=True)
    Offboarding.objects.create(service=service, deletion_certificate=document)
    newcomer = django_user_model.objects.create_user(username="newcomer", email="new@idp.example")
    sso_request = ExternalIdentity.objects.create(
        user=newcomer, issuer="https://idp.example", subject="n-1", organisation=org, status="pending"
    )
    return {
        "sso_request": sso_request,
        "contract_document": ContractDocument.objects.create(contract=contract, document=document, kind="msa"),
        "api_token": api_token_create(user=personas["analyst"], name="sync", scope="read", days=30)[0],
        "feed_secret": calendar_feed_create(user=personas["analyst"], scope="all")[1],
        "webhook": webhook,
        "membership": personas["viewer"].memberships.get(),
        "member_invitation": member_invitation,
        # Another invitation than the one the admin withdraws above.
        "member_token": member_invitation_token(
            member_invite(organisation=org, email="join@acme.example", role="viewer", by=personas["admin"], base_url="")
        ),
        "own_version": own_version,
        "vendor": service.vendor,
        "service": service,
        "draft": draft,
        "other_draft": other_draft,
        "review": review,
        "decided": decided,
        "finding": finding,
        "acceptance": acceptance,
        "evidence": evidence,
        "report": report,
        "board_pack": board_pack,
        "spare_invitation": spare_invitation,
        "link": link,
        "token": portal_services.invitation_token(invitation),
        "links": {
            "vendor_link": portal_services.invitation_link(invitation, base_url=""),
            "vendor_other": portal_services.invitation_link(other_invitation, base_url=""),
        },
    }


def _become(client, personas, world, persona) -> None:
    """A fresh session for the persona: logged in, anonymous, or opened from a vendor link.

    The persona's first session in a test is made the real way (logging in, or opening the link);
    each later one is a copy of it under a new session key, which is what signing in again gives,
    without its ten queries (a matrix test opens about 150 URLs)."""
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
    if persona == "anonymous":
        return
    signed_in = world.setdefault("signed_in", {})  # this test's first session of each persona
    first = signed_in.get(persona)
    if first is None:
        client.logout()
        if persona in VENDORS:
            assert client.get(world["links"][persona]).status_code == 302
        else:
            client.force_login(personas[persona])
        signed_in[persona] = dict(client.session.items())
        return
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session.update(first)
    session.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(client, personas, world, persona):
    failures = []
    for name, (method, kwargs, expectations) in MATRIX.items():
        _become(client, personas, world, persona)
        url = reverse(name, kwargs=kwargs(world))
        status = getattr(client, method)(url).status_code
        # To the staff screens a vendor respondent is an anonymous visitor.
        expected = expectations.get(persona, expectations["anonymous"])
        if (expected == OK and status not in ALLOWED) or (expected != OK and status != expected):
            failures.append(f"{method.upper()} {url} ({name}): {status}, expected {expected}")
    _become(client, personas, world, persona)  # the logout entry above ended the session
    admin = client.get(reverse("admin:index"), follow=persona not in ("anonymous", *VENDORS))
    if admin.status_code != ADMIN_INDEX[persona]:
        failures.append(f"GET /admin/: {admin.status_code}, expected {ADMIN_INDEX[persona]}")
    assert failures == []


# Every URL another organisation's member (or another assessment's vendor link) is refused.
# One test per persona, with one world: building the world per URL cost a minute per database.
OUTSIDER_URLS = {
    "outsider": [n for n, (m, _, e) in MATRIX.items() if e.get("outsider") == 404],
    "vendor_other": [n for n in MATRIX if n.startswith("portal:") and MATRIX[n][2]["vendor_other"] == 404],
}


@pytest.mark.parametrize("persona", OUTSIDER_URLS)
def test_outsiders_get_404_and_no_data(client, personas, world, persona):
    failures = []
    for name in OUTSIDER_URLS[persona]:
        method, kwargs, _ = MATRIX[name]
        _become(client, personas, world, persona)
        url = reverse(name, kwargs=kwargs(world))
        response = getattr(client, method)(url)
        body = response.content.decode(errors="ignore")
        if response.status_code != 404:
            failures.append(f"{method.upper()} {url} ({name}): {response.status_code}, expected 404")
        leaked = [word for word in ("Frontier", "ClaimsBot", "SUP-05") if word in body]
        if leaked:
            failures.append(f"{method.upper()} {url} ({name}) shows {', '.join(leaked)}")
    assert len(OUTSIDER_URLS[persona]) >= 5
    assert failures == []


# Pages a member who owes the second step may still reach: the step itself, leaving, links
# that are credentials of their own (vendor portal, invitations) and the login page.
TWO_STEP_OPEN = ("accounts:two_step", "accounts:two_step_verify", "logout", "login", "accounts:join")


@pytest.mark.parametrize("enrolled", [False, True], ids=["not-set-up", "set-up-not-verified"])
def test_a_member_who_owes_the_second_step_reaches_no_page_but_the_step(client, personas, world, org, enrolled):
    """The matrix's persona without MFA where MFA is required (and one with MFA who has not typed
    the code yet): every staff URL sends them to the step, whatever their role would allow."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    org.require_two_step = True
    org.save()
    user = personas["admin"]
    if enrolled:
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.force_login(user)
    step = reverse("accounts:two_step_verify" if enrolled else "accounts:two_step")
    failures = []
    for name, (method, kwargs, _) in MATRIX.items():
        if name in TWO_STEP_OPEN or name.startswith("portal:"):
            continue
        response = getattr(client, method)(reverse(name, kwargs=kwargs(world)))
        if response.status_code != 302 or not response["Location"].startswith(step):
            failures.append(f"{name}: {response.status_code} {response.get('Location', '')}")
    admin = client.get(reverse("admin:index"))
    if not admin["Location"].startswith(step):
        failures.append(f"admin: {admin.status_code}")
    assert failures == []


def test_a_vendor_link_sees_and_reuses_only_its_own_assessments_documents(client, personas, world):
    """Documents are the vendor's, but a link holder reaches only those on its own assessment's
    questions: not a file the team attached in another assessment of the same vendor."""
    elsewhere = evidence_store(
        assessment=world["other_draft"],
        question_code="SEC-02",
        upload=SimpleUploadedFile("internal roadmap.pdf", b"%PDF-1.7 roadmap"),
        by=personas["analyst"],
        field="x",
    )
    draft = world["draft"]
    _become(client, personas, world, "vendor_link")
    page = client.get(reverse("portal:section", args=[draft.pk, "SEC"])).content.decode()
    assert "soc2.pdf" in page and "internal roadmap.pdf" not in page
    refused = client.post(
        reverse("portal:section", args=[draft.pk, "SEC"]),
        {"revision": 0, "attach-SEC-02": str(elsewhere.document_id), "attach_to": "SEC-02"},
    )
    assert refused.status_code == 400 and "cannot be attached here" in refused.content.decode()
    assert not draft.evidence.filter(document=elsewhere.document).exists()
    download = reverse("portal:evidence", args=[draft.pk, elsewhere.pk])
    assert client.get(download).status_code == 404
    # Its own document can support a second answer of its own assessment.
    reused = client.post(
        reverse("portal:section", args=[draft.pk, "SEC"]),
        {"revision": 0, "attach-SEC-02": str(world["evidence"].document_id), "attach_to": "SEC-02"},
    )
    assert reused.status_code == 302 and draft.evidence.filter(question_code="SEC-02").count() == 1
