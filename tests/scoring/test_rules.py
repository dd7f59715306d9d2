"""Each named rule of the shipped bank: one case that fires, one that stays quiet.

The base is the hyperscaler profile (no rule fires); each test changes only
the answers the rule reads. No database.
"""

import pytest

from procurement.scoring.engine import score
from tests.scoring.helpers import profile, with_answers

BASE = profile("hyperscaler-pinned-region")
TIER_1 = {"INT_01": "customer_or_regulated"}


def fired(inp, name):
    result = score(inp)
    return next((h for h in result.knockouts + result.flags if h.name == name), None)


def test_base_profile_fires_nothing():
    result = score(BASE)
    assert result.knockouts == () and result.flags == () and result.pending_rules == ()


def test_notice_gap_fires_when_reliable_notice_is_shorter_than_migration():
    hit = fired(with_answers(BASE, INT_06=400, RES_06="none", **TIER_1), "notice_gap")
    assert hit.severity == "knockout"
    assert hit.compared["reliable_notice_days"] == 180 and hit.compared["migrate_days"] == 400
    assert hit.inputs == {"INT-06": 400, "CON-01": 365, "SUP-05": 730, "CON-03": 180, "RES-06": "none"}


def test_notice_gap_quiet_when_notice_covers_migration():
    assert fired(with_answers(BASE, INT_06=120, RES_06="none", **TIER_1), "notice_gap") is None


def test_notice_gap_uses_upstream_notice_without_a_pass_through_commitment():
    inp = with_answers(BASE, INT_06=120, RES_06="none", CON_03=0, SUP_05=90, **TIER_1)
    hit = fired(inp, "notice_gap")
    assert hit.compared["reliable_notice_days"] == 90
    assert hit.reasons[0] == (
        "We can rely on 90 days' notice at most: the shortest notice a material upstream provider can give"
        " (SUP-05). We need 120 days to move this use to another provider (INT-06), a gap of 30 days."
    )
    assert "so the upstream notice applies" in hit.reasons[1]


def test_notice_gap_pass_through_commitment_replaces_upstream_notice():
    inp = with_answers(BASE, INT_06=120, RES_06="none", CON_03=150, SUP_05=90, **TIER_1)
    assert fired(inp, "notice_gap") is None


def test_notice_gap_with_an_alternative_channel_is_a_mitigated_flag():
    hit = fired(with_answers(BASE, INT_06=400, RES_06="open_weights", **TIER_1), "notice_gap")
    assert hit.severity == "flag" and "mitigated" in hit.title


def test_notice_gap_in_tier_three_is_a_flag():
    low = with_answers(BASE, INT_06=400, RES_06="none", INT_07=["none"], INT_02="public")
    assert score(low).tier == 3
    assert fired(low, "notice_gap").severity == "flag"


def test_upstream_notice_flag_for_leased_capacity_on_90_days():
    """The notice is compared with our own days to migrate (INT-06 = 180 here), no longer a fixed 180."""
    hit = fired(with_answers(BASE, LOC_04=["hyperscaler", "leased_colo"], SUP_05=90, INT_06=180), "upstream_notice")
    assert hit.severity == "flag"
    assert (
        "The shortest upstream notice is 90 days (SUP-05), shorter than the 180 days we need to move (INT-06)."
        in hit.reasons
    )


def test_upstream_notice_quiet_with_long_notice_or_no_leased_capacity():
    assert fired(with_answers(BASE, LOC_04=["leased_colo"], SUP_05=365), "upstream_notice") is None
    assert fired(with_answers(BASE, LOC_04=["hyperscaler"], SUP_05=90), "upstream_notice") is None


def test_residency_fires_when_overflow_can_leave_a_mandatory_geography():
    hit = fired(with_answers(BASE, LOC_03="any_region"), "residency")
    assert hit.severity == "knockout" and any(
        r.startswith("The answer to “When local capacity runs out") and r.endswith(" is “Yes, to any region” (LOC-03).")
        for r in hit.reasons
    )


def test_residency_quiet_when_geography_is_only_preferred():
    assert fired(with_answers(BASE, LOC_03="any_region", INT_09="preferred"), "residency") is None


def test_undisclosed_chain_fires_for_an_undisclosed_model():
    assert fired(with_answers(BASE, MOD_09="undisclosed"), "undisclosed_chain").severity == "knockout"


def test_undisclosed_chain_quiet_with_a_named_model_and_providers():
    assert fired(with_answers(BASE, MOD_09="named_no_notice", SUP_01="categories"), "undisclosed_chain") is None


def test_training_on_sensitive_data_fires_without_opt_out():
    assert fired(with_answers(BASE, INT_02="regulated", DAT_01="yes_no_opt_out"), "training_on_sensitive_data")


def test_training_on_sensitive_data_quiet_with_opt_out_or_public_data():
    assert fired(with_answers(BASE, INT_02="regulated", DAT_01="yes_opt_out"), "training_on_sensitive_data") is None
    assert fired(with_answers(BASE, INT_02="public", DAT_01="yes_no_opt_out"), "training_on_sensitive_data") is None


def test_no_independent_attestation_fires_without_soc2_type2_or_iso():
    assert fired(with_answers(BASE, SEC_01="none", SEC_02="none"), "no_independent_attestation")


def test_no_independent_attestation_quiet_with_iso_27001():
    assert fired(with_answers(BASE, SEC_01="none", SEC_02="full_scope"), "no_independent_attestation") is None


def test_floating_model_fires_for_automated_decisions_about_people():
    hit = fired(with_answers(BASE, MOD_01="floating", INT_03="automated_individuals"), "floating_model_for_decisions")
    assert hit.severity == "knockout"


def test_floating_model_quiet_for_reviewed_internal_drafts():
    assert fired(with_answers(BASE, MOD_01="floating"), "floating_model_for_decisions") is None


def test_single_upstream_provider_fires_for_tier_one_with_short_outage():
    inp = with_answers(BASE, RES_06="none", INT_05=0.5, SUP_04=1)  # under 1 h: level 4
    assert score(inp).tier == 1
    assert fired(inp, "single_upstream_provider").severity == "knockout"


def test_single_upstream_provider_quiet_with_an_alternative_channel():
    assert fired(with_answers(BASE, RES_06="multi_cloud", INT_05=0.5, SUP_04=1), "single_upstream_provider") is None


@pytest.mark.parametrize("rule", ["residency", "training_on_sensitive_data", "undisclosed_chain"])
def test_every_fired_rule_names_its_inputs(rule):
    changes = {
        "residency": {"LOC_10": "marketing"},
        "training_on_sensitive_data": {"INT_02": "confidential", "DAT_01": "yes_no_opt_out"},
        "undisclosed_chain": {"SUP_01": "not_disclosed"},
    }[rule]
    hit = fired(with_answers(BASE, **changes), rule)
    assert hit.reasons and hit.inputs and hit.compared["condition"]


# --- Supply-chain facts -------------------------------------------------------------------


def with_facts(inp, **facts):
    return type(inp)(**{**inp.__dict__, "facts": facts})


def test_a_shorter_upstream_notice_in_the_recorded_chain_opens_the_notice_gap():
    inp = with_answers(BASE, INT_06=120, RES_06="none", CON_03=0, **TIER_1)
    assert fired(inp, "notice_gap") is None  # SUP-05 = 730 covers 120 days
    hit = fired(with_facts(inp, upstream_notice_days=90.0), "notice_gap")
    assert hit.compared["reliable_notice_days"] == 90
    assert any("recorded supply chain" in reason for reason in hit.reasons)
    assert hit.inputs["fact:upstream_notice_days"] == 90


def test_a_longer_notice_in_the_chain_does_not_lengthen_the_answered_one():
    inp = with_answers(BASE, INT_06=120, RES_06="none", CON_03=0, SUP_05=90, **TIER_1)
    hit = fired(with_facts(inp, upstream_notice_days=900.0), "notice_gap")
    assert hit.compared["reliable_notice_days"] == 90


def test_leased_capacity_in_the_chain_raises_the_upstream_notice_flag():
    assert fired(BASE, "upstream_notice") is None
    inp = with_answers(BASE, INT_06=180)
    hit = fired(with_facts(inp, competitor_or_leased_share=40.0, upstream_notice_days=90.0), "upstream_notice")
    assert hit is not None and (
        "The recorded supply chain puts 40% of the serving capacity on competitor-owned or leased providers."
        in hit.reasons
    )


def test_one_compute_owner_in_the_chain_feeds_the_single_provider_rule():
    inp = with_answers(BASE, INT_05=4, RES_06="none", SUP_04=3, **TIER_1)
    assert fired(inp, "single_upstream_provider") is None
    assert fired(with_facts(inp, independent_compute_providers=1.0), "single_upstream_provider") is not None


def test_without_facts_a_fact_leaf_is_false_not_pending():
    result = score(with_facts(BASE))
    assert result.knockouts == () and result.flags == () and result.pending_rules == ()


def test_every_fact_the_chain_offers_is_one_rules_may_name():
    from procurement.scoring.params import CHAIN_FACTS
    from procurement.scoring.supply import SERVICE, Link, Provider, chain_facts

    facts = chain_facts(
        [Link(SERVICE, "p", "inference_compute", notice_days=30, competitor=None)],
        {"p": Provider("p", "P")},
        vendor_notice_days=10,
        migrate_days=5,
    )
    # The contract's and the model lifecycle's facts come from elsewhere (vendors.contracts, vendors.evidence).
    assert set(facts.as_scoring_facts()) == set(CHAIN_FACTS)
