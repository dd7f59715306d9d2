import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procurement.questionbank.document import BankFileError
from procurement.questionbank.models import BankVersion
from procurement.questionbank.scoring_input import read_answer_file
from procurement.questionbank.services import version_to_document
from procurement.scoring.engine import score
from procurement.scoring.explain import result_text


class Command(BaseCommand):
    help = "Score an answer file (e.g. fixtures/profiles/*.yaml) against a loaded bank version."

    def create_parser(self, prog_name, subcommand, **kwargs):
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("answers", type=Path)
        parser.add_argument("--bank", default="ai-vendor-due-diligence", help="Slug of a shipped bank.")
        parser.add_argument("--version", dest="number", type=int, help="Version number (default: latest published).")
        parser.add_argument("--json", action="store_true", help="Print the whole result as JSON.")

    def handle(self, *args, answers: Path, bank: str, number: int | None, json: bool, **options):
        versions = BankVersion.objects.filter(bank__slug=bank, bank__organisation__isnull=True).exclude(status="draft")
        version = versions.filter(number=number).first() if number else versions.order_by("-number").first()
        if version is None:
            raise CommandError(f"No published version of bank {bank!r}; run load_bank first.")
        try:
            inp, warnings = read_answer_file(version_to_document(version), answers.read_bytes(), source=str(answers))
        except OSError as exc:
            raise CommandError(f"Cannot read {answers}: {exc.strerror}") from None
        except (BankFileError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        for warning in warnings:
            self.stderr.write(f"Check: {warning}")
        result = score(inp)
        if json:
            self.stdout.write(_json_dumps(result.as_dict()))
        else:
            self.stdout.write(f"{version} — {answers.name}\n")
            self.stdout.write(result_text(result), ending="")


def _json_dumps(data) -> str:
    return json.dumps(data, indent=2, default=str)
