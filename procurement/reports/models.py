from django.db import models

from procurement.assessments.models import Assessment


def report_path(instance: "ReportFile", filename: str) -> str:
    return (
        f"reports/{instance.assessment.organisation_id}/{instance.assessment_id}/"
        f"{instance.content_hash}-v{instance.format_version}.pdf"
    )


class ReportFile(models.Model):
    """A rendered PDF, cached by the content hash of the record it was rendered from and the
    report format (``reports.services.REPORT_FORMAT``) it was rendered in.

    A worker rendering it holds a lease (``claimed_until``), renewed while it renders; a
    pending report whose lease ran out lost its worker and is queued again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reports")
    content_hash = models.CharField(max_length=64)
    format_version = models.PositiveIntegerField(
        default=1, help_text="The report design the PDF was rendered in (bumped when the design changes)."
    )
    record = models.JSONField(help_text="The exact record this PDF renders.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=report_path, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    render_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="A worker is rendering it until then (renewed while it renders)."
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Renders started since it was last requested.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "content_hash", "format_version"], name="reports_file_unique_hash_format"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "ready", "failed"]), name="reports_file_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Report A-{self.assessment_id} {self.content_hash[:8]} ({self.status})"
