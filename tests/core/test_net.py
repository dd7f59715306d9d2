"""client_ip: X-Forwarded-For is read only through configured proxies, and axes counts per real client."""

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from procurement.core.net import client_ip

PROXY = "10.9.9.9"
CLIENT_A = "198.51.100.7"
CLIENT_B = "203.0.113.20"
PASSWORD = "correct-horse-battery"


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_axes_reads_the_address_from_the_one_helper():
    assert settings.AXES_CLIENT_IP_CALLABLE == "procurement.core.net.client_ip"


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(CLIENT_A, CLIENT_B)) == CLIENT_A
    assert client_ip(_request(CLIENT_A)) == CLIENT_A


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, CLIENT_A, CLIENT_A),
        # Whatever the client wrote itself sits left of what the proxy appended.
        (1, f"{CLIENT_B}, 1.2.3.4, {CLIENT_A}", CLIENT_A),
        (2, f"{CLIENT_B}, {CLIENT_A}, 10.0.0.2", CLIENT_A),
        # Too short to have passed every proxy, or not an address: the proxy, never the client's claim.
        (2, CLIENT_A, PROXY),
        (1, "", PROXY),
        (1, "unknown", PROXY),
        (1, f"{CLIENT_B}, not-an-ip", PROXY),
        (1, " 2001:DB8::1 ", "2001:db8::1"),
    ],
)
def test_with_proxies_the_address_is_counted_from_the_right(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(_request(PROXY, forwarded)) == expected


def test_trusted_proxies_limits_who_may_set_the_header(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["10.9.0.0/16", "192.0.2.1"]
    assert client_ip(_request(PROXY, CLIENT_A)) == CLIENT_A
    assert client_ip(_request("192.0.2.1", CLIENT_A)) == CLIENT_A
    # Straight to gunicorn, around the proxy: the header is the client's own.
    assert client_ip(_request(CLIENT_B, CLIENT_A)) == CLIENT_B


def _login(client, *, remote: str, forwarded: str | None = None, password: str = "wrong"):  # noqa: S107
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    client.cookies.clear()
    return client.post(reverse("login"), {"username": "analyst", "password": password}, **extra)


@pytest.mark.django_db
def test_behind_a_proxy_one_clients_failures_do_not_lock_out_another(client, personas, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        _login(client, remote=PROXY, forwarded=CLIENT_A)
    assert _login(client, remote=PROXY, forwarded=CLIENT_A, password=PASSWORD).status_code == 429
    response = _login(client, remote=PROXY, forwarded=CLIENT_B, password=PASSWORD)
    assert response.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.django_db
def test_without_a_proxy_a_forged_header_neither_escapes_nor_spreads_the_lock(client, personas, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.AXES_FAILURE_LIMIT = 5
    for i in range(5):
        _login(client, remote=CLIENT_A, forwarded=f"192.0.2.{i}")
    # A new forged address each time does not reset the count: the lock holds.
    assert _login(client, remote=CLIENT_A, forwarded="192.0.2.99", password=PASSWORD).status_code == 429
    # Claiming to be B did not lock B out.
    response = _login(client, remote=CLIENT_B, password=PASSWORD)
    assert response.status_code == 302 and "_auth_user_id" in client.session
