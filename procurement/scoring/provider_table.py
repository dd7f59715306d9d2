"""The ``provider_table`` answer type: the vendor lists the providers in its serving path.

An answer is a list of rows, each a mapping with the keys in COLUMNS. This module
cleans and validates rows from any source (the web form, an answer file, a JSON
record) and describes them in words. Plain Python only.
"""

from __future__ import annotations

from typing import Any

from procurement.core.text import strip_unstorable, text_problem
from procurement.scoring.supply import ARRANGEMENTS, ROLES

KINDS = ("model_lab", "hyperscaler", "gpu_cloud", "colocation", "other")
BOOLEAN_COLUMNS = ("pass_through", "alternative", "competitor")
COLUMNS = (
    "provider",
    "kind",
    "owner",
    "country",
    "role",
    "regions",
    "share",
    "arrangement",
    "notice_days",
    *BOOLEAN_COLUMNS,
)
MAX_ROWS = 30
MAX_TEXT = 200
TRUE_WORDS = {"1", "true", "yes", "on", "y"}
FALSE_WORDS = {"", "0", "false", "no", "off", "n"}
UNKNOWN_WORDS = {"unknown", "not known", "null", "none"}
ROLE_WORDS = {
    "model_provider": "model",
    "inference_compute": "inference",
    "training_compute": "training",
    "storage": "storage",
    "network": "network",
}


class TableError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def _blank(row: dict) -> bool:
    """A row the respondent left empty (kind and arrangement menus alone do not count)."""
    keys = ("provider", "owner", "country", "regions", "share", "notice_days", "role")
    return all(str(row.get(k, "") if row.get(k) is not None else "").strip() == "" for k in keys)


def _number(value: Any, *, lo: float, hi: float, integer: bool) -> float | int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    number = float(str(value).strip())
    if number != number or not lo <= number <= hi:  # NaN or out of range
        raise ValueError
    if integer:
        if number != int(number):
            raise ValueError
        return int(number)
    return round(number, 1)


def clean_rows(raw: Any) -> list[dict]:
    """Validated rows from a list of mappings; TableError lists every problem by row number.

    Blank rows are dropped; text is trimmed; booleans accept true/false/yes/no/on/1/0.
    """
    if raw in (None, "", []):
        return []
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise TableError(["A provider table is a list of rows (mappings)."])
    if len(raw) > MAX_ROWS:
        raise TableError([f"At most {MAX_ROWS} providers can be listed."])
    problems: list[str] = []
    rows: list[dict] = []
    for n, row in enumerate(raw, start=1):
        unknown = sorted(set(row) - set(COLUMNS))
        if unknown:
            problems.append(f"Row {n}: unknown column(s) {', '.join(map(str, unknown))}.")
            continue
        if _blank(row):
            continue
        clean: dict[str, Any] = {}
        for check in (_clean_texts, _clean_choices, _clean_numbers, _clean_booleans):
            problems.extend(f"Row {n}: {problem}" for problem in check(row, clean))
        rows.append(clean)
    problems.extend(_share_problems(rows))
    if problems:
        raise TableError(problems)
    return rows


def _clean_texts(row: dict, clean: dict) -> list[str]:
    problems = []
    for key in ("provider", "owner", "country", "regions"):
        text = row.get(key)
        text = "" if text is None else str(text)
        text = " ".join(text.split())
        if problem := text_problem(text):
            problems.append(f"{key} {problem}.")
            text = strip_unstorable(text)
        if len(text) > MAX_TEXT:
            problems.append(f"{key} is longer than {MAX_TEXT} characters.")
        clean[key] = text[:MAX_TEXT]
    if not clean["provider"]:
        problems.append("name the provider.")
    return problems


def _clean_choices(row: dict, clean: dict) -> list[str]:
    problems = []
    for key, allowed, default in (("kind", KINDS, "other"), ("role", ROLES, ""), ("arrangement", ARRANGEMENTS, "")):
        value = str(row.get(key) or default).strip()
        if value not in allowed:
            problems.append(f"{key} must be one of {', '.join(allowed)}" + (f" (found {value!r})." if value else "."))
        clean[key] = value
    return problems


def _clean_numbers(row: dict, clean: dict) -> list[str]:
    problems = []
    try:
        clean["share"] = _number(row.get("share"), lo=0, hi=100, integer=False)
    except (TypeError, ValueError):
        problems.append("share is a percentage from 0 to 100.")
    try:
        clean["notice_days"] = _number(row.get("notice_days"), lo=0, hi=36500, integer=True)
    except (TypeError, ValueError):
        problems.append("notice is a whole number of days (0 or more), or empty when unknown.")
    return problems


def _clean_booleans(row: dict, clean: dict) -> list[str]:
    problems = []
    for key in BOOLEAN_COLUMNS:
        value = row.get(key, False)
        if key == "competitor" and (value is None or str(value).strip().lower() in UNKNOWN_WORDS):
            clean[key] = None  # not known: the upstream-notice rule counts it as a finding
            continue
        word = str(value).strip().lower() if not isinstance(value, bool) else ("true" if value else "false")
        if word not in TRUE_WORDS | FALSE_WORDS:
            problems.append(f"{key} is yes or no (found {value!r}).")
        clean[key] = word in TRUE_WORDS
    return problems


def _share_problems(rows: list[dict]) -> list[str]:
    totals: dict[str, float] = {}
    for row in rows:
        if row.get("share") is not None and row.get("role") in ROLES:
            totals[row["role"]] = totals.get(row["role"], 0.0) + row["share"]
    return [
        f"The {role.replace('_', ' ')} shares add up to {total:g}%, more than 100%."
        for role, total in sorted(totals.items())
        if total > 100.05
    ]


def describe(rows: list[dict]) -> str:
    """One line per provider, for review screens, reports and exports."""
    parts = []
    for row in rows:
        bits = [ROLE_WORDS.get(row.get("role", ""), row.get("role", ""))]
        if row.get("share") is not None:
            bits.append(f"{row['share']:g}%")
        if row.get("arrangement"):
            bits.append(row["arrangement"].replace("_", "-"))
        bits.append(f"{row['notice_days']} d notice" if row.get("notice_days") is not None else "notice unknown")
        if row.get("regions"):
            bits.append(row["regions"])
        if row.get("competitor"):
            bits.append("competitor")
        elif "competitor" in row and row["competitor"] is None:
            bits.append("competitor status not known")
        parts.append(f"{row.get('provider', '?')} ({', '.join(bits)})")
    return "; ".join(parts)
