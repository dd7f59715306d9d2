"""Properties of the judgement rules over drawn answers (hypothesis). No database.

- monotone: moving an input in the risky direction never lowers a rule's outcome
  (clear < flag < knockout);
- three-valued: a missing input never crashes a rule and never silences it quietly: the rule
  fires on what it has, or waits, naming only unanswered questions;
- an undisclosed input is read as the risky case: never a lower outcome than any disclosed value;
- invariant to answer order.
"""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.scoring import types as t
from procurement.scoring.engine import score
from tests.scoring.helpers import UNDISCLOSED, profile, with_answers

BASE = profile("hyperscaler-pinned-region")
RANK = {"clear": 0, "pending": -1, "flag": 1, "knockout": 2}
RULES = ("capacity_headroom", "model_retirement_notice", "recovery_vs_tolerance", "upstream_notice")

# The answers the rules read, drawn over their range (underscores for dashes).
SCENARIO = {
    "INT_01": st.sampled_from(["productivity", "customer_or_regulated"]),
    "INT_05": st.sampled_from([1, 4, 24, 96]),
    "INT_06": st.integers(0, 500),
    "INT_13": st.sampled_from(["yes", "no"]),
    "CAP_02": st.floats(0, 3, allow_nan=False),
    "CAP_03": st.floats(0, 20, allow_nan=False),
    "CAP_05": st.sampled_from(["reserved", "priority_tier", "best_effort", "preemptible"]),
    "MOD_03": st.integers(0, 500),
    "MOD_12": st.integers(0, 500),
    "MOD_13": st.integers(0, 500),
    "RES_01": st.sampled_from(["active_active", "warm_tested", "cold_manual", "single_region"]),
    "RES_03": st.sampled_from([0.5, 2, 8, 48, 200]),
    "SUP_04": st.integers(1, 5),
    "SUP_05": st.integers(0, 800),
    "SUP_02": st.sampled_from(["no", "yes_minor", "yes_material", "unknown"]),
    "LOC_04": st.sampled_from([["hyperscaler"], ["leased_colo"], ["unknown"], ["vendor_owned", "competitor_site"]]),
}
# Inputs and which way is riskier: +1 means a larger number is riskier.
NUMERIC = {
    "capacity_headroom": {"CAP_02": -1, "CAP_03": +1},
    "model_retirement_notice": {"MOD_03": -1, "MOD_12": -1, "MOD_13": -1, "INT_06": +1},
    "recovery_vs_tolerance": {"RES_03": +1, "INT_05": -1, "SUP_04": -1},
    "upstream_notice": {"SUP_05": -1, "INT_06": +1},
}


def outcome(inp, name) -> str:
    result = score(inp)
    for hit in result.knockouts + result.flags:
        if hit.name == name:
            return hit.severity
    return "pending" if any(p.name == name for p in result.pending_rules) else "clear"


scenarios = st.fixed_dictionaries(SCENARIO)


@settings(max_examples=60, deadline=None)
@given(scenarios, st.sampled_from(sorted((r, c) for r, codes in NUMERIC.items() for c in codes)), st.floats(0, 1))
def test_moving_an_input_in_the_risky_direction_never_lowers_the_outcome(answers, rule_code, step):
    rule, code = rule_code
    inp = with_answers(BASE, **answers)
    before = outcome(inp, rule)
    value = answers[code]
    riskier = value + (1 + step * 100) * NUMERIC[rule][code]
    if riskier < 0:
        return
    after = outcome(with_answers(BASE, **{**answers, code: riskier}), rule)
    assert "pending" not in (before, after)
    assert RANK[after] >= RANK[before], (rule, code, value, riskier, before, after)


@settings(max_examples=60, deadline=None)
@given(scenarios, st.sampled_from(sorted(SCENARIO)))
def test_a_missing_input_makes_a_rule_wait_naming_only_unanswered_questions(answers, removed):
    inp = with_answers(BASE, **{**answers, removed: None})
    result = score(inp)
    present = {a.code for a in inp.answers if not a.is_empty}
    for pending in result.pending_rules:
        assert pending.missing and not set(pending.missing) & present
        assert pending.severity in ("knockout", "flag")


@settings(max_examples=60, deadline=None)
@given(scenarios, st.sampled_from(sorted((r, c) for r, codes in NUMERIC.items() for c in codes if c != "INT_06")))
def test_an_undisclosed_input_is_never_read_as_less_risky_than_a_disclosed_one(answers, rule_code):
    rule, code = rule_code
    if code.startswith("INT"):
        return  # our own intake is never undisclosed
    disclosed = outcome(with_answers(BASE, **answers), rule)
    hidden = outcome(with_answers(BASE, **{**answers, code: UNDISCLOSED}), rule)
    assert hidden != "pending"
    assert RANK[hidden] >= RANK[disclosed]


@settings(max_examples=30, deadline=None)
@given(scenarios, st.randoms(use_true_random=False))
def test_rules_are_invariant_to_answer_order(answers, rnd: random.Random):
    inp = with_answers(BASE, **answers)
    shuffled = list(inp.answers)
    rnd.shuffle(shuffled)
    a, b = score(inp), score(t.ScoringInput(**{**inp.__dict__, "answers": tuple(shuffled)}))
    assert (a.knockouts, a.flags, a.pending_rules) == (b.knockouts, b.flags, b.pending_rules)


def test_every_judgement_rule_is_in_the_shipped_bank():
    assert set(RULES) <= set(BASE.params["rules"])
