"""Bank documents and answer files as scoring input. Pure Python (no Django).

The assessments app has its own selector that reads database rows; this
module serves bank files and the answer files used for vendor profiles,
tests and ``score_answers``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from procurement.core.loaders import LineDict
from procurement.core.scalars import to_date, to_number
from procurement.questionbank.document import read_yaml
from procurement.questionbank.values import allows_undisclosed, check_limits, is_undisclosed_mark, typed_value
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
            score_by=q.get("score_by", ""),  # absent from documents frozen before it existed
        )
        for s in doc["sections"]
        for q in s["questions"]
    )
    return sections, questions


def answer_from_value(code: str, value: Any) -> t.Answer:
    """A value already typed for its question (``values.typed_value``) as a scoring answer."""
    if value == NA_MARK:
        return t.Answer(code, None, na=True)
    if is_undisclosed_mark(value):
        return t.Answer(code, None, undisclosed=True)
    if isinstance(value, list):
        return t.Answer(code, tuple(str(v) for v in value))
    return t.Answer(code, value)


def input_from_answer_file(doc: dict, raw: bytes | str, *, source: str = "<answers>") -> t.ScoringInput:
    """An answer file: {as_of: DATE, answers: {CODE: value | [values] | N/A | not disclosed},
    overrides: [...], waivers: [...]}. Raises ValueError listing every problem."""
    return read_answer_file(doc, raw, source=source)[0]


def read_answer_file(doc: dict, raw: bytes | str, *, source: str = "<answers>") -> tuple[t.ScoringInput, list[str]]:
    """The scoring input and the warnings (values outside a question's usual range, kept).

    Values are typed by their question (the strict loader gives text), checked against the
    question's limits relative to the file's ``as_of`` (else today); a value outside them is a
    problem, and every problem is raised together as one ValueError naming file, line and code.
    """
    data = read_yaml(raw, source=source, max_bytes=1024 * 1024)
    if not isinstance(data, dict):
        raise ValueError(f"{source}: expected a mapping with 'answers'")
    sections, questions = specs_from_document(doc)
    index = {q["code"]: q for s in doc["sections"] for q in s["questions"]}
    given = data.get("answers") or {}
    if not isinstance(given, dict):
        raise ValueError(f"{source}: 'answers' must map question codes to answers")
    unknown = sorted(str(code) for code in set(given) - set(index))
    if unknown:
        raise ValueError(f"{source}: answers for questions not in the bank: {', '.join(unknown)}")
    try:
        as_of = to_date(data["as_of"]) if data.get("as_of") is not None else dt.date.today()
    except ValueError as exc:
        raise ValueError(f"{_where(source, data, 'as_of')}: as_of: {exc}") from None
    problems: list[str] = []
    warnings: list[str] = []
    answers = []
    for code, value in given.items():
        q = index[code]
        where = _where(source, given, code)
        if value == NA_MARK:
            answers.append(t.Answer(code, None, na=True))
            continue
        if is_undisclosed_mark(value):
            if not allows_undisclosed(q):
                problems.append(
                    f"{where}: {code}: only number and date questions the vendor answers can be 'not disclosed'"
                )
            answers.append(t.Answer(code, None, undisclosed=True))
            continue
        try:
            typed = typed_value(q, value)
        except ValueError as exc:
            problems.append(f"{where}: {code}: {exc}")
            continue
        checked = check_limits(q, typed, as_of)
        if checked.error:
            problems.append(f"{where}: {checked.error}")
            continue
        if checked.warning:
            warnings.append(f"{where}: {checked.warning}")
        answers.append(answer_from_value(code, typed))
    try:
        overrides = tuple(
            t.Override(o["question"], int(to_number(o["points"])), str(o["reason"]), str(o.get("by", "")))
            for o in data.get("overrides", [])
        )
    except (KeyError, TypeError, ValueError) as exc:
        problems.append(f"{source}: overrides: each needs question, points (0-4) and reason ({exc})")
        overrides = ()
    if problems:
        raise ValueError("\n".join(problems))
    inp = t.ScoringInput(
        sections=sections,
        questions=questions,
        answers=tuple(answers),
        params=doc["version"]["rule_params"],
        overrides=overrides,
        waivers=tuple(t.Waiver(w["rule"], str(w["reason"]), str(w.get("by", ""))) for w in data.get("waivers", [])),
        as_of=as_of,
    )
    return inp, warnings


def _where(source: str, mapping: Any, key: Any) -> str:
    line = mapping.key_line(key) if isinstance(mapping, LineDict) else 0
    return f"{source}:{line}" if line else source
