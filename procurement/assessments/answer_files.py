"""Answers as files (JSON, YAML or CSV keyed by question code): validate everything, then write.

Formats:
- JSON / YAML: a mapping ``{CODE: value}``; a list for multiple choice; a date as
  YYYY-MM-DD; ``{na: "why it does not apply"}`` for N/A; ``not disclosed`` when the vendor
  does not disclose a number or a date. YAML values are text until the question types them
  (strict scalars: ``10_30`` and ``'10_30'`` are the same choice).
- CSV: header ``code,value,na_reason``; multiple choices separated by ``|``;
  value ``N/A`` with a reason in ``na_reason``; value ``not disclosed``. The export adds ``question`` and
  ``answer (label)`` columns for people (the question's text, the answer as the pages show
  it); the import reads codes and values only and ignores them.
- What an answer rests on (``statement``, ``document``, ``attestation``): a ``basis`` column in
  CSV, ``{answers: {...}, basis: {CODE: basis}}`` in JSON / YAML. Absent: the answer keeps
  the basis it has (a new one rests on the vendor's statement). A reviewer still confirms it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import replace
from typing import Any

import yaml
from django.utils import timezone

from procurement.assessments.presentation import answer_label, has_basis
from procurement.assessments.services import AnswerInput
from procurement.core.cells import csv_row, csv_value
from procurement.core.loaders import LineDict, LoadError, load_json, load_yaml
from procurement.core.scalars import to_date, to_number
from procurement.core.text import text_problem
from procurement.questionbank.values import UNDISCLOSED_MARK, allows_undisclosed, check_limits, is_undisclosed_mark
from procurement.scoring.provider_table import TableError, clean_rows
from procurement.scoring.types import BASES, STATEMENT

MAX_BYTES = 2 * 1024 * 1024
FORMATS = ("json", "yaml", "csv")


class AnswerFileError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def detect_format(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    fmt = {"yml": "yaml"}.get(suffix, suffix)
    if fmt not in FORMATS:
        raise AnswerFileError([f"{name}: unknown format; use a .json, .yaml or .csv file"])
    return fmt


def _csv_rows(text: str, source: str) -> list[tuple[str, str, Any, str | None, str | None]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or not {"code", "value"} <= set(reader.fieldnames):
        raise AnswerFileError([f"{source}: the header must be code,value,na_reason"])
    rows = []
    for i, row in enumerate(reader, start=2):
        # csv_value undoes the apostrophe the export puts before formula-like text.
        code = csv_value((row.get("code") or "").strip())
        value = csv_value((row.get("value") or "").strip())
        reason = csv_value((row.get("na_reason") or "").strip())
        basis = csv_value((row.get("basis") or "").strip()) or None
        if value.upper() == "N/A":
            rows.append((f"{source}:{i}", code, None, reason, basis))
        else:
            rows.append((f"{source}:{i}", code, value, None, basis))
    return rows


def _rows(raw: bytes, fmt: str, source: str) -> list[tuple[str, str, Any, str | None, str | None]]:
    """(where, code, value, na_reason or None, basis or None)."""
    if len(raw) > MAX_BYTES:
        raise AnswerFileError([f"{source}: file is {len(raw)} bytes; the limit is {MAX_BYTES}"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AnswerFileError([f"{source}: not UTF-8 text"]) from None
    if fmt == "csv":
        try:
            return _csv_rows(text, source)
        except csv.Error as exc:
            raise AnswerFileError([f"{source}: not a readable CSV file ({exc})"]) from None
    load = load_json if fmt == "json" else load_yaml
    try:
        data = load(text, source=source, max_bytes=MAX_BYTES)
    except LoadError as exc:
        raise AnswerFileError([str(exc)]) from None
    bases: Any = {}
    if isinstance(data, dict) and set(data) in ({"answers"}, {"answers", "basis"}):
        data, bases = data["answers"], data.get("basis") or {}
    if not isinstance(data, dict):
        raise AnswerFileError([f"{source}: expected a mapping of question codes to answers"])
    if not isinstance(bases, dict):
        raise AnswerFileError([f"{source}: 'basis' must map question codes to statement, document or attestation"])
    unanswered = sorted(str(code) for code in set(bases) - set(data))
    if unanswered:
        raise AnswerFileError([f"{source}: basis for questions the file does not answer: {', '.join(unanswered)}"])
    rows = []
    for code, value in data.items():
        line = data.key_line(code) if isinstance(data, LineDict) else 0
        where = f"{source}:{line} ({code})" if line else f"{source} ({code})"
        if isinstance(value, dict) and set(value) == {"na"}:
            reason = value["na"]
            if reason is not None and not isinstance(reason, str | int | float):
                raise AnswerFileError([f"{where}: give the N/A justification as text"])
            rows.append((where, str(code), None, str(reason or ""), None))
        else:
            basis = bases.get(code)
            rows.append((where, str(code), value, None, None if basis is None else str(basis)))
    return rows


def parse_answers(
    raw: bytes, *, fmt: str, source: str, questions: dict[str, dict], warnings: list[str] | None = None
) -> dict[str, AnswerInput]:
    """Every problem, or the answers to write. ``questions`` is the bank's question index.

    A number or date outside its question's limits is a problem; one outside the usual (soft)
    range is written, with a line added to ``warnings``."""
    problems: list[str] = []
    today = timezone.localdate()
    result: dict[str, AnswerInput] = {}
    for where, code, value, na_reason, basis in _rows(raw, fmt, source):
        q = questions.get(code)
        if q is None:
            problems.append(f"{where}: {code!r} is not a question of this bank version")
        elif code in result:
            problems.append(f"{where}: {code} is answered twice")
        elif q["audience"] == "reviewer":
            problems.append(f"{where}: {code} is for reviewers only")
        elif q["type"] == "evidence":
            problems.append(f"{where}: {code} takes a file upload; attach it in the app")
        elif basis is not None and basis not in BASES:
            problems.append(f"{where}: {code}: basis {basis!r} is not one of {', '.join(BASES)}")
        elif basis not in (None, STATEMENT) and not has_basis(q):
            problems.append(f"{where}: {code} is not a vendor's scored answer, so it rests on nothing to say")
        else:
            answer, problem, warning = _answer(q, value, na_reason, fmt, today)
            if answer is not None and basis is not None and has_basis(q):
                answer = replace(answer, basis=basis)
            if problem:
                problems.append(f"{where}: {problem}")
            else:
                result[code] = answer
            if warning and warnings is not None:
                warnings.append(f"{where}: {warning}")
    if problems:
        raise AnswerFileError(problems)
    return result


def _answer(
    q: dict, value: Any, na_reason: str | None, fmt: str, today: dt.date
) -> tuple[AnswerInput | None, str, str]:
    """(answer, problem, warning) for one row."""
    code = q["code"]
    if na_reason is not None:
        if not q["na"]:
            return None, f"{code} cannot be marked not applicable", ""
        if not na_reason:
            return None, f"{code} is N/A without a justification", ""
        if problem := text_problem(na_reason):
            return None, f"{code}: the justification {problem}", ""
        return AnswerInput(na=True, na_reason=na_reason), "", ""
    if is_undisclosed_mark(value):
        if not allows_undisclosed(q):
            return None, f"{code} cannot be 'not disclosed' (only number and date questions can)", ""
        return AnswerInput(undisclosed=True), "", ""
    try:
        typed = _coerce(q, value, fmt)
    except ValueError as exc:
        return None, f"{code}: {exc}", ""
    checked = check_limits(q, typed, today)
    if checked.error:
        return None, checked.error, ""
    return AnswerInput(value=typed), "", checked.warning


def _coerce(q: dict, value: Any, fmt: str) -> Any:
    if value is None or value == "":
        return None
    qtype = q["type"]
    if qtype == "provider_table":
        return _coerce_provider_table(value)
    if not isinstance(value, str | int | float | list | dt.date):
        raise ValueError("give a single value, or a list for several choices")
    valid = [c["value"] for c in q["choices"]]
    return _COERCERS.get(qtype, _coerce_text)(value, valid)


def _coerce_provider_table(value: Any) -> list | None:
    if isinstance(value, str):  # a CSV cell holds the rows as JSON
        try:
            value = load_json(value, source="", max_bytes=MAX_BYTES)
        except LoadError as exc:
            raise ValueError(f"give the provider rows as a JSON list ({exc.message})") from None
    try:
        return clean_rows(value) or None
    except TableError as exc:
        raise ValueError(" ".join(exc.problems)) from None


def _coerce_choice(value: Any, valid: list[str]) -> str:
    if isinstance(value, list):
        raise ValueError("give one choice, not a list")
    value = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else str(value)
    if value not in valid:
        raise ValueError(f"{value!r} is not one of {', '.join(valid)}")
    return value


def _coerce_choices(value: Any, valid: list[str]) -> list[str]:
    items = value.split("|") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str | int | float) for v in items):
        raise ValueError("give a list of choices")
    items = [str(v).strip() for v in items if str(v).strip()]
    bad = [v for v in items if v not in valid]
    if bad:
        raise ValueError(f"{', '.join(map(repr, bad))} not among {', '.join(valid)}")
    return items


def _coerce_number(value: Any, valid: list[str]) -> int | float:
    if isinstance(value, bool | list | dt.date):
        raise ValueError("expected a number")
    number = to_number(value)  # plain decimals only: not 1e3, 10_30 or inf
    return int(number) if float(number).is_integer() else number


def _coerce_date(value: Any, valid: list[str]) -> str:
    return to_date(value).isoformat()


def _coerce_text(value: Any, valid: list[str]) -> str:
    if isinstance(value, list):
        raise ValueError("give text, not a list")
    text = str(value).strip()
    if len(text) > 20_000:
        raise ValueError("text longer than 20,000 characters")
    if problem := text_problem(text):
        raise ValueError(f"text {problem}")
    return text


# One coercer per answer type; any other type is read as text.
_COERCERS = {
    "single_choice": _coerce_choice,
    "yes_no": _coerce_choice,
    "multi_choice": _coerce_choices,
    "number": _coerce_number,
    "date": _coerce_date,
}


CSV_HEADER = ("code", "value", "na_reason", "question", "answer (label)", "basis")


def dump_answers(answers: dict[str, dict], *, fmt: str, questions: dict[str, dict] | None = None) -> str:
    """``answers`` maps code -> {value, na, na_reason} (stored shape). ``questions`` (the bank's
    question index) fills the CSV's columns for people: the question and the answer's label."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for code in sorted(answers):
            a = answers[code]
            if a["na"]:
                cells = [code, "N/A", a["na_reason"]]
            elif a.get("undisclosed"):
                cells = [code, UNDISCLOSED_MARK, ""]
            elif isinstance(a["value"], list) and a["value"] and isinstance(a["value"][0], dict):
                cells = [code, json.dumps(a["value"], ensure_ascii=False), ""]
            elif isinstance(a["value"], list):
                cells = [code, "|".join(a["value"]), ""]
            elif a["value"] is not None:
                cells = [code, a["value"], ""]
            else:
                continue
            writer.writerow(csv_row([*cells, *_for_people(code, a, questions), a.get("basis", "")]))
        return out.getvalue()
    data = {
        code: {"na": a["na_reason"]} if a["na"] else UNDISCLOSED_MARK if a.get("undisclosed") else a["value"]
        for code, a in sorted(answers.items())
        if a["na"] or a.get("undisclosed") or a["value"] is not None
    }
    # Answers resting on more than the vendor's statement: the file says so beside them (without
    # any, the file keeps its plain shape).
    bases = {code: a["basis"] for code, a in sorted(answers.items()) if a.get("basis") and code in data}
    if bases:
        data = {"answers": data, "basis": bases}
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _for_people(code: str, stored: dict, questions: dict[str, dict] | None) -> list[str]:
    """The question's text and the answer as the pages show it ("" without the bank)."""
    q = (questions or {}).get(code)
    if q is None:
        return ["", ""]
    return [q["text"], answer_label(q, stored)[1]]
