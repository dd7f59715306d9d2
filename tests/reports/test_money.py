"""The service's annual spend in the record, the report and the XLSX summary (a number with a
currency format, not text)."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from procurement.assessments.records import assessment_record
from procurement.reports.exports import record_xlsx
from procurement.reports.services import report_html
from procurement.vendors.models import AIService

pytestmark = pytest.mark.django_db


def _spend_row(record: dict):
    sheet = load_workbook(io.BytesIO(record_xlsx(record)))["Summary"]
    return next((row[1] for row in sheet.iter_rows() if row[0].value == "Annual spend"), None)


def test_the_report_and_the_xlsx_show_the_annual_spend_with_its_currency(complete_assessment):
    AIService.objects.filter(pk=complete_assessment.service_id).update(
        annual_spend=Decimal("1250000.50"), currency="GBP"
    )
    complete_assessment.service.refresh_from_db()
    record = assessment_record(complete_assessment)
    assert record["service"]["annual_spend"] == "1250000.50" and record["service"]["currency"] == "GBP"
    html = report_html(record)
    assert '<dd id="annual-spend">GBP 1,250,000.50</dd>' in html
    cell = _spend_row(record)
    assert cell.value == 1250000.5 and cell.data_type == "n"
    assert cell.number_format == '"GBP" #,##0.00'


def test_records_without_a_spend_or_frozen_before_currencies_render_without_one(complete_assessment):
    record = assessment_record(complete_assessment)
    assert record["service"]["annual_spend"] is None
    assert 'id="annual-spend"' not in report_html(record) and _spend_row(record) is None
    old = {**record, "service": {k: v for k, v in record["service"].items() if k not in ("annual_spend", "currency")}}
    assert 'id="annual-spend"' not in report_html(old) and _spend_row(old) is None
