"""Frozen inputs and outputs of the scoring engine. Plain Python only."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

AnswerValue = str | tuple[str, ...] | float | int | dt.date | None

# Question statuses in a result.
SCORED = "scored"  # counts in its section's risk
NA = "na"  # not applicable: excluded from totals
HIDDEN = "hidden"  # conditional question not shown: excluded
UNANSWERED = "unanswered"  # visible, no answer: counts as its worst points
UNSCORED = "unscored"  # free text / evidence / info: excluded until a reviewer assigns points
INTAKE = "intake"  # buyer intake: feeds the tier and the rules, not the control score

# What an answer rests on (its basis), weakest first: the vendor's word, a document the vendor
# supplied, or an independent attestation (a SOC 2 / ISO report, a contract clause).
STATEMENT = "statement"
DOCUMENT = "document"
ATTESTATION = "attestation"
BASES = (STATEMENT, DOCUMENT, ATTESTATION)


def fmt_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class Band:
    lo: float | None
    hi: float | None
    points: int

    @cached_property
    def interval(self) -> str:
        """``[lo, hi)`` as explanations print it, built once per band."""
        lo = "-inf" if self.lo is None else fmt_number(self.lo)
        hi = "inf" if self.hi is None else fmt_number(self.hi)
        return f"[{lo}, {hi})"

    def holds(self, value: float) -> bool:
        return (self.lo is None or value >= self.lo) and (self.hi is None or value < self.hi)


@dataclass(frozen=True)
class ChoiceSpec:
    value: str
    points: int | None
    label: str = ""


@dataclass(frozen=True)
class ShowIf:
    question: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    section: str
    answer_type: str
    weight: int = 2
    critical: bool = False
    scored: bool = True
    audience: str = "vendor"
    choices: tuple[ChoiceSpec, ...] = ()
    bands: tuple[Band, ...] = ()
    show_if: ShowIf | None = None
    unit: str = ""
    text: str = ""  # the question as a person reads it; reasons quote it
    # Dates only: "" scores the days from the scoring date to the answer; "months_since" the
    # whole months from the answer to the scoring date (a report's age).
    score_by: str = ""

    @cached_property
    def choice_outcomes(self) -> dict[str, tuple[int | None, str]]:
        """Points and explanation for each single choice, built once per question."""
        return {
            c.value: (c.points, f"{self.code} = {c.value} (no points)")
            if c.points is None
            else (c.points, f"{self.code} = {c.value} -> {c.points}")
            for c in self.choices
        }

    @cached_property
    def worst_points(self) -> int:
        points = [c.points for c in self.choices if c.points is not None] + [b.points for b in self.bands]
        return max(points) if points else 4


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title: str
    weight: float = 1.0


@dataclass(frozen=True)
class Answer:
    code: str
    value: AnswerValue = None
    na: bool = False
    # "The vendor does not disclose this": an answer (scored at the question's worst points,
    # never "unanswered"); rules read an undisclosed input as the risky case, marked "unknown".
    undisclosed: bool = False
    # What the answer rests on (BASES). Only a basis a reviewer confirmed lifts an answer above
    # the vendor's statement (the adapter, procurement.questionbank.scoring_input, decides).
    basis: str = STATEMENT

    @property
    def is_empty(self) -> bool:
        return not self.na and not self.undisclosed and (self.value is None or self.value == "" or self.value == ())


@dataclass(frozen=True)
class Override:
    """A reviewer's points for one question; the reason is mandatory."""

    code: str
    points: int
    reason: str
    by: str = ""


@dataclass(frozen=True)
class Waiver:
    """A reviewer's documented exception to one knockout rule."""

    rule: str
    reason: str
    by: str = ""


@dataclass(frozen=True)
class EvidenceDate:
    """A dated document that supports one answer: the day after which it no longer counts.
    When every dated document of an answer has expired, the answer scores as stale (its worst
    points), and the explanation names the document and the date."""

    code: str
    document: str  # its name as people read it
    kind: str  # what it is, in words ("SOC 2 Type II report")
    expires: dt.date


@dataclass(frozen=True)
class ScoringInput:
    sections: tuple[SectionSpec, ...]
    questions: tuple[QuestionSpec, ...]
    answers: tuple[Answer, ...]
    params: dict = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    as_of: dt.date = dt.date(2026, 1, 1)
    # Numbers derived outside the answers, e.g. from the service's supply chain
    # (procurement.scoring.supply.FACTS). Rules read them with {fact: NAME, lt: N}.
    facts: dict[str, float] = field(default_factory=dict)
    # Dated supporting documents (the evidence register); none for answer files.
    evidence: tuple[EvidenceDate, ...] = ()


class QuestionResult(NamedTuple):
    """One per question per score, so a named tuple: building one costs a quarter of a
    frozen dataclass, which was 16% of scoring a 120-question assessment."""

    code: str
    section: str
    status: str
    points: int | None  # effective points (after any override)
    original_points: int | None  # computed from the answer
    weight: int
    critical: bool
    explanation: str
    override_reason: str = ""
    override_by: str = ""
    # One more risk point because a favourable answer to a critical question rests only on the
    # vendor's statement (rule parameter ``self_attested_point``). Left out of ``as_dict`` when
    # False, so records scored before it existed keep their shape.
    self_attested: bool = False

    @property
    def overridden(self) -> bool:
        return bool(self.override_reason)


@dataclass(frozen=True)
class SectionResult:
    code: str
    title: str
    risk: float | None  # 0..100, None when nothing in the section counts
    band: str | None
    weight: float
    counted: int
    unanswered: int
    floor_applied: bool
    floor_reason: str


@dataclass(frozen=True)
class RuleHit:
    name: str
    title: str
    severity: str  # "knockout" or "flag"
    reasons: tuple[str, ...]
    inputs: dict[str, Any]
    compared: dict[str, Any]
    explain: str = ""
    waived: bool = False
    waiver_reason: str = ""
    waived_by: str = ""


@dataclass(frozen=True)
class PendingRule:
    name: str
    title: str
    missing: tuple[str, ...]
    # What the rule would be once answered: a pending knockout blocks a decision until the
    # answers come in or the knockout is accepted as a risk.
    severity: str = "flag"


@dataclass(frozen=True)
class ScoreResult:
    sections: tuple[SectionResult, ...]
    questions: tuple[QuestionResult, ...]
    overall_risk: float | None
    control_band: str | None
    tier: int
    tier_reasons: tuple[str, ...]
    residual: str | None
    decision: str
    decision_reasons: tuple[str, ...]
    knockouts: tuple[RuleHit, ...]
    flags: tuple[RuleHit, ...]
    pending_rules: tuple[PendingRule, ...]
    incomplete: bool
    unanswered: tuple[str, ...]
    overrides: tuple[QuestionResult, ...]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["questions"] = [_question_dict(q) for q in self.questions]
        data["overrides"] = [
            {
                "code": q.code,
                "original_points": q.original_points,
                "points": q.points,
                "reason": q.override_reason,
                "by": q.override_by,
            }
            for q in self.overrides
        ]
        return data


def _question_dict(q: QuestionResult) -> dict[str, Any]:
    data = q._asdict()
    if not q.self_attested:
        del data["self_attested"]
    return data
