"""Who may decide what: the rules that turn a recommendation into what an approval needs.

Plain data in, plain data out, no database: the decide services read the rows, call these,
and enforce the answer; the review page calls the same functions to say, before anyone
tries, who can decide and what is missing.

Authority levels are ordered (``Membership.Authority``): 1 standard, 2 risk acceptance,
3 executive. The rules:

* a standard member may approve what the engine recommends approving (approve, approve
  with conditions);
* every knockout that is not waived needs a knockout acceptance by a member with risk
  acceptance authority; an accepted knockout is a waiver for the engine, which then caps the
  recommendation at "approve with conditions";
* a High residual, or a recommendation of executive risk acceptance, needs one acceptance of
  the residual by a member with risk acceptance authority;
* a Critical residual needs two acceptances of the residual by two different executives
  (multi-party sign-off);
* a decision that departs from the recommendation needs a note.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from procurement.scoring.explain import DECISION_LABELS

STANDARD, RISK, EXECUTIVE = 1, 2, 3
AUTHORITY_LABELS = {STANDARD: "standard", RISK: "risk acceptance", EXECUTIVE: "executive"}
CRITICAL_SIGNOFFS = 2

APPROVABLE = ("approve", "approve_with_conditions")


@dataclass(frozen=True)
class Accepted:
    """One accepted, unexpired risk acceptance."""

    scope: str  # knockout | rule | residual
    rule: str
    by_id: int | None
    by_label: str
    authority: int


@dataclass(frozen=True)
class Need:
    """One acceptance an approval needs, and how far it is met."""

    scope: str
    rule: str
    title: str
    authority: int
    count: int = 1
    met_by: tuple[str, ...] = ()

    @property
    def met(self) -> bool:
        return len(self.met_by) >= self.count

    @property
    def missing_text(self) -> str:
        who = AUTHORITY_LABELS[self.authority]
        if self.count == 1:
            return f"{self.title}: needs a risk acceptance by a member with {who} authority."
        have = len(self.met_by)
        return (
            f"{self.title}: needs {self.count} risk acceptances by different members with {who} authority "
            f"({have} recorded)."
        )


@dataclass(frozen=True)
class Knockout:
    name: str
    title: str


def approval_needs(
    *, recommendation: str, residual: str | None, knockouts: Iterable[Knockout], accepted: Sequence[Accepted]
) -> list[Need]:
    """Every acceptance approving this case needs, each with who already met it.

    ``recommendation`` is the engine's with the accepted knockouts already applied as waivers;
    ``knockouts`` are all of them, waived or not.
    """
    needs = [_met(Need("knockout", k.name, f"Knockout “{k.title}”", RISK), accepted) for k in knockouts]
    if residual == "critical":
        needs.append(_met(Need("residual", "", "Critical residual risk", EXECUTIVE, CRITICAL_SIGNOFFS), accepted))
    elif residual == "high" or recommendation == "executive_acceptance":
        title = "High residual risk" if residual == "high" else "Executive risk acceptance"
        needs.append(_met(Need("residual", "", title, RISK), accepted))
    return needs


def _met(need: Need, accepted: Sequence[Accepted]) -> Need:
    people: dict[object, str] = {}
    for a in accepted:
        if a.scope == need.scope and a.rule == need.rule and a.authority >= need.authority:
            people.setdefault(a.by_id if a.by_id is not None else a.by_label, a.by_label)
    return Need(**{**need.__dict__, "met_by": tuple(people.values())})


def acceptance_authority(*, scope: str, residual: str | None) -> int:
    """The authority needed to record an acceptance of this scope."""
    if scope == "residual" and residual == "critical":
        return EXECUTIVE
    return RISK


def decision_differs(*, approve: bool, recommendation: str) -> bool:
    """Whether the outcome departs from the engine's recommendation (then a note is needed)."""
    if approve:
        return recommendation == "reject"
    return recommendation in APPROVABLE


@dataclass(frozen=True)
class Decider:
    """What the checks need to know about the person deciding."""

    user_id: int
    authority: int
    may_review: bool  # role reviewer or admin
    involved: tuple[str, ...] = ()  # "owns it", "answered questions", "submitted it"
    assigned_ids: tuple[int, ...] = ()
    assigned_max_authority: int = 0
    separation_of_duties: bool = True
    reauthenticated: bool = True
    reauth_minutes: int = 15


@dataclass
class Verdict:
    """Whether the decider may approve and reject, and why not, in plain words."""

    needs: list[Need]
    approve_problems: list[str] = field(default_factory=list)
    reject_problems: list[str] = field(default_factory=list)
    separation_relaxed: bool = False
    # Checked separately: the review page says what is missing without asking for a password.
    reauthenticated: bool = True

    @property
    def can_approve(self) -> bool:
        return not self.approve_problems

    @property
    def can_reject(self) -> bool:
        return not self.reject_problems


def decider_problems(decider: Decider, *, action: str = "decide it") -> tuple[list[str], bool]:
    """Problems that stop this person deciding (or ``action``) at all, and whether separation was relaxed."""
    problems: list[str] = []
    relaxed = False
    if not decider.may_review:
        problems.append("Only reviewers and admins decide assessments.")
    if decider.involved:
        if decider.separation_of_duties:
            problems.append(
                "You "
                + _join(decider.involved)
                + f", so someone else must {action} (separation of duties; an organisation admin can relax this "
                "for small teams)."
            )
        else:
            relaxed = True
    if (
        decider.assigned_ids
        and decider.user_id not in decider.assigned_ids
        and decider.authority <= decider.assigned_max_authority
    ):
        problems.append(
            "Reviewers are assigned to this assessment: only they, or someone with higher authority, decide it."
        )
    return problems, relaxed


def verdict_for(decider: Decider, *, recommendation: str, residual: str | None, needs: list[Need]) -> Verdict:
    """Everything that stands between this person and each outcome."""
    common, relaxed = decider_problems(decider)
    verdict = Verdict(needs=needs, separation_relaxed=relaxed)
    verdict.reject_problems = list(common)
    verdict.approve_problems = list(common)
    verdict.approve_problems += [n.missing_text for n in needs if not n.met]
    if recommendation == "reject" and not needs:
        # Reject with nothing that an acceptance could lift (no score could be computed).
        verdict.approve_problems.append("The engine recommends reject and there is no risk that can be accepted.")
    verdict.reauthenticated = decider.reauthenticated
    return verdict


def reauth_problem(minutes: int) -> str:
    return f"Confirm your password first: deciding and accepting risk need a sign-in within the last {minutes} minutes."


def difference_words(*, outcome: str, recommendation: str, differs: bool, separation_relaxed: bool) -> str:
    """How a decision departs from the recommendation, and any relaxation, in words ("" if none)."""
    parts = []
    if differs:
        verb = "Approved" if outcome == "approved" else "Rejected"
        label = DECISION_LABELS.get(recommendation, recommendation).lower()
        parts.append(f"{verb} against the engine's recommendation ({label}).")
    if separation_relaxed:
        parts.append("Decided by someone involved in the answers, as the organisation's setting allows.")
    return " ".join(parts)


def _join(parts: Sequence[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]
