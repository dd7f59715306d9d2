from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "procurement.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from procurement.assessments import checks  # noqa: F401  (registers the stored-text check)
