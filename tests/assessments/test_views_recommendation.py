"""Recommendation and decision, shown apart on the list and the assessment page: the engine's
recommendation (current while open, provisional while answers are missing) beside what
people decided, with the difference in words. Old (format 1) records still read."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.assessments.models import Assessment, Decision, SectionRevision
from procurement.assessments.selectors import assessment_score

pytestmark = pytest.mark.django_db

DIFFERENCE = "Rejected against the engine's recommendation (approve)."
INTAKE_LOW = {  # the buyer intake of an experiment on public data: tier 3
    "q-INT-01": "experiment",
    "q-INT-02": "public",
    "q-INT-03": "internal_reviewed",
    "q-INT-04": "standalone",
    "q-INT-05": "1",
    "q-INT-06": "180",
    "q-INT-07": "none",
    "q-INT-08": "under_100k",
    "q-INT-09": "none",
    "q-INT-10": "yes",
}


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def list_row(client, pk: int) -> str:
    """The list row of one assessment, as HTML."""
    html = client.get(reverse("assessments:list")).content.decode()
    return next(row for row in html.split("<tr>") if f">A-{pk}</a>" in row)


# --- The live recommendation -------------------------------------------------------------


def test_saving_an_answer_on_the_section_page_shows_the_new_recommendation_in_the_list(
    login, personas, complete_assessment
):
    client = login(personas["analyst"])
    before = list_row(client, complete_assessment.pk)
    assert "Executive acceptance" in before and "band-high" in before and "provisional" not in before
    revision = SectionRevision.objects.get(assessment=complete_assessment, section_code="INT").revision
    response = client.post(
        reverse("assessments:section", args=[complete_assessment.pk, "INT"]), {"revision": revision, **INTAKE_LOW}
    )
    assert response.status_code == 302
    live = assessment_score(complete_assessment)
    assert (live.decision, live.residual) != ("executive_acceptance", "high")
    after = list_row(client, complete_assessment.pk)
    assert "Executive acceptance" not in after and "band-high" not in after
    assert {"approve": "Approve<", "approve_with_conditions": "Approve with conditions<"}[live.decision] in after
    assert f"band-{live.residual}" in after and "Not decided" in after


def test_an_open_assessment_with_missing_answers_is_labelled_provisional_with_the_count(login, personas, assessment):
    client = login(personas["analyst"])
    assessment.refresh_from_db()
    missing = assessment.recommendation_unanswered
    assert missing and f"provisional: {missing} scored questions unanswered" in list_row(client, assessment.pk)
    client.post(reverse("assessments:section", args=[assessment.pk, "INT"]), {"revision": 0, **INTAKE_LOW})
    assessment.refresh_from_db()
    assert 0 < assessment.recommendation_unanswered < missing
    page = text(client.get(assessment.get_absolute_url()).content.decode())
    assert f"Provisional: {assessment.recommendation_unanswered} scored questions unanswered, as of" in page
    assert "Engine recommendation (current)" in page and "Not decided yet." in page


def test_a_row_scored_before_the_count_was_kept_is_provisional_as_of_its_time(login, personas, assessment):
    Assessment.objects.filter(pk=assessment.pk).update(recommendation_unanswered=None)
    assessment.refresh_from_db()
    stamp = timezone.localtime(assessment.recommended_at).strftime("%-d %b %Y %H:%M")
    assert f"provisional as of {stamp}" in list_row(login(personas["viewer"]), assessment.pk)


# --- Decided: both, and the difference ---------------------------------------------------


def test_the_list_shows_who_decided_and_that_it_departs_from_the_recommendation(login, personas, rejected_against):
    row = list_row(login(personas["viewer"]), rejected_against.pk)
    assert 'text-bg-success">Approve<' in row  # the recommendation
    assert 'text-bg-danger">Rejected</span>' in row and "by reviewer" in row
    assert "Against the engine's recommendation" in row and "provisional" not in row


def test_the_assessment_page_shows_recommendation_decision_and_the_difference_in_words(
    login, personas, rejected_against
):
    page = text(login(personas["viewer"]).get(rejected_against.get_absolute_url()).content.decode())
    assert "Engine recommendation (when decided) Approve Low residual rating" in page
    decided_on = timezone.localtime(rejected_against.decision.at).strftime("%-d %b %Y")
    assert f"Decision Rejected by reviewer (reviewer, standard authority) on {decided_on}" in page
    assert "Note: “The exit terms are not signed”" in page and DIFFERENCE in page


def test_a_decision_that_follows_the_recommendation_says_so(login, personas, decided):
    page = text(login(personas["viewer"]).get(decided.get_absolute_url()).content.decode())
    assert "Engine recommendation (when decided) Reject Critical" in page
    assert "Follows the engine's recommendation." in page and "against" not in page


def test_the_page_lists_the_risk_acceptances_the_decision_rests_on(login, personas, approved_with_acceptance):
    page = text(login(personas["viewer"]).get(approved_with_acceptance.get_absolute_url()).content.decode())
    assert "approver (reviewer, executive authority)" in page and "Rests on 1 risk acceptance" in page
    assert "Risk acceptances the decision rests on" in page and "Reason: Accepted for the pilot" in page


def format_1(record: dict) -> dict:
    """The record as it was frozen before decisions named role and authority."""
    old = {k: v for k, v in record.items() if k not in ("acceptances", "attestation")}
    old["format"] = 1
    old["decision"] = {k: record["decision"][k] for k in ("outcome", "by", "note", "at")}
    return old


def test_an_old_format_1_record_with_no_decision_row_still_reads_on_the_page_and_the_list(
    login, personas, rejected_against
):
    Assessment.objects.filter(pk=rejected_against.pk).update(frozen_record=format_1(rejected_against.frozen_record))
    Decision.objects.filter(assessment=rejected_against).delete()  # as an imported record has none
    client = login(personas["viewer"])
    page = text(client.get(rejected_against.get_absolute_url()).content.decode())
    assert "Decision Rejected by reviewer on" in page and DIFFERENCE in page
    row = list_row(client, rejected_against.pk)
    assert 'text-bg-danger">Rejected</span>' in row and " by " not in row and "Against the engine" in row
