"""The PDF: content, structure, fonts, hostile input, and the fetcher. Real WeasyPrint, real poppler."""

import io
import shutil
import subprocess
import threading

import pytest
from pypdf import PdfReader

from procurement.assessments import services
from procurement.assessments.records import assessment_record
from procurement.assessments.services import AnswerInput
from procurement.reports.context import report_context_from_record
from procurement.reports.pdf import STATIC_PREFIX, FetchRefused, SafeURLFetcher, render_document, resolve_static
from procurement.reports.services import report_html, report_pdf
from tests.conftest import decided_world, module_world
from tests.pdf_pages import pdf_text

pytestmark = pytest.mark.django_db

# The decided assessment (and the organisation and people around it) once for the module.
module_world_rows, world, org, other_org, personas, decided = module_world(
    decided_world, "org", "other_org", "personas", "decided"
)


@pytest.fixture(scope="module")
def decided_pdf(module_world_rows) -> tuple[bytes, int]:
    """The decided assessment's report, rendered once for the tests that only read it."""
    return report_pdf(module_world_rows["decided"].frozen_record)


def test_decided_report_text_has_headings_decision_knockouts_and_bank_version(decided, decided_pdf, artifacts_dir):
    record = decided.frozen_record
    data, pages = decided_pdf
    (artifacts_dir / "report-decided.pdf").write_bytes(data)
    text = pdf_text(data)
    for heading in (
        "Executive summary",
        "Section scores",
        "Where it runs and on whose hardware",
        "Answers, section by section",
    ):
        assert heading in text
    for section in record["bank"]["document"]["sections"]:
        assert f"{section['code']} · {section['title']}" in text
    flat = " ".join(text.split())
    assert "Board decision" not in flat
    assert "Decision: Rejected by reviewer (reviewer, standard authority) on" in flat
    assert "Engine recommendation: Reject · Critical residual" in flat
    for knockout in record["score"]["knockouts"]:
        assert knockout["title"] in text
        for reason in knockout["reasons"]:
            assert reason.split(" (")[0] in text.replace("\n", " ")
    assert "AI vendor due diligence v1" in text
    assert "Two regions of one cloud" in text and "Asked twice; no answer" in text and "Disclose the model" in text
    assert 10 <= pages <= 30
    assert "DRAFT" not in text


def test_pdf_has_metadata_bookmarks_and_page_numbers(decided_pdf):
    data, pages = decided_pdf
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title.startswith("AI vendor risk report — ClaimsBot Ltd")
    assert reader.metadata.author == "Acme Buyer"
    assert "Reject" in reader.metadata.subject
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert {"Executive summary", "Section scores", "Appendix A — Methodology"} <= set(titles)
    assert f"Page 2 of {pages}" in reader.pages[1].extract_text()


def test_draft_report_has_a_watermark(assessment_in_progress):
    data, _ = report_pdf(assessment_record(assessment_in_progress))
    text = pdf_text(data)
    assert "DRAFT" in text and "Not yet decided" in text


@pytest.fixture
def assessment_in_progress(org, personas, shipped_version):
    from procurement.vendors.models import AIService, Vendor

    service = AIService.objects.create(vendor=Vendor.objects.create(organisation=org, name="Ünïcode AI"), name="Svc")
    return services.assessment_create(service=service, bank=shipped_version.bank, by=personas["analyst"])


def test_pages_convert_to_png_with_pdftoppm(decided_pdf, artifacts_dir, tmp_path):
    data, _ = decided_pdf
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "3", str(path), str(tmp_path / "p")], check=True)  # noqa: S603,S607
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == 3 and all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)
    for p in pngs:
        shutil.copy(p, artifacts_dir / f"report-{p.name}")


def test_unicode_answers_render_in_real_fonts(assessment_in_progress, personas, tmp_path):
    answers = {
        "CAP-01": "東京リージョンで毎分 4,000 リクエスト、予約済み",
        "CST-01A": "السعر: ٣ دولارات لكل مليون رمز",
        "CON-12": "Ünïcödé — Zürich, Kraków, São Paulo; עברית",
    }
    services.answers_save(
        assessment=assessment_in_progress,
        values={k: AnswerInput(v) for k, v in answers.items() if k != "CON-12"},
        by=personas["analyst"],
        base_revisions=None,
    )
    services.comment_add(
        assessment=assessment_in_progress, question_code="CAP-01", body=answers["CON-12"], by=personas["reviewer"]
    )
    data, _ = report_pdf(assessment_record(assessment_in_progress))
    path = tmp_path / "u.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603,S607
    assert "Droid-Sans-Fallback" in fonts  # CJK glyphs came from a real CJK font, not boxes
    text = pdf_text(data)
    assert "東京リージョン" in text and "Kraków" in text and "São Paulo" in text


def test_hostile_html_in_answers_is_literal_text_and_fetches_nothing(assessment_in_progress, personas, monkeypatch):
    hostile = (
        '<img src="http://169.254.169.254/latest/meta-data/"><link rel="stylesheet" href="file:///etc/passwd">'
        "<style>@import url(http://evil.example/x.css);</style><script>alert(1)</script>"
    )
    services.answers_save(
        assessment=assessment_in_progress,
        values={"CAP-01": AnswerInput(hostile)},
        by=personas["analyst"],
        base_revisions=None,
    )
    fetched: list[str] = []
    original = SafeURLFetcher.fetch

    def recording(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(SafeURLFetcher, "fetch", recording)
    record = assessment_record(assessment_in_progress)
    html = report_html(record)
    assert "&lt;img src=&quot;http://169.254.169.254" in html and "<img" not in html.split("<body>")[1]
    data, _ = report_pdf(record)
    assert fetched == []  # the report's stylesheets are static files parsed once, not fetched
    assert "<script>alert(1)</script>" in pdf_text(data).replace("\n", "")


# --- The fetcher ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/x.css",
        "ftp://example.com/x",
        "static:///../../../../etc/passwd",
        "static:///css/../../procurement/settings.py",
        "static:///%2e%2e/%2e%2e/etc/passwd",
        "static:///css/report.css?redirect=http://evil.example",
        "static:///nope/missing.css",
        "css/report.css",
    ],
)
def test_fetcher_refuses_everything_but_static_files_and_data(url):
    with pytest.raises((FetchRefused, ValueError)):
        SafeURLFetcher().fetch(url)


def test_fetcher_serves_static_files_and_data_uris():
    response = SafeURLFetcher().fetch(f"{STATIC_PREFIX}css/report.css")
    assert b"@page" in response.read() and response.content_type == "text/css"
    assert SafeURLFetcher().fetch("data:text/plain;base64,aGk=").read() == b"hi"
    assert resolve_static(f"{STATIC_PREFIX}img/favicon.svg").name == "favicon.svg"


def test_rendering_runs_no_queries(decided, django_assert_num_queries):
    record = decided.frozen_record
    with django_assert_num_queries(0):
        report_context_from_record(record)
        report_pdf(record)


def test_a_record_renders_the_same_bytes_whatever_the_reused_font_configuration_saw_before(
    decided, assessment_in_progress, personas
):
    # Renders reuse one FontConfiguration per thread (procurement/reports/pdf.py): a report rendered
    # after another that loaded a CJK font is byte-identical to one rendered with a fresh configuration.
    services.answers_save(
        assessment=assessment_in_progress,
        values={"CAP-01": AnswerInput("東京リージョンで毎分 4,000 リクエスト")},
        by=personas["analyst"],
        base_revisions=None,
    )
    report_pdf(assessment_record(assessment_in_progress))
    record = decided.frozen_record
    after_other, _ = report_pdf(record)
    fresh = {}
    thread = threading.Thread(target=lambda: fresh.update(data=report_pdf(record)[0]))
    thread.start()
    thread.join()
    assert after_other == fresh["data"]


def _box_geometry(document) -> list[tuple]:
    rows = []
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            rows.append(
                (
                    number,
                    type(box).__name__,
                    getattr(box, "element_tag", None),
                    round(box.position_x, 2),
                    round(box.position_y, 2),
                    round(box.width or 0, 2) if isinstance(box.width, (int, float)) else None,
                    round(box.height or 0, 2) if isinstance(box.height, (int, float)) else None,
                    getattr(box, "text", None),
                )
            )
    return rows


def _tree(element) -> tuple:
    return (element.tag, dict(element.attrib), element.text, element.tail, [_tree(child) for child in element])


def test_reports_own_ua_stylesheet_and_parser_lay_out_every_box_where_weasyprints_do(decided):
    """static/css/report-ua.css replaces WeasyPrint's HTML5 sheet and expat its HTML5 parser, for
    speed; the demo reports (chart, chain diagram, tables, lists, overrides) must read as the same
    tree and come out box for box the same."""
    import tinyhtml5
    from django.core.management import call_command

    from procurement.assessments.models import Assessment
    from procurement.reports.pdf import _parse_xml

    call_command("seed_demo", stdout=io.StringIO())
    demo = Assessment.objects.filter(service__name="Frontier API", status="submitted").get()
    for record in (decided.frozen_record, assessment_record(demo)):
        html = report_html(record)
        fast = _parse_xml(html)
        assert fast is not None, "the report's markup no longer reads as XML: every render parses it slowly"
        assert _tree(fast) == _tree(tinyhtml5.parse(html, namespace_html_elements=False))
        ours, weasyprints = render_document(html), render_document(html, ua=False)
        assert len(ours.pages) == len(weasyprints.pages) > 5
        geometry = _box_geometry(ours)
        assert len(geometry) > 1000
        assert geometry == _box_geometry(weasyprints)


@pytest.mark.parametrize(
    "html",
    [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body><p>a&nbsp;b</p></body></html>',
        '<html><head></head><body><p title="two\nlines">x</p></body></html>',
        "<html><head></head><body><p>bell \x07</p></body></html>",
        "<html><head></head><body><p>unclosed<div>block</div></body></html>",
        "<html><head></head><body><!-- a comment --><p>x</p></body></html>",
        '<!DOCTYPE html><!DOCTYPE x [<!ENTITY e "ee">]><html><head></head><body><p>&e;</p></body></html>',
        "<html><head></head><body><table><caption>c</caption><tr><td>x</td></tr></table></body></html>",
    ],
)
def test_markup_expat_would_read_differently_is_parsed_by_tinyhtml5(html):
    import tinyhtml5

    from procurement.reports.pdf import _parse_xml, parse_html

    assert _parse_xml(html) is None
    assert _tree(parse_html(html)) == _tree(tinyhtml5.parse(html, namespace_html_elements=False))


@pytest.mark.parametrize(
    "html",
    [
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>T &amp; c</title>\n</head>\n'
        '<body>\n<table class="t"><colgroup><col span="2"></colgroup><tbody><tr><th>a</th></tr></tbody></table>\n'
        "<table><tr><td>b<br>c</td></tr>\n<tr><td>d</td></tr></table>"
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><title>t</title></svg>\n</body>\n</html>\n',
        "<html><head></head><body></body></html>  \n",
    ],
)
def test_well_formed_markup_reads_as_tinyhtml5_reads_it(html):
    import tinyhtml5

    from procurement.reports.pdf import _parse_xml

    fast = _parse_xml(html)
    assert fast is not None
    assert _tree(fast) == _tree(tinyhtml5.parse(html, namespace_html_elements=False))


def test_the_pdf_cover_states_decision_recommendation_and_the_acceptances_section_lists_them(
    approved_with_acceptance, artifacts_dir
):
    data, _ = report_pdf(approved_with_acceptance.frozen_record)
    (artifacts_dir / "report-approved-with-acceptance.pdf").write_bytes(data)
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]
    assert "Decision: Approved by approver (reviewer, executive authority) on" in pages[0]
    assert "Engine recommendation: Executive risk acceptance required · High residual" in pages[0]
    assert "Board decision" not in " ".join(pages)
    acceptances = next(p for p in pages if "Risk acceptances" in p and "Accepted for the pilot" in p)
    assert "approver (executive authority)" in acceptances and "Expires on" in acceptances
