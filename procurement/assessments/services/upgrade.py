"""Moving an assessment to a newer published version of its bank."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from procurement.assessments.models import AnswerChange, Assessment
from procurement.assessments.records import person_label, stored_answer
from procurement.assessments.selectors import bank_structure
from procurement.assessments.services.answers import NOT_EDITABLE
from procurement.assessments.services.status import assessment_rescore, timeline_add
from procurement.questionbank.models import BankVersion


@dataclass(frozen=True)
class VersionDiff:
    added: list[str]
    removed: list[str]
    changed: list[str]
    unchanged: list[str]
    # Questions whose only change is choice values renamed (``renamed_from``): answers are
    # carried over with the old values mapped to the new ones. Code -> {old value: new value}.
    renamed: dict[str, dict[str, str]] = field(default_factory=dict)


def _comparable(q: dict, rename: dict[str, str] | None = None) -> dict:
    """What makes an answer mean the same thing: type, choices' values and points, bands.
    ``rename`` maps old choice values to new ones before comparing."""
    rename = rename or {}
    return {
        "type": q["type"],
        "choices": [(rename.get(c["value"], c["value"]), c["points"]) for c in q["choices"]],
        "bands": q["bands"],
        "text": q["text"],
        "show_if": q["show_if"],
    }


def _renames(old: dict, new: dict) -> dict[str, str]:
    """Old value -> new value, for the old question's values that a new choice was renamed from."""
    current = {c["value"] for c in old["choices"]}
    return {
        r: c["value"] for c in new["choices"] for r in c.get("renamed_from", ()) if r in current and r != c["value"]
    }


def version_diff(current: BankVersion, target: BankVersion) -> VersionDiff:
    old = bank_structure(current).question_index
    new = bank_structure(target).question_index
    changed, unchanged, renamed = [], [], {}
    for code in sorted(set(old) & set(new)):
        if _comparable(old[code]) == _comparable(new[code]):
            unchanged.append(code)
        elif (rename := _renames(old[code], new[code])) and _comparable(old[code], rename) == _comparable(new[code]):
            renamed[code] = rename
        else:
            changed.append(code)
    return VersionDiff(
        added=sorted(set(new) - set(old)),
        removed=sorted(set(old) - set(new)),
        changed=changed,
        unchanged=unchanged,
        renamed=renamed,
    )


def _mapped(value, rename: dict[str, str]):
    if isinstance(value, list):
        return [rename.get(str(v), v) for v in value]
    return rename.get(str(value), value) if value is not None else None


@transaction.atomic
def assessment_upgrade(*, assessment: Assessment, target: BankVersion, by) -> VersionDiff:
    """Re-pin to a newer published version of the same bank. Answers to unchanged
    questions carry over; answers to questions whose choices were only renamed carry over
    with the old values mapped to the new; answers to changed or removed questions are
    cleared. Each clearing and mapping is recorded in the answer history (nothing is
    silently lost)."""
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
            old_value=stored_answer(answer),
            new_value=None,
            by=by,
            by_label=f"{person_label(by)} ({label})",
        )
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
    old_label = f"v{assessment.bank_version.number}"
    assessment.bank_version = target
    assessment.save(update_fields=["bank_version", "updated_at"])
    timeline_add(
        assessment,
        "upgrade",
        by=by,
        note=f"{old_label} -> v{target.number}: {len(diff.added)} added, {len(diff.removed)} removed, "
        f"{len(diff.changed)} changed, {len(diff.unchanged)} carried over"
        + (f", {len(diff.renamed)} with renamed choices mapped" if diff.renamed else ""),
    )
    assessment_rescore(assessment=assessment)
    return diff
