import django.db.models.deletion
import procurement.portfolio.models
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("portfolio", "0001_board_pack"), ("portfolio", "0002_reassessment_policy")]

    initial = True

    dependencies = [
        ("core", "0001_squashed_0014_external_identity"),
    ]

    operations = [
        migrations.CreateModel(
            name="BoardPack",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("inputs_hash", models.CharField(max_length=64)),
                ("format_version", models.PositiveIntegerField(default=1)),
                (
                    "inputs",
                    models.JSONField(help_text="Every figure the pack shows, as gathered when it was asked for."),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "Pending"), ("ready", "Ready"), ("failed", "Failed")],
                        default="pending",
                        max_length=16,
                    ),
                ),
                ("file", models.FileField(blank=True, upload_to=procurement.portfolio.models.board_pack_path)),
                ("pages", models.PositiveIntegerField(blank=True, null=True)),
                ("render_ms", models.PositiveIntegerField(blank=True, null=True)),
                ("error", models.TextField(blank=True)),
                (
                    "claimed_until",
                    models.DateTimeField(
                        blank=True,
                        help_text="A worker is rendering it until then (renewed while it renders).",
                        null=True,
                    ),
                ),
                (
                    "attempts",
                    models.PositiveSmallIntegerField(
                        default=0, help_text="Renders started since it was last requested."
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="board_packs", to="core.organisation"
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organisation", "inputs_hash", "format_version"),
                        name="portfolio_pack_unique_inputs_format",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["pending", "ready", "failed"])),
                        name="portfolio_pack_status_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ReassessmentPolicy",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "trigger",
                    models.CharField(
                        choices=[
                            ("review_due", "A review falls due"),
                            ("chain", "The supply chain or the model changes"),
                            ("evidence_expired", "Supporting evidence expires"),
                            ("contract_renewal", "A contract renewal approaches"),
                        ],
                        max_length=24,
                        verbose_name="trigger",
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[("start", "Start a reassessment"), ("notify", "Only notify")],
                        default="notify",
                        max_length=8,
                        verbose_name="action",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reassessment_policies",
                        to="core.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["organisation", "trigger"],
                "constraints": [
                    models.UniqueConstraint(fields=("organisation", "trigger"), name="portfolio_policy_unique_trigger"),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("trigger__in", ["review_due", "chain", "evidence_expired", "contract_renewal"])
                        ),
                        name="portfolio_policy_trigger_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("action__in", ["start", "notify"])), name="portfolio_policy_action_valid"
                    ),
                ],
            },
        ),
    ]
