"""Bank documents and answer files as scoring input. Pure Python (no Django).

The assessments app has its own selector that reads database rows; this
module serves bank files and the answer files used for vendor profiles,
tests and ``score_answers``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from procurement.questionbank.document import read_yaml
from procurement.scoring import types as t

NA_MARK = "N/A"


def specs_from_document(doc: dict) -> tuple[tuple[t.SectionSpec, ...], tuple[t.QuestionSpec, ...]]:
    sections = tuple(t.SectionSpec(s["code"], s["title"], float(s["weight"])) for s in doc["sections"])
    questions = tuple(
        t.QuestionSpec(
            code=q["code"],
            section=s["code"],
            answer_type=q["type"],
            weight=q["weight"],
            critical=q["critical"],
            scored=q["scored"],
            audience=q["audience"],
            choices=tuple(t.ChoiceSpec(c["value"], c["points"], c["label"]) for c in q["choices"]),
            bands=tuple(t.Band(b["from"], b["to"], b["points"]) for b in q["bands"]),
            show_if=t.ShowIf(q["show_if"]["question"], tuple(q["show_if"]["in"])) if q["show_if"] else None,
            unit=q["unit"],
            text=q["text"],
        )
        for s in doc["sections"]
        for q in s["questions"]
    )
    return sections, questions


def answer_from_value(code: str, value: Any) -> t.Answer:
    if value == NA_MARK:
        return t.Answer(code, None, na=True)
    if isinstance(value, list):
        return t.Answer(code, tuple(_word(v) for v in value))
    if isinstance(value, bool):
        return t.Answer(code, _word(value))
    return t.Answer(code, value)


def _word(value: Any) -> Any:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value) if not isinstance(value, int | float | dt.date) else value


def input_from_answer_file(doc: dict, raw: bytes | str, *, source: str = "<answers>") -> t.ScoringInput:
    """An answer file: {as_of: DATE, answers: {CODE: value | [values] | N/A}, overrides: [...], waivers: [...]}."""
    data = read_yaml(raw, source=source, max_bytes=1024 * 1024)
    sections, questions = specs_from_document(doc)
    known = {q.code for q in questions}
    unknown = sorted(set(data.get("answers", {})) - known)
    if unknown:
        raise ValueError(f"{source}: answers for questions not in the bank: {', '.join(unknown)}")
    as_of = data.get("as_of") or dt.date.today()
    return t.ScoringInput(
        sections=sections,
        questions=questions,
        answers=tuple(answer_from_value(code, value) for code, value in data.get("answers", {}).items()),
        params=doc["version"]["rule_params"],
        overrides=tuple(
            t.Override(o["question"], int(o["points"]), str(o["reason"]), str(o.get("by", "")))
            for o in data.get("overrides", [])
        ),
        waivers=tuple(t.Waiver(w["rule"], str(w["reason"]), str(w.get("by", ""))) for w in data.get("waivers", [])),
        as_of=as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of)),
    )
