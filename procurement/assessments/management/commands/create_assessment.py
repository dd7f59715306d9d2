import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from procurement.assessments.selectors import bank_structure
from procurement.assessments.services import assessment_create
from procurement.assessments.services.review import latest_published
from procurement.questionbank.document import BankFileError, read_yaml
from procurement.questionbank.models import QuestionBank
from procurement.questionbank.values import check_limits, typed_value
from procurement.vendors.models import AIService


class Command(BaseCommand):
    help = "Create an assessment for a vendor service against a bank's latest published version; prints its id."

    def add_arguments(self, parser):
        parser.add_argument("--vendor", required=True)
        parser.add_argument("--service", required=True)
        parser.add_argument(
            "--bank", required=True, help="Bank slug (the organisation's own bank wins over a shipped one)."
        )
        parser.add_argument("--intake", type=Path, help="YAML or JSON mapping of intake question codes to answers.")
        parser.add_argument("--owner", help="Username of the owner.")

    def handle(self, *args, vendor, service, bank, intake, owner, **options):
        matches = AIService.objects.filter(vendor__name=vendor, name=service).select_related("vendor__organisation")
        if matches.count() != 1:
            raise CommandError(f"Expected one service {service!r} of vendor {vendor!r}; found {matches.count()}.")
        svc = matches.get()
        org = svc.vendor.organisation
        banks = QuestionBank.objects.filter(slug=bank, organisation=org) or QuestionBank.objects.filter(
            slug=bank, organisation__isnull=True
        )
        if not banks:
            raise CommandError(f"No bank {bank!r} for {org}.")
        user = None
        if owner:
            user = get_user_model().objects.filter(username=owner, memberships__organisation=org).first()
            if user is None:
                raise CommandError(f"No user {owner!r} in {org}.")
        answers = None
        if intake:
            try:
                data = read_yaml(intake.read_bytes(), source=str(intake), max_bytes=1024 * 1024)
            except (OSError, BankFileError) as exc:
                raise CommandError(str(exc)) from None
            if not isinstance(data, dict):
                raise CommandError(f"{intake}: expected a mapping of question codes to answers.")
            answers = {str(k): v for k, v in data.items()}
            answers = _typed_intake(answers, banks[0], intake)
        try:
            assessment = assessment_create(service=svc, bank=banks[0], by=user, owner=user, intake=answers)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(str(assessment.pk))


def _typed_intake(answers: dict, bank: QuestionBank, source: Path) -> dict:
    """Intake values typed by their question (YAML gives text) and checked against its limits."""
    try:
        index = bank_structure(latest_published(bank)).question_index
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from None
    problems, typed = [], {}
    today = dt.date.today()
    for code, value in answers.items():
        q = index.get(code)
        if q is None:
            problems.append(f"{source} ({code}): not a question of {bank.slug}")
            continue
        try:
            typed[code] = typed_value(q, value)
        except ValueError as exc:
            problems.append(f"{source} ({code}): {exc}")
            continue
        error = check_limits(q, typed[code], today).error
        if error:
            problems.append(f"{source}: {error}")
        if isinstance(typed[code], dt.date):
            typed[code] = typed[code].isoformat()
    if problems:
        raise CommandError("Nothing was created:\n" + "\n".join(f"  - {p}" for p in problems))
    return typed
