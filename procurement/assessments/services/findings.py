"""Conditions and findings as live items: raised during review, then followed to closure
after the decision.

The life of one item::

    open -> in progress -> done (awaiting verification) -> verified
      \\________________/      |
               ^               v  "not verified: ..." (back to in progress)
               +---------------+
    open / in progress / done -> accepted as risk (rests on a RiskAcceptance)

Who may do what:

* the owner, or an analyst or admin of the organisation, moves an item between open,
  in progress and done (done needs closure notes; a closure file is optional);
* a reviewer or admin verifies a done item, or sends it back with the reason, but not the
  person who marked it done;
* a reviewer or admin records an item as accepted as risk, naming an accepted risk
  acceptance (scope "rule" or "residual") of the same assessment.

Every change writes a FindingEvent (the item's history) and a timeline entry. None of it
touches the frozen record, which keeps each item's state at the decision.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from procurement.assessments.evidence import EvidenceRejected, evidence_store
from procurement.assessments.models import Assessment, Finding, FindingEvent, RiskAcceptance
from procurement.assessments.records import person_label
from procurement.assessments.services.status import timeline_add
from procurement.core.models import Membership
from procurement.core.text import text_problem

F = Finding.Status

NOTE_MAX = 4000
TEXT_REQUIRED = "A finding needs a description."
KIND_UNKNOWN = "Choose whether this is a finding or a condition."
OWNER_NOT_MEMBER = "The owner must be a member of {organisation}."
CLOSURE_NOTE_REQUIRED = "Say what was done to close it (closure notes)."
REASON_REQUIRED = "Say why it is not verified, so the owner knows what is missing."
CANNOT_MOVE = "A {kind} that is {current} cannot become {target}."
NOT_YOURS = "Only the owner, an analyst or an admin may update this {kind}."
NOT_A_VERIFIER = "Only a reviewer or an admin may verify a {kind}."
NOT_AN_ACCEPTER = "Only a reviewer or an admin may record a {kind} as accepted risk."
SELF_VERIFY = "You marked this {kind} done; someone else must verify it."
ACCEPTANCE_WRONG = "Choose an accepted risk acceptance of this assessment, for a rule or for the residual rating."
ACCEPTANCE_EXPIRED = "That risk acceptance expired on {date}."
ACCEPTANCE_NOT_LINKED = "That risk acceptance was not recorded for this {kind}; choose one that lists it."
ACCEPTANCE_AUTHORITY = "Closing a {kind} as accepted risk needs risk acceptance authority."

# The owner's moves (and an analyst's or admin's on the owner's behalf).
OWNER_MOVES: dict[str, set[str]] = {
    F.OPEN: {F.IN_PROGRESS, F.DONE},
    F.IN_PROGRESS: {F.OPEN, F.DONE},
    F.DONE: {F.IN_PROGRESS},
}
OWNER_TARGETS = (F.OPEN, F.IN_PROGRESS, F.DONE)


def _label(status: str) -> str:
    return F(status).label.lower()


def _clean(text: str, *, what: str = "This text") -> str:
    text = (text or "").strip()
    problem = text_problem(text)
    if problem:
        raise ValidationError(f"{what} {problem}; remove it and try again.", code="unstorable")
    if len(text) > NOTE_MAX:
        raise ValidationError(f"{what} is limited to {NOTE_MAX} characters.", code="too_long")
    return text


def _role_in(user, organisation) -> str | None:
    """The user's role in the organisation, or None for anyone else (including site staff)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True).first()


def finding_may_update(finding: Finding, user) -> bool:
    """The owner, or an analyst or admin of the assessment's organisation."""
    role = _role_in(user, finding.assessment.organisation)
    if role is None:
        return False
    return finding.owner_user_id == user.pk or role in (Membership.Role.ADMIN, Membership.Role.ANALYST)


def finding_may_verify(finding: Finding, user) -> bool:
    """A reviewer or admin (who did not mark it done: see ``finding_done_by``)."""
    return _role_in(user, finding.assessment.organisation) in (Membership.Role.ADMIN, Membership.Role.REVIEWER)


def finding_done_by(finding: Finding) -> int | None:
    """The user id of whoever last marked the item done (None if nobody, or unknown)."""
    event = finding.events.filter(to_status=F.DONE).order_by("-at", "-pk").first()
    return event.by_id if event else None


def _record(finding: Finding, *, by, old: str, new: str, note: str) -> None:
    finding.status_changed_at = timezone.now()
    FindingEvent.objects.create(
        finding=finding, from_status=old, to_status=new, note=note, by=by, by_label=person_label(by)
    )
    line = f"“{finding.text[:80]}”: {_label(old)} → {_label(new)}" if old else f"“{finding.text[:80]}” raised"
    timeline_add(finding.assessment, finding.kind, by=by, note=f"{line}. {note}".strip() if note else line)


def _locked(finding: Finding) -> Finding:
    return Finding.objects.select_for_update().select_related("assessment__organisation").get(pk=finding.pk)


# --- Raising ------------------------------------------------------------------------------


@transaction.atomic
def finding_add(
    *,
    assessment: Assessment,
    kind: str,
    text: str,
    by,
    owner_user=None,
    due_date: dt.date | None = None,
    question_code: str = "",
) -> Finding:
    """Record a finding or a condition during review, owned by a member of the organisation."""
    if assessment.is_final:
        raise ValidationError("A decided assessment is frozen.", code="frozen")
    if kind not in Finding.Kind.values:
        raise ValidationError(KIND_UNKNOWN, code="kind")
    text = _clean(text, what="The description")
    if not text:
        raise ValidationError(TEXT_REQUIRED, code="text_required")
    if (
        owner_user is not None
        and not Membership.objects.filter(user=owner_user, organisation_id=assessment.organisation_id).exists()
    ):
        raise ValidationError(OWNER_NOT_MEMBER.format(organisation=assessment.organisation), code="owner")
    finding = Finding.objects.create(
        assessment=assessment,
        kind=kind,
        text=text,
        owner_user=owner_user,
        due_date=due_date,
        question_code=question_code,
        created_by=by,
        status=F.OPEN,
        status_changed_at=timezone.now(),
    )
    FindingEvent.objects.create(finding=finding, to_status=F.OPEN, by=by, by_label=person_label(by))
    timeline_add(assessment, kind, by=by, note=text)
    return finding


# --- Following up -------------------------------------------------------------------------


@transaction.atomic
def finding_update(*, finding: Finding, to: str, by, note: str = "", upload=None) -> Finding:
    """The owner's move: open, in progress or done. Done needs closure notes; ``upload`` (a file)
    is stored as closure evidence, checked like every evidence upload (size, type, once by content)."""
    finding = _locked(finding)
    kind = finding.get_kind_display().lower()
    if not finding_may_update(finding, by):
        raise PermissionDenied(NOT_YOURS.format(kind=kind))
    if to not in OWNER_TARGETS or to not in OWNER_MOVES.get(finding.status, set()):
        target = _label(to) if to in F.values else "that"
        raise ValidationError(
            CANNOT_MOVE.format(kind=kind, current=_label(finding.status), target=target), code="illegal"
        )
    note = _clean(note, what="The note")
    if to == F.DONE and not note:
        raise ValidationError(CLOSURE_NOTE_REQUIRED, code="note_required")
    if upload is not None:
        try:
            evidence_store(
                assessment=finding.assessment, question_code="", upload=upload, by=by, field="file", finding=finding
            )
        except EvidenceRejected as exc:
            raise ValidationError(exc.message, code="evidence") from exc
    old = finding.status
    finding.status = to
    if to == F.DONE:
        finding.closure_note = note
    _record(finding, by=by, old=old, new=to, note=note)
    finding.save(update_fields=["status", "status_changed_at", "closure_note"])
    return finding


@transaction.atomic
def finding_verify(*, finding: Finding, by, verified: bool, note: str = "") -> Finding:
    """A reviewer or admin checks a done item: verified (closed), or back to in progress
    with the reason ("not verified: ..."). Whoever marked it done may not verify it."""
    finding = _locked(finding)
    kind = finding.get_kind_display().lower()
    if not finding_may_verify(finding, by):
        raise PermissionDenied(NOT_A_VERIFIER.format(kind=kind))
    if finding.status != F.DONE:
        target = F.VERIFIED if verified else F.IN_PROGRESS
        raise ValidationError(
            CANNOT_MOVE.format(kind=kind, current=_label(finding.status), target=_label(target)), code="illegal"
        )
    if finding_done_by(finding) == by.pk:
        raise ValidationError(SELF_VERIFY.format(kind=kind), code="self_verify")
    note = _clean(note, what="The note")
    old = finding.status
    if verified:
        finding.status = F.VERIFIED
        finding.verified_by = by
        finding.verified_at = timezone.now()
        _record(finding, by=by, old=old, new=F.VERIFIED, note=note)
    else:
        if not note:
            raise ValidationError(REASON_REQUIRED, code="reason_required")
        finding.status = F.IN_PROGRESS
        _record(finding, by=by, old=old, new=F.IN_PROGRESS, note=f"Not verified: {note}")
    finding.save(update_fields=["status", "status_changed_at", "verified_by", "verified_at"])
    return finding


@transaction.atomic
def finding_accept_risk(*, finding: Finding, by, acceptance: RiskAcceptance, note: str = "") -> Finding:
    """Close a live item as accepted risk, resting on an accepted risk acceptance (a rule's or the
    residual rating's) of the same assessment. The acceptance is recorded by the decide services;
    this only links the item to it."""
    finding = _locked(finding)
    kind = finding.get_kind_display().lower()
    if not finding_may_verify(finding, by):
        raise PermissionDenied(NOT_AN_ACCEPTER.format(kind=kind))
    if finding.status not in Finding.LIVE:
        raise ValidationError(
            CANNOT_MOVE.format(kind=kind, current=_label(finding.status), target=_label(F.ACCEPTED)), code="illegal"
        )
    if (
        acceptance is None
        or acceptance.assessment_id != finding.assessment_id
        or acceptance.status != RiskAcceptance.Status.ACCEPTED
        or acceptance.scope not in (RiskAcceptance.Scope.RULE, RiskAcceptance.Scope.RESIDUAL)
    ):
        raise ValidationError(ACCEPTANCE_WRONG, code="acceptance")
    if acceptance.expires_on and acceptance.expires_on < timezone.localdate():
        raise ValidationError(ACCEPTANCE_EXPIRED.format(date=acceptance.expires_on), code="acceptance_expired")
    membership = Membership.objects.filter(user=by, organisation=finding.assessment.organisation).first()
    if membership is None or membership.authority < Membership.Authority.RISK:
        raise ValidationError(ACCEPTANCE_AUTHORITY.format(kind=kind), code="authority")
    # The acceptance must have named this item when it was recorded; it is never changed afterwards.
    if not acceptance.conditions.filter(pk=finding.pk).exists():
        raise ValidationError(ACCEPTANCE_NOT_LINKED.format(kind=kind), code="acceptance_not_linked")
    note = _clean(note, what="The note")
    old = finding.status
    finding.status = F.ACCEPTED
    finding.acceptance = acceptance
    _record(finding, by=by, old=old, new=F.ACCEPTED, note=note or f"Rests on: {acceptance.title}")
    finding.save(update_fields=["status", "status_changed_at", "acceptance"])
    return finding
