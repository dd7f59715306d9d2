"""The section form for every answer type: valid input, invalid input, N/A rules."""

import datetime as dt

import pytest

from procurement.assessments.forms import SectionForm
from procurement.questionbank.document import parse_document
from tests.conftest import SMALL_BANK

DOC = parse_document(SMALL_BANK)
QUESTIONS = DOC["sections"][1]["questions"]  # OPS-01 yes_no, 02 number, 03 choice, 04 date, 05 text
MULTI = {
    "code": "M-1",
    "text": "Which?",
    "help": "",
    "type": "multi_choice",
    "unit": "",
    "weight": 2,
    "critical": False,
    "scored": True,
    "audience": "vendor",
    "na": True,
    "show_if": None,
    "refs": [],
    "choices": [{"value": "a", "label": "A", "points": 0}, {"value": "b", "label": "B", "points": 4}],
    "bands": [],
}


def form(data, questions=None):
    return SectionForm(data, questions=questions or QUESTIONS, answers={}, revision=0)


def test_every_answer_type_accepts_valid_input():
    f = form(
        {
            "revision": "0",
            "q-OPS-01": "partial",
            "q-OPS-02": "90.5",
            "q-OPS-03": "manual",
            "q-OPS-04": "2027-01-31",
            "q-OPS-05": "  We fail over to region B.  ",
        }
    )
    assert f.is_valid(), f.errors
    values = {code: a.value for code, a in f.answer_inputs().items()}
    assert values == {
        "OPS-01": "partial",
        "OPS-02": 90.5,
        "OPS-03": "manual",
        "OPS-04": "2027-01-31",
        "OPS-05": "We fail over to region B.",
    }


def test_whole_numbers_are_stored_as_integers():
    f = form({"q-OPS-02": "90"})
    assert f.is_valid() and f.answer_inputs()["OPS-02"].value == 90


def test_multiple_choice_keeps_every_selection():
    f = form({"q-M-1": ["a", "b"]}, [MULTI])
    assert f.is_valid() and f.answer_inputs()["M-1"].value == ["a", "b"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("q-OPS-01", "maybe", "Select a valid choice"),
        ("q-OPS-02", "ninety", "Enter a number (in days)"),
        ("q-OPS-03", "other_cloud; DROP TABLE", "Select a valid choice"),
        ("q-OPS-04", "31/31/2027", "Enter a valid date"),
    ],
)
def test_invalid_input_gets_a_field_message_and_keeps_the_rest(field, value, message):
    data = {"q-OPS-01": "yes", "q-OPS-05": "keep me", field: value}
    f = form(data)
    assert not f.is_valid()
    assert message in " ".join(f.errors[field])
    kept = f.answer_inputs(only_valid=True)
    assert kept["OPS-05"].value == "keep me" and field.removeprefix("q-") not in kept


def test_multiple_choice_rejects_unknown_values():
    f = form({"q-M-1": ["a", "zzz"]}, [MULTI])
    assert not f.is_valid() and "q-M-1" in f.errors


def test_na_needs_a_justification():
    f = form({"na-OPS-02": "on", "nar-OPS-02": " "})
    assert not f.is_valid() and "Say why" in f.errors["nar-OPS-02"][0]
    f = form({"na-OPS-02": "on", "nar-OPS-02": "We own all capacity", "q-OPS-02": "5"})
    assert f.is_valid()
    answer = f.answer_inputs()["OPS-02"]
    assert answer.na and answer.value is None and answer.na_reason == "We own all capacity"


def test_initial_values_come_back_from_stored_answers():
    class Stored:
        def __init__(self, value, na=False, na_reason=""):
            self.value, self.na, self.na_reason = value, na, na_reason

    f = SectionForm(
        None, questions=QUESTIONS, answers={"OPS-04": Stored("2027-01-31"), "OPS-02": Stored(90)}, revision=3
    )
    assert f["q-OPS-04"].initial == dt.date(2027, 1, 31) and f["q-OPS-02"].initial == 90
    assert f["revision"].initial == 3
