"""What a person reads in the report is sentences: no machine notation, no stored codes, no cut text.

Checked on the demo seed's reports, one decided (frozen record) and one draft (live record),
over everything before the methodology appendix, which is where codes may appear as references.
"""

import html
import re

import pytest

from procurement.assessments.models import Assessment
from procurement.assessments.records import assessment_record
from procurement.reports.context import first_sentence, report_context_from_record, rule_row
from procurement.reports.services import report_html

pytestmark = pytest.mark.django_db

APPENDIX = "Appendix A — Methodology"


def body_text(record: dict) -> tuple[str, str]:
    """(text before the appendix, the appendix's text) of the rendered report, tags stripped."""
    page = report_html(record)
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    head, _, appendix = text.partition(APPENDIX)
    return head, appendix


def stored_codes(record: dict) -> set[str]:
    """Stored choice values that are not also plain words (``yes_minor``, ``executive_acceptance``)."""
    codes = {"approve_with_conditions", "executive_acceptance"}
    for section in record["bank"]["document"]["sections"]:
        for q in section["questions"]:
            codes |= {c["value"] for c in q["choices"] if "_" in c["value"]}
    return codes


def assert_plain(record: dict) -> str:
    head, appendix = body_text(record)
    assert appendix, "the report has its methodology appendix"
    assert "->" not in head
    assert "{" not in head and "}" not in head
    found = sorted(code for code in stored_codes(record) if re.search(rf"\b{re.escape(code)}\b", head))
    assert found == []
    # "Below 1." where the help said "Below 1.0x": a sentence cut at a decimal point. The only
    # digit-and-full-stop allowed is the number of a top risk before its title.
    numbered = head
    for i, risk in enumerate(report_context_from_record(record)["top_risks"], start=1):
        numbered = numbered.replace(f"{i}. {risk['title']}", risk["title"])
    assert not re.search(r"\b\d\.(\s|$)", numbered), re.findall(r".{60}\b\d\.\s", numbered)
    return head


@pytest.fixture
def demo(db, demo_seeded_for_the_module):
    return Assessment.objects.select_related("service__vendor")


def test_the_decided_demo_report_reads_as_sentences(demo):
    decided = demo.filter(status=Assessment.Status.APPROVED).first() or demo.filter(status__in=Assessment.FINAL).first()
    record = assessment_record(decided)
    assert record["decision"]
    head = assert_plain(record)
    assert "How the engine reached its recommendation:" in head


def test_the_draft_demo_reports_read_as_sentences(demo):
    drafts = [a for a in demo.exclude(status__in=Assessment.FINAL) if a.answers.exists()]
    assert drafts
    for assessment in drafts:
        record = assessment_record(assessment)
        head = assert_plain(record)
        assert "The use is tier" in head


def test_rule_reasons_quote_the_question_and_the_answer_label(demo):
    record = assessment_record(demo.filter(status=Assessment.Status.APPROVED).first())
    hits = record["score"]["knockouts"] + record["score"]["flags"]
    assert hits
    for hit in hits:
        for reason in hit["reasons"]:
            assert reason.endswith(".") and "->" not in reason and " = " not in reason


def test_the_appendix_has_the_method_in_prose_and_the_rules_in_words_without_json_or_paths(demo):
    record = assessment_record(demo.filter(status=Assessment.Status.APPROVED).first())
    _, appendix = body_text(record)
    assert "docs/" not in appendix and ".md" not in appendix and "{" not in appendix
    assert "Fires when" in appendix and "Knockout in" in appendix
    assert "Fires when “Must inference stay inside a particular geography?” (INT-09) is" in appendix
    page = report_html(record)
    assert page.count('<div class="rule">') == len(report_context_from_record(record)["params"]["rules"]) > 5


def test_top_risks_quote_the_answer_and_keep_whole_sentences(demo):
    record = assessment_record(demo.filter(status=Assessment.Status.APPROVED).first())
    ctx = report_context_from_record(record)
    for risk in ctx["top_risks"]:
        assert risk["text"].endswith(".") and not re.search(r"\b\d\.$", risk["text"])
        assert not re.search(r"\b\d\.\s", risk["text"])


def test_first_sentence_does_not_cut_at_a_decimal_point_or_an_abbreviation():
    assert first_sentence("Below 1.0x our peak is a risk. More text.") == "Below 1.0x our peak is a risk."
    assert first_sentence("A geography (e.g. HIPAA rules) applies. Next.") == "A geography (e.g. HIPAA rules) applies."
    assert first_sentence("") == ""


def test_a_condition_rule_reads_in_words_with_labels():
    questions = {
        "Q1": {"text": "Is it leased?", "choices": [{"value": "yes_minor", "label": "Yes, a minor share"}]},
        "Q2": {"text": "How many days?", "unit": "days", "choices": []},
    }
    rule = {
        "title": "Leased",
        "severity": "knockout",
        "knockout_tiers": [1, 2],
        "condition": {
            "all": [
                {"question": "Q1", "in": ["yes_minor"]},
                {"any": [{"question": "Q2", "lt": 180}, {"fact": "upstream_notice_days", "lt": 180}]},
            ]
        },
    }
    row = rule_row("leased", rule, questions)
    assert row["fires_when"] == (
        "Fires when “Is it leased?” (Q1) is “Yes, a minor share”; and either “How many days?” (Q2) is below"
        " 180 days or the shortest notice a material upstream provider can give in the recorded supply chain is"
        " below 180 days."
    )
    assert row["knockout_in"] == "tiers 1 and 2; a flag otherwise" and row["questions"] == "Q1, Q2"


def test_the_decided_demo_pdf_text_has_no_machine_notation(demo, artifacts_dir):
    """The same checks on what the PDF itself says (pdftotext), pages before the appendix."""
    import shutil
    import subprocess

    from procurement.reports.services import report_pdf

    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("poppler-utils not installed")
    record = assessment_record(demo.filter(status=Assessment.Status.APPROVED).first())
    data, _ = report_pdf(record)
    (artifacts_dir / "report-demo-approved.pdf").write_bytes(data)
    text = subprocess.run([pdftotext, "-", "-"], input=data, capture_output=True, check=True).stdout.decode()  # noqa: S603
    head = " ".join(text.rpartition(APPENDIX)[0].split())
    assert head
    assert "->" not in head and "{" not in head
    assert [c for c in stored_codes(record) if re.search(rf"\b{re.escape(c)}\b", head)] == []
    assert "Full method" not in text and "docs/scoring.md" not in text
