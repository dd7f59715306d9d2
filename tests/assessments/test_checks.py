import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from procurement.assessments.models import Answer
from procurement.assessments.selectors import answers_with_unstorable_text

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="PostgreSQL refuses a lone surrogate at insert, so none can be stored"
)
def test_the_command_finds_answers_stored_with_a_lone_surrogate_or_a_control_character(assessment, capsys):
    """F9: such answers were stored before input was checked; the command lists them to be re-entered."""
    assert connection.vendor == "sqlite"
    Answer.objects.create(assessment=assessment, question_code="CAP-01", value="x\ud800y")
    Answer.objects.create(assessment=assessment, question_code="CST-01A", value="ok", na=True, na_reason="a\x0bb")
    Answer.objects.create(assessment=assessment, question_code="SUP-05", value=90)
    assert answers_with_unstorable_text() == [
        (assessment.pk, "CAP-01", "contains characters that are not valid Unicode text (a lone surrogate)"),
        (assessment.pk, "CST-01A", "contains a control character (U+000B)"),
    ]
    with pytest.raises(CommandError, match="2 answer"):
        call_command("find_unstorable_text")
    assert f"A-{assessment.pk} CAP-01: the stored answer contains" in capsys.readouterr().out


def test_a_clean_database_passes(assessment, capsys):
    Answer.objects.create(assessment=assessment, question_code="CAP-01", value=["plain\ttext\nwith lines"])
    call_command("find_unstorable_text")
    assert "No stored answer holds unstorable text." in capsys.readouterr().out
