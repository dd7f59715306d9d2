"""Reads and writes for the compute supply chain: providers, links, and the facts derived from them.

The arithmetic is pure and lives in procurement.scoring.supply; this module turns
rows into its inputs and snapshots chains for frozen records. Its writes touch chain
rows only: the rule that a changed chain flags the service's current assessment for
reassessment lives one floor up, in procurement.portfolio.services.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from procurement.core.models import Organisation
from procurement.scoring import geo
from procurement.scoring import supply as pure
from procurement.vendors import history
from procurement.vendors.models import AIService, Provider, SupplyLink

SOURCE_SERVICE = pure.SERVICE


# --- Reading ------------------------------------------------------------------------------


@dataclass
class OrgChains:
    """Every provider and link of an organisation, loaded in two queries."""

    providers: dict[str, pure.Provider]
    rows: dict[str, Provider]
    by_service: dict[int, list[SupplyLink]]
    by_provider: dict[int, list[SupplyLink]]

    def links_for(self, service_id: int) -> list[SupplyLink]:
        """The service's own links and every deeper-tier link reachable from them."""
        result, seen, queue = [], set(), list(self.by_service.get(service_id, []))
        while queue:
            link = queue.pop(0)
            if link.pk in seen:
                continue
            seen.add(link.pk)
            result.append(link)
            queue.extend(self.by_provider.get(link.provider_id, []))
        return result

    def chain(self, service_id: int) -> list[pure.Link]:
        return [to_pure(link) for link in self.links_for(service_id)]


def org_chains(organisation: Organisation | int) -> OrgChains:
    """Every provider and link of the organisation (or the organisation's pk)."""
    rows = {str(p.pk): p for p in Provider.objects.filter(organisation=organisation)}
    by_service: dict[int, list[SupplyLink]] = defaultdict(list)
    by_provider: dict[int, list[SupplyLink]] = defaultdict(list)
    links = SupplyLink.objects.filter(provider__organisation=organisation).select_related("provider")
    for link in links:
        if link.service_id:
            by_service[link.service_id].append(link)
        else:
            by_provider[link.from_provider_id].append(link)
    return OrgChains(
        providers={pk: to_pure_provider(p) for pk, p in rows.items()},
        rows=rows,
        by_service=dict(by_service),
        by_provider=dict(by_provider),
    )


def services_reaching(organisation: Organisation, provider_id: int) -> list[AIService]:
    """Services whose chain passes through this provider."""
    chains = org_chains(organisation)
    ids = [sid for sid in chains.by_service if any(lk.provider_id == provider_id for lk in chains.links_for(sid))]
    return list(AIService.objects.filter(pk__in=ids))


def to_pure_provider(p: Provider) -> pure.Provider:
    return pure.Provider(id=str(p.pk), name=p.name, kind=p.kind, owner=p.owner, country=p.country)


def to_pure(link: SupplyLink) -> pure.Link:
    return pure.Link(
        source=SOURCE_SERVICE if link.service_id else str(link.from_provider_id),
        provider=str(link.provider_id),
        role=link.role,
        share=float(link.share) if link.share is not None else None,
        arrangement=link.arrangement,
        notice_days=float(link.notice_days) if link.notice_days is not None else None,
        pass_through=link.pass_through,
        alternative=link.alternative,
        competitor=link.competitor,
        regions=link.region_list,
    )


def chain_snapshot(
    service: AIService,
    *,
    vendor_notice_days: float | None = None,
    migrate_days: float | None = None,
    chains: OrgChains | None = None,
    contract: dict | None = None,
    pass_through_days: float | None = None,
) -> dict:
    """The service's chain and its facts as plain JSON (frozen records and reports draw from this).

    ``pass_through_days`` is the vendor's answered notice of upstream changes; with the
    contract's, the shorter commitment (> 0 days) replaces the upstream leg of the effective
    notice, as the notice-gap rule does.

    ``contract`` is the service's contract snapshot (procurement.vendors.contracts.contract_snapshot):
    kept in the snapshot, and its vendor notice counts beside the answered one when it is shorter,
    so the effective notice shown agrees with the notice-gap rule."""
    chains = chains or org_chains(service.vendor.organisation_id)
    rows = chains.links_for(service.pk)
    links = [to_pure(link) for link in rows]
    used = {link.provider for link in links} | {link.source for link in links if link.source != SOURCE_SERVICE}
    snapshot = {
        "providers": {
            pk: {"name": p.name, "kind": p.kind, "owner": p.owner, "country": p.country}
            for pk, p in chains.providers.items()
            if pk in used
        },
        "links": [
            {
                "source": link.source,
                "provider": link.provider,
                "role": link.role,
                "share": link.share,
                "arrangement": link.arrangement,
                "notice_days": link.notice_days,
                "pass_through": link.pass_through,
                "alternative": link.alternative,
                "competitor": link.competitor,
                "regions": list(link.regions),
            }
            for link in links
        ],
        "allowed_regions": list(service.allowed_regions),
        "vendor_notice_days": vendor_notice_days,
        "migrate_days": migrate_days,
        "facts": None,
    }
    # Absent from snapshots made before contracts were recorded; None: no contract.
    snapshot["contract"] = contract
    contracted = (contract or {}).get("vendor_notice_days")
    known = [n for n in (vendor_notice_days, contracted) if n is not None]
    commitments = [
        n for n in (pass_through_days, (contract or {}).get("pass_through_notice_days")) if n is not None and n > 0
    ]
    snapshot["committed_notice_days"] = min(commitments) if commitments else None
    if links:
        facts = pure.chain_facts(
            links,
            chains.providers,
            vendor_notice_days=min(known) if known else None,
            migrate_days=migrate_days,
            allowed_regions=service.allowed_regions,
            committed_notice_days=snapshot["committed_notice_days"],
        )
        snapshot["facts"] = facts_as_dict(facts)
        name = {pk: p["name"] for pk, p in snapshot["providers"].items()}.get
        snapshot["facts"]["names"] = {
            "upstream_notice_via": name(facts.upstream_notice_via, ""),
            "single_points_of_failure": [name(p, p) for p in facts.single_points_of_failure],
            "no_pass_through": [name(p, p) for p in facts.no_pass_through],
        }
    return snapshot


def facts_as_dict(facts: pure.ChainFacts) -> dict:
    return {
        "exposure": facts.exposure,
        "upstream_notice_days": facts.upstream_notice_days,
        "upstream_notice_via": facts.upstream_notice_via,
        "effective_notice_days": facts.effective_notice_days,
        "notice_gap_days": facts.notice_gap_days,
        "largest_provider": facts.largest_provider,
        "largest_provider_share": facts.largest_provider_share,
        "independent_compute_providers": facts.independent_compute_providers,
        "competitor_or_leased_share": facts.competitor_or_leased_share,
        "regions": list(facts.regions),
        "regions_outside": list(facts.regions_outside),
        "regions_unknown": list(facts.regions_unknown),
        "single_points_of_failure": list(facts.single_points_of_failure),
        "no_pass_through": list(facts.no_pass_through),
        "risky_links": sorted(facts.risky_links),
        "scoring": facts.as_scoring_facts(),
    }


# --- Writing ------------------------------------------------------------------------------


def _check_no_cycle(organisation: Organisation, candidate: SupplyLink) -> None:
    """Refuse a provider-to-provider link that would close a loop."""
    if candidate.service_id:
        return
    links = [
        pure.Link(source=str(link.from_provider_id), provider=str(link.provider_id), role=link.role)
        for link in SupplyLink.objects.filter(from_provider__organisation=organisation).exclude(pk=candidate.pk)
    ]
    links.append(
        pure.Link(source=str(candidate.from_provider_id), provider=str(candidate.provider_id), role=candidate.role)
    )
    try:
        pure.check_acyclic(links)
    except pure.ChainCycle as exc:
        names = {str(p.pk): p.name for p in Provider.objects.filter(organisation=organisation)}
        raise ValidationError(
            "This link would make the chain loop: " + " → ".join(names.get(n, n) for n in exc.path) + ".",
            code="cycle",
        ) from exc


@transaction.atomic
def link_save(*, link: SupplyLink, organisation: Organisation, by=None, by_label: str = "") -> SupplyLink:
    """Create or change a link after the scope and loop checks, and record the change in the chain's
    history (``by``/``by_label``: who). Only the link is written: a change that should flag
    assessments for reassessment goes through procurement.portfolio.services."""
    if link.provider.organisation_id != organisation.pk:
        raise ValidationError("Unknown provider.", code="scope")
    if link.service_id and link.service.vendor.organisation_id != organisation.pk:
        raise ValidationError("Unknown service.", code="scope")
    if link.from_provider_id and link.from_provider.organisation_id != organisation.pk:
        raise ValidationError("Unknown provider.", code="scope")
    link.full_clean()
    _check_no_cycle(organisation, link)
    before = SupplyLink.objects.select_related("provider").filter(pk=link.pk).first() if link.pk else None
    link.save()
    history.link_change_record(before=before, link=link, by=by, by_label=by_label)
    return link


@transaction.atomic
def chain_from_rows(*, service: AIService, rows: list[dict], by=None, by_label: str = "") -> tuple[int, int]:
    """Record a vendor's provider table (already cleaned) as the service's first-tier links.

    Providers are matched by name within the organisation and created when new; a link
    to the same provider for the same role is updated. Returns (created, updated).
    """
    organisation = service.vendor.organisation
    created = updated = 0
    for row in rows:
        provider = Provider.objects.filter(organisation=organisation, name__iexact=row["provider"]).first()
        if provider is None:
            provider = provider_save(
                provider=Provider(
                    name=row["provider"],
                    kind=row["kind"],
                    owner=row["owner"],
                    country=geo.normalise_country(row["country"])[0],
                ),
                organisation=organisation,
                by=by,
                by_label=by_label,
            )
        link = SupplyLink.objects.filter(service=service, provider=provider, role=row["role"]).first()
        is_new = link is None
        link = link or SupplyLink(service=service, provider=provider, role=row["role"])
        for field in ("share", "arrangement", "notice_days", "regions", "pass_through", "alternative", "competitor"):
            setattr(link, field, row[field])
        link.regions = geo.normalise_list(row["regions"])[0]  # codes where recognised, the rest as typed
        link_save(link=link, organisation=organisation, by=by, by_label=by_label)
        created, updated = created + is_new, updated + (not is_new)
    return created, updated


@transaction.atomic
def link_delete(*, link: SupplyLink, by=None, by_label: str = "") -> None:
    """Delete a link, recorded in the history (procurement.portfolio.services.link_remove also
    flags the assessments it reached)."""
    history.link_remove_record(link=link, by=by, by_label=by_label)
    link.delete()


@transaction.atomic
def provider_save(*, provider: Provider, organisation: Organisation, by=None, by_label: str = "") -> Provider:
    """Create or change a provider, recorded in the history."""
    provider.organisation = organisation
    provider.full_clean()
    before = Provider.objects.filter(pk=provider.pk).first() if provider.pk else None
    provider.save()
    history.provider_change_record(before=before, provider=provider, by=by, by_label=by_label)
    return provider


@transaction.atomic
def provider_delete(*, provider: Provider, by=None, by_label: str = "") -> None:
    """Delete a provider nothing depends on (its own upstream links go with it: no service
    reaches them). A provider still in a chain is refused, naming who depends on it."""
    users = [str(link) for link in provider.supplies.select_related("service", "from_provider", "provider")]
    if users:
        raise ValidationError(
            f"{provider.name} is still in the supply chain: {'; '.join(users)}. Remove those links first.",
            code="in_use",
        )
    history.provider_remove_record(provider=provider, by=by, by_label=by_label)
    try:
        provider.delete()
    except ProtectedError:  # a link to it arrived since we looked
        raise ValidationError(f"{provider.name} was just linked into a supply chain.", code="in_use") from None


# --- Locations the taxonomy does not recognise ------------------------------------------------


@dataclass(frozen=True)
class UnrecognisedLocation:
    organisation: str
    where: str  # "Service Acme — Chat: required geography"
    value: str  # the stored value
    unknown: tuple[str, ...]  # the items that are not recognised


def locations_unrecognised(organisation: Organisation | None = None) -> list[UnrecognisedLocation]:
    """Stored locations the taxonomy does not recognise (for review after the free-text migration)."""
    services = AIService.objects.exclude(required_regions="").select_related("vendor__organisation")
    providers = Provider.objects.exclude(country="").select_related("organisation")
    links = SupplyLink.objects.exclude(regions="").select_related(
        "provider__organisation", "service__vendor", "from_provider"
    )
    if organisation is not None:
        services = services.filter(vendor__organisation=organisation)
        providers = providers.filter(organisation=organisation)
        links = links.filter(provider__organisation=organisation)
    found = []
    for s in services:
        _, unknown = geo.parse_list(s.required_regions)
        if unknown:
            where = f"Service {s.vendor.name} — {s.name}: required geography"
            found.append(UnrecognisedLocation(s.vendor.organisation.name, where, s.required_regions, tuple(unknown)))
    for p in providers:
        if not geo.normalise_country(p.country)[1]:
            found.append(
                UnrecognisedLocation(p.organisation.name, f"Provider {p.name}: country", p.country, (p.country,))
            )
    for link in links:
        _, unknown = geo.parse_list(link.regions)
        if unknown:
            found.append(
                UnrecognisedLocation(
                    link.provider.organisation.name, f"Link {link}: regions", link.regions, tuple(unknown)
                )
            )
    return found


@transaction.atomic
def locations_convert(*, organisation: Organisation | None = None) -> int:
    """Rewrite recognised free-text locations as taxonomy codes (what migration 0004 did), e.g. after
    an import of old rows; unrecognised text is kept. Returns the number of rows changed. Frozen
    records are not touched: they keep the text they were decided on."""
    changed = 0
    services = AIService.objects.exclude(required_regions="")
    providers = Provider.objects.exclude(country="")
    links = SupplyLink.objects.exclude(regions="")
    if organisation is not None:
        services = services.filter(vendor__organisation=organisation)
        providers = providers.filter(organisation=organisation)
        links = links.filter(provider__organisation=organisation)
    for qs, field, convert in (
        (services, "required_regions", lambda v: geo.normalise_list(v)[0]),
        (links, "regions", lambda v: geo.normalise_list(v)[0]),
        (providers, "country", lambda v: geo.normalise_country(v)[0]),
    ):
        for pk, value in qs.values_list("pk", field):
            new = convert(value)
            if new != value:
                qs.model.objects.filter(pk=pk).update(**{field: new})
                changed += 1
    return changed
