from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    """The top floor: pages that read vendors, assessments and reports together (and the board pack it renders)."""

    name = "procurement.portfolio"
    label = "portfolio"
    verbose_name = "AI portfolio"
