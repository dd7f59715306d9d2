import json

from django.core.management.base import BaseCommand, CommandError

from procurement.assessments.models import Assessment
from procurement.assessments.selectors import assessment_score
from procurement.scoring.explain import result_text


class Command(BaseCommand):
    help = "Print an assessment's score: sections, tier, residual, decision, knockouts, flags and overrides."

    def add_arguments(self, parser):
        parser.add_argument("id", type=int)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, id: int, json: bool, **options):
        assessment = Assessment.objects.select_related("bank_version__bank", "service__vendor").filter(pk=id).first()
        if assessment is None:
            raise CommandError(f"No assessment {id}.")
        if assessment.is_final:
            data = assessment.frozen_record["score"]
            if json:
                self.stdout.write(_dumps(data))
                return
            self.stdout.write(f"{assessment} — frozen record ({assessment.get_status_display()})")
            self.stdout.write(
                _dumps({k: data[k] for k in ("decision", "residual", "tier", "overall_risk", "control_band")})
            )
            return
        result = assessment_score(assessment)
        if json:
            self.stdout.write(_dumps(result.as_dict()))
        else:
            self.stdout.write(f"{assessment} — {assessment.bank_version}")
            self.stdout.write(result_text(result), ending="")


def _dumps(data) -> str:
    return json.dumps(data, indent=2, default=str)
