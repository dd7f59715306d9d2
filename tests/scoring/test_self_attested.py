"""Evidence-weighted credit: the self-attested point (rule parameter ``self_attested_point``).

A favourable answer (0 or 1 risk points) to a critical question the vendor answers, resting only
on the vendor's statement, gets one more risk point, capped at 4. Pure: no database.
"""

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.questionbank.document import parse_document
from procurement.questionbank.scoring_input import (
    input_from_answer_file,
    scoring_answer,
    scoring_basis,
)
from procurement.scoring import types as t
from procurement.scoring.engine import score
from procurement.scoring.params import VersionIndex, validate_rule_params
from tests.conftest import SMALL_BANK
from tests.scoring.helpers import BANK_DOC, profile

ON = {"self_attested_point": True}
SECTIONS = (t.SectionSpec("OPS", "Operations"),)


def _choice_question(code: str, *, critical: bool = True, audience: str = "vendor", worst: int = 4) -> t.QuestionSpec:
    return t.QuestionSpec(
        code=code,
        section="OPS",
        answer_type="single_choice",
        critical=critical,
        audience=audience,
        choices=tuple(t.ChoiceSpec(f"p{p}", p) for p in range(worst + 1)),
    )


def _score(questions, answers, params=ON, **kw) -> t.ScoreResult:
    return score(t.ScoringInput(SECTIONS, tuple(questions), tuple(answers), params=params, **kw))


def _points(result: t.ScoreResult) -> dict[str, int | None]:
    return {q.code: q.points for q in result.questions}


@pytest.mark.parametrize(("given_points", "scored"), [(0, 1), (1, 2), (2, 2), (3, 3), (4, 4)])
def test_only_a_favourable_self_attested_answer_to_a_critical_question_gets_one_more_point(given_points, scored):
    (q,) = _score([_choice_question("C-1")], [t.Answer("C-1", f"p{given_points}")]).questions
    assert q.points == scored and q.original_points == scored
    assert q.self_attested is (given_points in (0, 1))
    if q.self_attested:
        assert q.explanation.endswith(f"self-attested: it rests only on the vendor's statement -> {scored}")


@pytest.mark.parametrize("basis", [t.DOCUMENT, t.ATTESTATION])
def test_an_answer_resting_on_a_document_or_an_attestation_keeps_its_points(basis):
    (q,) = _score([_choice_question("C-1")], [t.Answer("C-1", "p0", basis=basis)]).questions
    assert (q.points, q.self_attested) == (0, False)


@pytest.mark.parametrize(
    "question",
    [_choice_question("C-1", critical=False), _choice_question("C-1", audience="reviewer")],
    ids=["not critical", "reviewer check"],
)
def test_a_question_that_is_not_a_critical_vendor_question_never_gets_the_point(question):
    (q,) = _score([question], [t.Answer("C-1", "p0")]).questions
    assert (q.points, q.self_attested) == (0, False)


def test_a_reviewer_override_replaces_the_points_and_drops_the_mark():
    (q,) = _score(
        [_choice_question("C-1")], [t.Answer("C-1", "p1")], overrides=(t.Override("C-1", 1, "Seen the report"),)
    ).questions
    assert (q.points, q.original_points, q.self_attested) == (1, 2, False)


def test_the_point_never_makes_a_favourable_answer_count_as_the_worst_for_the_critical_floor():
    """A critical question whose worst answer is 1: self-attested 0 -> 1 is not "the worst answer"."""
    result = _score([_choice_question("C-1", worst=1)], [t.Answer("C-1", "p0")])
    assert result.questions[0].points == 1 and result.questions[0].self_attested
    assert not result.sections[0].floor_applied


def test_a_stale_answer_already_at_its_worst_gets_no_extra_point():
    stale = (t.EvidenceDate("C-1", "soc2.pdf", "SOC 2 Type II report", dt.date(2025, 1, 1)),)
    (q,) = _score([_choice_question("C-1")], [t.Answer("C-1", "p0", basis=t.DOCUMENT)], evidence=stale).questions
    assert (q.points, q.self_attested) == (4, False)


def test_the_mark_is_left_out_of_a_question_result_dict_unless_the_point_was_added():
    result = _score([_choice_question("C-1"), _choice_question("C-2")], [t.Answer("C-1", "p0"), t.Answer("C-2", "p3")])
    by_code = {q["code"]: q for q in result.as_dict()["questions"]}
    assert by_code["C-1"]["self_attested"] is True
    assert "self_attested" not in by_code["C-2"]


def test_the_parameter_is_checked_as_true_or_false():
    assert validate_rule_params({"self_attested_point": True}, VersionIndex()) == []
    assert validate_rule_params({"self_attested_point": "yes"}, VersionIndex()) == [
        "self_attested_point must be true or false"
    ]


# --- The answer adapter --------------------------------------------------------------


def test_only_a_confirmed_basis_lifts_an_answer_above_the_vendors_statement():
    assert scoring_basis("document", confirmed=False) == t.STATEMENT
    assert scoring_basis("attestation", confirmed=True) == t.ATTESTATION
    assert scoring_basis("rumour", confirmed=True) == t.STATEMENT
    assert scoring_answer("C-1", ["a", "b"], basis="document") == t.Answer("C-1", ("a", "b"), basis="document")
    assert scoring_answer("C-1", None, na=True, basis="document") == t.Answer("C-1", None, na=True)


def test_an_answer_file_says_what_answers_rest_on_and_a_wrong_basis_is_refused_with_its_line():
    doc = parse_document(
        SMALL_BANK.replace(
            "    tier: {domains: [IN-01]}", "    tier: {domains: [IN-01]}\n    self_attested_point: true"
        )
    )
    good = "as_of: 2026-11-22\nanswers:\n  OPS-01: 'yes'\nbasis:\n  OPS-01: attestation\n"
    inp = input_from_answer_file(doc, good)
    assert inp.answers[0].basis == t.ATTESTATION
    assert score(inp).questions[1].points == 0
    bad = "answers:\n  OPS-01: 'yes'\nbasis:\n  OPS-01: hearsay\n  OPS-02: document\n"
    with pytest.raises(ValueError) as exc:
        input_from_answer_file(doc, bad, source="a.yaml")
    assert "a.yaml:4: OPS-01: basis 'hearsay' is not one of statement, document, attestation" in str(exc.value)
    assert "a.yaml:5: basis for OPS-02, which the file does not answer" in str(exc.value)


# --- The shipped bank ------------------------------------------------------------------


def test_the_shipped_bank_turns_the_point_on_and_evidence_gives_the_credit_back():
    """Version 4 adds the point. The hyperscaler profile backs every critical answer with a
    report, a contract clause or a published document, so it scores as before; the same answers
    on the vendor's word alone lift the supply-chain section from low to moderate (still approve)."""
    assert BANK_DOC["version"]["rule_params"]["self_attested_point"] is True
    backed = score(profile("hyperscaler-pinned-region"))
    inp = profile("hyperscaler-pinned-region")
    word_only = score(
        dataclasses.replace(inp, answers=tuple(dataclasses.replace(a, basis=t.STATEMENT) for a in inp.answers))
    )
    assert not any(q.self_attested for q in backed.questions)
    attested = {q.code for q in word_only.questions if q.self_attested}
    assert {"SEC-01", "DAT-01", "CON-01"} <= attested
    assert word_only.overall_risk > backed.overall_risk
    assert {s.code: s.band for s in word_only.sections}["SUP"] == "moderate"
    assert word_only.decision == backed.decision == "approve"


# --- Properties -------------------------------------------------------------------------

QUESTION = st.builds(
    _choice_question,
    code=st.just(""),
    critical=st.booleans(),
    audience=st.sampled_from(["vendor", "vendor", "reviewer"]),
    worst=st.integers(1, 4),
)


@st.composite
def scenarios(draw):
    """A few questions, an answer to each, and the basis each rests on."""
    specs = draw(st.lists(QUESTION, min_size=1, max_size=6))
    specs = [dataclasses.replace(q, code=f"Q-{i}") for i, q in enumerate(specs)]
    answers = [
        t.Answer(q.code, f"p{draw(st.integers(0, q.worst_points))}", basis=draw(st.sampled_from(t.BASES)))
        for q in specs
    ]
    return specs, answers


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.data())
def test_property_moving_a_basis_from_statement_to_evidence_never_raises_risk(scenario, data):
    specs, answers = scenario
    i = data.draw(st.integers(0, len(answers) - 1))
    stronger = data.draw(st.sampled_from([t.DOCUMENT, t.ATTESTATION]))
    before = _score(specs, [dataclasses.replace(a, basis=t.STATEMENT) if j == i else a for j, a in enumerate(answers)])
    after = _score(specs, [dataclasses.replace(a, basis=stronger) if j == i else a for j, a in enumerate(answers)])
    assert all(after_p <= _points(before)[code] for code, after_p in _points(after).items())
    assert after.overall_risk <= before.overall_risk


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_property_the_point_is_at_most_one_never_past_4_and_only_on_a_favourable_critical_statement(scenario):
    specs, answers = scenario
    on, off = _score(specs, answers), _score(specs, answers, params={})
    by_code = {a.code: a for a in answers}
    for q, with_point, without in zip(specs, on.questions, off.questions, strict=True):
        assert with_point.points <= 4
        assert with_point.points - without.points in (0, 1)
        earns = q.critical and q.audience == "vendor" and without.points <= 1 and by_code[q.code].basis == t.STATEMENT
        assert with_point.self_attested is earns
        assert with_point.points == without.points + earns


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_property_with_the_parameter_off_the_basis_changes_nothing(scenario):
    specs, answers = scenario
    as_given = _score(specs, answers, params={})
    all_statements = _score(specs, [dataclasses.replace(a, basis=t.STATEMENT) for a in answers], params={})
    assert as_given.as_dict() == all_statements.as_dict()
    assert not any(q.self_attested for q in as_given.questions)
