from django.db import models

from procurement.core.models import Organisation


def board_pack_path(instance: "BoardPack", filename: str) -> str:
    return f"board-packs/{instance.organisation_id}/{instance.inputs_hash}-v{instance.format_version}.pdf"


class BoardPack(models.Model):
    """The portfolio board pack as a PDF, cached by the digest of everything it shows
    (``inputs``, gathered once when it was asked for) and the pack's format
    (``portfolio.board_pack.BOARD_PACK_FORMAT``). Any change to the portfolio changes the
    digest, so a stale pack is never served; the same inputs are never rendered twice.

    Rendered by the task worker under a lease (``claimed_until``), as reports are.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="board_packs")
    inputs_hash = models.CharField(max_length=64)
    format_version = models.PositiveIntegerField(default=1)
    inputs = models.JSONField(help_text="Every figure the pack shows, as gathered when it was asked for.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=board_pack_path, blank=True)
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
                fields=["organisation", "inputs_hash", "format_version"], name="portfolio_pack_unique_inputs_format"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "ready", "failed"]), name="portfolio_pack_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Board pack {self.organisation_id} {self.inputs_hash[:8]} ({self.status})"
