from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procurement.core.models import Organisation
from procurement.questionbank.models import BankVersion, QuestionBank
from procurement.questionbank.services import bank_export


class Command(BaseCommand):
    help = "Write a bank version (default: the latest published) as YAML, to stdout or -o PATH."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version N selects a bank version; it replaces Django's own --version flag.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--version", dest="number", type=int, help="Version number (default: latest published).")
        parser.add_argument("--org", help="Slug of the owning organisation (default: a shipped bank).")
        parser.add_argument("-o", "--output", type=Path, help="File to write (default: stdout).")

    def handle(self, *args, slug: str, number: int | None, org: str | None, output: Path | None, **options):
        banks = QuestionBank.objects.filter(slug=slug)
        banks = banks.filter(organisation__slug=org) if org else banks.filter(organisation__isnull=True)
        bank = banks.first()
        if bank is None:
            owner = f"organisation {org!r}" if org else "the shipped banks"
            known = ", ".join(
                QuestionBank.objects.filter(
                    organisation=Organisation.objects.filter(slug=org).first() if org else None
                ).values_list("slug", flat=True)
            )
            raise CommandError(f"No bank {slug!r} among {owner}. Known: {known or 'none'}.")
        try:
            text = bank_export(bank=bank, number=number)
        except BankVersion.DoesNotExist:
            which = f"version {number}" if number else "a published version"
            raise CommandError(f"{slug} has no {which}.") from None
        if output:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {output}")
        else:
            self.stdout.write(text, ending="")
