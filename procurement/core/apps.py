from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "procurement.core"
    label = "core"
    verbose_name = "Organisations and access"

    def ready(self) -> None:
        # The sign-in signal (reauth), the builders of the notification and member-invitation mails, the
        # worker check.
        from procurement.core import members, mfa, notifications, reauth, workers  # noqa: F401


class ProcurementAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "procurement.core.admin_site.ProcurementAdminSite"
