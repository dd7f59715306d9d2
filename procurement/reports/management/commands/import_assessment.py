from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from procurement.core.models import Organisation
from procurement.reports.imports import assessment_import


class Command(BaseCommand):
    help = "Load an exported JSON record (backup or migration) into an organisation; prints the new id."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", required=True, help="Slug of the organisation to load into.")

    def handle(self, *args, file: Path, org: str, **options):
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"No organisation {org!r}.")
        try:
            assessment = assessment_import(raw=file.read_bytes(), organisation=organisation)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(str(assessment.pk))
