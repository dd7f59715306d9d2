"""manage.py import_model_notice FILE --organisation SLUG --vendor NAME [--dry-run]: a vendor's
model deprecation notice (CSV, XLSX or YAML), as on the vendor's notices page: the same checks,
all or nothing; each matching service gets the dates and is flagged."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procurement.core.models import Organisation
from procurement.portfolio.evidence_services import model_notices_import
from procurement.vendors.model_notices import MAX_BYTES


class Command(BaseCommand):
    help = "Import a vendor's model deprecation notice (CSV, XLSX or YAML; all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organisation", required=True, help="the organisation's slug")
        parser.add_argument("--vendor", required=True, help="the vendor's name")
        parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {options['organisation']!r}.")
        vendor = organisation.vendors.filter(name=options["vendor"]).first()
        if vendor is None:
            raise CommandError(f"No vendor named {options['vendor']!r} in {organisation.name}.")
        path = Path(options["file"])
        try:
            raw = path.open("rb").read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        if len(raw) > MAX_BYTES:
            raise CommandError(f"{path}: larger than {MAX_BYTES // 1024} KiB.")
        result = model_notices_import(
            vendor=vendor, raw=raw, filename=path.name, by=None, commit=not options["dry_run"]
        )
        if result.problems:
            raise CommandError("Nothing was imported:\n" + "\n".join(f"{path.name}: {p}" for p in result.problems))
        for line in result.changed:
            self.stdout.write(f"change {line}")
        verb = "Would change" if options["dry_run"] else "Changed and flagged"
        self.stdout.write(f"{verb}: {len(result.changed)} service(s).")
