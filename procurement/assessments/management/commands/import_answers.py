from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from procurement.assessments.answer_files import AnswerFileError, detect_format, parse_answers
from procurement.assessments.models import Assessment
from procurement.assessments.selectors import bank_structure
from procurement.assessments.services import answers_save


class Command(BaseCommand):
    help = (
        "Import answers (JSON, YAML or CSV keyed by question code). "
        "Everything is checked first; any problem writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("id", type=int)
        parser.add_argument("file", type=Path)

    def handle(self, *args, id: int, file: Path, **options):
        assessment = Assessment.objects.filter(pk=id).first()
        if assessment is None:
            raise CommandError(f"No assessment {id}.")
        warnings: list[str] = []
        try:
            fmt = detect_format(file.name)
            values = parse_answers(
                file.read_bytes(),
                fmt=fmt,
                source=str(file),
                questions=bank_structure(assessment.bank_version).question_index,
                warnings=warnings,
            )
            answers_save(
                assessment=assessment, values=values, by=None, by_label=f"import {file.name}", base_revisions=None
            )
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        except AnswerFileError as exc:
            lines = "\n".join(f"  - {p}" for p in exc.problems)
            raise CommandError(f"Nothing imported ({len(exc.problems)} problem(s)):\n{lines}") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Imported {len(values)} answer(s) into {assessment}.")
        for warning in warnings:
            self.stdout.write(f"Check: {warning}")
