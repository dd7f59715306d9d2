"""Reads for assessments, and the one adapter from database rows to scoring input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from procurement.assessments.models import Answer, AnswerChange, Assessment, Evidence, Override, RiskAcceptance
from procurement.core.access import organisation_for
from procurement.core.compiled import CompiledRead
from procurement.core.text import text_problem
from procurement.questionbank.models import BankVersion
from procurement.questionbank.scoring_input import scoring_answer, scoring_basis, specs_from_document
from procurement.questionbank.services import version_to_document
from procurement.scoring import types as t
from procurement.scoring.engine import score, visibility
from procurement.scoring.params import DEFAULTS
from procurement.vendors.contracts import contract_scoring_facts, contract_snapshot
from procurement.vendors.evidence import lifecycle_facts
from procurement.vendors.models import add_months
from procurement.vendors.supply import OrgChains, chain_snapshot


def assessments_for_user(user) -> QuerySet[Assessment]:
    return assessments_listed(user).select_related("service__vendor", "bank_version__bank", "owner")


# What a list row shows. Not the large JSON: a decided assessment's frozen record (answers,
# score, timeline) cost a JSON parse per row.
LIST_FIELDS = (
    *("id", "organisation", "service", "bank_version", "owner"),
    *("status", "risk_band", "recommendation", "recommended_at", "recommendation_unanswered"),
    *("due_date", "created_at", "decided_at", "origin"),
)


def assessments_listed(user) -> QuerySet[Assessment]:
    """The user's organisation's assessments, to filter and count for a list; ``list_rows``
    shapes the rows a page shows."""
    org = organisation_for(user)
    if org is None:
        return Assessment.objects.none()
    return Assessment.objects.filter(organisation=org)


def list_rows(qs: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """Rows for a list: one model instance per row, the names a row shows as annotations
    (vendor_name, service_name, bank_name, bank_number, owner_name, and decided_by: who
    recorded the decision, None while undecided) rather than six related objects, and none
    of the large JSON columns. Count the unshaped queryset: the joins these names need would
    make a COUNT over 10,000 rows ten times slower."""
    full_name = Trim(Concat("owner__first_name", Value(" "), "owner__last_name"))
    return qs.only(*LIST_FIELDS).annotate(
        vendor_name=F("service__vendor__name"),
        service_name=F("service__name"),
        bank_name=F("bank_version__bank__name"),
        bank_number=F("bank_version__number"),
        owner_name=Coalesce(NullIf(full_name, Value("")), "owner__username"),
        decided_by=F("decision__by_label"),
    )


def assessment_for_user(user, pk: int) -> Assessment:
    """The assessment if it belongs to the user's organisation; 404 otherwise."""
    return get_object_or_404(assessments_for_user(user), pk=pk)


# The columns a section page and its saves read (views, editing, evidence, reassessment, the
# section template): 20 of the 68 the five joined tables have. Building and reading the other
# columns was a third of this read, on every section page and autosave (docs/performance.md,
# "Section page and autosave, fourth pass"). A column left out is read by a query of its own
# when touched: tests/assessments/test_section_queries.py holds the page's and the save's counts.
SECTION_FIELDS = (
    *("status", "organisation_id", "service_id", "bank_version_id", "previous_id"),
    *("service__vendor_id", "service__name", "service__required_regions"),
    *("service__vendor__organisation_id", "service__vendor__name"),
    *("bank_version__bank_id", "bank_version__number", "bank_version__status", "bank_version__content_hash"),
    "bank_version__bank__name",
)


_SECTION_ASSESSMENT = CompiledRead(
    lambda organisation, pk: (
        Assessment.objects.filter(organisation=organisation, pk=pk)
        .select_related("service__vendor", "bank_version__bank")
        .only(*SECTION_FIELDS)
    ),
    int,
    int,
)


def assessment_for_section(user, pk: int) -> Assessment:
    """``assessment_for_user`` for a section page: with what the page shows (service, vendor,
    bank version and bank; ``SECTION_FIELDS``), not the owner (one join and one model less on
    every view and autosave). 404 outside the user's organisation. Its SQL is compiled once
    (``CompiledRead``): the page reads it on every view and autosave."""
    org = organisation_for(user)
    found = _SECTION_ASSESSMENT(org.pk, pk) if org is not None else []
    if not found:
        raise Http404(f"No {Assessment._meta.object_name} matches the given query.")
    return found[0]


# --- Bank structure (immutable once published, so cached per version and hash) -----


@dataclass(frozen=True)
class BankStructure:
    document: dict
    sections: tuple[t.SectionSpec, ...]
    questions: tuple[t.QuestionSpec, ...]

    def section(self, code: str) -> dict | None:
        return next((s for s in self.document["sections"] if s["code"] == code), None)

    @cached_property
    def question_index(self) -> dict[str, dict]:
        return {q["code"]: q for s in self.document["sections"] for q in s["questions"]}

    @cached_property
    def section_of(self) -> dict[str, str]:
        """Question code -> its section code."""
        return {q["code"]: s["code"] for s in self.document["sections"] for q in s["questions"]}


@lru_cache(maxsize=32)
def _structure(version_pk: int, content_hash: str) -> BankStructure:
    version = BankVersion.objects.select_related("bank").get(pk=version_pk)
    doc = version_to_document(version)
    sections, questions = specs_from_document(doc)
    return BankStructure(doc, sections, questions)


def bank_structure(version: BankVersion) -> BankStructure:
    if version.is_locked and version.content_hash:
        return _structure(version.pk, version.content_hash)
    return _structure.__wrapped__(version.pk, "")


# --- Review cadence ------------------------------------------------------------------


def review_months_for(version: BankVersion) -> dict[int, int]:
    """Months between reviews per tier: the bank version's ``review_months`` parameter."""
    params = bank_structure(version).document["version"]["rule_params"]
    configured = {int(k): int(v) for k, v in (params.get("review_months") or {}).items()}
    return {**DEFAULTS["review_months"], **configured}


def review_due_on(*, version: BankVersion, tier: int | None, decided_at: dt.datetime) -> dt.date:
    """When an approved service is next reviewed: its decision day plus its tier's months
    (tier 3 when the record names none). Stored as ``Assessment.review_due`` when deciding,
    so the calendar selects by it; the review schedule computes the same."""
    return add_months(decided_at.date(), review_months_for(version)[tier or 3])


# --- Answers as scoring input ------------------------------------------------------


def answer_to_scoring(answer: Answer) -> t.Answer:
    """A stored answer as the engine reads it, through the one answer adapter: its basis counts
    only once a reviewer has confirmed it."""
    return scoring_answer(
        answer.question_code,
        answer.value,
        na=answer.na,
        undisclosed=answer.undisclosed,
        basis=scoring_basis(answer.basis, confirmed=answer.basis_confirmed_at is not None),
    )


def notice_inputs(structure: BankStructure, answers: dict[str, Answer]) -> tuple[float | None, float | None]:
    """(vendor's own notice, our days to migrate) from the answers the bank's notice-gap rule names."""
    for rule in structure.document["version"]["rule_params"].get("rules", {}).values():
        if rule.get("kind") == "notice_gap":
            return _number(answers.get(rule["vendor_notice"])), _number(answers.get(rule["migrate_days"]))
    return None, None


def pass_through_input(structure: BankStructure, answers: dict[str, Answer]) -> float | None:
    """The vendor's answered notice of upstream changes, from the question the notice-gap rule names."""
    for rule in structure.document["version"]["rule_params"].get("rules", {}).values():
        if rule.get("kind") == "notice_gap" and rule.get("pass_through_notice"):
            return _number(answers.get(rule["pass_through_notice"]))
    return None


def _number(answer: Answer | None) -> float | None:
    if answer is None or answer.na or isinstance(answer.value, bool):
        return None
    try:
        return float(answer.value)
    except (TypeError, ValueError):
        return None


def supply_chain_snapshot(
    assessment: Assessment, answers: dict[str, Answer] | None = None, *, chains: OrgChains | None = None
) -> dict:
    """The service's recorded supply chain and its facts, with the notice inputs from this assessment."""
    answers = answers if answers is not None else answers_by_code(assessment)
    structure = bank_structure(assessment.bank_version)
    vendor_notice, migrate = notice_inputs(structure, answers)
    return chain_snapshot(
        assessment.service,
        vendor_notice_days=vendor_notice,
        migrate_days=migrate,
        chains=chains,
        contract=contract_snapshot(assessment.service),
        pass_through_days=pass_through_input(structure, answers),
    )


def chain_scoring_facts(chain: dict) -> dict[str, float]:
    """What a chain snapshot offers the rules: the recorded chain's facts (none without a
    chain) and the signed contract's notice figures (none without a contract)."""
    facts = dict(chain["facts"]["scoring"]) if chain["facts"] else {}
    return facts | contract_scoring_facts(chain.get("contract"))


def scoring_input(
    assessment: Assessment,
    *,
    answers: list[Answer] | None = None,
    overrides: list[Override] | None = None,
    as_of: dt.date | None = None,
    facts: dict[str, float] | None = None,
    waivers: tuple[t.Waiver, ...] | None = None,
    evidence: tuple[t.EvidenceDate, ...] | None = None,
) -> t.ScoringInput:
    """What the engine needs; ``facts`` default to those of the service's recorded supply chain,
    ``waivers`` to the knockouts accepted as risk (accepted and not expired on ``as_of``),
    ``evidence`` to the expiry dates of the documents supporting the answers. The service's
    announced model retirement is always added to the facts (``model_retirement_days``)."""
    structure = bank_structure(assessment.bank_version)
    day = as_of or timezone.localdate()
    if answers is None:
        answers = list(assessment.answers.all())
    if overrides is None:
        overrides = list(assessment.overrides.filter(active=True).select_related("by"))
    if facts is None:
        facts = chain_scoring_facts(supply_chain_snapshot(assessment, {a.question_code: a for a in answers}))
    facts = {**facts, **lifecycle_facts(assessment.service_id, day)}
    return t.ScoringInput(
        sections=structure.sections,
        questions=structure.questions,
        answers=tuple(answer_to_scoring(a) for a in answers),
        params=structure.document["version"]["rule_params"],
        overrides=tuple(
            t.Override(o.question_code, o.points, o.reason, o.by.get_username() if o.by else "") for o in overrides
        ),
        as_of=day,
        facts=facts,
        waivers=knockout_waivers(assessment, day) if waivers is None else waivers,
        evidence=evidence_dates(assessment) if evidence is None else evidence,
    )


def evidence_dates(assessment: Assessment, links: Iterable[Evidence] | None = None) -> tuple[t.EvidenceDate, ...]:
    """The expiry date of each typed document supporting an answer of this assessment. One query,
    none when given the assessment's evidence ``links`` (in their order, with their documents)."""
    if links is None:
        links = (
            assessment.evidence.filter(finding=None)
            .exclude(document__kind="")
            .select_related("document")
            .only("question_code", *(f"document__{f}" for f in EVIDENCE_DATE_FIELDS))
        )
    else:
        links = [link for link in links if link.finding_id is None and link.document.kind != ""]
    dates = []
    for link in links:
        d = link.document
        if d.expiry_date is not None:
            dates.append(t.EvidenceDate(link.question_code, d.original_name, str(d.get_kind_display()), d.expiry_date))
    return tuple(dates)


EVIDENCE_DATE_FIELDS = ("original_name", "kind", "issued_on", "period_end", "expires_on")


def accepted_acceptances(assessment: Assessment, today: dt.date) -> list[RiskAcceptance]:
    """Risk acceptances in force: accepted, and not past their expiry date."""
    return list(
        assessment.acceptances.filter(status=RiskAcceptance.Status.ACCEPTED, expires_on__gte=today).order_by(
            "accepted_at", "pk"
        )
    )


def knockout_waivers(
    assessment: Assessment, today: dt.date, in_force: list[RiskAcceptance] | None = None
) -> tuple[t.Waiver, ...]:
    """Accepted knockouts as the engine's waivers (one per rule, the earliest acceptance);
    ``in_force``: the ``accepted_acceptances`` of that day, when already read."""
    waivers: dict[str, t.Waiver] = {}
    for a in accepted_acceptances(assessment, today) if in_force is None else in_force:
        if a.scope == RiskAcceptance.Scope.KNOCKOUT:
            waivers.setdefault(a.rule, t.Waiver(a.rule, a.reason, a.accepted_by_label))
    return tuple(waivers.values())


def assessment_score(assessment: Assessment, **kw) -> t.ScoreResult:
    """The live score, or the frozen one for a decided assessment."""
    return score(scoring_input(assessment, **kw))


_ANSWERS = CompiledRead(
    lambda assessment: Answer.objects.filter(assessment=assessment).select_related("basis_confirmed_by"), int
)


def answers_by_code(assessment: Assessment) -> dict[str, Answer]:
    """The assessment's answers by question code, each with its confirming reviewer, as
    ``assessment.answers`` gives them (each answer's ``assessment`` is this one). Its SQL is
    compiled once (``CompiledRead``): every section page and save reads it."""
    answers = {}
    for answer in _ANSWERS(assessment.pk):
        answer.assessment = assessment
        answers[answer.question_code] = answer
    return answers


def answer_documents(assessment: Assessment, codes=None) -> dict[str, list[Evidence]]:
    """Each answer's supporting documents, by question code: the links (who attached, when) with
    their documents (``link.document``: name, type, size, sha256), oldest first. One query.
    Closure evidence of findings is not an answer's and is left out."""
    links = assessment.evidence.filter(finding=None).select_related("document")
    if codes is not None:
        links = links.filter(question_code__in=codes)
    result: dict[str, list[Evidence]] = {}
    for link in links:
        result.setdefault(link.question_code, []).append(link)
    return result


def answers_visibility(structure: BankStructure, answers: dict[str, Answer]) -> dict[str, bool]:
    """Which questions the show_if conditions currently show, from the stored answers."""
    return visibility(structure.questions, {code: answer_to_scoring(a) for code, a in answers.items()})


def section_progress(
    assessment: Assessment, answers: dict[str, Answer] | None = None, *, audience: str | None = None
) -> list[dict]:
    """Answered / visible-and-required questions per section (no scoring needed, one query at most).

    ``audience="vendor"`` counts only what the vendor answers and leaves out sections with none.
    """
    structure = bank_structure(assessment.bank_version)
    answers = answers if answers is not None else answers_by_code(assessment)
    answered = {code for code, a in answers.items() if a.na or a.value not in (None, "", [])}
    visible = answers_visibility(structure, answers)
    rows = []
    for section in structure.document["sections"]:
        questions = [q for q in section["questions"] if audience is None or q["audience"] == audience]
        if audience is not None and not questions:
            continue
        needed = [
            q["code"]
            for q in questions
            if visible[q["code"]] and q["audience"] != "reviewer" and q["type"] != "evidence"
        ]
        done = sum(1 for code in needed if code in answered)
        rows.append({"code": section["code"], "title": section["title"], "done": done, "total": len(needed)})
    return rows


def dashboard_for_user(user, *, limit: int = 8) -> dict:
    """Home page: the organisation's recently decided assessments (one query). What the user
    has to do is the work queue (``procurement.portfolio.obligations``)."""
    qs = list_rows(assessments_listed(user))
    return {
        "decided": list(qs.filter(status__in=Assessment.FINAL).order_by("-decided_at")[:limit]),
        "today": timezone.localdate(),
    }


def _strings(value):
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def answers_with_unstorable_text() -> list[tuple[int, str, str]]:
    """(assessment id, question code, problem) for each stored answer whose value or N/A reason
    holds what input now refuses (``text_problem``): stored before the check existed."""
    found = []
    rows = Answer.objects.order_by("assessment_id", "question_code").values_list(
        "assessment_id", "question_code", "value", "na_reason"
    )
    for pk, code, value, reason in rows.iterator(chunk_size=2000):
        problem = next((p for s in [reason, *_strings(value)] if (p := text_problem(s))), None)
        if problem:
            found.append((pk, code, problem))
    return found


# --- Conditions and findings: the state frozen at the decision beside the current one ---


def finding_frozen_state(assessment: Assessment, finding) -> dict | None:
    """The item as the frozen record holds it (its state at the decision), or None when the
    assessment is not decided. Records from before items carried an id are matched by kind and text."""
    if not assessment.is_final or not assessment.frozen_record:
        return None
    items = assessment.frozen_record.get("findings") or []
    match = next((f for f in items if f.get("id") == finding.pk), None)
    if match is None:
        legacy = (f for f in items if "id" not in f and (f["kind"], f["text"]) == (finding.kind, finding.text))
        match = next(legacy, None)
    return match


def finding_rows(assessment: Assessment) -> list[dict]:
    """Each condition and finding with its current state and, once decided, its frozen one."""
    return [
        {"finding": f, "frozen": finding_frozen_state(assessment, f)}
        for f in assessment.findings.select_related("owner_user")
    ]


# How the answer history marks an answer kept across an editorial change on upgrade
# (services.upgrade); the section page shows it beside the question until the answer changes.
WORDING_CHANGED = "wording changed since answered, answer kept"
# How it marks the respondent's check that such an answer still holds (the badge then goes).
WORDING_CONFIRMED = "answer checked against the new wording: still holds"


@lru_cache(maxsize=32)
def _rewordable(version_pk: int, content_hash: str) -> frozenset[str]:
    """The questions of a published version that differ in anything from the same question in
    an earlier version of its bank. Only those can carry "wording changed since answered": the
    mark is written by an upgrade, and an upgrade only goes to a higher version number
    (numbers are given in publishing order, and published versions never change)."""
    version = BankVersion.objects.get(pk=version_pk)
    current = _structure(version_pk, content_hash).question_index
    codes: set[str] = set()
    for earlier in BankVersion.objects.filter(bank_id=version.bank_id, number__lt=version.number):
        before = bank_structure(earlier).question_index
        codes.update(code for code, q in current.items() if code in before and before[code] != q)
    return frozenset(codes)


def rewordable_codes(version: BankVersion) -> frozenset[str] | None:
    """``_rewordable`` for a published version; None (any question may be) for a draft."""
    if version.is_locked and version.content_hash and version.number:
        return _rewordable(version.pk, version.content_hash)
    return None


def reworded_since_answered(assessment: Assessment, codes: Iterable[str]) -> set[str]:
    """The questions among ``codes`` whose wording changed (an editorial change, on upgrade)
    since they were answered, and whose answer has not changed since: one query, none when no
    question among ``codes`` differs from an earlier version of the bank (``rewordable_codes``)."""
    codes = set(codes)
    rewordable = rewordable_codes(assessment.bank_version)
    if rewordable is not None:
        codes &= rewordable
    if not codes:
        return set()
    latest: dict[str, str] = {}
    for code, label in (
        AnswerChange.objects.filter(assessment=assessment, question_code__in=sorted(codes))
        .order_by("question_code", "at", "pk")
        .values_list("question_code", "by_label")
    ):
        latest[code] = label
    return {code for code, label in latest.items() if WORDING_CHANGED in label}
