import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("assessments", "0001_initial"),
        ("assessments", "0002_initial"),
        ("assessments", "0003_list_index"),
        ("assessments", "0004_evidence_uploaded_by_label_clarification"),
        ("assessments", "0005_assessment_reassess_reason_assessment_reassess_since"),
        ("assessments", "0006_list_indexes"),
        ("assessments", "0007_assessment_origin"),
        ("assessments", "0008_decisions_acceptances_conditions"),
        ("assessments", "0009_home_page_partial_indexes"),
        ("assessments", "0010_portfolio_latest_index"),
        ("assessments", "0011_assessment_recommendation_unanswered"),
        ("assessments", "0012_acceptance_relaxed_declined_by"),
        ("assessments", "0013_answer_undisclosed"),
        ("assessments", "0014_evidence_becomes_document_link"),
        ("assessments", "0015_reassessment_from_last_answers"),
        ("assessments", "0016_assessment_review_due"),
        ("assessments", "0017_answer_basis"),
    ]

    initial = True

    dependencies = [
        ("auth", "__first__"),
        ("core", "0001_squashed_0014_external_identity"),
        ("questionbank", "0001_squashed_0005_question_change_kind"),
        ("vendors", "0001_squashed_0011_contract_lifecycle_organisation"),
    ]

    operations = [
        migrations.CreateModel(
            name="Assessment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("in_progress", "In progress"),
                            ("submitted", "Submitted"),
                            ("in_review", "In review"),
                            ("changes_requested", "Changes requested"),
                            ("approved", "Approved"),
                            ("rejected", "Rejected"),
                        ],
                        db_index=True,
                        default="draft",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("due_date", models.DateField(blank=True, null=True, verbose_name="due date")),
                ("risk_band", models.CharField(blank=True, max_length=16, verbose_name="residual rating")),
                ("recommendation", models.CharField(blank=True, max_length=32, verbose_name="recommendation")),
                ("overall_risk", models.FloatField(blank=True, null=True, verbose_name="overall risk")),
                (
                    "recommended_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="recommendation computed at"),
                ),
                (
                    "recommendation_unanswered",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="answers missing from the recommendation"
                    ),
                ),
                ("frozen_record", models.JSONField(blank=True, null=True, verbose_name="frozen record")),
                ("frozen_hash", models.CharField(blank=True, max_length=64, verbose_name="frozen record hash")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided at")),
                ("review_due", models.DateField(blank=True, null=True, verbose_name="next review due")),
                ("reassess_reason", models.TextField(blank=True, verbose_name="why a reassessment is needed")),
                (
                    "reassess_since",
                    models.DateTimeField(blank=True, null=True, verbose_name="reassessment needed since"),
                ),
                (
                    "reassess_triggers",
                    models.JSONField(blank=True, default=list, verbose_name="what flagged the reassessment"),
                ),
                (
                    "origin",
                    models.CharField(
                        choices=[
                            ("local", "Created here"),
                            ("imported", "Imported with a verified signature"),
                            ("imported_unverified", "Imported without a verified signature"),
                        ],
                        default="local",
                        help_text="Whether this was created here or loaded from an exported record, and if its signature verified.",
                        max_length=24,
                        verbose_name="origin",
                    ),
                ),
                (
                    "bank_version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assessments",
                        to="questionbank.bankversion",
                    ),
                ),
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
                        on_delete=django.db.models.deletion.CASCADE, related_name="assessments", to="core.organisation"
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="owned_assessments",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "previous",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reassessments",
                        to="assessments.assessment",
                        verbose_name="reassessment of",
                    ),
                ),
                (
                    "reviewers",
                    models.ManyToManyField(
                        blank=True, related_name="assessments_to_review", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="assessments", to="vendors.aiservice"
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(fields=["organisation", "status", "-created_at"], name="assess_org_status_created"),
                    models.Index(fields=["organisation", "-created_at", "-id"], name="assess_org_created_id"),
                    models.Index(fields=["service", "-created_at", "-id"], name="assess_service_created_id"),
                    models.Index(
                        fields=["organisation", "service", "-created_at", "-id"], name="assess_org_service_created"
                    ),
                    models.Index(fields=["organisation", "-decided_at"], name="assess_org_decided"),
                    models.Index(fields=["owner", "status", "due_date"], name="assess_owner_status_due"),
                    models.Index(
                        condition=models.Q(
                            ("status__in", ["draft", "in_progress", "submitted", "in_review", "changes_requested"])
                        ),
                        fields=["organisation", "due_date"],
                        name="assess_org_open_due",
                    ),
                    models.Index(
                        condition=models.Q(("status__in", ["approved", "rejected"])),
                        fields=["organisation", "-decided_at"],
                        name="assess_org_final_decided",
                    ),
                    models.Index(
                        condition=models.Q(("status", "approved")),
                        fields=["organisation", "review_due"],
                        name="assess_org_approved_review",
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "status__in",
                                [
                                    "draft",
                                    "in_progress",
                                    "submitted",
                                    "in_review",
                                    "changes_requested",
                                    "approved",
                                    "rejected",
                                ],
                            )
                        ),
                        name="assessments_assessment_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status__in", ["approved", "rejected"]), _negated=True),
                            ("frozen_record__isnull", False),
                            _connector="OR",
                        ),
                        name="assessments_assessment_final_is_frozen",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("origin__in", ["local", "imported", "imported_unverified"])),
                        name="assessments_assessment_origin_valid",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(
                            ("status__in", ["draft", "in_progress", "submitted", "in_review", "changes_requested"])
                        ),
                        fields=("previous",),
                        name="assessments_one_open_reassessment",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="AnswerChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("question_code", models.CharField(max_length=32)),
                ("old_value", models.JSONField(blank=True, null=True)),
                ("new_value", models.JSONField(blank=True, null=True)),
                ("by_label", models.CharField(blank=True, max_length=200)),
                ("at", models.DateTimeField(auto_now_add=True)),
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
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answer_changes",
                        to="assessments.assessment",
                    ),
                ),
            ],
            options={
                "ordering": ["assessment", "question_code", "at", "pk"],
                "indexes": [models.Index(fields=["assessment", "question_code"], name="assess_change_question")],
            },
        ),
        migrations.CreateModel(
            name="Answer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("question_code", models.CharField(max_length=32, verbose_name="question")),
                ("value", models.JSONField(blank=True, null=True, verbose_name="value")),
                ("na", models.BooleanField(default=False, verbose_name="not applicable")),
                ("na_reason", models.TextField(blank=True, verbose_name="N/A justification")),
                ("undisclosed", models.BooleanField(default=False, verbose_name="not disclosed by the vendor")),
                (
                    "updated_by_label",
                    models.CharField(blank=True, help_text="Who answered, e.g. a vendor contact.", max_length=200),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "carried_given_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="carried answer given at"),
                ),
                ("confirmed_at", models.DateTimeField(blank=True, null=True, verbose_name="confirmed unchanged at")),
                (
                    "basis",
                    models.CharField(
                        choices=[
                            ("statement", "Vendor statement"),
                            ("document", "Document"),
                            ("attestation", "Independent attestation"),
                        ],
                        default="statement",
                        max_length=16,
                        verbose_name="basis",
                    ),
                ),
                ("basis_confirmed_at", models.DateTimeField(blank=True, null=True, verbose_name="basis confirmed at")),
                (
                    "basis_confirmed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="basis confirmed by",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="answers", to="assessments.assessment"
                    ),
                ),
                (
                    "carried_from",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="assessments.assessment",
                        verbose_name="carried from",
                    ),
                ),
            ],
            options={
                "ordering": ["assessment", "question_code"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("assessment", "question_code"), name="assessments_answer_unique_question"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("na", False), models.Q(("na_reason", ""), _negated=True), _connector="OR"),
                        name="assessments_answer_na_needs_reason",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("undisclosed", False), models.Q(("na", False), ("value__isnull", True)), _connector="OR"
                        ),
                        name="assessments_answer_undisclosed_has_no_value",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("basis__in", ["statement", "document", "attestation"])),
                        name="assessments_answer_basis_known",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Attestation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200)),
                ("title", models.CharField(max_length=200)),
                (
                    "statement",
                    models.TextField(
                        default="These answers are accurate and I am authorised to give them on behalf of the vendor."
                    ),
                ),
                (
                    "contact_label",
                    models.CharField(blank=True, help_text="The vendor contact the link was for.", max_length=200),
                ),
                ("at", models.DateTimeField(auto_now_add=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attestations",
                        to="assessments.assessment",
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("name", ""), _negated=True), name="assessments_attestation_name_required"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("title", ""), _negated=True), name="assessments_attestation_title_required"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Clarification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("question_code", models.CharField(max_length=32)),
                ("from_vendor", models.BooleanField()),
                ("author_label", models.CharField(max_length=200)),
                ("body", models.TextField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clarifications",
                        to="assessments.assessment",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
                "indexes": [models.Index(fields=["assessment", "question_code"], name="assess_clar_question")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("body", ""), _negated=True), name="assessments_clarification_body_required"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("author_label", ""), _negated=True),
                        name="assessments_clarification_has_author",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Comment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("question_code", models.CharField(max_length=32)),
                ("body", models.TextField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comments",
                        to="assessments.assessment",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Decision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "outcome",
                    models.CharField(choices=[("approved", "Approved"), ("rejected", "Rejected")], max_length=16),
                ),
                ("by_label", models.CharField(max_length=200)),
                ("role", models.CharField(blank=True, max_length=16)),
                ("authority", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("note", models.TextField(blank=True)),
                ("at", models.DateTimeField()),
                ("recommendation", models.CharField(max_length=32)),
                ("residual", models.CharField(blank=True, max_length=16)),
                (
                    "differs",
                    models.BooleanField(default=False, help_text="The outcome departs from the recommendation."),
                ),
                (
                    "separation_relaxed",
                    models.BooleanField(
                        default=False,
                        help_text="Decided by someone who also answered, submitted or owns it, as the organisation allows.",
                    ),
                ),
                (
                    "assessment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="decision",
                        to="assessments.assessment",
                    ),
                ),
                (
                    "by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("outcome__in", ["approved", "rejected"])),
                        name="assessments_decision_outcome_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("differs", False), models.Q(("note", ""), _negated=True), _connector="OR"),
                        name="assessments_decision_differs_needs_note",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Finding",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("finding", "Finding"), ("condition", "Condition")], default="finding", max_length=16
                    ),
                ),
                ("text", models.TextField()),
                ("owner", models.CharField(blank=True, max_length=200)),
                ("due_date", models.DateField(blank=True, null=True)),
                ("question_code", models.CharField(blank=True, max_length=32)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("in_progress", "In progress"),
                            ("done", "Done, awaiting verification"),
                            ("verified", "Verified"),
                            ("accepted", "Accepted as risk"),
                        ],
                        default="open",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("status_changed_at", models.DateTimeField(blank=True, null=True)),
                ("closure_note", models.TextField(blank=True, verbose_name="closure notes")),
                ("verified_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="findings",
                        to="assessments.assessment",
                    ),
                ),
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
                    "owner_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="owned_findings",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                (
                    "verified_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Evidence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("question_code", models.CharField(max_length=32)),
                (
                    "uploaded_by_label",
                    models.CharField(blank=True, help_text="Who attached it, e.g. a vendor contact.", max_length=200),
                ),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="evidence",
                        to="assessments.assessment",
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="attachments", to="vendors.document"
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "finding",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="evidence",
                        to="assessments.finding",
                    ),
                ),
            ],
            options={
                "ordering": ["question_code", "uploaded_at", "pk"],
                "indexes": [models.Index(fields=["assessment", "question_code"], name="assess_evidence_question")],
            },
        ),
        migrations.CreateModel(
            name="FindingEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("from_status", models.CharField(blank=True, max_length=16)),
                ("to_status", models.CharField(blank=True, max_length=16)),
                ("note", models.TextField(blank=True)),
                ("by_label", models.CharField(blank=True, max_length=200)),
                ("at", models.DateTimeField(auto_now_add=True)),
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
                    "finding",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="events", to="assessments.finding"
                    ),
                ),
            ],
            options={
                "ordering": ["at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Override",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("question_code", models.CharField(max_length=32)),
                ("points", models.PositiveSmallIntegerField()),
                ("reason", models.TextField()),
                ("at", models.DateTimeField(auto_now_add=True)),
                ("active", models.BooleanField(default=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="overrides",
                        to="assessments.assessment",
                    ),
                ),
                (
                    "by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["question_code", "-at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("points__lte", 4)), name="assessments_override_points_0_4"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("reason", ""), _negated=True), name="assessments_override_reason_required"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("active", True)),
                        fields=("assessment", "question_code"),
                        name="assessments_override_one_active",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RiskAcceptance",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "scope",
                    models.CharField(
                        choices=[
                            ("knockout", "Knockout"),
                            ("rule", "Flagged rule"),
                            ("residual", "Residual rating as a whole"),
                        ],
                        max_length=16,
                        verbose_name="scope",
                    ),
                ),
                (
                    "rule",
                    models.CharField(
                        blank=True, help_text="The knockout or rule's name.", max_length=64, verbose_name="rule"
                    ),
                ),
                ("title", models.CharField(max_length=300, verbose_name="what is accepted")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("requested", "Requested"),
                            ("accepted", "Accepted"),
                            ("declined", "Declined"),
                            ("expired", "Expired"),
                        ],
                        default="requested",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("requested_at", models.DateTimeField(blank=True, null=True)),
                ("request_note", models.TextField(blank=True)),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                ("compensating_controls", models.TextField(blank=True, verbose_name="compensating controls")),
                ("accepted_by_label", models.CharField(blank=True, max_length=200)),
                ("accepted_authority", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("accepted_at", models.DateTimeField(blank=True, null=True)),
                ("expires_on", models.DateField(blank=True, null=True, verbose_name="expires on")),
                ("separation_relaxed", models.BooleanField(default=False)),
                ("declined_note", models.TextField(blank=True)),
                (
                    "accepted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="acceptances",
                        to="assessments.assessment",
                    ),
                ),
                (
                    "conditions",
                    models.ManyToManyField(blank=True, related_name="acceptances", to="assessments.finding"),
                ),
                (
                    "declined_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "requested_from",
                    models.ForeignKey(
                        blank=True,
                        help_text="The approver asked, if one was named.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="acceptances_requested",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["requested_at", "pk"],
                "indexes": [models.Index(fields=["status", "expires_on"], name="assess_acceptance_status_exp")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("scope__in", ["knockout", "rule", "residual"])),
                        name="assessments_acceptance_scope_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["requested", "accepted", "declined", "expired"])),
                        name="assessments_acceptance_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("scope", "residual"), models.Q(("rule", ""), _negated=True), _connector="OR"
                        ),
                        name="assessments_acceptance_rule_named",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status__in", ["accepted", "expired"]), _negated=True),
                            models.Q(
                                ("accepted_at__isnull", False),
                                ("accepted_authority__isnull", False),
                                ("expires_on__isnull", False),
                                models.Q(("reason", ""), _negated=True),
                                models.Q(("accepted_by_label", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="assessments_acceptance_accepted_is_complete",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("status", "accepted")),
                        fields=("assessment", "scope", "rule", "accepted_by"),
                        name="assessments_acceptance_once_per_person",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="finding",
            name="acceptance",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="accepted_findings",
                to="assessments.riskacceptance",
            ),
        ),
        migrations.CreateModel(
            name="SectionRevision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("section_code", models.CharField(max_length=16)),
                ("revision", models.PositiveIntegerField(default=0)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="section_revisions",
                        to="assessments.assessment",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("assessment", "section_code"), name="assessments_revision_unique_section"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="TimelineEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=32)),
                ("from_status", models.CharField(blank=True, max_length=20)),
                ("to_status", models.CharField(blank=True, max_length=20)),
                ("note", models.TextField(blank=True)),
                ("by_label", models.CharField(blank=True, max_length=200)),
                ("at", models.DateTimeField(auto_now_add=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="timeline",
                        to="assessments.assessment",
                    ),
                ),
                (
                    "by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["at", "pk"],
            },
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["status", "due_date"], name="assess_finding_status_due"),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["owner_user", "status", "due_date"], name="assess_finding_owner_due"),
        ),
        migrations.AddConstraint(
            model_name="finding",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["open", "in_progress", "done", "verified", "accepted"])),
                name="assessments_finding_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="finding",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "accepted"), _negated=True), ("acceptance__isnull", False), _connector="OR"
                ),
                name="assessments_finding_accepted_has_acceptance",
            ),
        ),
        migrations.AddConstraint(
            model_name="finding",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "verified"), _negated=True), ("verified_at__isnull", False), _connector="OR"
                ),
                name="assessments_finding_verified_has_time",
            ),
        ),
    ]
