"""The outbox: every outgoing message is a row written with the change that causes it, and
sent after the commit by the task worker, with retries and backoff.

So a mail server that is down, slow, or refuses one address never rolls back an invitation
(whose link another contact may already hold), never holds a database lock while it talks,
and never stops the messages queued behind it. A message that keeps failing is marked
failed with its error, which the pages that sent it show to staff.

Producers register a builder per kind (``@builder("portal.invitation")``) that turns a row
into an ``EmailMessage`` when it is sent, and call ``outbox_add`` inside their transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
from collections.abc import Callable
from dataclasses import dataclass

from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from procurement.core.models import OutboxMessage

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd, ... failed attempt; after the last, the message is marked failed.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
CLAIM = dt.timedelta(minutes=5)
NEXT_DRAIN_MIN = dt.timedelta(minutes=1)

_BUILDERS: dict[str, Callable[[OutboxMessage], EmailMessage]] = {}


class Cancel(Exception):
    """A builder raises this when the message should not go out any more (e.g. its link was revoked)."""


def builder(kind: str):
    """Register the function that builds the mail for rows of ``kind``."""

    def register(fn: Callable[[OutboxMessage], EmailMessage]):
        _BUILDERS[kind] = fn
        return fn

    return register


def one_line(text: str) -> str:
    """A mail subject: every run of whitespace (CR and LF included) becomes one space."""
    return " ".join(text.split())


def describe_error(exc: BaseException) -> str:
    """A failed send in plain words for the staff who see it (the type stays, for support)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        reasons = "; ".join(
            f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for code, msg in exc.recipients.values()
        )
        return f"the mail server refused the address ({reasons})"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "the mail server refused our login; check DJANGO_EMAIL_USER and DJANGO_EMAIL_PASSWORD"
    if isinstance(exc, smtplib.SMTPServerDisconnected | TimeoutError | socket.timeout):
        return f"the mail server did not answer in time ({exc})"
    if isinstance(exc, ConnectionRefusedError | socket.gaierror):
        return f"the mail server could not be reached ({exc})"
    return f"{type(exc).__name__}: {exc}"


def outbox_add(*, kind: str, key: str, recipient: str, payload: dict, ref: str = "", organisation=None):
    """Queue a message; adding the same key again returns the row already queued.

    Call it inside the transaction that makes the change: the row commits with it, and the
    worker is asked to send once the transaction has committed.
    """
    if kind not in _BUILDERS:
        raise ValueError(f"no builder registered for outbox kind {kind!r}")
    message, created = OutboxMessage.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "recipient": recipient,
            "payload": payload,
            "ref": ref,
            "organisation": organisation,
        },
    )
    if created:
        transaction.on_commit(_enqueue_drain)
    return message


def _enqueue_drain(run_after: dt.datetime | None = None) -> None:
    from procurement.core.tasks import drain_outbox

    task = drain_outbox
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the next drain (a later commit, or `manage.py drain_outbox` from cron) picks it up
        task = task.using(run_after=run_after)
    try:
        task.enqueue()
    except Exception:  # the rows are safe; the next drain or `manage.py drain_outbox` sends them
        logger.exception("Could not queue the outbox drain")


def _due(now: dt.datetime):
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def _claim(now: dt.datetime) -> OutboxMessage | None:
    with transaction.atomic():
        rows = _due(now).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        message = rows.first()
        if message is None:
            return None
        message.claimed_until = now + CLAIM
        message.attempts += 1
        message.save(update_fields=["claimed_until", "attempts"])
        return message


@dataclass
class DrainResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _finish(message: OutboxMessage, claim: dt.datetime, **fields) -> None:
    """Record the outcome only while this worker still holds the claim: if the claim lapsed
    mid-send and another worker took the message, its outcome stands, not this one's."""
    OutboxMessage.objects.filter(pk=message.pk, claimed_until=claim).update(claimed_until=None, **fields)


def outbox_drain(*, limit: int = 200) -> DrainResult:
    """Send what is due, one message at a time and outside any transaction. A failure is
    recorded on its row (retried later, or marked failed) and the loop goes on."""
    result = DrainResult()
    claimed = 0
    for _ in range(limit):
        now = timezone.now()
        message = _claim(now)
        if message is None:
            break
        claimed += 1
        claim = message.claimed_until
        try:
            _BUILDERS[message.kind](message).send()
        except Cancel as reason:
            _finish(message, claim, status=OutboxMessage.Status.CANCELLED, last_error=str(reason))
        except Exception as exc:  # any failure of one message must not stop the others
            error = describe_error(exc)[:2000]
            logger.warning("Outbox message %s (%s) failed: %s", message.pk, message.kind, error)
            if message.attempts >= MAX_ATTEMPTS:
                _finish(message, claim, status=OutboxMessage.Status.FAILED, last_error=error)
                result.failed += 1
            else:
                _finish(message, claim, last_error=error, next_attempt_at=now + BACKOFF[message.attempts - 1])
                result.retrying += 1
        else:
            _finish(message, claim, status=OutboxMessage.Status.SENT, sent_at=timezone.now(), last_error="")
            result.sent += 1
    _schedule_next(more_now=claimed == limit)
    return result


def _schedule_next(*, more_now: bool) -> None:
    """Ask for the next drain: at once when this one stopped at its limit, otherwise when the
    earliest pending message falls due (a claimed one counts from when its claim lapses), and
    never sooner than a minute from now, so a message another worker is sending cannot make
    drains chase each other."""
    if more_now:
        _enqueue_drain()
        return
    pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).values_list(
        "next_attempt_at", "claimed_until"
    )
    due = [max(at, claim or at) for at, claim in pending]
    if due:
        _enqueue_drain(run_after=max(min(due), timezone.now() + NEXT_DRAIN_MIN))


def outbox_retry(*, message: OutboxMessage) -> None:
    """Send a failed message again (staff pressed "Try again")."""
    OutboxMessage.objects.filter(pk=message.pk).exclude(status=OutboxMessage.Status.SENT).update(
        status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_until=None
    )
    transaction.on_commit(_enqueue_drain)


def outbox_latest(refs: list[str]) -> dict[str, OutboxMessage]:
    """The newest message about each ref, for the pages that show whether it went out."""
    latest: dict[str, OutboxMessage] = {}
    for message in OutboxMessage.objects.filter(ref__in=refs).order_by("created_at", "pk"):
        latest[message.ref] = message
    return latest
