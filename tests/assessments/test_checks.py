import pytest
from django.core.management import call_command
from django.db import connection

from procurement.assessments.checks import stored_text_check
from procurement.assessments.models import Answer

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="PostgreSQL refuses a lone surrogate at insert, so none can be stored"
)
def test_the_database_check_finds_answers_stored_with_a_lone_surrogate_or_a_control_character(assessment):
    """F9: such answers were stored before input was checked; the check lists them to be re-entered."""
    assert connection.vendor == "sqlite"
    Answer.objects.create(assessment=assessment, question_code="CAP-01", value="x\ud800y")
    Answer.objects.create(assessment=assessment, question_code="CST-01A", value="ok", na=True, na_reason="a\x0bb")
    Answer.objects.create(assessment=assessment, question_code="SUP-05", value=90)
    found = stored_text_check(databases=["default"])
    assert [w.msg for w in found] == [
        f"A-{assessment.pk} CAP-01: the stored answer contains characters that are not valid Unicode text "
        "(a lone surrogate).",
        f"A-{assessment.pk} CST-01A: the stored answer contains a control character (U+000B).",
    ]
    assert stored_text_check(databases=None) == []  # only when asked to look at the database


def test_a_clean_database_passes_the_check(assessment):
    Answer.objects.create(assessment=assessment, question_code="CAP-01", value="plain\ttext\nwith lines")
    assert stored_text_check(databases=["default"]) == []
    call_command("check", "--database", "default", "--fail-level", "WARNING")
