from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procurement.core.models import Organisation
from procurement.questionbank.document import BankFileError
from procurement.questionbank.services import bank_load


class Command(BaseCommand):
    help = (
        "Load a question-bank YAML file. The same content again changes nothing; "
        "changed content becomes the next published version (or a draft with --draft)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            type=Path,
            nargs="+",
            help="One or more files, loaded in order (a shipped bank's history first, then the current file).",
        )
        parser.add_argument("--org", help="Slug of the organisation that owns the bank (default: a shipped bank).")
        parser.add_argument(
            "--draft", action="store_true", help="Keep a new version as a draft instead of publishing it."
        )

    def handle(self, *args, path: list[Path], org: str | None, draft: bool, **options):
        organisation = None
        if org:
            organisation = Organisation.objects.filter(slug=org).first()
            if organisation is None:
                raise CommandError(f"No organisation with slug {org!r}.")
        for one in path:
            try:
                raw = one.read_bytes()
            except OSError as exc:
                raise CommandError(f"Cannot read {one}: {exc.strerror}") from None
            try:
                result = bank_load(raw=raw, source=str(one), organisation=organisation, publish=not draft)
            except BankFileError as exc:
                lines = "\n".join(f"  - {p}" for p in exc.problems)
                raise CommandError(
                    f"{one} was not loaded ({len(exc.problems)} problem(s)); nothing was written:\n{lines}"
                ) from None
            self.stdout.write(result.message)
