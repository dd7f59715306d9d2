"""Writes and checks for the vendor portal: inviting, link tokens, submitting, reminders.

Threats and the tests that cover them are listed in docs/security.md ("Vendor links").
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from procurement.assessments.models import Assessment, Clarification
from procurement.assessments.notifications import assessment_label, notify_vendor_submitted
from procurement.assessments.selectors import bank_structure
from procurement.assessments.services import attestation_add, required_missing, timeline_add
from procurement.assessments.signals import clarification_added
from procurement.core import outbox
from procurement.core.models import OutboxMessage
from procurement.core.notifications import render_mail
from procurement.core.outbox import one_line
from procurement.portal.models import BadLinkAttempt, Invitation, InvitationReminder
from procurement.vendors.models import Lifecycle, VendorContact

logger = logging.getLogger(__name__)

SALT = "procurement.portal.invitation"
MAX_DAYS = 90
REMIND_WITHIN_DAYS = 3

NOT_OPEN = "This assessment is {status}; vendors can no longer be invited."
WRONG_VENDOR = "{contact} is not a contact of {vendor}."
DAYS_RANGE = f"A link lasts between 1 and {MAX_DAYS} days."


# --- Tokens ---------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """The secret part of the link: the invitation's random key, signed with SECRET_KEY."""
    return signing.Signer(salt=SALT).sign(invitation.key)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a token names, or None for a tampered, malformed or unknown token.

    Expired and revoked invitations are returned: the caller tells those apart (410).
    """
    try:
        key = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    return (
        Invitation.objects.select_related("assessment__organisation", "assessment__owner", "contact")
        .filter(key=key)
        .first()
    )


def invitation_link(invitation: Invitation, *, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("portal:enter", args=[invitation_token(invitation)])


# --- Guessing ---------------------------------------------------------------------------


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.PORTAL_BAD_TOKEN_WINDOW)


def guesses_exhausted(ip: str) -> bool:
    """True once this address sent too many bad tokens in the window: every link then gets 429,
    valid or not, so further guesses learn nothing."""
    recent = BadLinkAttempt.objects.filter(ip=ip, at__gte=_window_start())
    return recent.count() >= settings.PORTAL_BAD_TOKEN_LIMIT


def guess_failed(ip: str) -> None:
    BadLinkAttempt.objects.filter(at__lt=_window_start()).delete()
    BadLinkAttempt.objects.create(ip=ip[:64])


# --- What the vendor answers ------------------------------------------------------------


def vendor_sections(assessment: Assessment) -> list[dict]:
    """The bank's sections cut down to the questions whose audience is the vendor."""
    sections = []
    for section in bank_structure(assessment.bank_version).document["sections"]:
        questions = [q for q in section["questions"] if q["audience"] == "vendor"]
        if questions:
            sections.append({**section, "questions": questions})
    return sections


def vendor_missing(assessment: Assessment) -> list[tuple[str, str]]:
    """Visible vendor questions with no answer yet (evidence uploads are optional)."""
    index = bank_structure(assessment.bank_version).question_index
    return [(s, code) for s, code in required_missing(assessment) if index[code]["audience"] == "vendor"]


def vendor_can_edit(invitation: Invitation) -> bool:
    """The link works, its answers are not sent yet, the assessment is open and the service
    has not ended (ending a service revokes its links; this also holds for one missed)."""
    return (
        invitation.is_usable
        and invitation.submitted_at is None
        and invitation.assessment.is_editable
        and invitation.assessment.service.status != Lifecycle.ENDED
    )


# --- Inviting ---------------------------------------------------------------------------


def _owner_of(assessment: Assessment):
    return assessment.owner or assessment.created_by


def _mail(invitation: Invitation, *, template: str, base_url: str, extra: dict | None = None) -> EmailMessage:
    owner = _owner_of(invitation.assessment)
    ctx = {
        "invitation": invitation,
        "assessment": invitation.assessment,
        "organisation": invitation.assessment.organisation,
        "owner": owner,
        "link": invitation_link(invitation, base_url=base_url),
        **(extra or {}),
    }
    # Names may hold a CR or LF; a mail header may not (F5).
    subject = one_line(render_to_string(f"portal/email/{template}_subject.txt", ctx))
    body = render_to_string(f"portal/email/{template}.txt", ctx)
    reply_to = [owner.email] if owner and owner.email else None
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.contact.email], reply_to=reply_to)


def _invitation_of(message: OutboxMessage) -> Invitation:
    invitation = (
        Invitation.objects.select_related(
            "assessment__organisation", "assessment__owner", "assessment__created_by", "assessment__service", "contact"
        )
        .filter(pk=message.payload["invitation"])
        .first()
    )
    if invitation is None or not invitation.is_usable:
        raise outbox.Cancel("the link was revoked or has expired before the mail went out")
    return invitation


@outbox.builder("portal.invitation")
def _invitation_mail(message: OutboxMessage) -> EmailMessage:
    extra = {"message": message.payload.get("message", "")}
    return _mail(_invitation_of(message), template="invitation", base_url=message.payload["base_url"], extra=extra)


@outbox.builder("portal.reminder")
def _reminder_mail(message: OutboxMessage) -> EmailMessage:
    extra = {"kind": message.payload["kind"], "deadline": dt.date.fromisoformat(message.payload["deadline"])}
    return _mail(_invitation_of(message), template="reminder", base_url=message.payload["base_url"], extra=extra)


def invitation_ref(invitation: Invitation) -> str:
    """How outbox rows about this invitation name it (see invitation_mail_status)."""
    return f"portal.invitation:{invitation.pk}"


@transaction.atomic
def invitation_mail_retry(*, invitation: Invitation) -> bool:
    """Send the invitation's newest mail again if it failed; False when there is none to retry."""
    message = invitation_mail_status([invitation]).get(invitation.pk)
    if message is None or message.status != OutboxMessage.Status.FAILED:
        return False
    outbox.outbox_retry(message=message)
    return True


def invitation_mail_status(invitations: list[Invitation]) -> dict[int, OutboxMessage]:
    """The newest mail (invitation or reminder) for each invitation, to show whether it went out."""
    latest = outbox.outbox_latest([invitation_ref(i) for i in invitations])
    return {i.pk: latest[invitation_ref(i)] for i in invitations if invitation_ref(i) in latest}


def default_link_days(assessment, *, today: dt.date | None = None) -> int:
    """How long a new link stays valid by default: the setting, or longer so the link still
    works on the assessment's due date (up to MAX_DAYS)."""
    days = settings.PORTAL_LINK_DAYS
    if assessment.due_date is not None:
        today = today or timezone.localdate()
        days = max(days, (assessment.due_date - today).days + 1)
    return min(days, MAX_DAYS)


@transaction.atomic
def invite(
    *,
    assessment: Assessment,
    contacts: list[VendorContact],
    by,
    base_url: str,
    days: int | None = None,
    message: str = "",
) -> list[Invitation]:
    """Invite vendor contacts to answer this assessment, and mail each one the link.

    A contact who already holds a live invitation gets it renewed (new expiry) and
    resent, so there is never more than one working link per contact.
    """
    days = default_link_days(assessment) if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(DAYS_RANGE, code="days")
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_final or not assessment.is_editable:
        raise ValidationError(NOT_OPEN.format(status=assessment.get_status_display().lower()), code="state")
    if assessment.service.status == Lifecycle.ENDED:
        raise ValidationError("This service has ended: its vendor is not invited any more.", code="ended")
    if not contacts:
        raise ValidationError("Choose at least one contact.", code="no_contacts")
    vendor = assessment.service.vendor
    for contact in contacts:
        if contact.vendor_id != vendor.pk:
            raise ValidationError(WRONG_VENDOR.format(contact=contact.name, vendor=vendor.name), code="vendor")
    now = timezone.now()
    expires = now + dt.timedelta(days=days)
    result = []
    for contact in contacts:
        invitation = (
            Invitation.objects.select_for_update()
            .filter(assessment=assessment, contact=contact, revoked_at__isnull=True)
            .first()
        )
        carried = {}
        if invitation is not None and invitation.is_expired:
            # An expired link stays dead (F6): its token may sit in a log or an old mail. The new
            # link carries its state: a submitted questionnaire stays submitted until reopened.
            invitation.revoked_at = now
            invitation.save(update_fields=["revoked_at"])
            carried = {"submitted_at": invitation.submitted_at, "reopen_note": invitation.reopen_note}
            invitation = None
        if invitation is None:
            invitation = Invitation(
                assessment=assessment,
                contact=contact,
                key=secrets.token_urlsafe(32),
                created_by=by,
                expires_at=expires,
                **carried,
            )
        else:
            invitation.expires_at = max(invitation.expires_at, expires)
        invitation.sent_count += 1
        invitation.save()
        invitation.assessment = assessment
        outbox.outbox_add(
            kind="portal.invitation",
            key=f"portal.invitation:{invitation.pk}:{invitation.sent_count}",
            ref=invitation_ref(invitation),
            recipient=contact.email,
            payload={"invitation": invitation.pk, "base_url": base_url, "message": message.strip()},
            organisation=assessment.organisation,
        )
        timeline_add(
            assessment,
            "vendor invited",
            by=by,
            note=f"{contact.name} <{contact.email}>, link valid until {invitation.expires_at:%d %b %Y}",
        )
        result.append(invitation)
    return result


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> None:
    if invitation.revoked_at is not None:
        return
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = by
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    timeline_add(
        invitation.assessment,
        "vendor link revoked",
        by=by,
        note=f"{invitation.contact.name} <{invitation.contact.email}>",
    )


def _live(assessment: Assessment):
    return Invitation.objects.filter(assessment=assessment, revoked_at__isnull=True)


@transaction.atomic
def vendor_reopen(*, assessment: Assessment, by, note: str) -> int:
    """Ask the vendor for changes after it submitted: its links become editable again."""
    note = note.strip()
    if not note:
        raise ValidationError("Say what the vendor should change.", code="note_required")
    if not assessment.is_editable:
        raise ValidationError(
            f"The assessment is {assessment.get_status_display().lower()}; "
            "request changes on it first, then reopen the vendor's answers.",
            code="state",
        )
    count = _live(assessment).exclude(submitted_at=None).update(submitted_at=None, reopen_note=note[:4000])
    if not count:
        raise ValidationError("The vendor has not submitted, so there is nothing to reopen.", code="not_submitted")
    timeline_add(assessment, "vendor asked for changes", by=by, note=note)
    return count


@dataclass
class VendorIncomplete(Exception):
    missing: list[tuple[str, str]]


@transaction.atomic
def vendor_submit(*, invitation: Invitation, name: str, title: str, confirmed: bool) -> None:
    """The vendor hands its answers over, attested by the respondent (name, title, the statement).

    Every live link of the assessment turns read-only. Refused, with nothing written, while a
    vendor question is unanswered (VendorIncomplete) or without the attestation (ValidationError
    keyed by field, from ``attestation_add``).
    """
    assessment = Assessment.objects.select_for_update().get(pk=invitation.assessment_id)
    invitation.assessment = assessment
    if not vendor_can_edit(invitation):
        raise ValidationError("These answers can no longer be changed.", code="locked")
    missing = vendor_missing(assessment)
    if missing:
        raise VendorIncomplete(missing)
    attestation = attestation_add(
        assessment=assessment,
        name=name,
        title=title,
        confirmed=confirmed,
        contact_label=invitation.respondent_label,
    )
    now = timezone.now()
    _live(assessment).update(submitted_at=now, reopen_note="")
    timeline_add(
        assessment,
        "vendor submitted",
        by_label=invitation.respondent_label,
        note=f"Attested by {attestation.name}, {attestation.title}: {attestation.statement}",
        settled=True,  # the vendor handed its answers over: the report will be wanted
    )
    # "The team has been told": the owner and the reviewers, through the outbox.
    notify_vendor_submitted(assessment=assessment, by_label=invitation.respondent_label, at=now)


# --- The team's replies ---------------------------------------------------------------


def _reply_ref(clarification: Clarification) -> str:
    return f"portal.reply:{clarification.pk}"


def team_reply_queue(*, clarification: Clarification) -> list[OutboxMessage]:
    """Tell each vendor contact holding a live link that the team replied in a clarification
    thread. The mail carries the contact's own link; nothing is sent when no link is live."""
    if clarification.from_vendor:
        return []
    now = timezone.now()
    live = (
        Invitation.objects.filter(assessment=clarification.assessment, revoked_at__isnull=True, expires_at__gt=now)
        .select_related("contact")
        .order_by("pk")
    )
    queued = []
    for invitation in live:
        if not invitation.contact.email:
            logger.info("Team reply not mailed: contact %s has no e-mail address", invitation.contact_id)
            continue
        queued.append(
            outbox.outbox_add(
                kind="portal.reply",
                key=f"portal.reply:{clarification.pk}:{invitation.pk}",
                ref=_reply_ref(clarification),
                recipient=invitation.contact.email,
                payload={"invitation": invitation.pk, "clarification": clarification.pk, "base_url": settings.SITE_URL},
                organisation=clarification.assessment.organisation,
            )
        )
    return queued


def _on_clarification(sender, *, clarification: Clarification, **kwargs) -> None:
    team_reply_queue(clarification=clarification)


clarification_added.connect(_on_clarification, dispatch_uid="portal.team_reply")


@outbox.builder("portal.reply")
def _reply_mail(message: OutboxMessage):
    invitation = _invitation_of(message)
    clarification = Clarification.objects.filter(pk=message.payload["clarification"]).first()
    if clarification is None:
        raise outbox.Cancel("the message was deleted before the mail went out")
    assessment = invitation.assessment
    owner = _owner_of(assessment)
    ctx = {
        "contact": invitation.contact,
        "assessment": assessment,
        "label": assessment_label(assessment),
        "organisation": assessment.organisation,
        "clarification": clarification,
        "owner": owner,
        "link": invitation_link(invitation, base_url=message.payload["base_url"]),
    }
    subject = f"{assessment.organisation.name} replied about {clarification.question_code}: {assessment.service.name}"
    mail = render_mail("mail/team_replied", ctx, subject=subject, to=message.recipient)
    if owner and owner.email:
        mail.reply_to = [owner.email]
    return mail


def invitation_used(invitation: Invitation) -> None:
    now = timezone.now()
    Invitation.objects.filter(pk=invitation.pk, first_used_at__isnull=True).update(first_used_at=now)
    Invitation.objects.filter(pk=invitation.pk).update(last_used_at=now)


# --- Reminders --------------------------------------------------------------------------


def reminders_due(*, today: dt.date, within_days: int = REMIND_WITHIN_DAYS) -> list[tuple[Invitation, str, dt.date]]:
    """(invitation, kind, deadline) for open invitations whose due date or link expiry is near."""
    horizon = today + dt.timedelta(days=within_days)
    now = timezone.now()
    candidates = (
        Invitation.objects.filter(
            revoked_at__isnull=True,
            submitted_at__isnull=True,
            expires_at__gt=now,
            assessment__status__in=Assessment.EDITABLE,
        )
        .select_related("assessment__organisation", "assessment__owner", "assessment__created_by", "contact")
        .order_by("pk")
    )
    due = []
    for invitation in candidates:
        due_date = invitation.assessment.due_date
        if due_date is not None and today <= due_date <= horizon:
            due.append((invitation, InvitationReminder.Kind.DUE, due_date))
        expiry = timezone.localdate(invitation.expires_at)
        if expiry <= horizon:
            due.append((invitation, InvitationReminder.Kind.EXPIRY, expiry))
    return due


def reminders_send(*, today: dt.date, base_url: str) -> list[InvitationReminder]:
    """Queue each due reminder once (the task worker sends it). Safe to run as often as cron likes;
    a problem with one invitation is logged and the others are still queued."""
    queued = []
    for invitation, kind, deadline in reminders_due(today=today):
        try:
            with transaction.atomic():
                reminder, created = InvitationReminder.objects.get_or_create(
                    invitation=invitation, kind=kind, deadline=deadline
                )
                if not created:
                    continue
                outbox.outbox_add(
                    kind="portal.reminder",
                    key=f"portal.reminder:{invitation.pk}:{kind}:{deadline.isoformat()}",
                    ref=invitation_ref(invitation),
                    recipient=invitation.contact.email,
                    payload={
                        "invitation": invitation.pk,
                        "base_url": base_url,
                        "kind": kind,
                        "deadline": deadline.isoformat(),
                    },
                    organisation=invitation.assessment.organisation,
                )
                timeline_add(
                    invitation.assessment,
                    "vendor reminded",
                    by_label="reminder",
                    note=f"{invitation.contact.name} <{invitation.contact.email}>: "
                    f"{InvitationReminder.Kind(kind).label.lower()} ({deadline:%d %b %Y})",
                )
        except Exception:  # one bad invitation must not stop the reminders of every other
            logger.exception("Could not queue the %s reminder for invitation %s", kind, invitation.pk)
            continue
        queued.append(reminder)
    return queued
