"""Whole-version publish rules, shared by file loading and publishing: codes, answer rules,
conditional visibility (earlier questions only, no cycles) and the rule parameters."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from procurement.questionbank.document.schema import BANDED_TYPES, CHOICE_TYPES, CODE_RE, DATE_MEASURES, Problem
from procurement.questionbank.values import parse_offset
from procurement.scoring.params import VersionIndex, validate_rule_params


def validate_document(doc: dict, *, source: str = "", lines: dict[str, int] | None = None) -> list[Problem]:
    """The publish rules. Returns every problem; an empty list means publishable."""
    lines = lines or {}
    problems: list[Problem] = []

    def add(code: str, message: str) -> None:
        line = lines.get(code)
        where = f"{source}:{line}" if source and line else source
        where = f"{where} ({code})" if where else code
        problems.append(Problem(where, message, code))

    position, by_code = _check_codes(doc, add)
    for code, q in by_code.items():
        _check_answer_rules(q, lambda msg, code=code: add(code, msg))
    _check_show_if(by_code, position, add)
    for message in validate_rule_params(doc["version"]["rule_params"], _question_index(doc)):
        problems.append(Problem(f"{source} (rule_params)" if source else "rule_params", message, "rule_params"))
    return problems


def _check_codes(doc: dict, add: Callable[[str, str], None]) -> tuple[dict[str, int], dict[str, dict]]:
    """Section and question codes well formed and unique. Returns each question's position and
    the questions by code (the first of a repeated code)."""
    section_codes: set[str] = set()
    position: dict[str, int] = {}
    by_code: dict[str, dict] = {}
    for section in doc["sections"]:
        scode = section["code"]
        if not CODE_RE.match(scode or ""):
            add(scode or "?", f"section code {scode!r} must be upper-case letters and digits, e.g. SUP")
        if scode in section_codes:
            add(scode, f"section code {scode} is used twice")
        section_codes.add(scode)
        for q in section["questions"]:
            code = q["code"]
            if not CODE_RE.match(code or ""):
                add(code or "?", f"question code {code!r} must look like SUP-05")
            if code in position:
                add(code, f"question code {code} is used twice")
                continue
            position[code] = len(position)
            by_code[code] = q
    return position, by_code


def _check_show_if(by_code: dict[str, dict], position: dict[str, int], add: Callable[[str, str], None]) -> None:
    """Conditional visibility: only on an earlier choice or yes_no question, never a cycle."""
    for code, q in by_code.items():
        cond = q["show_if"]
        if not cond:
            continue
        target = cond["question"]
        if target not in by_code:
            add(code, f"show_if refers to {target}, which is not in this version")
            continue
        if target == code:
            add(code, "show_if refers to the question itself (a cycle)")
            continue
        if position[target] > position[code]:
            add(code, f"show_if refers to {target}, which comes later; a question may only depend on an earlier one")
        valid = {ch["value"] for ch in by_code[target]["choices"]}
        if by_code[target]["type"] in (*BANDED_TYPES, "text", "evidence", "provider_table"):
            add(code, f"show_if on {target} needs a choice or yes_no question")
        else:
            for value in cond["in"]:
                if value not in valid:
                    add(code, f"show_if value {value!r} is not a choice of {target} ({', '.join(sorted(valid))})")
    for cycle in _cycles(by_code):
        add(cycle[0], "show_if dependencies form a cycle: " + " -> ".join([*cycle, cycle[0]]))


LIMITS_IN_ORDER = ("min", "soft_min", "soft_max", "max")


def _offset_days(text: str) -> float:
    amount, unit = parse_offset(text)
    return amount * {"d": 1, "m": 30.44, "y": 365.25}[unit]


def _check_limits(q: dict, add) -> None:
    """Limits (a file's or a version edited in the admin): known keys, of the question's kind, in order."""
    qtype, limits = q["type"], q.get("limits") or {}
    if not isinstance(limits, dict):
        add("limits must be a mapping of min, max, soft_min, soft_max")
        return
    if limits and qtype not in BANDED_TYPES:
        add(f"a {qtype} question takes no limits (only number and date questions do)")
        return
    unknown = sorted(set(limits) - set(LIMITS_IN_ORDER))
    if unknown:
        add(f"unknown limit(s) {', '.join(unknown)} (allowed: min, max, soft_min, soft_max)")
    if qtype == "number":
        good = {k: v for k, v in limits.items() if isinstance(v, int | float) and not isinstance(v, bool)}
        size = float
    else:
        good = {k: v for k, v in limits.items() if parse_offset(v) is not None}
        size = _offset_days
    for key in sorted(set(limits) & set(LIMITS_IN_ORDER) - set(good)):
        kind = "a number" if qtype == "number" else "an offset from today such as -3y, +1y, -18m or 30d"
        add(f"'{key}' must be {kind} (found {limits[key]!r})")
    order = [k for k in LIMITS_IN_ORDER if k in good]
    for before, after in itertools.pairwise(order):
        if size(good[before]) > size(good[after]):
            add(f"'{before}' ({good[before]}) must not be above '{after}' ({good[after]})")
    score_by = q.get("score_by") or ""
    if score_by and (qtype != "date" or score_by not in DATE_MEASURES):
        add(f"'score_by' {score_by!r} needs a date question and one of {', '.join(DATE_MEASURES)}")


def _check_answer_rules(q: dict, add) -> None:
    qtype = q["type"]
    _check_limits(q, add)
    if not q["text"]:
        add("the question has no text")
    if qtype in (*CHOICE_TYPES, "yes_no"):
        values = [ch["value"] for ch in q["choices"]]
        for value in {v for v in values if values.count(v) > 1}:
            add(f"choice value {value!r} is used twice")
        old = [r for ch in q["choices"] for r in ch.get("renamed_from", ())]
        for value in sorted({v for v in old if v in values or old.count(v) > 1}):
            add(f"renamed_from value {value!r} is a current choice value or is claimed twice")
        if q["scored"]:
            missing = [ch["value"] for ch in q["choices"] if ch["points"] is None]
            if missing:
                add(f"scored question has choices with no risk points: {', '.join(missing)}")
    if qtype in BANDED_TYPES and q["scored"]:
        if not q["bands"]:
            add(f"scored {qtype} question has no risk bands")
            return
        for message in band_problems(q["bands"]):
            add(message)


def band_problems(bands: list[dict]) -> list[str]:
    """A question's risk bands: each non-empty, in order, each starting where the previous one
    ends, from 0 (or unbounded) to unbounded. Messages in words; empty means the bands work."""
    problems = []
    if bands[0]["from"] is not None and bands[0]["from"] > 0:
        problems.append(f"bands start at {bands[0]['from']}; values below it would get no points (start at 0 or null)")
    for band in bands:
        if band["from"] is not None and band["to"] is not None and band["from"] >= band["to"]:
            problems.append(f"band from {band['from']} to {band['to']} is empty or reversed")
    for before, after in itertools.pairwise(bands):
        if before["to"] is None or after["from"] is None or before["to"] != after["from"]:
            problems.append(
                f"bands leave a gap or overlap between {before['from']}-{before['to']} "
                f"and {after['from']}-{after['to']}; each band must start where the previous one ends"
            )
    if bands[-1]["to"] is not None:
        problems.append(
            f"the last band ends at {bands[-1]['to']}; larger values would get no points (end with to: null)"
        )
    return problems


def _cycles(by_code: dict[str, dict]) -> list[list[str]]:
    edges = {code: q["show_if"]["question"] for code, q in by_code.items() if q["show_if"]}
    cycles: list[list[str]] = []
    seen: set[str] = set()
    for start in edges:
        path: list[str] = []
        node = start
        while node in edges and node not in seen and node not in path:
            path.append(node)
            node = edges[node]
        if node in path and len(path[path.index(node) :]) > 1:
            cycle = path[path.index(node) :]
            if not any(set(cycle) == set(existing) for existing in cycles):
                cycles.append(cycle)
        seen.update(path)
    return cycles


def _question_index(doc: dict) -> VersionIndex:
    """What rule parameters may refer to: each question (first of a repeated code) and the section codes."""
    questions: dict[str, dict] = {}
    for section in doc["sections"]:
        for q in section["questions"]:
            questions.setdefault(
                q["code"],
                {
                    "section": section["code"],
                    "type": q["type"],
                    "audience": q["audience"],
                    "values": [ch["value"] for ch in q["choices"]],
                },
            )
    return VersionIndex(questions=questions, section_codes=frozenset(s["code"] for s in doc["sections"]))


def version_index(doc: dict) -> VersionIndex:
    """What rule parameters may refer to in ``doc`` (for checking parameters edited on their own)."""
    return _question_index(doc)
