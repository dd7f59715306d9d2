"""Reads over vendors and services for the pages and the calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from procurement.core.models import Organisation
from procurement.vendors.contracts import contract_dates
from procurement.vendors.models import AIService, Contract, Lifecycle, Vendor


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


def contract_deadlines(
    *, organisation: Organisation, until: dt.date, today: dt.date | None = None
) -> list[ContractDeadline]:
    """Every dated contract obligation of the organisation on or before ``until``, oldest first:
    for an automatically renewing contract its last day to give notice and its renewal date (of
    the current term), for any other its end date. Ended services have none. Past dates stay in
    (overdue) until the contract is changed or the service ends."""
    today = today or dt.date.today()
    rows: list[ContractDeadline] = []
    for contract in live_contracts(organisation):
        service = contract.service
        dates = contract_dates(contract, today=today)
        owner = contract.owner or service.vendor.owner
        ref = f" ({contract.reference})" if contract.reference else ""
        base = {
            "url": contract.get_absolute_url(),
            "contract": contract,
            "service": service,
            "vendor": service.vendor,
            "owner": owner,
        }
        name = f"{service.vendor.name} — {service.name}"
        if dates.notice_by is not None:
            found = [
                (
                    "contract_notice",
                    dates.notice_by,
                    f"Last day to give notice of non-renewal{ref}: it renews on {dates.term_end:%d %b %Y}",
                ),
                ("contract_renewal", dates.term_end, f"Renews automatically{ref}"),
            ]
        else:
            found = [("contract_end", dates.term_end, f"Contract ends{ref}")]
        for kind, day, detail in found:
            if day <= until:
                rows.append(ContractDeadline(kind=kind, date=day, title=name, detail=detail, **base))
    rows.sort(key=lambda r: (r.date, r.kind, r.service.pk))
    return rows


def services_with_status(qs: QuerySet[AIService], status: str | None) -> QuerySet[AIService]:
    """``qs`` narrowed to one lifecycle status (any when ``status`` is empty or unknown)."""
    return qs.filter(status=status) if status in Lifecycle.values else qs
