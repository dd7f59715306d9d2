"""List stored locations the geography taxonomy does not recognise; --convert first rewrites the
recognised ones as codes (as migration 0004 did)."""

from django.core.management.base import BaseCommand, CommandError

from procurement.core.models import Organisation
from procurement.vendors.supply import locations_convert, locations_unrecognised


class Command(BaseCommand):
    help = "List locations (required geography, provider country, link regions) the taxonomy does not recognise."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="organisation slug (default: every organisation)")
        parser.add_argument("--convert", action="store_true", help="rewrite recognised locations as codes first")

    def handle(self, *args, org=None, convert=False, **options):
        organisation = None
        if org:
            organisation = Organisation.objects.filter(slug=org).first()
            if organisation is None:
                raise CommandError(f"No organisation with slug {org!r}.")
        if convert:
            self.stdout.write(f"Converted {locations_convert(organisation=organisation)} row(s) to taxonomy codes.")
        found = locations_unrecognised(organisation)
        for item in found:
            self.stdout.write(f"{item.organisation} · {item.where}: {', '.join(item.unknown)} (stored: {item.value})")
        self.stdout.write(f"{len(found)} location(s) not recognised." if found else "Every location is recognised.")
