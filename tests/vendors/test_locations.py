"""Stored locations: the free-text migration, the review command, the pickers' fields and the frozen record."""

import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from procurement.assessments.records import record_build
from procurement.vendors.forms import AIServiceForm, ProviderForm, SupplyLinkForm
from procurement.vendors.models import Provider, SupplyLink
from procurement.vendors.supply import chain_snapshot, locations_convert, locations_unrecognised

pytestmark = pytest.mark.django_db

convert_migration = importlib.import_module("procurement.vendors.migrations.0004_convert_locations")


def _free_text_rows(service, providers):
    service.required_regions = "EU, UK"
    service.save()
    providers["cloud"].country = "Ireland"
    providers["cloud"].save()
    providers["rival"].country = "Atlantis"
    providers["rival"].save()
    a = SupplyLink.objects.create(
        service=service, provider=providers["cloud"], role="inference_compute", regions="eu-west-1, Germany"
    )
    b = SupplyLink.objects.create(
        service=service, provider=providers["rival"], role="storage", regions="us-east, the moon"
    )
    return a, b


def test_the_migration_converts_recognised_free_text_and_keeps_the_rest(service, providers):
    a, b = _free_text_rows(service, providers)
    convert_migration.convert(django_apps, None)
    service.refresh_from_db()
    a.refresh_from_db()
    b.refresh_from_db()
    assert service.required_regions == "eu,uk"
    assert a.regions == "aws:eu-west-1,de"
    assert b.regions == "us-east,the moon"  # "the moon" kept as typed, listed for review
    assert Provider.objects.get(pk=providers["cloud"].pk).country == "ie"
    assert Provider.objects.get(pk=providers["rival"].pk).country == "Atlantis"
    convert_migration.convert(django_apps, None)  # a second run changes nothing
    a.refresh_from_db()
    assert a.regions == "aws:eu-west-1,de"


def test_unrecognised_locations_are_listed_for_review(service, providers, org, other_org):
    _free_text_rows(service, providers)
    assert locations_convert(organisation=org) == 4
    found = locations_unrecognised(org)
    assert {(f.where.split(":")[0], f.unknown) for f in found} == {
        ("Provider Rival DC", ("Atlantis",)),
        (f"Link {SupplyLink.objects.get(role='storage')}", ("the moon",)),
    }
    assert locations_unrecognised(other_org) == []
    out = io.StringIO()
    call_command("review_locations", "--org", "acme", stdout=out)
    assert (
        "Atlantis" in out.getvalue()
        and "the moon" in out.getvalue()
        and "2 location(s) not recognised" in out.getvalue()
    )


def test_the_service_form_stores_codes_and_keeps_text_it_cannot_place(service):
    service.required_regions = "eu,somewhere odd"
    service.save()
    form = AIServiceForm(instance=service, vendor=service.vendor)
    assert form.initial["required_regions"] == ["eu", "somewhere odd"]
    data = {"name": service.name, "kind": "api", "required_regions": ["eu", "somewhere odd", "Germany"]}
    form = AIServiceForm(data, instance=service, vendor=service.vendor)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["required_regions"] == "eu,somewhere odd,de"


def test_the_service_form_refuses_a_place_the_list_does_not_know(service):
    data = {"name": service.name, "kind": "api", "required_regions": ["mars"]}
    form = AIServiceForm(data, instance=service, vendor=service.vendor)
    assert not form.is_valid()
    assert "mars is not a place the list knows" in form.errors["required_regions"][0]


def test_the_provider_form_stores_the_alpha2_code(org):
    form = ProviderForm({"name": "Cloud", "kind": "hyperscaler", "country": "IRL"}, organisation=org)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["country"] == "ie"
    bad = ProviderForm({"name": "Cloud", "kind": "hyperscaler", "country": "Narnia"}, organisation=org)
    assert not bad.is_valid() and "not a country the list knows" in bad.errors["country"][0]


def test_the_link_form_reads_typed_regions_as_codes(service, providers):
    data = {
        "source": "service",
        "provider": providers["cloud"].pk,
        "role": "inference_compute",
        "arrangement": "reserved",
        "regions": ["eu-west-1, westeurope", "us-east"],
    }
    form = SupplyLinkForm(
        data, service=service, providers=Provider.objects.filter(organisation=service.vendor.organisation)
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["regions"] == "aws:eu-west-1,azure:westeurope,us-east"


def test_a_live_record_places_codes_against_the_required_geography(assessment, providers):
    """The record (frozen on decision) carries the facts computed with the taxonomy: nothing outside."""
    service = assessment.service
    service.required_regions = "eu"
    service.save()
    SupplyLink.objects.create(
        service=service, provider=providers["lab"], role="model_provider", share=100, regions="de"
    )
    SupplyLink.objects.create(
        from_provider=providers["lab"],
        provider=providers["cloud"],
        role="inference_compute",
        regions="nl,aws:eu-west-1",
    )
    chain = chain_snapshot(service)
    assert chain["facts"]["regions_outside"] == [] and chain["facts"]["scoring"]["regions_outside"] == 0
    record = record_build(assessment)
    assert record["supply_chain"]["facts"]["regions"] == ["aws:eu-west-1", "de", "nl"]
