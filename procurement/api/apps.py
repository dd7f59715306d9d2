from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "procurement.api"
    label = "api"
    verbose_name = "REST API"
