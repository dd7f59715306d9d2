from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "procurement.core"
    label = "core"
    verbose_name = "Organisations and access"

    def ready(self) -> None:
        # The sign-in signal (reauth), and the builders of the notification mails.
        from procurement.core import notifications, reauth  # noqa: F401


class ProcurementAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "procurement.core.admin_site.ProcurementAdminSite"
