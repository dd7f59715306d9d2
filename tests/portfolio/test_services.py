"""The reassessment trigger: a chain edit flags the current assessment of every service it reaches."""

import pytest
from django.core.exceptions import ValidationError

from procurement.assessments.models import Assessment
from procurement.portfolio.services import link_change, link_remove, provider_change
from procurement.vendors.models import Provider, SupplyLink

pytestmark = pytest.mark.django_db


def _link(org, **kw):
    return link_change(link=SupplyLink(**kw), organisation=org)


def test_a_new_provider_marks_the_current_assessment_for_reassessment(org, providers, service, assessment):
    _link(org, service=service, provider=providers["lab"], role="model_provider")
    assessment.refresh_from_db()
    assert "New provider in the supply chain: Frontier API → Frontier Lab" in assessment.reassess_reason
    assert assessment.reassess_since is not None
    assert assessment.timeline.filter(kind="reassessment needed").count() == 1


def test_a_shorter_notice_upstream_marks_every_service_that_reaches_it(org, providers, service, assessment):
    p = providers
    _link(org, service=service, provider=p["lab"], role="model_provider")
    lease = _link(org, from_provider=p["lab"], provider=p["rival"], role="inference_compute", notice_days=180)
    assessment.reassess_reason = ""
    assessment.save()
    lease.notice_days = 200  # longer: no reassessment
    link_change(link=lease, organisation=org)
    assessment.refresh_from_db()
    assert assessment.reassess_reason == ""
    lease.notice_days = 90
    link_change(link=lease, organisation=org)
    assessment.refresh_from_db()
    assert "Shorter notice: Frontier Lab → Rival DC now 90 days (was 200)" in assessment.reassess_reason


def test_removing_a_provider_marks_the_assessment_and_a_decided_record_stays_frozen(org, providers, service, decided):
    link = _link(org, service=decided.service, provider=providers["cloud"], role="inference_compute")
    decided.refresh_from_db()
    record, digest = decided.frozen_record, decided.frozen_hash
    link_remove(link=link)
    decided.refresh_from_db()
    assert "Provider removed from the supply chain: ClaimsBot SaaS → Hyperscale Cloud" in decided.reassess_reason
    assert decided.frozen_record == record and decided.frozen_hash == digest


def test_a_chain_edit_refreshes_the_recommendation_of_open_assessments(org, providers, service, assessment):
    Assessment.objects.filter(pk=assessment.pk).update(recommended_at=None)
    _link(org, service=service, provider=providers["lab"], role="model_provider")
    assessment.refresh_from_db()
    assert assessment.recommended_at is not None


def test_a_service_without_assessments_is_simply_linked(org, providers, service):
    _link(org, service=service, provider=providers["lab"], role="model_provider")
    assert SupplyLink.objects.count() == 1


def test_renaming_a_provider_marks_nothing_and_a_new_owner_marks_every_service_reaching_it(
    org, providers, service, assessment
):
    p = providers
    _link(org, service=service, provider=p["lab"], role="model_provider")
    _link(org, from_provider=p["lab"], provider=p["rival"], role="inference_compute")
    assessment.reassess_reason = ""
    assessment.save()
    p["rival"].name = "Rival AI Ohio"
    provider_change(provider=p["rival"], organisation=org)
    assessment.refresh_from_db()
    assert assessment.reassess_reason == "" and Provider.objects.get(pk=p["rival"].pk).name == "Rival AI Ohio"
    p["rival"].owner = "Hyperscale Inc"  # now grouped with the cloud for concentration
    provider_change(provider=p["rival"], organisation=org)
    assessment.refresh_from_db()
    assert "Provider details changed: Rival AI Ohio (owner was Rival AI)." in assessment.reassess_reason


def test_a_provider_of_another_organisation_is_not_updated(org, other_org, providers):
    providers["lab"].name = "Taken over"
    with pytest.raises(ValidationError):
        provider_change(provider=providers["lab"], organisation=other_org)
    assert Provider.objects.get(pk=providers["lab"].pk).name == "Frontier Lab"
