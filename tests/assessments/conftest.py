import pytest

from procurement.assessments import services
from procurement.assessments.demo import profile_answers
from procurement.vendors.models import AIService, Vendor


@pytest.fixture
def service(org, personas):
    vendor = Vendor.objects.create(organisation=org, name="Frontier Lab", owner=personas["analyst"])
    return AIService.objects.create(
        vendor=vendor, name="Frontier API", model_name="fx-1", model_provider="Frontier Lab"
    )


@pytest.fixture
def other_service(other_org):
    vendor = Vendor.objects.create(organisation=other_org, name="Elsewhere AI")
    return AIService.objects.create(vendor=vendor, name="Elsewhere API")


@pytest.fixture
def assessment(service, shipped_version, personas):
    return services.assessment_create(
        service=service, bank=shipped_version.bank, by=personas["analyst"], reviewers=[personas["reviewer"]]
    )


@pytest.fixture
def complete_assessment(assessment, personas):
    services.answers_save(
        assessment=assessment,
        values=profile_answers("lab-api-leased-capacity"),
        by=personas["analyst"],
        base_revisions=None,
    )
    return assessment


@pytest.fixture
def in_review(complete_assessment, personas):
    services.assessment_submit(assessment=complete_assessment, by=personas["analyst"])
    services.assessment_start_review(assessment=complete_assessment, by=personas["reviewer"])
    complete_assessment.refresh_from_db()
    return complete_assessment


@pytest.fixture
def other_assessment(other_service, shipped_version):
    return services.assessment_create(service=other_service, bank=shipped_version.bank, by=None)
