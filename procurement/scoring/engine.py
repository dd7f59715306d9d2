"""The scoring engine: ScoringInput in, ScoreResult out. Deterministic and pure.

Method (docs/scoring.md explains it for a procurement lead):

1. Visibility: a conditional question counts only while the question it
   depends on is visible and answered with one of its values.
2. Answer points (0 best .. 4 worst): the choice's points (multiple choice:
   the worst selected), the band holding a number, or the band holding the
   days from the scoring date to a date (or, for a date scored by age, the
   whole months since it). An answer "not disclosed by the vendor" gets the
   worst points and counts as answered. N/A and hidden questions are left
   out. A visible unanswered question counts at its worst points and marks the
   result incomplete. Free text and evidence count only once a reviewer
   assigns points. With the rule parameter ``self_attested_point``, a favourable
   answer (0 or 1) to a critical question resting only on the vendor's statement
   gets one more point (capped at 4), marked "self-attested". A reviewer override
   replaces the points; the original is kept.
3. Section risk = 100 * sum(w * points) / sum(w * 4). Band by cut-offs; a
   critical question at its worst points lifts its section to at least the
   critical floor (High).
4. Inherent tier from the intake: the highest level among the tier domains
   (unanswered counts as 4).
5. Overall risk = section risks weighted by the tier's section weights; its
   band is the control band. Residual = matrix[tier][control band]; decision
   from the residual; a High/Critical section caps "approve" at "approve with
   conditions"; any unwaived knockout means reject.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from procurement.scoring import types as t
from procurement.scoring import wording as w
from procurement.scoring.params import BANDS, DECISIONS, RuleParams
from procurement.scoring.rules import evaluate_rules
from procurement.scoring.wording import and_list

MAX_POINTS = 4


def score(inp: t.ScoringInput) -> t.ScoreResult:
    params = RuleParams.from_dict(inp.params)
    answers = {a.code: a for a in inp.answers}
    overrides = {o.code: o for o in inp.overrides}
    specs = {q.code: q for q in inp.questions}

    visible = visibility(inp.questions, answers)
    evidence: dict[str, list[t.EvidenceDate]] = {}
    for e in inp.evidence:
        evidence.setdefault(e.code, []).append(e)
    # One pass: each question's result, and its section's running totals.
    results: list[t.QuestionResult] = []
    totals: dict[str, _SectionTotals] = {}
    for q in inp.questions:
        r = _question_result(
            q,
            answers.get(q.code),
            visible[q.code],
            overrides.get(q.code),
            inp.as_of,
            evidence.get(q.code),
            self_attested_point=params.self_attested_point,
        )
        results.append(r)
        if r.status in _COUNTED and r.points is not None:
            acc = totals.get(q.section)
            if acc is None:
                acc = totals[q.section] = _SectionTotals()
            acc.add(r, q)

    tier, tier_reasons = _tier(params, specs, answers, visible, inp.as_of)
    sections = tuple(_section_result(s, totals.get(s.code), params, specs) for s in inp.sections)
    overall = _overall(sections, params, tier)
    control_band = _band(overall, params) if overall is not None else None

    hits, pending = evaluate_rules(params.rules, specs, answers, visible, tier, inp.as_of, facts=inp.facts)
    waivers = {w.rule: w for w in inp.waivers}
    hits = [_apply_waiver(h, waivers.get(h.name)) for h in hits]
    knockouts = tuple(h for h in hits if h.severity == "knockout")
    flags = tuple(h for h in hits if h.severity == "flag")

    residual = params.residual[f"tier_{tier}"][control_band] if control_band else None
    decision, decision_reasons = _decision(params, residual, sections, knockouts)

    unanswered = tuple(r.code for r in results if r.status == t.UNANSWERED) + tuple(
        code
        for code in params.tier.domains
        if code in specs and _intake_missing(answers.get(code), visible.get(code, True))
    )
    return t.ScoreResult(
        sections=sections,
        questions=tuple(results),
        overall_risk=overall,
        control_band=control_band,
        tier=tier,
        tier_reasons=tier_reasons,
        residual=residual,
        decision=decision,
        decision_reasons=decision_reasons,
        knockouts=knockouts,
        flags=flags,
        pending_rules=tuple(pending),
        incomplete=bool(unanswered) or bool(pending),
        unanswered=tuple(dict.fromkeys(unanswered)),
        overrides=tuple(r for r in results if r.override_reason),
    )


def rule_statuses(inp: t.ScoringInput) -> list[dict]:
    """Each named rule's status ("fired" for a knockout, "flag", "pending", "clear") with every
    input it read: why a rule fired, waits, or stayed quiet (``score_answers --json``)."""
    params = RuleParams.from_dict(inp.params)
    answers = {a.code: a for a in inp.answers}
    specs = {q.code: q for q in inp.questions}
    visible = visibility(inp.questions, answers)
    tier, _ = _tier(params, specs, answers, visible, inp.as_of)
    statuses: list[dict] = []
    evaluate_rules(params.rules, specs, answers, visible, tier, inp.as_of, facts=inp.facts, statuses=statuses)
    waived = {w.rule for w in inp.waivers}
    for row in statuses:
        if row["status"] == "fired" and row["rule"] in waived:
            row["waived"] = True
    return statuses


# --- Visibility ----------------------------------------------------------------


def selected_values(answer: t.Answer | None) -> tuple[str, ...]:
    if answer is None or answer.na or answer.is_empty:
        return ()
    if isinstance(answer.value, tuple | list):
        return tuple(str(v) for v in answer.value)
    return (str(answer.value),)


def visibility(questions: tuple[t.QuestionSpec, ...], answers: dict[str, t.Answer]) -> dict[str, bool]:
    """Visible questions. Dependencies point to earlier questions, but the order of
    the input does not matter: we resolve them recursively with a cycle guard."""
    specs = {q.code: q for q in questions}
    memo = {q.code: True for q in questions if q.show_if is None}

    def visible(code: str, path: frozenset[str]) -> bool:
        if code in memo:
            return memo[code]
        q = specs.get(code)
        if q is None or code in path or q.show_if.question not in specs:
            result = False
        else:
            parent = q.show_if.question
            result = visible(parent, path | {code}) and any(
                v in q.show_if.values for v in selected_values(answers.get(parent))
            )
        memo[code] = result
        return result

    return {q.code: memo[q.code] if q.code in memo else visible(q.code, frozenset()) for q in questions}


# --- Answer points ---------------------------------------------------------------


def answer_points(q: t.QuestionSpec, answer: t.Answer, as_of: dt.date) -> tuple[int | None, str]:
    """Points for a non-empty, non-N/A answer, with a one-line explanation."""
    if q.answer_type in ("single_choice", "yes_no", "multi_choice"):
        value = answer.value
        if not isinstance(value, tuple | list):  # one choice: a dictionary lookup
            outcome = q.choice_outcomes.get(str(value))
            if outcome is None:
                return None, f"{q.code}: answer {value!r} is not one of its choices"
            return outcome
        picked = set(selected_values(answer))
        chosen = [c for c in q.choices if c.value in picked]
        if not chosen:
            return None, f"{q.code}: answer {answer.value!r} is not one of its choices"
        worst = max(chosen, key=lambda c: -1 if c.points is None else c.points)
        if worst.points is None:
            return None, f"{q.code} = {worst.value} (no points)"
        if len(chosen) > 1:
            picked = ", ".join(c.value for c in chosen)
            return worst.points, f"{q.code} = {picked}; worst selected {worst.value} -> {worst.points}"
        return worst.points, f"{q.code} = {worst.value} -> {worst.points}"
    if q.answer_type == "number":
        value = _as_number(answer.value)
        if value is None:
            return None, f"{q.code}: {answer.value!r} is not a number"
        return _band_points(q, value, f"{q.code} = {t.fmt_number(value)}{' ' + q.unit if q.unit else ''}")
    if q.answer_type == "date":
        day = _as_date(answer.value)
        if day is None:
            return None, f"{q.code}: {answer.value!r} is not a date"
        if q.score_by == "months_since":
            months = _months_since(day, as_of)
            return _band_points(q, months, f"{q.code} = {day.isoformat()} ({months} months old on {as_of.isoformat()})")
        days = (day - as_of).days
        return _band_points(q, days, f"{q.code} = {day.isoformat()} ({days:+d} days from {as_of.isoformat()})")
    return None, f"{q.code}: {q.answer_type} answers are scored by reviewers"


def stale_evidence(evidence: list[t.EvidenceDate], as_of: dt.date) -> t.EvidenceDate | None:
    """The document that expired last, when every dated document of an answer has expired
    before ``as_of``; None while one of them is still current."""
    if not evidence or any(e.expires >= as_of for e in evidence):
        return None
    return max(evidence, key=lambda e: e.expires)


def _stale_evidence(
    q: t.QuestionSpec, points: int, explanation: str, evidence: list[t.EvidenceDate], as_of: dt.date
) -> tuple[int, str]:
    """An answer whose supporting documents have all expired scores as stale: its worst points."""
    last = stale_evidence(evidence, as_of)
    if last is None or points >= q.worst_points:
        return points, explanation
    return q.worst_points, (
        f"{explanation}; its supporting {last.kind} '{last.document}' expired on {last.expires.isoformat()}"
        f" -> stale, worst {q.worst_points}"
    )


def _months_since(day: dt.date, as_of: dt.date) -> int:
    """Whole months from ``day`` to ``as_of``; negative when ``day`` is later."""
    months = (as_of.year - day.year) * 12 + as_of.month - day.month
    if months > 0 and as_of.day < day.day:
        months -= 1
    elif months < 0 and as_of.day > day.day:
        months += 1
    return months


def _band_points(q: t.QuestionSpec, value: float, label: str) -> tuple[int | None, str]:
    for band in q.bands:
        if band.holds(value):
            return band.points, f"{label} in {band.interval} -> {band.points}"
    return q.worst_points, f"{label} is outside every band -> worst {q.worst_points}"


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except (TypeError, ValueError):
        return None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _question_result(
    q: t.QuestionSpec,
    answer: t.Answer | None,
    visible: bool,
    override: t.Override | None,
    as_of: dt.date,
    evidence: list[t.EvidenceDate] | None = None,
    *,
    self_attested_point: bool = False,
) -> t.QuestionResult:
    original: int | None = None
    attested = False
    if not visible:
        status, explanation = t.HIDDEN, f"{q.code} is hidden by its condition"
    elif q.audience == "buyer":
        status, explanation = t.INTAKE, f"{q.code} is buyer intake"
    elif answer is not None and answer.na:
        status, explanation = t.NA, f"{q.code} is not applicable"
    elif not q.scored:
        status, explanation = t.UNSCORED, f"{q.code} has no points until a reviewer assigns them"
    elif answer is not None and answer.undisclosed:
        # An answer, not a gap: the result is not incomplete for it.
        original = q.worst_points
        status, explanation = t.SCORED, f"{q.code} is not disclosed by the vendor -> worst {original}"
    elif answer is None or answer.is_empty:
        original = q.worst_points
        status, explanation = t.UNANSWERED, f"{q.code} is unanswered -> worst {original}"
    else:
        original, explanation = answer_points(q, answer, as_of)
        if original is None:
            original = q.worst_points
            status, explanation = t.UNANSWERED, f"{explanation} -> worst {original}"
        else:
            status = t.SCORED
            if evidence:
                original, explanation = _stale_evidence(q, original, explanation, evidence, as_of)
            if self_attested_point and self_attested(q, answer, original):
                attested = True
                original = min(original + SELF_ATTESTED_POINTS, MAX_POINTS)
                explanation = (
                    f"{explanation}; {SELF_ATTESTED_MARK}: it rests only on the vendor's statement -> {original}"
                )
    if override is not None and status in (t.SCORED, t.UNANSWERED, t.UNSCORED):
        # A reviewer's points replace the computed ones; the original is kept.
        return t.QuestionResult(
            q.code,
            q.section,
            t.SCORED if status == t.UNSCORED else status,
            override.points,
            original,
            q.weight,
            q.critical,
            f"{explanation}; overridden to {override.points} by reviewer: {override.reason}",
            override.reason,
            override.by,
        )
    return t.QuestionResult(
        q.code, q.section, status, original, original, q.weight, q.critical, explanation, self_attested=attested
    )


# Evidence-weighted credit (rule parameter ``self_attested_point``): the extra risk point of a
# favourable answer to a critical question that rests only on the vendor's statement.
SELF_ATTESTED_POINTS = 1
SELF_ATTESTED_MARK = "self-attested"
FAVOURABLE = (0, 1)


def self_attested(q: t.QuestionSpec, answer: t.Answer, points: int) -> bool:
    """True when the answer earns the self-attested point: a critical question the vendor
    answers, a favourable answer (0 or 1 points), and nothing but the vendor's statement behind it."""
    return q.critical and q.audience == "vendor" and points in FAVOURABLE and answer.basis == t.STATEMENT


# --- Sections, tier, overall ----------------------------------------------------------


def _band(risk: float, params: RuleParams) -> str:
    cut = params.bands
    if risk >= cut["critical"]:
        return "critical"
    if risk >= cut["high"]:
        return "high"
    if risk >= cut["moderate"]:
        return "moderate"
    return "low"


_COUNTED = frozenset((t.SCORED, t.UNANSWERED))


class _SectionTotals:
    """What a section's risk needs from the questions that count in it."""

    __slots__ = ("at_worst", "counted", "unanswered", "weight", "weighted_points")

    def __init__(self):
        self.weight = self.weighted_points = self.counted = self.unanswered = 0
        self.at_worst: list[str] = []

    def add(self, r: t.QuestionResult, q: t.QuestionSpec) -> None:
        self.weight += r.weight
        self.weighted_points += r.weight * r.points
        self.counted += 1
        if r.status == t.UNANSWERED:
            self.unanswered += 1
        # The critical floor is about the answer given: the self-attested point never makes a
        # favourable answer count as the worst one.
        points = r.points - SELF_ATTESTED_POINTS if r.self_attested else r.points
        if r.critical and points >= q.worst_points > 0:
            self.at_worst.append(r.code)


def _section_result(
    s: t.SectionSpec, totals: _SectionTotals | None, params: RuleParams, specs: dict[str, t.QuestionSpec]
) -> t.SectionResult:
    if totals is None or totals.weight == 0:
        return t.SectionResult(s.code, s.title, None, None, s.weight, 0, 0, False, "")
    risk = round(100 * totals.weighted_points / (MAX_POINTS * totals.weight), 2)
    band = _band(risk, params)
    floor_applied, floor_reason = False, ""
    if totals.at_worst and BANDS.index(band) < BANDS.index(params.critical_floor):
        floor_applied = True
        codes = sorted(totals.at_worst)
        many = len(codes) > 1
        floor_reason = (
            f"{'The critical questions' if many else 'The critical question'}"
            f" {and_list(w.question_words(specs.get(c), c) for c in codes)} {'have' if many else 'has'} the worst"
            f" answer, so the section is rated at least {params.critical_floor} ({', '.join(codes)})."
        )
        band = params.critical_floor
    return t.SectionResult(
        s.code, s.title, risk, band, s.weight, totals.counted, totals.unanswered, floor_applied, floor_reason
    )


def _intake_missing(answer: t.Answer | None, visible: bool) -> bool:
    return visible and (answer is None or answer.is_empty)


def intake_level(q: t.QuestionSpec, answer: t.Answer | None, as_of: dt.date) -> int | None:
    if answer is None or answer.is_empty or answer.na:
        return None
    points, _ = answer_points(q, answer, as_of)
    return points


def _tier(
    params: RuleParams,
    specs: dict[str, t.QuestionSpec],
    answers: dict[str, t.Answer],
    visible: dict[str, bool],
    as_of: dt.date,
) -> tuple[int, tuple[str, ...]]:
    levels: list[tuple[int, str]] = []
    for code in params.tier.domains:
        q = specs.get(code)
        if q is None or not visible.get(code, False):
            continue
        level = intake_level(q, answers.get(code), as_of)
        if level is None:
            reason = f"{w.question_words(q, code)} is not answered yet ({code}), so it counts at the highest level"
            levels.append((4, reason + " (4 of 4)."))
        else:
            levels.append((level, w.answered(q, code, answers[code].value, f", level {level} of 4") + "."))
    if not levels:
        return 3, ("No intake question that sets the tier is answered, so the use counts as tier 3.",)
    top = max(level for level, _ in levels)
    tier = 1 if top >= params.tier.tier_1_level else 2 if top >= params.tier.tier_2_level else 3
    drivers = tuple(reason for level, reason in levels if level == top)
    return tier, (f"The highest intake level is {top} of 4, which makes this a tier {tier} use.", *drivers)


def _overall(sections: tuple[t.SectionResult, ...], params: RuleParams, tier: int) -> float | None:
    weights = params.section_weights.get(f"tier_{tier}", {})
    pairs = [(weights.get(s.code, s.weight), s.risk) for s in sections if s.risk is not None]
    total = sum(w for w, _ in pairs)
    if not pairs or total == 0:
        return None
    return round(sum(w * r for w, r in pairs) / total, 2)


def _apply_waiver(hit: t.RuleHit, waiver: t.Waiver | None) -> t.RuleHit:
    if waiver is None or hit.severity != "knockout":
        return hit
    return t.RuleHit(**{**hit.__dict__, "waived": True, "waiver_reason": waiver.reason, "waived_by": waiver.by})


def _decision(
    params: RuleParams, residual: str | None, sections: tuple[t.SectionResult, ...], knockouts: tuple[t.RuleHit, ...]
) -> tuple[str, tuple[str, ...]]:
    reasons: list[str] = []
    if residual is None:
        decision = "reject"
        reasons.append("No control section could be scored, so the engine recommends reject.")
    else:
        decision = params.decisions[residual]
        reasons.append(f"A {residual} residual rating leads to {w.DECISION_WORDS[decision]}.")
    floor_sections = [s for s in sections if s.band in params.section_floor.bands]
    if floor_sections and DECISIONS.index(decision) < DECISIONS.index(params.section_floor.decision):
        decision = params.section_floor.decision
        many = len(floor_sections) > 1
        reasons.append(
            f"{'The sections' if many else 'The section'} {and_list(w.quoted(s.title) for s in floor_sections)}"
            f" {'are' if many else 'is'} rated {' or '.join(params.section_floor.bands)}, so the recommendation is"
            f" at best {w.DECISION_WORDS[decision]} ({', '.join(s.code for s in floor_sections)})."
        )
    waived = [k for k in knockouts if k.waived]
    if waived and DECISIONS.index(decision) < DECISIONS.index("approve_with_conditions"):
        decision = "approve_with_conditions"
        reasons.append(
            f"{_knockouts_words(waived)} {'was' if len(waived) == 1 else 'were'} accepted as a risk, so the"
            " recommendation is at best approve with conditions."
        )
    live = [k for k in knockouts if not k.waived]
    if live:
        decision = "reject"
        reasons.append(
            f"{_knockouts_words(live)} {'is' if len(live) == 1 else 'are'} not accepted as a risk, so the engine"
            " recommends reject."
        )
    return decision, tuple(reasons)


def _knockouts_words(hits: list[t.RuleHit]) -> str:
    """``The knockout “Notice gap” (notice_gap)``: titles to read, rule names as references."""
    noun = "The knockout" if len(hits) == 1 else "The knockouts"
    return f"{noun} {and_list(f'{w.quoted(h.title)} ({h.name})' for h in hits)}"
