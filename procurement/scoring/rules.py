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
from procurement.scoring.params import (
    CONTRACT_NOTICE_FACT,
    CONTRACT_UPSTREAM_FACT,
    JUDGEMENT_DEFAULTS,
    RULE_DEFAULTS,
)
from procurement.scoring.wording import (
    COMPARISON_WORDS,
    CONTRACT_SHORTER_EXPLAIN,
    CONTRACT_SHORTER_TITLE,
    CONTRACT_UPSTREAM_SOURCE,
    CONTRACT_VENDOR_NOTICE_SOURCE,
    UNKNOWN_MARK,
    answered,
    contract_notice_findings,
    fact_words,
    notice_words,
    number_words,
    question_words,
)

answered_words = answered  # inside _notice_gap, "answered" names the vendor's answered notice

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
    statuses: list[dict] | None = None,
) -> tuple[list[t.RuleHit], list[t.PendingRule]]:
    """Hits and pending rules. With ``statuses``, also appends each rule's status ("fired" for
    a knockout, "flag", "pending" or "clear") with every input it read, so a reviewer can see
    why a rule stayed quiet."""
    hits: list[t.RuleHit] = []
    pending: list[t.PendingRule] = []
    ctx = _Context(specs, answers, visible, facts or {})
    ctx.as_of = as_of
    for name in sorted(rules):
        rule = rules[name]
        kind = rule.get("kind", "condition")
        evaluate = KIND_EVALUATORS.get(kind, _condition_rule)
        ctx.seen, ctx.unknown = {}, []
        outcome = evaluate(name, rule, ctx, tier)
        if isinstance(outcome, t.PendingRule):
            pending.append(outcome)
        elif outcome is not None:
            hits.append(outcome)
        if statuses is not None:
            statuses.append(_status(name, rule, outcome, ctx.seen))
    return hits, pending


def _status(name: str, rule: dict, outcome: t.RuleHit | t.PendingRule | None, seen: dict) -> dict:
    if isinstance(outcome, t.PendingRule):
        status, extra = "pending", {"missing": list(outcome.missing), "severity": outcome.severity}
    elif outcome is None:
        status, extra = "clear", {}
    else:
        status = "fired" if outcome.severity == "knockout" else "flag"
        extra = {"title": outcome.title, "reasons": list(outcome.reasons), "waived": outcome.waived}
    return {"rule": name, "kind": rule.get("kind", "condition"), "status": status, "inputs": seen, **extra}


class _Context:
    def __init__(self, specs, answers, visible, facts):
        self.specs, self.answers, self.visible, self.facts = specs, answers, visible, facts
        self.as_of: dt.date = dt.date.today()
        self.seen: dict[str, Any] = {}  # every input the current rule read, as the status report shows it
        self.unknown: list[str] = []  # undisclosed inputs the current condition rule read as risky

    def note(self, code: str) -> None:
        answer = self.answers.get(code)
        if not self.visible.get(code, False):
            shown: Any = "hidden"
        elif answer is None or answer.is_empty:
            shown = "not answered"
        elif answer.na:
            shown = "not applicable"
        elif answer.undisclosed:
            shown = "not disclosed"
        else:
            shown = list(answer.value) if isinstance(answer.value, tuple | list) else answer.value
        self.seen[code] = shown

    def undisclosed(self, code: str) -> bool:
        answer = self.answers.get(code)
        return bool(self.visible.get(code, False) and answer is not None and answer.undisclosed and not answer.na)

    def known(self, code: str) -> t.Answer | None:
        """The answer if it can be used by a rule, else None."""
        self.note(code)
        answer = self.answers.get(code)
        if not self.visible.get(code, False) or answer is None or answer.na or answer.is_empty:
            return None
        if answer.undisclosed:
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
        return _fact_leaf(cond, ctx, reasons, inputs)
    code = cond["question"]
    if ctx.undisclosed(code):
        return _undisclosed_leaf(code, ctx, reasons, inputs)
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


def _fact_leaf(cond: dict, ctx: _Context, reasons: list[str], inputs: dict) -> bool:
    """A fact that is absent (no chain recorded) is false, not unknown."""
    op = next(k for k in cond if k in _OPS)
    name = cond["fact"]
    if name not in ctx.facts:
        ctx.seen[f"fact:{name}"] = "not recorded"
        return False
    number = float(ctx.facts[name])
    inputs[f"fact:{name}"] = number
    ctx.seen[f"fact:{name}"] = number
    _, fn = _OPS[op]
    held = fn(number, float(cond[op]))
    if held:
        reasons.append(fact_words(name, number, op, float(cond[op])) + ".")
    return held


def _undisclosed_leaf(code: str, ctx: _Context, reasons: list[str], inputs: dict) -> bool:
    """The vendor does not disclose it: read as the risky case, and the hit is marked "unknown"."""
    inputs[code] = "not disclosed"
    ctx.unknown.append(code)
    reasons.append(
        f"The vendor does not disclose {question_words(ctx.specs.get(code), code)} ({code}), so we read it as"
        " the risky case."
    )
    return True


def _condition_rule(name: str, rule: dict, ctx: _Context, tier: int) -> t.RuleHit | t.PendingRule | None:
    reasons: list[str] = []
    inputs: dict[str, Any] = {}
    missing: list[str] = []
    outcome = _eval(rule["condition"], ctx, reasons, inputs, missing)
    if outcome is UNKNOWN:
        return t.PendingRule(name, rule.get("title", name), tuple(dict.fromkeys(missing)), _severity(rule, tier))
    if not outcome:
        return None
    compared: dict[str, Any] = {"condition": rule["condition"], "tier": tier}
    title = rule.get("title", name)
    if ctx.unknown:
        compared["unknown"] = list(dict.fromkeys(ctx.unknown))
        title = f"{title} ({UNKNOWN_MARK})"
    return t.RuleHit(
        name=name,
        title=title,
        severity=_severity(rule, tier),
        reasons=tuple(reasons),
        inputs=inputs,
        compared=compared,
        explain=rule.get("explain", ""),
    )


def _notice_gap(name: str, rule: dict, ctx: _Context, tier: int) -> t.RuleHit | t.PendingRule | None:
    """The shortest notice the buyer can rely on is shorter than its time to migrate.

    reliable notice = min(vendor's own notice, upstream leg), where the upstream
    leg is the vendor's committed pass-through notice when it commits one (> 0
    days), otherwise the shortest notice its upstream providers can give.
    With an alternative channel for the same model the gap is a flag, not a knockout.

    The signed contract's figures (facts ``contract_notice_days`` and
    ``contract_pass_through_days``) stand beside the answers: the shorter of each pair
    counts, and a contract that gives less notice than the answer claimed is a finding
    (a flag when there is no gap, a reason when there is).
    """
    title = rule.get("title", name)
    codes = {k: rule.get(k) for k in ("migrate_days", "vendor_notice", "upstream_notice", "pass_through_notice")}
    migrate = ctx.number(codes["migrate_days"])
    answered = ctx.number(codes["vendor_notice"])
    contracted = _contract_fact(ctx, CONTRACT_NOTICE_FACT)
    vendor = min((v for v in (contracted, answered) if v is not None), default=None)
    missing = [codes[k] for k, v in (("migrate_days", migrate), ("vendor_notice", vendor)) if v is None]
    if missing:
        return t.PendingRule(name, title, tuple(missing), _severity(rule, tier))
    upstream = ctx.number(codes["upstream_notice"]) if codes["upstream_notice"] else None
    upstream_source = "answer"
    fact = rule.get("upstream_fact")
    if fact and fact in ctx.facts and (upstream is None or float(ctx.facts[fact]) < upstream):
        upstream = float(ctx.facts[fact])
        upstream_source = "fact"
    pass_through = ctx.number(codes["pass_through_notice"]) if codes["pass_through_notice"] else None
    contract_pass = _contract_fact(ctx, CONTRACT_UPSTREAM_FACT)

    # Where each candidate notice comes from, in words; the shortest is the one we can rely on.
    upstream_words = (
        "the shortest notice a material upstream provider can give, from the recorded supply chain"
        if upstream_source == "fact"
        else f"the shortest notice a material upstream provider can give ({codes['upstream_notice']})"
    )
    legs = _notice_legs(codes, answered, contracted, pass_through, contract_pass, upstream, upstream_words)
    reliable_source, reliable = min(legs.items(), key=lambda kv: kv[1])
    inputs = {
        code: value
        for code, value in ((codes["migrate_days"], migrate), (codes["vendor_notice"], answered))
        if code and value is not None
    }
    if codes["upstream_notice"] and upstream is not None:
        inputs[codes["upstream_notice"] if upstream_source == "answer" else f"fact:{fact}"] = upstream
    if codes["pass_through_notice"] and pass_through is not None:
        inputs[codes["pass_through_notice"]] = pass_through
    for fact_name, value in ((CONTRACT_NOTICE_FACT, contracted), (CONTRACT_UPSTREAM_FACT, contract_pass)):
        if value is not None:
            inputs[f"fact:{fact_name}"] = value
    contract_findings = contract_notice_findings(
        contracted=contracted,
        answered=answered,
        vendor_code=codes["vendor_notice"] or "",
        contract_pass=contract_pass,
        answered_pass=pass_through,
        pass_code=codes["pass_through_notice"] or "",
    )
    compared: dict[str, Any] = {
        "reliable_notice_days": reliable,
        "migrate_days": migrate,
        "gap_days": migrate - reliable,
        "tier": tier,
    }
    if contracted is not None or contract_pass is not None:
        compared["reliable_notice_source"] = reliable_source
    if reliable >= migrate:
        if not contract_findings:
            return None
        # No gap, but the contract gives less than the vendor said: a finding, not a knockout.
        return t.RuleHit(
            name=name,
            title=CONTRACT_SHORTER_TITLE,
            severity="flag",
            reasons=(
                *contract_findings,
                f"We can still rely on {notice_words(reliable)}: {reliable_source}. That covers the"
                f" {number_words(migrate, 'days')} we need to move this use to another provider"
                f" ({codes['migrate_days']}).",
            ),
            inputs=inputs,
            compared=compared,
            explain=CONTRACT_SHORTER_EXPLAIN,
        )

    alt_code = rule.get("alternative_channel")
    alternative = None
    if alt_code:
        values = ctx.values(alt_code)
        if values is None:
            return t.PendingRule(name, title, (alt_code,), _severity(rule, tier))
        inputs[alt_code] = values[0] if len(values) == 1 else list(values)
        alternative = [v for v in values if v in rule.get("alternative_values", [])]
    reasons = [
        f"We can rely on {t.fmt_number(reliable)} days' notice at most: {reliable_source}."
        f" We need {number_words(migrate, 'days')} to move this use to another provider"
        f" ({codes['migrate_days']}), a gap of {number_words(migrate - reliable, 'days')}.",
        *contract_findings,
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
        channel = answered_words(ctx.specs.get(alt_code), alt_code, chosen[0] if len(chosen) == 1 else tuple(chosen))
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
        compared=compared,
        explain=explain,
    )


def _notice_legs(codes, answered, contracted, pass_through, contract_pass, upstream, upstream_words) -> dict:
    """The candidate notices with where each comes from, in words: the vendor's own notice (the
    contract's when it is no longer than the answer), and the upstream leg, which is a committed
    notice of upstream changes (> 0 days, the shorter of contract and answer) when there is
    one, otherwise the shortest upstream notice."""
    if contracted is not None and (answered is None or contracted <= answered):
        legs = {CONTRACT_VENDOR_NOTICE_SOURCE: contracted}
    else:
        legs = {f"the vendor's own notice for ending the contract ({codes['vendor_notice']})": answered}
    commitments = {}
    if pass_through is not None and pass_through > 0:
        commitments[
            "the notice the vendor commits to give when an upstream provider ends or reclaims capacity"
            f" ({codes['pass_through_notice']})"
        ] = pass_through
    if contract_pass is not None and contract_pass > 0:
        commitments[CONTRACT_UPSTREAM_SOURCE] = contract_pass
    if commitments:
        source, days = min(commitments.items(), key=lambda kv: (kv[1], kv[0] != CONTRACT_UPSTREAM_SOURCE))
        legs[source] = days
    elif upstream is not None:
        legs[upstream_words] = upstream
    return legs


def _contract_fact(ctx: _Context, fact: str) -> float | None:
    """A contracted notice figure, noted among the rule's inputs; None without a contract figure."""
    if fact not in ctx.facts:
        return None
    value = float(ctx.facts[fact])
    ctx.seen[f"fact:{fact}"] = value
    return value


# --- Three-valued inputs for the judgement rules ------------------------------------------
#
# One convention for every rule below. An input is read as one of:
#   KNOWN        a usable answer;
#   UNDISCLOSED  the vendor does not disclose it: the rule reads the risky case, marked "unknown";
#   MISSING      visible and not answered yet: the rule is pending, naming the question;
#   CLEAR        N/A, hidden, or not configured: the leg it feeds stays quiet.

KNOWN, UNDISCLOSED, MISSING, CLEAR = "known", "undisclosed", "missing", "clear"
# A leg of a rule: True (risky), False (not risky), UNKNOWN_LEG (risky because undisclosed or
# recorded as unknown) or None (waiting for an answer).
UNKNOWN_LEG = "unknown"


def _read(ctx: _Context, code: str | None) -> tuple[str, t.Answer | None]:
    if not code:
        return CLEAR, None
    ctx.note(code)
    answer = ctx.answers.get(code)
    if not ctx.visible.get(code, False) or (answer is not None and answer.na):
        return CLEAR, None
    if answer is not None and answer.undisclosed:
        return UNDISCLOSED, answer
    if answer is None or answer.is_empty:
        return MISSING, None
    return KNOWN, answer


class _Legs:
    """Collects a judgement rule's legs: reasons, inputs, what is missing and what is unknown."""

    def __init__(self, ctx: _Context):
        self.ctx = ctx
        self.reasons: list[str] = []
        self.inputs: dict[str, Any] = {}
        self.missing: list[str] = []
        self.unknown: list[str] = []

    def number(self, code: str | None) -> tuple[str, float | None]:
        state, _ = _read(self.ctx, code)
        if state == KNOWN:
            value = self.ctx.number(code)  # type: ignore[arg-type]
            if value is None:  # not a number: as good as unanswered
                self.missing.append(code)  # type: ignore[arg-type]
                return MISSING, None
            self.inputs[code] = value  # type: ignore[index]
            return KNOWN, value
        if state == UNDISCLOSED:
            self.inputs[code] = "not disclosed"  # type: ignore[index]
        elif state == MISSING:
            self.missing.append(code)  # type: ignore[arg-type]
        return state, None

    def choices(self, code: str | None) -> tuple[str, tuple[str, ...]]:
        state, _ = _read(self.ctx, code)
        if state == KNOWN:
            values = self.ctx.values(code) or ()  # type: ignore[arg-type]
            self.inputs[code] = list(values) if len(values) > 1 else values[0]  # type: ignore[index]
            return KNOWN, values
        if state == UNDISCLOSED:
            self.inputs[code] = "not disclosed"  # type: ignore[index]
        elif state == MISSING:
            self.missing.append(code)  # type: ignore[arg-type]
        return state, ()

    def fact(self, name: str | None) -> float | None:
        if not name:
            return None
        if name not in self.ctx.facts:
            self.ctx.seen[f"fact:{name}"] = "not recorded"
            return None
        value = float(self.ctx.facts[name])
        self.inputs[f"fact:{name}"] = value
        self.ctx.seen[f"fact:{name}"] = value
        return value

    def spec(self, code: str | None) -> t.QuestionSpec | None:
        return self.ctx.specs.get(code) if code else None

    def said(self, code: str, value: t.AnswerValue, tail: str = "") -> str:
        return answered(self.spec(code), code, value, tail) + "."

    def not_disclosed(self, code: str, meaning: str) -> None:
        self.unknown.append(code)
        self.reasons.append(
            f"The vendor does not disclose {question_words(self.spec(code), code)} ({code}), so we read it as"
            f" {meaning}."
        )

    def hit(self, name: str, rule: dict, severity: str, compared: dict, title: str = "") -> t.RuleHit:
        title = title or rule.get("title", name)
        if self.unknown:
            title = f"{title} ({UNKNOWN_MARK})"
            compared = {**compared, "unknown": list(dict.fromkeys(self.unknown))}
        return t.RuleHit(
            name=name,
            title=title,
            severity=severity,
            reasons=tuple(self.reasons),
            inputs=dict(self.inputs),
            compared=compared,
            explain=rule.get("explain", ""),
        )

    def pending(self, name: str, rule: dict, severity: str) -> t.PendingRule:
        return t.PendingRule(name, rule.get("title", name), tuple(dict.fromkeys(self.missing)), severity)


def _param(rule: dict, key: str) -> Any:
    return rule.get(key, JUDGEMENT_DEFAULTS.get(key))


def _capacity_headroom(name: str, rule: dict, ctx: _Context, tier: int) -> t.RuleHit | t.PendingRule | None:
    """Committed throughput against our peak, throttling at peak, and our priority under contention.

    Knockout-level: headroom below ``knockout_below`` (a knockout only in ``knockout_tiers``).
    Flag-level: headroom below ``flag_below``, a throttled share at peak above
    ``throttled_above`` %, or a best-effort/preemptible priority for a customer-facing use.
    Headroom is the vendor's ratio (``headroom``); without it, committed throughput over our
    peak when both are numbers in the same unit.
    """
    legs = _Legs(ctx)
    severe, mild = _headroom_legs(rule, ctx, legs)
    mild.append(_throttled_leg(rule, legs))
    mild.append(_priority_leg(rule, legs))
    compared = {k: float(_param(rule, k)) for k in ("knockout_below", "flag_below", "throttled_above")}
    compared["tier"] = tier
    if severe in (True, UNKNOWN_LEG):
        return legs.hit(name, rule, _severity(rule, tier), compared)
    if severe is None:
        return legs.pending(name, rule, _severity(rule, tier))
    flagged = _any3(mild)
    if flagged is None:
        return legs.pending(name, rule, "flag")
    return legs.hit(name, rule, "flag", compared) if flagged else None


def _headroom_legs(rule: dict, ctx: _Context, legs: _Legs) -> tuple[bool | str | None, list[bool | str | None]]:
    """The knockout-level leg (headroom below ``knockout_below``) and the flag-level one."""
    ko_below, flag_below = float(_param(rule, "knockout_below")), float(_param(rule, "flag_below"))
    code = rule.get("headroom")
    state, ratio = legs.number(code)
    source = code
    if state in (MISSING, CLEAR) and rule.get("peak_demand") and rule.get("committed_throughput"):
        derived = _derived_headroom(rule, ctx, legs)
        if derived is not None:
            legs.missing = [m for m in legs.missing if m != code]
            state, ratio = KNOWN, derived
            source = f"{rule['committed_throughput']} over {rule['peak_demand']}"
    if state == UNDISCLOSED:
        legs.not_disclosed(code, "less committed throughput than our peak demand")
        return UNKNOWN_LEG, []
    if state == MISSING:
        return None, []
    if state != KNOWN or ratio is None or ratio >= flag_below:
        return False, []
    covers = f"Committed throughput covers {t.fmt_number(round(ratio, 2))} times our peak demand"
    if ratio < ko_below:
        legs.reasons.append(
            f"{covers}, less than our peak: at our busiest, part of our traffic has no committed capacity ({source})."
        )
        return True, []
    legs.reasons.append(f"{covers}, below the {t.fmt_number(flag_below)} times margin we want ({source}).")
    return False, [True]


def _throttled_leg(rule: dict, legs: _Legs) -> bool | str | None:
    above = float(_param(rule, "throttled_above"))
    code = rule.get("throttled")
    state, share = legs.number(code)
    if state == KNOWN and share is not None and share > above:
        legs.reasons.append(legs.said(code, share, f", above {number_words(above, '%')}"))
        return True
    if state == UNDISCLOSED:
        legs.not_disclosed(code, f"more than {number_words(above, '%')} of requests throttled at peak")
        return UNKNOWN_LEG
    return None if state == MISSING else False


def _priority_leg(rule: dict, legs: _Legs) -> bool | str | None:
    """A best-effort or preemptible priority for a customer-facing use."""
    code, facing_code = rule.get("priority"), rule.get("customer_facing")
    p_state, picked = legs.choices(code)
    f_state, facing = legs.choices(facing_code) if facing_code else (KNOWN, ("yes",))
    risky = [v for v in picked if v in _param(rule, "risky_priorities")]
    is_facing = f_state == KNOWN and any(v in _param(rule, "customer_facing_values") for v in facing)
    if CLEAR in (p_state, f_state) or (f_state == KNOWN and not is_facing) or (p_state == KNOWN and not risky):
        return False
    if MISSING in (p_state, f_state):
        return None
    if p_state == UNDISCLOSED:
        legs.not_disclosed(code, "best-effort priority for our traffic")
        return UNKNOWN_LEG
    legs.reasons.append(
        legs.said(code, risky[0] if len(risky) == 1 else tuple(risky))
        + f" The use is customer-facing{f' ({facing_code})' if facing_code else ''}."
    )
    return True


def _derived_headroom(rule: dict, ctx: _Context, legs: _Legs) -> float | None:
    """Committed throughput / our peak, when both are numbers in the same unit; else None (pending)."""
    peak, committed = ctx.number(rule["peak_demand"]), ctx.number(rule["committed_throughput"])
    units = [ctx.values(rule[k]) if rule.get(k) else () for k in ("peak_unit", "committed_unit")]
    if peak is None or committed is None or peak <= 0 or not units[0] or units[0] != units[1]:
        for key in ("peak_demand", "committed_throughput", "peak_unit", "committed_unit"):
            code = rule.get(key)
            if code and _read(ctx, code)[0] == MISSING:
                legs.missing.append(code)
        return None
    legs.inputs[rule["peak_demand"]] = peak
    legs.inputs[rule["committed_throughput"]] = committed
    return committed / peak


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _model_retirement_notice(name: str, rule: dict, ctx: _Context, tier: int) -> t.RuleHit | t.PendingRule | None:
    """The vendor's committed notice of model retirement (and of material model changes) against
    our days to migrate. Mitigated to a flag when a pinned version stays available for the whole
    migration period."""
    legs = _Legs(ctx)
    severity = _severity(rule, tier)
    m_state, migrate = legs.number(rule.get("migrate_days"))
    if m_state != KNOWN or migrate is None:
        return legs.pending(name, rule, severity) if legs.missing else None
    notices: dict[str, float] = {}
    for key in ("retirement_notice", "change_notice"):
        code = rule.get(key)
        state, days = legs.number(code)
        if state == KNOWN and days is not None:
            notices[code] = days
        elif state == UNDISCLOSED:
            notices[code] = 0.0
            legs.not_disclosed(code, "no notice at all")
    fact_name = _param(rule, "retirement_fact")
    fact_days = legs.fact(fact_name)
    if fact_days is not None:
        notices[f"fact:{fact_name}"] = fact_days
    if legs.missing and (not notices or min(notices.values()) >= migrate):
        return legs.pending(name, rule, severity)
    if not notices or min(notices.values()) >= migrate:
        return None
    source, shortest = min(notices.items(), key=lambda kv: kv[1])
    what = {
        rule.get("retirement_notice"): "notice before a model we use is retired",
        rule.get("change_notice"): "notice before a material change to the model",
    }.get(source)
    need = (
        f"We need {number_words(migrate, 'days')} to move this use to another model ({rule['migrate_days']}),"
        f" a gap of {number_words(migrate - shortest, 'days')}."
    )
    if what is None:  # the recorded retirement date
        day = ctx.as_of + dt.timedelta(days=int(shortest))
        when = (
            f"in {number_words(shortest, 'days')}"
            if shortest > 0
            else ("today" if shortest == 0 else f"{number_words(-shortest, 'days')} ago")
        )
        said = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
        legs.reasons.insert(
            0,
            f"The vendor has announced that the model this service uses retires on {said}, {when}. {need}"
            f" The move is due by {said}.",
        )
    else:
        legs.reasons.insert(0, f"The vendor commits to {number_words(shortest, 'days')}' {what} ({source}). {need}")
    compared = {"shortest_notice_days": shortest, "migrate_days": migrate, "gap_days": migrate - shortest, "tier": tier}
    if what is None:
        retires = ctx.as_of + dt.timedelta(days=int(shortest))
        compared |= {"retires_on": retires.isoformat(), "due_date": retires.isoformat()}
    pinned_code = rule.get("pinned_available")
    p_state, pinned = legs.number(pinned_code)
    if p_state == KNOWN and pinned is not None and pinned >= migrate:
        legs.reasons.append(
            legs.said(pinned_code, pinned)
            + " Mitigated: a pinned version stays available for the whole migration, so this is a flag, not a"
            " knockout."
        )
        return legs.hit(name, rule, "flag", compared, title=f"{rule.get('title', name)} (mitigated)")
    if p_state == MISSING and severity == "knockout":
        return legs.pending(name, rule, severity)
    if p_state == KNOWN and pinned is not None:
        legs.reasons.append(
            legs.said(pinned_code, pinned, f", shorter than the {number_words(migrate, 'days')} we need")
        )
    elif p_state == UNDISCLOSED:
        legs.not_disclosed(pinned_code, "no pinned version to fall back on")
    return legs.hit(name, rule, severity, compared)


def _recovery_vs_tolerance(name: str, rule: dict, ctx: _Context, tier: int) -> t.RuleHit | t.PendingRule | None:
    """The serving path's recovery time is longer than the outage we can tolerate, and one provider
    or one site carries the service. An alternative channel does not silence it (moving in months
    is not recovering in hours); a tested warm failover (``failover_values``) does."""
    legs = _Legs(ctx)
    severity = _severity(rule, tier)
    tol_code, rto_code, fo_code = rule.get("tolerable_outage"), rule.get("recovery_time"), rule.get("failover")
    f_state, failover = legs.choices(fo_code)
    if f_state == KNOWN and any(v in _param(rule, "failover_values") for v in failover):
        return None  # a tested warm failover recovers within the tolerance
    t_state, tolerable = legs.number(tol_code)
    r_state, rto = legs.number(rto_code)
    if t_state in (CLEAR, UNDISCLOSED) or r_state == CLEAR:
        return None
    longer: bool | str | None
    if t_state == MISSING or r_state == MISSING:
        longer = None
    elif r_state == UNDISCLOSED:
        longer = UNKNOWN_LEG
        legs.not_disclosed(rto_code, "a recovery longer than the outage we can tolerate")
    else:
        longer = rto > tolerable  # type: ignore[operator]
    if longer is False:
        return None

    concentrated, words = _single_carrier(rule, legs, f_state, failover)
    if concentrated is False:
        return None
    if longer is None or concentrated is None:
        return legs.pending(name, rule, severity)
    if longer is True:
        legs.reasons.insert(
            0,
            f"The vendor's recovery time is {number_words(rto, 'hours')} ({rto_code}), longer than the"  # type: ignore[arg-type]
            f" {number_words(tolerable, 'hours')} we can run without the service ({tol_code}).",  # type: ignore[arg-type]
        )
    legs.reasons.extend(words)
    compared = {"recovery_hours": rto, "tolerable_hours": tolerable, "tier": tier}
    return legs.hit(name, rule, severity, compared)


def _single_carrier(
    rule: dict, legs: _Legs, f_state: str, failover: tuple[str, ...]
) -> tuple[bool | str | None, list[str]]:
    """Whether one provider or one site carries the service, with the reasons that say so."""
    single: list[bool | str | None] = []
    words: list[str] = []
    fo_code, p_code = rule.get("failover"), rule.get("providers")
    if f_state == KNOWN and any(v in _param(rule, "single_site_values") for v in failover):
        single.append(True)
        words.append(legs.said(fo_code, failover[0] if len(failover) == 1 else failover))
    elif f_state == UNDISCLOSED:
        single.append(UNKNOWN_LEG)
        legs.not_disclosed(fo_code, "one site with no failover")
    elif f_state == MISSING:
        single.append(None)
    p_state, providers = legs.number(p_code)
    if p_state == KNOWN and providers is not None and providers <= 1:
        single.append(True)
        words.append(legs.said(p_code, providers))
    elif p_state == UNDISCLOSED:
        single.append(UNKNOWN_LEG)
        legs.not_disclosed(p_code, "a single provider")
    elif p_state == MISSING:
        single.append(None)
    for fact, holds in (
        ("independent_compute_providers", lambda v: v <= 1),
        ("single_points_of_failure", lambda v: v >= 1),
    ):
        value = legs.fact(fact)
        if value is not None and holds(value):
            single.append(True)
            words.append(fact_words(fact, value) + ".")
    return _any3(single), words


def _upstream_notice(name: str, rule: dict, ctx: _Context, tier: int) -> t.RuleHit | t.PendingRule | None:
    """Leased or competitor-owned capacity whose notice is shorter than our days to migrate.

    An unknown arrangement or competitor status (a "not known" answer, an undisclosed one, or a
    material link recorded as unknown) counts as leased or competitor capacity, marked "unknown".
    """
    legs = _Legs(ctx)
    exposed = _exposure_leg(rule, legs)
    if exposed is False:
        return None
    short, migrate = _short_notice_leg(rule, legs)
    if short is False:
        return None
    if exposed is None or short is None:
        return legs.pending(name, rule, _severity(rule, tier))
    return legs.hit(name, rule, _severity(rule, tier), {"migrate_days": migrate, "tier": tier})


def _exposure_leg(rule: dict, legs: _Legs) -> bool | str | None:
    """Leased or competitor-owned capacity in the serving path: True, unknown, waiting or False."""
    exposure: list[bool | str | None] = []
    for key in ("facilities", "competitor"):
        code = rule.get(key)
        state, picked = legs.choices(code)
        risky = [v for v in picked if v in _param(rule, f"{key}_risky")]
        unknown = [v for v in picked if v in _param(rule, "unknown_values")]
        if risky:
            exposure.append(True)
            legs.reasons.append(legs.said(code, risky[0] if len(risky) == 1 else tuple(risky)))
        elif unknown:
            exposure.append(UNKNOWN_LEG)
            legs.unknown.append(code)
            legs.reasons.append(legs.said(code, unknown[0]) + " We count it as leased or competitor capacity.")
        elif state == UNDISCLOSED:
            exposure.append(UNKNOWN_LEG)
            legs.not_disclosed(code, "leased or competitor-owned capacity")
        else:
            exposure.append(None if state == MISSING else False)
    share = legs.fact("competitor_or_leased_share")
    if share is not None and share > 0:
        exposure.append(True)
        legs.reasons.append(fact_words("competitor_or_leased_share", share) + ".")
    unknown_share = legs.fact("unknown_link_share")
    if unknown_share is not None and unknown_share > 0:
        exposure.append(UNKNOWN_LEG)
        legs.unknown.append("fact:unknown_link_share")
        legs.reasons.append(fact_words("unknown_link_share", unknown_share) + ".")
    return _any3(exposure)


def _short_notice_leg(rule: dict, legs: _Legs) -> tuple[bool | str | None, float | None]:
    """The shortest upstream notice (answer or recorded chain) against our days to migrate."""
    m_state, migrate = legs.number(rule.get("migrate_days"))
    n_code = rule.get("upstream_notice")
    n_state, notice = legs.number(n_code)
    fact_notice = legs.fact("upstream_notice_days")
    if m_state != KNOWN or migrate is None:
        return (None if m_state == MISSING else False), migrate
    candidates = [v for v in (notice, fact_notice) if v is not None]
    if candidates and min(candidates) < migrate:
        shortest = min(candidates)
        source = n_code if notice == shortest else "the recorded supply chain"
        legs.reasons.append(
            f"The shortest upstream notice is {number_words(shortest, 'days')} ({source}), shorter than the"
            f" {number_words(migrate, 'days')} we need to move ({rule['migrate_days']})."
        )
        return True, migrate
    if n_state == UNDISCLOSED:
        legs.not_disclosed(n_code, "no notice at all")
        return UNKNOWN_LEG, migrate
    if n_state == MISSING and not candidates:
        return None, migrate
    return False, migrate


def _any3(legs: list[bool | str | None]) -> bool | str | None:
    """True when a leg holds, UNKNOWN_LEG when one is unknown, None when one waits, else False."""
    if True in legs:
        return True
    if UNKNOWN_LEG in legs:
        return UNKNOWN_LEG
    if None in legs:
        return None
    return False


KIND_EVALUATORS = {
    "notice_gap": _notice_gap,
    "capacity_headroom": _capacity_headroom,
    "model_retirement_notice": _model_retirement_notice,
    "recovery_vs_tolerance": _recovery_vs_tolerance,
    "upstream_notice": _upstream_notice,
}
