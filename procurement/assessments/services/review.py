"""Writes for assessments. Views and commands call these; nothing else writes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from procurement.assessments.models import (
    Answer,
    AnswerChange,
    Assessment,
    Clarification,
    Comment,
    Finding,
    Override,
    SectionRevision,
    TimelineEvent,
)
from procurement.assessments.selectors import (
    assessment_score,
    bank_structure,
    chain_scoring_facts,
    supply_chain_snapshot,
)
from procurement.questionbank.models import BankVersion, QuestionBank
from procurement.scoring.provider_table import TableError, clean_rows
from procurement.vendors.models import AIService

S = Assessment.Status

# Legal moves. Every transition goes through _transition and onto the timeline.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.IN_PROGRESS, S.SUBMITTED},
    S.IN_PROGRESS: {S.SUBMITTED},
    S.SUBMITTED: {S.IN_REVIEW, S.CHANGES_REQUESTED},
    S.IN_REVIEW: {S.CHANGES_REQUESTED, S.APPROVED, S.REJECTED},
    S.CHANGES_REQUESTED: {S.IN_PROGRESS, S.SUBMITTED},
    S.APPROVED: set(),
    S.REJECTED: set(),
}

ILLEGAL_MOVE = "An assessment that is {current} cannot become {target}."
NOT_EDITABLE = (
    "This assessment is {status}; answers can only change while it is draft, in progress or has changes requested."
)
NO_PUBLISHED_VERSION = "The bank {bank} has no published version to pin."
OVERRIDE_REASON_REQUIRED = "An override needs a reason."
MISSING_ANSWERS = "{count} required question(s) are not answered yet."


class StaleSection(Exception):
    """Somebody saved the section after this form was loaded."""

    def __init__(self, section_code: str, current_revision: int, by: str):
        self.section_code, self.current_revision, self.by = section_code, current_revision, by
        super().__init__(f"{section_code} was saved by {by or 'someone else'} (revision {current_revision}).")


class MissingAnswers(ValidationError):
    def __init__(self, missing: list[tuple[str, str]]):
        self.missing = missing  # [(section_code, question_code)]
        super().__init__(MISSING_ANSWERS.format(count=len(missing)), code="missing")


def _label(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def timeline_add(
    assessment: Assessment, kind: str, *, by=None, by_label: str = "", note: str = "", old: str = "", new: str = ""
):
    TimelineEvent.objects.create(
        assessment=assessment,
        kind=kind,
        from_status=old,
        to_status=new,
        note=note,
        by=by,
        by_label=by_label or _label(by),
    )


def _transition(assessment: Assessment, target: str, *, by, note: str = "", by_label: str = "") -> None:
    current = assessment.status
    if target not in TRANSITIONS[current]:
        raise ValidationError(
            ILLEGAL_MOVE.format(current=S(current).label.lower(), target=S(target).label.lower()), code="illegal"
        )
    assessment.status = target
    assessment.save(update_fields=["status", "updated_at"])
    timeline_add(assessment, "status", by=by, by_label=by_label, note=note, old=current, new=target)


# --- Creating ---------------------------------------------------------------------------


def latest_published(bank: QuestionBank) -> BankVersion:
    version = bank.versions.filter(status=BankVersion.Status.PUBLISHED).order_by("-number").first()
    if version is None:
        raise ValidationError(NO_PUBLISHED_VERSION.format(bank=bank.name), code="no_version")
    return version


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
    assessment.reviewers.set(reviewers)
    timeline_add(assessment, "created", by=by, note=f"Pinned {version}", new=S.DRAFT)
    if intake:
        values = {code: AnswerInput(value=value) for code, value in intake.items()}
        answers_save(assessment=assessment, values=values, by=by, base_revisions=None)
    assessment_rescore(assessment=assessment)
    return assessment


# --- Answers -------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerInput:
    value: Any = None
    na: bool = False
    na_reason: str = ""

    def as_stored(self) -> dict:
        return {"value": None if self.na else self.value, "na": self.na, "na_reason": self.na_reason if self.na else ""}


def _stored(answer: Answer | None) -> dict:
    if answer is None:
        return {"value": None, "na": False, "na_reason": ""}
    return {"value": answer.value, "na": answer.na, "na_reason": answer.na_reason}


def section_revisions(assessment: Assessment) -> dict[str, int]:
    return dict(assessment.section_revisions.values_list("section_code", "revision"))


@transaction.atomic
def answers_save(
    *,
    assessment: Assessment,
    values: dict[str, AnswerInput],
    by,
    base_revisions: dict[str, int] | None,
    by_label: str = "",
) -> dict[str, int]:
    """Save answers keyed by question code; record every change; bump section revisions.

    ``base_revisions`` maps each touched section to the revision the editor
    loaded. If any section moved on since, nothing is written and StaleSection
    is raised (the caller shows both versions). None skips the check (imports,
    intake at creation). Returns the new revision of each touched section.
    """
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_editable:
        raise ValidationError(NOT_EDITABLE.format(status=assessment.get_status_display().lower()), code="locked")
    section_of = bank_structure(assessment.bank_version).section_of
    unknown = sorted(set(values) - set(section_of))
    if unknown:
        raise ValidationError(f"Unknown question code(s): {', '.join(unknown)}", code="unknown")
    touched = sorted({section_of[code] for code in values})
    revisions = {
        r.section_code: r
        for r in SectionRevision.objects.select_for_update().filter(assessment=assessment, section_code__in=touched)
    }
    if base_revisions is not None:
        for code in touched:
            current = revisions[code].revision if code in revisions else 0
            if base_revisions.get(code, 0) != current:
                row = revisions.get(code)
                raise StaleSection(code, current, _label(row.updated_by) if row else "")
    existing = {a.question_code: a for a in assessment.answers.filter(question_code__in=list(values))}
    changed_sections: set[str] = set()
    label = by_label or _label(by)
    for code, new in values.items():
        old = existing.get(code)
        old_stored, new_stored = _stored(old), new.as_stored()
        if old_stored == new_stored:
            continue
        if old is None:
            Answer.objects.create(
                assessment=assessment, question_code=code, updated_by=by, updated_by_label=label, **new_stored
            )
        else:
            for field, value in new_stored.items():
                setattr(old, field, value)
            old.updated_by, old.updated_by_label = by, label
            old.save()
        AnswerChange.objects.create(
            assessment=assessment,
            question_code=code,
            old_value=old_stored if old is not None else None,
            new_value=new_stored,
            by=by,
            by_label=label,
        )
        changed_sections.add(section_of[code])
    result = {}
    for code in touched:
        row = revisions.get(code) or SectionRevision(assessment=assessment, section_code=code, revision=0)
        if code in changed_sections:
            row.revision += 1
            row.updated_by = by
            row.save()
        result[code] = row.revision
    if changed_sections and assessment.status == S.DRAFT:
        _transition(assessment, S.IN_PROGRESS, by=by, by_label=by_label)
    return result


# --- Completeness, submit, review ------------------------------------------------------


def required_missing(assessment: Assessment) -> list[tuple[str, str]]:
    """Visible questions for respondents that still have no answer (or N/A with reason).

    Evidence uploads and reviewer-only questions are not required.
    """
    result = assessment_score(assessment)
    structure = bank_structure(assessment.bank_version)
    index = structure.question_index
    answered = {a.question_code for a in assessment.answers.all() if a.na or a.value not in (None, "", [])}
    missing = []
    for q in result.questions:
        spec = index[q.code]
        if q.status == "hidden" or spec["audience"] == "reviewer" or spec["type"] == "evidence":
            continue
        if q.code not in answered:
            missing.append((q.section, q.code))
    return missing


@transaction.atomic
def assessment_submit(*, assessment: Assessment, by, by_label: str = "") -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if S.SUBMITTED not in TRANSITIONS[assessment.status]:
        _transition(assessment, S.SUBMITTED, by=by)  # raises with the standard message
    missing = required_missing(assessment)
    if missing:
        raise MissingAnswers(missing)
    _transition(assessment, S.SUBMITTED, by=by, by_label=by_label)
    assessment_rescore(assessment=assessment)
    return assessment


@transaction.atomic
def assessment_start_review(*, assessment: Assessment, by) -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _transition(assessment, S.IN_REVIEW, by=by)
    return assessment


@transaction.atomic
def assessment_request_changes(*, assessment: Assessment, by, comment: str) -> Assessment:
    if not comment.strip():
        raise ValidationError("Say what needs to change.", code="comment_required")
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _transition(assessment, S.CHANGES_REQUESTED, by=by, note=comment.strip())
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
    timeline_add(assessment, "override", by=by, note=f"{question_code} -> {points} points: {reason.strip()}")
    assessment_rescore(assessment=assessment)
    return override


def finding_add(*, assessment: Assessment, kind: str, text: str, owner: str, due_date, by, question_code: str = ""):
    if assessment.is_final:
        raise ValidationError("A decided assessment is frozen.", code="frozen")
    if not text.strip():
        raise ValidationError("A finding needs a description.", code="text_required")
    finding = Finding.objects.create(
        assessment=assessment,
        kind=kind,
        text=text.strip(),
        owner=owner,
        due_date=due_date,
        question_code=question_code,
        created_by=by,
    )
    timeline_add(assessment, kind, by=by, note=text.strip())
    return finding


def assessment_rescore(*, assessment: Assessment) -> None:
    """Refresh the score summary kept on the row for lists and filters."""
    if assessment.is_final:
        return
    result = assessment_score(assessment)
    Assessment.objects.filter(pk=assessment.pk).update(
        risk_band=result.residual or "", decision=result.decision, overall_risk=result.overall_risk
    )


# --- Deciding and freezing --------------------------------------------------------------


def frozen_record_build(assessment: Assessment, *, decided_by=None, decision: str = "", note: str = "") -> dict:
    """Everything the decision rests on, as plain JSON that never changes afterwards.

    Without a decision it is the live record of an undecided assessment (reports of drafts).
    """
    structure = bank_structure(assessment.bank_version)
    chain = supply_chain_snapshot(assessment)
    result = assessment_score(assessment, facts=chain_scoring_facts(chain))
    service = assessment.service
    return {
        "format": 1,
        "assessment": {
            "id": assessment.pk,
            "organisation": assessment.organisation.name,
            "status": assessment.status,
            "created_at": assessment.created_at.isoformat(),
            "due_date": assessment.due_date.isoformat() if assessment.due_date else None,
            "owner": _label(assessment.owner),
            "reviewers": [_label(u) for u in assessment.reviewers.all()],
        },
        "vendor": {"name": service.vendor.name, "website": service.vendor.website},
        "service": {
            "name": service.name,
            "kind": service.kind,
            "model_name": service.model_name,
            "model_provider": service.model_provider,
            "business_use": service.business_use,
        },
        "bank": {
            "slug": assessment.bank_version.bank.slug,
            "name": assessment.bank_version.bank.name,
            "version": assessment.bank_version.number,
            "content_hash": assessment.bank_version.content_hash,
            "document": structure.document,
        },
        "answers": {a.question_code: _stored(a) | {"by": a.updated_by_label} for a in assessment.answers.all()},
        "overrides": [
            {
                "question": o.question_code,
                "points": o.points,
                "reason": o.reason,
                "by": _label(o.by),
                "at": o.at.isoformat(),
            }
            for o in assessment.overrides.filter(active=True)
        ],
        "comments": [
            {"question": c.question_code, "by": _label(c.author), "at": c.created_at.isoformat(), "body": c.body}
            for c in assessment.comments.select_related("author")
        ],
        "evidence": [
            {"question": e.question_code, "name": e.original_name, "size": e.size, "sha256": e.sha256}
            for e in assessment.evidence.all()
        ],
        "findings": [
            {
                "kind": f.kind,
                "text": f.text,
                "owner": f.owner,
                "due_date": f.due_date.isoformat() if f.due_date else None,
            }
            for f in assessment.findings.all()
        ],
        "clarifications": [
            {
                "question": c.question_code,
                "by": c.author_label,
                "from_vendor": c.from_vendor,
                "at": c.created_at.isoformat(),
                "body": c.body,
            }
            for c in assessment.clarifications.all()
        ],
        "supply_chain": chain,
        "score": result.as_dict(),
        "scored_as_of": timezone.localdate().isoformat(),
        "rule_params": structure.document["version"]["rule_params"],
        "decision": {"outcome": decision, "by": _label(decided_by), "note": note, "at": timezone.now().isoformat()}
        if decision
        else None,
        "timeline": [
            {
                "kind": e.kind,
                "from": e.from_status,
                "to": e.to_status,
                "by": e.by_label,
                "at": e.at.isoformat(),
                "note": e.note,
            }
            for e in assessment.timeline.all()
        ],
    }


def record_hash(record: dict) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()


@transaction.atomic
def assessment_decide(*, assessment: Assessment, by, approve: bool, note: str = "") -> Assessment:
    """Approve or reject, and freeze the record."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    target = S.APPROVED if approve else S.REJECTED
    if target not in TRANSITIONS[assessment.status]:
        _transition(assessment, target, by=by)  # raises
    result = assessment_score(assessment)
    # Through JSON once, so the record in memory is exactly what the database keeps.
    record = json.loads(
        json.dumps(frozen_record_build(assessment, decided_by=by, decision=target, note=note), default=str)
    )
    assessment.frozen_record = record
    assessment.frozen_hash = record_hash(record)
    assessment.decided_at = timezone.now()
    assessment.risk_band = result.residual or ""
    assessment.decision = result.decision
    assessment.overall_risk = result.overall_risk
    assessment.status = target
    assessment.save()
    timeline_add(assessment, "status", by=by, note=note, old=S.IN_REVIEW, new=target)
    return assessment


# --- Moving to a newer bank version ---------------------------------------------------


@dataclass(frozen=True)
class VersionDiff:
    added: list[str]
    removed: list[str]
    changed: list[str]
    unchanged: list[str]


def _comparable(q: dict) -> dict:
    """What makes an answer mean the same thing: type, choices' values and points, bands."""
    return {
        "type": q["type"],
        "choices": [(c["value"], c["points"]) for c in q["choices"]],
        "bands": q["bands"],
        "text": q["text"],
        "show_if": q["show_if"],
    }


def version_diff(current: BankVersion, target: BankVersion) -> VersionDiff:
    old = bank_structure(current).question_index
    new = bank_structure(target).question_index
    return VersionDiff(
        added=sorted(set(new) - set(old)),
        removed=sorted(set(old) - set(new)),
        changed=sorted(c for c in set(old) & set(new) if _comparable(old[c]) != _comparable(new[c])),
        unchanged=sorted(c for c in set(old) & set(new) if _comparable(old[c]) == _comparable(new[c])),
    )


@transaction.atomic
def assessment_upgrade(*, assessment: Assessment, target: BankVersion, by) -> VersionDiff:
    """Re-pin to a newer published version of the same bank. Answers to unchanged
    questions carry over; answers to changed or removed questions are cleared, and
    each clearing is recorded in the answer history (nothing is silently lost)."""
    assessment = Assessment.objects.select_for_update().select_related("bank_version").get(pk=assessment.pk)
    if not assessment.is_editable:
        raise ValidationError(NOT_EDITABLE.format(status=assessment.get_status_display().lower()), code="locked")
    if target.bank_id != assessment.bank_version.bank_id or target.status != BankVersion.Status.PUBLISHED:
        raise ValidationError("Choose a published version of the same bank.", code="bad_target")
    if (target.number or 0) <= (assessment.bank_version.number or 0):
        raise ValidationError("Choose a newer version than the one pinned.", code="not_newer")
    diff = version_diff(assessment.bank_version, target)
    label = f"upgrade to v{target.number}"
    for answer in assessment.answers.filter(question_code__in=diff.changed + diff.removed):
        AnswerChange.objects.create(
            assessment=assessment,
            question_code=answer.question_code,
            old_value=_stored(answer),
            new_value=None,
            by=by,
            by_label=f"{_label(by)} ({label})",
        )
        answer.delete()
    old_label = f"v{assessment.bank_version.number}"
    assessment.bank_version = target
    assessment.save(update_fields=["bank_version", "updated_at"])
    timeline_add(
        assessment,
        "upgrade",
        by=by,
        note=f"{old_label} -> v{target.number}: {len(diff.added)} added, {len(diff.removed)} removed, "
        f"{len(diff.changed)} changed, {len(diff.unchanged)} carried over",
    )
    assessment_rescore(assessment=assessment)
    return diff


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
    return Clarification.objects.create(
        assessment=assessment,
        question_code=question_code,
        from_vendor=from_vendor,
        author=by,
        author_label=vendor_label if from_vendor else _label(by),
        body=body,
    )


def reassessment_mark(*, service: AIService, reason: str) -> Assessment | None:
    """Mark the service's current (latest) assessment as needing reassessment, with the reason."""
    newest_first = Assessment.objects.filter(service=service).order_by("-created_at", "-pk")
    assessment = newest_first.defer("frozen_record").first()
    if assessment is None:
        return None
    lines = [line for line in assessment.reassess_reason.splitlines() if line] + [reason]
    assessment.reassess_reason = "\n".join(dict.fromkeys(lines))
    assessment.reassess_since = assessment.reassess_since or timezone.now()
    # A frozen record is not touched: these fields sit beside it.
    Assessment.objects.filter(pk=assessment.pk).update(
        reassess_reason=assessment.reassess_reason, reassess_since=assessment.reassess_since
    )
    timeline_add(assessment, "reassessment needed", by_label="supply chain", note=reason)
    return assessment


def chain_record_from_answer(*, assessment: Assessment, question_code: str, by) -> tuple[int, int]:
    """Record the vendor's provider-table answer as the service's supply chain (analysts can then edit it)."""
    from procurement.vendors.supply import chain_from_rows

    spec = bank_structure(assessment.bank_version).question_index.get(question_code)
    if spec is None or spec["type"] != "provider_table":
        raise ValidationError(f"{question_code} is not a provider table.", code="type")
    answer = assessment.answers.filter(question_code=question_code).first()
    if answer is None or not answer.value:
        raise ValidationError(f"{question_code} has no providers listed yet.", code="empty")
    try:
        rows = clean_rows(answer.value)
    except TableError as exc:
        raise ValidationError(exc.problems, code="invalid") from exc
    created, updated = chain_from_rows(service=assessment.service, rows=rows)
    timeline_add(
        assessment,
        "supply chain recorded",
        by=by,
        note=f"From {question_code}: {created} link(s) added, {updated} updated on {assessment.service.name}.",
    )
    return created, updated
