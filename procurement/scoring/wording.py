"""Sentences a person reads: questions by their text, answers by their labels.

The engine's reasons (tier, decision, rule hits, section floors) are built
from these helpers, so a report or page never shows ``CODE = value -> 4``.
Question codes and rule names appear only as a small reference in brackets.
Plain Python only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from procurement.scoring import types as t
from procurement.scoring.params import JUDGEMENT_DEFAULTS

DECISION_WORDS = {
    "approve": "approve",
    "approve_with_conditions": "approve with conditions",
    "executive_acceptance": "executive risk acceptance",
    "reject": "reject",
}
# A rule fired because an input is undisclosed or recorded as unknown: its title ends "(unknown)".
UNKNOWN_MARK = "unknown"
# A numeric comparison as words: "90 days, below 180 days".
COMPARISON_WORDS = {"lt": "below", "le": "at most", "gt": "above", "ge": "at least"}
# What a supply-chain fact is, as the start of a sentence; {value} is the number with its unit.
FACT_WORDS = {
    "competitor_or_leased_share": (
        "The recorded supply chain puts {value} of the serving capacity on competitor-owned or leased providers",
        "%",
    ),
    "upstream_notice_days": (
        "The shortest notice a material upstream provider in the recorded supply chain can give is {value}",
        " days",
    ),
    "effective_notice_days": ("The shortest notice the recorded supply chain lets us rely on is {value}", " days"),
    "notice_gap_days": ("The recorded supply chain leaves a notice gap of {value}", " days"),
    "largest_provider_share": (
        "The largest compute provider in the recorded supply chain carries {value} of the serving traffic",
        "%",
    ),
    "independent_compute_providers": (
        "The recorded supply chain has {value} independent compute provider(s)",
        "",
    ),
    "model_retirement_days": (
        "The vendor's announced retirement of the model this service uses is {value} away",
        " days",
    ),
    "unknown_link_share": (
        "The recorded supply chain puts {value} of the serving capacity on links whose arrangement or"
        " competitor status is not recorded",
        "%",
    ),
    "regions_outside": ("The recorded supply chain has {value} region(s) outside the required geography", ""),
    "single_points_of_failure": ("The recorded supply chain has {value} single point(s) of failure", ""),
    "contract_notice_days": ("The signed contract gives {value} of notice for the vendor ending it", " days"),
    "contract_pass_through_days": (
        "The signed contract commits the vendor to {value} of notice when an upstream provider ends or reclaims"
        " capacity",
        " days",
    ),
}

# The notice-gap rule's words for the signed contract's figures (procurement.scoring.rules._notice_gap).
CONTRACT_VENDOR_NOTICE_SOURCE = "the vendor's notice for ending the contract, as the signed contract states it"
CONTRACT_UPSTREAM_SOURCE = (
    "the notice the signed contract commits the vendor to give when an upstream provider ends or reclaims capacity"
)
CONTRACT_SHORTER_TITLE = "The contract gives less notice than the vendor's answer"
CONTRACT_SHORTER_EXPLAIN = (
    "The signed contract gives less notice than the vendor said in its answers. The contract is what binds, so"
    " its figure counts; the notice still covers the time we need to move away."
)


# Evidence-weighted credit (rule parameter ``self_attested_point``), where a point was added.
SELF_ATTESTED_TITLE = "self-attested"
SELF_ATTESTED_EXPLAIN = (
    "Self-attested: this favourable answer to a critical question rests only on the vendor's statement,"
    " so it carries one more risk point."
)
SELF_ATTESTED_METHOD = (
    "Evidence-weighted credit: a favourable answer (0 or 1 risk points) to a critical question that rests only"
    " on the vendor's statement carries one more risk point, up to 4, and is marked self-attested. An answer"
    " rests on a document or an independent attestation (a SOC 2 or ISO report, a contract clause) once a"
    " reviewer has confirmed it."
)


def self_attested_count_words(count: int) -> str:
    """ "3 favourable answers to critical questions are self-attested …" ("" for none)."""
    if not count:
        return ""
    noun = "answer" if count == 1 else "answers"
    verb = "is" if count == 1 else "are"
    return (
        f"{count} favourable {noun} to critical questions {verb} self-attested: resting only on the vendor's"
        f" statement, each carries one more risk point (marked below)."
    )


def notice_words(days: float) -> str:
    """``30 days' notice``, ``1 day's notice``, ``no notice``."""
    if days <= 0:
        return "no notice"
    return f"{t.fmt_number(days)} day's notice" if days == 1 else f"{t.fmt_number(days)} days' notice"


def contract_notice_findings(
    *,
    contracted: float | None,
    answered: float | None,
    vendor_code: str,
    contract_pass: float | None,
    answered_pass: float | None,
    pass_code: str,
) -> list[str]:
    """Where the signed contract gives less notice than the vendor's answer claimed, in words:
    "The contract gives 30 days' notice; the vendor's answer said 90 (CON-01)."."""
    found = []
    if contracted is not None and answered is not None and contracted < answered:
        found.append(
            f"The contract gives {notice_words(contracted)}; the vendor's answer said"
            f" {t.fmt_number(answered)} ({vendor_code})."
        )
    if contract_pass is not None and answered_pass is not None and contract_pass < answered_pass:
        given = "no notice" if contract_pass <= 0 else notice_words(contract_pass)
        found.append(
            f"The contract commits to {given} of upstream changes; the vendor's answer said"
            f" {t.fmt_number(answered_pass)} days ({pass_code})."
        )
    return found


def quoted(text: str) -> str:
    return f"“{text}”"


def and_list(items: Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def sentences(reasons: Iterable[str]) -> str:
    """Reasons as running text: each ends with a full stop (old records' fragments get one)."""
    out = []
    for reason in reasons:
        reason = str(reason).strip()
        if not reason:
            continue
        if reason[-1] not in ".!?”":
            reason += "."
        out.append(reason[0].upper() + reason[1:])
    return " ".join(out)


def question_words(q: t.QuestionSpec | None, code: str) -> str:
    """The question as a person reads it: its text in quotes, or its code when a spec has no text."""
    return quoted(q.text) if q is not None and q.text else code


def number_words(value: float, unit: str = "") -> str:
    number = t.fmt_number(value)
    if not unit:
        return number
    if unit == "%":
        return f"{number}{unit}"
    if value == 1 and unit.endswith("s") and " " not in unit:
        unit = unit[:-1]  # 1 provider, 1 day (the bank's units are plural nouns)
    return f"{number} {unit}"


def choice_label(q: t.QuestionSpec | None, value: str) -> str:
    if q is not None:
        for c in q.choices:
            if c.value == value:
                return c.label or value.replace("_", " ")
    return str(value).replace("_", " ")


def answer_words(q: t.QuestionSpec | None, value: t.AnswerValue) -> str:
    """An answer by its labels: “Yes, a material share”, 90 days, 2026-03-01."""
    if isinstance(value, tuple | list):
        return and_list(quoted(choice_label(q, str(v))) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_words(float(value), q.unit if q is not None else "")
    if q is not None and q.answer_type == "number":
        try:
            return number_words(float(str(value)), q.unit)
        except ValueError:
            pass
    if q is not None and q.choices:
        return quoted(choice_label(q, str(value)))
    return quoted(str(value))


def answered(q: t.QuestionSpec | None, code: str, value: t.AnswerValue, tail: str = "") -> str:
    """``The answer to “…?” is “…”{tail} (CODE)`` without the full stop."""
    many = isinstance(value, tuple | list) and len(value) > 1
    verb = "answers to" if many else "answer to"
    return f"The {verb} {question_words(q, code)} {'are' if many else 'is'} {answer_words(q, value)}{tail} ({code})"


def fact_words(name: str, value: float, op: str | None = None, threshold: float | None = None) -> str:
    template, unit = FACT_WORDS.get(name, (f"The recorded supply chain gives {name.replace('_', ' ')} = {{value}}", ""))
    unit = unit.strip() if unit.strip() == "%" else unit
    shown = f"{t.fmt_number(value)}{unit}"
    text = template.format(value=shown)
    if op is not None and threshold is not None:
        text += f", {COMPARISON_WORDS[op]} {t.fmt_number(threshold)}{unit}"
    return text


def judgement_fires(kind: str, rule: dict, text) -> str:
    """When a judgement rule fires, as a sentence for the report's rules table. ``text(code)``
    names a question as a person reads it; defaults come from the rule's parameters."""

    def p(key):
        return rule.get(key, JUDGEMENT_DEFAULTS.get(key))

    def q(key):
        return text(rule[key]) if rule.get(key) else "(not set)"

    if kind == "capacity_headroom":
        return (
            f"Fires when committed throughput is below {t.fmt_number(p('knockout_below'))} times our peak demand,"
            f" {q('headroom')} (or the committed throughput over our peak when both are given in one unit)."
            f" It is a flag when the headroom is below {t.fmt_number(p('flag_below'))} times, when more than"
            f" {t.fmt_number(p('throttled_above'))}% of requests are throttled at peak, {q('throttled')}, or when a"
            f" customer-facing use, {q('customer_facing')}, gets best-effort or preemptible priority, {q('priority')}."
        )
    if kind == "model_retirement_notice":
        return (
            f"Fires when the notice before a model is retired, {q('retirement_notice')}, or materially changed,"
            f" {q('change_notice')}, or the time left until a retirement date the vendor has announced for the"
            " model the service uses (recorded on the service), is shorter than the days we need to move,"
            f" {q('migrate_days')}. It is only a flag when a pinned version stays available for the whole migration,"
            f" {q('pinned_available')}."
        )
    if kind == "recovery_vs_tolerance":
        return (
            f"Fires when the vendor's recovery time, {q('recovery_time')}, is longer than the outage we can"
            f" tolerate, {q('tolerable_outage')}, and one site ({q('failover')}) or one provider"
            f" ({q('providers')}, or the recorded supply chain) carries the service. A tested warm failover"
            " silences it; another channel for the model does not."
        )
    if kind == "upstream_notice":
        return (
            f"Fires when leased or competitor-owned capacity ({q('facilities')}, {q('competitor')} or the recorded"
            f" supply chain) can be ended on less notice, {q('upstream_notice')}, than the days we need to move,"
            f" {q('migrate_days')}. An arrangement or competitor status that is not known counts, marked unknown."
        )
    return ""
