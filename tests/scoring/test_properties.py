"""Properties of the engine over random banks and answers (hypothesis). No database."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.scoring import types as t
from procurement.scoring.engine import score
from procurement.scoring.params import BANDS, DECISIONS

AS_OF = dt.date(2026, 11, 22)
VALUES = ("v0", "v1", "v2", "v3", "v4")


@st.composite
def banks(draw):
    n_sections = draw(st.integers(1, 4))
    sections = tuple(t.SectionSpec(f"S{i}", f"Section {i}", draw(st.integers(1, 5))) for i in range(n_sections))
    questions = []
    intake = t.QuestionSpec(
        "IN-01", "S0", "single_choice", audience="buyer", choices=tuple(t.ChoiceSpec(f"l{i}", i) for i in range(1, 5))
    )
    questions.append(intake)
    for i in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["single_choice", "multi_choice", "number"]))
        section = draw(st.sampled_from(sections)).code
        weight = draw(st.sampled_from([1, 2, 4]))
        critical = draw(st.booleans())
        if kind == "number":
            questions.append(
                t.QuestionSpec(
                    f"Q-{i}",
                    section,
                    kind,
                    weight,
                    critical,
                    bands=(t.Band(None, 10, 4), t.Band(10, 50, 2), t.Band(50, None, 0)),
                )
            )
        else:
            questions.append(
                t.QuestionSpec(
                    f"Q-{i}", section, kind, weight, critical, choices=tuple(t.ChoiceSpec(v, int(v[1])) for v in VALUES)
                )
            )
    params = {
        "tier": {"domains": ["IN-01"]},
        "rules": {
            "worst_first": {
                "title": "Worst answer on the first question",
                "condition": {"question": questions[1].code, "in": ["v4"]}
                if questions[1].answer_type != "number"
                else {"question": questions[1].code, "lt": 10},
            }
        },
    }
    return sections, tuple(questions), params


@st.composite
def answered(draw):
    sections, questions, params = draw(banks())
    answers = [t.Answer("IN-01", draw(st.sampled_from(["l1", "l2", "l3", "l4"])))]
    for q in questions[1:]:
        if draw(st.integers(0, 9)) == 0:
            continue  # unanswered
        if q.answer_type == "number":
            answers.append(t.Answer(q.code, draw(st.sampled_from([0, 5, 20, 49, 50, 500]))))
        elif q.answer_type == "multi_choice":
            answers.append(t.Answer(q.code, tuple(draw(st.sets(st.sampled_from(VALUES), min_size=1)))))
        else:
            answers.append(t.Answer(q.code, draw(st.sampled_from(VALUES))))
    return t.ScoringInput(sections, questions, tuple(answers), params, as_of=AS_OF)


def worsen(answer: t.Answer, q: t.QuestionSpec) -> t.Answer:
    if q.answer_type == "number":
        return t.Answer(q.code, 0)
    if q.answer_type == "multi_choice":
        return t.Answer(q.code, (*answer.value, "v4"))
    return t.Answer(q.code, "v4")


def replace(inp: t.ScoringInput, answers) -> t.ScoringInput:
    return t.ScoringInput(**{**inp.__dict__, "answers": tuple(answers)})


@settings(max_examples=150, deadline=None)
@given(answered(), st.data())
def test_worsening_one_answer_never_lowers_a_section_or_improves_the_decision(inp, data):
    specs = {q.code: q for q in inp.questions}
    scorable = [a for a in inp.answers if specs[a.code].audience != "buyer"]
    if not scorable:
        return
    target = data.draw(st.sampled_from(scorable))
    worse = replace(inp, [worsen(a, specs[a.code]) if a is target else a for a in inp.answers])
    before, after = score(inp), score(worse)
    for s_before, s_after in zip(before.sections, after.sections, strict=True):
        if s_before.risk is not None:
            assert s_after.risk >= s_before.risk
            assert BANDS.index(s_after.band) >= BANDS.index(s_before.band)
    assert DECISIONS.index(after.decision) >= DECISIONS.index(before.decision)


@settings(max_examples=150, deadline=None)
@given(answered(), st.data())
def test_marking_a_question_na_equals_leaving_it_out_of_the_bank(inp, data):
    specs = {q.code: q for q in inp.questions}
    candidates = [q for q in inp.questions[1:] if q.code != inp.questions[1].code]
    if not candidates:
        return
    target = data.draw(st.sampled_from(candidates))
    with_na = replace(inp, [a for a in inp.answers if a.code != target.code] + [t.Answer(target.code, na=True)])
    removed = t.ScoringInput(
        **{
            **inp.__dict__,
            "questions": tuple(q for q in inp.questions if q.code != target.code),
            "answers": tuple(a for a in inp.answers if a.code != target.code),
        }
    )
    a, b = score(with_na), score(removed)
    assert [s.risk for s in a.sections] == [s.risk for s in b.sections]
    assert (a.overall_risk, a.decision, a.tier) == (b.overall_risk, b.decision, b.tier)
    assert specs[target.code].code not in a.unanswered


@settings(max_examples=100, deadline=None)
@given(answered(), st.randoms(use_true_random=False))
def test_order_of_questions_sections_and_answers_does_not_matter(inp, rnd):
    questions, sections, answers = list(inp.questions), list(inp.sections), list(inp.answers)
    rnd.shuffle(questions)
    rnd.shuffle(sections)
    rnd.shuffle(answers)
    shuffled = t.ScoringInput(tuple(sections), tuple(questions), tuple(answers), inp.params, as_of=AS_OF)
    a, b = score(inp), score(shuffled)
    assert {s.code: (s.risk, s.band) for s in a.sections} == {s.code: (s.risk, s.band) for s in b.sections}
    assert (a.overall_risk, a.tier, a.residual, a.decision) == (b.overall_risk, b.tier, b.residual, b.decision)
    assert [k.name for k in a.knockouts] == [k.name for k in b.knockouts]
    assert sorted(a.unanswered) == sorted(b.unanswered)


@settings(max_examples=100, deadline=None)
@given(answered())
def test_the_same_input_always_gives_the_same_output(inp):
    assert score(inp) == score(inp)
    assert score(inp).as_dict() == score(inp).as_dict()
