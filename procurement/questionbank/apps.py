from django.apps import AppConfig


class QuestionBankConfig(AppConfig):
    name = "procurement.questionbank"
    label = "questionbank"
    verbose_name = "Question banks"
