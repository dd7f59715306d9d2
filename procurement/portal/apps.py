from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "procurement.portal"
    label = "portal"
    verbose_name = "Vendor portal"

    def ready(self) -> None:
        # Registers the builders of the portal's outbox mails (invitations, reminders).
        from procurement.portal import services  # noqa: F401
