"""Bounds, units and date windows in the bank format; the shipped bank's limits; SEC-01A scored by
the report's age; the shipped bank's version 1 kept unchanged beside version 2."""

import datetime as dt
from pathlib import Path

import pytest

from procurement.questionbank.document import BankFileError, content_hash, dump_document, parse_document
from procurement.questionbank.scoring_input import read_answer_file, specs_from_document
from procurement.questionbank.values import Checked, check_limits, offset_date, range_words
from procurement.scoring import types as t
from procurement.scoring.engine import answer_points, score

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "fixtures/banks/ai-vendor-due-diligence.yaml"
SHIPPED_V1 = ROOT / "fixtures/banks/history/ai-vendor-due-diligence-v1.yaml"
# The content hash version 1 was published with (main before strict scalars, YAML 1.1 reading).
V1_HASH = "511a371ead6248ba9c968deb894f7fcf4db3eaf233c90cbe7b9daa247ac6a15f"
TODAY = dt.date(2026, 11, 26)

DOC = parse_document(SHIPPED.read_bytes(), source=str(SHIPPED))
QUESTIONS = {q["code"]: q for s in DOC["sections"] for q in s["questions"]}
BANDED = sorted(code for code, q in QUESTIONS.items() if q["type"] in ("number", "date"))


@pytest.mark.parametrize("code", BANDED)
def test_every_shipped_number_and_date_question_has_hard_limits(code):
    q = QUESTIONS[code]
    assert {"min", "max"} <= set(q["limits"]), f"{code} has no min/max"
    if q["type"] == "number":
        assert q["unit"], f"{code} shows no unit beside its input"
        assert q["limits"]["min"] <= q["limits"].get("soft_min", q["limits"]["min"])
        assert q["limits"].get("soft_max", q["limits"]["max"]) <= q["limits"]["max"]
        # The bands' own cut-offs lie inside what can be entered.
        for band in q["bands"]:
            for edge in (band["from"], band["to"]):
                assert edge is None or q["limits"]["min"] <= edge <= q["limits"]["max"]


@pytest.mark.parametrize("code", [c for c in BANDED if QUESTIONS[c]["type"] == "number"])
def test_each_shipped_number_bound_refuses_just_outside_and_accepts_its_edges(code):
    q = QUESTIONS[code]
    lo, hi = q["limits"]["min"], q["limits"]["max"]
    assert not check_limits(q, lo, TODAY).error and not check_limits(q, hi, TODAY).error
    below, above = check_limits(q, lo - 1, TODAY), check_limits(q, hi + 1, TODAY)
    assert below.error.startswith(f"{code}: ") and "outside the allowed range" in below.error
    assert range_words(q, TODAY) in above.error


def test_days_to_migrate_refuses_minus_30_and_a_billion_naming_question_value_and_range():
    q = QUESTIONS["INT-06"]
    assert check_limits(q, -30, TODAY).error == ("INT-06: -30 days is outside the allowed range (from 0 to 3650 days).")
    assert "1000000000 days" in check_limits(q, 10**9, TODAY).error
    warned = check_limits(q, 2000, TODAY)
    assert not warned.error and warned.warning == (
        "INT-06: 2000 days is unusual (expected at most 1095 days); it is saved, but check it."
    )


def test_the_soc2_period_end_window_runs_from_three_years_ago_to_a_year_ahead():
    q = QUESTIONS["SEC-01A"]
    refused = check_limits(q, "2199-12-31", TODAY).error
    assert refused.startswith("SEC-01A: 31 Dec 2199 is outside the allowed range")
    assert "26 Nov 2023 (3 years ago)" in refused and "26 Nov 2027 (1 year ahead)" in refused
    assert check_limits(q, "2023-11-25", TODAY).error
    assert not check_limits(q, "2023-11-26", TODAY).error
    # A period end in the future, or older than 18 months: saved, with a warning.
    assert check_limits(q, "2027-01-31", TODAY).warning
    assert check_limits(q, "2025-01-31", TODAY).warning
    assert check_limits(q, "2026-06-30", TODAY) == Checked()


@pytest.mark.parametrize(
    ("offset", "expected"),
    [("-3y", dt.date(2021, 2, 28)), ("+1y", dt.date(2025, 2, 28)), ("-18m", dt.date(2022, 8, 29)), ("30d", None)],
)
def test_date_offsets_count_calendar_years_and_months(offset, expected):
    today = dt.date(2024, 2, 29)
    assert offset_date(offset, today) == (expected or today + dt.timedelta(days=30))


@pytest.mark.parametrize(
    ("period_end", "points"),
    [
        ("2026-11-22", 0),  # 0 months: fresh
        ("2027-03-31", 0),  # in the future (negative age): the window warns, the score is fresh
        ("2025-11-23", 0),  # 11 whole months
        ("2025-11-22", 2),  # 12 months: ageing
        ("2025-05-23", 2),  # 17 months
        ("2025-05-22", 4),  # 18 months: stale
        ("2024-01-01", 4),
    ],
)
def test_sec_01a_scores_the_reports_age_in_whole_months(period_end, points):
    spec = {q.code: q for q in specs_from_document(DOC)[1]}["SEC-01A"]
    got, explanation = answer_points(spec, t.Answer("SEC-01A", period_end), dt.date(2026, 11, 22))
    assert got == points and "months old on 2026-11-22" in explanation


def test_version_1_kept_scoring_sec_01a_by_days_until_the_date():
    v1 = parse_document(SHIPPED_V1.read_bytes(), source="v1")
    spec = {q.code: q for q in specs_from_document(v1)[1]}["SEC-01A"]
    assert spec.score_by == ""
    assert answer_points(spec, t.Answer("SEC-01A", "2026-06-30"), dt.date(2026, 11, 22))[0] == 4


def test_the_history_file_is_version_1_exactly_as_published():
    v1 = parse_document(SHIPPED_V1.read_bytes(), source="v1")
    assert content_hash(v1) == V1_HASH
    cst11 = next(q for s in v1["sections"] for q in s["questions"] if q["code"] == "CST-11")
    assert [c["value"] for c in cst11["choices"]] == ["under_10", "1030", "30100", "over_100"]


def test_cst_11_values_are_written_as_they_look_and_declare_their_old_names():
    choices = QUESTIONS["CST-11"]["choices"]
    assert [(c["value"], c.get("renamed_from")) for c in choices] == [
        ("under_10", None),
        ("10_30", ["1030"]),
        ("30_100", ["30100"]),
        ("over_100", None),
    ]


def test_a_document_from_before_limits_scores_exactly_as_it_did():
    """Frozen records carry their bank document without limits or score_by: they recompute."""
    v1 = parse_document(SHIPPED_V1.read_bytes(), source="v1")
    for s in v1["sections"]:
        for q in s["questions"]:
            del q["limits"], q["score_by"]
    answers = (t.Answer("SEC-01A", "2026-06-30"), t.Answer("SEC-01", "inclusive"))
    sections, questions = specs_from_document(v1)
    inp = t.ScoringInput(sections, questions, answers, v1["version"]["rule_params"], as_of=dt.date(2026, 11, 22))
    result = {q.code: q for q in score(inp).questions}
    assert result["SEC-01A"].points == 4 and "-145 days" in result["SEC-01A"].explanation


def test_an_export_of_version_2_loads_back_to_the_same_content():
    again = parse_document(dump_document(DOC), source="export")
    assert content_hash(again) == content_hash(DOC)
    assert again["sections"] == DOC["sections"]


BAD_LIMITS = [
    ("type: text\n    min: 0", "a text question takes no min"),
    ("type: number\n    unit: days\n    min: 1e3", "'min' must be a number (found '1e3')"),
    ("type: number\n    unit: days\n    min: 10\n    max: 5", "'min' (10) must not be above 'max' (5)"),
    ("type: number\n    unit: days\n    max: 100\n    soft_max: 200", "'soft_max' (200) must not be above 'max'"),
    ("type: date\n    min: 3 years ago", "'min' must be an offset from today such as -3y"),
    ("type: date\n    min: +1y\n    max: -1y", "'min' (+1y) must not be above 'max' (-1y)"),
    ("type: number\n    unit: days\n    score_by: months_since", "'score_by' is for date questions"),
    ("type: date\n    score_by: weeks", "'score_by' must be one of days_until, months_since"),
]


@pytest.mark.parametrize(("lines", "message"), BAD_LIMITS)
def test_bad_limits_are_refused_with_file_line_and_code(lines, message):
    raw = f"""format: 1
bank: {{slug: b, name: B}}
sections:
- code: S
  title: S
  questions:
  - code: S-01
    text: How many?
    {lines}
    scored: false
"""
    with pytest.raises(BankFileError) as exc:
        parse_document(raw, source="b.yaml")
    found = [str(p) for p in exc.value.problems]
    assert any(p.startswith("b.yaml:7 (S-01): ") and message in p for p in found), found


def test_renamed_from_may_not_claim_a_current_value():
    raw = """format: 1
bank: {slug: b, name: B}
sections:
- code: S
  title: S
  questions:
  - code: S-01
    text: Which?
    type: single_choice
    choices:
    - {value: a, label: A, points: 0, renamed_from: [b]}
    - {value: b, label: B, points: 1}
"""
    with pytest.raises(BankFileError, match="renamed_from value 'b' is a current choice value"):
        parse_document(raw, source="b.yaml")


# --- score_answers' reader: typed by question, limits against the file's as_of ------------


def _answers(body: str) -> bytes:
    return f"as_of: 2026-11-22\nanswers:\n{body}".encode()


def test_an_answer_file_outside_a_limit_is_refused_with_file_line_code_and_range():
    with pytest.raises(ValueError) as exc:
        read_answer_file(DOC, _answers("  INT-01: customer_facing\n  INT-06: -30\n"), source="a.yaml")
    assert str(exc.value) == "a.yaml:4: INT-06: -30 days is outside the allowed range (from 0 to 3650 days)."


def test_an_answer_file_outside_the_usual_range_scores_and_warns():
    inp, warnings = read_answer_file(DOC, _answers("  INT-06: 2000\n"), source="a.yaml")
    assert warnings == [
        "a.yaml:3: INT-06: 2000 days is unusual (expected at most 1095 days); it is saved, but check it."
    ]
    assert {a.code: a.value for a in inp.answers}["INT-06"] == 2000


@pytest.mark.parametrize("written", ["10_30", "'10_30'", '"10_30"'])
def test_cst_11_answered_quoted_or_not_scores_its_choice(written):
    inp, _ = read_answer_file(DOC, _answers(f"  CST-11: {written}\n"), source="a.yaml")
    result = {q.code: q for q in score(inp).questions}["CST-11"]
    assert result.points == 1 and result.status == "scored"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("  SUP-05: 1e3\n", "SUP-05: '1e3' is not a number"),
        ("  SUP-05: 012x\n", "SUP-05: '012x' is not a number"),
        ("  SUP-05: " + "9" * 40 + "\n", "longer than 30 digits"),
        ("  SEC-01A: 2026-02-30\n", "SEC-01A: '2026-02-30' is not a valid date"),
        ("  SEC-01A: 20260101\n", "SEC-01A: '20260101' is not a date (YYYY-MM-DD)"),
        ("  INT-01: not disclosed\n", "only number and date questions the vendor answers"),
    ],
)
def test_an_answer_file_value_that_does_not_fit_its_question_is_refused(body, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_answer_file(DOC, _answers(body), source="a.yaml")


def test_not_disclosed_in_an_answer_file_scores_worst_and_is_not_missing():
    inp, _ = read_answer_file(DOC, _answers("  RES-04: not disclosed\n"), source="a.yaml")
    result = score(inp)
    res04 = {q.code: q for q in result.questions}["RES-04"]
    assert res04.status == "scored" and res04.points == 4
    assert "not disclosed by the vendor" in res04.explanation
    assert "RES-04" not in result.unanswered


@pytest.mark.django_db
def test_a_version_edited_in_the_admin_with_bad_limits_does_not_publish(small_bank_yaml):
    from procurement.questionbank.services import bank_load, version_new_draft, version_publish

    v1 = bank_load(raw=small_bank_yaml, source="small.yaml").version
    draft = version_new_draft(version=v1)
    q = draft.questions.get(code="OPS-02")
    q.limits = {"min": "abc", "max": 10, "soft_max": 20}
    q.save()
    with pytest.raises(BankFileError) as exc:
        version_publish(version=draft, changelog="Test change.")
    problems = " ".join(str(p) for p in exc.value.problems)
    assert "'min' must be a number (found 'abc')" in problems
    assert "'max' (10) must not be above" not in problems and "'soft_max' (20) must not be above 'max' (10)" in problems
