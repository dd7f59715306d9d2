"""Two-step sign-in: set up with a real authenticator key, codes computed here by an independent
RFC 6238 implementation (as a phone app would), recovery codes, and the organisation's rule."""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from procurement.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def totp(secret_b32: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP (HMAC-SHA1), written from the RFC, not from django-otp."""
    key = base64.b32decode(secret_b32.replace(" ", "") + "=" * (-len(secret_b32.replace(" ", "")) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def _set_up(client) -> tuple[str, list[str]]:
    """Walk the set-up page as a person would: start, read the key, type the app's code."""
    client.post(reverse("accounts:two_step"), {"action": "start"})
    page = client.get(reverse("accounts:two_step")).content.decode()
    assert "<svg" in page and "QR code of the key" in page
    secret = re.search(r'Key: <span class="font-monospace">([A-Z2-7 ]+)</span>', page).group(1)
    code = totp(secret)
    done = client.post(reverse("accounts:two_step"), {"action": "confirm", "code": f"{code[:3]} {code[3:]}"})
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z0-9]{8})</li>", done.content.decode())
    assert len(codes) == 10
    return secret, codes


def _password_login(client, username: str):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


@pytest.fixture
def no_throttle(settings):
    """django-otp delays the next try after a wrong code; tests that type a right code after a
    wrong one switch the delay off (the delay itself has its own test)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _next_code(secret: str) -> str:
    """The app's next code: the one used to set up cannot be replayed (django-otp refuses a time
    step it has already accepted), and one step of drift is allowed."""
    return totp(secret, at=time.time() + 30)


def test_setting_up_then_signing_in_asks_for_the_code_after_the_password(client, personas, org, no_throttle):
    client.force_login(personas["analyst"])
    secret, _ = _set_up(client)
    assert AuditEvent.objects.filter(organisation=org, note__contains="turned on two-step sign-in").exists()

    client.logout()
    _password_login(client, "analyst")
    home = client.get(reverse("assessments:list"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:two_step_verify"))
    wrong = client.post(reverse("accounts:two_step_verify"), {"code": "000000", "next": "/assessments/"})
    assert wrong.status_code == 400 and "does not match" in wrong.content.decode()
    right = client.post(reverse("accounts:two_step_verify"), {"code": _next_code(secret), "next": "/assessments/"})
    assert right.status_code == 302 and right["Location"] == "/assessments/"
    assert client.get(reverse("assessments:list")).status_code == 200


def test_a_recovery_code_works_once_in_place_of_the_app(client, personas, no_throttle):
    client.force_login(personas["reviewer"])
    _, codes = _set_up(client)
    for attempt in range(2):
        client.logout()
        _password_login(client, "reviewer")
        response = client.post(reverse("accounts:two_step_verify"), {"code": codes[0], "next": "/"})
        if attempt == 0:
            assert response.status_code == 302
        else:
            assert response.status_code == 400  # used up
    page = client.get(reverse("vendors:list"))
    assert page.status_code == 302  # still owes the step: the used recovery code was refused
    assert page["Location"].startswith(reverse("accounts:two_step_verify"))


def test_a_wrong_set_up_code_turns_nothing_on(client, personas):
    client.force_login(personas["viewer"])
    client.post(reverse("accounts:two_step"), {"action": "start"})
    response = client.post(reverse("accounts:two_step"), {"action": "confirm", "code": "12345x"})
    assert response.status_code == 400 and "does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=personas["viewer"], confirmed=True).exists()


def test_an_organisation_that_requires_it_sends_members_to_set_it_up_first(login, personas, org):
    admin = login(personas["admin"])
    refused = admin.post(reverse("accounts:two_step_require"), {"require_two_step": "on"}, follow=True)
    assert "Set up two-step sign-in for yourself first" in refused.content.decode()
    _set_up(admin)
    admin.post(reverse("accounts:two_step_require"), {"require_two_step": "on"})
    org.refresh_from_db()
    assert org.require_two_step
    assert AuditEvent.objects.filter(organisation=org, note="two-step sign-in required for every member").exists()

    admin.logout()
    admin.force_login(personas["analyst"])
    response = admin.get(reverse("vendors:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two_step"))
    _set_up(admin)
    assert admin.get(reverse("vendors:list")).status_code == 200
    off = admin.post(reverse("accounts:two_step"), {"action": "off"}, follow=True)
    assert "requires two-step sign-in; it cannot be turned off" in off.content.decode()
    assert TOTPDevice.objects.filter(user=personas["analyst"], confirmed=True).exists()


def test_turning_it_off_where_allowed_removes_the_key_and_the_recovery_codes(client, personas):
    client.force_login(personas["viewer"])
    _set_up(client)
    response = client.post(reverse("accounts:two_step"), {"action": "off"}, follow=True)
    assert "Two-step sign-in is off" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=personas["viewer"]).exists()
    client.logout()
    _password_login(client, "viewer")
    assert client.get(reverse("vendors:list")).status_code == 200


def test_after_a_wrong_code_even_the_right_one_waits_and_the_page_says_so(client, personas):
    client.force_login(personas["analyst"])
    secret, _ = _set_up(client)
    client.logout()
    _password_login(client, "analyst")
    client.post(reverse("accounts:two_step_verify"), {"code": "000000"})
    response = client.post(reverse("accounts:two_step_verify"), {"code": _next_code(secret)})
    assert response.status_code == 400 and "Too many wrong codes" in response.content.decode()
    assert client.get(reverse("vendors:list")).status_code == 302


def test_the_password_alone_cannot_make_recovery_codes_or_turn_it_off(client, personas, no_throttle):
    """Red-team finding: after the password, before the code, the set-up page's actions (new
    recovery codes, turning it off) would have unlocked the second step. They send to the code."""
    client.force_login(personas["analyst"])
    _set_up(client)
    client.logout()
    _password_login(client, "analyst")
    for action in ("renew", "off", "start"):
        response = client.post(reverse("accounts:two_step"), {"action": action})
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two_step_verify"))
    assert TOTPDevice.objects.filter(user=personas["analyst"], confirmed=True).count() == 1
    assert client.get(reverse("vendors:list")).status_code == 302


def test_a_single_sign_on_user_has_nothing_to_set_up_and_no_two_step_link(client, personas):
    """A person with no password signs in through the identity provider, whose own second factor
    applies (the middleware never asks them for one): the page says so and offers no set-up."""
    user = personas["analyst"]
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    page = client.get(reverse("accounts:two_step")).content.decode()
    assert "its own two-step sign-in applies" in page
    assert 'value="start"' not in page and "Set up two-step sign-in</button>" not in page
    settings = client.get(reverse("accounts:tokens")).content.decode()
    assert reverse("accounts:two_step") not in settings and reverse("accounts:password") not in settings
    client.post(reverse("accounts:two_step"), {"action": "start"})
    assert not TOTPDevice.objects.filter(user=user).exists()
