from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "procurement.reports"
    label = "reports"
    verbose_name = "Reports"
