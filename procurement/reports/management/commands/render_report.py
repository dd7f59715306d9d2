from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procurement.assessments.models import Assessment
from procurement.assessments.records import assessment_record
from procurement.reports.services import STATUS_LABELS, report_pdf


class Command(BaseCommand):
    help = "Render an assessment's PDF report (any state) to a file."

    def add_arguments(self, parser):
        parser.add_argument("id", type=int)
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args, id: int, output: Path, **options):
        assessment = Assessment.objects.filter(pk=id).first()
        if assessment is None:
            raise CommandError(f"No assessment {id}.")
        record = assessment_record(assessment)
        data, pages = report_pdf(
            record,
            status_label=STATUS_LABELS.get(assessment.status, ""),
            unverified_import=assessment.is_unverified_import,
        )
        output.write_bytes(data)
        self.stdout.write(f"Wrote {output} ({pages} pages, {len(data) // 1024} KiB)")
