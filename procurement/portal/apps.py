from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "procurement.portal"
    label = "portal"
    verbose_name = "Vendor portal"
