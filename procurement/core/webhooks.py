"""Outbound webhooks: an organisation's endpoints hear about events, signed per the Standard
Webhooks scheme (https://www.standardwebhooks.com: ``webhook-id``, ``webhook-timestamp``,
``webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">``).

Deliveries are outbox rows written with the change that causes them, sent by the task worker
with the outbox's retries and backoff; the rows are the delivery log.

Endpoints cannot reach inside the network (SSRF): the URL must be https; its host is resolved
once per delivery, every address it resolves to must be public (no private, loopback,
link-local, multicast or reserved ranges), and the connection goes to that address, so a DNS
answer that changes between the check and the connection does not matter. Redirects are not
followed. ``WEBHOOK_ALLOW_LOOPBACK`` (tests only) admits http://127.0.0.1.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import ssl
import threading
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from procurement.core import outbox
from procurement.core.models import Organisation, OutboxMessage, WebhookEndpoint
from procurement.core.services import audit_add, person_label

EVENTS = {
    "assessment.submitted": "An assessment was submitted for review",
    "assessment.vendor_submitted": "A vendor submitted its answers",
    "assessment.decided": "An assessment was approved or rejected",
    "assessment.reassessment_flagged": "An assessment was flagged for reassessment",
    "condition.due": "A condition is coming due or overdue",
    "acceptance.expiring": "A risk acceptance is expiring or has expired",
}
PING = "ping"  # a test event sent from the webhooks page to one endpoint
TIMEOUT_S = 10
TOTAL_S = 30
MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "ai-vendor-due-diligence-webhooks/1"


def _allow_loopback() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_LOOPBACK", False))


def secret_new() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value for one delivery."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


# --- where a URL may point ---------------------------------------------------------------


# NAT64 prefixes: on an IPv6-only network these reach IPv4 addresses, private ones included.
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if _allow_loopback() and ip.is_loopback:
        return True
    if ip.version == 6 and any(ip in net for net in NAT64):
        return False
    return ip.is_global and not ip.is_multicast


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be an endpoint, in words, or None. Does not resolve the host."""
    parts = urlsplit(url)
    insecure_ok = _allow_loopback() and parts.hostname in ("127.0.0.1", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and insecure_ok):
        return "The URL must start with https://."
    if not parts.hostname:
        return "The URL needs a host name."
    if parts.username or parts.password:
        return "Put no user name or password in the URL; deliveries are signed instead."
    return None


def resolve_public(host: str, port: int) -> str:
    """The one address a delivery connects to; refused unless every address of the host is public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ValidationError(f"The host {host} could not be resolved ({exc.strerror}).") from None
    addresses = []
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if not _public(ip):
            raise ValidationError(
                f"The host {host} resolves to {ip}, an address inside a private, local or reserved network; "
                "webhooks only go to public addresses."
            )
        addresses.append(str(ip))
    if not addresses:
        raise ValidationError(f"The host {host} has no address.")
    return addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed address, with the certificate checked against the URL's host name."""

    def __init__(self, host: str, address: str, port: int, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


# --- deliveries ----------------------------------------------------------------------------


def _cut(connection: http.client.HTTPConnection, fired: threading.Event) -> None:
    """End a delivery that ran past its overall deadline: the blocked read fails at once."""
    fired.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


@dataclass
class Delivery:
    """One signed POST; the outbox calls ``send()`` and records the outcome."""

    url: str
    secret: str
    msg_id: str
    timestamp: int
    body: bytes

    def headers(self) -> dict[str, str]:
        return {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": self.msg_id,
            "webhook-timestamp": str(self.timestamp),
            "webhook-signature": sign(secret=self.secret, msg_id=self.msg_id, timestamp=self.timestamp, body=self.body),
        }

    def send(self) -> None:
        problem = url_problem(self.url)
        if problem:
            raise outbox.Cancel(problem)
        parts = urlsplit(self.url)
        secure = parts.scheme == "https"
        port = parts.port or (443 if secure else 80)
        address = resolve_public(parts.hostname, port)
        cls = _PinnedHTTPSConnection if secure else _PinnedHTTPConnection
        connection = cls(parts.hostname, address, port, timeout=TIMEOUT_S)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        # TIMEOUT_S bounds each read; an endpoint trickling a byte at a time could still hold the
        # shared worker for hours, so the whole delivery is cut off after TOTAL_S.
        fired = threading.Event()
        watchdog = threading.Timer(TOTAL_S, _cut, args=(connection, fired))
        watchdog.start()
        try:
            connection.request("POST", path, body=self.body, headers=self.headers())
            response = connection.getresponse()
            response.read(MAX_RESPONSE_BYTES)
        except Exception:
            if fired.is_set():  # whatever the cut-off read raised, the reason is the deadline
                raise TimeoutError(f"the endpoint took longer than {TOTAL_S} s in all") from None
            raise
        finally:
            watchdog.cancel()
            connection.close()
        if not 200 <= response.status < 300:
            raise RuntimeError(f"the endpoint answered {response.status} {response.reason}")


@outbox.builder("webhook")
def _delivery(message: OutboxMessage) -> Delivery:
    endpoint = WebhookEndpoint.objects.filter(pk=message.payload["endpoint"]).first()
    if endpoint is None or not endpoint.active:
        raise outbox.Cancel("the endpoint was switched off or removed before the delivery went out")
    body = {"type": message.payload["type"], "timestamp": message.payload["at"], "data": message.payload["data"]}
    return Delivery(
        url=endpoint.url,
        secret=endpoint.secret,
        msg_id=message.payload["id"],
        timestamp=int(dt.datetime.fromisoformat(message.payload["at"]).timestamp()),
        body=json.dumps(body, separators=(",", ":"), cls=DjangoJSONEncoder).encode(),
    )


def endpoint_ref(endpoint: WebhookEndpoint) -> str:
    return f"webhook:{endpoint.pk}"


def webhook_emit(
    *, organisation: Organisation | None, event: str, key: str, data: dict, only: WebhookEndpoint | None = None
) -> list[OutboxMessage]:
    """Queue ``event`` for every active endpoint of ``organisation`` that listens to it (or for
    ``only``). Call it inside the transaction of the change; ``key`` makes a repeat a no-op."""
    if organisation is None or (event not in EVENTS and event != PING):
        return []
    at = timezone.now().replace(microsecond=0).isoformat()
    queued = []
    endpoints = WebhookEndpoint.objects.filter(organisation=organisation, active=True)
    if only is not None:
        endpoints = endpoints.filter(pk=only.pk)
    for endpoint in endpoints:
        if event not in endpoint.events and only is None:
            continue
        queued.append(
            outbox.outbox_add(
                kind="webhook",
                key=f"webhook:{endpoint.pk}:{event}:{key}",
                ref=endpoint_ref(endpoint),
                recipient=endpoint.url[:254],
                payload={
                    "endpoint": endpoint.pk,
                    "id": f"msg_{uuid.uuid4().hex}",
                    "type": event,
                    "at": at,
                    "data": data,
                },
                organisation=organisation,
            )
        )
    return queued


def _audit(organisation: Organisation, by, note: str) -> None:
    audit_add(organisation=organisation, by=by, note=note)


@transaction.atomic
def webhook_endpoint_add(
    *, organisation: Organisation, url: str, events: list[str], description: str, by
) -> WebhookEndpoint:
    problem = url_problem(url)
    if problem:
        raise ValidationError(problem, code="url")
    parts = urlsplit(url)
    resolve_public(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise ValidationError("Choose at least one of the listed events.", code="events")
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation,
        url=url,
        events=sorted(set(events)),
        description=description,
        secret=secret_new(),
        created_by=by,
    )
    _audit(organisation, by, f"added the webhook endpoint {url}")
    return endpoint


@transaction.atomic
def webhook_endpoint_active_set(*, endpoint: WebhookEndpoint, active: bool, by) -> None:
    if endpoint.active == active:
        return
    endpoint.active = active
    endpoint.save(update_fields=["active"])
    _audit(
        endpoint.organisation, by, f"{'switched on' if active else 'switched off'} the webhook endpoint {endpoint.url}"
    )


@transaction.atomic
def webhook_ping(*, endpoint: WebhookEndpoint, by) -> OutboxMessage:
    label = person_label(by)
    (message,) = webhook_emit(
        organisation=endpoint.organisation,
        event=PING,
        key=uuid.uuid4().hex,
        data={"message": f"Test event sent by {label}"},
        only=endpoint,
    )
    return message
