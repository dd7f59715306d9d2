from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procurement.assessments.answer_files import AnswerFileError, detect_format, dump_answers
from procurement.assessments.models import Assessment
from procurement.assessments.records import stored_answer
from procurement.assessments.selectors import bank_structure


class Command(BaseCommand):
    help = "Write an assessment's answers as JSON (default), YAML or CSV (by the -o file's extension)."

    def add_arguments(self, parser):
        parser.add_argument("id", type=int)
        parser.add_argument("-o", "--output", type=Path)

    def handle(self, *args, id: int, output: Path | None, **options):
        assessment = Assessment.objects.filter(pk=id).first()
        if assessment is None:
            raise CommandError(f"No assessment {id}.")
        try:
            fmt = detect_format(output.name) if output else "json"
        except AnswerFileError as exc:
            raise CommandError(str(exc)) from None
        answers = {a.question_code: stored_answer(a) for a in assessment.answers.all()}
        text = dump_answers(answers, fmt=fmt, questions=bank_structure(assessment.bank_version).question_index)
        if output:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {len(answers)} answer(s) to {output}")
        else:
            self.stdout.write(text, ending="")
