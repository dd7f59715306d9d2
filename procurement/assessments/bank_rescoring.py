"""What a bank version does to the organisation's own recent assessments, before or after it is
published: each assessment's answers scored under the version it is on and under this one, side
by side, with what moving to it keeps and clears (the upgrade's own diff, so the report and the
move agree). The question bank's pages link here; the question bank never reads assessments.

Both scores are taken now, from the same answers, overrides, supply-chain facts and evidence
dates, so the difference is the bank's alone (not what changed since a decision).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db.models import Q
from django.utils import timezone

from procurement.assessments.models import Assessment
from procurement.assessments.selectors import bank_structure, scoring_input
from procurement.assessments.services.status import missing_count
from procurement.assessments.services.upgrade import (
    UpgradeCounts,
    VersionDiff,
    _mapped,
    answers_outside_new_limits,
    version_diff,
)
from procurement.core.models import Organisation
from procurement.questionbank.models import BankVersion
from procurement.questionbank.rules_preview import Outcome, outcome_of
from procurement.scoring import types as t
from procurement.scoring.engine import score

RECENT_DAYS = 365  # decided assessments this recent are listed with the open ones
RECENT_MAX = 30  # the most recently changed, at most


@dataclass(frozen=True)
class AssessmentRescore:
    assessment: Assessment
    before: Outcome
    after: Outcome
    missing_before: int  # answers the recommendation still waits for
    missing_after: int
    counts: UpgradeCounts  # what moving to the version keeps, clears and adds
    movable: bool  # open, on an older published version of the same bank, and the version is published
    why_not: str = ""  # why it cannot be moved here, in words

    @property
    def newly_firing(self) -> list[str]:
        return [r for r in self.after.fired if r not in self.before.fired]

    @property
    def clearing(self) -> list[str]:
        return [r for r in self.before.fired if r not in self.after.fired]

    @property
    def recommendation_changed(self) -> bool:
        return self.before.decision != self.after.decision

    @property
    def changed(self) -> bool:
        """The recommendation, residual, rules fired or answers still missing differ."""
        return self.before != self.after or self.missing_before != self.missing_after


def banks_of_lineage(version: BankVersion) -> set[int]:
    """The version's bank and the banks it was copied from (an organisation's copy of a shipped
    bank: the shipped one), following ``based_on``."""
    banks, seen, current = {version.bank_id}, set(), version
    while current is not None and current.based_on_id and current.pk not in seen:
        seen.add(current.pk)
        current = BankVersion.objects.filter(pk=current.based_on_id).only("pk", "bank_id", "based_on_id").first()
        if current is not None:
            banks.add(current.bank_id)
    return banks


def recent_assessments(*, organisation: Organisation, version: BankVersion, today: dt.date | None = None):
    """The organisation's assessments on this bank (or the bank it was copied from) and on
    another version: the open ones and those decided in the last ``RECENT_DAYS``, most recently
    changed first. A queryset; the caller slices it."""
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    rows = (
        Assessment.objects.filter(organisation=organisation, bank_version__bank_id__in=banks_of_lineage(version))
        .exclude(bank_version=version)
        .filter(Q(status__in=Assessment.OPEN) | Q(decided_at__gte=since))
        .select_related("service__vendor", "bank_version__bank")
        .defer("frozen_record")
        .order_by("-updated_at", "-pk")
    )
    if version.number:  # a published version: not the assessments already past it
        rows = rows.exclude(bank_version__bank_id=version.bank_id, bank_version__number__gte=version.number)
    return rows


def _why_not_movable(assessment: Assessment, version: BankVersion) -> str:
    if assessment.bank_version.bank_id != version.bank_id:
        return "On another bank: a reassessment starts on your own copy."
    if not assessment.is_editable:
        return f"{assessment.get_status_display()}: answers are locked."
    if version.status != BankVersion.Status.PUBLISHED:
        return "Can move once this draft is published."
    return ""


def assessment_rescored(assessment: Assessment, version: BankVersion, diff: VersionDiff) -> AssessmentRescore:
    """One assessment's answers scored under its version and under ``version``, as moving there
    would leave them (``diff``: ``version_diff`` from its version): answers to changed or removed
    questions, or outside the new limits, are left out; renamed choices are mapped."""
    inp = scoring_input(assessment)
    before = score(inp)
    outside = answers_outside_new_limits(assessment, diff, version)
    keep = (set(diff.unchanged) | set(diff.renamed)) - outside
    answers = tuple(
        replace(a, value=_renamed(a.value, diff.renamed.get(a.code, {}))) if a.code in diff.renamed else a
        for a in inp.answers
        if a.code in keep
    )
    structure = bank_structure(version)
    after = score(
        replace(
            inp,
            sections=structure.sections,
            questions=structure.questions,
            params=structure.document["version"]["rule_params"],
            answers=answers,
            overrides=tuple(o for o in inp.overrides if o.code in keep),
        )
    )
    why_not = _why_not_movable(assessment, version)
    return AssessmentRescore(
        assessment=assessment,
        before=outcome_of(before),
        after=outcome_of(after),
        missing_before=missing_count(before),
        missing_after=missing_count(after),
        counts=diff.counts_for({a.code for a in inp.answers}, outside),
        movable=not why_not,
        why_not=why_not,
    )


def _renamed(value: t.AnswerValue, rename: dict[str, str]) -> t.AnswerValue:
    mapped = _mapped(list(value) if isinstance(value, tuple) else value, rename)
    return tuple(mapped) if isinstance(mapped, list) else mapped


def assessments_rescored(*, organisation: Organisation, version: BankVersion) -> tuple[list[AssessmentRescore], int]:
    """The organisation's recent assessments (at most ``RECENT_MAX``) rescored under ``version``,
    and how many there are in all. One version diff per version the assessments are on."""
    rows = recent_assessments(organisation=organisation, version=version)
    total = rows.count()
    diffs: dict[int, VersionDiff] = {}
    out = []
    for assessment in rows[:RECENT_MAX]:
        current = assessment.bank_version
        if current.pk not in diffs:
            diffs[current.pk] = version_diff(current, version)
        out.append(assessment_rescored(assessment, version, diffs[current.pk]))
    return out, total
