"""The vendor portal over HTTP: the link exchange, scope on every request, what is never shown."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from procurement.assessments import services as assessment_services
from procurement.assessments.evidence import evidence_store
from procurement.assessments.models import Answer, Attestation, Clarification, Evidence
from procurement.assessments.selectors import bank_structure
from procurement.portal import services
from procurement.portal.models import BadLinkAttempt, Invitation
from procurement.portal.views import SESSION_KEY
from procurement.vendors.models import AIService, VendorContact

pytestmark = pytest.mark.django_db

ATTESTED = {"name": "Vera Vendor", "title": "Head of Trust", "confirmed": "on"}


def _path(invitation):
    return services.invitation_link(invitation, base_url="")


def _expire(invitation):
    now = timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=now - dt.timedelta(days=20), expires_at=now - dt.timedelta(seconds=1)
    )


# --- The link -------------------------------------------------------------------------


def test_a_valid_link_is_exchanged_for_a_session_and_redirects_off_the_token(client, invitation):
    response = client.get(_path(invitation))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:overview", args=[invitation.assessment_id])
    assert response["Referrer-Policy"] == "no-referrer"
    assert client.session[SESSION_KEY] == invitation.pk
    page = client.get(response["Location"])
    assert page.status_code == 200
    # Pages past the exchange carry no token; same-origin keeps Origin on form posts for CSRF.
    assert page["Referrer-Policy"] == "same-origin" and "no-store" in page["Cache-Control"]
    invitation.refresh_from_db()
    assert invitation.first_used_at is not None


def test_the_exchange_issues_a_new_session_key(client, invitation):
    client.get(reverse("login"))  # some earlier session in this browser
    before = client.session.session_key
    client.get(_path(invitation))
    assert client.session.session_key != before


def test_an_expired_link_gets_410_naming_whom_to_contact(client, invitation):
    _expire(invitation)
    response = client.get(_path(invitation))
    body = response.content.decode()
    assert response.status_code == 410
    assert "This link has expired" in body and "ana@acme.example" in body and "Acme Buyer" in body
    assert SESSION_KEY not in client.session


def test_a_revoked_link_gets_410_and_ends_a_session_already_open(vendor_client, invitation, personas):
    overview = reverse("portal:overview", args=[invitation.assessment_id])
    assert vendor_client.get(overview).status_code == 200
    services.invitation_revoke(invitation=invitation, by=personas["analyst"])
    response = vendor_client.get(overview)
    assert response.status_code == 410 and "withdrawn" in response.content.decode()
    assert vendor_client.get(_path(invitation)).status_code == 410
    assert vendor_client.get(overview).status_code == 404  # the session no longer names it


def test_a_link_expiring_mid_session_stops_working(vendor_client, invitation):
    _expire(invitation)
    section = reverse("portal:section", args=[invitation.assessment_id, "SUP"])
    response = vendor_client.post(section, {"q-SUP-01": "yes"})
    assert response.status_code == 410
    assert not Answer.objects.filter(question_code="SUP-01").exists()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("xy" if t[-2:] != "xy" else "yx"),
        lambda t: "A" + t,
        lambda t: t.split(":")[0],
        lambda t: "x",
    ],
)
def test_tampered_links_get_404_and_no_session(client, invitation, mangle):
    token = services.invitation_token(invitation)
    response = client.get(reverse("portal:enter", args=[mangle(token)]))
    assert response.status_code == 404 and "not recognised" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert BadLinkAttempt.objects.count() == 1


def test_guessing_is_rate_limited_per_address_even_for_a_valid_link(client, invitation, settings):
    settings.PORTAL_BAD_TOKEN_LIMIT = 3
    for i in range(3):
        assert client.get(reverse("portal:enter", args=[f"guess{i}:abc"])).status_code == 404
    assert client.get(_path(invitation)).status_code == 429
    assert SESSION_KEY not in client.session
    # Another address is not affected, and the window passes.
    assert client.get(_path(invitation), REMOTE_ADDR="10.0.0.9").status_code == 302
    BadLinkAttempt.objects.update(at=timezone.now() - dt.timedelta(seconds=settings.PORTAL_BAD_TOKEN_WINDOW + 1))
    assert client.get(_path(invitation)).status_code == 302


def test_behind_a_proxy_one_clients_guesses_do_not_shut_out_another(client, invitation, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.9.9.9"}
    for i in range(settings.PORTAL_BAD_TOKEN_LIMIT):
        response = client.get(
            reverse("portal:enter", args=[f"guess{i}:abc"]), HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy
        )
        assert response.status_code == 404
    assert client.get(_path(invitation), HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy).status_code == 429
    assert client.get(_path(invitation), HTTP_X_FORWARDED_FOR="203.0.113.20", **proxy).status_code == 302


def test_without_a_proxy_a_forged_header_does_not_escape_the_guess_limit(client, invitation, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.PORTAL_BAD_TOKEN_LIMIT = 3
    for i in range(3):
        response = client.get(reverse("portal:enter", args=[f"guess{i}:abc"]), HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
        assert response.status_code == 404
    assert client.get(_path(invitation), HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
    assert set(BadLinkAttempt.objects.values_list("ip", flat=True)) == {"127.0.0.1"}


def test_a_link_for_assessment_a_cannot_reach_assessment_b(
    vendor_client, invitation, service, shipped_version, personas
):
    other = assessment_services.assessment_create(service=service, bank=shipped_version.bank, by=personas["analyst"])
    for name, kwargs in [
        ("portal:overview", {}),
        ("portal:section", {"section": "SUP"}),
        ("portal:clarify", {"code": "SUP-01"}),
    ]:
        assert vendor_client.get(reverse(name, kwargs={"pk": other.pk, **kwargs})).status_code == 404
    assert vendor_client.post(reverse("portal:section", args=[other.pk, "SUP"]), {"q-SUP-01": "no"}).status_code == 404
    assert vendor_client.post(reverse("portal:submit", args=[other.pk])).status_code == 404
    assert not other.answers.exists()


def test_portal_urls_without_the_session_are_404(client, invitation, personas):
    pk = invitation.assessment_id
    urls = [
        reverse("portal:overview", args=[pk]),
        reverse("portal:section", args=[pk, "SUP"]),
        reverse("portal:clarify", args=[pk, "SUP-01"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(personas["analyst"])  # a staff login is not a vendor session either
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(reverse("portal:submit", args=[pk])).status_code == 404


def test_csrf_is_enforced_in_the_portal(invitation):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.get(_path(invitation))
    response = browser.post(reverse("portal:section", args=[invitation.assessment_id, "SUP"]), {"q-SUP-01": "yes"})
    assert response.status_code == 403
    assert not Answer.objects.filter(question_code="SUP-01").exists()


def test_leave_forgets_the_session(vendor_client, invitation):
    assert vendor_client.post(reverse("portal:leave")).status_code == 200
    assert vendor_client.get(reverse("portal:overview", args=[invitation.assessment_id])).status_code == 404


# --- What the vendor sees -----------------------------------------------------------------


def _portal_pages(client, assessment) -> dict[str, str]:
    pages = {"overview": client.get(reverse("portal:overview", args=[assessment.pk]))}
    for section in services.vendor_sections(assessment):
        pages[section["code"]] = client.get(reverse("portal:section", args=[assessment.pk, section["code"]]))
    pages["clarify"] = client.get(reverse("portal:clarify", args=[assessment.pk, "SUP-01"]))
    pages["missing"] = client.post(reverse("portal:submit", args=[assessment.pk]), ATTESTED)
    assert {name: r.status_code for name, r in pages.items()} == {
        name: (400 if name == "missing" else 200) for name in pages
    }
    return {name: r.content.decode() for name, r in pages.items()}


def test_no_staff_only_content_reaches_any_rendered_portal_page(
    vendor_client, invitation, assessment, personas, other_service, shipped_version
):
    # Put staff-only material on the assessment, and a second assessment beside it.
    assessment_services.comment_add(
        assessment=assessment, question_code="SUP-01", body="INTERNAL: vendor seems evasive", by=personas["analyst"]
    )
    assessment_services.finding_add(
        assessment=assessment,
        kind="finding",
        text="FINDING: lease risk",
        due_date=None,
        by=personas["reviewer"],
    )
    assessment_services.answers_save(
        assessment=assessment,
        values={"INT-06": assessment_services.AnswerInput(value=180)},
        by=personas["analyst"],
        base_revisions=None,
    )
    sibling = AIService.objects.create(vendor=assessment.service.vendor, name="Frontier Batch")
    assessment_services.assessment_create(service=sibling, bank=shipped_version.bank, by=personas["analyst"])
    structure = bank_structure(assessment.bank_version)
    hidden_texts = [q["text"] for q in structure.question_index.values() if q["audience"] != "vendor"]
    assert len(hidden_texts) > 10

    pages = _portal_pages(vendor_client, assessment)
    forbidden = [
        *hidden_texts,
        "INTERNAL: vendor seems evasive",
        "FINDING: lease risk",
        "Frontier Batch",
        "Buyer intake",
        "Critical",
        "history and comments",
        "Points",
        "band-",
        "Residual",
        "Inherent",
        "knock",
        "Log out",
        'href="/assessments/',
        'href="/vendors/',
        'href="/admin/',
        'href="/reports/',
    ]
    leaks = [(name, text) for name, body in pages.items() for text in forbidden if text in body]
    leaks += [(name, "N points") for name, body in pages.items() if re.search(r"\d points", body)]
    assert leaks == []
    # And the vendor questions are there.
    assert "SUP-01" in pages["SUP"]


def test_a_vendor_question_controlled_from_another_section_follows_the_saved_answer(vendor_client, assessment):
    url = reverse("portal:section", args=[assessment.pk, "SUP"])
    body = vendor_client.get(url).content.decode()
    assert 'id="q-SUP-07" hidden' in body  # LOC-04 unanswered: SUP-07 stays hidden
    structure = bank_structure(assessment.bank_version)
    loc04 = structure.question_index["LOC-04"]
    trigger = structure.question_index["SUP-07"]["show_if"]["in"][0]
    assert trigger in {c["value"] for c in loc04["choices"]}
    assessment_services.answers_save(
        assessment=assessment,
        values={"LOC-04": assessment_services.AnswerInput(value=trigger)},
        by=None,
        by_label="Vera",
        base_revisions=None,
    )
    body = vendor_client.get(url).content.decode()
    assert 'id="q-SUP-07">' in body  # shown, and not left to the browser to hide


def test_buyer_and_reviewer_sections_are_404_in_the_portal(vendor_client, assessment):
    assert vendor_client.get(reverse("portal:section", args=[assessment.pk, "INT"])).status_code == 404
    assert vendor_client.get(reverse("portal:clarify", args=[assessment.pk, "INT-01"])).status_code == 404


def test_vendor_cannot_write_staff_questions_by_posting_their_fields(vendor_client, assessment):
    url = reverse("portal:section", args=[assessment.pk, "SUP"])
    revision = assessment_services.section_revisions(assessment).get("SUP", 0)
    vendor_client.post(url, {"q-SUP-01": "full_list", "q-INT-06": "1", "q-CON-99": "x", "revision": revision})
    assert set(Answer.objects.values_list("question_code", flat=True)) == {"SUP-01"}


# --- Answering, uploading, submitting -------------------------------------------------


def test_vendor_autosave_records_the_contact_as_the_author(vendor_client, assessment, invitation):
    url = reverse("portal:section", args=[assessment.pk, "SUP"])
    response = vendor_client.post(url, {"q-SUP-01": "full_list", "revision": 0}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Saved" in response.content.decode()
    answer = Answer.objects.get(question_code="SUP-01")
    assert answer.updated_by is None and answer.updated_by_label == invitation.respondent_label


def _someone_saved_sup_meanwhile(assessment, personas) -> str:
    """The analyst saves SUP-01 after the vendor's page loaded (revision 0); returns the portal URL."""
    assessment_services.answers_save(
        assessment=assessment,
        values={"SUP-01": assessment_services.AnswerInput(value="categories")},
        by=personas["analyst"],
        base_revisions={"SUP": 0},
    )
    return reverse("portal:section", args=[assessment.pk, "SUP"])


def test_a_stale_vendor_save_is_refused_and_loses_nothing_saved(vendor_client, assessment, personas):
    url = _someone_saved_sup_meanwhile(assessment, personas)
    response = vendor_client.post(url, {"q-SUP-01": "full_list", "revision": 0}, HTTP_HX_REQUEST="true")
    assert "Not saved" in response.content.decode()
    assert Answer.objects.get(question_code="SUP-01").value == "categories"


def test_a_stale_vendor_save_with_the_button_comes_back_with_a_message(vendor_client, assessment, personas):
    url = _someone_saved_sup_meanwhile(assessment, personas)
    response = vendor_client.post(url, {"q-SUP-01": "full_list", "revision": 0})
    assert response.status_code == 302 and response["Location"] == url
    assert "Someone else saved this section" in vendor_client.get(url).content.decode()
    assert Answer.objects.get(question_code="SUP-01").value == "categories"


def test_a_read_only_vendor_save_is_refused_with_a_status_line_or_a_message(vendor_client, assessment, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(submitted_at=timezone.now())
    url = reverse("portal:section", args=[assessment.pk, "SUP"])
    autosave = vendor_client.post(url, {"q-SUP-01": "full_list", "revision": 0}, HTTP_HX_REQUEST="true")
    assert "read-only now" in autosave.content.decode()
    response = vendor_client.post(url, {"q-SUP-01": "full_list", "revision": 0}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:overview", args=[assessment.pk])
    assert "These answers can no longer be changed." in response.content.decode()
    assert not Answer.objects.filter(question_code="SUP-01").exists()


def test_vendor_uploads_a_10_mib_evidence_file(vendor_client, assessment, settings):
    """The request-body cap (procurement/core/middleware.py) leaves room for a full-size file."""
    assert settings.EVIDENCE_MAX_BYTES == 10 * 1024 * 1024
    content = b"%PDF-1.7\n" + b"x" * (settings.EVIDENCE_MAX_BYTES - 9)
    data = {"q-SEC-01": "inclusive", "q-SEC-01B": SimpleUploadedFile("soc2.pdf", content), "revision": 0}
    response = vendor_client.post(reverse("portal:section", args=[assessment.pk, "SEC"]), data)
    assert response.status_code == 302
    assert Evidence.objects.get().file.size == settings.EVIDENCE_MAX_BYTES


def test_vendor_uploads_evidence_under_the_staff_limits(vendor_client, assessment, invitation, settings):
    structure = bank_structure(assessment.bank_version)
    code = next(q["code"] for q in structure.question_index.values() if q["type"] == "evidence")
    section = structure.section_of[code]
    url = reverse("portal:section", args=[assessment.pk, section])
    ok = vendor_client.post(url, {f"q-{code}": SimpleUploadedFile("soc2 report.pdf", b"%PDF-1.7 body"), "revision": 0})
    assert ok.status_code == 302
    item = Evidence.objects.get()
    assert item.uploaded_by is None and item.uploaded_by_label == invitation.respondent_label
    assert item.original_name == "soc2 report.pdf"
    download = vendor_client.get(reverse("portal:evidence", args=[assessment.pk, item.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.7 body"

    settings.EVIDENCE_MAX_BYTES = 10
    too_big = vendor_client.post(
        url, {f"q-{code}": SimpleUploadedFile("big.pdf", b"%PDF-1.7 " + b"x" * 20), "revision": 0}
    )
    settings.EVIDENCE_MAX_BYTES = 10_000
    disguised = vendor_client.post(
        url, {f"q-{code}": SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf"), "revision": 0}
    )
    assert too_big.status_code == 400 and "the limit is" in too_big.content.decode()
    assert disguised.status_code == 400 and "Only PDF" in disguised.content.decode()
    assert Evidence.objects.count() == 1


def test_a_vendor_link_has_its_own_upload_quota(vendor_client, assessment, invitation, personas, settings):
    structure = bank_structure(assessment.bank_version)
    code = next(q["code"] for q in structure.question_index.values() if q["type"] == "evidence")
    url = reverse("portal:section", args=[assessment.pk, structure.section_of[code]])
    settings.EVIDENCE_MAX_FILES_PER_LINK = 2
    posted = [
        vendor_client.post(url, {f"q-{code}": SimpleUploadedFile(f"{i}.pdf", b"%%PDF-1.7 %d" % i), "revision": 0})
        for i in range(3)
    ]
    assert [r.status_code for r in posted] == [302, 302, 400]
    assert "Your link already holds 2 files" in posted[2].content.decode()
    # The team's own uploads count against the assessment, not against the vendor's link.
    staff = evidence_store(
        assessment=assessment,
        question_code=code,
        upload=SimpleUploadedFile("team.pdf", b"%PDF-1.7 team"),
        by=personas["analyst"],
        field="f",
    )
    assert staff.pk and Evidence.objects.count() == 3


def test_submit_then_read_only_until_the_team_reopens(vendor_client, assessment, invitation, personas):
    from tests.portal.test_services import _vendor_answers

    assessment_services.answers_save(
        assessment=assessment, values=_vendor_answers(), by=None, by_label="Vera", base_revisions=None
    )
    response = vendor_client.post(reverse("portal:submit", args=[assessment.pk]), ATTESTED, follow=True)
    assert "Submitted" in response.content.decode()
    section = reverse("portal:section", args=[assessment.pk, "SUP"])
    page = vendor_client.get(section).content.decode()
    assert "<fieldset disabled>" in page and "Read only." in page
    before = Answer.objects.get(question_code="SUP-01").value
    vendor_client.post(section, {"q-SUP-01": "categories" if before != "categories" else "full_list", "revision": 99})
    assert Answer.objects.get(question_code="SUP-01").value == before

    team = Client()  # the analyst's own browser
    team.force_login(personas["analyst"])
    team.post(reverse("vendorlinks:reopen", args=[assessment.pk]), {"note": "Please attach the lease letter."})
    overview = vendor_client.get(reverse("portal:overview", args=[assessment.pk])).content.decode()
    assert "Please attach the lease letter." in overview
    assert "<fieldset disabled>" not in vendor_client.get(section).content.decode()


def test_submit_without_the_attestation_is_refused_and_keeps_what_was_typed(vendor_client, assessment, invitation):
    from tests.portal.test_services import _vendor_answers

    assessment_services.answers_save(
        assessment=assessment, values=_vendor_answers(), by=None, by_label="Vera", base_revisions=None
    )
    url = reverse("portal:submit", args=[assessment.pk])
    response = vendor_client.post(url, {"name": "Vera Q. Vendor", "title": "Chief Trust Officer"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Not submitted yet: complete the statement below" in page
    assert "Tick the box to confirm the statement" in page
    assert 'value="Vera Q. Vendor"' in page and 'value="Chief Trust Officer"' in page
    response = vendor_client.post(url, {"name": "", "title": "", "confirmed": "on"})
    page = response.content.decode()
    assert "Enter your full name." in page and "Enter your job title." in page
    assert re.search(r'name="confirmed"[^>]*\schecked', page)  # the ticked box stays ticked
    invitation.refresh_from_db()
    assert invitation.submitted_at is None and not Attestation.objects.exists()


def test_the_overview_asks_for_the_attestation_and_shows_it_once_submitted(vendor_client, assessment, invitation):
    from tests.portal.test_services import _vendor_answers

    overview = reverse("portal:overview", args=[assessment.pk])
    page = vendor_client.get(overview).content.decode()
    assert Attestation.STATEMENT in page and "Your full name" in page and "Your job title" in page
    assert 'value="Vera Vendor"' in page  # the contact's name to start from
    assessment_services.answers_save(
        assessment=assessment, values=_vendor_answers(), by=None, by_label="Vera", base_revisions=None
    )
    vendor_client.post(reverse("portal:submit", args=[assessment.pk]), ATTESTED)
    page = vendor_client.get(overview).content.decode()
    assert "Submitted by <strong>Vera Vendor</strong>, Head of Trust" in page and Attestation.STATEMENT in page
    assert 'name="confirmed"' not in page


def test_vendor_sees_read_only_while_the_team_reviews(vendor_client, complete_assessment, personas):
    assessment_services.assessment_submit(assessment=complete_assessment, by=personas["analyst"])
    page = vendor_client.get(reverse("portal:overview", args=[complete_assessment.pk])).content.decode()
    assert "reviewing this questionnaire" in page and "Submit answers" not in page


# --- Clarifications -----------------------------------------------------------------------


def test_clarification_thread_is_shared_and_internal_comments_are_not(vendor_client, assessment, personas):
    url = reverse("portal:clarify", args=[assessment.pk, "SUP-01"])
    assert vendor_client.post(url, {"body": ""}).status_code == 400
    vendor_client.post(url, {"body": "Does 'lease' include colocation?"})
    assessment_services.comment_add(
        assessment=assessment, question_code="SUP-01", body="They are stalling", by=personas["analyst"]
    )
    # The team sees the question on the question's page and replies there.
    staff = vendor_client
    staff.force_login(personas["reviewer"])
    history = staff.get(reverse("assessments:history", args=[assessment.pk, "SUP-01"])).content.decode()
    assert "Does &#x27;lease&#x27; include colocation?" in history and "They are stalling" in history
    detail = staff.get(assessment.get_absolute_url()).content.decode()
    assert 'id="awaiting-reply"' in detail and "SUP-01</a>" in detail
    staff.post(reverse("assessments:clarification", args=[assessment.pk, "SUP-01"]), {"body": "Yes, count it."})
    assert 'id="awaiting-reply"' not in staff.get(assessment.get_absolute_url()).content.decode()
    thread = staff.get(url).content.decode()
    assert "Does &#x27;lease&#x27; include colocation?" in thread and "Yes, count it." in thread
    assert "They are stalling" not in thread
    assert list(Clarification.objects.values_list("from_vendor", flat=True)) == [True, False]


def test_viewers_cannot_reply_to_the_vendor(client, assessment, personas):
    client.force_login(personas["viewer"])
    url = reverse("assessments:clarification", args=[assessment.pk, "SUP-01"])
    assert client.post(url, {"body": "hi"}).status_code == 403
    assert not Clarification.objects.exists()


# --- The team's side ------------------------------------------------------------------


def test_analyst_invites_from_the_assessment_page_and_sees_the_state(
    client, assessment, personas, contact, django_capture_on_commit_callbacks
):
    client.force_login(personas["analyst"])
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "Vera Vendor" in page and "Send invitation" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("vendorlinks:invite", args=[assessment.pk]), {"contacts": [contact.pk], "days": 7}, follow=True
        )
    assert "Invitation for Vera Vendor saved" in response.content.decode()
    invitation = Invitation.objects.get()
    assert (invitation.expires_at - timezone.now()).days in (6, 7)
    assert len(mail.outbox) == 1 and "http://testserver/portal/" in mail.outbox[0].body
    body = response.content.decode()
    assert services.invitation_link(invitation, base_url="http://testserver") in body and "Copy link" in body


def test_the_link_is_shown_once_to_the_inviter_and_later_pages_show_only_the_state(
    client, assessment, personas, contact, django_capture_on_commit_callbacks
):
    """F14's second half: a copyable link on every page load let any editor answer as the vendor."""
    client.force_login(personas["analyst"])
    invite = reverse("vendorlinks:invite", args=[assessment.pk])
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(invite, {"contacts": [contact.pk], "days": 7}, follow=True).content.decode()
    invitation = Invitation.objects.get()
    token = services.invitation_token(invitation)
    assert token in sent and "Shown this once, to you" in sent
    colleague = Client()
    colleague.force_login(personas["admin"])
    for browser in (client, colleague):
        later = browser.get(assessment.get_absolute_url()).content.decode()
        assert token not in later and "Copy link" not in later
        assert "Vera Vendor" in later and ">Open<" in later and "Mail delivered to the mail server" in later
        assert "Revoke" in later and "Send again" in later
    # Sending again is a new send: its page shows the link once more, to whoever sent it.
    with django_capture_on_commit_callbacks(execute=True):
        again = colleague.post(invite, {"contacts": [contact.pk], "days": 14}, follow=True).content.decode()
    assert token in again and len(mail.outbox) == 2
    assert token not in client.get(assessment.get_absolute_url()).content.decode()
    assert token not in colleague.get(assessment.get_absolute_url()).content.decode()


def test_an_expired_link_offers_a_new_one_and_never_its_url(client, assessment, personas, invitation):
    _expire(invitation)
    client.force_login(personas["analyst"])
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "Expired" in page and "Send a new link" in page and "Revoke" not in page
    assert services.invitation_token(invitation) not in page


def test_invite_form_errors_are_shown_and_nothing_is_sent(client, assessment, personas, contact, other_service):
    client.force_login(personas["analyst"])
    url = reverse("vendorlinks:invite", args=[assessment.pk])
    for data in ({"contacts": [], "days": 7}, {"contacts": [contact.pk], "days": 0}, {"contacts": ["x"], "days": 5}):
        response = client.post(url, data, follow=True)
        assert "Not invited:" in response.content.decode()
    stranger = VendorContact.objects.create(vendor=other_service.vendor, name="Eve", email="eve@else.example")
    client.post(url, {"contacts": [stranger.pk], "days": 7})
    assert not Invitation.objects.exists() and mail.outbox == []


def test_viewers_see_states_but_no_links(client, invitation, personas):
    client.force_login(personas["viewer"])
    page = client.get(invitation.assessment.get_absolute_url()).content.decode()
    assert "Vera Vendor" in page and "Open" in page
    assert services.invitation_token(invitation) not in page and "Send invitation" not in page


def test_revoke_from_another_assessment_is_404(client, invitation, personas, service, shipped_version):
    other = assessment_services.assessment_create(service=service, bank=shipped_version.bank, by=personas["analyst"])
    client.force_login(personas["analyst"])
    assert client.post(reverse("vendorlinks:revoke", args=[other.pk, invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_a_vendor_link_opened_in_a_staff_browser_is_read_only_and_records_nothing_as_the_vendor(
    client, assessment, invitation, personas
):
    """F14: an analyst opening the link wrote answers recorded as '... (vendor contact)'."""
    client.force_login(personas["analyst"])
    entered = client.get(services.invitation_link(invitation, base_url=""), follow=True)
    page = entered.content.decode()
    assert "signed in as analyst in this browser, so this vendor link opens read-only" in page
    invitation.refresh_from_db()
    assert invitation.first_used_at is None  # the vendor did not open it
    url = reverse("portal:section", args=[assessment.pk, "CAP"])
    autosave = client.post(url, {"revision": 0, "q-CAP-02": "2"}, headers={"HX-Request": "true"})
    assert "Not saved: You are signed in as analyst" in autosave.content.decode()
    client.post(url, {"revision": 0, "q-CAP-02": "2"})
    client.post(reverse("portal:clarify", args=[assessment.pk, "CAP-02"]), {"body": "typed by staff"})
    client.post(reverse("portal:submit", args=[assessment.pk]), ATTESTED)
    assert not Answer.objects.exists() and not Clarification.objects.exists() and not Attestation.objects.exists()
    invitation.refresh_from_db()
    assert invitation.submitted_at is None
    assert "Read only." in client.get(url).content.decode()
    overview = client.get(reverse("portal:overview", args=[assessment.pk])).content.decode()
    assert "opens read-only" in overview and "Submit answers" not in overview
