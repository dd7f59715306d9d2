"""Supply chains in the database: links, cycles, facts fed to scoring (the reassessment trigger:
tests/portfolio/test_services.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from procurement.assessments.records import record_build
from procurement.assessments.selectors import assessment_score, scoring_input, supply_chain_snapshot
from procurement.assessments.services import AnswerInput, answers_save
from procurement.vendors.models import AIService, Provider, SupplyLink, Vendor
from procurement.vendors.supply import link_delete, link_save, org_chains, provider_delete

pytestmark = pytest.mark.django_db


def _link(org, **kw):
    return link_save(link=SupplyLink(**kw), organisation=org)


def test_a_loop_between_providers_is_refused_with_the_path(org, providers, service):
    p = providers
    _link(org, service=service, provider=p["lab"], role="model_provider")
    _link(org, from_provider=p["lab"], provider=p["neo"], role="inference_compute")
    _link(org, from_provider=p["neo"], provider=p["cloud"], role="inference_compute")
    with pytest.raises(ValidationError, match="loop: Frontier Lab → Neo GPU → Hyperscale Cloud → Frontier Lab"):
        _link(org, from_provider=p["cloud"], provider=p["lab"], role="inference_compute")
    assert SupplyLink.objects.count() == 3


def test_a_provider_cannot_supply_itself(providers):
    with pytest.raises(IntegrityError):
        SupplyLink.objects.create(from_provider=providers["lab"], provider=providers["lab"], role="storage")


def test_a_link_has_exactly_one_source(providers, service):
    with pytest.raises(IntegrityError):
        SupplyLink.objects.create(
            service=service, from_provider=providers["lab"], provider=providers["neo"], role="storage"
        )


@pytest.mark.parametrize("field,value,message", [("share", 101, "100"), ("share", -1, "0"), ("role", "magic", "valid")])
def test_bad_link_values_get_a_field_message(org, providers, service, field, value, message):
    with pytest.raises(ValidationError) as exc:
        _link(org, service=service, provider=providers["cloud"], **{"role": "inference_compute", field: value})
    assert field in exc.value.message_dict and message in " ".join(exc.value.message_dict[field])
    assert not SupplyLink.objects.exists()


def test_another_organisations_provider_is_refused(org, other_org, service):
    theirs = Provider.objects.create(organisation=other_org, name="Theirs")
    with pytest.raises(ValidationError, match="Unknown provider"):
        _link(org, service=service, provider=theirs, role="inference_compute")


def test_org_chains_follow_deeper_tiers_and_stay_in_the_organisation(org, other_org, providers, service):
    p = providers
    _link(org, service=service, provider=p["lab"], role="model_provider", share=100)
    _link(org, from_provider=p["lab"], provider=p["rival"], role="inference_compute", share=40, arrangement="lease")
    theirs = Provider.objects.create(organisation=other_org, name="Elsewhere")
    other_service = AIService.objects.create(vendor=Vendor.objects.create(organisation=other_org, name="V"), name="S")
    _link(other_org, service=other_service, provider=theirs, role="inference_compute")
    chains = org_chains(org)
    assert {lk.provider.name for lk in chains.links_for(service.pk)} == {"Frontier Lab", "Rival DC"}
    assert "Elsewhere" not in {p.name for p in chains.providers.values()}
    assert chains.links_for(other_service.pk) == []


def test_a_link_saved_here_writes_the_link_only(org, providers, service, assessment):
    _link(org, service=service, provider=providers["lab"], role="model_provider")
    assessment.refresh_from_db()
    assert assessment.reassess_reason == "" and not assessment.timeline.filter(kind="reassessment needed").exists()


def test_a_provider_in_a_chain_is_not_deleted_until_its_links_go(org, providers, service):
    p = providers
    link = _link(org, service=service, provider=p["lab"], role="model_provider")
    _link(org, from_provider=p["lab"], provider=p["rival"], role="inference_compute")
    with pytest.raises(ValidationError, match="Frontier Lab is still in the supply chain: Frontier API → Frontier Lab"):
        provider_delete(provider=p["lab"])
    link_delete(link=link)
    provider_delete(provider=p["lab"])
    assert not Provider.objects.filter(pk=p["lab"].pk).exists()
    assert not SupplyLink.objects.exists()  # its own upstream link went with it
    assert Provider.objects.filter(pk=p["rival"].pk).exists()


# --- Facts into scoring ------------------------------------------------------------------


def test_the_recorded_chain_feeds_the_rules(org, providers, service, complete_assessment):
    p = providers
    assert scoring_input(complete_assessment).facts == {}
    _link(org, service=service, provider=p["lab"], role="model_provider", share=100, notice_days=365, pass_through=True)
    _link(org, from_provider=p["lab"], provider=p["cloud"], role="inference_compute", share=60, notice_days=730)
    _link(
        org,
        from_provider=p["lab"],
        provider=p["rival"],
        role="inference_compute",
        share=40,
        arrangement="lease",
        competitor=True,
        notice_days=30,
    )
    facts = scoring_input(complete_assessment).facts
    assert facts["upstream_notice_days"] == 30 and facts["competitor_or_leased_share"] == 40
    result = assessment_score(complete_assessment)
    hit = next(h for h in result.knockouts + result.flags if h.name == "notice_gap")
    assert hit.compared["reliable_notice_days"] == 30


def test_a_committed_notice_of_upstream_changes_gives_the_facts_and_the_rule_one_figure(
    org, providers, service, complete_assessment, personas
):
    """Upstream can reclaim on 30 days, but the vendor commits to 60 days' notice of upstream
    changes (CON-03): the fact table and the notice-gap flag both say 60, not 30 and 60."""
    p = providers
    _link(org, service=service, provider=p["lab"], role="model_provider", share=100, notice_days=365)
    _link(org, from_provider=p["lab"], provider=p["rival"], role="inference_compute", share=100, notice_days=30)
    answers_save(
        assessment=complete_assessment, values={"CON-03": AnswerInput(60)}, by=personas["analyst"], base_revisions=None
    )

    facts = supply_chain_snapshot(complete_assessment)["facts"]
    result = assessment_score(complete_assessment)
    hit = next(h for h in result.knockouts + result.flags if h.name == "notice_gap")

    assert facts["upstream_notice_days"] == 30  # still shown, beside the commitment
    assert facts["effective_notice_days"] == hit.compared["reliable_notice_days"] == 60
    assert facts["notice_gap_days"] == hit.compared["gap_days"] == 120


def test_the_frozen_record_keeps_the_chain_and_its_facts(org, providers, service, complete_assessment, personas):
    _link(
        org, service=service, provider=providers["cloud"], role="inference_compute", notice_days=365, regions="eu-west"
    )
    record = record_build(complete_assessment)
    chain = record["supply_chain"]
    assert chain["links"][0]["notice_days"] == 365 and chain["links"][0]["regions"] == ["eu-west"]
    assert chain["facts"]["upstream_notice_days"] == 365
    assert chain["providers"][str(providers["cloud"].pk)]["name"] == "Hyperscale Cloud"
