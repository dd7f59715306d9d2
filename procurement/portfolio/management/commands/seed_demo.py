from django.conf import settings
from django.core.management.base import BaseCommand

from procurement.assessments.demo import demo_assessments_seed
from procurement.assessments.models import Assessment
from procurement.core.models import Organisation
from procurement.core.services import DEMO_ORG, demo_seed
from procurement.portal import services as portal_services
from procurement.portal.models import Invitation
from procurement.vendors.demo import demo_contract_seed, demo_evidence_seed, demo_supply_chain_seed


class Command(BaseCommand):
    help = "Create the demo organisation with one user per role (idempotent) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--site-url", default=settings.SITE_URL, help="Base URL for the demo vendor link.")

    def handle(self, *args, site_url, **options):
        logins = demo_seed()
        org = Organisation.objects.get(slug=DEMO_ORG[1])
        created = demo_assessments_seed(org)
        if links := demo_supply_chain_seed(org):
            self.stdout.write(f"Recorded {links} supply-chain links (open /portfolio/ for the shared dependencies).")
        if demo_contract_seed(org):
            self.stdout.write("Recorded the Helpdesk Copilot contract (its last day to give notice is in 20 days).")
        if documents := demo_evidence_seed(org):
            self.stdout.write(
                f"Recorded {documents} documents in the evidence register (a SOC 2 report expires in 18 days) and"
                " the retirement of Frontier API's model in 75 days: see the home page and /portfolio/calendar/."
            )
        if created:
            self.stdout.write(f"Created {created} demo assessments (one per workflow state).")
            draft = Assessment.objects.filter(organisation=org, status=Assessment.Status.DRAFT).first()
            if draft is not None:
                portal_services.invite(
                    assessment=draft,
                    contacts=list(draft.service.vendor.contacts.all()[:1]),
                    by=draft.owner,
                    base_url=site_url,
                    message="Demo invitation.",
                )
        self.stdout.write(f"Demo organisation: {DEMO_ORG[0]}")
        self.stdout.write(f"  {'username':<10} {'password':<16} role")
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {login.password:<16} {login.role}")
        invitation = Invitation.objects.filter(assessment__organisation=org, revoked_at__isnull=True).first()
        if invitation is not None:
            link = portal_services.invitation_link(invitation, base_url=site_url)
            state = "" if invitation.is_usable else " (expired: invite again from the assessment page)"
            self.stdout.write(f"Vendor portal, no account needed (the draft assessment): {link}{state}")
