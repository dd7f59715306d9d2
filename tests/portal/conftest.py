import pytest

from procurement.portal import services
from procurement.vendors.models import VendorContact


@pytest.fixture
def contact(service):
    return VendorContact.objects.create(vendor=service.vendor, name="Vera Vendor", email="vera@frontier.example")


@pytest.fixture
def invitation(assessment, contact, personas, django_capture_on_commit_callbacks):
    personas["analyst"].email = "ana@acme.example"
    personas["analyst"].save()
    # The commit hands the mail to the task worker (inline in tests), as in production.
    with django_capture_on_commit_callbacks(execute=True):
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
