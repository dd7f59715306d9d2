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


def scoring_basis(basis: str, *, confirmed: bool) -> str:
    """The basis the engine counts: a document or an attestation only once a reviewer has
    confirmed it; until then, and for anything unknown, the vendor's statement."""
    if basis in t.BASES and (confirmed or basis == t.STATEMENT):
        return basis
    return t.STATEMENT


def scoring_answer(
    code: str, value: Any, *, na: bool = False, undisclosed: bool = False, basis: str = t.STATEMENT
) -> t.Answer:
    """One answer as the engine reads it, from a stored or typed value: N/A, "not disclosed",
    a list as a tuple of choice values, and the basis it rests on (see ``scoring_basis``).
    Both adapters use it: answer files here, database rows in procurement.assessments.selectors."""
    if na:
        return t.Answer(code, None, na=True)
    if undisclosed:
        return t.Answer(code, None, undisclosed=True)
    if isinstance(value, list | tuple):
        value = tuple(str(v) for v in value)
    return t.Answer(code, value, basis=basis)


def answer_from_value(code: str, value: Any, basis: str = t.STATEMENT) -> t.Answer:
    """A value already typed for its question (``values.typed_value``) as a scoring answer."""
    return scoring_answer(code, value, na=value == NA_MARK, undisclosed=is_undisclosed_mark(value), basis=basis)


def input_from_answer_file(doc: dict, raw: bytes | str, *, source: str = "<answers>") -> t.ScoringInput:
    """An answer file: {as_of: DATE, answers: {CODE: value | [values] | N/A | not disclosed},
    overrides: [...], waivers: [...]}. Raises ValueError listing every problem."""
    return read_answer_file(doc, raw, source=source)[0]


def read_answer_file(doc: dict, raw: bytes | str, *, source: str = "<answers>") -> tuple[t.ScoringInput, list[str]]:
    """The scoring input and the warnings (values outside a question's usual range, kept).

    ``basis: {CODE: statement | document | attestation}`` says what an answer rests on (absent:
    the vendor's statement); the file's author vouches for it, as a reviewer does on the pages.

    Values are typed by their question (the strict loader gives text), checked against the
    question's limits relative to the file's ``as_of`` (else today); a value outside them is a
    problem, and every problem is raised together as one ValueError naming file, line and code.
    """
    return answers_from_data(doc, answer_file_data(raw, source=source), source=source)


def answer_file_data(raw: bytes | str, *, source: str = "<answers>") -> Any:
    """An answer file as the strict loader reads it (mappings that know their lines)."""
    return read_yaml(raw, source=source, max_bytes=1024 * 1024)


def answers_from_data(doc: dict, data: Any, *, source: str = "<answers>") -> tuple[t.ScoringInput, list[str]]:
    """``read_answer_file`` on a file already read (``answer_file_data``); ``data`` is not changed."""
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
    bases = _bases(data, given, source, problems)
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
        answers.append(answer_from_value(code, typed, bases.get(code, t.STATEMENT)))
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


def _bases(data: dict, given: dict, source: str, problems: list[str]) -> dict[str, str]:
    """The file's ``basis`` mapping, checked: each code answered in the file, each basis known."""
    bases = data.get("basis") or {}
    if not isinstance(bases, dict):
        problems.append(f"{_where(source, data, 'basis')}: 'basis' must map question codes to {', '.join(t.BASES)}")
        return {}
    for code, basis in bases.items():
        where = _where(source, bases, code)
        if code not in given:
            problems.append(f"{where}: basis for {code}, which the file does not answer")
        elif basis not in t.BASES:
            problems.append(f"{where}: {code}: basis {basis!r} is not one of {', '.join(t.BASES)}")
    return {str(code): str(basis) for code, basis in bases.items()}


def _where(source: str, mapping: Any, key: Any) -> str:
    line = mapping.key_line(key) if isinstance(mapping, LineDict) else 0
    return f"{source}:{line}" if line else source
