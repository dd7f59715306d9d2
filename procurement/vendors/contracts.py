"""Contracts of AI services: the checks on their dates and notice periods, the dates derived
from them (the current term's end, the last day to give notice), what they offer the scoring
rules, and their writes with history.

Every change is written to the service's history (``ServiceChange``, old and new values in
words) and to the organisation's audit log (``core.services.audit_add``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from procurement.core.services import audit_add
from procurement.scoring.params import CONTRACT_NOTICE_FACT, CONTRACT_UPSTREAM_FACT
from procurement.vendors.documents import CheckedUpload, document_store
from procurement.vendors.history import EMPTY, diff_words, person
from procurement.vendors.models import AIService, Contract, ContractDocument, ServiceChange, add_months

DEFAULT_RENEWAL_MONTHS = 12

NOTICE_FIELDS = (
    "renewal_notice_days",
    "buyer_termination_notice_days",
    "vendor_termination_notice_days",
    "pass_through_notice_days",
)


def field_label(name: str) -> str:
    label = str(Contract._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


# Contract dates a person can mean: renewals are computed from them, decades ahead.
EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 12, 31)


def contract_problems(contract: Contract) -> dict[str, str]:
    """Each field whose value contradicts the rest, with a message naming it. Empty when fine."""
    problems: dict[str, str] = {}
    for name in NOTICE_FIELDS:
        value = getattr(contract, name)
        if value is not None and value < 0:
            problems[name] = f"{field_label(name)} cannot be negative; enter 0 or more days."
    start, end = contract.start_date, contract.end_date
    for name, day in (("start_date", start), ("end_date", end)):
        if day is not None and not EARLIEST <= day <= LATEST:
            problems[name] = f"{field_label(name)} must be between {EARLIEST:%d %b %Y} and {LATEST:%d %b %Y}."
    if problems.keys() & {"start_date", "end_date"}:
        return problems
    if start and end and end <= start:
        problems["end_date"] = (
            f"The end or renewal date ({end:%d %b %Y}) must be after the start date ({start:%d %b %Y})."
        )
    if contract.auto_renews and end is None:
        problems["end_date"] = "A contract that renews automatically needs its renewal date."
    notice = contract.renewal_notice_days
    if notice is not None and notice >= 0 and "end_date" not in problems:
        if start and end and notice > (end - start).days:
            problems["renewal_notice_days"] = (
                f"The notice to stop the renewal ({notice} days) is longer than the contract's term "
                f"({(end - start).days} days from the start date to the renewal date)."
            )
        elif contract.auto_renews and end is not None:
            months = contract.renewal_term_months or DEFAULT_RENEWAL_MONTHS
            term = (add_months(end, months) - end).days
            if notice > term:
                problems["renewal_notice_days"] = (
                    f"The notice to stop the renewal ({notice} days) is longer than each renewal "
                    f"({months} months, {term} days)."
                )
    months = contract.renewal_term_months
    if months is not None and not 1 <= months <= 120:
        problems["renewal_term_months"] = "Each renewal runs from 1 to 120 months."
    if contract.spend_amount is not None and contract.spend_amount < 0:
        problems["spend_amount"] = "The spend cannot be negative."
    return problems


def contract_validate(contract: Contract) -> None:
    """ValidationError naming each field in trouble (Contract.clean and the service use it)."""
    problems = contract_problems(contract)
    if problems:
        raise ValidationError(problems)


# --- Dates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractDates:
    """What a contract's dates mean today. ``term_end`` is the end of the current term: an
    automatic renewal moves it on by the renewal term once the written date has passed."""

    term_end: dt.date | None
    renewals: int  # automatic renewals since the written end date
    notice_by: dt.date | None  # last day to say we will not renew (automatic renewal only)

    @property
    def ends(self) -> bool:
        """The contract ends on ``term_end`` unless renewed (it does not renew by itself)."""
        return self.term_end is not None and self.notice_by is None


def contract_dates(contract: Contract, *, today: dt.date) -> ContractDates:
    return term_dates(
        contract.end_date,
        auto_renews=contract.auto_renews,
        months=contract.renewal_term_months,
        notice_days=contract.renewal_notice_days,
        today=today,
    )


def term_dates(
    end_date: dt.date | None, *, auto_renews: bool, months: int | None, notice_days: int | None, today: dt.date
) -> ContractDates:
    """``contract_dates`` from the stored values alone (the calendar reads them without rows)."""
    end = end_date
    if end is None:
        return ContractDates(None, 0, None)
    renewals = 0
    if auto_renews:
        months = months or DEFAULT_RENEWAL_MONTHS
        if end < today:  # jump close to today, then step: 1200 renewals at most
            renewals = min(max(0, ((today.year - end.year) * 12 + today.month - end.month) // months - 1), 1199)
            end = add_months(end_date, months * renewals)
        while end < today and renewals < 1200:
            renewals += 1
            end = add_months(end_date, months * renewals)
    notice_by = None
    if auto_renews:
        notice_by = end - dt.timedelta(days=notice_days or 0)
    return ContractDates(end, renewals, notice_by)


# --- What the rules read -----------------------------------------------------------------------


def contract_snapshot(service: AIService) -> dict | None:
    """The contract's parties and figures as plain JSON, for the frozen record; None without one."""
    contract = Contract.objects.filter(service=service).first()
    if contract is None:
        return None

    def days(value):
        return None if value is None else float(value)

    return {
        "reference": contract.reference,
        "buyer_party": contract.buyer_party,
        "vendor_party": contract.vendor_party,
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat() if contract.end_date else None,
        "auto_renews": contract.auto_renews,
        "renewal_notice_days": days(contract.renewal_notice_days),
        "buyer_notice_days": days(contract.buyer_termination_notice_days),
        "vendor_notice_days": days(contract.vendor_termination_notice_days),
        "pass_through_notice_days": days(contract.pass_through_notice_days),
    }


def contract_scoring_facts(snapshot: dict | None) -> dict[str, float]:
    """The contracted notice figures the notice-gap rule compares with the answers."""
    if not snapshot:
        return {}
    facts = {}
    if snapshot.get("vendor_notice_days") is not None:
        facts[CONTRACT_NOTICE_FACT] = float(snapshot["vendor_notice_days"])
    if snapshot.get("pass_through_notice_days") is not None:
        facts[CONTRACT_UPSTREAM_FACT] = float(snapshot["pass_through_notice_days"])
    return facts


# --- Writes -----------------------------------------------------------------------------------


def _record(*, service: AIService, action: str, subject: str, fields: list[dict], by, by_label: str = "") -> None:
    ServiceChange.objects.create(
        organisation_id=service.vendor.organisation_id,
        service=service,
        action=action,
        subject=subject,
        fields=fields,
        by=by if getattr(by, "pk", None) else None,
        by_label=person(by, by_label),
    )


def service_change_record(*, service: AIService, subject: str, fields: list[dict], by, by_label: str = "") -> None:
    """A lifecycle step on the service's history (status changes, offboarding steps)."""
    _record(
        service=service, action=ServiceChange.Action.CHANGED, subject=subject, fields=fields, by=by, by_label=by_label
    )


@transaction.atomic
def contract_save(*, contract: Contract, service: AIService, by) -> Contract:
    """Create or change the service's contract, validated; the history records each field's
    old and new value, the organisation's audit log one line. An invalid contract raises
    ValidationError and nothing is written."""
    contract.service = service
    before = Contract.objects.select_for_update().filter(pk=contract.pk).first() if contract.pk else None
    contract.full_clean()
    contract.save()
    fields = diff_words(before, contract, skip={"service", "renewal_flagged_for"})
    if before is not None and not fields:
        return contract
    action = ServiceChange.Action.CREATED if before is None else ServiceChange.Action.CHANGED
    subject = f"Contract {contract.reference or '(no reference)'}"
    _record(service=service, action=action, subject=subject, fields=fields, by=by)
    changed = ", ".join(f["field"].lower() for f in fields) or "recorded"
    verb = "added" if before is None else "changed"
    audit_add(
        organisation=service.vendor.organisation,
        by=by,
        note=f"contract {verb} for {service} ({changed})"[:2000],
    )
    return contract


@transaction.atomic
def contract_document_attach(*, contract: Contract, checked: CheckedUpload, kind: str, by) -> ContractDocument:
    """Store an uploaded file as the vendor's document (one copy per vendor by content) and
    attach it to the contract as an MSA, DPA, order form or other part."""
    if kind not in ContractDocument.Kind.values:
        raise ValidationError({"kind": "Choose what the document is: MSA, DPA, order form or other."})
    service = contract.service
    document, _ = document_store(vendor=service.vendor, checked=checked, by=by)
    link, created = ContractDocument.objects.get_or_create(
        contract=contract, document=document, defaults={"kind": kind, "added_by_label": person(by, "")}
    )
    label = str(ContractDocument.Kind(link.kind).label)
    if not created:
        raise ValidationError({"file": f"{document.original_name} is already attached to this contract as: {label}."})
    _record(
        service=service,
        action=ServiceChange.Action.CREATED,
        subject=f"Contract document {document.original_name}",
        fields=[{"field": "What it is", "old": EMPTY, "new": label}],
        by=by,
    )
    audit_add(
        organisation=service.vendor.organisation,
        by=by,
        note=f"contract document {document.original_name} attached to {service}",
    )
    return link


@transaction.atomic
def contract_document_detach(*, link: ContractDocument, by) -> None:
    """Take a document off the contract; the vendor's document itself stays."""
    service = link.contract.service
    name, label = link.document.original_name, str(link.get_kind_display())
    link.delete()
    _record(
        service=service,
        action=ServiceChange.Action.REMOVED,
        subject=f"Contract document {name}",
        fields=[{"field": "What it is", "old": label, "new": EMPTY}],
        by=by,
    )
    audit_add(organisation=service.vendor.organisation, by=by, note=f"contract document {name} detached from {service}")
