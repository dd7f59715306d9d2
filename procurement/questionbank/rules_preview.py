"""What a version's rules will do, before it is published: each rule as a sentence with its
current parameters, and the shipped vendor profiles rescored under the draft side by side
with the version it is compared with. Plain Python (no Django): documents and files in."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from procurement.questionbank.document import BankFileError
from procurement.questionbank.scoring_input import answer_file_data, answers_from_data
from procurement.scoring import types as t
from procurement.scoring.engine import score
from procurement.scoring.explain import DECISION_LABELS
from procurement.scoring.params import JUDGEMENT_KEYS, RULE_DEFAULTS
from procurement.scoring.wording import COMPARISON_WORDS, judgement_fires

# --- Rules as sentences ------------------------------------------------------------------


def _question_text(index: dict[str, dict], code: str) -> str:
    q = index.get(code)
    return f"“{q['text']}” ({code})" if q else f"{code} (not in this version)"


def _labels(index: dict[str, dict], code: str, values) -> str:
    names = {c["value"]: c["label"] for c in (index.get(code) or {}).get("choices", ())}
    return " or ".join(f"“{names.get(v, v)}”" for v in values)


def _fact_name(fact: str) -> str:
    return f"the recorded supply chain's “{fact.replace('_', ' ')}”"


def condition_words(cond: dict, index: dict[str, dict]) -> str:
    """A rule condition as words: "the answer to … is … and …"."""
    if "all" in cond or "any" in cond:
        joiner = " and " if "all" in cond else " or "
        parts = [condition_words(c, index) for c in cond.get("all") or cond.get("any") or ()]
        text = joiner.join(parts)
        return f"({text})" if len(parts) > 1 and "any" in cond else text
    if "fact" in cond:
        op = next(k for k in cond if k != "fact")
        return f"{_fact_name(cond['fact'])} is {COMPARISON_WORDS.get(op, op)} {t.fmt_number(cond[op])}"
    code = cond.get("question", "")
    if "in" in cond:
        return f"the answer to {_question_text(index, code)} is {_labels(index, code, cond['in'])}"
    op = next((k for k in cond if k != "question"), "")
    unit = (index.get(code) or {}).get("unit", "")
    return (
        f"the answer to {_question_text(index, code)} is {COMPARISON_WORDS.get(op, op)} "
        f"{t.fmt_number(cond.get(op, 0))}{' ' + unit if unit else ''}"
    )


def _notice_gap_words(rule: dict, index: dict[str, dict]) -> str:
    notices = [
        _question_text(index, rule[k]) for k in ("vendor_notice", "upstream_notice", "pass_through_notice") if k in rule
    ]
    text = (
        "Fires when the shortest notice we can rely on, from "
        + ", ".join(notices)
        + (" or the recorded supply chain" if rule.get("upstream_fact") else "")
        + f", is under the days we need to migrate away, {_question_text(index, rule.get('migrate_days', ''))}"
    )
    if rule.get("alternative_channel"):
        code = rule["alternative_channel"]
        text += (
            f", unless the answer to {_question_text(index, code)} is"
            f" {_labels(index, code, rule.get('alternative_values') or ())}"
        )
    return text + "."


def rule_sentence(rule: dict, index: dict[str, dict]) -> str:
    kind = rule.get("kind", RULE_DEFAULTS["kind"])
    if kind == "condition":
        return "Fires when " + condition_words(rule.get("condition") or {}, index) + "."
    if kind == "notice_gap":
        return _notice_gap_words(rule, index)
    if kind in JUDGEMENT_KEYS:
        return judgement_fires(kind, rule, lambda code: _question_text(index, code))
    return ""


def severity_words(rule: dict) -> str:
    severity = rule.get("severity", RULE_DEFAULTS["severity"])
    if severity != "knockout":
        return "A flag."
    tiers = sorted(rule.get("knockout_tiers", RULE_DEFAULTS["knockout_tiers"]))
    if set(tiers) >= {1, 2, 3}:
        return "A knockout in every tier."
    return "A knockout in tier " + " and ".join(str(x) for x in tiers) + "; a flag otherwise."


def rule_words(rule: dict, doc: dict) -> str:
    """The rule as a sentence with its severity, naming the questions of ``doc``."""
    index = {q["code"]: q for s in doc["sections"] for q in s["questions"]}
    return f"{rule_sentence(rule, index)} {severity_words(rule)}".strip()


@dataclass(frozen=True)
class RuleLine:
    name: str
    title: str
    sentence: str
    severity: str


def rule_lines(doc: dict) -> list[RuleLine]:
    index = {q["code"]: q for s in doc["sections"] for q in s["questions"]}
    rules = doc["version"]["rule_params"].get("rules") or {}
    return [
        RuleLine(name, str(rule.get("title") or name), rule_sentence(rule, index), severity_words(rule))
        for name, rule in rules.items()
    ]


# --- The shipped profiles, rescored ---------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    decision: str
    residual: str
    fired: tuple[str, ...]  # rule titles, knockouts first


def outcome_of(result: t.ScoreResult) -> Outcome:
    """A score as the rescoring reports show it: the recommendation in words, the residual
    rating and the rules that fired."""
    fired = tuple(f"{h.title} (knockout)" for h in result.knockouts) + tuple(f"{h.title} (flag)" for h in result.flags)
    return Outcome(DECISION_LABELS.get(result.decision, result.decision), result.residual or "—", fired)


@dataclass(frozen=True)
class ProfileRescore:
    name: str
    before: Outcome | None
    after: Outcome | None
    problem: str = ""  # why the profile could not be scored against this bank

    @property
    def newly_firing(self) -> list[str]:
        return [r for r in self.after.fired if r not in self.before.fired] if self.before and self.after else []

    @property
    def clearing(self) -> list[str]:
        return [r for r in self.before.fired if r not in self.after.fired] if self.before and self.after else []

    @property
    def changed(self) -> bool:
        return self.before != self.after


@functools.lru_cache(maxsize=32)
def _profile_data(raw: bytes, source: str):
    """A profile file read once per content and kept (read only): the strict YAML loader was most
    of the publish page's time, reading each shipped profile twice on every view."""
    return answer_file_data(raw, source=source)


def _outcome(doc: dict, data, source: str) -> Outcome:
    inp, _warnings = answers_from_data(doc, data, source=source)
    return outcome_of(score(inp))


def profiles_rescored(*, before: dict, after: dict, profiles_dir: Path) -> list[ProfileRescore]:
    """Each profile file scored under ``before`` and ``after``. A profile whose answers do not
    fit the bank (another bank's questions) is listed with the reason instead."""
    out = []
    for path in sorted(profiles_dir.glob("*.yaml")):
        raw = path.read_bytes()
        name = path.stem.replace("-", " ")
        try:
            data = _profile_data(raw, path.name)
            out.append(ProfileRescore(name, _outcome(before, data, path.name), _outcome(after, data, path.name)))
        except (BankFileError, ValueError, KeyError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            out.append(ProfileRescore(name, None, None, problem=f"does not fit this bank: {first}"))
    return out
