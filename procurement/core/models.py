from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement.core.schedule import parse_days


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Organisation(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    # Separation of duties: whoever answered, submitted or owns an assessment may not decide it.
    # A small team may relax this; a decision taken under the relaxation records it.
    require_two_step = models.BooleanField(
        _("two-step sign-in required"),
        default=False,
        help_text=_("Every member must sign in with a code from an authenticator app as well as their password."),
    )
    separation_of_duties = models.BooleanField(
        _("separation of duties"),
        default=True,
        help_text=_("Whoever answered, submitted or owns an assessment may not also decide it."),
    )
    # Spend-weighted portfolio figures are converted into this currency with the rates below.
    reporting_currency = models.CharField(_("reporting currency"), max_length=3, default="EUR")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        ANALYST = "analyst", _("Analyst")
        REVIEWER = "reviewer", _("Reviewer")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")

    class Authority(models.IntegerChoices):
        """What risk a member may accept, separate from the role (what they may edit).

        Levels are ordered: a higher level may do everything a lower one may.
        """

        STANDARD = 1, _("Standard: may approve what the engine recommends approving")
        RISK = 2, _("Risk acceptance: may accept high risk and waive knockouts")
        EXECUTIVE = 3, _("Executive: may accept critical risk, with a second executive")

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    authority = models.PositiveSmallIntegerField(
        _("decision authority"), choices=Authority.choices, default=Authority.STANDARD
    )

    class Meta:
        ordering = ["organisation__name", "user__username"]
        constraints = [
            # One membership per user: a user acts for exactly one organisation,
            # which keeps every query's scope unambiguous.
            models.UniqueConstraint(fields=["user"], name="core_membership_one_per_user"),
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "analyst", "reviewer", "viewer"]),
                name="core_membership_role_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(authority__gte=1, authority__lte=3), name="core_membership_authority_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"


class OutboxMessage(models.Model):
    """One outgoing message (an invitation, a reminder, a notification), written in the same
    transaction as the change that causes it and sent afterwards by the task worker, with retries.

    The row holds what is needed to build the message (``kind`` and ``payload``), not the
    message: a vendor link is signed with the secret key when the mail is built, so the
    database alone still yields no working link. ``key`` makes adding idempotent
    (kind + object + deadline); ``ref`` names the object it is about, for the pages that
    show whether it went out.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not sent: no longer needed")

    kind = models.CharField(max_length=64)
    key = models.CharField(max_length=200, unique=True)
    ref = models.CharField(max_length=100, blank=True, db_index=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="outbox"
    )
    recipient = models.CharField(max_length=254)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Set while a worker sends it, so a second worker leaves it alone; a worker that died
    # mid-send leaves a claim that lapses.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="core_outbox_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sent", "failed", "cancelled"]),
                name="core_outbox_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False), name="core_outbox_sent_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.status})"


class NotificationKind(models.TextChoices):
    """What a person can be told about; each chooses a mode per kind (NotificationPreference).

    Mails to vendor contacts (the team's replies, invitations) have no account behind them
    and no preference; they are not listed here.
    """

    VENDOR_SUBMITTED = "vendor_submitted", _("The vendor submitted its answers")
    VENDOR_QUESTION = "vendor_question", _("The vendor asked a question")
    REVIEWER_ASSIGNED = "reviewer_assigned", _("I am assigned as reviewer")
    ACCEPTANCE_REQUESTED = "acceptance_requested", _("My risk acceptance is requested")
    DECISION_MADE = "decision_made", _("A decision is made on an assessment I work on")
    CONDITION_DUE = "condition_due", _("A condition I own is coming due or overdue")
    REVIEW_DUE = "review_due", _("A review is coming due or overdue")
    REASSESSMENT_FLAGGED = "reassessment_flagged", _("A service I own is flagged for reassessment")
    ACCEPTANCE_EXPIRING = "acceptance_expiring", _("A risk acceptance is expiring or has expired")
    EVIDENCE_EXPIRING = "evidence_expiring", _("A vendor document I own is expiring or has expired")
    MODEL_RETIRING = "model_retiring", _("A model a service I own uses is being retired")
    CONTRACT_NOTICE = "contract_notice", _("A contract's notice date or renewal is coming up")


class NotificationPreference(models.Model):
    """How one person wants one kind of notification. No row means immediately."""

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", _("At once")
        DIGEST = "digest", _("In a daily summary")
        OFF = "off", _("Never")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.IMMEDIATE)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="core_notificationpref_one_per_kind"),
            models.CheckConstraint(
                condition=models.Q(mode__in=["immediate", "digest", "off"]), name="core_notificationpref_mode_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.mode}"


class DigestItem(models.Model):
    """A notification kept for its recipient's daily summary. The digest run puts the day's
    items into one outbox message (``message``) and they leave together."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_items")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="digest_items"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(max_length=300)
    lines = models.JSONField(default=list, blank=True)
    action = models.CharField(max_length=100, blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    message = models.ForeignKey(
        OutboxMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="digest_items"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["message", "user"], name="core_digest_pending")]

    def __str__(self) -> str:
        return f"{self.user}: {self.subject}"


class DeadlineKind(models.TextChoices):
    """The kinds of deadline the reminder schedule knows (settings.REMINDER_SCHEDULE)."""

    CONDITION = "condition", _("Conditions and findings")
    REVIEW = "review", _("Periodic reviews")
    ACCEPTANCE = "acceptance", _("Risk acceptance expiry")
    EVIDENCE = "evidence", _("Evidence expiry")
    CONTRACT_NOTICE = "contract_notice", _("Contract notice dates")
    MODEL_RETIREMENT = "model_retirement", _("Model retirements")


class ReminderSchedule(models.Model):
    """An organisation's own reminder schedule for one kind of deadline, in place of the
    installation's (settings.REMINDER_SCHEDULE)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="reminder_schedules")
    kind = models.CharField(_("deadline"), max_length=32, choices=DeadlineKind.choices)
    before_days = models.CharField(
        _("days before"),
        max_length=100,
        blank=True,
        help_text=_("Remind this many days before the deadline, separated by commas, e.g. 30, 7, 1."),
    )
    on_the_day = models.BooleanField(_("on the day"), default=True, help_text=_("Remind on the day itself."))
    overdue_every_days = models.PositiveSmallIntegerField(
        _("while overdue, every"),
        default=7,
        help_text=_("Days between reminders once the deadline has passed; 0 for none."),
    )

    class Meta:
        ordering = ["organisation", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="core_reminderschedule_one_per_kind"),
            models.CheckConstraint(
                condition=models.Q(overdue_every_days__lte=3650), name="core_reminderschedule_overdue_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_kind_display()}"

    def clean(self) -> None:
        try:
            self.before_days = ", ".join(str(d) for d in parse_days(self.before_days))
        except ValueError as exc:
            raise ValidationError({"before_days": str(exc)}) from None


class AuditEvent(models.Model):
    """A change to how an organisation decides (authority levels, separation of duties):
    who, when, what. Append-only; shown on the decision rules page."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="audit_events")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_label = models.CharField(max_length=200)
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.by_label}: {self.note[:60]}"


class ExternalIdentity(models.Model):
    """A person as the single sign-on identity provider knows them: its issuer and the subject
    it gives them. The account is found by this pair at every sign-in, never by email (an email
    address can be reassigned or edited at the provider; the subject cannot).

    ``organisation`` is the organisation the provider's claim named, from an issuer configured
    for it (procurement/core/sso.py). Under approval provisioning a first sign-in waits
    (``PENDING``) until an admin of that organisation approves it with a role, or refuses it.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Signed in through single sign-on")
        PENDING = "pending", _("Waiting for an admin's approval")
        REFUSED = "refused", _("Refused by an admin")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="external_identities"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # What the provider last said, shown to the admin who approves (never used to find the account).
    email = models.CharField(_("email at the identity provider"), max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="core_externalidentity_one_per_subject"),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "pending", "refused"]),
                name="core_externalidentity_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer} ({self.user})"


class MemberInvitation(models.Model):
    """An org admin's invitation to join the organisation with a role: a signed, expiring link
    mailed through the outbox. Used once; an admin may revoke it before then."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="member_invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=16, choices=Membership.Role.choices, default=Membership.Role.VIEWER)
    key = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "analyst", "reviewer", "viewer"]),
                name="core_memberinvitation_role_valid",
            ),
            # At most one open invitation per address in an organisation: re-inviting renews it.
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="core_memberinvitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()}, {self.organisation})"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    @property
    def state(self) -> str:
        """In words, for the members page and the link's own page."""
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "withdrawn"
        return "expired" if self.is_expired else "waiting"


class WebhookEndpoint(models.Model):
    """Where an organisation wants to hear about events: an https URL on a public address, the
    events it listens to, and the secret its deliveries are signed with (Standard Webhooks)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=100)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation", "pk"]

    def __str__(self) -> str:
        return self.url


class CurrencyRate(models.Model):
    """What one unit of ``currency`` is worth in ``to_currency`` (the organisation's reporting
    currency when it was set), as the organisation's admins set it, dated. Rates to a currency
    that is no longer the reporting one stay on record but are not used."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="currency_rates")
    currency = models.CharField(_("currency"), max_length=3)
    to_currency = models.CharField(_("reporting currency"), max_length=3)
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=8)
    as_of = models.DateField(_("as of"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "currency", "to_currency"], name="core_currency_rate_unique_pair"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="core_currency_rate_positive"),
            models.CheckConstraint(
                condition=~models.Q(currency=models.F("to_currency")), name="core_currency_rate_two_currencies"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {self.to_currency} ({self.as_of})"


class ApiToken(models.Model):
    """A personal access token for the REST API. Only a SHA-256 hash of the secret is kept; the
    secret is shown once, when the token is made. ``prefix`` (the secret's first characters)
    names it in lists. Read tokens only read; write tokens act as their user in everything the
    user may do. Every token expires (at most a year); revoked tokens stay, for the record."""

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(scope__in=["read", "write"]), name="core_apitoken_scope_valid"),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="core_apitoken_expires_after_created"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "expired" if self.is_expired else "active"


class ApiRateCount(models.Model):
    """Write requests a token made in one minute (the API's rate limit); old rows are pruned."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "minute"], name="core_apiratecount_token_minute")]

    def __str__(self) -> str:
        return f"{self.token_id} at {self.minute:%H:%M}: {self.count}"


class CalendarFeed(models.Model):
    """A person's secret calendar address (an iCalendar feed of their organisation's dated
    obligations). Only a SHA-256 hash of the secret is kept; the address is shown once, when it
    is made. One live address per person: a new one revokes the old. Revoked ones stay, for
    the record."""

    class Scope(models.TextChoices):
        ALL = "all", _("Everything dated in my organisation")
        MINE = "mine", _("Only what I own")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    secret_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("what it shows"), max_length=8, choices=Scope.choices, default=Scope.ALL)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(scope__in=["all", "mine"]), name="core_calendarfeed_scope_valid"),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(revoked_at__isnull=True), name="core_calendarfeed_one_live_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"calendar feed of {self.user} ({'revoked' if self.revoked_at else 'live'})"
