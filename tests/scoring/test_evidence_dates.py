"""Scoring input from the evidence register and the model lifecycle (issue 23), no database:
an answer whose supporting documents have all expired scores as stale, naming the document and
the date; an announced model retirement inside our days to migrate fires the one
model-retirement rule with a due date."""

import dataclasses
import datetime as dt

from procurement.scoring import types as t
from procurement.scoring.engine import score
from tests.scoring.helpers import profile, with_answers

BASE = profile("hyperscaler-pinned-region")  # as_of 2026-11-22, INT-06 = 60 days to migrate


def _with(inp, **fields):
    return dataclasses.replace(inp, **fields)


def _question(result, code):
    return next(q for q in result.questions if q.code == code)


def _soc2(expires: dt.date, name="soc2-2025.pdf") -> t.EvidenceDate:
    return t.EvidenceDate("SEC-01A", name, "SOC 2 Type II report", expires)


def test_an_answer_whose_only_document_expired_scores_as_stale_naming_document_and_date():
    inp = with_answers(BASE, SEC_01A=dt.date(2026, 6, 30))  # 4 months old: fresh, 0 points
    assert _question(score(inp), "SEC-01A").points == 0
    result = score(_with(inp, evidence=(_soc2(dt.date(2026, 11, 1)),)))
    q = _question(result, "SEC-01A")
    assert q.points == 4 and q.original_points == 4
    assert "its supporting SOC 2 Type II report 'soc2-2025.pdf' expired on 2026-11-01 -> stale, worst 4" in (
        q.explanation
    )


def test_a_document_still_current_on_the_scoring_date_changes_nothing():
    inp = with_answers(BASE, SEC_01A=dt.date(2026, 6, 30))
    plain = _question(score(inp), "SEC-01A")
    dated = _question(score(_with(inp, evidence=(_soc2(inp.as_of),))), "SEC-01A")  # expires today: still counts
    assert dated == plain


def test_one_current_document_among_expired_ones_keeps_the_answer_fresh():
    inp = with_answers(BASE, SEC_01A=dt.date(2026, 6, 30))
    evidence = (_soc2(dt.date(2025, 1, 1), "old.pdf"), _soc2(dt.date(2027, 6, 30), "new.pdf"))
    assert _question(score(_with(inp, evidence=evidence)), "SEC-01A").points == 0


def test_expired_evidence_on_a_choice_answer_scores_it_at_its_worst():
    inp = _with(BASE, evidence=(t.EvidenceDate("SEC-02", "iso.pdf", "ISO/IEC 27001 certificate", dt.date(2026, 1, 1)),))
    q = _question(score(inp), "SEC-02")
    worst = next(spec for spec in BASE.questions if spec.code == "SEC-02").worst_points
    assert _question(score(BASE), "SEC-02").points < worst
    assert q.points == q.original_points == worst and "'iso.pdf' expired on 2026-01-01" in q.explanation


def test_the_scoring_date_moves_an_answer_past_its_documents_expiry():
    """Rescoring an open assessment later (as_of moves) makes the same input stale."""
    inp = _with(with_answers(BASE, SEC_01A=dt.date(2026, 6, 30)), evidence=(_soc2(dt.date(2027, 1, 31)),))
    assert _question(score(inp), "SEC-01A").points == 0
    assert _question(score(_with(inp, as_of=dt.date(2027, 2, 1))), "SEC-01A").points == 4


def _retirement(result):
    return next((h for h in result.knockouts + result.flags if h.name == "model_retirement_notice"), None)


def test_a_retirement_inside_our_days_to_migrate_fires_the_model_retirement_rule_with_a_due_date():
    inp = _with(BASE, facts={**BASE.facts, "model_retirement_days": 20.0})  # 20 days left, 60 needed
    hit = _retirement(score(inp))
    assert hit is not None
    assert hit.compared["retires_on"] == hit.compared["due_date"] == "2026-12-12"
    assert hit.compared["gap_days"] == 40
    assert hit.reasons[0].startswith("The vendor has announced that the model this service uses retires on 12 Dec 2026")
    assert hit.inputs["fact:model_retirement_days"] == 20


def test_a_retirement_beyond_our_days_to_migrate_stays_quiet():
    assert _retirement(score(_with(BASE, facts={"model_retirement_days": 400.0}))) is None


def test_without_an_announced_retirement_the_rule_reads_only_the_answers():
    assert _retirement(score(BASE)) is None
