"""How an answer, a recommendation and a decision read to a person: one definition for the
pages, the report and the exports."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.timezone import localtime

from procurement.assessments.authority import AUTHORITY_LABELS, decision_differs, difference_words
from procurement.questionbank.values import UNDISCLOSED_LABEL
from procurement.scoring.explain import DECISION_LABELS
from procurement.scoring.provider_table import describe
from procurement.scoring.wording import SELF_ATTESTED_EXPLAIN, number_words


def answer_label(q: dict, stored: dict | None) -> tuple[str, str]:
    """(kind, text) for a stored answer {value, na, na_reason[, undisclosed]}; kind is answered,
    undisclosed, na or empty."""
    if stored and stored.get("undisclosed") and not stored.get("na"):
        return "undisclosed", UNDISCLOSED_LABEL
    if not stored or (stored.get("value") in (None, "", []) and not stored.get("na")):
        return "empty", "Not answered"
    if stored.get("na"):
        return "na", f"N/A — {stored.get('na_reason', '')}"
    value = stored["value"]
    if q["type"] == "provider_table" and isinstance(value, list):
        return "answered", describe(value)
    labels = {c["value"]: c["label"] for c in q["choices"]}
    if isinstance(value, list):
        return "answered", "; ".join(labels.get(v, str(v)) for v in value)
    if q["type"] in ("single_choice", "yes_no"):
        return "answered", labels.get(value, str(value))
    if q["type"] == "number" and q["unit"] and isinstance(value, int | float):
        return "answered", number_words(value, q["unit"])  # 1 provider, 40%
    return "answered", str(value)


def change_label(q: dict, stored, *, empty: str) -> str:
    """An answer change's old or new value as a person reads it: choice labels, units, N/A with
    its reason; ``empty`` where there was no answer. Never the stored dict."""
    if stored is None:
        return empty
    if not isinstance(stored, dict) or "value" not in stored:  # written before answers were dicts
        return str(stored)
    kind, text = answer_label(q, stored)
    if kind == "answered" and stored.get("basis") in BASIS_LABELS:
        text = f"{text} (rests on: {BASIS_LABELS[stored['basis']].lower()})"
    return empty if kind == "empty" else text


def answer_words(q: dict, value, *, na: bool = False, na_reason: str = "", empty: str = "—") -> str:
    """An answer's value as a person reads it (for values not stored yet, such as a conflict's "mine")."""
    return change_label(q, {"value": value, "na": na, "na_reason": na_reason}, empty=empty)


# --- What an answer rests on -------------------------------------------------------------------

BASIS_LABELS = {"statement": "Vendor statement", "document": "Document", "attestation": "Independent attestation"}
SELF_ATTESTED_WORDS = SELF_ATTESTED_EXPLAIN


# Questions whose answer records what it rests on (Answer.Basis): the vendor's scored answers.
BASIS_TYPES = ("single_choice", "multi_choice", "yes_no", "number", "date")


def has_basis(q: dict) -> bool:
    return q.get("audience") == "vendor" and q.get("type") in BASIS_TYPES


def basis_words(q: dict, answer) -> dict | None:
    """What a given vendor answer rests on, for the review page: {"label", "confirmed" (who and
    when, or ""), "basis"}; None where a question has no basis (intake, reviewer-only, free text,
    files) or no answer was given."""
    if not has_basis(q):
        return None
    if answer is None or answer.na or answer.undisclosed or answer.value in (None, "", []):
        return None
    confirmed = ""
    if answer.basis_confirmed_at is not None:
        by = answer.basis_confirmed_by
        who = (by.get_full_name() or by.get_username()) if by else "a reviewer"
        confirmed = f"confirmed by {who} on {answer.basis_confirmed_at:%-d %b %Y}"
    return {
        "basis": answer.basis,
        "label": BASIS_LABELS.get(answer.basis, answer.basis),
        "confirmed": confirmed,
        "pending": not confirmed and answer.basis != "statement",
    }


# --- Timeline: what happened, in words --------------------------------------------------------

STATUS_WORDS = {
    "draft": "Draft",
    "in_progress": "In progress",
    "submitted": "Submitted",
    "in_review": "In review",
    "changes_requested": "Changes requested",
    "approved": "Approved",
    "rejected": "Rejected",
}
TIMELINE_KINDS = {
    "created": "Created",
    "reviewers": "Reviewers set",
    "override": "Points overridden",
    "basis confirmed": "Basis of an answer confirmed",
    "reminder": "Reminder sent",
    "reassessment needed": "Reassessment needed",
    "finding": "Finding",
    "condition": "Condition",
    "upgrade": "Moved to a newer bank version",
    "supply chain recorded": "Supply chain recorded from the answers",
    "vendor invited": "Vendor invited",
    "vendor link revoked": "Vendor link revoked",
    "vendor submitted": "Vendor submitted",
    "vendor reminded": "Vendor reminded",
    "vendor asked for changes": "Vendor asked for changes",
    "risk accepted": "Risk accepted",
    "acceptance requested": "Risk acceptance requested",
    "acceptance declined": "Risk acceptance declined",
    "acceptance expired": "Risk acceptance expired",
    "carried forward": "Answers carried forward",
    "confirmed": "Carried answers confirmed unchanged",
    "wording confirmed": "Answers confirmed after a rewording",
    "reassessment started": "Reassessment started",
}


def status_words(status: str) -> str:
    return STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


def timeline_words(kind: str, from_status: str = "", to_status: str = "") -> str:
    """One timeline event's "what", such as "In review → Approved" or "Vendor invited": never a stored code."""
    if kind == "status" or (to_status and kind == "created"):
        moved = f"{status_words(from_status) if from_status else 'New'} → {status_words(to_status)}"
        return moved if kind == "status" else f"Created ({status_words(to_status).lower()})"
    return TIMELINE_KINDS.get(kind, kind.replace("_", " ").capitalize())


# --- Recommendation and decision: two things, in plain words ------------------------------
#
# The recommendation is the engine's (``Assessment.recommendation``, a record's score); the
# decision is what people recorded (the ``Decision`` row, a record's "decision" part). Every
# page, the report and the exports read them through these helpers, so they say the same.

RECOMMENDATION_LABELS = DECISION_LABELS
OUTCOME_LABELS = {"approved": "Approved", "rejected": "Rejected"}
ROLE_WORDS = {"admin": "organisation admin", "analyst": "analyst", "reviewer": "reviewer", "viewer": "viewer"}
SCOPE_WORDS = {"knockout": "Knockout", "rule": "Flagged rule", "residual": "Residual rating as a whole"}


def recommendation_words(recommendation: str, residual: str | None = None) -> str:
    """Words such as "Reject · Critical residual", or "" when nothing was computed."""
    label = RECOMMENDATION_LABELS.get(recommendation, "")
    if label and residual:
        return f"{label} · {residual.capitalize()} residual"
    return label


def provisional_words(missing: int | None, at: dt.datetime | None = None) -> str:
    """Why an open assessment's recommendation may still move ("" once every answer is in).

    ``missing`` is ``Assessment.recommendation_unanswered``: None for a row scored before the
    count was kept, whose recommendation is then provisional as of the time it was computed.
    """
    if missing is None:
        if at is None:
            return "provisional"
        return f"provisional as of {date_format(localtime(at), 'j M Y H:i')}"
    if missing == 0:
        return ""
    # "Scored": free-text questions the engine does not count are not among them, so the
    # figure can be below the questionnaire's own count of what is left to answer.
    return f"provisional: {missing} scored question{'s' if missing != 1 else ''} unanswered"


def missing_answers(*, unanswered: Iterable[str], pending: Iterable[Iterable[str]], incomplete: bool) -> int:
    """How many answers a score still waits for: its unanswered questions and those its pending
    rules need (at least 1 when the engine calls it incomplete)."""
    codes = set(unanswered)
    for missing in pending:
        codes.update(missing)
    return len(codes) or int(incomplete)


def score_provisional(score: dict) -> str:
    """``provisional_words`` for a score as a record keeps it (a live one: compare, drafts)."""
    return provisional_words(
        missing_answers(
            unanswered=score.get("unanswered") or (),
            pending=(p.get("missing") or () for p in score.get("pending_rules") or ()),
            incomplete=bool(score.get("incomplete")),
        )
    )


def _datetime(value) -> dt.datetime | None:
    if not value:
        return None
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def _date(value) -> dt.date | None:
    if not value:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


@dataclass(frozen=True)
class DecisionSummary:
    """A recorded decision beside the recommendation it was taken on, read from a record's
    "decision" part: format 2 (role, authority, the difference in words) or format 1 (outcome,
    who, note and time only; the difference is worked out from the frozen score)."""

    outcome: str
    by: str
    role: str
    authority_label: str
    at: dt.datetime | None
    note: str
    recommendation: str
    residual: str
    differs: bool
    difference: str
    separation_relaxed: bool

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome.capitalize())

    @property
    def capacity(self) -> str:
        """Role and authority, such as "reviewer, executive authority" ("" before they were recorded)."""
        parts = [ROLE_WORDS.get(self.role, self.role)] if self.role else []
        if self.authority_label:
            parts.append(f"{self.authority_label} authority")
        return ", ".join(parts)

    @property
    def who(self) -> str:
        """Name with capacity, such as "Jane Doe (reviewer, executive authority)"."""
        return f"{self.by} ({self.capacity})" if self.capacity else self.by

    @property
    def recommendation_label(self) -> str:
        return recommendation_words(self.recommendation, self.residual)


def decision_summary(part: dict | None, *, score: dict | None = None) -> DecisionSummary | None:
    """The decision in a record (None when undecided). ``score`` is the record's score, which
    a format-1 decision part needs for the recommendation it was taken on."""
    if not part or part.get("outcome") not in OUTCOME_LABELS:
        return None
    score = score or {}
    recommendation = part.get("recommendation") or score.get("decision", "")
    residual = part.get("residual", score.get("residual")) or ""
    relaxed = bool(part.get("separation_relaxed"))
    if "differs" in part:
        differs = bool(part["differs"])
    else:  # format 1: worked out the way the decide service works it out
        differs = decision_differs(approve=part["outcome"] == "approved", recommendation=recommendation)
    difference = part.get("difference")
    if difference is None:
        difference = difference_words(
            outcome=part["outcome"], recommendation=recommendation, differs=differs, separation_relaxed=relaxed
        )
    return DecisionSummary(
        outcome=part["outcome"],
        by=part.get("by") or "someone not recorded",
        role=part.get("role") or "",
        authority_label=part.get("authority_label") or AUTHORITY_LABELS.get(part.get("authority"), ""),
        at=_datetime(part.get("at")),
        note=part.get("note") or "",
        recommendation=recommendation,
        residual=residual,
        differs=differs,
        difference=difference,
        separation_relaxed=relaxed,
    )


def acceptance_rows(acceptances: list[dict] | None) -> list[dict]:
    """A record's risk acceptances (format 2; format 1 records have none), dates parsed."""
    rows = []
    for a in acceptances or ():
        rows.append(
            {
                **a,
                "scope_label": SCOPE_WORDS.get(a.get("scope", ""), a.get("scope", "")),
                "who": f"{a.get('by', '')} ({a['authority_label']} authority)"
                if a.get("authority_label")
                else a.get("by", ""),
                "at": _datetime(a.get("at")),
                "expires_on": _date(a.get("expires_on")),
                "conditions": list(a.get("conditions") or ()),
            }
        )
    return rows


# The engine's words for an answer whose supporting documents all expired (procurement.scoring.engine).
_STALE = re.compile(r"its supporting (.+?) '(.+)' expired on (\d{4})-(\d{2})-(\d{2}) -> stale")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def stale_sentence(explanation: str) -> str:
    """ "Its supporting SOC 2 Type II report “x.pdf” expired on 30 Jun 2026, so the answer counts
    as stale." when the engine scored the answer as stale; "" otherwise."""
    m = _STALE.search(explanation or "")
    if m is None:
        return ""
    kind, name, year, month, day = m.groups()
    return (
        f"Its supporting {kind} “{name}” expired on {int(day)} {_MONTHS[int(month) - 1]} {year},"
        " so the answer counts as stale."
    )
