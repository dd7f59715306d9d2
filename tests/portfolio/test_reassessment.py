"""Reassessment from the last answers: carrying forward, provenance, freshness, what needs
attention, confirming, the portal, the review page's difference and starting on its own."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from procurement.assessments import services
from procurement.assessments.demo import profile_answers
from procurement.assessments.evidence import evidence_store
from procurement.assessments.models import Answer, AnswerChange, Assessment
from procurement.assessments.reassessment import (
    ATTENTION,
    CONFIRM,
    DONE,
    months_after,
    reassessment_diff,
    reassessment_marks,
)
from procurement.assessments.selectors import assessment_score
from procurement.assessments.services import AnswerInput
from procurement.core.models import OutboxMessage
from procurement.portal import services as portal_services
from procurement.portfolio.models import ReassessmentPolicy
from procurement.portfolio.reassessment import (
    reassessment_policies_set,
    reassessment_start,
    reassessment_target,
    reassessments_start_due,
)
from procurement.portfolio.services import link_change
from procurement.questionbank.services import bank_load
from procurement.vendors.models import AIService, SupplyLink, Vendor, VendorContact
from tests.conftest import SMALL_BANK

pytestmark = pytest.mark.django_db

# Version 1: operations answers stay fresh for 6 months. Version 2 changes OPS-02's scoring
# (a substantive change: asked again) and adds OPS-06; everything else is as it was.
V1 = SMALL_BANK.replace("  weight: 2\n  questions:", "  weight: 2\n  fresh_for_months: 6\n  questions:")
V2 = (
    V1.replace("changelog: first", "changelog: second").replace(
        "    - {from: 0, to: 90, points: 4}\n    - {from: 90, to: null, points: 0}",
        "    - {from: 0, to: 180, points: 4}\n    - {from: 180, to: null, points: 0}",
    )
    + "  - code: OPS-06\n    text: Who is on call?\n    type: text\n"
)
# The OPS section's form as a browser posts it, unchanged from the carried answers.
SECTION_AS_LOADED = {
    "revision": 0,
    "q-OPS-01": "yes",
    "q-OPS-03": "other_cloud",
    "q-OPS-04": "2030-01-01",
    "q-OPS-05": "Fail over to the second cloud.",
}
GOOD = {
    "IN-01": "low",
    "OPS-01": "yes",
    "OPS-02": 120,
    "OPS-03": "other_cloud",
    "OPS-04": "2030-01-01",
    "OPS-05": "Fail over to the second cloud.",
}


def _decide(assessment, personas, *, approve=True, values=GOOD):
    services.answers_save(
        assessment=assessment,
        values={k: AnswerInput(value=v) for k, v in values.items()},
        by=personas["analyst"],
        base_revisions=None,
    )
    services.assessment_submit(assessment=assessment, by=personas["analyst"])
    services.assessment_start_review(assessment=assessment, by=personas["reviewer"])
    return services.assessment_decide(
        assessment=assessment, by=personas["reviewer"], approve=approve, note="", authenticated_at=timezone.now()
    )


@pytest.fixture
def small_v1(db):
    return bank_load(raw=V1, source="v1").version


@pytest.fixture
def previous(org, personas, small_v1):
    vendor = Vendor.objects.create(organisation=org, name="Frontier Lab", owner=personas["analyst"])
    service = AIService.objects.create(vendor=vendor, name="Frontier API")
    a = services.assessment_create(service=service, bank=small_v1.bank, by=personas["analyst"])
    evidence_store(
        assessment=a,
        question_code="OPS-05",
        upload=SimpleUploadedFile("runbook.pdf", b"%PDF-1.7 runbook"),
        by=personas["analyst"],
        field="doc-OPS-05",
    )
    return _decide(a, personas)


@pytest.fixture
def small_v2(small_v1):
    return bank_load(raw=V2, source="v2").version


# --- Carrying forward ------------------------------------------------------------------------


def test_an_answer_outside_the_new_versions_limits_is_asked_again_not_carried(previous, personas):
    """Version 2 only adds a maximum of 100 days to OPS-02: the 120 given before no longer
    fits, so it is asked again; the other answers carry."""
    limited = V1.replace("changelog: first", "changelog: limits").replace(
        "    type: number\n    unit: days\n", "    type: number\n    unit: days\n    min: 0\n    max: 100\n", 1
    )
    assert limited != V1.replace("changelog: first", "changelog: limits")
    bank_load(raw=limited, source="limited")

    new, _ = reassessment_start(previous=previous, by=personas["analyst"])

    carried = set(new.answers.values_list("question_code", flat=True))
    assert "OPS-02" not in carried and {"OPS-01", "OPS-05"} <= carried


def test_reassess_carries_answers_that_still_hold_and_asks_again_for_changed_and_new(previous, small_v2, personas):
    new, created = reassessment_start(previous=previous, by=personas["analyst"])
    assert created and new.bank_version == small_v2 and new.previous == previous
    answers = {a.question_code: a for a in new.answers.all()}
    assert set(answers) == {"IN-01", "OPS-01", "OPS-03", "OPS-04", "OPS-05"}  # OPS-02 changed: asked again
    assert answers["OPS-01"].value == "yes" and answers["OPS-01"].carried_from == previous
    given = previous.answers.get(question_code="OPS-01").updated_at
    assert answers["OPS-01"].carried_given_at == given
    marks = reassessment_marks(new)
    assert marks["OPS-02"].state == ATTENTION and "changed" in marks["OPS-02"].reasons[0]
    assert marks["OPS-06"].reasons == ["New question"]
    assert marks["OPS-01"].state == CONFIRM and marks["OPS-01"].provenance.startswith(f"Carried from A-{previous.pk}")


def test_each_carried_answer_is_in_the_history_as_a_carry_by_whom(previous, small_v2, personas, login):
    new, _ = reassessment_start(previous=previous, by=personas["admin"])
    change = AnswerChange.objects.get(assessment=new, question_code="OPS-01")
    assert change.old_value is None and change.new_value["value"] == "yes"
    assert change.by == personas["admin"] and f"carried from A-{previous.pk}" in change.by_label
    # Who gave the answer stays who gave it.
    assert new.answers.get(question_code="OPS-01").updated_by == personas["analyst"]
    page = login(personas["viewer"]).get(reverse("assessments:history", args=[new.pk, "OPS-01"])).content.decode()
    assert f"(carried from A-{previous.pk})" in page


def test_supporting_documents_are_linked_to_the_same_questions(previous, small_v2, personas):
    new, _ = reassessment_start(previous=previous, by=personas["analyst"])
    old_link = previous.evidence.get()
    link = new.evidence.get()
    assert (link.question_code, link.document_id) == ("OPS-05", old_link.document_id)


def test_a_second_start_returns_the_open_reassessment(previous, small_v2, personas):
    first, created = reassessment_start(previous=previous, by=personas["analyst"])
    again, created_again = reassessment_start(previous=previous, by=personas["admin"])
    assert created and not created_again and again == first
    assert Assessment.objects.filter(previous=previous).count() == 1


def test_a_reassessment_becomes_its_services_newest_assessment(previous, small_v2, personas):
    assert Assessment.objects.get(service=previous.service, is_newest=True) == previous
    started, _ = reassessment_start(previous=previous, by=personas["analyst"])
    assert Assessment.objects.get(service=previous.service, is_newest=True) == started


def test_the_database_allows_one_open_reassessment_per_decision(previous, small_v2, personas):
    first, _ = reassessment_start(previous=previous, by=personas["analyst"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            organisation=first.organisation, service=first.service, bank_version=small_v2, previous=previous
        )


def test_only_a_decided_assessment_can_be_reassessed(assessment, personas):
    with pytest.raises(ValidationError, match="decided"):
        reassessment_start(previous=assessment, by=personas["analyst"])


def test_the_organisations_own_copy_of_a_shipped_bank_is_the_target(previous, org, other_org, small_v2):
    assert reassessment_target(previous) == small_v2
    bank_load(raw=V1, source="theirs", organisation=other_org)  # another organisation's copy: not ours
    assert reassessment_target(previous) == small_v2
    own = bank_load(raw=V1.replace("changelog: first", "changelog: ours"), source="own", organisation=org).version
    assert reassessment_target(previous) == own


def test_a_bank_without_changes_carries_every_answer(previous, personas):
    new, _ = reassessment_start(previous=previous, by=personas["analyst"])
    assert new.bank_version == previous.bank_version
    assert new.answers.count() == previous.answers.count()
    assert {m.state for m in reassessment_marks(new).values()} == {CONFIRM}


# --- Freshness and what needs attention --------------------------------------------------------


def test_months_after_keeps_the_day_or_takes_the_months_last():
    assert months_after(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert months_after(dt.date(2026, 3, 15), 12) == dt.date(2027, 3, 15)


def test_an_answer_older_than_its_freshness_period_needs_attention(previous, personas):
    new, _ = reassessment_start(previous=previous, by=personas["analyst"])
    seven_months_ago = timezone.now() - dt.timedelta(days=213)
    Answer.objects.filter(assessment=new, question_code="OPS-01").update(carried_given_at=seven_months_ago)
    marks = reassessment_marks(new)
    assert marks["OPS-01"].state == ATTENTION
    assert marks["OPS-01"].reasons[0].startswith("Answer older than 6 months")
    # The intake section has no freshness period: never stale.
    Answer.objects.filter(assessment=new, question_code="IN-01").update(carried_given_at=seven_months_ago)
    assert reassessment_marks(new)["IN-01"].state == CONFIRM


def test_confirming_a_stale_answer_makes_it_current_and_keeps_its_value(previous, personas):
    new, _ = reassessment_start(previous=previous, by=personas["analyst"])
    Answer.objects.filter(assessment=new, question_code="OPS-01").update(
        carried_given_at=timezone.now() - dt.timedelta(days=400)
    )
    assert services.answers_confirm(assessment=new, codes=["OPS-01"], by=None, by_label="Vera Vendor") == ["OPS-01"]
    answer = new.answers.get(question_code="OPS-01")
    assert answer.value == "yes" and answer.confirmed_at is not None and not answer.is_carried
    mark = reassessment_marks(new)["OPS-01"]
    assert mark.state == DONE and mark.confirmed.startswith("Confirmed unchanged on")
    change = AnswerChange.objects.filter(assessment=new, question_code="OPS-01").last()
    assert change.by_label == "Vera Vendor (confirmed unchanged)" and change.old_value == change.new_value


def test_changing_a_carried_answer_ends_its_provenance(previous, personas):
    new, _ = reassessment_start(previous=previous, by=personas["analyst"])
    services.answers_save(
        assessment=new, values={"OPS-01": AnswerInput(value="no")}, by=personas["analyst"], base_revisions=None
    )
    answer = new.answers.get(question_code="OPS-01")
    assert answer.carried_from is None and answer.carried_given_at is None
    assert reassessment_marks(new)["OPS-01"].state == DONE
    # Confirming it now does nothing: it is no longer a carried answer.
    assert services.answers_confirm(assessment=new, codes=["OPS-01"], by=personas["analyst"]) == []


def test_an_answer_resting_on_expired_evidence_needs_attention_and_one_without_expiry_does_not(previous, personas):
    new, _ = reassessment_start(previous=previous, by=personas["analyst"])
    assert all("expired" not in " ".join(m.reasons) for m in reassessment_marks(new).values())

    document = new.evidence.get(question_code="OPS-05").document
    document.expires_on = timezone.localdate() - dt.timedelta(days=1)
    document.save(update_fields=["expires_on"])

    mark = reassessment_marks(new)["OPS-05"]
    assert mark.state == ATTENTION
    assert any("expired" in reason and document.original_name in reason for reason in mark.reasons)


# --- Staff section pages and the portal --------------------------------------------------------


def test_the_staff_section_page_shows_the_marks_and_an_unchanged_autosave_keeps_the_carry(
    previous, small_v2, personas, login
):
    new, _ = reassessment_start(previous=previous, by=personas["analyst"])
    client = login(personas["analyst"])
    url = reverse("assessments:section", args=[new.pk, "OPS"])
    page = client.get(url).content.decode()
    assert 'id="reassessment-summary"' in page and "Needs attention" in page and "New question" in page
    assert f"Carried from A-{previous.pk}" in page and "Confirm all unchanged" in page
    # The form as loaded, posted back by autosave: nothing changes, the carry stays.
    response = client.post(url, SECTION_AS_LOADED, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert new.answers.get(question_code="OPS-01").is_carried


def test_confirm_all_unchanged_confirms_only_the_sections_fresh_carried_answers(previous, small_v2, personas, login):
    new, _ = reassessment_start(previous=previous, by=personas["analyst"])
    Answer.objects.filter(assessment=new, question_code="OPS-04").update(
        carried_given_at=timezone.now() - dt.timedelta(days=400)
    )
    client = login(personas["analyst"])
    response = client.post(
        reverse("assessments:section", args=[new.pk, "OPS"]), {**SECTION_AS_LOADED, "confirm": "section"}
    )
    assert response.status_code == 302
    confirmed = set(new.answers.filter(confirmed_at__isnull=False).values_list("question_code", flat=True))
    assert confirmed == {"OPS-01", "OPS-03", "OPS-05"}  # not the stale OPS-04, not IN-01 of another section


@pytest.fixture
def vendor_on_reassessment(previous, small_v2, personas, client):
    new, _ = reassessment_start(previous=previous, by=personas["analyst"])
    contact = VendorContact.objects.create(vendor=new.service.vendor, name="Vera Vendor", email="vera@lab.example")
    (invitation,) = portal_services.invite(assessment=new, contacts=[contact], by=personas["analyst"], base_url="")
    assert client.get(portal_services.invitation_link(invitation, base_url="")).status_code == 302
    return new, client


def test_the_portal_overview_says_what_needs_the_vendors_attention(vendor_on_reassessment):
    new, client = vendor_on_reassessment
    page = " ".join(client.get(reverse("portal:overview", args=[new.pk])).content.decode().split())
    assert "This is a reassessment." in page
    # OPS-02 changed and OPS-06 is new; OPS-01, -03, -04 and -05 were carried and are fresh.
    assert "2 questions need your attention" in page
    assert "4 carried answers to confirm or change" in page
    assert "2 need attention" in page and "4 to confirm" in page  # the OPS section's badges


def test_the_portal_section_shows_carried_answers_collapsed_and_confirms_them(vendor_on_reassessment):
    new, client = vendor_on_reassessment
    url = reverse("portal:section", args=[new.pk, "OPS"])
    page = client.get(url).content.decode()
    assert 'id="carried-OPS-01"' in page and "Change this answer" in page
    assert 'id="carried-OPS-02"' not in page and 'id="mark-OPS-02"' in page  # asked again, shown in full
    assert "IN-01" not in page  # the buyer's intake never reaches the vendor
    response = client.post(url, {**SECTION_AS_LOADED, "confirm": "OPS-01"})
    assert response.status_code == 302 and response.url.endswith("#q-OPS-01")
    answer = new.answers.get(question_code="OPS-01")
    assert answer.confirmed_at is not None
    assert (
        AnswerChange.objects.filter(assessment=new, question_code="OPS-01")
        .last()
        .by_label.endswith("(confirmed unchanged)")
    )


def test_a_portal_confirm_cannot_reach_a_buyer_question(vendor_on_reassessment):
    new, client = vendor_on_reassessment
    client.post(reverse("portal:section", args=[new.pk, "OPS"]), {**SECTION_AS_LOADED, "confirm": "IN-01"})
    assert new.answers.get(question_code="IN-01").confirmed_at is None


# --- The review page: against the previous decision --------------------------------------------


def test_the_review_diff_lists_answers_points_and_rules_against_the_frozen_record(decided, personas, login):
    frozen = dict(decided.frozen_record)
    new, _ = reassessment_start(previous=decided, by=personas["analyst"])
    values = profile_answers("hyperscaler-pinned-region")
    services.answers_save(assessment=new, values=values, by=personas["analyst"], base_revisions=None)
    diff = reassessment_diff(new, score=assessment_score(new).as_dict())
    assert diff["answers"] and all(row["old"] != row["new"] for row in diff["answers"])
    assert diff["points"] and diff["clearing"]  # the thin reseller's knockouts clear
    assert all(isinstance(row["old"], str) and "{" not in row["old"] for row in diff["answers"])
    decided.refresh_from_db()
    assert decided.frozen_record == frozen  # never changed
    page = login(personas["reviewer"]).get(reverse("assessments:review", args=[new.pk])).content.decode()
    assert 'id="since-previous"' in page and "Cleared" in page and 'id="since-answers"' in page


def test_no_diff_for_an_assessment_that_is_not_a_reassessment(assessment):
    assert reassessment_diff(assessment, score=assessment_score(assessment).as_dict()) is None


# --- Starting on its own ------------------------------------------------------------------------


def test_a_flag_only_notifies_unless_the_organisation_chose_to_start(previous, org, personas):
    services.reassessment_mark(service=previous.service, reason="New provider", trigger="chain")
    report = reassessments_start_due(today=timezone.localdate())
    assert report.started == [] and report.notified_only == 1
    assert not Assessment.objects.filter(previous=previous).exists()
    reassessment_policies_set(organisation=org, actions={"chain": "start"}, by=personas["admin"])
    assert len(reassessments_start_due(today=timezone.localdate()).started) == 1
    assert len(reassessments_start_due(today=timezone.localdate()).started) == 0
    new = Assessment.objects.get(previous=previous)
    assert new.timeline.filter(by_label__startswith="automatic reassessment").exists()


def test_a_review_falling_due_starts_one_reassessment_however_often_the_command_runs(previous, org, personas):
    ReassessmentPolicy.objects.create(organisation=org, trigger="review_due", action="start")
    Assessment.objects.filter(pk=previous.pk).update(decided_at=timezone.now() - dt.timedelta(days=5 * 366))
    call_command("start_reassessments")
    call_command("start_reassessments")
    assert Assessment.objects.filter(previous=previous).count() == 1


def test_an_acceptance_expiry_flag_never_starts_one(previous, org, personas):
    for trigger in ("chain", "review_due", "evidence_expired", "contract_renewal"):
        ReassessmentPolicy.objects.create(organisation=org, trigger=trigger, action="start")
    services.reassessment_mark(service=previous.service, reason="Acceptance expired", trigger="acceptance_expired")
    assert reassessments_start_due(today=timezone.localdate()).started == []


def test_the_settings_page_saves_the_choice_per_trigger(org, personas, login):
    client = login(personas["admin"])
    url = reverse("portfolio:reassessment_settings")
    assert "Only notify" in client.get(url).content.decode()
    data = {"review_due": "start", "chain": "notify", "evidence_expired": "start", "contract_renewal": "notify"}
    assert client.post(url, data).status_code == 302
    assert dict(org.reassessment_policies.values_list("trigger", "action")) == {
        "review_due": "start",
        "evidence_expired": "start",
    }
    bad = client.post(url, {**data, "chain": "sometimes"})
    assert bad.status_code == 400 and "Choose one of the two." in bad.content.decode()


def test_the_reassess_button_starts_and_then_opens_the_reassessment(previous, personas, login):
    client = login(personas["analyst"])
    detail = client.get(reverse("assessments:detail", args=[previous.pk])).content.decode()
    assert reverse("portfolio:reassess", args=[previous.pk]) in detail
    first = client.post(reverse("portfolio:reassess", args=[previous.pk]))
    new = Assessment.objects.get(previous=previous)
    assert first.url == new.get_absolute_url()
    again = client.post(reverse("portfolio:reassess", args=[previous.pk]))
    assert again.url == new.get_absolute_url() and Assessment.objects.filter(previous=previous).count() == 1
    service_page = client.get(reverse("vendors:service", args=[previous.service.vendor_id, previous.service_id]))
    assert service_page.status_code == 200


def test_outsiders_and_viewers_cannot_start_a_reassessment(previous, personas, login):
    assert login(personas["outsider"]).post(reverse("portfolio:reassess", args=[previous.pk])).status_code == 404
    assert login(personas["viewer"]).post(reverse("portfolio:reassess", args=[previous.pk])).status_code == 403
    assert not Assessment.objects.filter(previous=previous).exists()


def test_a_supply_chain_edit_flags_the_decision_and_the_daily_run_starts_one_when_chosen(
    previous, org, providers, personas
):
    ReassessmentPolicy.objects.create(organisation=org, trigger="chain", action="start")
    personas["analyst"].email = "ana@acme.example"
    personas["analyst"].save()
    link = SupplyLink(service=previous.service, provider=providers["neo"], role="inference_compute", notice_days=30)
    link_change(link=link, organisation=org)
    previous.refresh_from_db()
    assert previous.reassess_triggers == ["chain"] and "New provider" in previous.reassess_reason
    report = reassessments_start_due(today=timezone.localdate())
    assert len(report.started) == 1 and "supply chain" in report.started[0]
    new = Assessment.objects.get(previous=previous)
    # The owner is told it started.
    assert OutboxMessage.objects.filter(key__contains=f"assessment:{new.pk}:reassessment-started").count() == 1
    assert reassessments_start_due(today=timezone.localdate()).started == []


def test_a_vendor_link_to_another_assessment_cannot_confirm_on_this_one(
    vendor_on_reassessment, previous, personas, client
):
    new, _ = vendor_on_reassessment
    other = services.assessment_create(service=new.service, bank=new.bank_version.bank, by=personas["analyst"])
    contact = VendorContact.objects.create(vendor=new.service.vendor, name="Sam", email="sam@lab.example")
    (invitation,) = portal_services.invite(assessment=other, contacts=[contact], by=personas["analyst"], base_url="")
    client.get(portal_services.invitation_link(invitation, base_url=""))  # this browser now holds the other link
    response = client.post(reverse("portal:section", args=[new.pk, "OPS"]), {**SECTION_AS_LOADED, "confirm": "section"})
    assert response.status_code == 404
    assert not new.answers.filter(confirmed_at__isnull=False).exists()
