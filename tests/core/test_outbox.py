"""The outbox: idempotent rows written with the change, sent after the commit, one failure never
stops the rest, retries back off and end in a visible failure."""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from procurement.core import outbox
from procurement.core.models import OutboxMessage

pytestmark = pytest.mark.django_db


@outbox.builder("test.note")
def _note(message):
    if message.payload.get("explode"):
        raise RuntimeError("the builder failed")
    return EmailMessage(message.payload["subject"], "body", "from@example.com", [message.recipient])


def add(key, **payload):
    return outbox.outbox_add(kind="test.note", key=key, recipient="to@example.com", payload={"subject": key, **payload})


def test_adding_the_same_key_twice_queues_one_message():
    assert add("k1").pk == add("k1").pk and OutboxMessage.objects.count() == 1


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="no builder"):
        outbox.outbox_add(kind="nobody.knows", key="x", recipient="a@b", payload={})


def test_nothing_is_sent_before_the_commit_and_a_rollback_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        add("k1")
        assert mail.outbox == []
    assert len(callbacks) == 1 and [m.subject for m in mail.outbox] == ["k1"]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        add("k2")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.filter(key="k2").exists() and len(mail.outbox) == 1


def test_one_failing_message_does_not_stop_the_others_and_backs_off():
    add("bad", explode=True)
    add("good")
    result = outbox.outbox_drain()
    assert (result.sent, result.retrying, result.failed) == (1, 1, 0)
    bad = OutboxMessage.objects.get(key="bad")
    assert bad.status == "pending" and bad.attempts == 1 and "the builder failed" in bad.last_error
    assert bad.next_attempt_at > timezone.now() + outbox.BACKOFF[0] - dt.timedelta(seconds=5)
    assert outbox.outbox_drain().sent == 0  # not due yet


def test_a_claimed_message_is_left_alone_until_the_claim_lapses():
    message = add("k1")
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now() + dt.timedelta(minutes=1))
    assert outbox.outbox_drain().sent == 0
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    assert outbox.outbox_drain().sent == 1


def test_a_message_another_worker_is_sending_does_not_make_drains_chase_each_other(caplog):
    """Found in review: a due message under someone else's claim made each drain queue the next at once."""
    message = add("k1")
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now() + dt.timedelta(minutes=1))
    with caplog.at_level("DEBUG"):
        assert outbox.outbox_drain().sent == 0
    assert not [r for r in caplog.records if "drain_outbox" in r.getMessage()]  # no drain task was run


def test_the_outcome_of_a_send_is_kept_only_while_the_claim_is_held():
    message = add("k1")
    claimed = outbox._claim(timezone.now())
    # The claim lapsed mid-send and another worker took the message over.
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now() + dt.timedelta(minutes=9))
    outbox._finish(claimed, claimed.claimed_until, status="sent", sent_at=timezone.now())
    assert OutboxMessage.objects.get(pk=message.pk).status == "pending"
