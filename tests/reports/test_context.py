"""What the report says about the vendor's attestation and about reviewer-only questions,
in the rendered HTML, the JSON export and the XLSX summary."""

import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from procurement.assessments import services as assessment_services
from procurement.assessments.models import Attestation
from procurement.assessments.records import assessment_record
from procurement.assessments.services import AnswerInput
from procurement.portal import services as portal_services
from procurement.reports.exports import record_json, record_xlsx
from procurement.reports.services import report_html
from procurement.vendors.models import VendorContact

pytestmark = pytest.mark.django_db

REVIEWER_QUESTION = "CON-12"  # the shipped bank's reviewer check of the signed contract


def _text(html: str) -> str:
    """The report's words with tags and runs of whitespace collapsed, as a reader sees them."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _summary(record: dict) -> dict:
    wb = load_workbook(io.BytesIO(record_xlsx(record)))
    return {row[0].value: row[1].value for row in wb["Summary"].iter_rows() if row[0].value}


@pytest.fixture
def attested(complete_assessment, personas):
    """The vendor submitted through its link with an attestation; then the team submitted for review."""
    contact = VendorContact.objects.create(
        vendor=complete_assessment.service.vendor, name="Vera Vendor", email="vera@frontier.example"
    )
    (invitation,) = portal_services.invite(
        assessment=complete_assessment, contacts=[contact], by=personas["analyst"], base_url=""
    )
    portal_services.vendor_submit(invitation=invitation, name="Vera Vendor", title="Head of Trust", confirmed=True)
    return complete_assessment


def test_the_record_carries_the_latest_attestation(attested):
    Attestation.objects.create(assessment=attested, name="Older", title="Earlier", contact_label="x")
    Attestation.objects.filter(name="Older").update(at="2020-01-01T00:00:00Z")
    part = assessment_record(attested)["attestation"]
    assert part["name"] == "Vera Vendor" and part["title"] == "Head of Trust"
    assert part["statement"] == Attestation.STATEMENT
    assert part["contact"] == "Vera Vendor <vera@frontier.example> (vendor contact)"
    assert part["at"][:4].isdigit()


def test_the_frozen_record_report_json_and_xlsx_state_the_vendor_statement(attested, personas):
    assessment_services.assessment_submit(assessment=attested, by=personas["analyst"])
    assessment_services.assessment_start_review(assessment=attested, by=personas["reviewer"])
    decided = assessment_services.assessment_decide(
        assessment=attested, by=personas["reviewer"], approve=False, note="Knockouts", authenticated_at=timezone.now()
    )
    record = decided.frozen_record
    assert record["attestation"]["name"] == "Vera Vendor"
    text = _text(report_html(record))
    assert "Vendor statement Vera Vendor, Head of Trust · " in text  # the cover
    assert f"Vera Vendor, Head of Trust, attested on {record['attestation']['at'][:10]}" in text
    assert Attestation.STATEMENT in text and "No attestation was recorded" not in text
    exported = json.loads(record_json(record))["record"]["attestation"]
    assert exported == record["attestation"]
    summary = _summary(record)
    assert summary["Attested by"] == "Vera Vendor, Head of Trust"
    assert summary["Vendor statement"] == Attestation.STATEMENT
    assert summary["Attested at (UTC)"].date().isoformat() == record["attestation"]["at"][:10]  # a date-time cell


def test_a_record_frozen_before_attestations_existed_says_none_was_recorded(decided):
    record = dict(decided.frozen_record)
    record.pop("attestation", None)  # the old record format has no such key
    text = _text(report_html(record))
    assert "Vendor statement No attestation was recorded." in text
    assert _summary(record)["Vendor statement"] == "No attestation was recorded."


def test_the_preview_of_an_assessment_answered_without_the_portal_says_no_attestation(login, personas, decided):
    page = _text(login(personas["viewer"]).get(reverse("reports:preview", args=[decided.pk])).content.decode())
    assert "No attestation was recorded." in page


# --- Reviewer-only questions ------------------------------------------------------------


def _row(html: str, code: str) -> str:
    """The report's answer block for one question (its points line starts with the code)."""
    (block,) = [b for b in html.split('<div class="qa')[1:] if f'<div class="pts">{code} ·' in b]
    return _text(block)


def test_an_unanswered_reviewer_question_reads_as_the_reviewers_to_answer_until_the_decision(in_review, personas):
    row = _row(report_html(assessment_record(in_review)), REVIEWER_QUESTION)
    assert "To be answered by the reviewer" in row and "Not answered" not in row
    assert "reviewer check" in row
    decided = assessment_services.assessment_decide(
        assessment=in_review, by=personas["reviewer"], approve=False, note="No", authenticated_at=timezone.now()
    )
    row = _row(report_html(decided.frozen_record), REVIEWER_QUESTION)
    assert "No reviewer answer was recorded" in row and "Not answered" not in row


def test_the_reviewers_answer_shows_in_the_report_with_the_reviewers_name(in_review, personas):
    personas["reviewer"].first_name, personas["reviewer"].last_name = "Rita", "Reviewer"
    personas["reviewer"].save()
    assessment_services.answers_save(
        assessment=in_review,
        values={REVIEWER_QUESTION: AnswerInput("Clause 14.2 gives 90 days, as answered in CON-01.")},
        by=personas["reviewer"],
        base_revisions=None,
    )
    row = _row(report_html(assessment_record(in_review)), REVIEWER_QUESTION)
    assert "Clause 14.2 gives 90 days, as answered in CON-01." in row and "Rita Reviewer" in row
    assert "To be answered" not in row
