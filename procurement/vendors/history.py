"""The supply chain's own history: every change to a provider or a link, with who, when, and each
field's old and new value as a person reads it (field labels, choice labels, units, Yes/No).

The words are written when the change happens, so a later rename of a choice or a provider
does not rewrite what the history said then. procurement/vendors/supply.py calls these on every
save and delete.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models

from procurement.core.money import money_format
from procurement.vendors.models import ChainChange, Provider, SupplyLink

EMPTY = "—"
# Fields the history leaves out: the source is part of the subject, timestamps are the row's own.
SKIPPED = {"id", "created_at", "updated_at", "organisation", "service", "from_provider"}
# Units for number fields, and what an empty value means where "—" would say less.
UNITS = {
    "share": "%",
    "notice_days": "days",
    "renewal_notice_days": "days",
    "buyer_termination_notice_days": "days",
    "vendor_termination_notice_days": "days",
    "pass_through_notice_days": "days",
    "renewal_term_months": "months",
}
EMPTY_MEANS = {"notice_days": "unknown", "share": "split evenly"}
# Amounts shown with their currency (the currency field beside them on the same row).
MONEY_FIELDS = {"spend_amount": "spend_currency", "annual_spend": "currency"}


def person(by, by_label: str = "") -> str:
    """Who did it: the label given, else the user's name ("" for nobody)."""
    if by_label:
        return by_label
    if by is None:
        return ""
    return by.get_full_name() or by.get_username()


def _words(instance: models.Model, field: models.Field) -> str:
    value = getattr(instance, field.attname)
    if value is None or value == "":
        return EMPTY_MEANS.get(field.name, EMPTY)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        related = getattr(instance, field.name)
        if hasattr(related, "get_full_name"):  # a person: their name, not their login
            return related.get_full_name() or related.get_username()
        return str(related)
    if field.name in MONEY_FIELDS:
        return money_format(value, getattr(instance, MONEY_FIELDS[field.name], ""))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or EMPTY_MEANS.get(field.name, EMPTY)
    if isinstance(value, dt.date):
        return f"{value:%d %b %Y}"
    if isinstance(value, Decimal):
        value = value.normalize()
        value = f"{value:f}"
    unit = UNITS.get(field.name)
    return f"{value} {unit}".replace(" %", "%") if unit else str(value)


def _label(field: models.Field) -> str:
    label = str(field.verbose_name)
    return label[:1].upper() + label[1:]


def _fields(instance: models.Model, skip: set[str] = frozenset()) -> list[models.Field]:
    return [f for f in instance._meta.concrete_fields if f.name not in SKIPPED and f.name not in skip]


def diff_words(before: models.Model | None, after: models.Model, *, skip: set[str] = frozenset()) -> list[dict]:
    """Each field that differs between two versions of a row, as {"field", "old", "new"} in words;
    for a new row (``before`` None), each field that has a value."""
    rows = []
    for field in _fields(after, skip):
        new = _words(after, field)
        old = _words(before, field) if before is not None else EMPTY
        if before is None and new in (EMPTY, EMPTY_MEANS.get(field.name)):
            continue
        if before is not None and getattr(before, field.attname) == getattr(after, field.attname):
            continue
        rows.append({"field": _label(field), "old": old, "new": new})
    return rows


def _link_scope(link: SupplyLink) -> dict:
    return {
        "organisation_id": link.provider.organisation_id,
        "provider_id": link.provider_id,
        "service_id": link.service_id,
        "source_provider_id": link.from_provider_id,
        "link_id": link.pk,
    }


def link_change_record(*, before: SupplyLink | None, link: SupplyLink, by=None, by_label: str = "") -> None:
    """Record a saved link: "Added" with its values, or "Changed" with the fields that changed
    (nothing when none did)."""
    fields = diff_words(before, link)
    if before is not None and not fields:
        return
    ChainChange.objects.create(
        **_link_scope(link),
        action=ChainChange.Action.CREATED if before is None else ChainChange.Action.CHANGED,
        subject=f"Link {link}",
        fields=fields,
        by=by,
        by_label=person(by, by_label),
    )


def link_remove_record(*, link: SupplyLink, by=None, by_label: str = "") -> None:
    """Record a link about to be deleted, with the values it had."""
    ChainChange.objects.create(
        **_link_scope(link),
        action=ChainChange.Action.REMOVED,
        subject=f"Link {link}",
        fields=[
            {"field": _label(f), "old": _words(link, f), "new": EMPTY}
            for f in _fields(link)
            if _words(link, f) not in (EMPTY, EMPTY_MEANS.get(f.name))
        ],
        by=by,
        by_label=person(by, by_label),
    )


def provider_change_record(*, before: Provider | None, provider: Provider, by=None, by_label: str = "") -> None:
    fields = diff_words(before, provider)
    if before is not None and not fields:
        return
    ChainChange.objects.create(
        organisation_id=provider.organisation_id,
        provider=provider,
        action=ChainChange.Action.CREATED if before is None else ChainChange.Action.CHANGED,
        subject=f"Provider {provider.name}",
        fields=fields,
        by=by,
        by_label=person(by, by_label),
    )


def provider_remove_record(*, provider: Provider, by=None, by_label: str = "") -> None:
    ChainChange.objects.create(
        organisation_id=provider.organisation_id,
        provider=provider,
        action=ChainChange.Action.REMOVED,
        subject=f"Provider {provider.name}",
        by=by,
        by_label=person(by, by_label),
    )


def chain_changes_for_provider(provider: Provider):
    """Changes to the provider and to links to or from it, newest first."""
    return ChainChange.objects.filter(
        models.Q(provider=provider) | models.Q(source_provider=provider), organisation_id=provider.organisation_id
    ).select_related("by")


def chain_changes_for_service(service):
    """Changes to the service's own (first-tier) links, newest first."""
    return ChainChange.objects.filter(service=service).select_related("by")
