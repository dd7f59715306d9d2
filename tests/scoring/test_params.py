"""The rule-parameter schema: defaults, checks and the typed value come from one declaration. No database."""

import pytest

from procurement.scoring.params import DEFAULTS, RuleParams, SectionFloor, Tier, VersionIndex, validate_rule_params

INDEX = VersionIndex(
    questions={
        "IN-01": {"section": "IN", "type": "single_choice", "audience": "buyer", "values": ["low", "high"]},
        "SUP-01": {"section": "SUP", "type": "number", "audience": "vendor", "values": []},
    },
    section_codes=frozenset({"IN", "SUP"}),
)


def test_the_defaults_are_valid_and_build_the_default_value():
    assert validate_rule_params(DEFAULTS, INDEX) == []
    assert RuleParams.from_dict(DEFAULTS) == RuleParams.from_dict({}) == RuleParams()


def test_a_partial_tier_is_filled_from_its_defaults():
    params = RuleParams.from_dict({"tier": {"domains": ["IN-01"]}, "review_months": {"1": 6, "2": 12, "3": 24}})
    assert params.tier == Tier(domains=("IN-01",), tier_1_level=4, tier_2_level=3)
    assert params.review_months == {1: 6, 2: 12, 3: 24}
    assert params.section_floor == SectionFloor(bands=("high", "critical"), decision="approve_with_conditions")


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ([], "rule_params must be a mapping"),
        ({"colour": 1}, "unknown key 'colour' (allowed: bands, critical_floor, decisions, residual, review_months,"),
        ({"bands": {"moderate": 50, "high": 40, "critical": 65}}, "bands: cut-offs must rise strictly within 0-100"),
        ({"tier": {"domains": ["SUP-01"]}}, "tier.domains: SUP-01 is not a buyer-intake question"),
        ({"section_weights": {"tier_1": {"XX": 1}}}, "section_weights.tier_1: section 'XX' is not in this version"),
        ({"rules": {"r": {"kind": "sometimes"}}}, "rules.r.kind must be one of condition, notice_gap, capacity_"),
        (
            {"rules": {"r": {"title": "T", "condition": {"question": "IN-01", "in": ["medium"]}}}},
            "rules.r.condition: 'medium' is not a choice of IN-01 (low, high)",
        ),
        (
            {"rules": {"r": {"title": "T", "kind": "notice_gap", "migrate_days": "SUP-01"}}},
            "rules.r.vendor_notice: question None is not in this version",
        ),
    ],
)
def test_problems_read_as_before(params, problem):
    assert any(p.startswith(problem) for p in validate_rule_params(params, INDEX)), validate_rule_params(params, INDEX)


JUDGEMENT_INDEX = VersionIndex(
    questions={
        "INT-06": {"section": "INT", "type": "number", "audience": "buyer", "values": []},
        "CAP-05": {"section": "CAP", "type": "single_choice", "audience": "vendor", "values": ["reserved", "best"]},
        "MOD-03": {"section": "MOD", "type": "number", "audience": "vendor", "values": []},
    },
    section_codes=frozenset({"INT", "CAP", "MOD"}),
)


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (
            {"kind": "model_retirement_notice", "title": "T", "migrate_days": "INT-06"},
            "rules.r: needs retirement_notice",
        ),
        (
            {"kind": "model_retirement_notice", "title": "T", "migrate_days": "CAP-05", "retirement_notice": "MOD-03"},
            "rules.r.migrate_days: CAP-05 is a single_choice question; expected number",
        ),
        (
            {"kind": "capacity_headroom", "title": "T", "priority": "CAP-05", "risky_priorities": ["preemptible"]},
            "rules.r.risky_priorities: 'preemptible' is not a choice of CAP-05",
        ),
        ({"kind": "capacity_headroom", "title": "T", "flag_below": "lots"}, "rules.r.flag_below must be a number >= 0"),
        ({"kind": "recovery_vs_tolerance", "title": "T", "colour": 1}, "rules.r: unknown key 'colour'"),
    ],
)
def test_judgement_rules_are_checked_against_the_version(rule, problem):
    problems = validate_rule_params({"rules": {"r": rule}}, JUDGEMENT_INDEX)
    assert any(p.startswith(problem) for p in problems), problems


def test_every_judgement_key_is_described_once():
    from procurement.scoring.params import JUDGEMENT_KEYS, RULE_KEYS

    for kind, keys in JUDGEMENT_KEYS.items():
        assert all(spec.description.endswith(".") for spec in keys.values())
        assert set(keys) <= RULE_KEYS[kind]
