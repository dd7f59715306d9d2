"""The shapes of the API's answers, so the OpenAPI document (/api/v1/openapi.json) describes
every response. Lists are pages: ``count`` (at most 10,000; ``count_exact`` False past it),
``page``, ``pages`` and ``results``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema

# --- Errors and pages ---------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


class ConflictOut(Schema):
    detail: str
    current_revision: int | None = None


class PageOut(Schema):
    count: int
    count_exact: bool
    page: int
    pages: int


# --- Vendors, services, contacts ------------------------------------------------------------


class VendorOut(Schema):
    id: int
    name: str
    website: str
    description: str
    owner: int | None
    status: str


class VendorPage(PageOut):
    results: list[VendorOut]


class ServiceOut(Schema):
    id: int
    vendor: int
    name: str
    kind: str
    model_name: str
    model_provider: str
    status: str
    annual_spend: str | None
    currency: str
    required_regions: list[str]


class ServicePage(PageOut):
    results: list[ServiceOut]


class ContactOut(Schema):
    id: int
    vendor: int
    name: str
    email: str
    role: str


class ContactPage(PageOut):
    results: list[ContactOut]


# --- Assessments ----------------------------------------------------------------------------


class AssessmentRowOut(Schema):
    id: int
    vendor: str
    service: str
    service_id: int
    bank: str
    bank_version: int
    status: str
    residual: str | None
    recommendation: str | None
    owner: str | None
    due_date: dt.date | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


class AssessmentPage(PageOut):
    results: list[AssessmentRowOut]


class Named(Schema):
    id: int
    name: str


class BankRef(Named):
    version: int


class LiveOut(Schema):
    """The engine's recommendation as the answers stand now (not the people's decision)."""

    recommendation: str
    reasons: list[str]
    residual: str | None
    overall_risk: float | None
    tier: int
    incomplete: bool
    unanswered: int


class DecisionOut(Schema):
    outcome: str | None
    by: str | None
    role: str | None
    at: str | None
    note: str | None
    recommendation: str | None
    residual: str | None


class AssessmentOut(Schema):
    id: int
    vendor: Named
    service: Named
    bank: BankRef
    status: str
    status_label: str
    owner: int | None
    due_date: dt.date | None
    created_at: dt.datetime
    live: LiveOut
    decision: DecisionOut | None
    decided_at: dt.datetime | None


class AnswerOut(Schema):
    code: str
    text: str
    type: str
    audience: str
    answered: bool
    value: Any = None
    na: bool
    na_reason: str
    undisclosed: bool


class SectionOut(Schema):
    code: str
    title: str
    revision: int
    questions: list[AnswerOut]


class AnswersOut(Schema):
    assessment: int
    status: str
    sections: list[SectionOut]


class SectionSavedOut(Schema):
    section: str
    revision: int
    warnings: dict[str, str]  # question code -> a value outside the usual range, written
    status: str


class AnswersImportedOut(Schema):
    imported: int
    warnings: list[str]
    status: str


# --- Score ----------------------------------------------------------------------------------


class SectionScoreOut(Schema):
    code: str
    title: str
    risk: float | None
    band: str | None
    weight: float
    counted: int
    unanswered: int
    floor_applied: bool
    floor_reason: str


class QuestionScoreOut(Schema):
    code: str
    section: str
    status: str
    points: int | None
    original_points: int | None
    weight: int
    critical: bool
    explanation: str
    override_reason: str
    override_by: str


class RuleHitOut(Schema):
    name: str
    title: str
    severity: str
    reasons: list[str]
    inputs: dict[str, Any]
    compared: dict[str, Any]
    explain: str
    waived: bool
    waiver_reason: str
    waived_by: str


class PendingRuleOut(Schema):
    name: str
    title: str
    missing: list[str]
    severity: str


class OverrideOut(Schema):
    code: str
    original_points: int | None
    points: int | None
    reason: str
    by: str


class ScoreOut(Schema):
    sections: list[SectionScoreOut]
    questions: list[QuestionScoreOut]
    overall_risk: float | None
    control_band: str | None
    tier: int
    tier_reasons: list[str]
    residual: str | None
    decision: str
    decision_reasons: list[str]
    knockouts: list[RuleHitOut]
    flags: list[RuleHitOut]
    pending_rules: list[PendingRuleOut]
    incomplete: bool
    unanswered: list[str]
    overrides: list[OverrideOut]


class ReportOut(Schema):
    assessment: int
    record_hash: str
    state: str
    pages: int | None
    error: str
    pdf: str | None


# --- Evidence -------------------------------------------------------------------------------


class DocumentOut(Schema):
    id: int
    vendor: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    uploaded_by: str
    kind: str
    kind_label: str
    issued_on: dt.date | None
    period_start: dt.date | None
    period_end: dt.date | None
    expires_on: dt.date | None
    expires: dt.date | None
    expiry_status: str
    superseded: bool
    auditor: str
    opinion: str
    subservice_providers: list[int]
    subservice_other: str
    download: str


class DocumentPage(PageOut):
    results: list[DocumentOut]


class SOC2CheckOut(Schema):
    key: str
    question: str
    answer: str  # yes, no or na
    note: str


class SOC2ReviewOut(Schema):
    id: int
    document: int
    reviewer: str
    reviewed_at: dt.datetime
    conclusion: str
    notes: str
    checklist: list[SOC2CheckOut]


class SOC2ReviewPage(PageOut):
    results: list[SOC2ReviewOut]


class EvidenceOut(Schema):
    id: int
    question: str | None
    document: int
    name: str
    size: int
    content_type: str
    uploaded_by: str
    uploaded_at: dt.datetime
    created: bool = False


class EvidencePage(PageOut):
    results: list[EvidenceOut]


# --- Contracts ------------------------------------------------------------------------------


class ContractDocumentOut(Schema):
    id: int
    document: int
    name: str
    kind: str


class ContractOut(Schema):
    id: int
    service: int
    reference: str
    buyer_party: str
    vendor_party: str
    owner: int | None
    start_date: dt.date
    end_date: dt.date | None
    auto_renews: bool
    renewal_term_months: int | None
    renewal_notice_days: int | None
    buyer_termination_notice_days: int | None
    vendor_termination_notice_days: int | None
    pass_through_notice_days: int | None
    spend_amount: str | None
    spend_currency: str
    spend_period: str
    term_end: dt.date | None
    notice_by: dt.date | None
    renewals: int
    documents: list[ContractDocumentOut]


# --- Supply chain and portfolio -------------------------------------------------------------


class ProviderOut(Schema):
    id: int
    name: str
    kind: str
    owner: str
    country: str


class ProviderPage(PageOut):
    results: list[ProviderOut]


class LinkOut(Schema):
    id: int
    source: str  # "service", or the id of the provider that depends on this one (deeper tier)
    from_provider: int | None
    provider: int
    provider_name: str
    role: str
    share: float | None
    arrangement: str
    notice_days: int | None
    regions: list[str]
    pass_through: bool
    alternative: bool
    competitor: bool | None


class ChainFactsOut(Schema):
    exposure: dict[str, float]
    upstream_notice_days: float | None
    upstream_notice_via: str | None
    effective_notice_days: float | None
    notice_gap_days: float | None
    largest_provider: str | None
    largest_provider_share: float | None
    independent_compute_providers: int
    competitor_or_leased_share: float | None
    regions: list[str]
    regions_outside: list[str]
    regions_unknown: list[str]
    single_points_of_failure: list[str]
    no_pass_through: list[str]
    risky_links: list[int]  # indexes into the service's `links`, in their order
    names: dict[str, Any]


class SupplyChainOut(Schema):
    service: int
    links: list[LinkOut]
    providers: list[ProviderOut]
    allowed_regions: list[str]
    vendor_notice_days: float | None
    migrate_days: float | None
    facts: ChainFactsOut | None
    latest_assessment: int | None


class ProviderDependencyOut(Schema):
    provider: ProviderOut
    services: list[str]
    count: int
    spend: float | None
    serving_spend: float | None
    roles: list[str]
    shared: bool


class RegionDependencyOut(Schema):
    region: str
    code: str | None
    unknown: bool
    places: list[str]
    services: list[str]
    count: int
    spend: float | None
    shared: bool


class ConcentrationOut(Schema):
    shares: dict[str, float]
    hhi: float
    band: str


class SpendBasisOut(Schema):
    currency: str
    missing: list[str]
    as_of: dt.date | None


class PortfolioOut(Schema):
    services: int
    services_with_chain: int
    spend: SpendBasisOut
    providers: list[ProviderDependencyOut]
    regions: list[RegionDependencyOut]
    concentration: ConcentrationOut
    model_concentration: ConcentrationOut
    shared_models: dict[str, list[str]]  # owner -> the services that share it as model provider


class ReviewRowOut(Schema):
    assessment: int
    vendor: str
    service: str
    service_id: int
    status: str
    tier: int | None
    months: int | None
    due: dt.date | None
    overdue: bool
    soon: bool
    flagged: bool
    reason: str


class ReviewPage(PageOut):
    results: list[ReviewRowOut]
