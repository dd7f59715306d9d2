from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from procurement.core.sso import sso_identity_link


class Command(BaseCommand):
    help = (
        "Link an existing account to a person at the single sign-on provider (its subject), so their "
        "sign-ins land in that account instead of making a new one. Written to the organisation's log."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the existing account's username on this site")
        parser.add_argument("subject", help="the person's subject (the sub claim) at the provider")
        parser.add_argument("--issuer", default="", help="the provider's issuer (default: OIDC_ISSUER)")
        parser.add_argument(
            "--move",
            action="store_true",
            help="the subject already signed in and got a new account: move it here and deactivate that account",
        )

    def handle(self, *args, username, subject, issuer, move, **options):
        try:
            self.stdout.write(sso_identity_link(username=username, subject=subject, issuer_url=issuer, move=move))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
