"""Reads of question banks, scoped to the user."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from procurement.core.access import is_site_staff, organisation_for
from procurement.questionbank.models import BankVersion, Question, QuestionBank, Section


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
