"""The supply chain's own history: who changed a provider or a link, when, and the old and new
values in words, shown on the service and provider pages."""

import pytest
from django.urls import reverse

from procurement.vendors.models import ChainChange, Provider, SupplyLink

pytestmark = pytest.mark.django_db


def _add_link(client, service, provider, **extra):
    data = {
        "source": "service",
        "provider": provider.pk,
        "role": "inference_compute",
        "share": "40",
        "arrangement": "lease",
        "notice_days": "90",
        "regions": "us-east",
        **extra,
    }
    return client.post(reverse("vendors:link_add", args=[service.vendor.pk, service.pk]), data)


def test_adding_a_link_records_who_and_its_values_in_words(login, personas, service, providers):
    client = login(personas["analyst"])
    assert _add_link(client, service, providers["rival"]).status_code == 302
    (change,) = ChainChange.objects.all()
    assert change.by == personas["analyst"] and change.get_action_display() == "Added"
    assert change.service == service and change.provider == providers["rival"]
    fields = {f["field"]: f["new"] for f in change.fields}
    assert fields["Role"] == "Inference compute" and fields["Arrangement"] == "Lease"
    assert fields["Share of capacity (%)"] == "40%" and fields["Termination or reclaim notice (days)"] == "90 days"
    page = client.get(reverse("vendors:service", args=[service.vendor.pk, service.pk])).content.decode()
    history = page[page.index('id="chain-history"') :]
    assert "Inference compute" in history and "inference_compute" not in history and "Lease" in history


def test_editing_a_provider_records_old_and_new_labels(login, personas, providers):
    client = login(personas["analyst"])
    neo = providers["neo"]
    url = reverse("vendors:provider", args=[neo.pk])
    response = client.post(url, {"name": "Neo GPU", "kind": "hyperscaler", "owner": "Neo Holdings", "country": ""})
    assert response.status_code == 302
    change = ChainChange.objects.get(provider=neo, action="changed")
    assert {(f["field"], f["old"], f["new"]) for f in change.fields} == {
        ("Kind", "GPU cloud or neocloud", "Hyperscaler"),
        ("Owner or parent company", "—", "Neo Holdings"),
    }
    history = client.get(url).content.decode()
    history = history[history.index('id="chain-history"') :]
    assert "GPU cloud or neocloud" in history and "Hyperscaler" in history and "gpu_cloud" not in history
    # Saving without a change adds no row.
    client.post(url, {"name": "Neo GPU", "kind": "hyperscaler", "owner": "Neo Holdings", "country": ""})
    assert ChainChange.objects.filter(provider=neo, action="changed").count() == 1


def test_removing_a_link_is_kept_in_the_history_with_what_it_was(login, personas, service, providers):
    client = login(personas["admin"])
    _add_link(client, service, providers["cloud"], notice_days="")
    link = SupplyLink.objects.get()
    client.post(reverse("vendors:link_remove", args=[service.vendor.pk, service.pk, link.pk]))
    removed = ChainChange.objects.get(action="removed")
    assert removed.by == personas["admin"] and removed.link_id == link.pk
    assert ("Provider", "Hyperscale Cloud") in {(f["field"], f["old"]) for f in removed.fields}
    page = client.get(reverse("vendors:provider", args=[providers["cloud"].pk])).content.decode()
    assert "Removed" in page[page.index('id="chain-history"') :]


def test_another_organisation_never_sees_the_history(login, personas, providers):
    Provider.objects.filter(pk=providers["neo"].pk).update(owner="x")
    client = login(personas["outsider"])
    assert client.get(reverse("vendors:provider", args=[providers["neo"].pk])).status_code == 404
