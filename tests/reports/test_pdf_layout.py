"""The demo reports, decided and draft, page by page as a reader sees them: no page more than
half empty except the last of a chapter (the cover, the page before the appendix, the last)."""

import pytest

from procurement.assessments.models import Assessment
from procurement.assessments.records import assessment_record
from procurement.reports.services import report_html, report_pdf
from tests.pdf_pages import half_empty_pages, pdf_text, pdf_text_pages

pytestmark = [pytest.mark.django_db, pytest.mark.pdf]


@pytest.mark.parametrize("status", ["approved", "submitted"])
def test_no_demo_report_page_is_half_empty_except_a_chapters_last(status, artifacts_dir, demo_seeded_for_the_module):
    a = Assessment.objects.filter(service__name="Frontier API", status=status).get()
    record = a.frozen_record if a.is_final else assessment_record(a)
    data, pages = report_pdf(record, status_label=a.get_status_display())
    (artifacts_dir / f"report-demo-{status}.pdf").write_bytes(data)
    texts = pdf_text_pages(data)
    appendix = next(n for n, text in enumerate(texts, start=1) if "Appendix A" in text)
    # The cover is a chapter of its own; the answers end on the page before the appendix.
    assert half_empty_pages(data, top_mm=22, bottom_mm=20, last_pages={1, appendix - 1}) == []
    assert pages == len(texts) > appendix


def test_the_demo_report_draws_the_recorded_supply_chain(artifacts_dir, demo_seeded_for_the_module):
    """Done-when of the supply-chain issue: the PDF of a demo assessment contains the chain diagram."""
    assessment = Assessment.objects.filter(service__name="Frontier API", status="submitted").get()
    record = assessment_record(assessment)
    assert record["supply_chain"]["facts"]["competitor_or_leased_share"] == 40.0
    html = report_html(record)
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chain-diagram"' in html
    data, _ = report_pdf(record)
    (artifacts_dir / "report-demo-chain.pdf").write_bytes(data)
    text = pdf_text(data).replace("\n", " ")
    assert "Recorded supply chain" in text
    for label in ("Frontier Lab", "Hyperscale Cloud us-east", "Rival AI data centre (Ohio)", "single point of failure"):
        assert label in text  # drawn as SVG text, so it is in the PDF's text layer
    assert "90 days short of the 180 days needed to migrate" in text
