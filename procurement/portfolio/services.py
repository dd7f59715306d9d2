"""Supply-chain writes that reach past the vendor records.

Each saves the chain through procurement.vendors.supply and then, in the same transaction,
flags the current assessment of every affected service for reassessment
(procurement.assessments.services.reassessment_mark) and refreshes the recommendation of
every open assessment of those services. The vendor records cannot do that themselves: they
sit below assessments.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from procurement.assessments.services import open_assessments_rescore, reassessment_mark
from procurement.core.models import Organisation
from procurement.vendors import supply
from procurement.vendors.models import AIService, Provider, SupplyLink

# Who owns a provider, and what kind it is, decide how concentration groups it.
GROUPING_FIELDS = ("owner", "kind")


def _affected(link: SupplyLink) -> list[AIService]:
    if link.service_id:
        return [link.service]
    return supply.services_reaching(link.from_provider.organisation, link.from_provider_id)


def _mark_for_reassessment(services: list[AIService], reason: str) -> None:
    for service in services:
        reassessment_mark(service=service, reason=reason)


def _change_reason(before: SupplyLink | None, link: SupplyLink) -> str:
    """Why a saved link calls for reassessment: a new provider, a shorter notice or another provider ("" if none)."""
    source = link.service.name if link.service_id else link.from_provider.name
    if before is None:
        return f"New provider in the supply chain: {source} → {link.provider.name} ({link.get_role_display()})."
    if (
        link.notice_days is not None
        and (before.notice_days is None or link.notice_days < before.notice_days)
        and before.notice_days != link.notice_days
    ):
        return (
            f"Shorter notice: {source} → {link.provider.name} now {link.notice_days} days"
            f" (was {before.notice_days if before.notice_days is not None else 'unknown'})."
        )
    if before.provider_id != link.provider_id:
        return f"Provider changed: {source} → {link.provider.name} (was {before.provider.name})."
    return ""


@transaction.atomic
def link_change(*, link: SupplyLink, organisation: Organisation, by=None) -> SupplyLink:
    """Create or change a link. A new provider, a shorter notice or another provider marks the
    current assessment of every service the link reaches for reassessment."""
    before = SupplyLink.objects.filter(pk=link.pk).first() if link.pk else None
    supply.link_save(link=link, organisation=organisation, by=by)
    affected = _affected(link)
    open_assessments_rescore(services=affected)
    if reason := _change_reason(before, link):
        _mark_for_reassessment(affected, reason)
    return link


@transaction.atomic
def link_remove(*, link: SupplyLink, by=None) -> None:
    """Delete a link and mark every service it reached for reassessment."""
    affected = _affected(link)
    source = link.service.name if link.service_id else link.from_provider.name
    supply.link_delete(link=link, by=by)
    open_assessments_rescore(services=affected)
    _mark_for_reassessment(affected, f"Provider removed from the supply chain: {source} → {link.provider.name}.")


@transaction.atomic
def provider_change(*, provider: Provider, organisation: Organisation, by=None) -> Provider:
    """Save a provider's changed details. A new owner or kind changes how the chain's
    concentration is counted: every service reaching the provider is marked for reassessment.
    A new name alone changes nothing the scores read."""
    if provider.organisation_id != organisation.pk:
        raise ValidationError("Unknown provider.", code="scope")
    stored = Provider.objects.select_for_update().get(pk=provider.pk)
    changed = [f for f in GROUPING_FIELDS if getattr(stored, f) != getattr(provider, f)]
    supply.provider_save(provider=provider, organisation=organisation, by=by)
    if changed:
        was = ", ".join(f"{f} was {getattr(stored, f) or 'empty'}" for f in changed)
        services = supply.services_reaching(organisation, provider.pk)
        open_assessments_rescore(services=services)
        _mark_for_reassessment(services, f"Provider details changed: {provider.name} ({was}).")
    return provider
