"""import_answers / export_answers and the UI import: everything is checked first."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from procurement.assessments import services
from procurement.assessments.models import Answer, AnswerChange
from procurement.questionbank.services import version_new_draft, version_publish
from tests.core.test_loaders import laughs

pytestmark = pytest.mark.django_db

GOOD_YAML = """\
SUP-05: 90
INT-07: [gdpr, dora_critical]
SEC-01A: 2027-06-30
SUP-01: categories
LOC-07: {na: We never add regions}
CST-01A: "Per 1M tokens: 3 in / 15 out"
"""


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.yaml", GOOD_YAML),
        (
            "a.json",
            json.dumps(
                {
                    "SUP-05": 90,
                    "INT-07": ["gdpr", "dora_critical"],
                    "SEC-01A": "2027-06-30",
                    "SUP-01": "categories",
                    "LOC-07": {"na": "We never add regions"},
                    "CST-01A": "Per 1M tokens: 3 in / 15 out",
                }
            ),
        ),
        (
            "a.csv",
            "code,value,na_reason\nSUP-05,90,\nINT-07,gdpr|dora_critical,\nSEC-01A,2027-06-30,\n"
            "SUP-01,categories,\nLOC-07,N/A,We never add regions\nCST-01A,Per 1M tokens: 3 in / 15 out,\n",
        ),
    ],
)
def test_import_in_every_format_then_export_round_trips(tmp_path, assessment, name, content):
    path = tmp_path / name
    path.write_text(content)
    call_command("import_answers", str(assessment.pk), str(path))
    stored = {a.question_code: (a.value, a.na, a.na_reason) for a in assessment.answers.all()}
    assert stored == {
        "SUP-05": (90, False, ""),
        "INT-07": (["gdpr", "dora_critical"], False, ""),
        "SEC-01A": ("2027-06-30", False, ""),
        "SUP-01": ("categories", False, ""),
        "LOC-07": (None, True, "We never add regions"),
        "CST-01A": ("Per 1M tokens: 3 in / 15 out", False, ""),
    }
    out = tmp_path / ("out." + name.rsplit(".", 1)[1])
    call_command("export_answers", str(assessment.pk), "-o", str(out))
    Answer.objects.all().delete()
    call_command("import_answers", str(assessment.pk), str(out))
    assert {a.question_code: (a.value, a.na, a.na_reason) for a in assessment.answers.all()} == stored


def test_import_with_errors_reports_every_one_and_writes_nothing(tmp_path, assessment):
    path = tmp_path / "bad.csv"
    path.write_text(
        "code,value,na_reason\n"
        "SUP-05,ninety,\n"
        "NOPE-01,1,\n"
        "SUP-01,maybe,\n"
        "SEC-01A,31/12/2027,\n"
        "INT-01,N/A,\n"
        "CON-12,text,\n"
        "SEC-01B,file.pdf,\n"
        "SUP-03,45,\n"
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_answers", str(assessment.pk), str(path))
    message = str(exc.value)
    for expected in (
        "bad.csv:2: SUP-05: 'ninety' is not a number",
        "'NOPE-01' is not a question",
        "SUP-01: 'maybe' is not one of",
        "not a date",
        "INT-01 cannot be marked not applicable",
        "CON-12 is for reviewers only",
        "SEC-01B takes a file upload",
    ):
        assert expected in message
    assert not Answer.objects.exists()  # SUP-03 was valid, but nothing is written


def test_malformed_files_get_a_clear_message(tmp_path, assessment):
    for name, content, expected in (
        ("a.json", "{not json", "invalid JSON"),
        ("a.yaml", "- a\n- list\n", "expected a mapping"),
        ("a.csv", "question,answer\nX,1\n", "header must be code,value,na_reason"),
        ("a.xlsx", "PK", "unknown format"),
    ):
        path = tmp_path / name
        path.write_text(content)
        with pytest.raises(CommandError, match=expected):
            call_command("import_answers", str(assessment.pk), str(path))


def test_ui_import_is_all_or_nothing(login, personas, assessment):
    client = login(personas["analyst"])
    url = reverse("assessments:import", args=[assessment.pk])
    bad = SimpleUploadedFile("returned.yaml", b"SUP-05: 90\nSUP-01: maybe\n")
    response = client.post(url, {"file": bad})
    assert response.status_code == 400 and "Nothing was imported" in response.content.decode()
    assert not Answer.objects.exists()
    good = SimpleUploadedFile("returned.yaml", GOOD_YAML.encode())
    assert client.post(url, {"file": good}).status_code == 302
    assert Answer.objects.count() == 6
    assert (
        login(personas["viewer"]).post(url, {"file": SimpleUploadedFile("r.yaml", b"SUP-05: 1\n")}).status_code == 403
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("laughs.yaml", laughs(8), "not allowed"),  # F1: 516 bytes that took 25 s and 656 MiB
        ("deep.json", '{"CAP-01": ' + "[" * 100_000 + "]" * 100_000 + "}", "levels deep"),  # F8
        ("deep.yaml", "CAP-01: " + "[" * 20_000 + "]" * 20_000 + "\n", "levels deep"),
        ("huge.json", '{"LOC-07": ' + "9" * 5000 + "}", "longer than 30 digits"),
        ("huge.yaml", "LOC-07: " + "9" * 5000 + "\n", "longer than 30 digits"),
        ("date.yaml", "SEC-01A: 9999-99-99\n", "is not a valid date"),
        ("time.yaml", "SEC-01A: 2020-01-01T25:99:99\n", "is not a date (YYYY-MM-DD)"),
        ("surrogate.json", '{"CAP-01": "x\\ud800y"}', "lone surrogate"),  # F9
        ("control.json", '{"CAP-01": "text \\u0001\\u000b text"}', "control character"),  # F7
        ("control.csv", "code,value,na_reason\nCAP-01,a\x0bb,\n", "control character"),
        ("nested.yaml", "CAP-01: {a: [1, 2]}\n", "give a single value"),
    ],
)
def test_crafted_answer_files_get_a_400_with_a_message_and_write_nothing(
    login, personas, assessment, name, content, message
):
    response = login(personas["analyst"]).post(
        reverse("assessments:import", args=[assessment.pk]), {"file": SimpleUploadedFile(name, content.encode())}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Nothing was imported" in page and message in page
    assert not Answer.objects.exists()


def test_the_answers_csv_neutralises_vendor_formulas_and_round_trips_the_text(login, personas, assessment):
    """F2: vendor text such as =cmd|... reaches the CSV export as text; importing the file back keeps it."""
    from procurement.assessments.answer_files import parse_answers
    from procurement.assessments.selectors import bank_structure

    texts = {"CAP-01": "=cmd|' /C calc'!A0", "CST-01A": "+44 20 7946 0000"}
    services.answers_save(
        assessment=assessment,
        values={c: services.AnswerInput(t) for c, t in texts.items()},
        by=None,
        base_revisions=None,
    )
    client = login(personas["viewer"])
    exported = client.get(reverse("assessments:export", args=[assessment.pk]), {"format": "csv"}).content.decode()
    assert "CAP-01,'=cmd|' /C calc'!A0," in exported
    assert not any(line.split(",", 1)[1].startswith(("=", "+", "-", "@")) for line in exported.splitlines()[1:])
    questions = bank_structure(assessment.bank_version).question_index
    back = parse_answers(exported.encode(), fmt="csv", source="a.csv", questions=questions)
    assert {c: back[c].value for c in texts} == texts


def test_ui_export_formats(login, personas, assessment):
    services.answers_save(
        assessment=assessment, values={"SUP-05": services.AnswerInput(90)}, by=None, base_revisions=None
    )
    client = login(personas["viewer"])
    response = client.get(reverse("assessments:export", args=[assessment.pk]) + "?format=csv")
    assert response["Content-Type"].startswith("text/csv") and b"SUP-05,90," in response.content


# --- Moving to a newer bank version --------------------------------------------------------


def test_upgrade_shows_the_diff_and_carries_over_unchanged_answers(login, personas, assessment, shipped_version):
    services.answers_save(
        assessment=assessment,
        values={
            "SUP-05": services.AnswerInput(90),
            "SUP-03": services.AnswerInput(45),
            "CST-11": services.AnswerInput("under_10"),
        },
        by=personas["analyst"],
        base_revisions=None,
    )
    draft = version_new_draft(version=shipped_version)
    q = draft.questions.get(code="SUP-05")
    q.bands = [{"from": 0, "to": 60, "points": 4}, {"from": 60, "to": None, "points": 1}]
    q.save()
    draft.questions.get(code="CST-11").delete()
    v2 = version_publish(version=draft, changelog="Test change.")
    client = login(personas["analyst"])
    page = client.get(reverse("assessments:upgrade", args=[assessment.pk])).content.decode()
    assert "from v1 to v2" in page and "These answers will be cleared: CST-11, SUP-05" in page
    client.post(reverse("assessments:upgrade", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.bank_version == v2
    assert set(assessment.answers.values_list("question_code", flat=True)) == {"SUP-03"}
    cleared = AnswerChange.objects.filter(question_code="SUP-05", new_value__isnull=True).get()
    assert cleared.old_value["value"] == 90 and "upgrade to v2" in cleared.by_label


def test_upgrade_is_refused_for_a_submitted_assessment(complete_assessment, personas, shipped_version):
    from django.core.exceptions import ValidationError

    v2 = version_publish(version=version_new_draft(version=shipped_version), changelog="Test change.")
    services.assessment_submit(assessment=complete_assessment, by=personas["analyst"])
    with pytest.raises(ValidationError, match="answers can only change"):
        services.assessment_upgrade(assessment=complete_assessment, target=v2, by=personas["analyst"])


def test_internal_comments_on_a_question(login, personas, assessment):
    client = login(personas["reviewer"])
    client.post(reverse("assessments:comment", args=[assessment.pk, "SUP-05"]), {"body": "Ask for the lease letter"})
    page = client.get(reverse("assessments:history", args=[assessment.pk, "SUP-05"])).content.decode()
    assert "Ask for the lease letter" in page
    viewer = login(personas["viewer"])
    assert viewer.post(reverse("assessments:comment", args=[assessment.pk, "SUP-05"]), {"body": "x"}).status_code == 403


def test_csv_the_reader_cannot_split_is_a_message_not_a_crash(assessment):
    from procurement.assessments.answer_files import AnswerFileError, parse_answers
    from procurement.assessments.selectors import bank_structure

    questions = bank_structure(assessment.bank_version).question_index
    with pytest.raises(AnswerFileError) as exc:
        parse_answers(b"\r\x00", fmt="csv", source="a.csv", questions=questions)
    assert exc.value.problems[0].startswith("a.csv:")


def test_the_answers_csv_gives_people_labels_and_still_imports_by_code(login, personas, assessment):
    """The CSV says the question and the answer as the pages do; the import reads only codes and values."""
    import csv
    import io

    services.answers_save(
        assessment=assessment,
        values={
            "INT-07": services.AnswerInput(["gdpr", "dora_critical"]),
            "SUP-05": services.AnswerInput(90),
            "LOC-07": services.AnswerInput(na=True, na_reason="We never add regions"),
        },
        by=None,
        base_revisions=None,
    )
    stored = {a.question_code: (a.value, a.na, a.na_reason) for a in assessment.answers.all()}
    client = login(personas["analyst"])
    exported = client.get(reverse("assessments:export", args=[assessment.pk]), {"format": "csv"}).content
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(exported.decode()))}
    assert list(rows["INT-07"]) == ["code", "value", "na_reason", "question", "answer (label)", "basis"]
    assert rows["INT-07"]["value"] == "gdpr|dora_critical"  # codes, for re-import
    label = rows["INT-07"]["answer (label)"]
    assert label and "gdpr" not in label and "dora_critical" not in label and ";" in label  # labels, for people
    assert rows["SUP-05"]["answer (label)"].startswith("90 ") and rows["LOC-07"]["answer (label)"].startswith("N/A")
    assert rows["SUP-05"]["question"]
    Answer.objects.all().delete()
    response = client.post(
        reverse("assessments:import", args=[assessment.pk]),
        {"file": SimpleUploadedFile("answers.csv", exported, content_type="text/csv")},
    )
    assert response.status_code == 302
    assert {a.question_code: (a.value, a.na, a.na_reason) for a in assessment.answers.all()} == stored
