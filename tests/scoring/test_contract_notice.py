"""The notice-gap rule reads the signed contract's notice figures beside the vendor's answers:
the shorter counts and says where it came from, and a contract that gives less notice than the
answer claimed is a finding. No database."""

from procurement.scoring.engine import rule_statuses, score
from procurement.scoring.wording import CONTRACT_SHORTER_TITLE, contract_notice_findings, notice_words
from tests.scoring.helpers import profile, with_answers

# The hyperscaler profile: CON-01 = 365 days, CON-03 = 180 days, SUP-05 = 730 days.
BASE = profile("hyperscaler-pinned-region")
TIER_1 = {"INT_01": "customer_or_regulated"}


def with_facts(inp, **facts):
    return type(inp)(**{**inp.__dict__, "facts": facts})


def notice_gap(inp):
    result = score(inp)
    return next((h for h in result.knockouts + result.flags if h.name == "notice_gap"), None)


def test_a_contract_shorter_than_the_answer_opens_the_gap_and_says_both_figures():
    inp = with_facts(with_answers(BASE, INT_06=120, RES_06="none", **TIER_1), contract_notice_days=30.0)
    hit = notice_gap(inp)
    assert hit.severity == "knockout" and hit.compared["reliable_notice_days"] == 30
    assert hit.reasons[0].startswith(
        "We can rely on 30 days' notice at most: the vendor's notice for ending the contract, as the signed"
        " contract states it."
    )
    assert "The contract gives 30 days' notice; the vendor's answer said 365 (CON-01)." in hit.reasons
    assert hit.inputs["fact:contract_notice_days"] == 30 and hit.inputs["CON-01"] == 365
    assert hit.compared["reliable_notice_source"].startswith("the vendor's notice for ending the contract")


def test_a_contract_shorter_than_the_answer_without_a_gap_is_a_flag_not_a_knockout():
    inp = with_facts(with_answers(BASE, INT_06=60, RES_06="none", **TIER_1), contract_notice_days=90.0)
    result = score(inp)
    assert result.knockouts == ()
    (hit,) = [f for f in result.flags if f.name == "notice_gap"]
    assert hit.title == CONTRACT_SHORTER_TITLE and hit.compared["gap_days"] == -30
    assert hit.reasons[0] == "The contract gives 90 days' notice; the vendor's answer said 365 (CON-01)."
    assert "That covers the 60 days we need to move" in hit.reasons[-1]


def test_a_contract_giving_more_notice_than_the_answer_changes_nothing():
    inp = with_answers(BASE, INT_06=120, RES_06="none", **TIER_1)
    assert notice_gap(with_facts(inp, contract_notice_days=400.0)) is None
    gap = with_answers(BASE, INT_06=400, RES_06="none", **TIER_1)
    hit = notice_gap(with_facts(gap, contract_notice_days=400.0))
    assert hit.compared["reliable_notice_days"] == 180  # the committed pass-through notice (CON-03)
    assert not any("The contract gives" in r for r in hit.reasons)


def test_the_contracted_notice_stands_in_for_a_missing_answer():
    inp = with_answers(BASE, INT_06=120, RES_06="none", CON_01=None, **TIER_1)
    pending = score(inp).pending_rules
    assert any(p.name == "notice_gap" and "CON-01" in p.missing for p in pending)
    hit = notice_gap(with_facts(inp, contract_notice_days=60.0))
    assert hit.compared["reliable_notice_days"] == 60 and "CON-01" not in hit.inputs


def test_a_contracted_upstream_commitment_shorter_than_the_answer_is_a_finding():
    inp = with_facts(with_answers(BASE, INT_06=120, RES_06="none", **TIER_1), contract_pass_through_days=45.0)
    hit = notice_gap(inp)
    assert hit.compared["reliable_notice_days"] == 45
    assert "the notice the signed contract commits the vendor to give" in hit.reasons[0]
    assert (
        "The contract commits to 45 days' notice of upstream changes; the vendor's answer said 180 days (CON-03)."
        in (hit.reasons)
    )


def test_a_contract_committing_no_upstream_notice_falls_back_to_the_answer_and_says_so():
    inp = with_facts(with_answers(BASE, INT_06=60, RES_06="none", **TIER_1), contract_pass_through_days=0.0)
    hit = notice_gap(inp)
    assert hit.severity == "flag" and hit.title == CONTRACT_SHORTER_TITLE
    assert "The contract commits to no notice of upstream changes" in hit.reasons[0]


def test_without_contract_facts_the_rule_reads_as_before():
    inp = with_answers(BASE, INT_06=400, RES_06="none", **TIER_1)
    hit = notice_gap(inp)
    assert "reliable_notice_source" not in hit.compared
    assert hit.inputs == {"INT-06": 400, "CON-01": 365, "SUP-05": 730, "CON-03": 180, "RES-06": "none"}


def test_the_rule_status_lists_the_contract_figures_it_read():
    inp = with_facts(with_answers(BASE, INT_06=60, **TIER_1), contract_notice_days=500.0)
    (row,) = [r for r in rule_statuses(inp) if r["rule"] == "notice_gap"]
    assert row["status"] == "clear" and row["inputs"]["fact:contract_notice_days"] == 500


def test_notice_words_and_findings_read_plainly():
    assert notice_words(1) == "1 day's notice" and notice_words(0) == "no notice"
    assert notice_words(30) == "30 days' notice"
    assert contract_notice_findings(
        contracted=30, answered=90, vendor_code="CON-01", contract_pass=None, answered_pass=None, pass_code=""
    ) == ["The contract gives 30 days' notice; the vendor's answer said 90 (CON-01)."]
    assert (
        contract_notice_findings(
            contracted=90, answered=90, vendor_code="CON-01", contract_pass=10, answered_pass=None, pass_code="CON-03"
        )
        == []
    )
