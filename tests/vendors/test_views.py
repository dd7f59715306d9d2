import pytest
from django.urls import reverse

from procurement.vendors.models import AIService, Vendor

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
