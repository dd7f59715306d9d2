from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "procurement.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        # A decided assessment's PDF is rendered as soon as the decision commits.
        from procurement.assessments.signals import assessment_changed, assessment_decided
        from procurement.reports.services import report_queue_decided, report_queue_draft

        assessment_decided.connect(report_queue_decided, dispatch_uid="reports.render_decided")
        # A draft's PDF is rendered ahead of the click too, once its record settles.
        assessment_changed.connect(report_queue_draft, dispatch_uid="reports.render_draft")
