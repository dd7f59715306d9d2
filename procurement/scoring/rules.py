"""Named knockout and flag rules, evaluated over answers with the bank's parameters.

Conditions use three-valued logic: a leaf on a question that is hidden,
unanswered or N/A is *unknown*. A rule whose outcome is unknown does not
fire; it is reported as pending, naming the answers it still needs.

A leaf may also compare a *fact* derived outside the answers ({fact: NAME,
lt: N}), such as the shortest upstream notice in the service's recorded supply
chain. A fact that is absent (no chain recorded) is false, not unknown: facts
add evidence, and without them the answers decide as before.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from procurement.scoring import types as t
from procurement.scoring.params import RULE_DEFAULTS
from procurement.scoring.wording import COMPARISON_WORDS, answered, fact_words, number_words

UNKNOWN = None  # third truth value
# A mitigated notice gap replaces the rule's own explanation, which says no other channel exists.
MITIGATED_NOTICE_GAP = (
    "The shortest notice we can rely on is shorter than the time we need to move away, but the same model can"
    " be obtained through another channel."
)


def evaluate_rules(
    rules: dict[str, dict],
    specs: dict[str, t.QuestionSpec],
    answers: dict[str, t.Answer],
    visible: dict[str, bool],
    tier: int,
    as_of: dt.date,
    facts: dict[str, float] | None = None,
) -> tuple[list[t.RuleHit], list[t.PendingRule]]:
    hits: list[t.RuleHit] = []
    pending: list[t.PendingRule] = []
    ctx = _Context(specs, answers, visible, facts or {})
    for name in sorted(rules):
        rule = rules[name]
        kind = rule.get("kind", "condition")
        evaluate = _notice_gap if kind == "notice_gap" else _condition_rule
        outcome = evaluate(name, rule, ctx, tier)
        if isinstance(outcome, t.PendingRule):
            pending.append(outcome)
        elif outcome is not None:
            hits.append(outcome)
    return hits, pending


class _Context:
    def __init__(self, specs, answers, visible, facts):
        self.specs, self.answers, self.visible, self.facts = specs, answers, visible, facts

    def known(self, code: str) -> t.Answer | None:
        """The answer if it can be used by a rule, else None."""
        answer = self.answers.get(code)
        if not self.visible.get(code, False) or answer is None or answer.na or answer.is_empty:
            return None
        return answer

    def number(self, code: str) -> float | None:
        answer = self.known(code)
        if answer is None:
            return None
        try:
            return float(answer.value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None

    def values(self, code: str) -> tuple[str, ...] | None:
        answer = self.known(code)
        if answer is None:
            return None
        if isinstance(answer.value, tuple | list):
            return tuple(str(v) for v in answer.value)
        return (str(answer.value),)


def _severity(rule: dict, tier: int) -> str:
    severity = rule.get("severity", RULE_DEFAULTS["severity"])
    if severity == "knockout" and tier not in rule.get("knockout_tiers", RULE_DEFAULTS["knockout_tiers"]):
        return "flag"
    return severity


_OPS = {"lt": ("<", float.__lt__), "le": ("<=", float.__le__), "gt": (">", float.__gt__), "ge": (">=", float.__ge__)}


def _eval(cond: dict, ctx: _Context, reasons: list[str], inputs: dict, missing: list[str]) -> bool | None:
    if "all" in cond or "any" in cond:
        is_all = "all" in cond
        results = []
        for item in cond["all" if is_all else "any"]:
            sub_reasons: list[str] = []
            value = _eval(item, ctx, sub_reasons, inputs, missing)
            results.append(value)
            if value:
                reasons.extend(sub_reasons)
        if is_all:
            if any(r is False for r in results):
                return False
            return UNKNOWN if any(r is UNKNOWN for r in results) else True
        if any(r is True for r in results):
            return True
        return UNKNOWN if any(r is UNKNOWN for r in results) else False
    if "fact" in cond:
        op = next(k for k in cond if k in _OPS)
        name = cond["fact"]
        if name not in ctx.facts:
            return False
        number = float(ctx.facts[name])
        inputs[f"fact:{name}"] = number
        _, fn = _OPS[op]
        held = fn(number, float(cond[op]))
        if held:
            reasons.append(fact_words(name, number, op, float(cond[op])) + ".")
        return held
    code = cond["question"]
    if "in" in cond:
        values = ctx.values(code)
        if values is None:
            missing.append(code)
            return UNKNOWN
        inputs[code] = list(values) if len(values) > 1 else values[0]
        matched = [v for v in values if v in cond["in"]]
        if matched:
            reasons.append(
                answered(ctx.specs.get(code), code, tuple(matched) if len(matched) > 1 else matched[0]) + "."
            )
        return bool(matched)
    op = next(k for k in cond if k in _OPS)
    number = ctx.number(code)
    if number is None:
        missing.append(code)
        return UNKNOWN
    inputs[code] = number
    _, fn = _OPS[op]
    held = fn(number, float(cond[op]))
    if held:
        spec = ctx.specs.get(code)
        threshold = number_words(float(cond[op]), spec.unit if spec is not None else "")
        reasons.append(answered(spec, code, number, f", {COMPARISON_WORDS[op]} {threshold}") + ".")
    return held


def _condition_rule(name: str, rule: dict, ctx: _Context, tier: int) -> t.RuleHit | t.PendingRule | None:
    reasons: list[str] = []
    inputs: dict[str, Any] = {}
    missing: list[str] = []
    outcome = _eval(rule["condition"], ctx, reasons, inputs, missing)
    if outcome is UNKNOWN:
        return t.PendingRule(name, rule.get("title", name), tuple(dict.fromkeys(missing)))
    if not outcome:
        return None
    return t.RuleHit(
        name=name,
        title=rule.get("title", name),
        severity=_severity(rule, tier),
        reasons=tuple(reasons),
        inputs=inputs,
        compared={"condition": rule["condition"], "tier": tier},
        explain=rule.get("explain", ""),
    )


def _notice_gap(name: str, rule: dict, ctx: _Context, tier: int) -> t.RuleHit | t.PendingRule | None:
    """The shortest notice the buyer can rely on is shorter than its time to migrate.

    reliable notice = min(vendor's own notice, upstream leg), where the upstream
    leg is the vendor's committed pass-through notice when it commits one (> 0
    days), otherwise the shortest notice its upstream providers can give.
    With an alternative channel for the same model the gap is a flag, not a knockout.
    """
    title = rule.get("title", name)
    codes = {k: rule.get(k) for k in ("migrate_days", "vendor_notice", "upstream_notice", "pass_through_notice")}
    migrate = ctx.number(codes["migrate_days"])
    vendor = ctx.number(codes["vendor_notice"])
    missing = [codes[k] for k, v in (("migrate_days", migrate), ("vendor_notice", vendor)) if v is None]
    if missing:
        return t.PendingRule(name, title, tuple(missing))
    upstream = ctx.number(codes["upstream_notice"]) if codes["upstream_notice"] else None
    upstream_source = "answer"
    fact = rule.get("upstream_fact")
    if fact and fact in ctx.facts and (upstream is None or float(ctx.facts[fact]) < upstream):
        upstream = float(ctx.facts[fact])
        upstream_source = "fact"
    pass_through = ctx.number(codes["pass_through_notice"]) if codes["pass_through_notice"] else None

    # Where each candidate notice comes from, in words; the shortest is the one we can rely on.
    upstream_words = (
        "the shortest notice a material upstream provider can give, from the recorded supply chain"
        if upstream_source == "fact"
        else f"the shortest notice a material upstream provider can give ({codes['upstream_notice']})"
    )
    legs = {f"the vendor's own notice for ending the contract ({codes['vendor_notice']})": vendor}
    if pass_through is not None and pass_through > 0:
        legs[
            "the notice the vendor commits to give when an upstream provider ends or reclaims capacity"
            f" ({codes['pass_through_notice']})"
        ] = pass_through
    elif upstream is not None:
        legs[upstream_words] = upstream
    reliable_source, reliable = min(legs.items(), key=lambda kv: kv[1])
    inputs = {
        code: value for code, value in ((codes["migrate_days"], migrate), (codes["vendor_notice"], vendor)) if code
    }
    if codes["upstream_notice"] and upstream is not None:
        inputs[codes["upstream_notice"] if upstream_source == "answer" else f"fact:{fact}"] = upstream
    if codes["pass_through_notice"] and pass_through is not None:
        inputs[codes["pass_through_notice"]] = pass_through
    if reliable >= migrate:
        return None

    alt_code = rule.get("alternative_channel")
    alternative = None
    if alt_code:
        values = ctx.values(alt_code)
        if values is None:
            return t.PendingRule(name, title, (alt_code,))
        inputs[alt_code] = values[0] if len(values) == 1 else list(values)
        alternative = [v for v in values if v in rule.get("alternative_values", [])]
    reasons = [
        f"We can rely on {t.fmt_number(reliable)} days' notice at most: {reliable_source}."
        f" We need {number_words(migrate, 'days')} to move this use to another provider"
        f" ({codes['migrate_days']}), a gap of {number_words(migrate - reliable, 'days')}.",
    ]
    if pass_through is not None and pass_through <= 0 and upstream is not None and reliable_source == upstream_words:
        reasons.append(
            "The vendor commits to no notice of its own when an upstream provider ends or reclaims capacity"
            f" ({codes['pass_through_notice']}), so the upstream notice applies."
        )
    severity = _severity(rule, tier)
    explain = rule.get("explain", "")
    if alt_code:
        chosen = alternative or ([inputs[alt_code]] if isinstance(inputs[alt_code], str) else inputs[alt_code])
        channel = answered(ctx.specs.get(alt_code), alt_code, chosen[0] if len(chosen) == 1 else tuple(chosen))
        if alternative:
            reasons.append(
                "Mitigated: the same model can be obtained through another channel, so a move is survivable and"
                f" this is a flag, not a knockout. {channel}."
            )
            explain = MITIGATED_NOTICE_GAP
            severity = "flag"
        else:
            reasons.append(f"{channel}.")
    return t.RuleHit(
        name=name,
        title=title if not alternative else f"{title} (mitigated)",
        severity=severity,
        reasons=tuple(reasons),
        inputs=inputs,
        compared={
            "reliable_notice_days": reliable,
            "migrate_days": migrate,
            "gap_days": migrate - reliable,
            "tier": tier,
        },
        explain=explain,
    )
