"""The client's network address, as far as the deployment lets the app know it.

Behind a reverse proxy every request arrives from the proxy, so ``REMOTE_ADDR`` is the
same for everyone; the proxy appends the address it saw to ``X-Forwarded-For``. That
header is only as trustworthy as the hops that wrote it: a client can send any
``X-Forwarded-For`` it likes, and each proxy appends to what it received. So the
address is read from the right, skipping exactly the configured number of trusted
proxies, and the header is ignored entirely when no proxy is configured.

Settings:

- ``TRUSTED_PROXY_COUNT`` (env ``DJANGO_TRUSTED_PROXY_COUNT``, default 0): how many
  reverse proxies, each appending to ``X-Forwarded-For``, stand between the client and
  gunicorn. 0 means the app is reached directly and ``REMOTE_ADDR`` is the client.
- ``TRUSTED_PROXIES`` (env ``DJANGO_TRUSTED_PROXIES``, optional): addresses or CIDR
  networks the nearest proxy connects from. When set, a request whose ``REMOTE_ADDR`` is
  not among them did not come through the proxy and its header is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    """The normalised address in ``value``, or None when it is not one."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _from_trusted_proxy(remote: str) -> bool:
    trusted = tuple(getattr(settings, "TRUSTED_PROXIES", ()))
    if not trusted:
        return True
    address = _address(remote)
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in _networks(trusted))


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent ``request``.

    ``REMOTE_ADDR`` unless ``TRUSTED_PROXY_COUNT`` proxies are configured; then the
    ``X-Forwarded-For`` entry written by the outermost trusted proxy, i.e. the
    ``TRUSTED_PROXY_COUNT``-th from the right. A header too short to have passed
    through every proxy, or whose entry there is not an address, falls back to
    ``REMOTE_ADDR``: that is the proxy, shared by everyone, but never a value the
    client chose. The signature is the one django-axes expects of
    ``AXES_CLIENT_IP_CALLABLE``.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0 or not _from_trusted_proxy(remote):
        return remote
    # Repeated headers arrive joined with commas (WSGI servers merge them).
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    return _address(hops[-count]) or remote
