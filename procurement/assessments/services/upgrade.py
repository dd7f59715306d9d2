"""Moving an assessment to a newer published version of its bank."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from procurement.assessments.models import AnswerChange, Assessment
from procurement.assessments.records import person_label, stored_answer
from procurement.assessments.selectors import (
    WORDING_CHANGED,
    WORDING_CONFIRMED,
    bank_structure,
    reworded_since_answered,
)
from procurement.assessments.services.answers import NOT_EDITABLE
from procurement.assessments.services.status import assessment_rescore, timeline_add
from procurement.questionbank.document.diff import FieldChange, QuestionChange, documents_diff
from procurement.questionbank.models import BankVersion
from procurement.questionbank.rules_preview import rule_words
from procurement.questionbank.values import check_limits


@dataclass(frozen=True)
class VersionDiff:
    """What moving from one published version to another does, question by question.

    ``unchanged`` lists every question whose answer carries over as it is: identical, or
    changed only editorially (those are also in ``editorial``). ``changed`` lists the
    substantive changes, whose answers are cleared and asked again. ``details`` says per
    question (changed, editorial or renamed) what changed, in words. ``kept`` and
    ``cleared`` are filled in by ``assessment_upgrade``: the answers this assessment
    actually kept and lost."""

    added: list[str]
    removed: list[str]
    changed: list[str]
    unchanged: list[str]
    # Questions whose choice values were renamed (``renamed_from``) and nothing else of
    # substance changed: answers are carried over with the old values mapped to the new ones.
    # Code -> {old value: new value}.
    renamed: dict[str, dict[str, str]] = field(default_factory=dict)
    editorial: list[str] = field(default_factory=list)
    details: dict[str, QuestionChange] = field(default_factory=dict)
    rule_changes: list[FieldChange] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)

    @property
    def reworded(self) -> set[str]:
        """Carried questions whose wording changed (text, help, refs, choice labels or order):
        the answer's history notes "wording changed since answered"."""
        carried = set(self.unchanged) | set(self.renamed)
        return {code for code, change in self.details.items() if code in carried and change.reworded}

    def counts_for(self, answered: Iterable[str], outside: Iterable[str] = ()) -> UpgradeCounts:
        """What upgrading does to an assessment that has answers to the ``answered`` codes, of
        which ``outside`` lie outside their question's new limits."""
        answered, outside = set(answered), set(outside)
        carried = answered & (set(self.unchanged) | set(self.renamed)) - outside
        return UpgradeCounts(
            kept=len(carried),
            kept_reworded=len(carried & self.reworded),
            cleared=sorted(answered & (set(self.changed) | set(self.removed) | outside)),
            added=len(self.added),
        )


@dataclass(frozen=True)
class UpgradeCounts:
    kept: int  # answers carried over
    kept_reworded: int  # of those, to questions whose wording changed
    cleared: list[str]  # codes of answers cleared
    added: int  # new questions to answer


def _versions_between(current: BankVersion, target: BankVersion) -> list[BankVersion]:
    """The published (or since retired) versions after ``current`` up to and including ``target``
    (for a draft ``target``: every published version after ``current``, then the draft)."""
    if target.bank_id != current.bank_id or not current.number:
        return [target]
    between = BankVersion.objects.filter(bank_id=current.bank_id, number__gt=current.number).exclude(
        status=BankVersion.Status.DRAFT
    )
    if target.number:
        between = between.filter(number__lt=target.number)
    return [*between.exclude(pk=target.pk).order_by("number"), target]


def version_diff(current: BankVersion, target: BankVersion) -> VersionDiff:
    """Question by question, what changes from ``current`` to ``target`` (through every version
    in between: an answer carries only if every step kept it)."""
    docs = [bank_structure(v).document for v in (current, *_versions_between(current, target))]
    d = documents_diff(docs, describe_rule=rule_words)
    return VersionDiff(
        added=d.added,
        removed=d.removed,
        changed=d.changed,
        unchanged=sorted(d.same + d.editorial),
        renamed=d.renamed,
        editorial=d.editorial,
        details=d.details,
        rule_changes=d.rule_changes,
    )


def _mapped(value, rename: dict[str, str]):
    if isinstance(value, list):
        return [rename.get(str(v), v) for v in value]
    return rename.get(str(value), value) if value is not None else None


@transaction.atomic
def assessment_upgrade(*, assessment: Assessment, target: BankVersion, by) -> VersionDiff:
    """Re-pin to a newer published version of the same bank. Answers to unchanged and
    editorially changed questions carry over (an editorial carry is noted in the answer's
    history as "wording changed since answered"); answers to questions whose choices were
    only renamed carry over with the old values mapped to the new; answers to substantively
    changed or removed questions are cleared. Each clearing and mapping is recorded in the
    answer history (nothing is silently lost). The returned diff's ``kept`` and ``cleared``
    name this assessment's answers that were carried and cleared."""
    assessment = Assessment.objects.select_for_update().select_related("bank_version").get(pk=assessment.pk)
    if not assessment.is_editable:
        raise ValidationError(NOT_EDITABLE.format(status=assessment.get_status_display().lower()), code="locked")
    if target.bank_id != assessment.bank_version.bank_id or target.status != BankVersion.Status.PUBLISHED:
        raise ValidationError("Choose a published version of the same bank.", code="bad_target")
    if (target.number or 0) <= (assessment.bank_version.number or 0):
        raise ValidationError("Choose a newer version than the one pinned.", code="not_newer")
    diff = version_diff(assessment.bank_version, target)
    label = f"upgrade to v{target.number}"
    cleared: list[str] = []
    outside = answers_outside_new_limits(assessment, diff, target)
    for answer in assessment.answers.filter(question_code__in=[*diff.changed, *diff.removed, *outside]):
        why = (
            "question removed"
            if answer.question_code in diff.removed
            else "outside the new limits, asked again"
            if answer.question_code in outside
            else "question changed, asked again"
        )
        AnswerChange.objects.create(
            assessment=assessment,
            question_code=answer.question_code,
            old_value=stored_answer(answer),
            new_value=None,
            by=by,
            by_label=f"{person_label(by)} ({label}: {why})",
        )
        cleared.append(answer.question_code)
        answer.delete()
    for answer in assessment.answers.filter(question_code__in=list(diff.renamed)):
        old_stored = stored_answer(answer)
        value = _mapped(answer.value, diff.renamed[answer.question_code])
        if value == answer.value:
            continue
        answer.value = value
        answer.save(update_fields=["value", "updated_at"])
        AnswerChange.objects.create(
            assessment=assessment,
            question_code=answer.question_code,
            old_value=old_stored,
            new_value=stored_answer(answer),
            by=by,
            by_label=f"{person_label(by)} ({label}: choice renamed)",
        )
    reworded = diff.reworded
    for answer in assessment.answers.filter(question_code__in=sorted(reworded)):
        stored = stored_answer(answer)
        AnswerChange.objects.create(
            assessment=assessment,
            question_code=answer.question_code,
            old_value=stored,
            new_value=stored,
            by=by,
            by_label=f"{person_label(by)} ({label}: {WORDING_CHANGED})",
        )
    kept = sorted(
        assessment.answers.filter(question_code__in=diff.unchanged + list(diff.renamed)).values_list(
            "question_code", flat=True
        )
    )
    old_label = f"v{assessment.bank_version.number}"
    assessment.bank_version = target
    assessment.save(update_fields=["bank_version", "updated_at"])
    kept_reworded = len(reworded & set(kept))
    timeline_add(
        assessment,
        "upgrade",
        by=by,
        note=f"{old_label} -> v{target.number}: {_n(len(kept), 'answer')} kept"
        + (f" ({kept_reworded} to reworded questions)" if kept_reworded else "")
        + f", {_n(len(cleared), 'answer')} cleared, {_n(len(diff.added), 'question')} added"
        + (f", {_n(len(diff.removed), 'question')} removed" if diff.removed else ""),
    )
    assessment_rescore(assessment=assessment)
    return replace(diff, kept=kept, cleared=sorted(cleared))


def assessments_upgrade(
    *, assessments, target: BankVersion, by
) -> tuple[list[tuple[Assessment, VersionDiff]], list[str]]:
    """Move each of ``assessments`` to ``target`` (``assessment_upgrade``, each in its own
    transaction: one refused does not hold back the others). Returns the moves made, each with
    what it kept and cleared, and why each refused one was refused."""
    moved, refused = [], []
    for assessment in assessments:
        try:
            moved.append((assessment, assessment_upgrade(assessment=assessment, target=target, by=by)))
        except ValidationError as exc:
            refused.append(f"A-{assessment.pk}: {' '.join(exc.messages)}")
    return moved, refused


NO_WORDING_TO_CONFIRM = "There is no answer here kept across a rewording that still waits for a check."


@transaction.atomic
def answers_confirm_wording(*, assessment: Assessment, codes, by, by_label: str = "") -> list[str]:
    """The respondent checked that answers kept across a rewording (an editorial change, on
    upgrade) still hold: each is recorded in the answer's history (who, when; the answer
    itself unchanged) and its "wording changed since answered" badge goes. Codes without
    that badge are skipped. Returns the codes confirmed."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_editable:
        raise ValidationError(NOT_EDITABLE.format(status=assessment.get_status_display().lower()), code="locked")
    marked = reworded_since_answered(assessment, codes)
    answers = list(assessment.answers.filter(question_code__in=sorted(marked)).order_by("question_code"))
    if not answers:
        return []
    label = f"{by_label or person_label(by)} ({WORDING_CONFIRMED})"
    AnswerChange.objects.bulk_create(
        AnswerChange(
            assessment=assessment,
            question_code=a.question_code,
            old_value=stored_answer(a),
            new_value=stored_answer(a),
            by=by,
            by_label=label,
        )
        for a in answers
    )
    confirmed = [a.question_code for a in answers]
    timeline_add(
        assessment,
        "wording confirmed",
        by=by,
        by_label=by_label,
        note=f"Still holds after the rewording: {', '.join(confirmed)}",
    )
    return confirmed


def answers_outside_new_limits(assessment: Assessment, diff: VersionDiff, target: BankVersion) -> set[str]:
    """Carried answers that the target version's new limits (min, max) refuse: asked again."""
    limited = [c for c, change in diff.details.items() if change.limits_changed and c not in diff.changed]
    if not limited:
        return set()
    new_questions = bank_structure(target).question_index
    today = timezone.localdate()
    return {
        a.question_code
        for a in assessment.answers.filter(question_code__in=limited)
        if not a.na and check_limits(new_questions[a.question_code], a.value, today).error
    }


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
