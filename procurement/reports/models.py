from django.db import models

from procurement.assessments.models import Assessment


def report_path(instance: "ReportFile", filename: str) -> str:
    return f"reports/{instance.assessment.organisation_id}/{instance.assessment_id}/{instance.content_hash}.pdf"


class ReportFile(models.Model):
    """A rendered PDF, cached by the content hash of the record it was rendered from."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reports")
    content_hash = models.CharField(max_length=64)
    record = models.JSONField(help_text="The exact record this PDF renders.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=report_path, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    render_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "content_hash"], name="reports_file_unique_hash"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "ready", "failed"]), name="reports_file_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Report A-{self.assessment_id} {self.content_hash[:8]} ({self.status})"
