"""Answers: saving them (with history and per-section revisions), what is still missing,
and turning a provider-table answer into the service's supply chain."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from procurement.assessments.models import Answer, AnswerChange, Assessment, SectionRevision
from procurement.assessments.records import person_label, stored_answer
from procurement.assessments.selectors import assessment_score, bank_structure
from procurement.assessments.services.status import (
    S,
    assessment_rescore,
    open_assessments_rescore,
    timeline_add,
    transition,
)
from procurement.assessments.signals import assessment_changed
from procurement.core.access import REVIEWERS, has_role
from procurement.core.compiled import CompiledRead
from procurement.scoring.provider_table import TableError, clean_rows
from procurement.vendors.models import AIService
from procurement.vendors.supply import chain_from_rows

NOT_EDITABLE = (
    "This assessment is {status}; answers can only change while it is draft, in progress or has changes requested."
)
REVIEWER_ONLY = "Only a reviewer or an organisation admin can answer {codes}: reviewer-only questions."
REVIEWER_FROZEN = "This assessment is decided; its reviewer-only answers are frozen with it."
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


@dataclass(frozen=True)
class AnswerInput:
    value: Any = None
    na: bool = False
    na_reason: str = ""
    undisclosed: bool = False  # the vendor does not disclose it (number and date questions)
    # What the answer rests on (Answer.Basis); None keeps the stored one (inputs that do not say).
    basis: str | None = None

    def as_stored(self) -> dict:
        """As ``records.stored_answer`` writes it: ``basis`` only above the vendor's statement."""
        if self.undisclosed and not self.na:
            return {"value": None, "na": False, "na_reason": "", "undisclosed": True}
        stored = {
            "value": None if self.na else self.value,
            "na": self.na,
            "na_reason": self.na_reason if self.na else "",
        }
        if self.basis and self.basis != Answer.Basis.STATEMENT and not self.na and self.value not in (None, "", []):
            stored["basis"] = self.basis
        return stored


_SECTION_REVISIONS = CompiledRead(
    lambda assessment: SectionRevision.objects.filter(assessment=assessment).values_list("section_code", "revision"),
    int,
)


def section_revisions(assessment: Assessment) -> dict[str, int]:
    """Each section's revision (a section never saved has none). Its SQL is compiled once
    (``CompiledRead``): every section page reads it."""
    return dict(_SECTION_REVISIONS(assessment.pk))


def _writable_codes(assessment: Assessment, index: dict[str, dict], values: dict, *, by) -> list[str]:
    """Refuse what ``by`` may not write now; return the reviewer-only codes among ``values``."""
    reviewer_codes = sorted(c for c in values if index[c]["audience"] == "reviewer")
    if len(reviewer_codes) < len(values) and not assessment.is_editable:
        raise ValidationError(NOT_EDITABLE.format(status=assessment.get_status_display().lower()), code="locked")
    if reviewer_codes:
        if assessment.is_final:
            raise ValidationError(REVIEWER_FROZEN, code="locked")
        if not has_role(by, *REVIEWERS):
            raise ValidationError(REVIEWER_ONLY.format(codes=", ".join(reviewer_codes)), code="reviewer_only")
    return reviewer_codes


def _locked(assessment: Assessment) -> Assessment:
    """The assessment re-read under its row lock, with the bank version, service and vendor the
    rescore needs (three reads fewer). Only the assessment's row is locked, so saves on other
    assessments of the service never wait; those related rows are read unlocked either way, so
    the caller's, read earlier in the same request (a section page's), serve when it has them
    and the lock finds the same bank version and service: a join of three tables less."""
    related = []
    version_cached = Assessment._meta.get_field("bank_version").is_cached(assessment)
    service_cached = Assessment._meta.get_field("service").is_cached(assessment) and (
        AIService._meta.get_field("vendor").is_cached(assessment.service)
    )
    if not version_cached:
        related.append("bank_version")
    if not service_cached:
        related.append("service__vendor")
    qs = Assessment.objects.select_for_update(of=("self",))
    locked = (qs.select_related(*related) if related else qs).get(pk=assessment.pk)
    if version_cached and locked.bank_version_id == assessment.bank_version_id:
        locked.bank_version = assessment.bank_version
    if service_cached and locked.service_id == assessment.service_id:
        locked.service = assessment.service
    return locked


@transaction.atomic
def answers_save(
    *,
    assessment: Assessment,
    values: dict[str, AnswerInput],
    by,
    base_revisions: dict[str, int] | None,
    by_label: str = "",
    starts_work: bool = True,
) -> dict[str, int]:
    """Save answers keyed by question code; record every change; bump section revisions.

    ``base_revisions`` maps each touched section to the revision the editor
    loaded. If any section moved on since, nothing is written and StaleSection
    is raised (the caller shows both versions). None skips the check (imports,
    intake at creation). Returns the new revision of each touched section.

    Reviewer-only questions (audience ``reviewer``) are answered by a reviewer or an org
    admin, on the review page, at any time until the decision; every other answer only
    while the assessment is editable. ``starts_work=False`` (an answer copied from the service
    record at creation) leaves a draft a draft.
    """
    assessment = _locked(assessment)
    structure = bank_structure(assessment.bank_version)
    section_of = structure.section_of
    unknown = sorted(set(values) - set(section_of))
    if unknown:
        raise ValidationError(f"Unknown question code(s): {', '.join(unknown)}", code="unknown")
    reviewer_codes = _writable_codes(assessment, structure.question_index, values, by=by)
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
                raise StaleSection(code, current, person_label(row.updated_by) if row else "")
    # Every answer of the assessment, read once under the lock: the ones given are compared and
    # changed below, and all of them, as saved, are what the rescore scores (one query fewer).
    stored = list(assessment.answers.all())
    existing = {a.question_code: a for a in stored if a.question_code in values}
    changed_sections: set[str] = set()
    respondent_changed = False
    label = by_label or person_label(by)
    # New answers and every change are inserted together (a whole questionnaire imported or
    # carried forward is a few hundred rows: one INSERT each, not one per row).
    added: list[Answer] = []
    changes: list[AnswerChange] = []
    for code, new in values.items():
        old = existing.get(code)
        if new.basis is None:  # the input does not say: the answer keeps what it rests on
            new = replace(new, basis=old.basis if old is not None else Answer.Basis.STATEMENT)
        old_stored, new_stored = stored_answer(old), new.as_stored()
        if old_stored == new_stored:
            continue
        if old is None:
            added.append(
                Answer(assessment=assessment, question_code=code, updated_by=by, updated_by_label=label, **new_stored)
            )
        else:
            for field, value in new_stored.items():
                setattr(old, field, value)
            old.undisclosed = bool(new_stored.get("undisclosed"))
            old.basis = new_stored.get("basis", Answer.Basis.STATEMENT)
            old.updated_by, old.updated_by_label = by, label
            # A changed answer is given now: no longer the one carried from a previous assessment,
            # and what it rests on needs a reviewer's confirmation again.
            old.carried_from, old.carried_given_at, old.confirmed_at = None, None, None
            old.basis_confirmed_by, old.basis_confirmed_at = None, None
            old.save()
        changes.append(
            AnswerChange(
                assessment=assessment,
                question_code=code,
                old_value=old_stored if old is not None else None,
                new_value=new_stored,
                by=by,
                by_label=label,
            )
        )
        changed_sections.add(section_of[code])
        respondent_changed = respondent_changed or code not in reviewer_codes
    Answer.objects.bulk_create(added)
    AnswerChange.objects.bulk_create(changes)
    result = {}
    for code in touched:
        row = revisions.get(code) or SectionRevision(assessment=assessment, section_code=code, revision=0)
        if code in changed_sections:
            row.revision += 1
            row.updated_by = by
            row.save()
        result[code] = row.revision
    # A reviewer's check does not start the respondents' work.
    if starts_work and respondent_changed and assessment.status == S.DRAFT:
        transition(assessment, S.IN_PROGRESS, by=by, by_label=by_label)
    if changed_sections:
        # The recommendation shown in lists and headers is never stale.
        assessment_rescore(assessment=assessment, answers=[*stored, *added])
        assessment_changed.send(sender=Assessment, assessment=assessment, settled=False)
    return result


def answers_basis_lift(*, assessment: Assessment, codes, by, by_label: str = "") -> list[str]:
    """A document was attached to these answers: each given answer resting on the vendor's
    statement now rests on a document (claimed; a reviewer confirms it). Through ``answers_save``,
    so the history records it. Returns the codes lifted."""
    answers = assessment.answers.filter(
        question_code__in=list(codes), basis=Answer.Basis.STATEMENT, na=False, undisclosed=False
    )
    values = {
        a.question_code: AnswerInput(value=a.value, basis=Answer.Basis.DOCUMENT)
        for a in answers
        if a.value not in (None, "", [])
    }
    if values:
        answers_save(assessment=assessment, values=values, by=by, by_label=by_label, base_revisions=None)
    return sorted(values)


def required_missing(assessment: Assessment) -> list[tuple[str, str]]:
    """Visible questions for respondents that still have no answer (or N/A with reason).

    Evidence uploads and reviewer-only questions are not required.
    """
    result = assessment_score(assessment)
    structure = bank_structure(assessment.bank_version)
    index = structure.question_index
    answered = {
        a.question_code for a in assessment.answers.all() if a.na or a.undisclosed or a.value not in (None, "", [])
    }
    missing = []
    for q in result.questions:
        spec = index[q.code]
        if q.status == "hidden" or spec["audience"] == "reviewer" or spec["type"] == "evidence":
            continue
        if q.code not in answered:
            missing.append((q.section, q.code))
    return missing


def chain_record_from_answer(*, assessment: Assessment, question_code: str, by) -> tuple[int, int]:
    """Record the vendor's provider-table answer as the service's supply chain (analysts can then edit it)."""
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
    created, updated = chain_from_rows(service=assessment.service, rows=rows, by=by)
    open_assessments_rescore(services=[assessment.service])
    timeline_add(
        assessment,
        "supply chain recorded",
        by=by,
        note=f"From {question_code}: {created} link(s) added, {updated} updated on {assessment.service.name}.",
    )
    return created, updated
