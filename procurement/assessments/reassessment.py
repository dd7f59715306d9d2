"""Reading a reassessment: what needs the respondent's attention, question by question, and the
difference against the previous decision for the review page. Reads only; the writes are
``services.carry`` (carrying, confirming) and ``procurement.portfolio.reassessment`` (starting).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format

from procurement.assessments.models import Answer, Assessment
from procurement.assessments.presentation import change_label
from procurement.assessments.records import stored_answer
from procurement.assessments.selectors import answer_documents, answers_by_code, answers_visibility, bank_structure
from procurement.assessments.services.upgrade import version_diff

ATTENTION = "attention"  # new or changed question, stale answer, expired evidence, not answered yet
CONFIRM = "confirm"  # carried, still fresh: the respondent confirms it or changes it
DONE = "done"  # confirmed unchanged, or answered in this assessment


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _day(moment) -> str:
    return date_format(timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment, "j M Y")


def expired_evidence(assessment: Assessment, today: dt.date) -> dict[str, list[str]]:
    """Question code -> the names of its supporting documents that have expired.

    A document's expiry comes from the evidence register (``Document.expiry_date``: the printed
    expiry of a certificate, or the period end of a SOC 2 report plus its validity); a document
    with no expiry never expires."""
    result: dict[str, list[str]] = {}
    for code, links in answer_documents(assessment).items():
        for link in links:
            expires = link.document.expiry_date
            if expires is not None and expires < today:
                result.setdefault(code, []).append(f"{link.document.original_name} (expired {_day(expires)})")
    return result


@dataclass
class Mark:
    """One question's place in a reassessment, in words."""

    state: str  # ATTENTION, CONFIRM or DONE
    reasons: list[str] = field(default_factory=list)
    provenance: str = ""  # "Carried from A-12 (answered 3 Mar 2026)"
    confirmed: str = ""  # "Confirmed unchanged on 5 Apr 2026"
    confirmable: bool = False  # a carried answer not yet confirmed

    @property
    def collapsed(self) -> bool:
        """Shown as one line with its answer (changed on demand): nothing asks for attention."""
        return self.state != ATTENTION and bool(self.provenance)


def reassessment_marks(
    assessment: Assessment, *, answers: dict[str, Answer] | None = None, today: dt.date | None = None
) -> dict[str, Mark]:
    """Each visible question the respondents answer, marked: needs attention (new or changed
    since the previous version, an answer older than its ``fresh_for_months``, a supporting
    document expired, or not answered yet), to confirm (carried and still fresh) or done.
    Empty for an assessment that is not a reassessment."""
    if assessment.previous_id is None:
        return {}
    today = today or timezone.localdate()
    previous = assessment.previous
    structure = bank_structure(assessment.bank_version)
    diff = version_diff(previous.bank_version, assessment.bank_version)
    added, changed = set(diff.added), set(diff.changed)
    answers = answers if answers is not None else answers_by_code(assessment)
    visible = answers_visibility(structure, answers)
    expired = expired_evidence(assessment, today)
    marks: dict[str, Mark] = {}
    for code, q in structure.question_index.items():
        if q["audience"] == "reviewer" or not visible.get(code, True):
            continue
        answer = answers.get(code)
        reasons = [f"Supporting document expired: {name}" for name in expired.get(code, [])]
        if q["type"] == "evidence":
            if reasons:
                marks[code] = Mark(ATTENTION, reasons)
            continue
        if answer is None or (
            answer.carried_from_id is None
            and stored_answer(answer)["value"] in (None, "", [])
            and not answer.na
            and not answer.undisclosed
        ):
            if code in added:
                reasons.insert(0, "New question")
            elif code in changed:
                reasons.insert(0, f"Question changed since A-{previous.pk}: answer it again")
            else:
                reasons.insert(0, "Not answered yet")
            marks[code] = Mark(ATTENTION, reasons)
            continue
        if answer.carried_from_id is None:  # answered (or changed) in this assessment
            marks[code] = Mark(ATTENTION if reasons else DONE, reasons)
            continue
        given = timezone.localtime(answer.given_at).date()
        months = q.get("fresh_for_months")
        if answer.is_carried and months and months_after(given, months) < today:
            reasons.insert(0, f"Answer older than {months} months (given {_day(given)}): confirm or change it")
        provenance = f"Carried from A-{answer.carried_from_id} (answered {_day(answer.carried_given_at or given)})"
        confirmed = f"Confirmed unchanged on {_day(answer.confirmed_at)}" if answer.confirmed_at else ""
        state = ATTENTION if reasons else (CONFIRM if answer.is_carried else DONE)
        marks[code] = Mark(state, reasons, provenance, confirmed, confirmable=answer.is_carried)
    return marks


def marks_by_section(assessment: Assessment, marks: dict[str, Mark]) -> dict[str, dict[str, int]]:
    """Per section: how many questions need attention and how many carried answers await confirmation."""
    section_of = bank_structure(assessment.bank_version).section_of
    counts: dict[str, dict[str, int]] = {}
    for code, mark in marks.items():
        row = counts.setdefault(section_of[code], {ATTENTION: 0, CONFIRM: 0, DONE: 0})
        row[mark.state] += 1
    return counts


# --- The review page: the difference against the previous decision --------------------------


def _index(document: dict) -> dict[str, dict]:
    return {q["code"]: q for s in document["sections"] for q in s["questions"]}


def _rules(score: dict) -> dict[str, dict]:
    return {r["name"]: r for r in [*score.get("knockouts", []), *score.get("flags", [])] if not r.get("waived")}


def _points(value) -> str:
    return "not scored" if value is None else f"{value} point{'' if value == 1 else 's'}"


def reassessment_diff(assessment: Assessment, *, score: dict) -> dict | None:
    """What moved since the previous decision: answers changed (old → new, in words), points
    changed per question, rules newly firing or clearing. Compares the previous assessment's
    frozen record (never changed) with ``score`` (this assessment's live or frozen score) and
    this assessment's answers. None when there is no decided previous assessment."""
    previous = assessment.previous
    if previous is None or not previous.frozen_record:
        return None
    record = previous.frozen_record
    old_index = _index(record["bank"]["document"])
    new_index = bank_structure(assessment.bank_version).question_index
    old_answers = record.get("answers", {})
    new_answers = {code: stored_answer(a) for code, a in answers_by_code(assessment).items()}
    answers = []
    for code, q in new_index.items():
        if q["audience"] == "reviewer" and code not in old_answers:
            continue
        old_q = old_index.get(code, q)
        old = change_label(old_q, old_answers.get(code), empty="Not answered")
        new = change_label(q, new_answers.get(code), empty="Not answered")
        if old != new:
            answers.append({"code": code, "text": q["text"], "old": old, "new": new})
    old_points = {r["code"]: r["points"] for r in record["score"]["questions"]}
    points = []
    for r in score["questions"]:
        before = old_points.get(r["code"])
        if (r["code"] in old_points and before != r["points"]) or (
            r["code"] not in old_points and r["points"] is not None
        ):
            points.append(
                {
                    "code": r["code"],
                    "text": new_index.get(r["code"], {}).get("text", r["code"]),
                    "old": _points(before) if r["code"] in old_points else "not asked",
                    "new": _points(r["points"]),
                    "worse": (r["points"] or 0) > (before or 0),
                }
            )
    old_rules, new_rules = _rules(record["score"]), _rules(score)
    decision = record.get("decision") or {}
    decided_at = decision.get("at") or (previous.decided_at.isoformat() if previous.decided_at else "")
    return {
        "previous": previous,
        "decided": _day(dt.datetime.fromisoformat(decided_at)) if decided_at else "",
        "outcome": decision.get("outcome", previous.status),
        "answers": answers,
        "points": points,
        "firing": [new_rules[name] for name in new_rules if name not in old_rules],
        "clearing": [old_rules[name] for name in old_rules if name not in new_rules],
        "old_residual": record["score"].get("residual"),
        "new_residual": score.get("residual"),
    }
