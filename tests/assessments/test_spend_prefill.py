"""Service spend is asked once: INT-08 is pre-filled from the service's annual spend, converted to
the bucket's currency with the organisation's rates, when an assessment is created."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.assessments import services
from procurement.assessments.models import Answer, TimelineEvent
from procurement.assessments.services.review import FROM_SERVICE_RECORD
from procurement.core.services import currency_rate_set
from procurement.vendors.models import AIService

pytestmark = pytest.mark.django_db


def _create(service, shipped_version, personas, **kw):
    return services.assessment_create(service=service, bank=shipped_version.bank, by=personas["analyst"], **kw)


def _spend(service, amount, currency):
    AIService.objects.filter(pk=service.pk).update(annual_spend=Decimal(amount), currency=currency)
    service.refresh_from_db()


@pytest.mark.parametrize(
    ("amount", "choice"),
    [("99999.99", "under_100k"), ("100000", "100k_1m"), ("4999999", "1m_5m"), ("5000000", "over_5m")],
)
def test_int08_is_prefilled_from_a_spend_in_the_buckets_currency(service, shipped_version, personas, amount, choice):
    _spend(service, amount, "EUR")
    a = _create(service, shipped_version, personas)
    answer = Answer.objects.get(assessment=a, question_code="INT-08")
    assert answer.value == choice and answer.updated_by_label == FROM_SERVICE_RECORD
    assert not Answer.objects.filter(assessment=a, question_code="INT-09").exists()  # still a question
    note = TimelineEvent.objects.get(assessment=a, kind="prefill").note
    assert note.startswith("INT-08 pre-filled from the service record: EUR ")
    assert a.status == "draft"  # nobody has started on it yet


def test_int08_converts_another_currency_with_the_organisations_rates(service, shipped_version, personas, org):
    _spend(service, "1200000", "USD")
    currency_rate_set(organisation=org, currency="USD", rate=Decimal("0.8"), as_of=dt.date(2026, 11, 1))
    a = _create(service, shipped_version, personas)
    assert Answer.objects.get(assessment=a, question_code="INT-08").value == "100k_1m"  # EUR 960,000
    note = TimelineEvent.objects.get(assessment=a, kind="prefill").note
    assert "USD 1,200,000 ≈ EUR 960,000" in note


def test_without_a_rate_int08_stays_a_question_and_the_timeline_says_why(service, shipped_version, personas):
    _spend(service, "1200000", "USD")
    a = _create(service, shipped_version, personas)
    assert not Answer.objects.filter(assessment=a, question_code="INT-08").exists()
    note = TimelineEvent.objects.get(assessment=a, kind="prefill").note
    assert note == "INT-08 not pre-filled: no rate set for USD (annual spend USD 1,200,000)."


def test_no_spend_means_no_prefill(assessment):
    assert not assessment.answers.filter(question_code="INT-08").exists()
    assert not assessment.timeline.filter(kind="prefill").exists()


def test_an_intake_answer_given_at_creation_wins_over_the_service_record(service, shipped_version, personas):
    _spend(service, "50000", "EUR")
    a = _create(service, shipped_version, personas, intake={"INT-08": "over_5m"})
    answer = Answer.objects.get(assessment=a, question_code="INT-08")
    assert answer.value == "over_5m" and answer.updated_by_label != FROM_SERVICE_RECORD


def test_the_intake_form_says_the_answer_came_from_the_service_record_until_someone_changes_it(
    login, service, shipped_version, personas
):
    _spend(service, "250000", "EUR")
    a = _create(service, shipped_version, personas)
    client = login(personas["analyst"])
    page = client.get(reverse("assessments:section", args=[a.pk, "INT"])).content.decode()
    block = page.split('id="q-INT-08"')[1].split('id="q-INT-09"')[0]
    assert 'value="100k_1m"\n          checked' in block or 'value="100k_1m" checked' in " ".join(block.split())
    assert 'id="source-INT-08"' in block and "Pre-filled from the service record" in " ".join(block.split())
    services.answers_save(
        assessment=a,
        values={"INT-08": services.AnswerInput(value="1m_5m")},
        by=personas["analyst"],
        base_revisions=None,
    )
    page = client.get(reverse("assessments:section", args=[a.pk, "INT"])).content.decode()
    assert 'id="source-INT-08"' not in page


def test_a_missing_rate_is_noted_even_when_other_intake_answers_are_given(service, shipped_version, personas):
    _spend(service, "10", "JPY")
    a = _create(service, shipped_version, personas, intake={"INT-01": "productivity"})
    assert a.timeline.get(kind="prefill").note.startswith("INT-08 not pre-filled: no rate set for JPY")
