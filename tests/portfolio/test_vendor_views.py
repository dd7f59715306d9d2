import pytest
from django.urls import reverse

from procurement.vendors.models import AIService, Provider, SupplyLink, Vendor

pytestmark = pytest.mark.django_db


def test_analyst_creates_a_vendor_and_a_service(login, personas, org):
    client = login(personas["analyst"])
    response = client.post(reverse("vendors:create"), {"name": "Neocloud GPU Co", "website": "https://gpu.example"})
    vendor = Vendor.objects.get()
    assert response.status_code == 302 and vendor.organisation == org
    client.post(
        reverse("vendors:service_create", args=[vendor.pk]),
        {"name": "Hosted inference", "kind": "hosted", "model_name": "open-70b", "annual_spend": "120000"},
    )
    page = client.get(reverse("vendors:detail", args=[vendor.pk])).content.decode()
    assert "Hosted inference" in page and "open-70b" in page


def test_duplicate_vendor_name_gets_a_field_message(login, personas, org):
    Vendor.objects.create(organisation=org, name="Dup")
    response = login(personas["analyst"]).post(reverse("vendors:create"), {"name": "dup"})
    assert response.status_code == 200 and "already exists" in response.content.decode()


def test_negative_spend_is_refused(login, personas, org):
    vendor = Vendor.objects.create(organisation=org, name="V")
    response = login(personas["analyst"]).post(
        reverse("vendors:service_create", args=[vendor.pk]), {"name": "S", "kind": "api", "annual_spend": "-5"}
    )
    assert response.status_code == 200 and not AIService.objects.exists()


def test_viewers_read_but_cannot_edit(login, personas, org):
    vendor = Vendor.objects.create(organisation=org, name="V")
    client = login(personas["viewer"])
    assert client.get(reverse("vendors:detail", args=[vendor.pk])).status_code == 200
    assert client.get(reverse("vendors:list")).status_code == 200
    assert client.post(reverse("vendors:create"), {"name": "X"}).status_code == 403
    assert client.post(reverse("vendors:edit", args=[vendor.pk]), {"name": "X"}).status_code == 403


def test_other_organisations_vendors_are_404(login, personas, other_org):
    vendor = Vendor.objects.create(organisation=other_org, name="Secret")
    client = login(personas["admin"])
    assert client.get(reverse("vendors:detail", args=[vendor.pk])).status_code == 404
    assert client.post(reverse("vendors:service_create", args=[vendor.pk]), {"name": "x"}).status_code == 404
    assert "Secret" not in client.get(reverse("vendors:list")).content.decode()


def test_contacts_are_added_and_validated(login, personas, org):
    vendor = Vendor.objects.create(organisation=org, name="V")
    client = login(personas["analyst"])
    response = client.post(
        reverse("vendors:contact_create", args=[vendor.pk]), {"name": "Pat", "email": "not-an-email"}
    )
    assert response.status_code == 200 and "Enter a valid email address" in response.content.decode()
    client.post(reverse("vendors:contact_create", args=[vendor.pk]), {"name": "Pat", "email": "pat@vendor.example"})
    assert "pat@vendor.example" in client.get(reverse("vendors:detail", args=[vendor.pk])).content.decode()


# --- The service page and its supply chain --------------------------------------------


def test_analyst_records_a_chain_on_the_service_page(login, personas, service, assessment):
    from procurement.vendors.models import Provider, SupplyLink

    client = login(personas["analyst"])
    vendor = service.vendor
    client.post(
        reverse("vendors:provider_add", args=[vendor.pk, service.pk]),
        {"name": "Rival DC", "kind": "colocation", "owner": "Rival AI"},
    )
    rival = Provider.objects.get(name="Rival DC")
    url = reverse("vendors:link_add", args=[vendor.pk, service.pk])
    response = client.post(
        url,
        {
            "source": "service",
            "provider": rival.pk,
            "role": "inference_compute",
            "share": "40",
            "arrangement": "lease",
            "notice_days": "90",
            "regions": "us-east",
            "competitor": "on",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "chain-diagram" in page and "Rival DC" in page and "40% of serving capacity" in page
    assert SupplyLink.objects.get().competitor
    assessment.refresh_from_db()
    assert "New provider in the supply chain" in assessment.reassess_reason
    assert "Reassessment needed" in client.get(assessment.get_absolute_url()).content.decode()


def test_bad_link_input_gets_field_messages_and_saves_nothing(login, personas, service, org):
    from procurement.vendors.models import Provider, SupplyLink

    cloud = Provider.objects.create(organisation=org, name="Cloud")
    client = login(personas["analyst"])
    url = reverse("vendors:link_add", args=[service.vendor.pk, service.pk])
    for data in (
        {
            "source": "service",
            "provider": cloud.pk,
            "role": "inference_compute",
            "arrangement": "lease",
            "share": "150",
        },
        {"source": "service", "provider": "nope", "role": "inference_compute", "arrangement": "lease"},
        {"source": "999", "provider": cloud.pk, "role": "storage", "arrangement": "owned"},
        {"source": str(cloud.pk), "provider": cloud.pk, "role": "storage", "arrangement": "owned"},
        {"source": "service", "provider": cloud.pk, "role": "magic", "arrangement": "owned", "notice_days": "-3"},
    ):
        response = client.post(url, data)
        assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    assert not SupplyLink.objects.exists()


def test_a_looping_link_is_refused_on_the_page(login, personas, service, org):
    from procurement.vendors.models import Provider, SupplyLink

    a = Provider.objects.create(organisation=org, name="Alpha")
    b = Provider.objects.create(organisation=org, name="Beta")
    SupplyLink.objects.create(from_provider=a, provider=b, role="inference_compute")
    client = login(personas["analyst"])
    response = client.post(
        reverse("vendors:link_add", args=[service.vendor.pk, service.pk]),
        {"source": str(b.pk), "provider": a.pk, "role": "inference_compute", "arrangement": "lease"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "loop: Beta → Alpha → Beta." in body or "loop: Alpha → Beta → Alpha." in body
    assert SupplyLink.objects.count() == 1


def test_removing_a_link_from_another_service_is_404(login, personas, service, org):
    from procurement.vendors.models import AIService, Provider, SupplyLink

    other = AIService.objects.create(vendor=service.vendor, name="Other")
    link = SupplyLink.objects.create(
        service=other, provider=Provider.objects.create(organisation=org, name="P"), role="storage"
    )
    client = login(personas["analyst"])
    assert client.post(reverse("vendors:link_remove", args=[service.vendor.pk, service.pk, link.pk])).status_code == 404
    assert SupplyLink.objects.filter(pk=link.pk).exists()


def test_analyst_renames_and_deletes_a_provider_on_its_page(login, personas, service, org):
    client = login(personas["analyst"])
    used = Provider.objects.create(organisation=org, name="Rival DC", kind="colocation")
    spare = Provider.objects.create(organisation=org, name="Typo Clodu")
    SupplyLink.objects.create(service=service, provider=used, role="inference_compute", notice_days=90)
    listing = client.get(reverse("vendors:providers")).content.decode()
    assert used.get_absolute_url() in listing and spare.get_absolute_url() in listing
    page = client.get(used.get_absolute_url()).content.decode()
    assert service.name in page and "90 d" in page and "disabled" in page  # delete is off while it supplies

    clash = client.post(spare.get_absolute_url(), {"name": "rival dc", "kind": "other"})
    assert clash.status_code == 400 and "already exists" in clash.content.decode()
    assert '<h1 class="h3 mb-1">Typo Clodu</h1>' in clash.content.decode()  # the page still names the stored one
    response = client.post(
        spare.get_absolute_url(), {"name": "Typo Cloud", "kind": "hyperscaler", "country": "IE"}, follow=True
    )
    assert "Saved Typo Cloud." in response.content.decode() and Provider.objects.get(pk=spare.pk).name == "Typo Cloud"

    refused = client.post(reverse("vendors:provider_delete", args=[used.pk]), follow=True).content.decode()
    assert "Rival DC is still in the supply chain" in refused and Provider.objects.filter(pk=used.pk).exists()
    gone = client.post(reverse("vendors:provider_delete", args=[spare.pk]), follow=True)
    assert (
        gone.redirect_chain[-1][0] == reverse("vendors:providers")
        and "Deleted provider Typo Cloud" in gone.content.decode()
    )
    assert not Provider.objects.filter(pk=spare.pk).exists()


def test_viewers_read_a_provider_but_cannot_change_it(login, personas, org):
    provider = Provider.objects.create(organisation=org, name="Neo GPU")
    client = login(personas["viewer"])
    page = client.get(provider.get_absolute_url()).content.decode()
    assert "Neo GPU" in page and "Delete provider" not in page and 'name="name"' not in page
    assert client.post(provider.get_absolute_url(), {"name": "Mine now", "kind": "other"}).status_code == 403
    assert client.post(reverse("vendors:provider_delete", args=[provider.pk])).status_code == 403
    assert Provider.objects.get(pk=provider.pk).name == "Neo GPU"
