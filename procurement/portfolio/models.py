"""The organisation's choices for what happens after a decision (the only rows this floor owns)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement.core.models import Organisation, TimeStampedModel


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
