"""The XLSX a procurement person opens: its sheets, typed cells (numbers as numbers, dates as
dates), formula-like text kept as text, and the frozen record, not live rows, of a decided
assessment; old (format 1) records still export."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from procurement.assessments import services
from procurement.assessments.models import Finding
from procurement.reports.exports import (
    AUDIT_HEADER,
    FINDINGS_HEADER,
    SUPPLY_HEADER,
    record_xlsx,
)
from procurement.vendors.models import SupplyLink
from procurement.vendors.supply import link_save

pytestmark = pytest.mark.django_db

SHEETS = ["Summary", "Answers", "Findings and conditions", "Risk acceptances", "Supply chain", "Contract", "Audit"]
HOSTILE = '=HYPERLINK("http://evil.example","Click")'
DUE = dt.date(2027, 3, 31)


@pytest.fixture
def chained_and_rejected(in_review, org, providers, personas):
    """A reviewed assessment with a two-tier supply chain and a condition whose text is a formula,
    then rejected: its record freezes all three."""
    service = in_review.service
    p = providers
    link_save(
        link=SupplyLink(service=service, provider=p["lab"], role="model_provider", share=100, notice_days=180),
        organisation=org,
    )
    link_save(
        link=SupplyLink(
            from_provider=p["lab"],
            provider=p["rival"],
            role="inference_compute",
            share=40,
            arrangement="lease",
            notice_days=90,
            competitor=True,
            regions="us-east, eu-west",
        ),
        organisation=org,
    )
    services.finding_add(
        assessment=in_review,
        kind="condition",
        text=HOSTILE,
        owner_user=personas["analyst"],
        due_date=DUE,
        by=personas["reviewer"],
    )
    return services.assessment_decide(
        assessment=in_review,
        by=personas["reviewer"],
        approve=False,
        note="Leased capacity from a rival",
        authenticated_at=timezone.now(),
    )


def _book(record: dict):
    return load_workbook(io.BytesIO(record_xlsx(record)))


def _rows(sheet, header) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(header)
    return [dict(zip(header, row, strict=False)) for row in values[1:]]


def test_the_workbook_has_the_seven_sheets_a_procurement_person_needs(chained_and_rejected):
    assert _book(chained_and_rejected.frozen_record).sheetnames == SHEETS


def test_summary_score_is_a_number_and_the_decision_time_a_date_time(chained_and_rejected):
    summary = {r[0]: r[1] for r in _book(chained_and_rejected.frozen_record)["Summary"].iter_rows(values_only=True)}
    record = chained_and_rejected.frozen_record
    assert isinstance(summary["Overall risk (0-100)"], int | float)
    assert summary["Overall risk (0-100)"] == pytest.approx(record["score"]["overall_risk"], abs=0.05)
    assert isinstance(summary["Decided at (UTC)"], dt.datetime)
    assert summary["Decided at (UTC)"].date() == chained_and_rejected.decided_at.astimezone(dt.UTC).date()
    assert summary["Decision"] == "Rejected" and summary["Decision note"] == "Leased capacity from a rival"
    assert summary["Residual rating"] == record["score"]["residual"].capitalize()
    assert isinstance(summary["Scored as of"], dt.datetime)  # a date cell reads back as midnight


def test_answers_sheet_shows_labels_points_as_numbers_and_plain_status(chained_and_rejected):
    wb = _book(chained_and_rejected.frozen_record)
    rows = {r[1]: r for r in wb["Answers"].iter_rows(min_row=2, values_only=True)}
    record = chained_and_rejected.frozen_record
    stored = record["answers"]["LOC-04"]["value"]  # a multiple choice, stored as codes
    assert stored and not any(code in rows["LOC-04"][3] for code in stored if "_" in code)
    assert all(isinstance(r[5], int | float) for r in rows.values() if r[5] is not None)
    statuses = {r[4] for r in rows.values()}
    assert {"Scored", "Not shown"} <= statuses and not any("_" in s for s in statuses)  # status in words


def test_findings_sheet_keeps_a_formula_as_text_with_owner_due_date_and_status(chained_and_rejected):
    sheet = _book(chained_and_rejected.frozen_record)["Findings and conditions"]
    (row,) = _rows(sheet, FINDINGS_HEADER)
    assert row == {
        "Kind": "Condition",
        "Text": HOSTILE,
        "Owner": "analyst",
        "Due date": dt.datetime(2027, 3, 31),
        "Status at the decision": "Open",
    }
    text_cell = sheet["B2"]
    assert text_cell.data_type == "s" and sheet["D2"].is_date
    assert all(cell.data_type != "f" for r in sheet.iter_rows() for cell in r)


def test_a_decided_assessment_exports_its_frozen_findings_not_the_live_rows(login, personas, chained_and_rejected):
    Finding.objects.filter(assessment=chained_and_rejected).update(text="changed later", status="in_progress")
    response = login(personas["viewer"]).get(reverse("reports:export_xlsx", args=[chained_and_rejected.pk]))
    sheet = load_workbook(io.BytesIO(response.content))["Findings and conditions"]
    (row,) = _rows(sheet, FINDINGS_HEADER)
    assert row["Text"] == HOSTILE and row["Status at the decision"] == "Open"


def test_supply_chain_sheet_lists_each_link_with_numbers_and_labels(chained_and_rejected):
    rows = _rows(_book(chained_and_rejected.frozen_record)["Supply chain"], SUPPLY_HEADER)
    by_provider = {r["Provider"]: r for r in rows}
    lab, rival = by_provider["Frontier Lab"], by_provider["Rival DC"]
    assert lab["Supplies"] == "Frontier API" and lab["Role"] == "Model provider" and lab["Notice (days)"] == 180
    assert rival["Supplies"] == "Frontier Lab" and rival["Owner"] == "Rival AI"
    assert rival["Role"] == "Inference compute" and rival["Arrangement"] == "Lease"
    assert rival["Share (%)"] == 40 and rival["Notice (days)"] == 90 and rival["Competitor"] == "yes"
    assert rival["Regions"] == "us-east (United States), eu-west (France, Ireland or United Kingdom)"
    assert all(isinstance(r["Notice (days)"], int | float) for r in rows)


def test_audit_sheet_is_the_timeline_with_date_times_and_ends_with_the_decision(chained_and_rejected):
    rows = _rows(_book(chained_and_rejected.frozen_record)["Audit"], AUDIT_HEADER)
    assert rows and all(isinstance(r["When (UTC)"], dt.datetime) for r in rows)
    whats = [r["What"] for r in rows]
    assert "Status: Submitted → In review" in whats
    assert whats[-1].startswith("Decision: rejected; engine recommendation:")
    assert rows[-1]["Note"] == "Leased capacity from a rival"
    assert not any("->" in w or "_" in w for w in whats)


def test_a_format_1_record_still_exports_every_sheet(chained_and_rejected):
    record = chained_and_rejected.frozen_record
    old = {k: v for k, v in record.items() if k not in ("acceptances", "attestation", "supply_chain")}
    old["format"] = 1
    old["decision"] = {k: record["decision"][k] for k in ("outcome", "by", "note", "at")}
    old["findings"] = [{k: f[k] for k in ("kind", "text", "owner", "due_date")} for f in record["findings"]]
    wb = _book(old)
    assert wb.sheetnames == SHEETS
    (finding,) = _rows(wb["Findings and conditions"], FINDINGS_HEADER)
    assert finding["Status at the decision"] == "Open" and finding["Due date"] == dt.datetime(2027, 3, 31)
    assert wb["Supply chain"]["A2"].value == "No supply chain was recorded for this service."
    assert wb["Contract"]["A2"].value == "This record was made before contracts were recorded."
    assert isinstance(_rows(wb["Audit"], AUDIT_HEADER)[-1]["When (UTC)"], dt.datetime)


def test_the_contract_sheet_holds_the_contract_facts_the_decision_froze(in_review, personas):
    from procurement.vendors.contracts import contract_save
    from procurement.vendors.models import Contract

    contract = Contract(
        reference="MSA-7",
        buyer_party="Acme Buyer",
        vendor_party="Frontier Lab Inc",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2027, 1, 1),
        auto_renews=True,
        renewal_notice_days=60,
        vendor_termination_notice_days=90,
    )
    contract_save(contract=contract, service=in_review.service, by=None)
    decided = services.assessment_decide(
        assessment=in_review, by=personas["reviewer"], approve=False, note="No", authenticated_at=timezone.now()
    )
    contract.vendor_termination_notice_days = 30  # a later change: the export shows the frozen figure
    contract_save(contract=contract, service=in_review.service, by=None)
    facts = dict(_book(decided.frozen_record)["Contract"].iter_rows(min_row=2, values_only=True))
    assert facts["Contract reference"] == "MSA-7" and facts["Vendor's contracting entity"] == "Frontier Lab Inc"
    assert facts["End or renewal date"] == dt.datetime(2027, 1, 1) and facts["Renews automatically"] == "yes"
    assert facts["Vendor's termination notice (days)"] == 90 and facts["Notice to stop the renewal (days)"] == 60
    assert facts["Committed notice of upstream changes (days)"] == "not stated"


def test_the_contract_sheet_says_when_the_service_has_no_contract(in_review):
    from procurement.assessments.records import assessment_record

    assert _book(assessment_record(in_review))["Contract"]["A2"].value == "No contract was recorded for this service."
