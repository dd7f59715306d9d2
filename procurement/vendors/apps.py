from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "procurement.vendors"
    label = "vendors"
    verbose_name = "Vendors and AI services"
