from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from procurement.core.models import Organisation
from procurement.reports.imports import assessment_import


class Command(BaseCommand):
    help = (
        "Load an exported JSON record (backup or migration) into an organisation; prints the new id. "
        "The record's signature must verify with this installation's RECORD_SIGNING_KEY, or with --key "
        "for a record exported by another installation; --trust loads an unverified record, marked as such."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", required=True, help="Slug of the organisation to load into.")
        keys = parser.add_mutually_exclusive_group()
        keys.add_argument("--key", help="The exporting installation's record-signing key.")
        keys.add_argument("--key-file", type=Path, help="A file holding that key (keeps it out of the shell history).")
        parser.add_argument(
            "--trust",
            action="store_true",
            help="Load the record even if its signature is missing or does not verify; the assessment is "
            "then marked “Imported without a verified signature”.",
        )

    def handle(self, *args, file: Path, org: str, key: str | None, key_file: Path | None, trust: bool, **options):
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"No organisation {org!r}.")
        try:
            if key_file is not None:
                key = key_file.read_text().strip()
            result = assessment_import(raw=file.read_bytes(), organisation=organisation, key=key, trust=trust)
        except OSError as exc:
            raise CommandError(f"Cannot read {exc.filename}: {exc.strerror}") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if not result.verified:
            self.stderr.write(
                f"Warning: the signature did not verify ({result.verdict.value}); "
                f"A-{result.assessment.pk} is marked “Imported without a verified signature”."
            )
        if result.bank_created is not None:
            self.stderr.write(
                f"The record's question bank matches no version here; loaded it as the separate, retired "
                f"bank {result.bank_created.slug!r}."
            )
        self.stdout.write(str(result.assessment.pk))
