"""manage.py import_vendors FILE --organisation SLUG [--dry-run]: the bulk import of the
vendors page, from the command line (same checks, all or nothing)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from procurement.core.models import Organisation
from procurement.core.tables import MAX_BYTES, TableError, table_read
from procurement.vendors.bulk import vendors_import


class Command(BaseCommand):
    help = "Import vendors, AI services and contacts from a CSV or XLSX file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organisation", required=True, help="the organisation's slug")
        parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {options['organisation']!r}.")
        path = Path(options["file"])
        try:
            raw = path.open("rb").read(MAX_BYTES + 1)
            rows = table_read(raw, filename=path.name)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        except TableError as exc:
            raise CommandError(f"{path}: {exc}") from None
        members = get_user_model().objects.filter(memberships__organisation=organisation)
        plan = vendors_import(organisation=organisation, rows=rows, members=members, commit=not options["dry_run"])
        if plan.problems:
            raise CommandError("Nothing was imported:\n" + "\n".join(plan.problems))
        for line in plan.created:
            self.stdout.write(f"create {line}")
        for line in plan.updated:
            self.stdout.write(f"update {line}")
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(
            f"{verb}: {len(plan.created)} created, {len(plan.updated)} updated, {plan.unchanged} unchanged."
        )
