import pytest

from procurement.assessments import services
from procurement.assessments.demo import profile_answers
from procurement.vendors.models import AIService, Vendor


@pytest.fixture
def decided(org, personas, shipped_version):
    """The thin-SaaS profile, reviewed with an override, a finding and a comment, then rejected."""
    vendor = Vendor.objects.create(organisation=org, name="ClaimsBot Ltd")
    service = AIService.objects.create(vendor=vendor, name="ClaimsBot SaaS")
    a = services.assessment_create(service=service, bank=shipped_version.bank, by=personas["analyst"])
    services.answers_save(
        assessment=a, values=profile_answers("thin-saas-reseller"), by=personas["analyst"], base_revisions=None
    )
    services.assessment_submit(assessment=a, by=personas["analyst"])
    services.assessment_start_review(assessment=a, by=personas["reviewer"])
    services.override_set(
        assessment=a, question_code="SUP-03", points=2, reason="Two regions of one cloud", by=personas["reviewer"]
    )
    services.finding_add(
        assessment=a,
        kind="condition",
        text="Disclose the model",
        owner="Vendor",
        due_date=None,
        by=personas["reviewer"],
    )
    services.comment_add(assessment=a, question_code="MOD-09", body="Asked twice; no answer", by=personas["reviewer"])
    return services.assessment_decide(assessment=a, by=personas["reviewer"], approve=False, note="Three knockouts")
