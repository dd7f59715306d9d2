"""The engine on small hand-made banks: one behaviour per test. No database."""

import datetime as dt

import pytest

from procurement.scoring import types as t
from procurement.scoring.engine import score

AS_OF = dt.date(2026, 11, 22)
CHOICES = (t.ChoiceSpec("good", 0), t.ChoiceSpec("meh", 2), t.ChoiceSpec("bad", 4))
NOTICE_BANDS = (t.Band(0, 90, 4), t.Band(90, 365, 2), t.Band(365, None, 0))
EXPIRY_BANDS = (t.Band(None, 0, 4), t.Band(0, 90, 2), t.Band(90, None, 0))


def q(code, answer_type="single_choice", **kw):
    defaults = {
        "text": f"Question {code}?",
        "section": "S",
        "choices": CHOICES if answer_type in ("single_choice", "multi_choice") else (),
    }
    if answer_type == "yes_no":
        defaults["choices"] = (t.ChoiceSpec("yes", 0), t.ChoiceSpec("partial", 2), t.ChoiceSpec("no", 4))
    if answer_type == "number":
        defaults["bands"] = NOTICE_BANDS
    if answer_type == "date":
        defaults["bands"] = EXPIRY_BANDS
    if answer_type in ("text", "evidence"):
        defaults["scored"] = False
    return t.QuestionSpec(code=code, answer_type=answer_type, **{**defaults, **kw})


ONE_SECTION = (t.SectionSpec("S", "Section", 1),)


def run(questions, answers=(), sections=ONE_SECTION, **kw) -> t.ScoreResult:
    answers = tuple(a if isinstance(a, t.Answer) else t.Answer(*a) for a in answers)
    return score(t.ScoringInput(sections, tuple(questions), answers, as_of=AS_OF, **kw))


def points(result, code):
    return next(r for r in result.questions if r.code == code).points


# --- Answer types ----------------------------------------------------------------


def test_single_choice_takes_the_choice_points():
    assert points(run([q("A")], [("A", "meh")]), "A") == 2


def test_multiple_choice_takes_the_worst_selected():
    result = run([q("A", "multi_choice")], [("A", ("good", "bad"))])
    assert points(result, "A") == 4
    assert "worst selected bad" in result.questions[0].explanation


def test_yes_no_partial_map_to_their_points():
    for value, expected in (("yes", 0), ("partial", 2), ("no", 4)):
        assert points(run([q("A", "yes_no")], [("A", value)]), "A") == expected


@pytest.mark.parametrize(("value", "expected"), [(0, 4), (89.9, 4), (90, 2), (364, 2), (365, 0), (10_000, 0)])
def test_numbers_fall_into_half_open_bands(value, expected):
    assert points(run([q("A", "number")], [("A", value)]), "A") == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [(dt.date(2026, 11, 1), 4), (dt.date(2026, 11, 22), 2), (dt.date(2027, 1, 10), 2), (dt.date(2027, 6, 1), 0)],
)
def test_dates_score_by_days_until_expiry(day, expected):
    result = run([q("A", "date")], [("A", day)])
    assert points(result, "A") == expected


def test_free_text_and_evidence_are_unscored_until_a_reviewer_assigns_points():
    questions = [q("A"), q("T", "text"), q("E", "evidence")]
    result = run(questions, [("A", "good"), ("T", "a runbook"), ("E", "soc2.pdf")])
    assert {r.code: r.status for r in result.questions} == {"A": "scored", "T": "unscored", "E": "unscored"}
    assert result.sections[0].risk == 0 and not result.incomplete
    reviewed = run(questions, [("A", "good"), ("T", "a runbook")], overrides=(t.Override("T", 4, "no runbook exists"),))
    assert points(reviewed, "T") == 4 and reviewed.sections[0].risk == 50


def test_na_is_excluded_from_the_totals():
    with_na = run([q("A"), q("B")], [("A", "meh"), t.Answer("B", na=True)])
    without_b = run([q("A")], [("A", "meh")])
    assert with_na.sections[0].risk == without_b.sections[0].risk == 50


def test_unanswered_counts_as_worst_and_marks_the_result_incomplete():
    result = run([q("A"), q("B")], [("A", "good")])
    assert points(result, "B") == 4 and result.sections[0].risk == 50
    assert result.incomplete and result.unanswered == ("B",)


def test_hidden_conditional_question_does_not_count():
    questions = [q("A", "yes_no"), q("B", show_if=t.ShowIf("A", ("yes",)))]
    hidden = run(questions, [("A", "no")])
    assert {r.code: r.status for r in hidden.questions}["B"] == "hidden"
    assert not hidden.incomplete and hidden.sections[0].risk == 100
    shown = run(questions, [("A", "yes")])
    assert shown.incomplete and shown.unanswered == ("B",)


def test_hidden_parent_hides_its_children_too():
    questions = [
        q("A", "yes_no"),
        q("B", "yes_no", show_if=t.ShowIf("A", ("yes",))),
        q("C", show_if=t.ShowIf("B", ("yes",))),
    ]
    result = run(questions, [("A", "no"), ("C", "bad")])
    assert {r.code: r.status for r in result.questions}["C"] == "hidden"


# --- Sections and bands -------------------------------------------------------------


def test_section_risk_is_the_weighted_share_of_maximum_points():
    result = run([q("A", weight=4), q("B", weight=1)], [("A", "meh"), ("B", "bad")])
    # (4*2 + 1*4) / (4*4 + 1*4) = 12/20
    assert result.sections[0].risk == 60.0


@pytest.mark.parametrize(
    ("risk_answers", "band"), [(("good",), "low"), (("meh", "good"), "moderate"), (("meh",), "high")]
)
def test_band_cutoffs_are_parameters(risk_answers, band):
    questions = [q(f"Q{i}") for i in range(len(risk_answers))]
    params = {"bands": {"moderate": 20, "high": 50, "critical": 90}}
    result = run(questions, [(f"Q{i}", v) for i, v in enumerate(risk_answers)], params=params)
    assert result.sections[0].band == band


def test_critical_question_at_worst_forces_at_least_high():
    questions = [q("A", critical=True, weight=1)] + [q(f"B{i}", weight=4) for i in range(5)]
    answers = [("A", "bad")] + [(f"B{i}", "good") for i in range(5)]
    result = run(questions, answers)
    section = result.sections[0]
    assert section.risk < 25 and section.band == "high" and section.floor_applied
    assert "A" in section.floor_reason


def test_critical_question_not_at_worst_leaves_the_band_alone():
    questions = [q("A", critical=True, weight=1)] + [q(f"B{i}", weight=4) for i in range(5)]
    result = run(questions, [("A", "meh")] + [(f"B{i}", "good") for i in range(5)])
    assert result.sections[0].band == "low" and not result.sections[0].floor_applied


# --- Tier, overall, residual, decision --------------------------------------------------


INTAKE = (
    q(
        "I1",
        section="INT",
        audience="buyer",
        choices=(t.ChoiceSpec("l1", 1), t.ChoiceSpec("l3", 3), t.ChoiceSpec("l4", 4)),
    ),
    q("I2", "number", section="INT", audience="buyer", bands=(t.Band(0, 8, 4), t.Band(8, None, 1))),
)
SECTIONS = (t.SectionSpec("INT", "Intake", 0), t.SectionSpec("S", "Controls", 1), t.SectionSpec("T", "Other", 1))
PARAMS = {"tier": {"domains": ["I1", "I2"]}}


def run_tiered(intake, control="good", other="good", params=PARAMS, **kw):
    questions = [*INTAKE, q("C1"), q("C2", section="T")]
    answers = [("I1", intake[0]), ("I2", intake[1]), ("C1", control), ("C2", other)]
    return run(questions, answers, sections=SECTIONS, params=params, **kw)


def test_tier_follows_the_highest_intake_domain():
    assert run_tiered(("l1", 100)).tier == 3
    assert run_tiered(("l3", 100)).tier == 2
    assert run_tiered(("l1", 2)).tier == 1  # 2 h tolerable outage is level 4
    reasons = run_tiered(("l1", 2)).tier_reasons
    assert reasons[0] == "The highest intake level is 4 of 4, which makes this a tier 1 use."
    assert reasons[1].startswith("The answer to ") and reasons[1].endswith(" is 2, level 4 of 4 (I2).")


def test_unanswered_intake_domain_counts_as_level_four():
    result = run([*INTAKE, q("C1")], [("I1", "l1"), ("C1", "good")], sections=SECTIONS, params=PARAMS)
    assert result.tier == 1 and result.incomplete and "I2" in result.unanswered


def test_intake_answers_do_not_count_in_the_control_score():
    result = run_tiered(("l4", 2))
    assert result.sections[0].risk is None and result.overall_risk == 0


def test_overall_risk_uses_the_tier_section_weights():
    params = {**PARAMS, "section_weights": {"tier_3": {"S": 3, "T": 1}, "tier_1": {"S": 1, "T": 3}}}
    low_tier = run_tiered(("l1", 100), control="bad", params=params)  # S=100, T=0
    high_tier = run_tiered(("l4", 100), control="bad", params=params)
    assert low_tier.overall_risk == 75.0 and high_tier.overall_risk == 25.0


@pytest.mark.parametrize(
    ("intake", "control", "residual", "decision"),
    [
        (("l1", 100), "good", "low", "approve"),
        (("l4", 100), "good", "moderate", "approve_with_conditions"),
        (("l3", 100), "meh", "high", "executive_acceptance"),
        (("l4", 100), "bad", "critical", "reject"),
    ],
)
def test_residual_comes_from_the_tier_and_control_band(intake, control, residual, decision):
    result = run_tiered(intake, control=control, other=control)
    assert (result.residual, result.decision) == (residual, decision)


def test_a_high_section_caps_approve_at_approve_with_conditions():
    params = {**PARAMS, "section_weights": {"tier_3": {"S": 1, "T": 20}}}
    result = run_tiered(("l1", 100), control="bad", params=params)
    assert result.control_band == "low" and result.decision == "approve_with_conditions"
    assert any(
        "is rated high or critical, so the recommendation is at best approve with conditions (S)." in r
        for r in result.decision_reasons
    )


KNOCKOUT = {
    **PARAMS,
    "rules": {"bad_control": {"title": "Bad control", "condition": {"question": "C1", "in": ["bad"]}}},
}


def test_an_unwaived_knockout_means_reject():
    params = {**KNOCKOUT, "section_weights": {"tier_3": {"S": 1, "T": 100}}}
    result = run_tiered(("l1", 100), control="bad", params=params)
    assert [k.name for k in result.knockouts] == ["bad_control"] and result.decision == "reject"
    assert result.knockouts[0].reasons == ("The answer to “Question C1?” is “bad” (C1).",)
    assert result.decision_reasons[-1] == (
        "The knockout “Bad control” (bad_control) is not accepted as a risk, so the engine recommends reject."
    )


def test_a_waived_knockout_is_kept_but_no_longer_rejects():
    params = {**KNOCKOUT, "section_weights": {"tier_3": {"S": 1, "T": 100}}}
    waiver = t.Waiver("bad_control", "compensating control: contract clause 12", "rita")
    result = run_tiered(("l1", 100), control="bad", params=params, waivers=(waiver,))
    assert result.knockouts[0].waived and result.knockouts[0].waiver_reason.startswith("compensating")
    assert result.decision == "approve_with_conditions"


def test_knockout_outside_its_tiers_is_only_a_flag():
    params = {**KNOCKOUT, "rules": {"bad_control": {**KNOCKOUT["rules"]["bad_control"], "knockout_tiers": [1]}}}
    result = run_tiered(("l1", 100), control="bad", params=params)
    assert result.knockouts == () and [f.name for f in result.flags] == ["bad_control"]


def test_rule_on_an_unanswered_question_is_pending_not_fired():
    result = run([*INTAKE, q("C1")], [("I1", "l1"), ("I2", 100)], sections=SECTIONS, params=KNOCKOUT)
    assert result.knockouts == () and result.pending_rules[0].missing == ("C1",) and result.incomplete


# --- Overrides ------------------------------------------------------------------------


def test_override_changes_points_and_keeps_the_original():
    result = run([q("A")], [("A", "bad")], overrides=(t.Override("A", 1, "compensating control verified", "rita"),))
    (qr,) = result.questions
    assert (qr.original_points, qr.points, qr.override_reason, qr.override_by) == (
        4,
        1,
        "compensating control verified",
        "rita",
    )
    assert result.overrides == (qr,) and result.sections[0].risk == 25


def test_result_serialises_to_plain_data():
    data = run([q("A")], [("A", "bad")], overrides=(t.Override("A", 1, "why"),)).as_dict()
    assert data["overrides"] == [{"code": "A", "original_points": 4, "points": 1, "reason": "why", "by": ""}]
    assert data["sections"][0]["band"] == "moderate"
