"""Outbound webhooks: deliveries to a real HTTP server on loopback, signatures checked with the
Standard Webhooks reference library (an independent implementation), retries, and the
addresses an endpoint may not point at."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from standardwebhooks.webhooks import Webhook

from procurement.assessments import services
from procurement.core import webhooks
from procurement.core.models import OutboxMessage, WebhookEndpoint
from procurement.core.outbox import outbox_drain

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers with ``status``."""

    def __init__(self, status: int = 204):
        self.status = status
        self.received: list[tuple[dict, bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(outer.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/dd"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def loopback(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True


def _add(client, url: str, events: list[str]):
    return client.post(reverse("accounts:webhooks"), {"url": url, "events": events, "description": "GRC tool"})


def test_an_admin_adds_an_endpoint_and_a_submission_arrives_signed(login, personas, complete_assessment, loopback):
    client = login(personas["admin"])
    with Receiver() as receiver:
        page = _add(client, receiver.url, ["assessment.submitted", "assessment.decided"])
        assert page.status_code == 200 and "it is shown only once" in page.content.decode()
        endpoint = WebhookEndpoint.objects.get()
        assert endpoint.secret in page.content.decode()
        assert (
            endpoint.secret not in client.get(reverse("accounts:webhook_detail", args=[endpoint.pk])).content.decode()
        )

        services.assessment_submit(assessment=complete_assessment, by=personas["analyst"])
        result = outbox_drain()
    assert result.sent == 1
    ((headers, body),) = receiver.received
    payload = Webhook(endpoint.secret).verify(body, headers)  # raises on a bad signature
    assert payload["type"] == "assessment.submitted"
    assert payload["data"]["assessment"]["id"] == complete_assessment.pk
    assert payload["data"]["assessment"]["status"] == "submitted"
    assert payload["data"]["assessment"]["vendor"] == complete_assessment.service.vendor.name
    assert headers["webhook-id"].startswith("msg_")
    tampered = body.replace(b"submitted", b"approved__")
    with pytest.raises(Exception, match=r"(?i)signature"):
        Webhook(endpoint.secret).verify(tampered, headers)
    detail = client.get(reverse("accounts:webhook_detail", args=[endpoint.pk])).content.decode()
    assert "Delivered" in detail and "An assessment was submitted for review" in detail


def test_an_endpoint_hears_only_the_events_it_chose(login, personas, complete_assessment, loopback):
    client = login(personas["admin"])
    with Receiver() as receiver:
        _add(client, receiver.url, ["assessment.decided"])
        services.assessment_submit(assessment=complete_assessment, by=personas["analyst"])
        outbox_drain()
    assert receiver.received == []


def test_a_failing_endpoint_is_retried_and_the_log_says_why(login, personas, loopback):
    client = login(personas["admin"])
    with Receiver(status=500) as receiver:
        _add(client, receiver.url, ["assessment.decided"])
        endpoint = WebhookEndpoint.objects.get()
        response = client.post(reverse("accounts:webhook_action", args=[endpoint.pk]), {"action": "ping"}, follow=True)
        assert "A test event is queued" in response.content.decode()
        outbox_drain()
    assert len(receiver.received) == 1
    delivery = OutboxMessage.objects.get(kind="webhook")
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_error == "RuntimeError: the endpoint answered 500 Internal Server Error"
    detail = client.get(reverse("accounts:webhook_detail", args=[endpoint.pk])).content.decode()
    assert "Retrying" in detail and "answered 500" in detail


def test_a_switched_off_endpoint_gets_nothing_already_queued(login, personas, loopback):
    client = login(personas["admin"])
    with Receiver() as receiver:
        _add(client, receiver.url, ["assessment.decided"])
        endpoint = WebhookEndpoint.objects.get()
        client.post(reverse("accounts:webhook_action", args=[endpoint.pk]), {"action": "ping"})
        client.post(reverse("accounts:webhook_action", args=[endpoint.pk]), {"action": "off"})
        outbox_drain()
    assert receiver.received == []
    assert OutboxMessage.objects.get(kind="webhook").status == "cancelled"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/x", "must start with https://"),
        ("https://user:pw@hooks.example.com/x", "no user name or password"),
        ("https://127.0.0.1/x", "inside a private, local or reserved network"),
        ("https://localhost/x", "inside a private, local or reserved network"),
        ("https://10.1.2.3/x", "inside a private, local or reserved network"),
        ("https://169.254.169.254/latest/meta-data", "inside a private, local or reserved network"),
        ("https://[::1]/x", "inside a private, local or reserved network"),
        ("https://192.168.0.10/x", "inside a private, local or reserved network"),
    ],
)
def test_endpoints_inside_the_network_are_refused_with_a_message(login, personas, url, message):
    response = _add(login(personas["admin"]), url, ["assessment.decided"])
    assert response.status_code == 400 and message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_delivery_checks_the_address_again_when_it_is_sent(personas, org, settings):
    """The address is checked at send time too: an endpoint saved while loopback was allowed
    (or whose DNS now points inside) is refused and never connected to."""
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    endpoint = webhooks.webhook_endpoint_add(
        organisation=org, url="http://127.0.0.1:9/x", events=["assessment.decided"], description="", by=None
    )
    webhooks.webhook_ping(endpoint=endpoint, by=personas["admin"])
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    outbox_drain()
    delivery = OutboxMessage.objects.get(kind="webhook")
    assert delivery.status == "cancelled" and "https" in delivery.last_error


def test_the_signature_matches_the_scheme_written_out(org):
    """Our signer against the scheme's own arithmetic, on fixed inputs."""
    import base64
    import hashlib
    import hmac

    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    expected = base64.b64encode(hmac.new(b"k" * 32, b"msg_1.1700000000.{}", hashlib.sha256).digest()).decode()
    assert webhooks.sign(secret=secret, msg_id="msg_1", timestamp=1700000000, body=b"{}") == f"v1,{expected}"


def test_an_endpoint_that_trickles_its_answer_is_cut_off_at_the_overall_deadline(personas, org, settings, monkeypatch):
    """Red-team finding: a per-read timeout let an endpoint sending a byte every few seconds hold
    the shared worker for hours. The whole delivery now has a deadline (shortened here)."""
    import socket
    import time

    settings.WEBHOOK_ALLOW_LOOPBACK = True
    monkeypatch.setattr(webhooks, "TOTAL_S", 1)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def trickle():
        conn, _ = listener.accept()
        conn.recv(65536)
        while not stop.is_set():  # one header byte at a time, never finishing the headers
            try:
                conn.sendall(b"H")
            except OSError:
                break
            stop.wait(0.2)
        conn.close()

    threading.Thread(target=trickle, daemon=True).start()
    endpoint = webhooks.webhook_endpoint_add(
        organisation=org,
        url=f"http://127.0.0.1:{listener.getsockname()[1]}/x",
        events=["assessment.decided"],
        description="",
        by=None,
    )
    webhooks.webhook_ping(endpoint=endpoint, by=personas["admin"])
    started = time.monotonic()
    outbox_drain()
    stop.set()
    listener.close()
    assert time.monotonic() - started < 20
    delivery = OutboxMessage.objects.get(kind="webhook")
    assert delivery.status == "pending" and "longer than 1 s in all" in delivery.last_error
