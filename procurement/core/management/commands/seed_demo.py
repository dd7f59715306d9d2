from django.core.management.base import BaseCommand

from procurement.core.services import DEMO_ORG, demo_seed


class Command(BaseCommand):
    help = "Create the demo organisation with one user per role (idempotent) and print the logins."

    def handle(self, *args, **options):
        logins = demo_seed()
        from procurement.assessments.demo import demo_assessments_seed
        from procurement.core.models import Organisation

        created = demo_assessments_seed(Organisation.objects.get(slug=DEMO_ORG[1]))
        if created:
            self.stdout.write(f"Created {created} demo assessments (one per workflow state).")
        self.stdout.write(f"Demo organisation: {DEMO_ORG[0]}")
        self.stdout.write(f"  {'username':<10} {'password':<16} role")
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {login.password:<16} {login.role}")
