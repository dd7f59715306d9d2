from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "procurement.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        # A decided assessment's PDF is rendered as soon as the decision commits.
        from procurement.assessments.signals import assessment_decided
        from procurement.reports.services import report_queue_decided

        assessment_decided.connect(report_queue_decided, dispatch_uid="reports.render_decided")
