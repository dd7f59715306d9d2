from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "procurement.assessments"
    label = "assessments"
    verbose_name = "Assessments"
