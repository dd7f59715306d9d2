"""Reads over vendors and services for the pages and the calendar: dated rows of the evidence
register, the model lifecycle and the contracts, for the obligations calendar, the reminders and
the register page. Each read is scoped to one organisation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from procurement.core.models import Organisation
from procurement.vendors.contracts import contract_dates
from procurement.vendors.models import (
    AIService,
    Contract,
    Document,
    DocumentKind,
    Lifecycle,
    ModelLifecycle,
    Vendor,
    expiry_status,
)


@dataclass(frozen=True)
class DatedRow:
    """One dated obligation: ``kind`` is "evidence_expiry" or "model_retirement"; ``due`` the date;
    ``owner`` the vendor's owner (a user, or None); ``url`` the page to act on."""

    kind: str
    due: dt.date
    title: str
    vendor_id: int
    vendor_name: str
    owner: object
    url: str
    object_id: int
    service_id: int | None = None
    service_name: str = ""


def typed_documents(*, organisation: Organisation):
    return Document.objects.filter(vendor__organisation=organisation).exclude(kind="")


def live_expiring(*, organisation: Organisation, until: dt.date | None = None) -> QuerySet[Document]:
    """The organisation's typed documents with an expiry date (on or before ``until``, expired
    ones included) that no later document of the same kind from the same vendor supersedes,
    read through the stored expiry (``Document.expiry``, ``superseded``) and its index."""
    qs = typed_documents(organisation=organisation).filter(superseded=False, expiry__isnull=False)
    return qs if until is None else qs.filter(expiry__lte=until)


def dated_document(d: Document) -> DatedRow:
    verb = "expired" if d.expiry < timezone.localdate() else "expires"
    return DatedRow(
        kind="evidence_expiry",
        due=d.expiry,
        title=f"{d.get_kind_display()} “{d.original_name}” {verb}",
        vendor_id=d.vendor_id,
        vendor_name=d.vendor.name,
        owner=d.vendor.owner,
        url=register_url(d.vendor_id, d.pk),
        object_id=d.pk,
    )


def documents_expiring(*, organisation: Organisation, until: dt.date) -> list[DatedRow]:
    """Every typed document of the organisation's vendors whose expiry date is on or before
    ``until`` (expired ones included), soonest first; a document superseded by a later one of
    the same kind from the same vendor (a newer SOC 2 report) is left out. One query."""
    rows = live_expiring(organisation=organisation, until=until).select_related("vendor__owner")
    return [dated_document(d) for d in rows.order_by("expiry", "pk")]


def retirement_title(model_version: str, model_name: str, replacement: str) -> str:
    """ "gpt-x-2026-06 retires (replacement: gpt-x-2027-01)": the model named by the lifecycle
    record, else by its service, else "the model"."""
    model = model_version or model_name or "the model"
    return f"{model} retires" + (f" (replacement: {replacement})" if replacement else "")


def dated_retirement(life: ModelLifecycle) -> DatedRow:
    service = life.service
    return DatedRow(
        kind="model_retirement",
        due=life.retires_on,
        title=retirement_title(life.model_version, service.model_name, life.replacement),
        vendor_id=service.vendor_id,
        vendor_name=service.vendor.name,
        owner=service.vendor.owner,
        url=service.get_absolute_url(),
        object_id=life.pk,
        service_id=service.pk,
        service_name=service.name,
    )


def model_retirements(*, organisation: Organisation, until: dt.date) -> list[DatedRow]:
    """Every announced model retirement of the organisation's services on or before ``until``
    (past ones included), soonest first. One query."""
    rows = (
        ModelLifecycle.objects.filter(service__vendor__organisation=organisation, retires_on__lte=until)
        .select_related("service__vendor__owner")
        .order_by("retires_on", "pk")
    )
    return [dated_retirement(life) for life in rows]


def register_url(vendor_id: int, document_id: int | None = None) -> str:
    url = reverse("vendors:evidence", args=[vendor_id])
    return f"{url}#doc-{document_id}" if document_id else url


def register_rows(vendor, *, today: dt.date) -> list[dict]:
    """The vendor's documents grouped by kind in the register's order, each with its expiry
    status ("valid", "expiring", "expired" or "" without a date) and whether a later document
    of the same kind supersedes it. Untyped documents come last."""
    order = {k: i for i, k in enumerate(DocumentKind.values)}
    documents = (
        Document.objects.filter(vendor=vendor)
        .prefetch_related("subservice_providers", "soc2_reviews")
        .order_by("original_name", "pk")
    )
    documents = list(documents)
    latest: dict[str, dt.date] = {}
    for d in documents:
        if d.expiry_date is not None and (d.kind not in latest or d.expiry_date > latest[d.kind]):
            latest[d.kind] = d.expiry_date
    groups: dict[str, dict] = {}
    for d in documents:
        label = d.get_kind_display() if d.kind else "Not yet described"
        group = groups.setdefault(d.kind, {"kind": d.kind, "label": label, "documents": []})
        group["documents"].append(
            {
                "document": d,
                "expires": d.expiry_date,
                "status": expiry_status(d.expiry_date, today),
                # A later document of the same kind replaces it: no reminders, no expiry flag.
                "superseded": bool(d.kind and d.expiry_date and d.expiry_date < latest[d.kind]),
            }
        )
    return sorted(groups.values(), key=lambda g: order.get(g["kind"], len(order)))


@dataclass(frozen=True)
class ContractDeadline:
    """One dated obligation of a contract.

    ``kind``: ``contract_notice`` (the last day to say we will not renew an automatically
    renewing contract), ``contract_renewal`` (the day it renews) or ``contract_end`` (the day a
    contract that does not renew by itself ends). ``owner`` is the contract's owner, else the
    vendor's (None when neither is set)."""

    kind: str
    date: dt.date
    title: str
    detail: str
    url: str
    contract: Contract
    service: AIService
    vendor: Vendor
    owner: object | None

    @property
    def owner_label(self) -> str:
        return (self.owner.get_full_name() or self.owner.get_username()) if self.owner else ""


KIND_LABELS = {
    "contract_notice": "Last day to give notice",
    "contract_renewal": "Contract renews",
    "contract_end": "Contract ends",
}


def live_contracts(organisation: Organisation) -> QuerySet[Contract]:
    """Contracts of the organisation's services that have not ended, with what a row needs (one query)."""
    return (
        Contract.objects.filter(service__vendor__organisation=organisation, end_date__isnull=False)
        .exclude(service__status=Lifecycle.ENDED)
        .select_related("service__vendor__owner", "owner")
        .order_by("pk")
    )


def contract_deadline_detail(kind: str, reference: str, term_end: dt.date) -> str:
    """What a contract date means, in words (``term_end``: the end of the current term)."""
    ref = f" ({reference})" if reference else ""
    if kind == "contract_notice":
        return f"Last day to give notice of non-renewal{ref}: it renews on {term_end:%d %b %Y}"
    if kind == "contract_renewal":
        return f"Renews automatically{ref}"
    return f"Contract ends{ref}"


def contract_deadlines(
    *, organisation: Organisation, until: dt.date, today: dt.date | None = None, contracts=None
) -> list[ContractDeadline]:
    """Every dated contract obligation of the organisation on or before ``until``, oldest first:
    for an automatically renewing contract its last day to give notice and its renewal date (of
    the current term), for any other its end date. Ended services have none. Past dates stay in
    (overdue) until the contract is changed or the service ends. ``contracts`` narrows the
    organisation's live contracts (a queryset of Contract)."""
    today = today or dt.date.today()
    rows: list[ContractDeadline] = []
    live = live_contracts(organisation)
    for contract in live if contracts is None else live.filter(pk__in=contracts.values("pk")):
        service = contract.service
        dates = contract_dates(contract, today=today)
        owner = contract.owner or service.vendor.owner
        base = {
            "url": contract.get_absolute_url(),
            "contract": contract,
            "service": service,
            "vendor": service.vendor,
            "owner": owner,
        }
        name = f"{service.vendor.name} — {service.name}"
        if dates.notice_by is not None:
            found = [("contract_notice", dates.notice_by), ("contract_renewal", dates.term_end)]
        else:
            found = [("contract_end", dates.term_end)]
        for kind, day in found:
            if day <= until:
                detail = contract_deadline_detail(kind, contract.reference, dates.term_end)
                rows.append(ContractDeadline(kind=kind, date=day, title=name, detail=detail, **base))
    rows.sort(key=lambda r: (r.date, r.kind, r.service.pk))
    return rows


def services_with_status(qs: QuerySet[AIService], status: str | None) -> QuerySet[AIService]:
    """``qs`` narrowed to one lifecycle status (any when ``status`` is empty or unknown)."""
    return qs.filter(status=status) if status in Lifecycle.values else qs
