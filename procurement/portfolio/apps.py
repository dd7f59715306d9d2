from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    """The top floor: pages that read vendors, assessments and reports together, and the
    reassessment settings (its only model)."""

    name = "procurement.portfolio"
    label = "portfolio"
    verbose_name = "AI portfolio"
