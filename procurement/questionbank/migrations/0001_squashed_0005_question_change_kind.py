import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("questionbank", "0001_initial"),
        ("questionbank", "0002_provider_table_type"),
        ("questionbank", "0003_question_limits_choice_renamed_from"),
        ("questionbank", "0004_question_fresh_for_months"),
        ("questionbank", "0005_question_change_kind"),
    ]

    initial = True

    dependencies = [
        ("auth", "__first__"),
        ("core", "0001_squashed_0014_external_identity"),
    ]

    operations = [
        migrations.CreateModel(
            name="QuestionBank",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("slug", models.SlugField(max_length=80, verbose_name="slug")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for a shipped bank: read-only and shared by every organisation.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="question_banks",
                        to="core.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organisation", "slug"), name="questionbank_bank_unique_slug_per_org"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("organisation__isnull", True)),
                        fields=("slug",),
                        name="questionbank_bank_unique_shipped_slug",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="BankVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "number",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Assigned when the version is published.",
                        null=True,
                        verbose_name="version number",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("published", "Published"), ("retired", "Retired")],
                        default="draft",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("changelog", models.TextField(blank=True, verbose_name="changelog")),
                (
                    "rule_params",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="Scoring parameters (band cut-offs, tier weights, knockout rules). Validated on publish.",
                        verbose_name="rule parameters",
                    ),
                ),
                (
                    "content_hash",
                    models.CharField(blank=True, db_index=True, max_length=64, verbose_name="content hash"),
                ),
                ("published_at", models.DateTimeField(blank=True, null=True, verbose_name="published at")),
                (
                    "based_on",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="derived_versions",
                        to="questionbank.bankversion",
                    ),
                ),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "bank",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="versions",
                        to="questionbank.questionbank",
                    ),
                ),
            ],
            options={
                "ordering": ["bank__name", "-number", "-created_at"],
                "constraints": [
                    models.UniqueConstraint(fields=("bank", "number"), name="questionbank_version_unique_number"),
                    models.CheckConstraint(
                        condition=models.Q(("status", "draft"), ("number__isnull", False), _connector="OR"),
                        name="questionbank_version_published_has_number",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["draft", "published", "retired"])),
                        name="questionbank_version_status_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Section",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("code", models.CharField(max_length=16, verbose_name="code")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("order", models.PositiveIntegerField(default=0, verbose_name="order")),
                (
                    "weight",
                    models.DecimalField(
                        decimal_places=2,
                        default=1,
                        help_text="Default section weight; tier-specific weights in the rule parameters take precedence.",
                        max_digits=6,
                        verbose_name="weight",
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sections",
                        to="questionbank.bankversion",
                    ),
                ),
            ],
            options={
                "ordering": ["version", "order", "code"],
                "constraints": [
                    models.UniqueConstraint(fields=("version", "code"), name="questionbank_section_unique_code"),
                    models.CheckConstraint(
                        condition=models.Q(("weight__gte", 0)), name="questionbank_section_weight_nonneg"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Question",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "code",
                    models.CharField(
                        help_text="Stable across versions, e.g. SUP-05.", max_length=32, verbose_name="code"
                    ),
                ),
                ("text", models.TextField(verbose_name="question")),
                (
                    "help_text",
                    models.TextField(
                        blank=True, help_text="Why it matters; what a good answer looks like.", verbose_name="help text"
                    ),
                ),
                (
                    "answer_type",
                    models.CharField(
                        choices=[
                            ("single_choice", "Single choice"),
                            ("multi_choice", "Multiple choice"),
                            ("yes_no", "Yes / no / partial"),
                            ("number", "Number"),
                            ("date", "Date"),
                            ("text", "Free text"),
                            ("evidence", "Evidence upload"),
                            ("provider_table", "Provider table (supply chain)"),
                        ],
                        max_length=16,
                        verbose_name="answer type",
                    ),
                ),
                ("unit", models.CharField(blank=True, max_length=32, verbose_name="unit")),
                (
                    "bands",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text='Numbers and dates: [{"from": 0, "to": 30, "points": 4}, ...]; null means unbounded.',
                        verbose_name="risk bands",
                    ),
                ),
                (
                    "limits",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text='Numbers: {"min": 0, "max": 3650, "soft_max": 1095} (refused outside min-max, warned outside the soft range). Dates: offsets from today, {"min": "-3y", "max": "+1y"}.',
                        verbose_name="limits",
                    ),
                ),
                (
                    "score_by",
                    models.CharField(
                        blank=True,
                        help_text='Dates: blank scores days until the date; "months_since" scores the age in whole months.',
                        max_length=16,
                        verbose_name="date bands measure",
                    ),
                ),
                (
                    "fresh_for_months",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="How long an answer stays current. A reassessment asks again for an answer older than this; blank: it never goes stale.",
                        null=True,
                        verbose_name="fresh for (months)",
                    ),
                ),
                (
                    "weight",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "Minor"), (2, "Standard"), (4, "Major")], default=2, verbose_name="weight class"
                    ),
                ),
                ("critical", models.BooleanField(default=False, verbose_name="critical")),
                ("scored", models.BooleanField(default=True, verbose_name="scored")),
                (
                    "audience",
                    models.CharField(
                        choices=[("vendor", "Vendor"), ("buyer", "Buyer intake"), ("reviewer", "Reviewer only")],
                        default="vendor",
                        max_length=16,
                        verbose_name="audience",
                    ),
                ),
                ("allow_na", models.BooleanField(default=True, verbose_name="N/A allowed")),
                ("show_if_question", models.CharField(blank=True, max_length=32, verbose_name="show if question")),
                ("show_if_values", models.JSONField(blank=True, default=list, verbose_name="show if answer is one of")),
                ("framework_refs", models.JSONField(blank=True, default=list, verbose_name="framework references")),
                (
                    "change_kind",
                    models.CharField(
                        blank=True,
                        choices=[("editorial", "Editorial: keep answers"), ("substantive", "Substantive: ask again")],
                        help_text="Blank: decided from what changed (wording, help and refs only keep answers). Editorial: answers given to the previous version are kept (only where they still fit). Substantive: the question is asked again.",
                        max_length=16,
                        verbose_name="change since the previous version",
                    ),
                ),
                ("order", models.PositiveIntegerField(default=0, verbose_name="order")),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="questions",
                        to="questionbank.bankversion",
                    ),
                ),
                (
                    "section",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="questions", to="questionbank.section"
                    ),
                ),
            ],
            options={
                "ordering": ["section__order", "order", "code"],
                "constraints": [
                    models.UniqueConstraint(fields=("version", "code"), name="questionbank_question_unique_code"),
                    models.CheckConstraint(
                        condition=models.Q(("weight__in", [1, 2, 4])), name="questionbank_question_weight_class"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("fresh_for_months__isnull", True), ("fresh_for_months__range", (1, 120)), _connector="OR"
                        ),
                        name="questionbank_question_fresh_months_range",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Choice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("label", models.CharField(max_length=300, verbose_name="label")),
                ("value", models.SlugField(max_length=64, verbose_name="stored value")),
                ("points", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="risk points")),
                (
                    "renamed_from",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Values this choice had in earlier versions; upgrading an assessment maps them to this one.",
                        verbose_name="renamed from",
                    ),
                ),
                ("order", models.PositiveIntegerField(default=0, verbose_name="order")),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="choices", to="questionbank.question"
                    ),
                ),
            ],
            options={
                "ordering": ["question", "order", "pk"],
                "constraints": [
                    models.UniqueConstraint(fields=("question", "value"), name="questionbank_choice_unique_value"),
                    models.CheckConstraint(
                        condition=models.Q(("points__isnull", True), ("points__lte", 4), _connector="OR"),
                        name="questionbank_choice_points_0_4",
                    ),
                ],
            },
        ),
    ]
