"""The decision rules as plain data: what an approval needs, and who may decide."""

import pytest

from procurement.assessments import authority as au


def _accepted(scope="residual", rule="", by=1, authority=au.RISK):
    return au.Accepted(scope, rule, by, f"Person {by}", authority)


def test_an_approve_recommendation_needs_no_acceptance():
    assert au.approval_needs(recommendation="approve", residual="low", knockouts=[], accepted=[]) == []


def test_a_high_residual_needs_one_acceptance_by_risk_authority():
    (need,) = au.approval_needs(recommendation="executive_acceptance", residual="high", knockouts=[], accepted=[])
    assert (need.scope, need.authority, need.count, need.met) == ("residual", au.RISK, 1, False)
    standard = _accepted(authority=au.STANDARD)
    (need,) = au.approval_needs(
        recommendation="executive_acceptance", residual="high", knockouts=[], accepted=[standard]
    )
    assert not need.met, "an acceptance below the needed authority does not count"
    (need,) = au.approval_needs(
        recommendation="executive_acceptance", residual="high", knockouts=[], accepted=[_accepted()]
    )
    assert need.met and need.met_by == ("Person 1",)


def test_a_critical_residual_needs_two_different_executives():
    one = [_accepted(by=1, authority=au.EXECUTIVE)]
    (need,) = au.approval_needs(recommendation="reject", residual="critical", knockouts=[], accepted=one)
    assert not need.met and "2 risk acceptances by different members with executive authority (1 recorded)" in (
        need.missing_text
    )
    same_twice = [*one, _accepted(by=1, authority=au.EXECUTIVE)]
    (need,) = au.approval_needs(recommendation="reject", residual="critical", knockouts=[], accepted=same_twice)
    assert not need.met
    two = [*one, _accepted(by=2, authority=au.EXECUTIVE)]
    (need,) = au.approval_needs(recommendation="reject", residual="critical", knockouts=[], accepted=two)
    assert need.met
    risk_only = [_accepted(by=1), _accepted(by=2)]
    (need,) = au.approval_needs(recommendation="reject", residual="critical", knockouts=[], accepted=risk_only)
    assert not need.met


def test_each_knockout_needs_its_own_acceptance():
    knockouts = [au.Knockout("notice_gap", "Notice gap"), au.Knockout("undisclosed_chain", "Undisclosed chain")]
    accepted = [_accepted(scope="knockout", rule="notice_gap")]
    needs = au.approval_needs(recommendation="reject", residual="moderate", knockouts=knockouts, accepted=accepted)
    assert [(n.rule, n.met) for n in needs] == [("notice_gap", True), ("undisclosed_chain", False)]
    assert needs[1].missing_text == (
        "Knockout “Undisclosed chain”: needs a risk acceptance by a member with risk acceptance authority."
    )


@pytest.mark.parametrize(
    ("approve", "recommendation", "differs"),
    [
        (True, "approve", False),
        (True, "approve_with_conditions", False),
        (True, "executive_acceptance", False),
        (True, "reject", True),
        (False, "reject", False),
        (False, "executive_acceptance", False),
        (False, "approve", True),
        (False, "approve_with_conditions", True),
    ],
)
def test_a_decision_differs_when_it_goes_against_the_recommendation(approve, recommendation, differs):
    assert au.decision_differs(approve=approve, recommendation=recommendation) is differs


def _decider(**kw):
    return au.Decider(**{"user_id": 7, "authority": au.STANDARD, "may_review": True} | kw)


def test_separation_of_duties_bars_the_involved_unless_relaxed():
    problems, relaxed = au.decider_problems(_decider(involved=("own it", "submitted it")))
    assert problems == [
        "You own it and submitted it, so someone else must decide it (separation of duties; an organisation "
        "admin can relax this for small teams)."
    ]
    assert not relaxed
    problems, relaxed = au.decider_problems(_decider(involved=("own it",), separation_of_duties=False))
    assert problems == [] and relaxed


def test_assigned_reviewers_decide_unless_someone_holds_more_authority():
    assigned = {"assigned_ids": (3,), "assigned_max_authority": au.STANDARD}
    assert au.decider_problems(_decider(**assigned))[0]
    assert au.decider_problems(_decider(user_id=3, **assigned))[0] == []
    assert au.decider_problems(_decider(authority=au.RISK, **assigned))[0] == []


def test_only_reviewers_and_admins_decide():
    assert au.decider_problems(_decider(may_review=False))[0] == ["Only reviewers and admins decide assessments."]


def test_the_verdict_adds_missing_acceptances_to_approving_only():
    needs = au.approval_needs(recommendation="executive_acceptance", residual="high", knockouts=[], accepted=[])
    verdict = au.verdict_for(_decider(), recommendation="executive_acceptance", residual="high", needs=needs)
    assert not verdict.can_approve and verdict.can_reject
    assert verdict.approve_problems == [needs[0].missing_text]


def test_approving_a_reject_with_nothing_to_accept_is_refused():
    verdict = au.verdict_for(_decider(), recommendation="reject", residual=None, needs=[])
    assert verdict.approve_problems == ["The engine recommends reject and there is no risk that can be accepted."]


def test_the_difference_is_stated_in_words():
    words = au.difference_words(outcome="approved", recommendation="reject", differs=True, separation_relaxed=True)
    assert words == (
        "Approved against the engine's recommendation (reject). Decided by someone involved in the answers, as "
        "the organisation's setting allows."
    )
    assert (
        au.difference_words(outcome="approved", recommendation="approve", differs=False, separation_relaxed=False) == ""
    )
