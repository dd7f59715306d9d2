"""Notifications to people with an account, and the reminder schedule every deadline uses.

A producer (a service in its own layer) calls ``notify`` inside its transaction with a kind,
the people to tell, a subject, a few lines, the place to act and a key naming the event
(object and deadline). Each recipient's preference for that kind decides what happens:

* at once (the default): one outbox row, sent by the task worker after the commit;
* daily summary: a ``DigestItem``, which ``digests_send`` (run by ``send_notifications``)
  puts into one mail per person per day;
* never: nothing.

The row's key is kind + event key + recipient, so telling the same person about the same
event twice (a cron run repeated, a service retried) queues one mail. People without an
e-mail address are skipped and logged. A problem with one recipient is logged and the
others are still told; the producer's change is never rolled back by a notification.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from procurement.core import outbox
from procurement.core.models import (
    DigestItem,
    NotificationKind,
    NotificationPreference,
    Organisation,
    OutboxMessage,
    ReminderSchedule,
)
from procurement.core.outbox import one_line
from procurement.core.schedule import Schedule, parse_days

logger = logging.getLogger(__name__)

OUTBOX_KIND = "core.notification"
DIGEST_KIND = "core.digest"
SUBJECT_MAX = 250
Mode = NotificationPreference.Mode


# --- Links and names ----------------------------------------------------------------


def absolute_url(path: str) -> str:
    """A link for a mail: mails leave outside any request, so the host is settings.SITE_URL."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def display_name(user) -> str:
    """A user's name on one line (a name may hold a line break; a mail line may not)."""
    return one_line(user.get_full_name() or user.get_username())


# --- Preferences --------------------------------------------------------------------


def preference_modes(user) -> dict[str, str]:
    """Every kind with this user's mode (immediate unless chosen otherwise)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "mode"))
    return {kind: chosen.get(kind, Mode.IMMEDIATE) for kind in NotificationKind.values}


@transaction.atomic
def notification_preferences_set(*, user, modes: dict[str, str]) -> None:
    for kind, mode in modes.items():
        if kind not in NotificationKind.values or mode not in Mode.values:
            raise ValueError(f"unknown notification kind or mode: {kind}={mode}")
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"mode": mode})


# --- Telling people -----------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """What ``notify`` did for one recipient: ``mode`` is immediate, digest, off, no_address
    or failed; ``created`` is False when this event had already been queued for them."""

    user: object
    mode: str
    created: bool = False


def _full_key(kind: str, key: str, user) -> str:
    full = f"n:{kind}:{key}:{user.pk}"
    if len(full) <= 200:
        return full
    return f"n:{kind}:{hashlib.sha256(key.encode()).hexdigest()}:{user.pk}"


def notify(
    *,
    kind: str,
    users: Iterable,
    subject: str,
    lines: Sequence[str],
    url: str,
    key: str,
    action: str = "Open it",
    organisation: Organisation | None = None,
    ref: str = "",
) -> list[Delivery]:
    """Tell each of ``users`` about one event, each as they prefer. Call it inside the
    transaction that makes the change. ``key`` names the event (object and deadline, e.g.
    ``finding:12:2026-12-01:before-7``); ``url`` is where to act (a path is made absolute)."""
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    people = []
    for user in users:
        if user is not None and user.is_active and user.pk not in {p.pk for p in people}:
            people.append(user)
    chosen = dict(
        NotificationPreference.objects.filter(kind=kind, user__in=[p.pk for p in people]).values_list("user", "mode")
    )
    subject = one_line(subject)[:SUBJECT_MAX]
    lines = [str(line) for line in lines]
    done = []
    for user in people:
        mode = chosen.get(user.pk, Mode.IMMEDIATE)
        if mode == Mode.OFF:
            done.append(Delivery(user, mode))
            continue
        if not user.email:
            logger.info("Not notified (%s): %s has no e-mail address", kind, user.get_username())
            done.append(Delivery(user, "no_address"))
            continue
        full_key = _full_key(kind, key, user)
        try:
            with transaction.atomic():  # a savepoint: one recipient's failure leaves the others' rows
                if mode == Mode.DIGEST:
                    created = not OutboxMessage.objects.filter(key=full_key).exists()
                    if created:
                        _, created = DigestItem.objects.get_or_create(
                            key=full_key,
                            defaults={
                                "user": user,
                                "organisation": organisation,
                                "kind": kind,
                                "subject": subject,
                                "lines": lines,
                                "action": action,
                                "url": url,
                            },
                        )
                else:
                    created = not DigestItem.objects.filter(key=full_key).exists()
                    if created:
                        before = OutboxMessage.objects.filter(key=full_key).exists()
                        outbox.outbox_add(
                            kind=OUTBOX_KIND,
                            key=full_key,
                            recipient=user.email,
                            ref=ref,
                            organisation=organisation,
                            payload={
                                "user": user.pk,
                                "kind": kind,
                                "subject": subject,
                                "lines": lines,
                                "action": action,
                                "url": url,
                            },
                        )
                        created = not before
        except Exception:  # one recipient must not stop the others, nor undo the change
            logger.exception("Could not queue the %s notification for %s", kind, user.get_username())
            done.append(Delivery(user, "failed"))
            continue
        done.append(Delivery(user, mode, created))
    return done


# --- The daily summary ----------------------------------------------------------------


def digest_key(user, day: dt.date) -> str:
    return f"core.digest:{user.pk}:{day.isoformat()}"


def digests_send(*, today: dt.date) -> list[OutboxMessage]:
    """Queue one summary per person with items waiting, at most one per person per day; items
    that arrive after today's summary left wait for tomorrow's. Safe to run as often as cron likes."""
    User = get_user_model()
    waiting = DigestItem.objects.filter(message__isnull=True).values_list("user", flat=True).distinct()
    queued = []
    for user in User.objects.filter(pk__in=list(waiting)).order_by("pk"):
        try:
            with transaction.atomic():
                key = digest_key(user, today)
                if not user.email or OutboxMessage.objects.filter(key=key).exists():
                    continue
                items = list(DigestItem.objects.select_for_update().filter(user=user, message__isnull=True))
                if not items:
                    continue
                message = outbox.outbox_add(
                    kind=DIGEST_KIND,
                    key=key,
                    recipient=user.email,
                    payload={"user": user.pk, "day": today.isoformat()},
                    organisation=items[0].organisation,
                )
                DigestItem.objects.filter(pk__in=[i.pk for i in items]).update(message=message)
        except Exception:  # one person's summary must not stop the others'
            logger.exception("Could not queue the daily summary for %s", user.get_username())
            continue
        queued.append(message)
    return queued


# --- Building the mails -------------------------------------------------------------


def _recipient(message: OutboxMessage):
    user = get_user_model().objects.filter(pk=message.payload.get("user"), is_active=True).first()
    if user is None:
        raise outbox.Cancel("the recipient's account is gone or inactive")
    return user


def render_mail(template: str, ctx: dict, *, subject: str, to: str) -> EmailMultiAlternatives:
    """A mail with a plain-text and an HTML part from ``templates/<template>.txt`` and ``.html``."""
    mail = EmailMultiAlternatives(
        one_line(subject)[:SUBJECT_MAX], render_to_string(f"{template}.txt", ctx), settings.DEFAULT_FROM_EMAIL, [to]
    )
    mail.attach_alternative(render_to_string(f"{template}.html", ctx), "text/html")
    return mail


def _preferences_link() -> str:
    return absolute_url(reverse("notifications:preferences"))


@outbox.builder(OUTBOX_KIND)
def _notification_mail(message: OutboxMessage) -> EmailMultiAlternatives:
    user = _recipient(message)
    p = message.payload
    ctx = {
        "name": display_name(user),
        "subject": p["subject"],
        "lines": p.get("lines", []),
        "action": p.get("action") or "Open it",
        "link": absolute_url(p.get("url", "")),
        "kind": NotificationKind(p["kind"]).label,
        "preferences": _preferences_link(),
    }
    return render_mail("mail/notification", ctx, subject=p["subject"], to=message.recipient)


@outbox.builder(DIGEST_KIND)
def _digest_mail(message: OutboxMessage) -> EmailMultiAlternatives:
    user = _recipient(message)
    items = [
        {
            "subject": one_line(i.subject),
            "lines": i.lines,
            "action": i.action or "Open it",
            "link": absolute_url(i.url),
            "kind": i.get_kind_display(),
        }
        for i in message.digest_items.order_by("created_at", "pk")
    ]
    if not items:
        raise outbox.Cancel("nothing left to summarise")
    day = dt.date.fromisoformat(message.payload["day"])
    subject = f"Your daily summary: {len(items)} update{'s' if len(items) != 1 else ''} ({day:%d %b %Y})"
    ctx = {"name": display_name(user), "items": items, "day": day, "preferences": _preferences_link()}
    return render_mail("mail/digest", ctx, subject=subject, to=message.recipient)


# --- The reminder schedule ----------------------------------------------------------


def reminder_schedule(*, kind: str, organisation: Organisation | None = None) -> Schedule:
    """The schedule for one kind of deadline: the organisation's own if it set one in the
    admin, otherwise settings.REMINDER_SCHEDULE."""
    if organisation is not None:
        own = ReminderSchedule.objects.filter(organisation=organisation, kind=kind).first()
        if own is not None:
            return Schedule(
                before_days=parse_days(own.before_days),
                on_the_day=own.on_the_day,
                overdue_every_days=own.overdue_every_days,
            )
    return Schedule.from_mapping(settings.REMINDER_SCHEDULE.get(kind, {}))


class Schedules:
    """``reminder_schedule`` read once per organisation and kind, for a run over many deadlines."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int | None, str], Schedule] = {}

    def get(self, kind: str, organisation: Organisation | None) -> Schedule:
        key = (organisation.pk if organisation else None, kind)
        if key not in self._cache:
            self._cache[key] = reminder_schedule(kind=kind, organisation=organisation)
        return self._cache[key]
