import datetime as dt

from django.urls import reverse, set_script_prefix

from procurement.assessments.models import Assessment
from procurement.assessments.templatetags.assessment_rows import assessment_row, detail_url, status_label


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
