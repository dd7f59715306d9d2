"""Reads across an organisation's AI portfolio: shared providers and regions, concentration, scenarios.

Everything is scoped to one organisation and loaded in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import IntegerField, OuterRef, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from procurement.assessments.models import Answer, Assessment
from procurement.assessments.selectors import (
    add_months,
    bank_structure,
    notice_inputs,
    review_months_for,
    supply_chain_snapshot,
)
from procurement.core.models import Organisation
from procurement.core.money import money_to
from procurement.core.selectors import currency_rates
from procurement.scoring import geo
from procurement.scoring import supply as pure
from procurement.vendors.contracts import contract_snapshot
from procurement.vendors.diagram import chain_diagram
from procurement.vendors.models import AIService, Lifecycle
from procurement.vendors.supply import OrgChains, chain_snapshot, org_chains


@dataclass
class SpendBasis:
    """The currency spend-weighted figures are in, and the currencies that lack a rate into it.
    With any missing, no spend is mixed: every spend figure is withheld and the page says why."""

    currency: str
    missing: list[str]
    as_of: dt.date | None = None  # the oldest rate used

    @property
    def ok(self) -> bool:
        return not self.missing


@dataclass
class Portfolio:
    services: list[AIService]
    chains: OrgChains
    service_chains: list[pure.ServiceChain]
    latest: dict[int, Assessment]
    spend: SpendBasis


def spend_converted(organisation: Organisation, services: list[AIService]) -> tuple[dict[int, float], SpendBasis]:
    """Each service's annual spend in the reporting currency, with the organisation's rates.
    When a currency in use has no rate, every spend is 0 and the basis lists what is missing."""
    to = organisation.reporting_currency
    rates = currency_rates(organisation)
    values = {code: r.rate for code, r in rates.items()}
    converted: dict[int, float] = {}
    missing: set[str] = set()
    used: set[str] = set()
    for s in services:
        if s.annual_spend is None:
            continue
        amount = money_to(s.annual_spend, s.currency, to=to, rates=values)
        if amount is None:
            missing.add(s.currency)
            continue
        if s.currency != to:
            used.add(s.currency)
        converted[s.pk] = float(amount)
    as_of = min((rates[c].as_of for c in used), default=None)
    if missing:
        return {}, SpendBasis(currency=to, missing=sorted(missing), as_of=as_of)
    return converted, SpendBasis(currency=to, missing=[], as_of=as_of)


def latest_assessments(organisation: Organisation) -> dict[int, Assessment]:
    """The newest assessment of each service, in two queries whatever the number of
    assessments. Frozen records stay in the database (each is ~120 KB of JSON: loading
    every decided assessment's took seconds); ``frozen_tier`` carries the one number the
    review schedule needs, and ``frozen_record`` loads on access for the few that need it."""
    newest = (
        Assessment.objects.filter(organisation=organisation, service=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    ids = (
        AIService.objects.filter(vendor__organisation=organisation)
        .annotate(latest=Subquery(newest))
        .values_list("latest", flat=True)
    )
    rows = (
        Assessment.objects.filter(organisation=organisation, pk__in=[pk for pk in ids if pk is not None])
        .select_related("bank_version__bank")
        .defer("frozen_record", "bank_version__rule_params")
        .annotate(frozen_tier=Cast(KT("frozen_record__score__tier"), IntegerField()))
    )
    return {a.service_id: a for a in rows}


def portfolio_load(organisation: Organisation) -> Portfolio:
    services = list(AIService.objects.filter(vendor__organisation=organisation).select_related("vendor"))
    chains = org_chains(organisation)
    latest = latest_assessments(organisation)
    spend, basis = spend_converted(organisation, services)
    answers: dict[int, dict[str, Answer]] = defaultdict(dict)
    for answer in Answer.objects.filter(assessment__in=list(latest.values())):
        answers[answer.assessment_id][answer.question_code] = answer
    service_chains = []
    for s in services:
        a = latest.get(s.pk)
        vendor_notice, migrate = notice_inputs(bank_structure(a.bank_version), answers[a.pk]) if a else (None, None)
        service_chains.append(
            pure.ServiceChain(
                key=str(s.pk),
                name=f"{s.vendor.name} — {s.name}",
                links=tuple(chains.chain(s.pk)),
                annual_spend=spend.get(s.pk, 0.0),
                vendor_notice_days=vendor_notice,
                migrate_days=migrate,
            )
        )
    return Portfolio(services=services, chains=chains, service_chains=service_chains, latest=latest, spend=basis)


def dependency_table(p: Portfolio) -> tuple[list[dict], list[dict]]:
    """Per provider and per region: the services that depend on it and the spend behind them.

    Regions are counted by the taxonomy (procurement.scoring.geo.bloc): everything wholly
    inside the EU is one row ("eu", "de", "aws:eu-west-1"), anything else by its country;
    unrecognised text is one "unknown location" row, never a region of its own.
    """
    by_provider: dict[str, dict] = {}
    by_region: dict[str, dict] = {}
    for sc in p.service_chains:
        if not sc.links:
            continue
        exposure, carried = pure.exposures(list(sc.links))
        for i, link in enumerate(sc.links):
            row = by_provider.setdefault(link.provider, {"services": {}, "serving_spend": 0.0, "roles": set()})
            row["services"][sc.key] = sc.name
            row["roles"].add(link.role)
            for region in link.regions:
                place = geo.parse(region)
                code, label = geo.bloc(place)
                r = by_region.setdefault(
                    code or "?", {"region": label, "code": code, "places": {}, "services": {}, "spend": {}}
                )
                r["places"][place.code if place else region.strip()] = place.name if place else region.strip()
                r["services"][sc.key] = sc.name
                r["spend"][sc.key] = sc.annual_spend
            if link.serving:
                row["serving_spend"] += sc.annual_spend * carried[i] / 100.0
        for provider_id in exposure:
            by_provider[provider_id]["exposure_max"] = max(
                by_provider[provider_id].get("exposure_max", 0.0), exposure[provider_id]
            )
    spend = {sc.key: sc.annual_spend for sc in p.service_chains}
    providers = [
        {
            "provider": p.chains.rows[pid],
            "services": sorted(row["services"].values()),
            "count": len(row["services"]),
            "spend": sum(spend[k] for k in row["services"]),
            "serving_spend": row["serving_spend"],
            "roles": sorted(row["roles"]),
            "shared": len(row["services"]) > 1,
        }
        for pid, row in by_provider.items()
    ]
    providers.sort(key=lambda r: (-r["count"], -r["spend"], r["provider"].name))
    regions = [
        {
            "region": r["region"],
            "code": r["code"],
            "unknown": not r["code"],
            # The places recorded under this row ("Ireland", "AWS eu-west-1 (Ireland)"), when they
            # say more than the row itself.
            "places": sorted(n for n in r["places"].values() if n != r["region"]),
            "place_codes": sorted(r["places"]),
            "services": sorted(r["services"].values()),
            "count": len(r["services"]),
            "spend": sum(r["spend"].values()),
            "shared": len(r["services"]) > 1,
        }
        for r in by_region.values()
    ]
    regions.sort(key=lambda r: (r["unknown"], -r["count"], -r["spend"], r["region"]))
    return providers, regions


HHI_BANDS = ((1500, "unconcentrated"), (2500, "moderately concentrated"), (None, "highly concentrated"))


def hhi_band(hhi: float) -> str:
    return next(label for limit, label in HHI_BANDS if limit is None or hhi < limit)


@dataclass(frozen=True)
class ScenarioSpec:
    provider: str = ""  # a provider id or an owner name
    region: str = ""
    notice_days: int = 90


def region_choices(regions: list[dict]) -> list[tuple[str, str]]:
    """Scenario choices: each row of the region table, then each place recorded under it."""
    choices: dict[str, str] = {}
    for r in regions:
        if r["code"]:
            choices[r["code"]] = r["region"]
        for code in r["place_codes"]:
            choices.setdefault(code, geo.name(code) if geo.parse(code) else f"{code} ({geo.UNKNOWN_LOCATION})")
    return list(choices.items())


def scenario_run(p: Portfolio, spec: ScenarioSpec) -> list[pure.ScenarioRow]:
    return pure.scenario(
        p.service_chains,
        p.chains.providers,
        notice_days=float(spec.notice_days),
        provider=spec.provider,
        region=spec.region,
    )


# --- Review cadence ---------------------------------------------------------------------


def review_months(assessment: Assessment) -> dict[int, int]:
    """Months between reviews per tier: the bank version's ``review_months`` parameter."""
    return review_months_for(assessment.bank_version)


DUE_SOON_DAYS = 60


def review_schedule(organisation: Organisation, *, today: dt.date, within_days: int | None = None) -> list[dict]:
    """Each service's latest assessment that is approved or flagged for reassessment, with its next review.

    ``within_days`` keeps only those due within that many days (or overdue, or flagged).
    Ended services are not reviewed any more: they leave the schedule (their history stays).
    """
    rows = []
    ended = set(
        AIService.objects.filter(vendor__organisation=organisation, status=Lifecycle.ENDED).values_list("pk", flat=True)
    )
    for a in latest_assessments(organisation).values():
        if a.service_id in ended:
            continue
        if a.status == Assessment.Status.APPROVED and a.decided_at:  # rejected vendors are not in use
            tier = a.frozen_tier or 3
            months = review_months(a)[tier]
            due = add_months(a.decided_at.date(), months)
        else:
            tier, months, due = None, None, None
        flagged = bool(a.reassess_reason)
        if not flagged and due is None:
            continue
        if within_days is not None and not flagged and due > today + dt.timedelta(days=within_days):
            continue
        rows.append(
            {
                "assessment": a,
                "tier": tier,
                "months": months,
                "due": due,
                "overdue": due is not None and due < today,
                "soon": due is not None and today <= due <= today + dt.timedelta(days=DUE_SOON_DAYS),
                "flagged": flagged,
            }
        )
    rows.sort(key=lambda r: (not r["flagged"], r["due"] or dt.date.max))
    return rows


def service_chain_context(service, *, chains=None, diagram: bool = True) -> dict:
    """The service's chain, facts and diagram (None with ``diagram=False``: the API draws none),
    with the notice inputs of its latest assessment."""
    latest = service.assessments.order_by("-created_at", "-pk").first()
    snapshot = (
        supply_chain_snapshot(latest, chains=chains)
        if latest
        else chain_snapshot(service, chains=chains, contract=contract_snapshot(service))
    )
    return {
        "snapshot": snapshot,
        "facts": snapshot["facts"],
        "diagram": chain_diagram(snapshot, service_name=service.name, vendor_name=service.vendor.name)
        if diagram
        else None,
        "latest": latest,
    }
