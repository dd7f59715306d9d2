"""Reading a bank file into a normalised document: every default filled in, every problem
collected with its file, line and question code (``parse_document`` then runs the publish rules)."""

from __future__ import annotations

from typing import Any

from procurement.core.loaders import LineDict, LoadError, load_yaml
from procurement.core.scalars import number_or_same
from procurement.questionbank.document.schema import (
    ANSWER_TYPES,
    AUDIENCES,
    BAND_KEYS,
    BANDED_TYPES,
    BANK_KEYS,
    CHANGE_KINDS,
    CHOICE_KEYS,
    CHOICE_TYPES,
    DATE_MEASURES,
    FORMAT_VERSION,
    FRESH_MONTHS_MAX,
    QUESTION_KEYS,
    SCORABLE_TYPES,
    SECTION_KEYS,
    SLUG_RE,
    TOP_KEYS,
    VERSION_KEYS,
    WEIGHTS,
    YES_NO_LABELS,
    BankFileError,
    Problem,
)
from procurement.questionbank.document.validate import validate_document
from procurement.questionbank.values import LIMIT_KEYS, parse_offset

# --- YAML reading with line numbers -------------------------------------------


def _line(obj: Any) -> int:
    return getattr(obj, "line", 0)


def read_yaml(raw: bytes | str, *, source: str, max_bytes: int) -> Any:
    """Read YAML through the strict loader (procurement.core.loaders): no aliases, no Python
    objects, bounded depth and size, mappings that know their line."""
    try:
        return load_yaml(raw, source=source, max_bytes=max_bytes)
    except LoadError as exc:
        raise BankFileError([Problem(exc.where, exc.message)]) from None


# --- Parsing into a normalised document ----------------------------------------


class _Collector:
    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []

    def add(self, obj_or_line: Any, message: str, code: str = "") -> None:
        line = obj_or_line if isinstance(obj_or_line, int) else _line(obj_or_line)
        where = f"{self.source}:{line}" if line else self.source
        if code:
            where += f" ({code})"
        self.problems.append(Problem(where, message, code or ""))


def _unknown_keys(c: _Collector, mapping: dict, allowed: set[str], what: str, code: str = "") -> None:
    for key in mapping:
        if key not in allowed:
            c.add(mapping, f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))})", code)


def _text(c: _Collector, mapping: dict, key: str, what: str, code: str = "", required: bool = True) -> str:
    value = mapping.get(key)
    if value is None:
        if required:
            c.add(mapping, f"{what} needs '{key}'", code)
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        c.add(mapping, f"'{key}' must be text", code)
        return ""
    return str(value).strip()


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_document(raw: bytes | str, *, source: str = "<bank>", max_bytes: int = 2 * 1024 * 1024) -> dict:
    """Parse and fully validate a bank file. Returns the normalised document.

    Raises BankFileError listing every problem (file, line, question code).
    """
    data = read_yaml(raw, source=source, max_bytes=max_bytes)
    c = _Collector(source)
    doc = _normalise(c, data)
    if doc:
        # Publish rules run even after structural problems, so one pass lists everything.
        c.problems.extend(validate_document(doc, source=source, lines=_question_lines(data)))
    if c.problems:
        raise BankFileError(c.problems)
    return doc


def _question_lines(data: Any) -> dict[str, int]:
    lines: dict[str, int] = {}
    sections = data.get("sections") if isinstance(data, dict) else None
    for section in sections if isinstance(sections, list) else []:
        questions = section.get("questions") if isinstance(section, dict) else None
        for question in questions if isinstance(questions, list) else []:
            if isinstance(question, dict) and isinstance(question.get("code"), str):
                lines.setdefault(question["code"], _line(question))
    return lines


def _normalise(c: _Collector, data: Any) -> dict:
    if not isinstance(data, dict):
        c.add(0, "the file must be a mapping with 'format', 'bank', 'version' and 'sections'")
        return {}
    _unknown_keys(c, data, TOP_KEYS, "the file")
    if number_or_same(data.get("format")) != FORMAT_VERSION:
        c.add(data, f"'format' must be {FORMAT_VERSION} (found {data.get('format')!r})")

    bank_in = data.get("bank")
    bank: dict = {"slug": "", "name": "", "description": ""}
    if not isinstance(bank_in, dict):
        c.add(data, "'bank' must be a mapping with 'slug' and 'name'")
    else:
        _unknown_keys(c, bank_in, BANK_KEYS, "'bank'")
        bank["slug"] = _text(c, bank_in, "slug", "'bank'")
        if bank["slug"] and not SLUG_RE.match(bank["slug"]):
            c.add(bank_in, f"bank slug {bank['slug']!r} may hold only lowercase letters, digits, '-' and '_'")
        bank["name"] = _text(c, bank_in, "name", "'bank'")
        bank["description"] = _text(c, bank_in, "description", "'bank'", required=False)

    version_in = data.get("version") if data.get("version") is not None else LineDict()
    version: dict = {"changelog": "", "rule_params": {}}
    if not isinstance(version_in, dict):
        c.add(data, "'version' must be a mapping")
    else:
        _unknown_keys(c, version_in, VERSION_KEYS, "'version'")
        version["changelog"] = _text(c, version_in, "changelog", "'version'", required=False)
        params = version_in.get("rule_params", {})
        if not isinstance(params, dict):
            c.add(version_in, "'rule_params' must be a mapping")
        else:
            version["rule_params"] = _typed_params(params)

    sections_in = data.get("sections")
    sections: list[dict] = []
    if not isinstance(sections_in, list) or not sections_in:
        c.add(data, "'sections' must be a non-empty list")
    else:
        for section_in in sections_in:
            section = _normalise_section(c, section_in)
            if section is not None:
                sections.append(section)
    return {"format": FORMAT_VERSION, "bank": bank, "version": version, "sections": sections}


def _yes_no(value: Any) -> Any:
    """YAML 1.1 reads unquoted yes/no as booleans; answer values are the words."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


# Keys of rule parameters that hold text or choice values, never numbers.
_PARAM_TEXT_KEYS = {"title", "explain", "in", "alternative_values"}


def _typed_params(value: Any, key: str = "") -> Any:
    """Rule parameters with numbers typed: the strict loader gives every scalar as text, and
    rule parameters compare numbers (cut-offs, weights, months, levels, ``lt: 90``). A value
    written as plain digits is a number, except in titles, explanations and lists of choice
    values (``in:``, ``alternative_values:``), which stay text."""
    if isinstance(value, dict):
        return {str(_yes_no(k)): _typed_params(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        if key in _PARAM_TEXT_KEYS:
            return [_yes_no(v) for v in value]
        return [_typed_params(v, key) for v in value]
    if key in _PARAM_TEXT_KEYS:
        return value
    return number_or_same(value)


def _normalise_section(c: _Collector, s: Any) -> dict | None:
    if not isinstance(s, dict):
        c.add(0, "each section must be a mapping")
        return None
    code = _text(c, s, "code", "a section")
    _unknown_keys(c, s, SECTION_KEYS, f"section {code or '?'}", code)
    weight = number_or_same(s.get("weight", 1))
    if not _number(weight) or weight < 0:
        c.add(s, f"section weight must be a number >= 0 (found {weight!r})", code)
        weight = 1
    audience = s.get("audience", "vendor")
    if audience not in AUDIENCES:
        c.add(s, f"section audience must be one of {', '.join(AUDIENCES)} (found {audience!r})", code)
        audience = "vendor"
    fresh = _fresh_months(c, s, s.get("fresh_for_months"), f"section {code}", code)
    section = {
        "code": code,
        "title": _text(c, s, "title", f"section {code}", code),
        "description": _text(c, s, "description", "", code, required=False),
        "weight": weight,
        "questions": [],
    }
    questions = s.get("questions")
    if not isinstance(questions, list) or not questions:
        c.add(s, "a section needs a non-empty 'questions' list", code)
        return section
    for q in questions:
        question = _normalise_question(c, q, default_audience=audience, default_fresh=fresh)
        if question is not None:
            section["questions"].append(question)
    return section


def _fresh_months(c: _Collector, where: Any, value: Any, what: str, code: str) -> int | None:
    """``fresh_for_months``: whole months from 1 to FRESH_MONTHS_MAX, or absent (never stale)."""
    if value is None:
        return None
    value = number_or_same(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= FRESH_MONTHS_MAX:
        c.add(
            where,
            f"{what}: 'fresh_for_months' must be whole months from 1 to {FRESH_MONTHS_MAX} (found {value!r})",
            code,
        )
        return None
    return value


def _normalise_question(
    c: _Collector, q: Any, *, default_audience: str, default_fresh: int | None = None
) -> dict | None:
    if not isinstance(q, dict):
        c.add(0, "each question must be a mapping")
        return None
    code = _text(c, q, "code", "a question")
    _unknown_keys(c, q, QUESTION_KEYS, f"question {code or '?'}", code)
    qtype = q.get("type")
    type_known = qtype in ANSWER_TYPES
    if not type_known:
        c.add(q, f"'type' must be one of {', '.join(ANSWER_TYPES)} (found {qtype!r})", code)
        qtype = "text"
    weight_name = q.get("weight", "standard")
    if weight_name not in WEIGHTS:
        c.add(q, f"'weight' must be one of {', '.join(WEIGHTS)} (found {weight_name!r})", code)
        weight_name = "standard"
    audience = q.get("audience", default_audience)
    if audience not in AUDIENCES:
        c.add(q, f"'audience' must be one of {', '.join(AUDIENCES)} (found {audience!r})", code)
        audience = "vendor"
    flags = {}
    for key, default in (("critical", False), ("na", True), ("scored", qtype in SCORABLE_TYPES)):
        value = q.get(key, default)
        if not isinstance(value, bool):
            c.add(q, f"'{key}' must be true or false (found {value!r})", code)
            value = default
        flags[key] = value
    if flags["scored"] and qtype not in SCORABLE_TYPES:
        c.add(q, f"a {qtype} question cannot be scored automatically; reviewers assign its points", code)
    refs = q.get("refs", [])
    if not isinstance(refs, list) or not all(isinstance(r, str) and r.strip() for r in refs):
        c.add(q, "'refs' must be a list of framework reference IDs (text)", code)
        refs = []
    question = {
        "code": code,
        "text": _text(c, q, "text", f"question {code}", code),
        "help": _text(c, q, "help", "", code, required=False),
        "type": qtype,
        "unit": _text(c, q, "unit", "", code, required=False),
        "weight": WEIGHTS[weight_name],
        "critical": flags["critical"],
        "scored": flags["scored"],
        "audience": audience,
        "na": flags["na"],
        "show_if": None,
        "refs": [r.strip() for r in refs],
        "choices": [],
        "bands": [],
        "limits": {},
        "score_by": "",
        # A question's own value wins over its section's default.
        "fresh_for_months": _fresh_months(c, q, q["fresh_for_months"], f"question {code}", code)
        if "fresh_for_months" in q
        else default_fresh,
    }
    change = q.get("change")
    if change is not None:
        if change not in CHANGE_KINDS:
            c.add(q, f"'change' must be one of {', '.join(CHANGE_KINDS)} (found {change!r})", code)
        else:
            question["change"] = change
    show_if = q.get("show_if")
    if show_if is not None:
        if (
            not isinstance(show_if, dict)
            or set(show_if) != {"question", "in"}
            or not isinstance(show_if.get("question"), str)
            or not isinstance(show_if.get("in"), list)
            or not show_if["in"]
        ):
            c.add(q, "'show_if' must be {question: CODE, in: [value, ...]}", code)
        else:
            question["show_if"] = {"question": show_if["question"], "in": [str(_yes_no(v)) for v in show_if["in"]]}
    if type_known:
        _normalise_answers(c, q, question, code)
        _normalise_limits(c, q, question, code)
    else:
        question["scored"] = False
    return question


def _normalise_limits(c: _Collector, q: dict, question: dict, code: str) -> None:
    """``min``/``max`` (refused outside) and ``soft_min``/``soft_max`` (warned outside): numbers
    for a number question, offsets from today (``-3y``, ``+1y``, ``-18m``, ``30d``) for a date
    question; ``score_by`` for a date question's bands."""
    qtype = question["type"]
    present = [key for key in LIMIT_KEYS if key in q]
    if present and qtype not in BANDED_TYPES:
        c.add(q, f"a {qtype} question takes no {', '.join(present)} (only number and date questions do)", code)
        return
    limits: dict = {}
    for key in present:
        value = q[key]
        if value is None:
            continue
        if qtype == "number":
            value = number_or_same(value)
            if not _number(value):
                c.add(q, f"'{key}' must be a number (found {value!r})", code)
                continue
        elif parse_offset(value) is None:
            c.add(q, f"'{key}' must be an offset from today such as -3y, +1y, -18m or 30d (found {value!r})", code)
            continue
        limits[key] = value
    question["limits"] = limits  # their order is a publish rule (validate.py)
    score_by = q.get("score_by")
    if score_by is not None:
        if qtype != "date":
            c.add(q, f"'score_by' is for date questions (this is a {qtype} question)", code)
        elif score_by not in DATE_MEASURES:
            c.add(q, f"'score_by' must be one of {', '.join(DATE_MEASURES)} (found {score_by!r})", code)
        elif score_by != "days_until":
            question["score_by"] = score_by


def _normalise_answers(c: _Collector, q: dict, question: dict, code: str) -> None:
    qtype = question["type"]
    if qtype in CHOICE_TYPES:
        _normalise_choices(c, q, question, code)
    elif qtype == "yes_no":
        _normalise_yes_no(c, q, question, code)
    elif qtype in BANDED_TYPES:
        _normalise_bands(c, q, question, code)
    else:
        for key in ("choices", "points", "bands"):
            if key in q:
                c.add(q, f"a {qtype} question takes no '{key}'", code)


def _points(value: Any) -> bool:
    """True for risk points: a whole number from 0 to 4."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 4


def _normalise_choices(c: _Collector, q: dict, question: dict, code: str) -> None:
    if "points" in q or "bands" in q:
        c.add(q, f"a {question['type']} question takes 'choices', not 'points' or 'bands'", code)
    choices = q.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        c.add(q, "a choice question needs a 'choices' list with at least two entries", code)
        return
    for ch in choices:
        if not isinstance(ch, dict):
            c.add(q, "each choice must be a mapping with 'value', 'label' and 'points'", code)
            continue
        _unknown_keys(c, ch, CHOICE_KEYS, "a choice", code)
        value = _text(c, ch, "value", "a choice", code)
        if value and not SLUG_RE.match(value):
            c.add(ch, f"choice value {value!r} may hold only lowercase letters, digits, '-' and '_'", code)
        points = number_or_same(ch.get("points"))
        if points is not None and not _points(points):
            c.add(ch, f"choice points must be a whole number from 0 to 4 (found {points!r})", code)
            points = None
        choice = {"value": value, "label": _text(c, ch, "label", "a choice", code), "points": points}
        renamed = ch.get("renamed_from")
        if renamed is not None:
            renamed = renamed if isinstance(renamed, list) else [renamed]
            if not all(isinstance(r, str) and SLUG_RE.match(r) for r in renamed):
                c.add(ch, "'renamed_from' lists the value(s) this choice had in earlier versions", code)
            else:
                choice["renamed_from"] = list(renamed)
        question["choices"].append(choice)


def _normalise_yes_no(c: _Collector, q: dict, question: dict, code: str) -> None:
    if "choices" in q or "bands" in q:
        c.add(q, "a yes_no question takes 'points' ({yes: 0, no: 4, partial: 2}), not 'choices' or 'bands'", code)
    points = q.get("points")
    if isinstance(points, dict):
        points = {_yes_no(k): v for k, v in points.items()}
    if points is None and not question["scored"]:
        points = {"yes": None, "no": None}
    if not isinstance(points, dict) or not {"yes", "no"} <= set(points) or not set(points) <= set(YES_NO_LABELS):
        c.add(q, "'points' must map yes and no (and optionally partial) to risk points", code)
        return
    for value in YES_NO_LABELS:
        if value not in points:
            continue
        p = number_or_same(points[value])
        if p is not None and not _points(p):
            c.add(q, f"points for {value!r} must be a whole number from 0 to 4 (found {p!r})", code)
            p = None
        question["choices"].append({"value": value, "label": YES_NO_LABELS[value], "points": p})


def _normalise_bands(c: _Collector, q: dict, question: dict, code: str) -> None:
    if "choices" in q or "points" in q:
        c.add(q, f"a {question['type']} question takes 'bands', not 'choices' or 'points'", code)
    bands = q.get("bands", [])
    if not isinstance(bands, list):
        c.add(q, "'bands' must be a list of {from, to, points}", code)
        return
    for band in bands:
        if not isinstance(band, dict) or not {"points"} <= set(band) or not set(band) <= BAND_KEYS:
            c.add(q, "each band must be a mapping {from: N|null, to: N|null, points: 0-4}", code)
            continue
        lo, hi, p = (number_or_same(band.get(key)) for key in ("from", "to", "points"))
        if any(v is not None and not _number(v) for v in (lo, hi)):
            c.add(band, f"band bounds must be numbers or null (found from={lo!r}, to={hi!r})", code)
            continue
        if not _points(p):
            c.add(band, f"band points must be a whole number from 0 to 4 (found {p!r})", code)
            continue
        question["bands"].append({"from": lo, "to": hi, "points": p})
