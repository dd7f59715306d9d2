"""The demo portfolio's compute supply chains (seed_demo).

Three services depend on one model lab; that lab serves 60% of its inference from a
hyperscaler's us-east region and 40% from a data centre leased from a competing lab
on 90 days' mutual notice, which it does not pass on to customers. A fourth service
runs an open-weights model in the EU on reserved capacity.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.db import transaction

from procurement.core.models import Organisation
from procurement.vendors.contracts import contract_save
from procurement.vendors.documents import CheckedUpload, document_store, sniff
from procurement.vendors.evidence import document_details_save, model_lifecycle_save
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


# --- The evidence register and the model lifecycle ---------------------------------------------

# vendor, file name, kind, dates relative to the first seeding (days), details. The SOC 2 report's
# period ended a year ago less 18 days, so it expires in 18 days (12 months after the period end);
# the pen-test letter is 13 months old (expired); the ISO certificate runs another eight months.
DEMO_DOCUMENTS = [
    (
        "Frontier Lab Inc.",
        "frontier-lab-soc2-type2.pdf",
        "soc2_type2",
        {"period_start": -730 + 18, "period_end": -365 + 18, "issued_on": -365 + 60},
        {
            "auditor": "Example & Partners LLP",
            "opinion": "unqualified",
            "inference_in_scope": True,
            "cuecs": "Customers manage their own API keys and rotate them.",
        },
    ),
    (
        "Frontier Lab Inc.",
        "frontier-lab-iso27001.pdf",
        "iso27001",
        {"issued_on": -485, "expires_on": 245},
        {"auditor": "Certification Body Ltd", "scope": "Model serving and the customer API"},
    ),
    ("ClaimsBot Ltd", "claimsbot-pentest-letter.pdf", "pentest", {"issued_on": -395}, {"auditor": "Red Team Ltd"}),
    ("DeskAI", "deskai-dpa-signed.pdf", "dpa", {"issued_on": -300}, {}),
]


def demo_evidence_seed(org: Organisation, *, today: dt.date | None = None) -> int:
    """The register's documents (a SOC 2 report expiring in 18 days, an expired pen-test letter,
    an ISO certificate, a DPA) and the vendor's announced retirement of the model Frontier API
    uses (in 75 days), so the calendar and the home page show each kind. Nothing links them to
    answers, so no demo score moves. Once per document (by content); returns how many were added."""
    today = today or dt.date.today()
    vendors = {v.name: v for v in Vendor.objects.filter(organisation=org)}
    added = 0
    for vendor_name, name, kind, days, details in DEMO_DOCUMENTS:
        vendor = vendors.get(vendor_name)
        if vendor is None:
            continue
        data = f"%PDF-1.7\n% {name}: demo document of {vendor_name}\n".encode()
        checked = CheckedUpload(
            data=data, name=name, content_type=sniff(data, name), sha256=hashlib.sha256(data).hexdigest()
        )
        document, created = document_store(vendor=vendor, checked=checked, by=None, by_label="demo data")
        if not created:
            continue
        dates = {field: today + dt.timedelta(days=n) for field, n in days.items()}
        # The report names the hyperscaler but not the leased data centre: the register shows the gap.
        subservice = list(Provider.objects.filter(organisation=org, name="Hyperscale Cloud us-east"))
        document_details_save(
            document=document, values={"kind": kind, **dates, **details}, subservice=subservice, by=None
        )
        added += 1
    service = AIService.objects.filter(vendor__organisation=org, name="Frontier API").first()
    if service is not None and not hasattr(service, "model_lifecycle"):
        model_lifecycle_save(
            service=service,
            values={
                "model_version": service.model_name or "frontier-xl-2026-06",
                "deprecated_on": today - dt.timedelta(days=20),
                "retires_on": today + dt.timedelta(days=75),
                "replacement": "frontier-xl-2027-01",
                "source": "Frontier Lab deprecation notice (demo data)",
            },
            by_label="demo data",
        )
    return added
