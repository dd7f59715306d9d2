from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    """The top floor: pages that read vendors, assessments and reports together, the board pack
    it renders, and the reassessment settings."""

    name = "procurement.portfolio"
    label = "portfolio"
    verbose_name = "AI portfolio"
