import datetime as dt

import pytest
from django.urls import reverse, set_script_prefix

from procurement.assessments.forms import SectionForm, section_rows
from procurement.assessments.models import Assessment
from procurement.assessments.selectors import bank_structure
from procurement.assessments.templatetags.assessment_rows import assessment_row, detail_url, status_label
from procurement.assessments.templatetags.section_fields import section_questions


def test_detail_url_is_what_reverse_gives_under_any_script_prefix():
    try:
        for prefix in ("/", "/dd/"):
            set_script_prefix(prefix)
            for pk in (1, 42, 10_000):
                assert detail_url(pk) == reverse("assessments:detail", args=[pk])
            assert detail_url(7).startswith(prefix)
    finally:
        set_script_prefix("/")


def test_status_label_is_the_choice_label_for_every_status():
    for status in Assessment.Status.values:
        assert status_label(status) == Assessment(status=status).get_status_display()
    assert status_label("unknown") == "unknown"


def test_assessment_row_escapes_names_and_fills_all_eight_cells():
    a = Assessment(pk=12, status="in_review", risk_band="high", recommendation="reject", due_date=dt.date(2026, 12, 24))
    a.vendor_name, a.service_name, a.bank_name, a.bank_number, a.owner_name = "<script>x</script>", "S & Co", "B", 3, ""
    row = assessment_row(a)
    assert "<script>" not in row and "&lt;script&gt;x&lt;/script&gt; · S &amp; Co" in row
    assert row.count("<td") == 8 and f'<a href="{reverse("assessments:detail", args=[12])}">A-12</a>' in row
    for cell in (
        "B v3",
        "In review",
        '<span class="badge band-high">High</span>',
        'text-bg-danger">Reject',
        "24 Dec 2026",
    ):
        assert cell in row, cell
    assert '<td class="small">—</td>' in row  # no owner
    undecided = Assessment(pk=13, status="draft")
    undecided.vendor_name = undecided.service_name = undecided.bank_name = undecided.owner_name = "x"
    undecided.bank_number = 1
    undecided_row = assessment_row(undecided)
    assert row.count("—") == 1 and undecided_row.count('<span class="text-secondary">—</span>') == 1
    assert row.count("Not decided") == 1 and undecided_row.count("Not decided") == 1


@pytest.mark.django_db
def test_section_questions_escape_the_bank_and_keep_each_inputs_name_and_error_link(shipped_version):
    sup = bank_structure(shipped_version).section("SUP")
    choice, number = (dict(q, text=f"<b>{q['text']}</b> & co") for q in sup["questions"][:3:2])  # SUP-01, SUP-03
    questions = [choice, number]
    form = SectionForm(
        {"q-SUP-03": "many", "na-SUP-01": "on", "bs-SUP-01": "document"}, questions=questions, answers={}, revision=0
    )
    form.is_valid()
    rows = section_rows(form, questions=questions, answers={}, visible={})
    context = {"can_edit": True, "question_url": "/a/1/q/", "evidence_url": "/a/1/e/", "document_accept": ".pdf"}
    page = section_questions(context, rows)
    assert "<b>" not in page and page.count("&lt;b&gt;Will you give us") == 3  # legend, N/A label, its reason
    # The number input is named by the question and described by its error, which is linked.
    assert 'id="in-SUP-03" value="many" aria-labelledby="lg-SUP-03" aria-describedby="err-SUP-03' in page
    assert 'aria-invalid="true"' in page and '<div class="invalid-feedback d-block" id="err-SUP-03">' in page
    # The N/A ticked without a reason: the reason box is the invalid field, described by the error.
    assert 'id="nar-SUP-01" value=""' in page and 'aria-describedby="err-SUP-01">' in page
    assert '<option value="document" selected>Document</option>' in page  # the posted basis
    assert 'href="/a/1/q/SUP-01/history/"' in page and "Critical" in page and "clarify" not in page
    # A number is a text box asking for a number keyboard (an empty type="number" box is read "0.0").
    assert 'type="text" inputmode="decimal" spellcheck="false" autocomplete="off" name="q-SUP-03"' in page
    assert 'type="number"' not in page
    # Each question is a heading below the section's: h3 under the staff page's h2, h2 in the portal.
    assert page.count('<legend class="form-label fs-6 mb-1" id="lg-SUP-03"><h3 ') == 1
    portal = section_questions({**context, "portal": True}, rows)
    assert 'href="/a/1/q/SUP-01/clarify/"' in portal and "Critical" not in portal
    assert portal.count("<h2 ") == 2 and "<h3 " not in portal
