"""The judgement rules of issue 21: capacity headroom, model retirement notice, recovery against
tolerable outage, upstream notice against our days to migrate.

One convention for all of them: an undisclosed or unknown input fires the rule marked
"unknown"; a missing input makes it pending, naming what it needs; an N/A or hidden input
leaves it clear. The base is the hyperscaler profile (no rule fires). No database.
"""

import pytest

from procurement.scoring.engine import score
from tests.scoring.helpers import UNDISCLOSED, profile, with_answers

BASE = profile("hyperscaler-pinned-region")
TIER_1 = {"INT_01": "customer_or_regulated"}


def outcome(inp, name):
    result = score(inp)
    hit = next((h for h in result.knockouts + result.flags if h.name == name), None)
    pending = next((p for p in result.pending_rules if p.name == name), None)
    return hit, pending


def fired(inp, name):
    return outcome(inp, name)[0]


# --- capacity_headroom -----------------------------------------------------------------


def test_capacity_issue_case_is_a_knockout_for_a_customer_facing_tier_one_use():
    """The issue's case: 0.4x our peak, 12% rejected at peak, preemptible priority, customer-facing."""
    inp = with_answers(BASE, CAP_02=0.4, CAP_03=12, CAP_05="preemptible", INT_13="yes", **TIER_1)
    hit = fired(inp, "capacity_headroom")
    assert hit.severity == "knockout"
    assert "0.4 times our peak demand" in hit.reasons[0]
    assert any("12%" in r for r in hit.reasons) and any("customer-facing" in r for r in hit.reasons)
    assert score(inp).decision == "reject"


def test_capacity_below_one_outside_tier_one_is_a_flag():
    assert fired(with_answers(BASE, CAP_02=0.4), "capacity_headroom").severity == "flag"


@pytest.mark.parametrize(
    "changes",
    [{"CAP_02": 1.1}, {"CAP_03": 6}, {"CAP_05": "best_effort", "INT_13": "yes"}],
    ids=["thin-headroom", "throttled", "best-effort-customer-facing"],
)
def test_capacity_flags_thin_headroom_throttling_and_low_priority(changes):
    hit = fired(with_answers(BASE, **changes, **TIER_1), "capacity_headroom")
    assert hit.severity == "flag"


def test_capacity_best_effort_for_an_internal_use_stays_quiet():
    assert fired(with_answers(BASE, CAP_05="best_effort", INT_13="no"), "capacity_headroom") is None


def test_capacity_headroom_is_derived_from_our_peak_and_the_committed_limit_in_one_unit():
    base = with_answers(BASE, CAP_02=None, INT_11=1000, INT_12="tokens", CAP_12=500, CAP_13="tokens")
    hit = fired(base, "capacity_headroom")
    assert hit.inputs["INT-11"] == 1000 and hit.inputs["CAP-12"] == 500 and "0.5 times" in hit.reasons[0]


def test_capacity_headroom_in_different_units_is_pending():
    inp = with_answers(BASE, CAP_02=None, INT_11=1000, INT_12="tokens", CAP_12=5000, CAP_13="requests", **TIER_1)
    hit, pending = outcome(inp, "capacity_headroom")
    assert hit is None and pending is not None and pending.severity == "knockout"


def test_capacity_missing_ratio_is_pending_naming_it():
    hit, pending = outcome(with_answers(BASE, CAP_02=None, CAP_12=None), "capacity_headroom")
    assert hit is None and "CAP-02" in pending.missing


def test_capacity_undisclosed_ratio_fires_marked_unknown():
    hit = fired(with_answers(BASE, CAP_02=UNDISCLOSED), "capacity_headroom")
    assert hit.title.endswith("(unknown)") and hit.compared["unknown"] == ["CAP-02"]
    assert hit.inputs["CAP-02"] == "not disclosed"


def test_capacity_not_applicable_ratio_leaves_it_clear():
    hit, pending = outcome(with_answers(BASE, CAP_02="N/A"), "capacity_headroom")
    assert hit is None and pending is None


# --- model_retirement_notice --------------------------------------------------------------


def test_retirement_notice_30_days_against_180_to_migrate_is_a_knockout():
    """The issue's case: 30 days' retirement notice, 180 days to migrate, no pinned version after."""
    inp = with_answers(BASE, MOD_03=30, INT_06=180, MOD_13=0)
    hit = fired(inp, "model_retirement_notice")
    assert hit.severity == "knockout" and hit.compared["gap_days"] == 150
    assert "30 days' notice before a model we use is retired" in hit.reasons[0]


def test_retirement_gap_with_a_pinned_version_for_the_whole_migration_is_a_mitigated_flag():
    hit = fired(with_answers(BASE, MOD_03=30, INT_06=180, MOD_13=200), "model_retirement_notice")
    assert hit.severity == "flag" and "mitigated" in hit.title


def test_material_change_notice_counts_like_retirement():
    hit = fired(with_answers(BASE, MOD_12=10, INT_06=60, MOD_13=0), "model_retirement_notice")
    assert hit.compared["shortest_notice_days"] == 10 and "material change" in hit.reasons[0]


def test_retirement_notice_covering_migration_is_quiet():
    assert fired(with_answers(BASE, MOD_03=365, MOD_12=365, INT_06=180), "model_retirement_notice") is None


def test_retirement_undisclosed_notice_fires_marked_unknown():
    hit = fired(with_answers(BASE, MOD_03=UNDISCLOSED, MOD_13=0), "model_retirement_notice")
    assert hit.title.endswith("(unknown)") and "MOD-03" in hit.compared["unknown"]


def test_retirement_gap_with_pinned_availability_unanswered_is_a_pending_knockout():
    _, pending = outcome(with_answers(BASE, MOD_03=30, INT_06=180, MOD_13=None), "model_retirement_notice")
    assert pending.missing == ("MOD-13",) and pending.severity == "knockout"


# --- recovery_vs_tolerance ---------------------------------------------------------------

SINGLE_SITE = {"RES_01": "single_region", "RES_03": 48, "INT_05": 4, "RES_06": "multi_cloud"}


def test_recovery_longer_than_tolerance_on_one_site_fires_despite_another_channel():
    """The issue's case: one site, 48 h recovery against 4 h tolerable; another channel sells the model."""
    hit = fired(with_answers(BASE, **SINGLE_SITE, **TIER_1), "recovery_vs_tolerance")
    assert hit.severity == "knockout"
    assert hit.reasons[0] == (
        "The vendor's recovery time is 48 hours (RES-03), longer than the 4 hours we can run without the service"
        " (INT-05)."
    )


def test_recovery_with_a_tested_warm_failover_is_quiet():
    assert fired(with_answers(BASE, **{**SINGLE_SITE, "RES_01": "warm_tested"}), "recovery_vs_tolerance") is None


def test_recovery_within_tolerance_is_quiet():
    assert fired(with_answers(BASE, **{**SINGLE_SITE, "RES_03": 2}), "recovery_vs_tolerance") is None


def test_recovery_undisclosed_rto_on_one_site_fires_marked_unknown():
    hit = fired(with_answers(BASE, **{**SINGLE_SITE, "RES_03": UNDISCLOSED}), "recovery_vs_tolerance")
    assert hit.title.endswith("(unknown)") and hit.compared["unknown"] == ["RES-03"]


def test_recovery_missing_rto_is_pending():
    _, pending = outcome(with_answers(BASE, **{**SINGLE_SITE, "RES_03": None}), "recovery_vs_tolerance")
    assert pending.missing == ("RES-03",)


def test_recovery_uses_the_recorded_chain_for_a_single_provider():
    inp = with_answers(BASE, RES_01="cold_manual", RES_03=48, INT_05=4, SUP_04=3)
    assert fired(inp, "recovery_vs_tolerance") is None
    chained = type(inp)(**{**inp.__dict__, "facts": {"independent_compute_providers": 1.0}})
    assert "independent compute provider" in fired(chained, "recovery_vs_tolerance").reasons[-1]


# --- upstream_notice ---------------------------------------------------------------------

LEASED = {"LOC_04": ["leased_colo"], "SUP_05": 200}


def test_upstream_notice_compares_with_our_days_to_migrate_not_a_fixed_180():
    """The issue's cases: 200 days' notice warns a buyer needing 400 days, not one needing 30."""
    assert fired(with_answers(BASE, **LEASED, INT_06=400), "upstream_notice").severity == "flag"
    assert fired(with_answers(BASE, **{**LEASED, "SUP_05": 90}, INT_06=30), "upstream_notice") is None


@pytest.mark.parametrize("changes", [{"LOC_04": ["unknown"]}, {"SUP_02": "unknown"}, {"SUP_02": UNDISCLOSED}])
def test_upstream_notice_unknown_arrangement_or_competitor_fires_marked_unknown(changes):
    hit = fired(with_answers(BASE, SUP_05=100, INT_06=200, **changes), "upstream_notice")
    assert hit.title.endswith("(unknown)")


def test_upstream_notice_unknown_link_in_the_recorded_chain_fires_marked_unknown():
    inp = with_answers(BASE, SUP_05=100, INT_06=200)
    chained = type(inp)(**{**inp.__dict__, "facts": {"unknown_link_share": 40.0}})
    hit = fired(chained, "upstream_notice")
    assert hit.title.endswith("(unknown)") and "not recorded" in hit.reasons[0]


def test_upstream_notice_missing_competitor_answer_is_pending():
    _, pending = outcome(with_answers(BASE, SUP_02=None, SUP_05=100, INT_06=200), "upstream_notice")
    assert pending.missing == ("SUP-02",)


def test_upstream_notice_not_applicable_notice_leaves_it_clear():
    hit, pending = outcome(with_answers(BASE, **{**LEASED, "SUP_05": "N/A"}, INT_06=400), "upstream_notice")
    assert hit is None and pending is None
