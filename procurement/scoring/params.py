"""Rule parameters: the scoring knobs that live in each bank version.

``validate_rule_params`` checks a parameter mapping against the questions of
the version it belongs to and returns plain-language problems; publishing a
version refuses while any remain. ``RuleParams.from_dict`` builds the frozen
value the engine uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BANDS = ("low", "moderate", "high", "critical")
DECISIONS = ("approve", "approve_with_conditions", "executive_acceptance", "reject")
TIERS = ("tier_1", "tier_2", "tier_3")
SEVERITIES = ("knockout", "flag")
RULE_KINDS = ("condition", "notice_gap")
COMPARATORS = ("lt", "le", "gt", "ge")
# Facts a rule may compare ({fact: NAME, lt: N}); see procurement.scoring.supply.ChainFacts.
FACTS = (
    "upstream_notice_days",
    "effective_notice_days",
    "notice_gap_days",
    "largest_provider_share",
    "independent_compute_providers",
    "competitor_or_leased_share",
    "regions_outside",
    "single_points_of_failure",
)
NUMERIC_TYPES = ("number",)
CHOICE_LIKE = ("single_choice", "multi_choice", "yes_no")

DEFAULTS: dict[str, Any] = {
    "bands": {"moderate": 25, "high": 45, "critical": 65},
    # Months between reviews of a decided assessment, per inherent-risk tier.
    "review_months": {1: 12, 2: 24, 3: 36},
    "critical_floor": "high",
    "tier": {"domains": [], "tier_1_level": 4, "tier_2_level": 3},
    "section_weights": {},
    "residual": {
        "tier_1": {"low": "moderate", "moderate": "high", "high": "critical", "critical": "critical"},
        "tier_2": {"low": "low", "moderate": "moderate", "high": "high", "critical": "critical"},
        "tier_3": {"low": "low", "moderate": "low", "high": "moderate", "critical": "high"},
    },
    "decisions": {
        "low": "approve",
        "moderate": "approve_with_conditions",
        "high": "executive_acceptance",
        "critical": "reject",
    },
    "section_floor": {"bands": ["high", "critical"], "decision": "approve_with_conditions"},
    "rules": {},
}

TOP_KEYS = set(DEFAULTS)
RULE_KEYS = {
    "condition": {"kind", "title", "severity", "knockout_tiers", "condition", "explain"},
    "notice_gap": {
        "kind",
        "title",
        "severity",
        "knockout_tiers",
        "migrate_days",
        "vendor_notice",
        "upstream_notice",
        "pass_through_notice",
        "alternative_channel",
        "alternative_values",
        "upstream_fact",
        "explain",
    },
}


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def validate_rule_params(params: Any, questions: dict[str, dict]) -> list[str]:
    """Problems with ``params`` for a version whose questions are ``questions``.

    ``questions`` maps question code to {"section", "type", "audience", "values"},
    plus "__sections__": {"codes": [...]}.
    """
    problems: list[str] = []
    if not isinstance(params, dict):
        return ["rule_params must be a mapping"]
    for key in params:
        if key not in TOP_KEYS:
            problems.append(f"unknown key {key!r} (allowed: {', '.join(sorted(TOP_KEYS))})")
    merged = {**DEFAULTS, **params}
    sections = set(questions.get("__sections__", {}).get("codes", []))

    def question(code: Any, where: str, types: tuple[str, ...] | None = None) -> dict | None:
        if not isinstance(code, str) or code not in questions or code == "__sections__":
            problems.append(f"{where}: question {code!r} is not in this version")
            return None
        q = questions[code]
        if types and q["type"] not in types:
            problems.append(f"{where}: {code} is a {q['type']} question; expected {' or '.join(types)}")
            return None
        return q

    bands = merged["bands"]
    if not isinstance(bands, dict) or set(bands) != {"moderate", "high", "critical"}:
        problems.append("bands: give cut-offs for exactly moderate, high and critical")
    elif not all(_num(v) for v in bands.values()) or not (
        0 < bands["moderate"] < bands["high"] < bands["critical"] <= 100
    ):
        problems.append("bands: cut-offs must rise strictly within 0-100 (0 < moderate < high < critical <= 100)")
    months = merged["review_months"]
    if (
        not isinstance(months, dict)
        or {int(k) if str(k).isdigit() else k for k in months} != {1, 2, 3}
        or not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 120 for v in months.values())
    ):
        problems.append("review_months: give months (1-120) for exactly tiers 1, 2 and 3")
    if merged["critical_floor"] not in BANDS:
        problems.append(f"critical_floor must be one of {', '.join(BANDS)}")

    tier = merged["tier"]
    if not isinstance(tier, dict) or not set(tier) <= {"domains", "tier_1_level", "tier_2_level"}:
        problems.append("tier: expected {domains: [codes], tier_1_level: N, tier_2_level: N}")
    else:
        tier = {**DEFAULTS["tier"], **tier}
        if not isinstance(tier["domains"], list):
            problems.append("tier.domains must be a list of intake question codes")
        else:
            for code in tier["domains"]:
                q = question(code, "tier.domains", CHOICE_LIKE + NUMERIC_TYPES)
                if q and q["audience"] != "buyer":
                    problems.append(f"tier.domains: {code} is not a buyer-intake question")
        levels = (tier["tier_1_level"], tier["tier_2_level"])
        if not all(isinstance(v, int) and 0 <= v <= 4 for v in levels) or levels[0] <= levels[1]:
            problems.append("tier: tier_1_level must be greater than tier_2_level, both whole numbers 0-4")

    weights = merged["section_weights"]
    if not isinstance(weights, dict) or not set(weights) <= set(TIERS):
        problems.append(f"section_weights: keys must be among {', '.join(TIERS)}")
    else:
        for tier_key, mapping in weights.items():
            if not isinstance(mapping, dict):
                problems.append(f"section_weights.{tier_key} must map section codes to weights")
                continue
            for scode, w in mapping.items():
                if scode not in sections:
                    problems.append(f"section_weights.{tier_key}: section {scode!r} is not in this version")
                if not _num(w) or w < 0:
                    problems.append(f"section_weights.{tier_key}.{scode}: weight must be a number >= 0")

    residual = merged["residual"]
    if not isinstance(residual, dict) or set(residual) != set(TIERS):
        problems.append(f"residual: give a row for each of {', '.join(TIERS)}")
    else:
        for tier_key, row in residual.items():
            if not isinstance(row, dict) or set(row) != set(BANDS) or not all(v in BANDS for v in row.values()):
                problems.append(f"residual.{tier_key}: map each control band ({', '.join(BANDS)}) to a residual band")
            elif [BANDS.index(row[b]) for b in BANDS] != sorted(BANDS.index(row[b]) for b in BANDS):
                problems.append(f"residual.{tier_key}: a worse control band must never give a better residual rating")
    decisions = merged["decisions"]
    if (
        not isinstance(decisions, dict)
        or set(decisions) != set(BANDS)
        or not all(v in DECISIONS for v in decisions.values())
    ):
        problems.append(f"decisions: map each residual band to one of {', '.join(DECISIONS)}")
    elif [DECISIONS.index(decisions[b]) for b in BANDS] != sorted(DECISIONS.index(decisions[b]) for b in BANDS):
        problems.append("decisions: a worse residual band must never give a better decision")
    floor = merged["section_floor"]
    if (
        not isinstance(floor, dict)
        or set(floor) != {"bands", "decision"}
        or not isinstance(floor["bands"], list)
        or not all(b in BANDS for b in floor["bands"])
        or floor["decision"] not in DECISIONS
    ):
        problems.append("section_floor: expected {bands: [band, ...], decision: DECISION}")

    rules = merged["rules"]
    if not isinstance(rules, dict):
        problems.append("rules must map rule names to their parameters")
        return problems
    for name, rule in rules.items():
        where = f"rules.{name}"
        if not isinstance(rule, dict):
            problems.append(f"{where} must be a mapping")
            continue
        kind = rule.get("kind", "condition")
        if kind not in RULE_KINDS:
            problems.append(f"{where}.kind must be one of {', '.join(RULE_KINDS)}")
            continue
        for key in rule:
            if key not in RULE_KEYS[kind]:
                problems.append(f"{where}: unknown key {key!r} for a {kind} rule")
        if not isinstance(rule.get("title"), str) or not rule["title"].strip():
            problems.append(f"{where}: needs a title")
        if rule.get("severity", "knockout") not in SEVERITIES:
            problems.append(f"{where}.severity must be knockout or flag")
        kt = rule.get("knockout_tiers", [1, 2, 3])
        if not isinstance(kt, list) or not all(t in (1, 2, 3) for t in kt):
            problems.append(f"{where}.knockout_tiers must be a list drawn from 1, 2, 3")
        if kind == "condition":
            if "condition" not in rule:
                problems.append(f"{where}: needs a condition")
            else:
                _validate_condition(rule["condition"], f"{where}.condition", question, problems)
        else:
            for key in ("migrate_days", "vendor_notice", "upstream_notice", "pass_through_notice"):
                if key in rule or key in ("migrate_days", "vendor_notice"):
                    question(rule.get(key), f"{where}.{key}", NUMERIC_TYPES)
            if "upstream_fact" in rule and rule["upstream_fact"] not in FACTS:
                problems.append(f"{where}.upstream_fact: unknown fact {rule['upstream_fact']!r}")
            if "alternative_channel" in rule:
                q = question(rule["alternative_channel"], f"{where}.alternative_channel", CHOICE_LIKE)
                values = rule.get("alternative_values")
                if not isinstance(values, list) or not values:
                    problems.append(f"{where}.alternative_values: list the answers that mean an alternative exists")
                elif q:
                    for v in values:
                        if v not in q["values"]:
                            problems.append(
                                f"{where}.alternative_values: {v!r} is not a choice of {rule['alternative_channel']}"
                            )
    return problems


def _validate_condition(cond: Any, where: str, question, problems: list[str], depth: int = 0) -> None:
    if depth > 8:
        problems.append(f"{where}: conditions nest too deeply")
        return
    if not isinstance(cond, dict):
        problems.append(f"{where}: a condition is a mapping")
        return
    if set(cond) in ({"all"}, {"any"}):
        items = next(iter(cond.values()))
        if not isinstance(items, list) or not items:
            problems.append(f"{where}: 'all'/'any' takes a non-empty list")
            return
        for i, item in enumerate(items):
            _validate_condition(item, f"{where}.{next(iter(cond))}[{i}]", question, problems, depth + 1)
        return
    if "fact" in cond:
        ops = set(cond) - {"fact"}
        if cond["fact"] not in FACTS:
            problems.append(f"{where}: unknown fact {cond['fact']!r} (known: {', '.join(sorted(FACTS))})")
        elif len(ops) != 1 or not ops <= set(COMPARATORS) or not _num(cond[next(iter(ops))]):
            problems.append(f"{where}: expected {{fact: NAME, lt|le|gt|ge: N}}")
        return
    ops = set(cond) - {"question"}
    if "question" not in cond or len(ops) != 1 or not ops <= {"in", *COMPARATORS}:
        problems.append(
            f"{where}: expected {{question: CODE, in: [values]}} or {{question: CODE, lt|le|gt|ge: N}}, or all/any"
        )
        return
    op = ops.pop()
    if op == "in":
        q = question(cond["question"], where, CHOICE_LIKE)
        if q is None:
            return
        values = cond["in"]
        if not isinstance(values, list) or not values:
            problems.append(f"{where}: 'in' takes a non-empty list of values")
            return
        for v in values:
            if v not in q["values"]:
                problems.append(f"{where}: {v!r} is not a choice of {cond['question']} ({', '.join(q['values'])})")
    else:
        question(cond["question"], where, NUMERIC_TYPES)
        if not _num(cond[op]):
            problems.append(f"{where}: '{op}' takes a number")


@dataclass(frozen=True)
class RuleParams:
    bands: dict[str, float]
    critical_floor: str
    tier_domains: tuple[str, ...]
    tier_1_level: int
    tier_2_level: int
    section_weights: dict[str, dict[str, float]]
    residual: dict[str, dict[str, str]]
    decisions: dict[str, str]
    section_floor_bands: tuple[str, ...]
    section_floor_decision: str
    rules: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, params: dict | None) -> RuleParams:
        merged = {**DEFAULTS, **(params or {})}
        tier = {**DEFAULTS["tier"], **merged["tier"]}
        return cls(
            bands=dict(merged["bands"]),
            critical_floor=merged["critical_floor"],
            tier_domains=tuple(tier["domains"]),
            tier_1_level=tier["tier_1_level"],
            tier_2_level=tier["tier_2_level"],
            section_weights={k: dict(v) for k, v in merged["section_weights"].items()},
            residual={k: dict(v) for k, v in merged["residual"].items()},
            decisions=dict(merged["decisions"]),
            section_floor_bands=tuple(merged["section_floor"]["bands"]),
            section_floor_decision=merged["section_floor"]["decision"],
            rules={k: dict(v) for k, v in merged["rules"].items()},
        )
