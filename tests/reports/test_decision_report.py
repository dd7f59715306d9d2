"""The report, the XLSX and the JSON export state the decision and the engine's recommendation
as two things, the difference in words, and the risk acceptances; old (format 1) records too."""

import io
import json
import re
from datetime import date
from html import unescape

import pytest
from openpyxl import load_workbook

from procurement.assessments.records import assessment_record
from procurement.reports.exports import ACCEPTANCE_HEADER, record_json, record_xlsx
from procurement.reports.services import report_html

pytestmark = pytest.mark.django_db

DIFFERENCE = "Rejected against the engine's recommendation (approve)."


def words(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def cover(html: str) -> str:
    return words(html.split('<section class="summary">')[0])


def summary_rows(record: dict) -> dict:
    wb = load_workbook(io.BytesIO(record_xlsx(record)))
    return {row[0].value: row[1].value for row in wb["Summary"].iter_rows() if row[0].value}


def format_1(record: dict) -> dict:
    old = {k: v for k, v in record.items() if k not in ("acceptances", "attestation")}
    old["format"] = 1
    old["decision"] = {k: record["decision"][k] for k in ("outcome", "by", "note", "at")}
    return old


def test_the_cover_has_one_decision_block_with_who_capacity_recommendation_and_acceptances(
    approved_with_acceptance,
):
    record = approved_with_acceptance.frozen_record
    html = report_html(record)
    day = approved_with_acceptance.decided_at.strftime("%-d %b %Y")
    first = cover(html)
    assert f"Decision: Approved by approver (reviewer, executive authority) on {day}" in first
    assert "Engine recommendation: Executive risk acceptance required · High residual" in first
    assert "The decision follows the engine's recommendation." in first
    assert "It rests on 1 risk acceptance" in first
    assert "Board decision" not in words(html) and "badge-big" not in html


def test_the_risk_acceptances_section_lists_reason_controls_who_authority_and_expiry(approved_with_acceptance):
    record = approved_with_acceptance.frozen_record
    acceptance = record["acceptances"][0]
    body = words(report_html(record).split('id="acceptances"')[1].split("<h2>")[0])
    expires = acceptance["expires_on"]
    assert "High residual risk" in body and "Residual rating as a whole" in body
    assert "Accepted by approver (executive authority) on" in body and "Reason Accepted for the pilot" in body
    assert "Compensating controls None recorded" in body
    assert f"Expires on {date.fromisoformat(expires).strftime('%-d %b %Y')}" in body


def test_a_decision_against_the_recommendation_is_stated_in_words_on_the_cover(rejected_against):
    first = cover(report_html(rejected_against.frozen_record))
    assert "Decision: Rejected by reviewer (reviewer, standard authority)" in first
    assert "Note: “The exit terms are not signed”" in first
    assert "Engine recommendation: Approve · Low residual" in first and DIFFERENCE in first


def test_an_undecided_report_says_so_with_the_provisional_recommendation(assessment):
    first = cover(report_html(assessment_record(assessment), status_label="Draft"))
    assessment.refresh_from_db()
    assert "Decision: Not yet decided (draft)." in first
    assert f"(provisional: {assessment.recommendation_unanswered} scored questions unanswered)" in first


def test_a_format_1_record_still_renders_with_the_difference_worked_out(rejected_against):
    html = report_html(format_1(rejected_against.frozen_record))
    first = cover(html)
    assert "Decision: Rejected by reviewer on" in first and DIFFERENCE in first
    assert "This record was frozen before risk acceptances were recorded with decisions." in words(html)


def test_xlsx_summary_has_recommendation_decision_who_and_difference(rejected_against):
    rows = summary_rows(rejected_against.frozen_record)
    assert rows["Recommendation"] == "Approve · Low residual" and rows["Decision"] == "Rejected"
    assert rows["Decided by"] == "reviewer (reviewer, standard authority)"
    assert rows["Decision note"] == "The exit terms are not signed" and rows["Difference"] == DIFFERENCE
    assert rows["Risk acceptances"] == "0" and "Board decision" not in rows and "Computed decision" not in rows


def test_xlsx_has_a_sheet_with_each_risk_acceptance(approved_with_acceptance):
    record = approved_with_acceptance.frozen_record
    wb = load_workbook(io.BytesIO(record_xlsx(record)))
    sheet = list(wb["Risk acceptances"].iter_rows(values_only=True))
    assert sheet[0] == ACCEPTANCE_HEADER
    row = dict(zip(ACCEPTANCE_HEADER, sheet[1], strict=True))
    assert row["Risk accepted"] == "High residual risk" and row["Scope"] == "Residual rating as a whole"
    assert row["Reason"] == "Accepted for the pilot" and row["Accepted by"] == "approver"
    assert row["Authority"] == "executive"
    assert row["Expires on"].date() == date.fromisoformat(record["acceptances"][0]["expires_on"])  # a date cell
    rows = summary_rows(record)
    assert rows["Difference"] == "None: the decision follows the recommendation." and rows["Risk acceptances"] == "1"


def test_xlsx_of_an_undecided_or_format_1_record(assessment, rejected_against):
    rows = summary_rows(assessment_record(assessment))
    assert rows["Decision"] == "Not decided" and "provisional:" in rows["Recommendation"]
    old = format_1(rejected_against.frozen_record)
    rows = summary_rows(old)
    assert rows["Decided by"] == "reviewer" and rows["Difference"] == DIFFERENCE
    assert rows["Risk acceptances"] == "Not recorded"
    sheet = list(load_workbook(io.BytesIO(record_xlsx(old)))["Risk acceptances"].iter_rows(values_only=True))
    assert sheet[1][0] == "This record was frozen before risk acceptances were recorded with decisions."


def test_the_json_export_carries_decision_and_acceptances(approved_with_acceptance):
    record = json.loads(record_json(approved_with_acceptance.frozen_record))["record"]
    decision = record["decision"]
    assert decision["outcome"] == "approved" and decision["authority_label"] == "executive"
    assert decision["recommendation"] == "executive_acceptance" and decision["differs"] is False
    assert [a["reason"] for a in record["acceptances"]] == ["Accepted for the pilot"]
