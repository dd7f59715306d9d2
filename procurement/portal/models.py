"""The vendor portal: invitations (expiring, revocable links) and their reminders.

A vendor respondent has no account. An Invitation ties one VendorContact to one
Assessment; its random ``key`` is signed with the SECRET_KEY to make the link
(see services.invitation_token), so the database alone does not yield working links.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement.assessments.models import Assessment
from procurement.vendors.models import VendorContact


class Invitation(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Submitted by the vendor")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(VendorContact, on_delete=models.CASCADE, related_name="invitations")
    key = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_used_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    sent_count = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The team's note when it asks the vendor for changes after a submission; shown in the portal.
    reopen_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="portal_invitation_expires_after"),
            # One live invitation per contact and assessment: inviting again renews it.
            models.UniqueConstraint(
                fields=["assessment", "contact"],
                condition=Q(revoked_at__isnull=True),
                name="portal_invitation_one_live_per_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} for {self.assessment}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_replaced(self) -> bool:
        """Closed after it had expired, by inviting the contact again (a new link replaced it)."""
        return self.revoked_at is not None and self.revoked_at >= self.expires_at

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def state(self) -> str:
        if self.is_revoked and not self.is_replaced:
            return self.State.REVOKED
        if self.is_expired:
            return self.State.EXPIRED
        if self.submitted_at:
            return self.State.SUBMITTED
        return self.State.OPEN

    def get_state_display(self) -> str:
        return self.State(self.state).label

    @property
    def respondent_label(self) -> str:
        """How the contact appears in the audit trail."""
        return f"{self.contact.name} <{self.contact.email}> (vendor contact)"


class InvitationReminder(models.Model):
    """A reminder sent for one deadline of one invitation; the unique constraint makes
    ``send_reminders`` idempotent."""

    class Kind(models.TextChoices):
        DUE = "due", _("Due date near")
        EXPIRY = "expiry", _("Link expiry near")

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    deadline = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "kind", "deadline"], name="portal_reminder_once_per_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder ({self.deadline}) for {self.invitation}"


class BadLinkAttempt(models.Model):
    """One request with a tampered, malformed or unknown link token, for rate limiting guesses.

    Kept in the database so the limit holds across every server process; rows older
    than the window are deleted as new ones arrive.
    """

    ip = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["ip", "at"], name="portal_badlink_ip_at"),
            models.Index(fields=["at"], name="portal_badlink_at"),
        ]

    def __str__(self) -> str:
        return f"{self.ip} at {self.at:%Y-%m-%d %H:%M:%S}"
