"""The demo portfolio's compute supply chains (seed_demo).

Three services depend on one model lab; that lab serves 60% of its inference from a
hyperscaler's us-east region and 40% from a data centre leased from a competing lab
on 90 days' mutual notice, which it does not pass on to customers. A fourth service
runs an open-weights model in the EU on reserved capacity.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from procurement.core.models import Organisation
from procurement.vendors.contracts import contract_save
from procurement.vendors.models import AIService, Contract, Provider, SupplyLink, Vendor

PROVIDERS = [
    # name, kind, owner, country
    ("Frontier Lab", "model_lab", "Frontier Lab Inc.", "us"),
    ("Hyperscale Cloud us-east", "hyperscaler", "Hyperscale Inc.", "us"),
    ("Hyperscale Cloud eu-west", "hyperscaler", "Hyperscale Inc.", "ie"),
    ("Rival AI data centre (Ohio)", "colocation", "Rival AI Corp.", "us"),
    ("Model Co", "model_lab", "Model Co", "fr"),
]

# source (service "vendor/service" or provider name), provider, role, share, arrangement, notice,
# regions (taxonomy codes, procurement/scoring/geo.py), pass_through, alternative, competitor
LINKS = [
    ("Frontier Lab Inc./Frontier API", "Frontier Lab", "model_provider", 100, "owned", 365, "us", True, False, False),
    (
        "Frontier Lab",
        "Hyperscale Cloud us-east",
        "inference_compute",
        60,
        "reserved",
        730,
        "us-east",
        True,
        False,
        False,
    ),
    (
        "Frontier Lab",
        "Rival AI data centre (Ohio)",
        "inference_compute",
        40,
        "lease",
        90,
        "us",
        False,
        False,
        True,
    ),
    ("ClaimsBot Ltd/ClaimsBot SaaS", "Frontier Lab", "model_provider", 100, "on_demand", 30, "us", False, False, False),
    (
        "ClaimsBot Ltd/ClaimsBot SaaS",
        "Hyperscale Cloud eu-west",
        "storage",
        None,
        "on_demand",
        90,
        "ie",
        True,
        False,
        False,
    ),
    ("DeskAI/Helpdesk Copilot", "Frontier Lab", "model_provider", 100, "on_demand", 90, "us", True, False, False),
    (
        "Hyperscale Cloud/Managed model (eu-west, provisioned)",
        "Model Co",
        "model_provider",
        100,
        "owned",
        None,
        "eu",
        True,
        True,
        False,
    ),
    (
        "Hyperscale Cloud/Managed model (eu-west, provisioned)",
        "Hyperscale Cloud eu-west",
        "inference_compute",
        100,
        "reserved",
        365,
        "ie,de",
        True,
        False,
        False,
    ),
]


@transaction.atomic
def demo_supply_chain_seed(org: Organisation) -> int:
    """Record the demo chains once (as if recorded before the demo assessments). Returns links created."""
    if Provider.objects.filter(organisation=org).exists():
        return 0
    providers = {
        name: Provider.objects.create(organisation=org, name=name, kind=kind, owner=owner, country=country)
        for name, kind, owner, country in PROVIDERS
    }
    desk, _ = Vendor.objects.get_or_create(
        organisation=org, name="DeskAI", defaults={"website": "https://desk.example"}
    )
    AIService.objects.get_or_create(
        vendor=desk,
        name="Helpdesk Copilot",
        defaults={
            "kind": "product",
            "model_name": "frontier-xl (via API)",
            "model_provider": "Frontier Lab",
            "annual_spend": 400_000,
            "currency": "EUR",
            "business_use": "Drafts replies for the internal IT helpdesk",
        },
    )
    AIService.objects.filter(
        vendor__organisation=org, name__in=["ClaimsBot SaaS", "Managed model (eu-west, provisioned)"]
    ).update(required_regions="eu")
    created = 0
    for source, provider, role, share, arrangement, notice, regions, passed, alternative, competitor in LINKS:
        link = SupplyLink(
            provider=providers[provider],
            role=role,
            share=share,
            arrangement=arrangement,
            notice_days=notice,
            regions=regions,
            pass_through=passed,
            alternative=alternative,
            competitor=competitor,
        )
        if "/" in source:
            vendor_name, service_name = source.split("/", 1)
            service = AIService.objects.filter(
                vendor__organisation=org, vendor__name=vendor_name, name=service_name
            ).first()
            if service is None:
                continue
            link.service = service
        else:
            link.from_provider = providers[source]
        link.full_clean()
        link.save()
        created += 1
    return created


def demo_contract_seed(org: Organisation, *, today: dt.date | None = None) -> bool:
    """A signed contract for the demo's Helpdesk Copilot (no assessment reads it, so no demo score
    moves): 90 days' mutual termination notice, renewing every year unless notice is given 90
    days before; its last day to give notice falls about three weeks after seeding. Once."""
    service = AIService.objects.filter(vendor__organisation=org, name="Helpdesk Copilot").first()
    if service is None or Contract.objects.filter(service=service).exists():
        return False
    today = today or dt.date.today()
    end = today + dt.timedelta(days=110)
    contract = Contract(
        reference="DESK-MSA-2025-07",
        buyer_party=org.name,
        vendor_party="DeskAI Ltd",
        start_date=end - dt.timedelta(days=365),
        end_date=end,
        auto_renews=True,
        renewal_term_months=12,
        renewal_notice_days=90,
        buyer_termination_notice_days=90,
        vendor_termination_notice_days=90,
        spend_amount=Decimal("33333.33"),
        spend_currency="EUR",
        spend_period=Contract.Period.MONTH,
    )
    contract_save(contract=contract, service=service, by=None)
    return True
