from django.urls import reverse, set_script_prefix

from procurement.assessments.models import Assessment
from procurement.assessments.templatetags.assessment_rows import detail_url, status_label


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
