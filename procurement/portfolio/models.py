"""The rows this floor owns: the board pack's cached PDFs and the organisation's choices for what
happens after a decision (reassessment policies)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement.core.models import Organisation, TimeStampedModel


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


class ReassessmentTrigger(models.TextChoices):
    """What can call for a reassessment of a decided service."""

    REVIEW_DUE = "review_due", _("A review falls due")
    CHAIN = "chain", _("The supply chain or the model changes")
    EVIDENCE_EXPIRED = "evidence_expired", _("Supporting evidence expires")
    CONTRACT_RENEWAL = "contract_renewal", _("A contract renewal approaches")


class ReassessmentPolicy(TimeStampedModel):
    """Per organisation and trigger: start a reassessment on its own, or only tell the owner.
    No row means only tell (nothing starts unless the organisation chose so)."""

    class Action(models.TextChoices):
        START = "start", _("Start a reassessment")
        NOTIFY = "notify", _("Only notify")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="reassessment_policies")
    trigger = models.CharField(_("trigger"), max_length=24, choices=ReassessmentTrigger.choices)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices, default=Action.NOTIFY)

    class Meta:
        ordering = ["organisation", "trigger"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "trigger"], name="portfolio_policy_unique_trigger"),
            models.CheckConstraint(
                condition=models.Q(trigger__in=["review_due", "chain", "evidence_expired", "contract_renewal"]),
                name="portfolio_policy_trigger_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(action__in=["start", "notify"]), name="portfolio_policy_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_trigger_display()} → {self.get_action_display()}"
