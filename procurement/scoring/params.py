"""Rule parameters: the scoring knobs that live in each bank version.

One declarative schema describes them: each field of the frozen ``RuleParams``
dataclass is declared with ``param(default, check=..., build=...)``, so the
default, the publish check and the typed value the engine reads sit on one
line per key. Everything else is derived from those fields:

* ``DEFAULTS`` (the plain mapping) and ``TOP_KEYS``;
* ``validate_rule_params(params, index)``: plain-language problems for a
  version whose questions and sections are ``index``; publishing a version
  refuses while any remain;
* ``RuleParams.from_dict(params)``: the frozen value the engine uses.

Rules (``rules``) are declared the same way per kind in ``RULE_KINDS_SCHEMA``.
Plain Python, no Django (tests/scoring/test_purity.py).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from procurement.core.money import is_currency

BANDS = ("low", "moderate", "high", "critical")
DECISIONS = ("approve", "approve_with_conditions", "executive_acceptance", "reject")
TIERS = ("tier_1", "tier_2", "tier_3")
SEVERITIES = ("knockout", "flag")
COMPARATORS = ("lt", "le", "gt", "ge")
# Facts a rule may compare ({fact: NAME, lt: N}): the supply chain's
# (procurement.scoring.supply.ChainFacts), the signed contract's, then the service's model lifecycle.
CHAIN_FACTS = (
    "upstream_notice_days",
    "effective_notice_days",
    "notice_gap_days",
    "largest_provider_share",
    "independent_compute_providers",
    "competitor_or_leased_share",
    "regions_outside",
    "single_points_of_failure",
    "unknown_link_share",
)
# The signed contract's notice figures, beside the answers (procurement.vendors.contracts).
CONTRACT_NOTICE_FACT = "contract_notice_days"
CONTRACT_UPSTREAM_FACT = "contract_pass_through_days"
CONTRACT_FACTS = (CONTRACT_NOTICE_FACT, CONTRACT_UPSTREAM_FACT)
# The days from the scoring date to the announced retirement of the model the service uses
# (procurement.vendors.models.ModelLifecycle); absent when none is announced.
LIFECYCLE_FACTS = ("model_retirement_days",)
FACTS = CHAIN_FACTS + CONTRACT_FACTS + LIFECYCLE_FACTS
NUMERIC_TYPES = ("number",)
CHOICE_LIKE = ("single_choice", "multi_choice", "yes_no")
MAX_CONDITION_DEPTH = 8


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- What the parameters may refer to -----------------------------------------


@dataclass(frozen=True)
class VersionIndex:
    """The questions and sections of the version the parameters belong to.

    ``questions`` maps question code to {"section", "type", "audience", "values"}.
    """

    questions: dict[str, dict] = field(default_factory=dict)
    section_codes: frozenset[str] = frozenset()


class _Checker:
    """Collects problems while checking one parameter mapping against one version."""

    def __init__(self, index: VersionIndex):
        self.index = index
        self.problems: list[str] = []

    def add(self, message: str) -> None:
        self.problems.append(message)

    def question(self, code: Any, where: str, types: tuple[str, ...] | None = None) -> dict | None:
        """The question ``code`` if it is in the version (and of one of ``types``), else a problem."""
        if not isinstance(code, str) or code not in self.index.questions:
            self.add(f"{where}: question {code!r} is not in this version")
            return None
        q = self.index.questions[code]
        if types and q["type"] not in types:
            self.add(f"{where}: {code} is a {q['type']} question; expected {' or '.join(types)}")
            return None
        return q


# --- One checker per top-level key ------------------------------------------------


def _check_bands(bands: Any, c: _Checker) -> None:
    if not isinstance(bands, dict) or set(bands) != {"moderate", "high", "critical"}:
        c.add("bands: give cut-offs for exactly moderate, high and critical")
    elif not all(_num(v) for v in bands.values()) or not (
        0 < bands["moderate"] < bands["high"] < bands["critical"] <= 100
    ):
        c.add("bands: cut-offs must rise strictly within 0-100 (0 < moderate < high < critical <= 100)")


def _tier_key(key: Any) -> Any:
    return int(key) if str(key).isdigit() else key


def _check_review_months(months: Any, c: _Checker) -> None:
    if (
        not isinstance(months, dict)
        or {_tier_key(k) for k in months} != {1, 2, 3}
        or not all(_whole(v) and 1 <= v <= 120 for v in months.values())
    ):
        c.add("review_months: give months (1-120) for exactly tiers 1, 2 and 3")


def _check_critical_floor(band: Any, c: _Checker) -> None:
    if band not in BANDS:
        c.add(f"critical_floor must be one of {', '.join(BANDS)}")


def _check_tier(tier: Any, c: _Checker) -> None:
    if not isinstance(tier, dict) or not set(tier) <= set(Tier.DEFAULTS):
        c.add("tier: expected {domains: [codes], tier_1_level: N, tier_2_level: N}")
        return
    tier = {**Tier.DEFAULTS, **tier}
    if not isinstance(tier["domains"], list):
        c.add("tier.domains must be a list of intake question codes")
    else:
        for code in tier["domains"]:
            q = c.question(code, "tier.domains", CHOICE_LIKE + NUMERIC_TYPES)
            if q and q["audience"] != "buyer":
                c.add(f"tier.domains: {code} is not a buyer-intake question")
    levels = (tier["tier_1_level"], tier["tier_2_level"])
    if not all(isinstance(v, int) and 0 <= v <= 4 for v in levels) or levels[0] <= levels[1]:
        c.add("tier: tier_1_level must be greater than tier_2_level, both whole numbers 0-4")


def _check_section_weights(weights: Any, c: _Checker) -> None:
    if not isinstance(weights, dict) or not set(weights) <= set(TIERS):
        c.add(f"section_weights: keys must be among {', '.join(TIERS)}")
        return
    for tier_key, mapping in weights.items():
        if not isinstance(mapping, dict):
            c.add(f"section_weights.{tier_key} must map section codes to weights")
            continue
        for scode, w in mapping.items():
            if scode not in c.index.section_codes:
                c.add(f"section_weights.{tier_key}: section {scode!r} is not in this version")
            if not _num(w) or w < 0:
                c.add(f"section_weights.{tier_key}.{scode}: weight must be a number >= 0")


def _rises(mapping: dict, keys: Iterable[str], scale: tuple[str, ...]) -> bool:
    """True when the values of ``keys``, in order, never go down ``scale``."""
    ranks = [scale.index(mapping[k]) for k in keys]
    return ranks == sorted(ranks)


def _check_residual(residual: Any, c: _Checker) -> None:
    if not isinstance(residual, dict) or set(residual) != set(TIERS):
        c.add(f"residual: give a row for each of {', '.join(TIERS)}")
        return
    for tier_key, row in residual.items():
        if not isinstance(row, dict) or set(row) != set(BANDS) or not all(v in BANDS for v in row.values()):
            c.add(f"residual.{tier_key}: map each control band ({', '.join(BANDS)}) to a residual band")
        elif not _rises(row, BANDS, BANDS):
            c.add(f"residual.{tier_key}: a worse control band must never give a better residual rating")


def _check_decisions(decisions: Any, c: _Checker) -> None:
    if (
        not isinstance(decisions, dict)
        or set(decisions) != set(BANDS)
        or not all(v in DECISIONS for v in decisions.values())
    ):
        c.add(f"decisions: map each residual band to one of {', '.join(DECISIONS)}")
    elif not _rises(decisions, BANDS, DECISIONS):
        c.add("decisions: a worse residual band must never give a better decision")


def _check_section_floor(floor: Any, c: _Checker) -> None:
    if (
        not isinstance(floor, dict)
        or set(floor) != {"bands", "decision"}
        or not isinstance(floor["bands"], list)
        or not all(b in BANDS for b in floor["bands"])
        or floor["decision"] not in DECISIONS
    ):
        c.add("section_floor: expected {bands: [band, ...], decision: DECISION}")


def _positive_amount(value: Any) -> bool:
    if isinstance(value, str):  # a strict loader may hand numbers over as text
        return value.isdigit() and int(value) > 0
    return _num(value) and value > 0


def _check_spend_bucket(bucket: Any, c: _Checker) -> None:
    """{question: CODE, currency: ISO, below: {choice: amount, ...}}: a buyer choice question whose
    choices are spend ranges. Each named choice holds amounts below its figure (and at or above
    the next lower one); the one choice not named holds everything from the largest figure up."""
    if bucket == {}:
        return
    where = "spend_bucket"
    if not isinstance(bucket, dict) or set(bucket) != {"question", "currency", "below"}:
        c.add(f"{where}: expected {{question: CODE, currency: ISO 4217 code, below: {{choice: amount, ...}}}}")
        return
    if not is_currency(str(bucket["currency"])):
        c.add(f"{where}.currency: {bucket['currency']!r} is not an ISO 4217 currency code")
    q = c.question(bucket["question"], f"{where}.question", ("single_choice",))
    below = bucket["below"]
    if not isinstance(below, dict) or not below or not all(_positive_amount(v) for v in below.values()):
        c.add(f"{where}.below: map choice values to positive amounts")
        return
    if q is None:
        return
    if q.get("audience") != "buyer":
        c.add(f"{where}.question: {bucket['question']} must be a buyer intake question (audience: buyer)")
    values = list(q["values"])
    unknown = sorted(set(below) - set(values))
    if unknown:
        c.add(
            f"{where}.below: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not a choice of the question"
        )
    if len(set(values) - set(below)) != 1:
        c.add(f"{where}.below: name every choice but one (the one for the largest amounts)")
    amounts = [Decimal(str(below[v])) for v in values if v in below]
    if amounts != sorted(set(amounts)):
        c.add(f"{where}.below: amounts must rise in the order of the question's choices")


@dataclass(frozen=True)
class SpendBucket:
    """Which choice of the spend question an annual amount (in ``currency``) falls in."""

    question: str = ""
    currency: str = ""
    below: tuple[tuple[str, Decimal], ...] = ()
    top: str = ""

    @classmethod
    def build(cls, value: dict) -> SpendBucket:
        return cls(
            question=value["question"],
            currency=value["currency"],
            below=tuple(sorted(((k, Decimal(str(v))) for k, v in value["below"].items()), key=lambda kv: kv[1])),
            top=value.get("top", ""),
        )

    @staticmethod
    def from_params(value: dict, values: Iterable[str]) -> SpendBucket | None:
        """The bucket of a version's parameters, given its question's choice values (None when absent)."""
        if not value:
            return None
        bucket = SpendBucket.build(value)
        rest = [v for v in values if v not in dict(bucket.below)]
        return dataclasses.replace(bucket, top=rest[0] if rest else "")

    def choice_for(self, amount: Decimal) -> str:
        return next((value for value, limit in self.below if amount < limit), self.top)


def _check_self_attested_point(value: Any, c: _Checker) -> None:
    if not isinstance(value, bool):
        c.add("self_attested_point must be true or false")


def _check_rules(rules: Any, c: _Checker) -> None:
    if not isinstance(rules, dict):
        c.add("rules must map rule names to their parameters")
        return
    for name, rule in rules.items():
        _check_rule(rule, f"rules.{name}", c)


# --- Rules: one entry per kind ------------------------------------------------------

# Keys every rule may carry, with the default the rule engine applies when absent.
RULE_DEFAULTS: dict[str, Any] = {"kind": "condition", "severity": "knockout", "knockout_tiers": [1, 2, 3]}
COMMON_RULE_KEYS = ("kind", "title", "severity", "knockout_tiers", "explain")
NOTICE_QUESTIONS = ("migrate_days", "vendor_notice", "upstream_notice", "pass_through_notice")
REQUIRED_NOTICE_QUESTIONS = ("migrate_days", "vendor_notice")


@dataclass(frozen=True)
class RuleKind:
    keys: frozenset[str]
    check: Callable[[dict, str, _Checker], None]


def _check_rule(rule: Any, where: str, c: _Checker) -> None:
    if not isinstance(rule, dict):
        c.add(f"{where} must be a mapping")
        return
    kind = rule.get("kind", RULE_DEFAULTS["kind"])
    if kind not in RULE_KINDS:
        c.add(f"{where}.kind must be one of {', '.join(RULE_KINDS)}")
        return
    for key in rule:
        if key not in RULE_KINDS_SCHEMA[kind].keys:
            c.add(f"{where}: unknown key {key!r} for a {kind} rule")
    if not isinstance(rule.get("title"), str) or not rule["title"].strip():
        c.add(f"{where}: needs a title")
    if rule.get("severity", RULE_DEFAULTS["severity"]) not in SEVERITIES:
        c.add(f"{where}.severity must be knockout or flag")
    kt = rule.get("knockout_tiers", RULE_DEFAULTS["knockout_tiers"])
    if not isinstance(kt, list) or not all(t in (1, 2, 3) for t in kt):
        c.add(f"{where}.knockout_tiers must be a list drawn from 1, 2, 3")
    RULE_KINDS_SCHEMA[kind].check(rule, where, c)


def _check_condition_rule(rule: dict, where: str, c: _Checker) -> None:
    if "condition" not in rule:
        c.add(f"{where}: needs a condition")
    else:
        _check_condition(rule["condition"], f"{where}.condition", c)


def _check_notice_gap_rule(rule: dict, where: str, c: _Checker) -> None:
    for key in NOTICE_QUESTIONS:
        if key in rule or key in REQUIRED_NOTICE_QUESTIONS:
            c.question(rule.get(key), f"{where}.{key}", NUMERIC_TYPES)
    if "upstream_fact" in rule and rule["upstream_fact"] not in FACTS:
        c.add(f"{where}.upstream_fact: unknown fact {rule['upstream_fact']!r}")
    if "alternative_channel" not in rule:
        return
    q = c.question(rule["alternative_channel"], f"{where}.alternative_channel", CHOICE_LIKE)
    values = rule.get("alternative_values")
    if not isinstance(values, list) or not values:
        c.add(f"{where}.alternative_values: list the answers that mean an alternative exists")
    elif q:
        for v in values:
            if v not in q["values"]:
                c.add(f"{where}.alternative_values: {v!r} is not a choice of {rule['alternative_channel']}")


# --- Judgement rules: each key with what it is, in one place --------------------------------
#
# docs/scoring.md quotes these descriptions; the checker and the defaults the rules read come
# from the same table.


@dataclass(frozen=True)
class Key:
    """One key of a judgement rule: a question code, a number, a list of choice values or a fact."""

    what: str  # "question", "number", "values", "fact"
    description: str
    types: tuple[str, ...] = ()  # for a question: its answer types
    required: bool = False
    default: Any = None  # for a number or values: used when the key is absent
    of: str = ""  # for values: the key naming the question they are choices of


_MIGRATE = Key("question", "Our days to migrate this use to another provider (intake).", NUMERIC_TYPES, True)
JUDGEMENT_KEYS: dict[str, dict[str, Key]] = {
    "capacity_headroom": {
        "headroom": Key("question", "The vendor's ratio of committed throughput to our peak demand.", NUMERIC_TYPES),
        "peak_demand": Key(
            "question", "Our peak demand (intake), to derive headroom when the ratio is missing.", NUMERIC_TYPES
        ),
        "peak_unit": Key("question", "The unit of our peak demand (requests or tokens per minute).", CHOICE_LIKE),
        "committed_throughput": Key("question", "The throughput the vendor commits for our account.", NUMERIC_TYPES),
        "committed_unit": Key("question", "The unit of the committed throughput.", CHOICE_LIKE),
        "throttled": Key("question", "The share of requests (%) rejected or throttled at peak.", NUMERIC_TYPES),
        "priority": Key("question", "Our traffic's priority when capacity is short.", CHOICE_LIKE),
        "customer_facing": Key("question", "Whether the use is customer-facing (intake).", CHOICE_LIKE),
        "knockout_below": Key("number", "Headroom below this is the knockout-level finding.", default=1.0),
        "flag_below": Key("number", "Headroom below this is a flag.", default=1.2),
        "throttled_above": Key("number", "A throttled share (%) above this is a flag.", default=5.0),
        "risky_priorities": Key(
            "values",
            "Priorities that are a flag for a customer-facing use.",
            default=["best_effort", "preemptible"],
            of="priority",
        ),
        "customer_facing_values": Key(
            "values", "Answers that mean the use is customer-facing.", default=["yes"], of="customer_facing"
        ),
    },
    "model_retirement_notice": {
        "migrate_days": _MIGRATE,
        "retirement_notice": Key(
            "question", "The vendor's days of notice before retiring a model we use.", NUMERIC_TYPES, True
        ),
        "change_notice": Key("question", "The vendor's days of notice before a material model change.", NUMERIC_TYPES),
        "pinned_available": Key(
            "question",
            "Days a pinned version stays available after a retirement notice;"
            " at least our days to migrate makes the finding a flag.",
            NUMERIC_TYPES,
        ),
        "retirement_fact": Key(
            "fact",
            "A recorded retirement date, as days from the scoring date (the service's announced model retirement).",
            default="model_retirement_days",
        ),
    },
    "recovery_vs_tolerance": {
        "tolerable_outage": Key("question", "The hours we can run without the service (intake).", NUMERIC_TYPES, True),
        "recovery_time": Key("question", "The vendor's recovery time objective, in hours.", NUMERIC_TYPES, True),
        "failover": Key("question", "How our traffic fails over between regions or sites.", CHOICE_LIKE),
        "providers": Key("question", "How many independent providers can serve our model.", NUMERIC_TYPES),
        "failover_values": Key(
            "values",
            "Failover answers that silence the rule (a tested warm failover).",
            default=["active_active", "warm_tested"],
            of="failover",
        ),
        "single_site_values": Key(
            "values",
            "Failover answers that mean one site carries the service.",
            default=["single_region"],
            of="failover",
        ),
    },
    "upstream_notice": {
        "migrate_days": _MIGRATE,
        "upstream_notice": Key("question", "The shortest notice a material upstream provider can give.", NUMERIC_TYPES),
        "facilities": Key("question", "The kinds of facility that host the serving capacity.", CHOICE_LIKE),
        "competitor": Key("question", "Whether a provider hosting our traffic sells competing services.", CHOICE_LIKE),
        "facilities_risky": Key(
            "values",
            "Facility kinds that are leased or competitor-owned.",
            default=["leased_colo", "competitor_site"],
            of="facilities",
        ),
        "competitor_risky": Key(
            "values",
            "Answers that mean a competitor hosts our traffic.",
            default=["yes_minor", "yes_material"],
            of="competitor",
        ),
        "unknown_values": Key(
            "values", "Answers that mean the arrangement or competitor status is not known.", default=["unknown"]
        ),
    },
}
JUDGEMENT_DEFAULTS: dict[str, Any] = {
    key: spec.default for keys in JUDGEMENT_KEYS.values() for key, spec in keys.items() if spec.default is not None
}


def _judgement_checker(kind: str) -> Callable[[dict, str, _Checker], None]:
    def check(rule: dict, where: str, c: _Checker) -> None:
        keys = JUDGEMENT_KEYS[kind]
        for key, spec in keys.items():
            if key not in rule:
                if spec.required:
                    c.add(f"{where}: needs {key} ({spec.description})")
                continue
            value = rule[key]
            if spec.what == "question":
                c.question(value, f"{where}.{key}", spec.types)
            elif spec.what == "number" and (not _num(value) or value < 0):
                c.add(f"{where}.{key} must be a number >= 0")
            elif spec.what == "fact" and value not in FACTS:
                c.add(f"{where}.{key}: unknown fact {value!r}")
            elif spec.what == "values":
                if not isinstance(value, list) or not value:
                    c.add(f"{where}.{key}: list the answers ({spec.description})")
                    continue
                code = rule.get(spec.of) if spec.of else None
                q = c.index.questions.get(code) if isinstance(code, str) else None
                for v in value:
                    if q is not None and v not in q["values"]:
                        c.add(f"{where}.{key}: {v!r} is not a choice of {code}")

    return check


RULE_KINDS_SCHEMA: dict[str, RuleKind] = {
    "condition": RuleKind(frozenset({*COMMON_RULE_KEYS, "condition"}), _check_condition_rule),
    "notice_gap": RuleKind(
        frozenset({*COMMON_RULE_KEYS, *NOTICE_QUESTIONS, "alternative_channel", "alternative_values", "upstream_fact"}),
        _check_notice_gap_rule,
    ),
    **{
        kind: RuleKind(frozenset({*COMMON_RULE_KEYS, *keys}), _judgement_checker(kind))
        for kind, keys in JUDGEMENT_KEYS.items()
    },
}
RULE_KINDS = tuple(RULE_KINDS_SCHEMA)
RULE_KEYS = {kind: set(schema.keys) for kind, schema in RULE_KINDS_SCHEMA.items()}


# --- Conditions ({question|fact: ..., op: ...}, all/any) ---------------------------


def _check_condition(cond: Any, where: str, c: _Checker, depth: int = 0) -> None:
    if depth > MAX_CONDITION_DEPTH:
        c.add(f"{where}: conditions nest too deeply")
    elif not isinstance(cond, dict):
        c.add(f"{where}: a condition is a mapping")
    elif set(cond) in ({"all"}, {"any"}):
        _check_all_any(cond, where, c, depth)
    elif "fact" in cond:
        _check_fact_condition(cond, where, c)
    else:
        _check_question_condition(cond, where, c)


def _check_all_any(cond: dict, where: str, c: _Checker, depth: int) -> None:
    (joiner, items), *_ = cond.items()
    if not isinstance(items, list) or not items:
        c.add(f"{where}: 'all'/'any' takes a non-empty list")
        return
    for i, item in enumerate(items):
        _check_condition(item, f"{where}.{joiner}[{i}]", c, depth + 1)


def _check_fact_condition(cond: dict, where: str, c: _Checker) -> None:
    ops = set(cond) - {"fact"}
    if cond["fact"] not in FACTS:
        c.add(f"{where}: unknown fact {cond['fact']!r} (known: {', '.join(sorted(FACTS))})")
    elif len(ops) != 1 or not ops <= set(COMPARATORS) or not _num(cond[next(iter(ops))]):
        c.add(f"{where}: expected {{fact: NAME, lt|le|gt|ge: N}}")


def _check_question_condition(cond: dict, where: str, c: _Checker) -> None:
    ops = set(cond) - {"question"}
    if "question" not in cond or len(ops) != 1 or not ops <= {"in", *COMPARATORS}:
        c.add(f"{where}: expected {{question: CODE, in: [values]}} or {{question: CODE, lt|le|gt|ge: N}}, or all/any")
        return
    op = ops.pop()
    if op != "in":
        c.question(cond["question"], where, NUMERIC_TYPES)
        if not _num(cond[op]):
            c.add(f"{where}: '{op}' takes a number")
        return
    q = c.question(cond["question"], where, CHOICE_LIKE)
    if q is None:
        return
    values = cond["in"]
    if not isinstance(values, list) or not values:
        c.add(f"{where}: 'in' takes a non-empty list of values")
        return
    for v in values:
        if v not in q["values"]:
            c.add(f"{where}: {v!r} is not a choice of {cond['question']} ({', '.join(q['values'])})")


# --- The schema ------------------------------------------------------------------


def param(default: Any, *, check: Callable[[Any, _Checker], None], build: Callable[[Any], Any] = copy.deepcopy):
    """A rule parameter: its ``default`` (as written in a bank file), the ``check`` run on
    publish, and ``build``, which turns the (merged) value into the typed field."""
    return field(
        default_factory=lambda: build(copy.deepcopy(default)),
        metadata={"default": default, "check": check, "build": build},
    )


@dataclass(frozen=True)
class Tier:
    """How the intake answers set the inherent-risk tier."""

    # As written in a bank file; a partial ``tier`` mapping is filled from these.
    DEFAULTS: ClassVar[dict[str, Any]] = {"domains": [], "tier_1_level": 4, "tier_2_level": 3}

    domains: tuple[str, ...]
    tier_1_level: int
    tier_2_level: int

    @classmethod
    def build(cls, value: dict) -> Tier:
        tier = {**cls.DEFAULTS, **value}
        return cls(tuple(tier["domains"]), tier["tier_1_level"], tier["tier_2_level"])


@dataclass(frozen=True)
class SectionFloor:
    """A section rated in one of ``bands`` caps the decision at ``decision``."""

    bands: tuple[str, ...]
    decision: str

    @classmethod
    def build(cls, value: dict) -> SectionFloor:
        return cls(tuple(value["bands"]), value["decision"])


def _nested(value: dict) -> dict:
    return {k: dict(v) for k, v in value.items()}


def _review_months(value: dict) -> dict:
    return {_tier_key(k): v for k, v in value.items()}


@dataclass(frozen=True)
class RuleParams:
    """The rule parameters of one bank version, defaults filled in. Field order is check order."""

    bands: dict[str, float] = param({"moderate": 25, "high": 45, "critical": 65}, check=_check_bands, build=dict)
    # Months between reviews of a decided assessment, per inherent-risk tier.
    review_months: dict[int, int] = param({1: 12, 2: 24, 3: 36}, check=_check_review_months, build=_review_months)
    critical_floor: str = param("high", check=_check_critical_floor)
    tier: Tier = param(Tier.DEFAULTS, check=_check_tier, build=Tier.build)
    section_weights: dict[str, dict[str, float]] = param({}, check=_check_section_weights, build=_nested)
    residual: dict[str, dict[str, str]] = param(
        {
            "tier_1": {"low": "moderate", "moderate": "high", "high": "critical", "critical": "critical"},
            "tier_2": {"low": "low", "moderate": "moderate", "high": "high", "critical": "critical"},
            "tier_3": {"low": "low", "moderate": "low", "high": "moderate", "critical": "high"},
        },
        check=_check_residual,
        build=_nested,
    )
    decisions: dict[str, str] = param(
        {"low": "approve", "moderate": "approve_with_conditions", "high": "executive_acceptance", "critical": "reject"},
        check=_check_decisions,
        build=dict,
    )
    section_floor: SectionFloor = param(
        {"bands": ["high", "critical"], "decision": "approve_with_conditions"},
        check=_check_section_floor,
        build=SectionFloor.build,
    )
    rules: dict[str, dict] = param({}, check=_check_rules, build=_nested)
    # The intake question pre-filled from the service's annual spend (see SpendBucket).
    spend_bucket: dict = param({}, check=_check_spend_bucket, build=dict)
    # Evidence-weighted credit: a favourable answer (0 or 1 points) to a critical question that
    # rests only on the vendor's statement gets one more risk point, capped at 4 (the engine's
    # ``self_attested``). Off by default, so every version published before it scores as it did.
    self_attested_point: bool = param(False, check=_check_self_attested_point, build=bool)

    @classmethod
    def from_dict(cls, params: dict | None) -> RuleParams:
        """The typed value of a (validated) parameter mapping; absent keys take their defaults."""
        params = params or {}
        return cls(**{f.name: f.metadata["build"](params[f.name]) for f in _SCHEMA if f.name in params})


_SCHEMA = dataclasses.fields(RuleParams)
DEFAULTS: dict[str, Any] = {f.name: f.metadata["default"] for f in _SCHEMA}
TOP_KEYS = set(DEFAULTS)


def validate_rule_params(params: Any, index: VersionIndex) -> list[str]:
    """Problems with ``params`` for the version described by ``index``; empty means valid."""
    if not isinstance(params, dict):
        return ["rule_params must be a mapping"]
    c = _Checker(index)
    for key in params:
        if key not in TOP_KEYS:
            c.add(f"unknown key {key!r} (allowed: {', '.join(sorted(TOP_KEYS))})")
    for f in _SCHEMA:
        f.metadata["check"](params.get(f.name, f.metadata["default"]), c)
    return c.problems
