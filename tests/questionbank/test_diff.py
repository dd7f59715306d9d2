"""Classifying question changes between bank versions: editorial (answers kept) or substantive
(asked again). Pure: documents in, a diff out, no database."""

import copy

import pytest

from procurement.questionbank.document import parse_document
from procurement.questionbank.document.diff import EDITORIAL, SUBSTANTIVE, documents_diff, word_diff
from tests.conftest import SMALL_BANK

BASE = parse_document(SMALL_BANK, source="small.yaml")


def edited(doc=BASE, **changes):
    """A copy of ``doc`` with ``changes`` applied: {"OPS-01.text": "..."} style keys."""
    new = copy.deepcopy(doc)
    questions = {q["code"]: q for s in new["sections"] for q in s["questions"]}
    for key, value in changes.items():
        code, _, field = key.replace("__", ".").rpartition(".")
        code = code.replace("_", "-")
        questions[code][field] = value
    return new


def q(doc, code):
    return next(q for s in doc["sections"] for q in s["questions"] if q["code"] == code)


def test_identical_versions_have_no_changes():
    d = documents_diff([BASE, copy.deepcopy(BASE)])
    assert d.changed == d.editorial == d.added == d.removed == [] and d.details == {}


@pytest.mark.parametrize(
    ("field", "value", "what"),
    [
        ("text", "Is there a tested fallback?", "Question text"),
        ("help", "A tested fallback shortens outages a lot.", "Help text"),
        ("refs", ["DORA Art 28"], "Framework references"),
    ],
)
def test_wording_help_and_refs_are_editorial(field, value, what):
    d = documents_diff([BASE, edited(**{f"OPS_01.{field}": value})])
    assert d.editorial == ["OPS-01"] and d.changed == []
    change = d.details["OPS-01"]
    assert change.kind == EDITORIAL and [c.what for c in change.changes] == [what]


def test_a_choice_label_typo_and_new_order_are_editorial():
    new = copy.deepcopy(BASE)
    choices = q(new, "OPS-03")["choices"]
    choices[1]["label"] = "A manual process"
    choices.reverse()
    d = documents_diff([BASE, new])
    assert d.editorial == ["OPS-03"]
    assert {c.what for c in d.details["OPS-03"].changes} == {"Choice reworded", "Choice order"}


def test_moving_a_question_is_editorial():
    new = copy.deepcopy(BASE)
    ops = new["sections"][1]["questions"]
    ops[0], ops[1] = ops[1], ops[0]
    d = documents_diff([BASE, new])
    assert set(d.editorial) == {"OPS-01", "OPS-02"} and d.changed == []


@pytest.mark.parametrize(
    ("code", "field", "value"),
    [
        ("OPS-02", "type", "text"),
        ("OPS-02", "bands", [{"from": 0, "to": 60, "points": 4}, {"from": 60, "to": None, "points": 0}]),
        ("OPS-02", "unit", "months"),
        ("OPS-01", "weight", 2),
        ("OPS-01", "critical", False),
        ("OPS-01", "na", False),
        ("OPS-01", "audience", "reviewer"),
        ("OPS-03", "show_if", {"question": "OPS-01", "in": ["yes"]}),
    ],
)
def test_meaning_and_scoring_changes_are_substantive(code, field, value):
    d = documents_diff([BASE, edited(**{f"{code.replace('-', '_')}.{field}": value})])
    assert d.changed == [code] and d.editorial == []
    assert d.details[code].kind == SUBSTANTIVE and all(c.substantive for c in d.details[code].changes)


def test_points_and_choices_added_or_removed_are_substantive():
    new = copy.deepcopy(BASE)
    q(new, "IN-01")["choices"][0]["points"] = 2
    q(new, "OPS-03")["choices"].append({"value": "none", "label": "None", "points": 4})
    d = documents_diff([BASE, new])
    assert d.changed == ["IN-01", "OPS-03"]
    words = {c.what: (c.old, c.new) for c in d.details["IN-01"].changes}
    assert words["Points for “Low”"] == ("1 point", "2 points")
    assert [c.what for c in d.details["OPS-03"].changes] == ["Choice added"]


def test_a_rule_change_changes_no_question_and_is_listed_for_the_version():
    """A threshold or the answers a rule reacts to do not change what an answer means: the
    assessment is rescored under the new rule, and its answers stay."""
    rules = {
        "needs_fallback": {
            "title": "No fallback",
            "severity": "flag",
            "condition": {"all": [{"question": "OPS-01", "in": ["no"]}, {"question": "IN-01", "in": ["high"]}]},
            "explain": "x",
        }
    }
    old = copy.deepcopy(BASE)
    old["version"]["rule_params"]["rules"] = rules
    new = copy.deepcopy(old)
    new["version"]["rule_params"]["rules"]["needs_fallback"]["condition"]["all"][0]["in"] = ["no", "partial"]
    new["version"]["rule_params"]["rules"]["needs_fallback"]["explain"] = "y"
    d = documents_diff([old, new])
    assert d.changed == d.editorial == [] and d.details == {}
    (change,) = d.rule_changes
    assert change.what == "Rule “No fallback”" and "partial" in change.new and "explain" in change.new


def test_a_renamed_choice_value_maps_answers():
    new = copy.deepcopy(BASE)
    q(new, "OPS-03")["choices"][1] = {
        "value": "manual_runbook",
        "label": "Manual process",
        "points": 2,
        "renamed_from": ["manual"],
    }
    d = documents_diff([BASE, new])
    assert d.renamed == {"OPS-03": {"manual": "manual_runbook"}} and d.changed == []


def test_the_editor_can_mark_a_rewording_substantive():
    new = edited(**{"OPS_01.text": "Is there no fallback?", "OPS_01.change": "substantive"})
    d = documents_diff([BASE, new])
    assert d.changed == ["OPS-01"] and d.details["OPS-01"].marked == "substantive"


def test_the_editor_can_mark_a_points_fix_editorial_when_the_answers_still_fit():
    new = copy.deepcopy(BASE)
    q(new, "IN-01")["choices"][0]["points"] = 0
    q(new, "IN-01")["change"] = "editorial"
    d = documents_diff([BASE, new])
    assert d.editorial == ["IN-01"] and d.details["IN-01"].marked == "editorial"


def test_an_editorial_mark_is_refused_when_old_answers_would_not_fit():
    new = edited(**{"OPS_02.type": "text", "OPS_02.bands": [], "OPS_02.change": "editorial"})
    d = documents_diff([BASE, new])
    assert d.changed == ["OPS-02"] and "would not fit" in d.details["OPS-02"].note


def test_across_several_versions_an_answer_survives_only_if_every_step_kept_it():
    v2 = edited(**{"OPS_01.critical": False})
    v3 = edited(v2, **{"OPS_01.critical": True, "OPS_01.text": "Is there a fallback? ", "OPS_01.change": "editorial"})
    assert documents_diff([v2, v3]).editorial == ["OPS-01"]
    d = documents_diff([BASE, v2, v3])
    assert d.changed == ["OPS-01"]


def test_renames_compose_across_versions():
    v2 = copy.deepcopy(BASE)
    q(v2, "OPS-03")["choices"][1].update(value="runbook", renamed_from=["manual"])
    v3 = copy.deepcopy(v2)
    q(v3, "OPS-03")["choices"][1].update(value="manual_runbook", renamed_from=["runbook"])
    assert documents_diff([BASE, v2, v3]).renamed == {"OPS-03": {"manual": "manual_runbook"}}


def test_word_diff_marks_only_the_words_that_changed():
    segments = word_diff("Notice period in days", "Notice period in calendar days").segments
    assert ("ins", "calendar ") in segments or ("ins", "calendar") in segments
    assert "".join(t for k, t in segments if k != "del") == "Notice period in calendar days"
    assert "".join(t for k, t in segments if k != "ins") == "Notice period in days"


def test_new_limits_alone_are_decided_per_answer_on_upgrade_not_here():
    d = documents_diff([BASE, edited(**{"OPS_02.limits": {"max": 365}})])
    assert d.editorial == ["OPS-02"] and d.details["OPS-02"].limits_changed
    assert not d.details["OPS-02"].reworded
