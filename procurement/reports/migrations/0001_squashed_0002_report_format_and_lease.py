import django.db.models.deletion
import procurement.reports.models
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("reports", "0001_initial"), ("reports", "0002_report_format_and_lease")]

    initial = True

    dependencies = [
        ("assessments", "0001_squashed_0017_answer_basis"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportFile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("content_hash", models.CharField(max_length=64)),
                (
                    "format_version",
                    models.PositiveIntegerField(
                        default=1,
                        help_text="The report design the PDF was rendered in (bumped when the design changes).",
                    ),
                ),
                ("record", models.JSONField(help_text="The exact record this PDF renders.")),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "Pending"), ("ready", "Ready"), ("failed", "Failed")],
                        default="pending",
                        max_length=16,
                    ),
                ),
                ("file", models.FileField(blank=True, upload_to=procurement.reports.models.report_path)),
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
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="reports", to="assessments.assessment"
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("assessment", "content_hash", "format_version"), name="reports_file_unique_hash_format"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["pending", "ready", "failed"])),
                        name="reports_file_status_valid",
                    ),
                ],
            },
        ),
    ]
