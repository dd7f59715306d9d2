"""Deciding an assessment, and the risk acceptances a decision rests on.

The rules live in ``procurement.assessments.authority`` (plain data, no database); this module
reads the rows they need, enforces them, and writes the records: the ``Decision`` row, the
frozen record with its acceptances, and the acceptance requests and acceptances themselves.

A decision is refused, with a message naming what is missing and nothing changed, when the
decider lacks the authority, an acceptance is missing, separation of duties forbids it, the
decider has not signed in recently, or the answers changed since the confirmation page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from procurement.assessments import authority as au
from procurement.assessments.models import AnswerChange, Assessment, Decision, Finding, RiskAcceptance, TimelineEvent
from procurement.assessments.notifications import notify_acceptance_requested, notify_decision_made
from procurement.assessments.records import person_label, record_build, record_hash
from procurement.assessments.selectors import (
    accepted_acceptances,
    assessment_score,
    bank_structure,
    chain_scoring_facts,
    review_due_on,
    supply_chain_snapshot,
)
from procurement.assessments.services.status import TRANSITIONS, S, assessment_rescore, timeline_add, transition
from procurement.assessments.signals import assessment_decided
from procurement.core.access import REVIEWERS, membership_for
from procurement.core.models import Membership
from procurement.core.reauth import reauth_minutes, recently_authenticated
from procurement.scoring import types as t
from procurement.scoring.explain import DECISION_LABELS

STALE = (
    "The assessment changed after the confirmation page was shown (answers, overrides, acceptances or "
    "conditions). Nothing was decided: look at it again and confirm."
)
NOT_UNDER_REVIEW = "Only an assessment that is submitted or in review can be decided or have risk accepted."
NOT_IN_REVIEW = "Start the review first: only an assessment in review is decided."
REQUEST_CLOSED = "No longer needed: the assessment was decided."
NOTE_NEEDED = "Your decision departs from the recommendation ({recommendation}): say why in the note."
ACCEPTANCE_MAX_DAYS = 3 * 366


# --- Reading what a decision needs --------------------------------------------------------


def _answering(assessment: Assessment):
    """Answer changes that count as answering: the reviewer-only checks are part of reviewing."""
    index = bank_structure(assessment.bank_version).question_index
    checks = [code for code, q in index.items() if q["audience"] == "reviewer"]
    return AnswerChange.objects.filter(assessment=assessment).exclude(question_code__in=checks)


def _submissions(assessment: Assessment):
    return TimelineEvent.objects.filter(assessment=assessment, kind="status", to_status=S.SUBMITTED)


def _involvement(assessment: Assessment, user) -> tuple[str, ...]:
    parts = []
    if assessment.owner_id == user.pk:
        parts.append("own it")
    if _answering(assessment).filter(by=user).exists():
        parts.append("answered questions in it")
    if _submissions(assessment).filter(by=user).exists():
        parts.append("submitted it")
    return tuple(parts)


def _involved_ids(assessment: Assessment) -> set[int]:
    answered = _answering(assessment).values_list("by", flat=True).distinct()
    submitted = _submissions(assessment).values_list("by", flat=True).distinct()
    return {u for u in (assessment.owner_id, *answered, *submitted) if u}


def _decider(assessment: Assessment, user, *, authenticated_at: dt.datetime | None) -> au.Decider:
    membership = membership_for(user)
    if membership is not None and membership.organisation_id != assessment.organisation_id:
        membership = None  # a member of another organisation has no say here
    assigned = list(assessment.reviewers.values_list("pk", flat=True))
    assigned_max = (
        max(Membership.objects.filter(user__in=assigned).values_list("authority", flat=True), default=0)
        if assigned
        else 0
    )
    return au.Decider(
        user_id=user.pk,
        authority=membership.authority if membership else 0,
        may_review=bool(membership and membership.role in REVIEWERS),
        involved=_involvement(assessment, user),
        assigned_ids=tuple(assigned),
        assigned_max_authority=assigned_max,
        separation_of_duties=assessment.organisation.separation_of_duties,
        reauthenticated=recently_authenticated(authenticated_at),
        reauth_minutes=reauth_minutes(),
    )


def _accepted(rows: list[RiskAcceptance]) -> list[au.Accepted]:
    return [
        au.Accepted(r.scope, r.rule, r.accepted_by_id, r.accepted_by_label, r.accepted_authority or 0) for r in rows
    ]


@dataclass
class DecisionReview:
    """Everything the confirmation page shows and the decide service enforces."""

    result: t.ScoreResult
    in_force: list[RiskAcceptance]  # accepted and not expired: what a decision now would freeze
    needs: list[au.Need]
    verdict: au.Verdict
    state: str
    acceptances: list[RiskAcceptance]
    deciders: list[str]  # who could decide it, by name
    acceptors: dict[int, list[str]]  # authority level -> who holds it

    @property
    def recommendation_label(self) -> str:
        return DECISION_LABELS[self.result.decision]

    def differs(self, approve: bool) -> bool:
        return au.decision_differs(approve=approve, recommendation=self.result.decision)

    @property
    def rows(self) -> list[dict]:
        """Each need with who may meet it and any open request for it, for the review page."""
        requested = {(a.scope, a.rule): a for a in self.acceptances if a.status == RiskAcceptance.Status.REQUESTED}
        return [
            {
                "need": n,
                "authority_label": au.AUTHORITY_LABELS[n.authority],
                "acceptors": self.acceptors.get(n.authority, []),
                "request": requested.get((n.scope, n.rule)),
            }
            for n in self.needs
        ]


def decision_state(assessment: Assessment) -> str:
    """A digest of everything a decision rests on; the confirmation page carries it back."""
    parts = {
        "status": assessment.status,
        "version": assessment.bank_version_id,
        "answers": sorted(assessment.answers.values_list("question_code", "value", "na", "na_reason")),
        "overrides": sorted(
            assessment.overrides.filter(active=True).values_list("question_code", "points", "reason", "by")
        ),
        "acceptances": sorted(assessment.acceptances.values_list("pk", "status", "expires_on")),
        "findings": sorted(assessment.findings.values_list("pk", "text", "status", "due_date", "owner_user")),
        "evidence": sorted(assessment.evidence.values_list("question_code", "document__sha256")),
        "comments": assessment.comments.count(),
        # The supply chain's facts feed the score and can change on the vendor pages meanwhile.
        "chain": chain_scoring_facts(supply_chain_snapshot(assessment)),
    }
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()[:32]


def _knockouts(result: t.ScoreResult) -> list[au.Knockout]:
    """Knockouts that fired, and knockouts still waiting for answers: a pending knockout blocks
    approval until its answers come in or it is accepted as a risk."""
    fired = [au.Knockout(k.name, k.title) for k in result.knockouts]
    pending = [
        au.Knockout(p.name, f"{p.title} (waiting for answers)")
        for p in result.pending_rules
        if p.severity == "knockout"
    ]
    return fired + pending


def _deciding_members(organisation, *, authority: int):
    """Reviewers and admins of the organisation holding at least ``authority``."""
    return Membership.objects.filter(organisation=organisation, role__in=REVIEWERS, authority__gte=authority)


def _people_with(organisation, *, authority: int, exclude: tuple[int, ...] = (), only=None) -> list[str]:
    rows = (
        _deciding_members(organisation, authority=authority)
        .exclude(user__in=exclude)
        .select_related("user")
        .order_by("user__last_name", "user__username")
    )
    if only is not None:
        rows = rows.filter(only)
    return [person_label(m.user) for m in rows if m.user.is_active]


def decision_review(
    *, assessment: Assessment, user, authenticated_at: dt.datetime | None, result: t.ScoreResult | None = None
) -> DecisionReview:
    """What deciding this assessment needs now, and whether ``user`` may do it.

    ``result`` is the live score if the caller already has it."""
    today = timezone.localdate()
    rows = accepted_acceptances(assessment, today)
    result = result or assessment_score(assessment)
    needs = au.approval_needs(
        recommendation=result.decision, residual=result.residual, knockouts=_knockouts(result), accepted=_accepted(rows)
    )
    decider = _decider(assessment, user, authenticated_at=authenticated_at)
    verdict = au.verdict_for(decider, recommendation=result.decision, residual=result.residual, needs=needs)
    if assessment.status != S.IN_REVIEW:
        for problems in (verdict.approve_problems, verdict.reject_problems):
            problems.insert(0, NOT_IN_REVIEW)
    exclude = tuple(_involved_ids(assessment)) if assessment.organisation.separation_of_duties else ()
    return DecisionReview(
        result=result,
        in_force=rows,
        needs=needs,
        verdict=verdict,
        state=decision_state(assessment),
        acceptances=list(assessment.acceptances.select_related("requested_by", "requested_from", "accepted_by")),
        deciders=_people_with(
            assessment.organisation,
            authority=au.STANDARD,
            exclude=exclude,
            # With reviewers assigned: they, or someone with more authority than any of them.
            only=Q(user__in=decider.assigned_ids) | Q(authority__gt=decider.assigned_max_authority)
            if decider.assigned_ids
            else None,
        ),
        acceptors={
            level: _people_with(assessment.organisation, authority=level, exclude=exclude)
            for level in (au.RISK, au.EXECUTIVE)
        },
    )


# --- Deciding ---------------------------------------------------------------------------


@transaction.atomic
def assessment_decide(
    *,
    assessment: Assessment,
    by,
    approve: bool,
    note: str = "",
    authenticated_at: dt.datetime | None,
    state: str | None = None,
) -> Assessment:
    """Approve or reject, and freeze the record.

    ``authenticated_at`` is when ``by`` last proved who they are (a sign-in or a password
    confirmation); ``state`` is what the confirmation page showed (``decision_state``). A
    caller that showed no confirmation page (the demo data) passes None.
    """
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    target = S.APPROVED if approve else S.REJECTED
    if target not in TRANSITIONS[assessment.status]:
        transition(assessment, target, by=by)  # raises with the standard message
    if state is not None and state != decision_state(assessment):
        raise ValidationError(STALE, code="stale")
    review = decision_review(assessment=assessment, user=by, authenticated_at=authenticated_at)
    problems = list(review.verdict.approve_problems if approve else review.verdict.reject_problems)
    if not review.verdict.reauthenticated:
        problems.append(au.reauth_problem(reauth_minutes()))
    if problems:
        raise ValidationError(problems, code="not_allowed")
    note = note.strip()
    differs = review.differs(approve)
    if differs and not note:
        raise ValidationError(NOTE_NEEDED.format(recommendation=review.recommendation_label.lower()), code="note")
    membership = membership_for(by)
    decision = Decision(
        assessment=assessment,
        outcome=target,
        by=by,
        by_label=person_label(by),
        role=membership.role,
        authority=membership.authority,
        note=note,
        at=timezone.now(),
        recommendation=review.result.decision,
        residual=review.result.residual or "",
        differs=differs,
        separation_relaxed=review.verdict.separation_relaxed,
    )
    # The record is built before the status moves, so it shows the state that was decided on.
    record = record_build(
        assessment, decision=decision, acceptances=accepted_acceptances(assessment, timezone.localdate(decision.at))
    )
    decision.save()
    # Requests nobody answered are closed with the decision, so no queue keeps offering them.
    assessment.acceptances.filter(status=RiskAcceptance.Status.REQUESTED).update(
        status=RiskAcceptance.Status.DECLINED, declined_note=REQUEST_CLOSED
    )
    assessment.frozen_record = record
    assessment.frozen_hash = record_hash(record)
    assessment.decided_at = decision.at
    assessment.review_due = (
        review_due_on(version=assessment.bank_version, tier=record["score"].get("tier"), decided_at=decision.at)
        if approve
        else None
    )
    assessment.risk_band = review.result.residual or ""
    assessment.recommendation = review.result.decision
    assessment.overall_risk = review.result.overall_risk
    assessment.status = target
    assessment.save()
    words = decision_words(decision)
    timeline_add(assessment, "status", by=by, note=" ".join(p for p in (note, words) if p), old=S.IN_REVIEW, new=target)
    notify_decision_made(assessment=assessment)  # the owner, the reviewers, whoever asked for acceptances
    assessment_decided.send(sender=Assessment, assessment=assessment)  # reports queues the PDF on commit
    return assessment


def decision_words(decision: Decision) -> str:
    return au.difference_words(
        outcome=decision.outcome,
        recommendation=decision.recommendation,
        differs=decision.differs,
        separation_relaxed=decision.separation_relaxed,
    )


# --- Risk acceptances -----------------------------------------------------------------


def _open_for_review(assessment: Assessment) -> None:
    if assessment.status not in (S.SUBMITTED, S.IN_REVIEW):
        raise ValidationError(NOT_UNDER_REVIEW, code="state")


def _scope_title(result: t.ScoreResult, scope: str, rule: str) -> str:
    if scope == RiskAcceptance.Scope.RESIDUAL:
        return f"{(result.residual or 'unrated').capitalize()} residual risk"
    hits: dict[str, t.RuleHit | t.PendingRule] = {h.name: h for h in (*result.knockouts, *result.flags)}
    # A pending knockout can be accepted as a risk too: it blocks approval until then.
    hits.update({p.name: p for p in result.pending_rules if p.severity == "knockout" and p.name not in hits})
    if rule not in hits or (scope == RiskAcceptance.Scope.KNOCKOUT) != (hits[rule].severity == "knockout"):
        raise ValidationError("That risk is not raised on this assessment.", code="unknown_rule")
    return hits[rule].title


@transaction.atomic
def acceptance_request(
    *, assessment: Assessment, by, scope: str, rule: str = "", note: str = "", requested_from=None
) -> RiskAcceptance:
    """Ask for a risk to be accepted, of a named approver or of anyone with the authority."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _open_for_review(assessment)
    if scope not in RiskAcceptance.Scope.values:
        raise ValidationError("Choose what is to be accepted.", code="scope")
    rule = "" if scope == RiskAcceptance.Scope.RESIDUAL else rule
    result = assessment_score(assessment)
    title = _scope_title(result, scope, rule)
    needed = au.acceptance_authority(scope=scope, residual=result.residual)
    if requested_from is not None:
        target = _decider(assessment, requested_from, authenticated_at=None)
        if not target.may_review or target.authority < needed:
            raise ValidationError(
                f"{person_label(requested_from)} does not hold {au.AUTHORITY_LABELS[needed]} authority.",
                code="authority",
            )
        if target.involved and assessment.organisation.separation_of_duties:
            raise ValidationError(
                f"{person_label(requested_from)} was involved in the answers and may not accept its risks.",
                code="separation",
            )
    if assessment.acceptances.filter(scope=scope, rule=rule, status=RiskAcceptance.Status.REQUESTED).exists():
        raise ValidationError("An acceptance of this risk has already been requested.", code="duplicate")
    acceptance = RiskAcceptance.objects.create(
        assessment=assessment,
        scope=scope,
        rule=rule,
        title=title,
        requested_by=by,
        requested_from=requested_from,
        requested_at=timezone.now(),
        request_note=note.strip(),
    )
    asked = f" of {person_label(requested_from)}" if requested_from else ""
    timeline_add(assessment, "acceptance requested", by=by, note=f"{title}{asked}. {note.strip()}".strip())
    # The named approver, or everyone who may accept it (separation of duties keeps the involved out).
    involved = _involved_ids(assessment) if assessment.organisation.separation_of_duties else set()
    notify_acceptance_requested(acceptance=acceptance, authority=needed, exclude=involved)
    return acceptance


@transaction.atomic
def acceptance_record(
    *,
    assessment: Assessment,
    by,
    scope: str,
    rule: str = "",
    reason: str,
    compensating_controls: str = "",
    expires_on: dt.date | None,
    conditions: list[Finding] | tuple[Finding, ...] = (),
    authenticated_at: dt.datetime | None,
) -> RiskAcceptance:
    """Accept a risk: fulfils an open request for it if there is one, otherwise records a new one."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _open_for_review(assessment)
    rule = "" if scope == RiskAcceptance.Scope.RESIDUAL else rule
    result = assessment_score(assessment)
    title = _scope_title(result, scope, rule)
    needed = au.acceptance_authority(scope=scope, residual=result.residual)
    decider = _decider(assessment, by, authenticated_at=authenticated_at)
    problems, relaxed = au.decider_problems(dataclasses.replace(decider, assigned_ids=()), action="accept its risks")
    if decider.authority < needed:
        problems.append(f"Accepting this needs {au.AUTHORITY_LABELS[needed]} authority.")
    if not decider.reauthenticated:
        problems.append(au.reauth_problem(reauth_minutes()))
    today = timezone.localdate()
    if not reason.strip():
        problems.append("Give the reason the risk is accepted.")
    if expires_on is None or expires_on <= today:
        problems.append("Set an expiry date after today: an acceptance is reviewed when it expires.")
    elif expires_on > today + dt.timedelta(days=ACCEPTANCE_MAX_DAYS):
        problems.append("An acceptance may run for at most three years.")
    foreign = [f for f in conditions if f.assessment_id != assessment.pk]
    if foreign:
        problems.append("Conditions must belong to this assessment.")
    if problems:
        raise ValidationError(problems, code="not_allowed")
    membership = membership_for(by)
    # One still marked accepted but past its expiry date (the nightly run has not got to it) is
    # expired now, so it can be renewed.
    assessment.acceptances.filter(status=RiskAcceptance.Status.ACCEPTED, expires_on__lt=today).update(
        status=RiskAcceptance.Status.EXPIRED
    )
    acceptance = (
        assessment.acceptances.select_for_update()
        .filter(scope=scope, rule=rule, status=RiskAcceptance.Status.REQUESTED)
        .first()
    ) or RiskAcceptance(assessment=assessment, scope=scope, rule=rule, requested_at=timezone.now())
    acceptance.title = title
    acceptance.status = RiskAcceptance.Status.ACCEPTED
    acceptance.reason = reason.strip()
    acceptance.compensating_controls = compensating_controls.strip()
    acceptance.accepted_by = by
    acceptance.accepted_by_label = person_label(by)
    acceptance.accepted_authority = membership.authority
    acceptance.separation_relaxed = relaxed
    acceptance.accepted_at = timezone.now()
    acceptance.expires_on = expires_on
    try:
        with transaction.atomic():
            acceptance.save()
    except IntegrityError:
        raise ValidationError("You have already accepted this risk.", code="duplicate") from None
    acceptance.conditions.set(conditions)
    timeline_add(
        assessment,
        "risk accepted",
        by=by,
        note=f"{title}, until {expires_on:%-d %b %Y}: {acceptance.reason}",
    )
    assessment_rescore(assessment=assessment)
    return acceptance


@transaction.atomic
def acceptance_decline(*, acceptance: RiskAcceptance, by, note: str) -> RiskAcceptance:
    """Refuse a requested acceptance, with the reason."""
    acceptance = RiskAcceptance.objects.select_for_update().get(pk=acceptance.pk)
    _open_for_review(acceptance.assessment)
    if acceptance.status != RiskAcceptance.Status.REQUESTED:
        raise ValidationError("Only a requested acceptance can be declined.", code="state")
    if not note.strip():
        raise ValidationError("Say why the risk is not accepted.", code="note")
    decider = _decider(acceptance.assessment, by, authenticated_at=None)
    problems, _relaxed = au.decider_problems(dataclasses.replace(decider, assigned_ids=()), action="decline it")
    if decider.authority < au.RISK:
        problems.append("Declining an acceptance needs risk acceptance authority.")
    if problems:
        raise ValidationError(problems, code="not_allowed")
    acceptance.status = RiskAcceptance.Status.DECLINED
    acceptance.declined_note = note.strip()
    acceptance.declined_by = by
    acceptance.save()
    timeline_add(acceptance.assessment, "acceptance declined", by=by, note=f"{acceptance.title}: {note.strip()}")
    return acceptance


def acceptance_candidates(assessment: Assessment, *, scope: str) -> list:
    """Members who could be asked to accept a risk of this scope (for the request form)."""
    result_residual = assessment.risk_band or None
    needed = au.acceptance_authority(scope=scope, residual=result_residual)
    ids = _deciding_members(assessment.organisation, authority=needed).values_list("user", flat=True)
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("last_name", "username"))
