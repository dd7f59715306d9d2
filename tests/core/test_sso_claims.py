"""What the identity provider's claims mean here, without a provider: the service that takes
verified claims (procurement/core/sso.py). The whole flow against a real provider is in
tests/core/test_sso.py."""

import pytest

from procurement.core import sso
from procurement.core.models import ExternalIdentity, Membership

ISSUER = "https://login.example.com"


@pytest.fixture
def sso_settings(settings, org):
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_CLIENT_ID = "procurement"
    settings.OIDC_CLIENT_SECRET = "x"
    settings.OIDC_ORGANISATIONS = ["acme"]
    settings.OIDC_ORG_CLAIM = ""
    settings.OIDC_ROLE_CLAIM = "role"
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_GROUP_ROLES = {"dd-admins": "admin", "dd-viewers": "viewer"}
    settings.OIDC_PROVISIONING = "claims"
    return settings


@pytest.mark.parametrize(
    ("claims", "role"),
    [
        ({"role": "analyst"}, "analyst"),
        ({"role": "superuser", "groups": ["dd-viewers"]}, "viewer"),  # an unknown role falls back to groups
        ({"groups": "dd-admins"}, "admin"),  # one group as a string
        ({"groups": ["dd-viewers", "dd-admins"]}, "admin"),
        ({"groups": [["dd-admins"], {"x": 1}, 7, None]}, None),  # odd shapes are no group
        ({"groups": None, "role": 3}, None),
        ({}, None),
    ],
)
def test_the_role_comes_from_the_role_claim_or_the_highest_mapped_group(sso_settings, claims, role):
    assert sso.role_from_claims(claims) == role


@pytest.mark.django_db
def test_a_name_with_control_characters_is_stored_as_one_clean_line(sso_settings):
    user = sso.sso_sign_in(
        issuer=ISSUER,
        claims={"sub": "u-1", "role": "viewer", "name": "Ada\x00 \n Lovelace\x1b", "email": "ada@x.example\r\n"},
    )
    assert (user.first_name, user.last_name, user.email) == ("Ada", "Lovelace", "ada@x.example")
    assert Membership.objects.get(user=user).role == "viewer"


@pytest.mark.django_db
@pytest.mark.parametrize("subject", ["", "s" * 256])
def test_a_subject_that_is_empty_or_too_long_is_refused_and_nothing_is_made(sso_settings, subject):
    with pytest.raises(sso.SignInRefused):
        sso.sso_sign_in(issuer=ISSUER, claims={"sub": subject, "role": "viewer"})
    assert not ExternalIdentity.objects.exists()
