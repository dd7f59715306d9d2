"""Recommendation and decision in words: one helper for the pages, the report and the exports.
Pure: record parts in, words out."""

import datetime as dt

from procurement.assessments.presentation import (
    acceptance_rows,
    decision_summary,
    missing_answers,
    provisional_words,
    recommendation_words,
    score_provisional,
)

FORMAT_2 = {
    "outcome": "approved",
    "by": "Alex Approver",
    "role": "reviewer",
    "authority": 3,
    "authority_label": "executive",
    "note": "Pilot only",
    "at": "2026-11-26T15:29:17.870571+00:00",
    "recommendation": "reject",
    "residual": "critical",
    "differs": True,
    "difference": "Approved against the engine's recommendation (reject).",
    "separation_relaxed": False,
}


def test_a_format_2_decision_reads_outcome_who_capacity_and_the_recorded_difference():
    summary = decision_summary(FORMAT_2, score={"decision": "approve", "residual": "low"})
    assert summary.outcome_label == "Approved" and summary.who == "Alex Approver (reviewer, executive authority)"
    assert summary.at == dt.datetime(2026, 11, 26, 15, 29, 17, 870571, tzinfo=dt.UTC)
    # The decision's own recommendation wins over the score passed in.
    assert summary.recommendation_label == "Reject · Critical residual"
    assert summary.differs and summary.difference == FORMAT_2["difference"]


def test_a_format_1_decision_gets_its_difference_worked_out_from_the_frozen_score():
    old = {"outcome": "approved", "by": "Rita Reviewer", "note": "", "at": "2025-01-02T10:00:00+00:00"}
    summary = decision_summary(old, score={"decision": "reject", "residual": "critical"})
    assert summary.who == "Rita Reviewer" and summary.capacity == ""
    assert summary.differs and summary.difference == "Approved against the engine's recommendation (reject)."
    follows = decision_summary({**old, "outcome": "rejected"}, score={"decision": "reject", "residual": "high"})
    assert not follows.differs and follows.difference == ""


def test_a_relaxed_separation_of_duties_is_stated_even_when_the_outcome_follows():
    part = {**FORMAT_2, "differs": False, "recommendation": "approve", "separation_relaxed": True}
    del part["difference"]
    summary = decision_summary(part)
    assert summary.difference == "Decided by someone involved in the answers, as the organisation's setting allows."


def test_no_decision_part_means_no_summary():
    assert decision_summary(None) is None and decision_summary({}) is None


def test_provisional_words_count_missing_answers_or_fall_back_to_the_time():
    assert provisional_words(0) == ""
    assert provisional_words(1) == "provisional: 1 scored question unanswered"
    assert provisional_words(12) == "provisional: 12 scored questions unanswered"
    at = dt.datetime(2026, 11, 26, 9, 5, tzinfo=dt.UTC)
    assert provisional_words(None, at) == "provisional as of 26 Nov 2026 09:05"
    assert provisional_words(None) == "provisional"


def test_missing_answers_unite_unanswered_and_pending_rule_inputs():
    assert missing_answers(unanswered=["A", "B"], pending=[["B", "C"]], incomplete=True) == 3
    assert missing_answers(unanswered=[], pending=[], incomplete=False) == 0
    assert missing_answers(unanswered=[], pending=[[]], incomplete=True) == 1
    score = {"unanswered": ["A"], "pending_rules": [{"missing": ["A", "D"]}], "incomplete": True}
    assert score_provisional(score) == "provisional: 2 scored questions unanswered"


def test_recommendation_words_name_the_residual_rating():
    assert recommendation_words("executive_acceptance", "high") == "Executive risk acceptance required · High residual"
    assert recommendation_words("approve", None) == "Approve" and recommendation_words("", None) == ""


def test_acceptance_rows_parse_dates_and_say_who_with_what_authority():
    rows = acceptance_rows(
        [
            {
                "scope": "knockout",
                "rule": "floating_model",
                "title": "Floating model",
                "reason": "Pinned in Q1",
                "compensating_controls": "Human review",
                "conditions": ["Pin the model"],
                "by": "Alex Approver",
                "authority": 3,
                "authority_label": "executive",
                "at": "2026-11-26T15:29:17+00:00",
                "expires_on": "2027-03-26",
                "requested_by": "Rita Reviewer",
            }
        ]
    )
    assert rows[0]["who"] == "Alex Approver (executive authority)" and rows[0]["scope_label"] == "Knockout"
    assert rows[0]["expires_on"] == dt.date(2027, 3, 26) and rows[0]["at"].year == 2026
    assert acceptance_rows(None) == []


def test_an_answer_change_reads_as_labels_not_as_the_stored_value():
    from procurement.assessments.presentation import change_label

    q = {"type": "single_choice", "unit": "", "choices": [{"value": "yes_minor", "label": "Yes, a minor share"}]}
    assert change_label(q, {"value": "yes_minor", "na": False, "na_reason": ""}, empty="—") == "Yes, a minor share"
    assert change_label(q, {"value": None, "na": True, "na_reason": "Not used"}, empty="—") == "N/A — Not used"
    assert change_label(q, {"value": None, "na": False, "na_reason": ""}, empty="(cleared)") == "(cleared)"
    assert change_label(q, None, empty="—") == "—"
