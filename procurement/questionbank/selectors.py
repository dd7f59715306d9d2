"""Reads of question banks, scoped to the user."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from procurement.core.access import is_site_staff, organisation_for
from procurement.questionbank.document.diff import DocumentDiff, documents_diff
from procurement.questionbank.models import BankVersion, Question, QuestionBank, Section
from procurement.questionbank.rules_preview import rule_words
from procurement.questionbank.services import version_to_document


def banks_visible_to(user) -> QuerySet[QuestionBank]:
    qs = QuestionBank.objects.all()
    if is_site_staff(user):
        return qs
    org = organisation_for(user)
    if org is None:
        return qs.none()
    return qs.filter(Q(organisation__isnull=True) | Q(organisation=org))


def banks_for_user(user) -> list[QuestionBank]:
    """Banks with their versions (newest first) and question counts: 2 queries."""
    versions = BankVersion.objects.annotate(question_count=Count("questions")).order_by("-number", "-created_at")
    return list(
        banks_visible_to(user).select_related("organisation").prefetch_related(Prefetch("versions", queryset=versions))
    )


def versions_visible_to(user) -> QuerySet[BankVersion]:
    return BankVersion.objects.filter(bank__in=banks_visible_to(user)).select_related("bank", "bank__organisation")


@dataclass(frozen=True)
class PreviewSection:
    section: Section
    questions: list[Question]


def version_for_preview(version: BankVersion) -> list[PreviewSection]:
    """Sections with their questions and choices, in order: 3 queries."""
    sections = list(version.sections.order_by("order", "code"))
    questions = version.questions.order_by("order", "code").prefetch_related("choices")
    grouped: dict[int, list[Question]] = {}
    for q in questions:
        grouped.setdefault(q.section_id, []).append(q)
    return [PreviewSection(s, grouped.get(s.pk, [])) for s in sections]


# --- Comparing versions -------------------------------------------------------------


def version_previous(version: BankVersion) -> BankVersion | None:
    """What a version is compared with: the version it was made from (a shipped version, for an
    organisation's copy), else the bank's latest published or retired version before it."""
    if version.based_on_id:
        return BankVersion.objects.select_related("bank").get(pk=version.based_on_id)
    earlier = version.bank.versions.exclude(status=BankVersion.Status.DRAFT).exclude(pk=version.pk)
    if version.number:
        earlier = earlier.filter(number__lt=version.number)
    return earlier.order_by("-number").first()


def versions_diff(old: BankVersion, new: BankVersion) -> DocumentDiff:
    """Question by question, from ``old`` to ``new`` (through the same bank's published
    versions in between, as an upgrade does)."""
    chain = [old]
    if old.bank_id == new.bank_id and old.number:
        between = new.bank.versions.exclude(status=BankVersion.Status.DRAFT).filter(number__gt=old.number)
        if new.number:
            between = between.filter(number__lt=new.number)
        chain += list(between.order_by("number"))
    chain.append(new)
    return documents_diff([version_to_document(v) for v in chain], describe_rule=rule_words)


def version_upstream(version: BankVersion) -> tuple[BankVersion, BankVersion] | None:
    """For an organisation's version copied from a shipped bank: (the shipped version it was
    copied from, the shipped bank's latest published version) when the latter is newer."""
    base, seen = version, set()
    while base is not None and base.bank.organisation_id is not None and base.pk not in seen:
        seen.add(base.pk)
        base = BankVersion.objects.select_related("bank").filter(pk=base.based_on_id).first()
    if base is None or base.pk == version.pk or base.bank.organisation_id is not None:
        return None
    latest = base.bank.versions.filter(status=BankVersion.Status.PUBLISHED).order_by("-number").first()
    if latest is None or (latest.number or 0) <= (base.number or 0):
        return None
    return base, latest
