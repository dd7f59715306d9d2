import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("core", "0001_initial"),
        ("core", "0002_outbox"),
        ("core", "0003_decision_authority"),
        ("core", "0004_notifications"),
        ("core", "0005_audit_events"),
        ("core", "0006_member_invitations"),
        ("core", "0007_two_step"),
        ("core", "0008_webhooks"),
        ("core", "0009_reporting_currency_and_rates"),
        ("core", "0010_api_tokens"),
        ("core", "0011_alter_digestitem_kind_and_more"),
        ("core", "0012_contract_notice_kind"),
        ("core", "0013_calendar_feed"),
        ("core", "0014_external_identity"),
    ]

    initial = True

    dependencies = [
        ("auth", "__first__"),
    ]

    operations = [
        migrations.CreateModel(
            name="Organisation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("slug", models.SlugField(max_length=80, unique=True, verbose_name="slug")),
                (
                    "require_two_step",
                    models.BooleanField(
                        default=False,
                        help_text="Every member must sign in with a code from an authenticator app as well as their password.",
                        verbose_name="two-step sign-in required",
                    ),
                ),
                (
                    "separation_of_duties",
                    models.BooleanField(
                        default=True,
                        help_text="Whoever answered, submitted or owns an assessment may not also decide it.",
                        verbose_name="separation of duties",
                    ),
                ),
                (
                    "reporting_currency",
                    models.CharField(default="EUR", max_length=3, verbose_name="reporting currency"),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("prefix", models.CharField(max_length=16)),
                ("secret_hash", models.CharField(max_length=64, unique=True)),
                (
                    "scope",
                    models.CharField(
                        choices=[("read", "Read only"), ("write", "Read and write")],
                        default="read",
                        max_length=8,
                        verbose_name="scope",
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("expires_at", models.DateTimeField(verbose_name="expires")),
                ("last_used_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("scope__in", ["read", "write"])), name="core_apitoken_scope_valid"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("expires_at__gt", models.F("created_at"))),
                        name="core_apitoken_expires_after_created",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ApiRateCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("minute", models.DateTimeField()),
                ("count", models.PositiveIntegerField(default=0)),
                (
                    "token",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.apitoken"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("token", "minute"), name="core_apiratecount_token_minute")
                ],
            },
        ),
        migrations.CreateModel(
            name="CalendarFeed",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("secret_hash", models.CharField(max_length=64, unique=True)),
                (
                    "scope",
                    models.CharField(
                        choices=[("all", "Everything dated in my organisation"), ("mine", "Only what I own")],
                        default="all",
                        max_length=8,
                        verbose_name="what it shows",
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("last_used_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="calendar_feeds",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("scope__in", ["all", "mine"])), name="core_calendarfeed_scope_valid"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("revoked_at__isnull", True)),
                        fields=("user",),
                        name="core_calendarfeed_one_live_per_user",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="NotificationPreference",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("vendor_submitted", "The vendor submitted its answers"),
                            ("vendor_question", "The vendor asked a question"),
                            ("reviewer_assigned", "I am assigned as reviewer"),
                            ("acceptance_requested", "My risk acceptance is requested"),
                            ("decision_made", "A decision is made on an assessment I work on"),
                            ("condition_due", "A condition I own is coming due or overdue"),
                            ("review_due", "A review is coming due or overdue"),
                            ("reassessment_flagged", "A service I own is flagged for reassessment"),
                            ("acceptance_expiring", "A risk acceptance is expiring or has expired"),
                            ("evidence_expiring", "A vendor document I own is expiring or has expired"),
                            ("model_retiring", "A model a service I own uses is being retired"),
                            ("contract_notice", "A contract's notice date or renewal is coming up"),
                        ],
                        max_length=32,
                    ),
                ),
                (
                    "mode",
                    models.CharField(
                        choices=[("immediate", "At once"), ("digest", "In a daily summary"), ("off", "Never")],
                        default="immediate",
                        max_length=16,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notification_prefs",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["user", "kind"],
                "constraints": [
                    models.UniqueConstraint(fields=("user", "kind"), name="core_notificationpref_one_per_kind"),
                    models.CheckConstraint(
                        condition=models.Q(("mode__in", ["immediate", "digest", "off"])),
                        name="core_notificationpref_mode_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("admin", "Admin"),
                            ("analyst", "Analyst"),
                            ("reviewer", "Reviewer"),
                            ("viewer", "Viewer"),
                        ],
                        default="viewer",
                        max_length=16,
                        verbose_name="role",
                    ),
                ),
                (
                    "authority",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "Standard: may approve what the engine recommends approving"),
                            (2, "Risk acceptance: may accept high risk and waive knockouts"),
                            (3, "Executive: may accept critical risk, with a second executive"),
                        ],
                        default=1,
                        verbose_name="decision authority",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to="core.organisation"
                    ),
                ),
            ],
            options={
                "ordering": ["organisation__name", "user__username"],
                "constraints": [
                    models.UniqueConstraint(fields=("user",), name="core_membership_one_per_user"),
                    models.CheckConstraint(
                        condition=models.Q(("role__in", ["admin", "analyst", "reviewer", "viewer"])),
                        name="core_membership_role_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("authority__gte", 1), ("authority__lte", 3)),
                        name="core_membership_authority_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="MemberInvitation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("email", models.EmailField(max_length=254, verbose_name="email")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("admin", "Admin"),
                            ("analyst", "Analyst"),
                            ("reviewer", "Reviewer"),
                            ("viewer", "Viewer"),
                        ],
                        default="viewer",
                        max_length=16,
                        verbose_name="role",
                    ),
                ),
                ("key", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("expires_at", models.DateTimeField()),
                ("accepted_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "accepted_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "invited_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="member_invitations",
                        to="core.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("role__in", ["admin", "analyst", "reviewer", "viewer"])),
                        name="core_memberinvitation_role_valid",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("accepted_at__isnull", True), ("revoked_at__isnull", True)),
                        fields=("organisation", "email"),
                        name="core_memberinvitation_one_open_per_email",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ExternalIdentity",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("issuer", models.CharField(max_length=255, verbose_name="issuer")),
                ("subject", models.CharField(max_length=255, verbose_name="subject")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("active", "Signed in through single sign-on"),
                            ("pending", "Waiting for an admin's approval"),
                            ("refused", "Refused by an admin"),
                        ],
                        default="active",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("email", models.CharField(blank=True, max_length=254, verbose_name="email at the identity provider")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("last_login_at", models.DateTimeField(blank=True, null=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="external_identities",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="external_identities",
                        to="core.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(fields=("issuer", "subject"), name="core_externalidentity_one_per_subject"),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["active", "pending", "refused"])),
                        name="core_externalidentity_status_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="CurrencyRate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("currency", models.CharField(max_length=3, verbose_name="currency")),
                ("to_currency", models.CharField(max_length=3, verbose_name="reporting currency")),
                ("rate", models.DecimalField(decimal_places=8, max_digits=18, verbose_name="rate")),
                ("as_of", models.DateField(verbose_name="as of")),
                ("set_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="set at")),
                (
                    "set_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="currency_rates",
                        to="core.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["currency"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organisation", "currency", "to_currency"), name="core_currency_rate_unique_pair"
                    ),
                    models.CheckConstraint(condition=models.Q(("rate__gt", 0)), name="core_currency_rate_positive"),
                    models.CheckConstraint(
                        condition=models.Q(("currency", models.F("to_currency")), _negated=True),
                        name="core_currency_rate_two_currencies",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("by_label", models.CharField(max_length=200)),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("note", models.TextField()),
                (
                    "by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="audit_events", to="core.organisation"
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="OutboxMessage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=64)),
                ("key", models.CharField(max_length=200, unique=True)),
                ("ref", models.CharField(blank=True, db_index=True, max_length=100)),
                ("recipient", models.CharField(max_length=254)),
                ("payload", models.JSONField(blank=True, default=dict)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting to be sent"),
                            ("sent", "Sent"),
                            ("failed", "Failed"),
                            ("cancelled", "Not sent: no longer needed"),
                        ],
                        default="pending",
                        max_length=16,
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("claimed_until", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="outbox",
                        to="core.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "indexes": [models.Index(fields=["status", "next_attempt_at"], name="core_outbox_due")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["pending", "sent", "failed", "cancelled"])),
                        name="core_outbox_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "sent"), _negated=True), ("sent_at__isnull", False), _connector="OR"
                        ),
                        name="core_outbox_sent_has_time",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="DigestItem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("vendor_submitted", "The vendor submitted its answers"),
                            ("vendor_question", "The vendor asked a question"),
                            ("reviewer_assigned", "I am assigned as reviewer"),
                            ("acceptance_requested", "My risk acceptance is requested"),
                            ("decision_made", "A decision is made on an assessment I work on"),
                            ("condition_due", "A condition I own is coming due or overdue"),
                            ("review_due", "A review is coming due or overdue"),
                            ("reassessment_flagged", "A service I own is flagged for reassessment"),
                            ("acceptance_expiring", "A risk acceptance is expiring or has expired"),
                            ("evidence_expiring", "A vendor document I own is expiring or has expired"),
                            ("model_retiring", "A model a service I own uses is being retired"),
                            ("contract_notice", "A contract's notice date or renewal is coming up"),
                        ],
                        max_length=32,
                    ),
                ),
                ("key", models.CharField(max_length=200, unique=True)),
                ("subject", models.CharField(max_length=300)),
                ("lines", models.JSONField(blank=True, default=list)),
                ("action", models.CharField(blank=True, max_length=100)),
                ("url", models.CharField(blank=True, max_length=500)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="digest_items",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="digest_items",
                        to="core.organisation",
                    ),
                ),
                (
                    "message",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="digest_items",
                        to="core.outboxmessage",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
                "indexes": [models.Index(fields=["message", "user"], name="core_digest_pending")],
            },
        ),
        migrations.CreateModel(
            name="ReminderSchedule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("condition", "Conditions and findings"),
                            ("review", "Periodic reviews"),
                            ("acceptance", "Risk acceptance expiry"),
                            ("evidence", "Evidence expiry"),
                            ("contract_notice", "Contract notice dates"),
                            ("model_retirement", "Model retirements"),
                        ],
                        max_length=32,
                        verbose_name="deadline",
                    ),
                ),
                (
                    "before_days",
                    models.CharField(
                        blank=True,
                        help_text="Remind this many days before the deadline, separated by commas, e.g. 30, 7, 1.",
                        max_length=100,
                        verbose_name="days before",
                    ),
                ),
                (
                    "on_the_day",
                    models.BooleanField(default=True, help_text="Remind on the day itself.", verbose_name="on the day"),
                ),
                (
                    "overdue_every_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        help_text="Days between reminders once the deadline has passed; 0 for none.",
                        verbose_name="while overdue, every",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminder_schedules",
                        to="core.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["organisation", "kind"],
                "constraints": [
                    models.UniqueConstraint(fields=("organisation", "kind"), name="core_reminderschedule_one_per_kind"),
                    models.CheckConstraint(
                        condition=models.Q(("overdue_every_days__lte", 3650)),
                        name="core_reminderschedule_overdue_range",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="WebhookEndpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("url", models.URLField(max_length=500, verbose_name="URL")),
                ("description", models.CharField(blank=True, max_length=200, verbose_name="description")),
                ("events", models.JSONField(default=list, verbose_name="events")),
                ("secret", models.CharField(max_length=100)),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="webhook_endpoints",
                        to="core.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["organisation", "pk"],
            },
        ),
    ]
