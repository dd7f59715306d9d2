"""The assessment's life: creating it, submitting, review (overrides, findings, comments,
clarifications), the decision that freezes its record, and marking it for reassessment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from procurement.assessments import notifications
from procurement.assessments.models import Answer, AnswerChange, Assessment, Clarification, Comment, Override
from procurement.assessments.presentation import has_basis
from procurement.assessments.records import person_label, stored_answer
from procurement.assessments.selectors import bank_structure
from procurement.assessments.services.answers import AnswerInput, MissingAnswers, answers_save, required_missing
from procurement.assessments.services.status import TRANSITIONS, S, assessment_rescore, timeline_add, transition
from procurement.assessments.signals import assessment_changed, clarification_added
from procurement.core.access import REVIEWERS, has_role
from procurement.core.models import Membership
from procurement.core.money import money_between, money_format
from procurement.core.selectors import rate_values
from procurement.questionbank.models import BankVersion, QuestionBank
from procurement.scoring.params import SpendBucket
from procurement.vendors.models import AIService

FROM_SERVICE_RECORD = "from the service record"
NO_PUBLISHED_VERSION = "The bank {bank} has no published version to pin."
OVERRIDE_REASON_REQUIRED = "An override needs a reason."


# --- Creating ---------------------------------------------------------------------------


def spend_prefill(*, service: AIService, version: BankVersion) -> tuple[dict[str, AnswerInput], str]:
    """The spend question's answer from the service's annual spend, converted to the bucket's
    currency with the organisation's rates: ({code: answer}, a note for the timeline). Empty
    when the version has no spend bucket or the service no spend; a missing rate leaves the
    question to be answered and says why in the note."""
    structure = bank_structure(version)
    params = structure.document["version"]["rule_params"].get("spend_bucket") or {}
    question = structure.question_index.get(params.get("question", ""))
    if question is None or service.annual_spend is None:
        return {}, ""
    bucket = SpendBucket.from_params(params, [c["value"] for c in question["choices"]])
    org = service.vendor.organisation
    amount, missing = money_between(
        service.annual_spend,
        service.currency,
        to=bucket.currency,
        reporting=org.reporting_currency,
        rates=rate_values(org),
    )
    spend = money_format(service.annual_spend, service.currency)
    if amount is None:
        return {}, f"{bucket.question} not pre-filled: no rate set for {', '.join(missing)} (annual spend {spend})."
    value = bucket.choice_for(amount)
    label = next(c["label"] for c in question["choices"] if c["value"] == value)
    shown = spend if service.currency == bucket.currency else f"{spend} ≈ {money_format(amount, bucket.currency)}"
    return {
        bucket.question: AnswerInput(value=value)
    }, f"{bucket.question} pre-filled from the service record: {shown}, {label}."


def latest_published(bank: QuestionBank) -> BankVersion:
    version = bank.versions.filter(status=BankVersion.Status.PUBLISHED).order_by("-number").first()
    if version is None:
        raise ValidationError(NO_PUBLISHED_VERSION.format(bank=bank.name), code="no_version")
    return version


@transaction.atomic
def assessments_newest_refresh(*, service_ids: Iterable[int]) -> None:
    """Mark each of these services' newest assessment (latest created, then highest id: the one
    every "current assessment of the service" means) as its newest (``Assessment.is_newest``),
    and no other. Call it after creating assessments (``assessment_create`` does), after inserting
    them in bulk, and after deleting one (nothing in the product deletes an assessment, but a
    fix by hand may): three queries whatever the number of services.

    Locks the services' rows (PostgreSQL) so that two assessments created at once for one service
    take turns here instead of both claiming to be its newest; in a transaction of its own when
    called outside one (`make bench-scale` after its bulk insert)."""
    service_ids = list(service_ids)
    if not service_ids:
        return
    list(AIService.objects.select_for_update().filter(pk__in=service_ids).order_by("pk").values_list("pk"))
    newest = Assessment.objects.filter(service=OuterRef("pk")).order_by("-created_at", "-pk").values("pk")[:1]
    ids = (
        AIService.objects.filter(pk__in=service_ids)
        .annotate(newest=Subquery(newest))
        .filter(newest__isnull=False)
        .values("newest")
    )
    # Unmark first: at most one newest per service at every moment (the constraint checks each row).
    Assessment.objects.filter(service_id__in=service_ids, is_newest=True).exclude(pk__in=ids).update(is_newest=False)
    Assessment.objects.filter(pk__in=ids, is_newest=False).update(is_newest=True)


@transaction.atomic
def assessment_create(
    *,
    service: AIService,
    bank: QuestionBank,
    by,
    owner=None,
    reviewers=(),
    due_date: dt.date | None = None,
    intake: dict[str, Any] | None = None,
) -> Assessment:
    """Pin the bank's latest published version and record the buyer intake."""
    version = latest_published(bank)
    assessment = Assessment.objects.create(
        organisation=service.vendor.organisation,
        service=service,
        bank_version=version,
        owner=owner or by,
        due_date=due_date,
        created_by=by,
    )
    assessments_newest_refresh(service_ids=[service.pk])
    assessment.refresh_from_db(fields=["is_newest"])  # another may have been created at the same time
    assessment.reviewers.set(reviewers)
    timeline_add(assessment, "created", by=by, note=f"Pinned {version}", new=S.DRAFT)
    if reviewers:
        notifications.notify_reviewers_assigned(assessment=assessment, reviewers=reviewers, by=by)
    prefill, note = spend_prefill(service=service, version=version)
    if any(code in (intake or {}) for code in prefill):  # the intake given at creation wins
        prefill, note = {}, ""
    if prefill:
        answers_save(
            assessment=assessment,
            values=prefill,
            by=by,
            base_revisions=None,
            by_label=FROM_SERVICE_RECORD,
            starts_work=False,
        )
    if note:
        timeline_add(assessment, "prefill", by=by, note=note)
    if intake:
        values = {code: AnswerInput(value=value) for code, value in intake.items()}
        answers_save(assessment=assessment, values=values, by=by, base_revisions=None)
    assessment_rescore(assessment=assessment)
    return assessment


@transaction.atomic
def assessment_reviewers_set(*, assessment: Assessment, reviewers, by) -> list:
    """Assign the reviewers (replacing the previous ones); those newly assigned are told.
    Returns the newly assigned."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_final:
        raise ValidationError("A decided assessment is frozen.", code="frozen")
    reviewers = list(reviewers)
    allowed = set(
        Membership.objects.filter(
            organisation=assessment.organisation, role__in=REVIEWERS, user__in=reviewers
        ).values_list("user", flat=True)
    )
    if any(u.pk not in allowed for u in reviewers):
        raise ValidationError("Reviewers must be reviewers or admins of this organisation.", code="not_reviewer")
    before = set(assessment.reviewers.values_list("pk", flat=True))
    assessment.reviewers.set(reviewers)
    added = [u for u in reviewers if u.pk not in before]
    if set(u.pk for u in reviewers) != before:
        names = ", ".join(person_label(u) for u in reviewers) or "nobody"
        timeline_add(assessment, "reviewers", by=by, note=f"Reviewers: {names}")
    if added:
        notifications.notify_reviewers_assigned(assessment=assessment, reviewers=added, by=by)
    return added


# --- Submit and review ---------------------------------------------------------------


@transaction.atomic
def assessment_submit(*, assessment: Assessment, by, by_label: str = "") -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if S.SUBMITTED not in TRANSITIONS[assessment.status]:
        transition(assessment, S.SUBMITTED, by=by)  # raises with the standard message
    missing = required_missing(assessment)
    if missing:
        raise MissingAnswers(missing)
    transition(assessment, S.SUBMITTED, by=by, by_label=by_label)
    assessment_rescore(assessment=assessment)
    notifications.assessment_event(
        assessment,
        event="assessment.submitted",
        key=f"assessment:{assessment.pk}:submitted:{timezone.now():%Y%m%dT%H%M%S%f}",
        summary=f"Submitted for review: {notifications.assessment_label(assessment)}",
        lines=[f"Submitted by {by_label or person_label(by)}."],
    )
    return assessment


@transaction.atomic
def assessment_start_review(*, assessment: Assessment, by) -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    transition(assessment, S.IN_REVIEW, by=by)
    return assessment


@transaction.atomic
def assessment_request_changes(*, assessment: Assessment, by, comment: str) -> Assessment:
    if not comment.strip():
        raise ValidationError("Say what needs to change.", code="comment_required")
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    transition(assessment, S.CHANGES_REQUESTED, by=by, note=comment.strip())
    return assessment


@transaction.atomic
def override_set(*, assessment: Assessment, question_code: str, points: int, reason: str, by) -> Override:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status not in (S.SUBMITTED, S.IN_REVIEW):
        raise ValidationError("Points can be overridden while the assessment is submitted or in review.", code="state")
    if not reason.strip():
        raise ValidationError(OVERRIDE_REASON_REQUIRED, code="reason_required")
    if question_code not in bank_structure(assessment.bank_version).question_index:
        raise ValidationError(f"Unknown question {question_code}.", code="unknown")
    if not 0 <= points <= 4:
        raise ValidationError("Points run from 0 to 4.", code="range")
    assessment.overrides.filter(question_code=question_code, active=True).update(active=False)
    override = Override.objects.create(
        assessment=assessment, question_code=question_code, points=points, reason=reason.strip(), by=by
    )
    timeline_add(assessment, "override", by=by, note=f"{question_code} → {points} points: {reason.strip()}")
    assessment_rescore(assessment=assessment)
    return override


# --- What an answer rests on ----------------------------------------------------------------

BASIS_REVIEWERS_ONLY = "Only a reviewer or an organisation admin can confirm what an answer rests on."
BASIS_STATE = "What an answer rests on is confirmed while the assessment is submitted or in review."
BASIS_NO_ANSWER = "{code} has no answer to confirm: only a given answer (not N/A, not undisclosed) rests on something."
BASIS_VENDOR_ONLY = "{code} is not a vendor's scored answer, so it has no basis to confirm."
BASIS_UNKNOWN = "Choose vendor statement, document or independent attestation."


@transaction.atomic
def answers_basis_confirm(*, assessment: Assessment, bases: dict[str, str], by) -> list[Answer]:
    """A reviewer confirms what vendor answers rest on (``bases``: question code -> the basis
    the reviewer accepts, which may differ from the one claimed): who and when are recorded, the
    answer history keeps a changed basis, the timeline the confirmation, and the score is
    recomputed once (only a confirmed document or attestation lifts an answer above the vendor's
    statement). An analyst cannot confirm; a later change to an answer needs confirming again.
    Nothing is written unless every code can be confirmed."""
    if not has_role(by, *REVIEWERS):
        raise PermissionDenied(BASIS_REVIEWERS_ONLY)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status not in (S.SUBMITTED, S.IN_REVIEW):
        raise ValidationError(BASIS_STATE, code="state")
    index = bank_structure(assessment.bank_version).question_index
    answers = {a.question_code: a for a in assessment.answers.filter(question_code__in=list(bases))}
    for code, basis in bases.items():
        if basis not in Answer.Basis.values:
            raise ValidationError(BASIS_UNKNOWN, code="basis")
        q = index.get(code)
        if q is None:
            raise ValidationError(f"Unknown question {code}.", code="unknown")
        if not has_basis(q):
            raise ValidationError(BASIS_VENDOR_ONLY.format(code=code), code="audience")
        answer = answers.get(code)
        if answer is None or answer.na or answer.undisclosed or answer.value in (None, "", []):
            raise ValidationError(BASIS_NO_ANSWER.format(code=code), code="no_answer")
    now = timezone.now()
    label = f"{person_label(by)} (reviewer: basis confirmed)"
    confirmed = []
    for code, basis in bases.items():
        answer = answers[code]
        before = stored_answer(answer)
        answer.basis = basis
        answer.basis_confirmed_by, answer.basis_confirmed_at = by, now
        answer.save(update_fields=["basis", "basis_confirmed_by", "basis_confirmed_at"])
        after = stored_answer(answer)
        if after != before:
            AnswerChange.objects.create(
                assessment=assessment, question_code=code, old_value=before, new_value=after, by=by, by_label=label
            )
        confirmed.append(answer)
    if confirmed:
        note = "; ".join(f"{a.question_code} rests on: {Answer.Basis(a.basis).label.lower()}" for a in confirmed)
        timeline_add(assessment, "basis confirmed", by=by, note=note + ".")
        assessment_rescore(assessment=assessment)
    return confirmed


# --- Comments and clarifications ------------------------------------------------------


MESSAGE_MAX = 4000


def _message_body(body: str, what: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError(f"{what} cannot be empty.", code="empty")
    if "\x00" in body:  # PostgreSQL text cannot hold NUL
        raise ValidationError(f"{what} cannot contain NUL characters.", code="null_characters")
    if len(body) > MESSAGE_MAX:
        raise ValidationError(f"{what} is limited to {MESSAGE_MAX} characters.", code="too_long")
    return body


def comment_add(*, assessment: Assessment, question_code: str, body: str, by) -> None:
    """An internal comment: the team only, never the vendor."""
    body = _message_body(body, "A comment")
    if question_code not in bank_structure(assessment.bank_version).question_index:
        raise ValidationError(f"Unknown question {question_code}.", code="unknown")
    Comment.objects.create(assessment=assessment, question_code=question_code, author=by, body=body)
    assessment_changed.send(sender=Assessment, assessment=assessment, settled=False)  # comments are in the record


def clarification_add(
    *, assessment: Assessment, question_code: str, body: str, by=None, vendor_label: str = ""
) -> Clarification:
    """A message in the clarification thread both sides see.

    From the team: ``by`` is the user. From the vendor portal: ``by`` is None and
    ``vendor_label`` names the contact; the question must be one the vendor answers.
    """
    body = _message_body(body, "A message")
    spec = bank_structure(assessment.bank_version).question_index.get(question_code)
    from_vendor = by is None
    if spec is None or (from_vendor and spec["audience"] != "vendor"):
        raise ValidationError(f"Unknown question {question_code}.", code="unknown")
    if assessment.is_final:
        raise ValidationError("A decided assessment is frozen.", code="frozen")
    clarification = Clarification.objects.create(
        assessment=assessment,
        question_code=question_code,
        from_vendor=from_vendor,
        author=by,
        author_label=vendor_label if from_vendor else person_label(by),
        body=body,
    )
    if from_vendor:
        notifications.notify_vendor_question(clarification=clarification)
    # The team's reply goes to the vendor contacts holding a live link: the portal, which
    # knows the links, queues that mail (this layer may not import it).
    clarification_added.send(sender=Clarification, clarification=clarification)
    assessment_changed.send(sender=Assessment, assessment=assessment, settled=False)  # the thread is in the record
    return clarification


def reassessment_mark(
    *, service: AIService, reason: str, by_label: str = "supply chain", trigger: str = "chain"
) -> Assessment | None:
    """Mark the service's current (latest) assessment as needing reassessment, with the reason,
    and tell its owner. ``trigger`` names what flagged it (``chain``: the supply chain or the
    model; ``evidence_expired``, ``contract_renewal``; anything else only notifies): the
    organisation chooses per trigger whether a reassessment then starts on its own
    (procurement.portfolio.reassessment)."""
    newest_first = Assessment.objects.filter(service=service).order_by("-created_at", "-pk")
    assessment = newest_first.defer("frozen_record").first()
    if assessment is None:
        return None
    lines = [line for line in assessment.reassess_reason.splitlines() if line] + [reason]
    assessment.reassess_reason = "\n".join(dict.fromkeys(lines))
    assessment.reassess_since = assessment.reassess_since or timezone.now()
    assessment.reassess_triggers = list(dict.fromkeys([*(assessment.reassess_triggers or []), trigger]))
    # A frozen record is not touched: these fields sit beside it.
    Assessment.objects.filter(pk=assessment.pk).update(
        reassess_reason=assessment.reassess_reason,
        reassess_since=assessment.reassess_since,
        reassess_triggers=assessment.reassess_triggers,
    )
    timeline_add(assessment, "reassessment needed", by_label=by_label, note=reason)
    notifications.notify_reassessment_flagged(assessment=assessment, reason=reason)
    return assessment
