"""Three vendor profiles, written as answer files in fixtures/profiles/."""

from procurement.scoring.engine import score
from procurement.scoring.explain import result_text
from tests.scoring.helpers import profile


def bands(result):
    return {s.code: s.band for s in result.sections if s.risk is not None}


def test_lab_api_on_leased_competitor_capacity():
    """Unchanged by the judgement rules: 1.2 times headroom and priority tier for a customer-facing
    use, active-active failover, and 180 days' retirement and change notice against 180 to migrate.
    The upstream-notice flag now compares 90 days with our 180 days to migrate (was a fixed 180).
    Version 4's self-attested point: the lab backs nothing with a document, so ten favourable
    critical answers carry one more point each; SUP-12 (30 days' notice before a provider is added,
    on the lab's word) lifts the supply-chain section from moderate to high. The recommendation
    stays executive acceptance."""
    result = score(profile("lab-api-leased-capacity"))
    assert not result.incomplete
    assert result.tier == 1
    assert result.control_band == "moderate" and result.residual == "high"
    assert result.decision == "executive_acceptance"
    assert bands(result) == {
        "LOC": "high",
        "SUP": "high",
        "DAT": "moderate",
        "CAP": "moderate",
        "RES": "moderate",
        "CON": "high",
        "SEC": "low",
        "MOD": "low",
        "CST": "low",
    }
    assert result.knockouts == ()
    assert {f.name: f.severity for f in result.flags} == {"notice_gap": "flag", "upstream_notice": "flag"}
    notice = next(f for f in result.flags if f.name == "notice_gap")
    assert notice.compared["gap_days"] == 90 and "mitigated" in notice.title


def test_hyperscaler_model_pinned_to_a_region():
    """Approve, every section low. Its critical answers rest on the hyperscaler's reports,
    contract and published documents (the profile's ``basis``), so none is self-attested."""
    result = score(profile("hyperscaler-pinned-region"))
    assert not result.incomplete
    assert result.tier == 2  # GDPR personal data makes it tier 2
    assert result.control_band == "low" and result.residual == "low" and result.decision == "approve"
    assert set(bands(result).values()) == {"low"}
    assert result.knockouts == () and result.flags == ()


def test_thin_saas_reselling_an_undisclosed_model():
    """Reject, as before. The judgement rules of the current bank version add, legitimately: a
    retirement knockout (14 days' retirement notice, no change notice and no pinned version,
    against 90 days to migrate), a capacity flag (committed throughput 0.8 times our peak; a
    knockout only in tier 1) and a recovery flag (48 h recovery on one region and one provider
    against 24 h tolerable outage)."""
    result = score(profile("thin-saas-reseller"))
    assert not result.incomplete
    assert result.tier == 2
    assert result.control_band == "critical" and result.residual == "critical"
    assert set(bands(result).values()) == {"critical"}
    assert {k.name for k in result.knockouts} == {
        "notice_gap",
        "undisclosed_chain",
        "no_independent_attestation",
        "model_retirement_notice",
    }
    assert result.decision == "reject"
    assert {f.name for f in result.flags} == {"capacity_headroom", "recovery_vs_tolerance"}


def test_text_report_explains_the_decision():
    text = result_text(score(profile("thin-saas-reseller")))
    assert "Decision:        Reject" in text
    assert (
        "We can rely on 30 days' notice at most: the vendor's own notice for ending the contract (CON-01)."
        " We need 90 days to move this use to another provider (INT-06), a gap of 60 days."
    ) in text


def test_neocloud_hosted_open_weights_model():
    """Reject, and the reason is recovery, not notice. A customer-facing assistant (tier 1) on an
    open-weights model served from one GPU-cloud region: the weights could run anywhere
    (RES-06), so the notice gap is covered, but the vendor recovers in 24 h against our 4 h
    tolerable outage with one region and one provider, so recovery_vs_tolerance knocks out.
    The 1.1x headroom and best-effort priority for a customer-facing use add a capacity flag.
    The controls alone rate low (moderate residual in tier 1)."""
    result = score(profile("neocloud-open-weights"))
    assert not result.incomplete and result.tier == 1
    assert result.control_band == "low" and result.residual == "moderate"
    assert [k.name for k in result.knockouts] == ["recovery_vs_tolerance"]
    assert [f.name for f in result.flags] == ["capacity_headroom"]
    assert result.decision == "reject"


def test_saas_wrapper_over_one_labs_api():
    """Reject. A wrapper over one lab's API used for confidential tickets (tier 2): 14 days'
    notice of a material model change and no pinned version after a retirement notice, against
    120 days to migrate, knock out (model_retirement_notice); the 30-day pass-through notice
    leaves a notice gap with only one other channel; and the hosting is not known, so the
    upstream-notice flag is marked unknown."""
    result = score(profile("saas-wrapper-one-lab"))
    assert not result.incomplete and result.tier == 2
    assert {k.name for k in result.knockouts} == {"model_retirement_notice", "notice_gap"}
    (upstream,) = result.flags
    assert upstream.name == "upstream_notice" and upstream.title.endswith("(unknown)")
    assert result.decision == "reject"
