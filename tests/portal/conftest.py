import pytest

from procurement.portal import services
from procurement.vendors.models import VendorContact


@pytest.fixture
def contact(service):
    return VendorContact.objects.create(vendor=service.vendor, name="Vera Vendor", email="vera@frontier.example")


@pytest.fixture
def invitation(assessment, contact, personas):
    personas["analyst"].email = "ana@acme.example"
    personas["analyst"].save()
    (invitation,) = services.invite(
        assessment=assessment, contacts=[contact], by=personas["analyst"], base_url="http://testserver"
    )
    return invitation


@pytest.fixture
def vendor_client(client, invitation):
    """A browser that opened the invitation link."""
    response = client.get(services.invitation_link(invitation, base_url=""))
    assert response.status_code == 302
    return client
