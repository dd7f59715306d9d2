"""The YAML format: parsing, every kind of bad file, publish rules, round trip. No database."""

import pytest

from procurement.questionbank.document import (
    BankFileError,
    content_hash,
    dump_document,
    parse_document,
    validate_document,
)
from tests.conftest import SMALL_BANK


def problems_for(text: str, **kw) -> list[str]:
    with pytest.raises(BankFileError) as exc:
        parse_document(text, source="bank.yaml", **kw)
    return [str(p) for p in exc.value.problems]


def test_small_bank_parses_with_defaults_filled_in():
    doc = parse_document(SMALL_BANK)
    ops = doc["sections"][1]["questions"]
    assert [q["code"] for q in ops] == ["OPS-01", "OPS-02", "OPS-03", "OPS-04", "OPS-05"]
    assert ops[0]["choices"] == [
        {"value": "yes", "label": "Yes", "points": 0},
        {"value": "partial", "label": "Partially", "points": 2},
        {"value": "no", "label": "No", "points": 4},
    ]
    assert ops[0]["weight"] == 4 and ops[0]["critical"] is True
    assert ops[1]["weight"] == 2 and ops[1]["audience"] == "vendor"
    assert doc["sections"][0]["questions"][0]["audience"] == "buyer"
    # Unquoted yes in show_if is YAML's boolean; it is read back as the word.
    assert ops[2]["show_if"] == {"question": "OPS-01", "in": ["yes", "partial"]}
    assert ops[4]["scored"] is False


def test_shipped_bank_round_trips_through_export(shipped_bank_bytes):
    doc = parse_document(shipped_bank_bytes)
    again = parse_document(dump_document(doc))
    assert again == doc
    assert content_hash(again) == content_hash(doc)


def test_shipped_bank_meets_the_content_brief(shipped_bank_bytes):
    doc = parse_document(shipped_bank_bytes)
    questions = [q for s in doc["sections"] for q in s["questions"]]
    assert len(doc["sections"]) >= 10
    assert len(questions) >= 100
    assert all(q["help"] for q in questions), [q["code"] for q in questions if not q["help"]]
    intake = next(s for s in doc["sections"] if s["code"] == "INT")
    assert {q["audience"] for q in intake["questions"]} == {"buyer"}
    assert {"INT-05", "INT-06", "INT-09"} <= {q["code"] for q in intake["questions"]}
    assert {q["type"] for q in questions} == {
        "single_choice",
        "multi_choice",
        "yes_no",
        "number",
        "date",
        "text",
        "evidence",
        "provider_table",
    }
    assert any(q["show_if"] for q in questions)
    assert any(q["audience"] == "reviewer" for q in questions)
    assert all(q["refs"] for q in questions), [q["code"] for q in questions if not q["refs"]]
    rules = doc["version"]["rule_params"]["rules"]
    assert {
        "notice_gap",
        "upstream_notice",
        "residency",
        "undisclosed_chain",
        "training_on_sensitive_data",
        "no_independent_attestation",
        "floating_model_for_decisions",
        "single_upstream_provider",
    } <= set(rules)


# --- One test per kind of bad file --------------------------------------------


def test_invalid_yaml_syntax_names_the_line():
    found = problems_for("format: 1\nbank: {slug: x\n")
    assert len(found) == 1 and "bank.yaml:" in found[0] and "invalid YAML" in found[0]


def test_file_that_is_not_a_mapping_is_rejected():
    assert "must be a mapping" in problems_for("- just\n- a list\n")[0]


def test_oversized_file_is_rejected_before_parsing():
    found = problems_for(SMALL_BANK, max_bytes=100)
    assert "limit is 100 bytes" in found[0]


def test_non_utf8_file_is_rejected():
    found = problems_for(b"format: 1\nbank: {slug: \xff}\n")
    assert "not UTF-8" in found[0]


def test_duplicate_keys_are_rejected_not_silently_overwritten():
    found = problems_for(SMALL_BANK.replace("    text: How critical is the use?\n", "    text: a\n    text: b\n"))
    assert "duplicate key 'text'" in found[0]


def test_python_object_tags_are_refused_by_the_safe_loader():
    found = problems_for("format: !!python/object/apply:os.system ['true']\n")
    assert "invalid YAML" in found[0]


def test_wrong_format_version_and_unknown_keys_are_reported_together():
    text = SMALL_BANK.replace("format: 1", "format: 2").replace("  weight: 2\n", "  wieght: 2\n")
    found = problems_for(text)
    assert any("'format' must be 1" in p for p in found)
    assert any("unknown key 'wieght'" in p and "(OPS)" in p for p in found)


def test_unknown_answer_type_names_the_question_and_line():
    found = problems_for(SMALL_BANK.replace("type: yes_no", "type: slider"))
    assert any("(OPS-01)" in p and "bank.yaml:" in p and "'type' must be one of" in p for p in found)


def test_choice_points_out_of_range_are_rejected():
    found = problems_for(
        SMALL_BANK.replace(
            "{value: manual, label: Manual process, points: 2}", "{value: manual, label: Manual process, points: 7}"
        )
    )
    assert any("(OPS-03)" in p and "0 to 4" in p for p in found)


def test_every_problem_is_listed_not_just_the_first():
    text = SMALL_BANK.replace("type: yes_no", "type: slider").replace("code: OPS-02", "code: ops two")
    assert len(problems_for(text)) >= 2


# --- Publish rules: one failing case each ---------------------------------------


def test_duplicate_question_codes_break_publishing():
    found = problems_for(SMALL_BANK.replace("code: OPS-02", "code: OPS-01"))
    assert any("OPS-01 is used twice" in p for p in found)


def test_duplicate_section_codes_break_publishing():
    found = problems_for(SMALL_BANK.replace("- code: OPS\n", "- code: IN\n"))
    assert any("section code IN is used twice" in p for p in found)


def test_dependency_on_a_later_question_is_rejected():
    text = SMALL_BANK.replace("show_if: {question: OPS-01, in: [yes, partial]}", "show_if: {question: OPS-04, in: [x]}")
    found = problems_for(text)
    assert any("(OPS-03)" in p and "comes later" in p for p in found)


def test_dependency_cycle_is_rejected():
    doc = parse_document(SMALL_BANK)
    q1, _, q3 = doc["sections"][1]["questions"][:3]
    q1["show_if"] = {"question": "OPS-03", "in": ["manual"]}
    found = [str(p) for p in validate_document(doc)]
    assert any("cycle" in p and "OPS-01" in p and "OPS-03" in p for p in found)
    q3["show_if"] = {"question": "OPS-03", "in": ["manual"]}
    assert any("itself" in str(p) for p in validate_document(doc))


def test_dependency_on_a_missing_question_or_value_is_rejected():
    found = problems_for(SMALL_BANK.replace("in: [yes, partial]", "in: [maybe]"))
    assert any("'maybe' is not a choice of OPS-01" in p for p in found)
    found = problems_for(SMALL_BANK.replace("{question: OPS-01, in:", "{question: NOPE-01, in:"))
    assert any("NOPE-01, which is not in this version" in p for p in found)


def test_scored_choice_question_without_points_is_rejected():
    found = problems_for(
        SMALL_BANK.replace(
            "{value: manual, label: Manual process, points: 2}", "{value: manual, label: Manual process}"
        )
    )
    assert any("(OPS-03)" in p and "no risk points: manual" in p for p in found)


def test_scored_number_question_without_bands_is_rejected():
    doc = parse_document(SMALL_BANK)
    doc["sections"][1]["questions"][1]["bands"] = []
    assert any("no risk bands" in str(p) for p in validate_document(doc))


def test_number_bands_with_a_gap_are_rejected():
    found = problems_for(SMALL_BANK.replace("{from: 90, to: null, points: 0}", "{from: 120, to: null, points: 0}"))
    assert any("(OPS-02)" in p and "gap or overlap" in p for p in found)


def test_number_bands_that_stop_short_or_start_late_are_rejected():
    found = problems_for(SMALL_BANK.replace("{from: 90, to: null, points: 0}", "{from: 90, to: 365, points: 0}"))
    assert any("larger values would get no points" in p for p in found)
    found = problems_for(SMALL_BANK.replace("{from: 0, to: 90, points: 4}", "{from: 10, to: 90, points: 4}"))
    assert any("values below it would get no points" in p for p in found)


def test_rule_parameters_referring_to_missing_questions_are_rejected():
    text = SMALL_BANK.replace("tier: {domains: [IN-01]}", "tier: {domains: [IN-99]}")
    assert any("IN-99" in p and "rule_params" in p for p in problems_for(text))


def test_rule_parameters_with_bad_band_cutoffs_are_rejected():
    text = SMALL_BANK.replace("tier: {domains: [IN-01]}", "bands: {moderate: 50, high: 40, critical: 65}")
    assert any("cut-offs must rise" in p for p in problems_for(text))


def test_content_hash_ignores_changelog_but_not_questions():
    doc = parse_document(SMALL_BANK)
    changed_log = parse_document(SMALL_BANK.replace("changelog: first", "changelog: second"))
    changed_text = parse_document(SMALL_BANK.replace("Describe the runbook", "Describe your runbook"))
    assert content_hash(doc) == content_hash(changed_log)
    assert content_hash(doc) != content_hash(changed_text)


def test_fact_leaves_must_name_a_known_fact_and_one_comparison():
    base = SMALL_BANK.replace(
        "    tier: {domains: [IN-01]}\n",
        "    tier: {domains: [IN-01]}\n    rules:\n      r:\n        title: R\n        condition: CONDITION\n",
    )
    assert parse_document(base.replace("CONDITION", "{fact: upstream_notice_days, lt: 90}"))
    unknown = problems_for(base.replace("CONDITION", "{fact: moon_phase, lt: 90}"))
    assert any("unknown fact 'moon_phase'" in p for p in unknown)
    bad_op = problems_for(base.replace("CONDITION", "{fact: upstream_notice_days, in: [a]}"))
    assert any("{fact: NAME, lt|le|gt|ge: N}" in p for p in bad_op)
