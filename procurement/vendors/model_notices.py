"""A vendor's model deprecation notice as a file: which model (or service) retires when, and
what replaces it. Read like answer files: the strict YAML loader (procurement/core/loaders.py)
or the strict table reader for CSV and XLSX (procurement/core/tables.py); every problem is
reported with its row (or line) and column, and nothing is applied while one remains.

CSV or XLSX, one notice a row, under a header::

    model,service,deprecation_date,retirement_date,replacement
    frontier-2-2025-06,,2026-09-01,2027-01-31,frontier-3

YAML::

    notices:
    - {model: frontier-2-2025-06, deprecation_date: 2026-09-01, retirement_date: 2027-01-31, replacement: frontier-3}

A row names a model (matched, ignoring case, against each service's model version in use and
its underlying model) or a service by name, or both (then both must match). Each row must
match at least one service of the vendor.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from procurement.core.loaders import LineDict, LineList, LoadError, load_yaml
from procurement.core.scalars import to_date
from procurement.core.tables import TableError, table_read
from procurement.core.text import text_problem
from procurement.vendors.evidence import DATE_FLOOR, FUTURE_YEARS
from procurement.vendors.models import AIService, ModelLifecycle, Vendor

COLUMNS = ("model", "service", "deprecation_date", "retirement_date", "replacement")
MAX_BYTES = 256 * 1024
MAX_ROWS = 500
TEXT_MAX = 200


@dataclass(frozen=True)
class Notice:
    where: str  # "row 3" or "line 5"
    model: str
    service: str
    deprecated_on: dt.date | None
    retires_on: dt.date
    replacement: str
    services: tuple[int, ...]  # the matched services' ids


@dataclass
class NoticeFile:
    notices: list[Notice] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def template_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(["frontier-2-2025-06", "", "2026-09-01", "2027-01-31", "frontier-3"])
    return out.getvalue()


def _records(raw: bytes, filename: str) -> list[tuple[str, dict]]:
    """(where, {column: value}) per notice; LoadError/TableError when the file cannot be read."""
    if filename.lower().endswith((".yaml", ".yml")):
        data = load_yaml(raw, source=filename, max_bytes=MAX_BYTES)
        if isinstance(data, dict):
            unknown = sorted(str(k) for k in data if k != "notices")
            if unknown:
                raise LoadError(filename, f"unknown key(s) {', '.join(unknown)}; the file holds 'notices:' only")
            data = data.get("notices")
        if not isinstance(data, list):
            raise LoadError(filename, "expected 'notices:' with a list of notices")
        if len(data) > MAX_ROWS:
            raise LoadError(filename, f"more than {MAX_ROWS} notices; split the file")
        records = []
        for i, item in enumerate(data, start=1):
            line = (
                item.line
                if isinstance(item, LineDict)
                else getattr(data, "line", 0)
                if isinstance(data, LineList)
                else 0
            )
            where = f"line {line}" if line else f"notice {i}"
            if not isinstance(item, dict):
                records.append((where, {"__bad__": "each notice is a mapping of model, retirement_date, ..."}))
                continue
            records.append((where, {str(k): v for k, v in item.items()}))
        return records
    rows = table_read(raw, filename=filename)
    if len(rows) > MAX_ROWS:
        raise TableError(f"The file has more than {MAX_ROWS} notices; split it.")
    return [(f"row {r.number}", dict(r.cells)) for r in rows]


def _text(where: str, column: str, value, problems: list[str]) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    if len(text) > TEXT_MAX:
        problems.append(f"{where}, column {column}: longer than {TEXT_MAX} characters.")
        return ""
    if problem := text_problem(text):
        problems.append(f"{where}, column {column}: the text {problem}.")
        return ""
    return text


def _date(where: str, column: str, value, problems: list[str], *, today: dt.date) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        day = to_date(value)
    except ValueError as exc:
        problems.append(f"{where}, column {column}: {exc}.")
        return None
    if day < DATE_FLOOR:
        problems.append(f"{where}, column {column}: {day.isoformat()} is before 1 January 2000; check the year.")
        return None
    if day > today.replace(year=today.year + FUTURE_YEARS):
        problems.append(
            f"{where}, column {column}: {day.isoformat()} is more than {FUTURE_YEARS} years away; check the year."
        )
        return None
    return day


def _matches(services: list[AIService], lifecycles: dict[int, ModelLifecycle], model: str, service: str) -> list[int]:
    found = []
    for s in services:
        if service and s.name.casefold() != service.casefold():
            continue
        if model:
            life = lifecycles.get(s.pk)
            names = {s.model_name.casefold(), (life.model_version if life else "").casefold()} - {""}
            if model.casefold() not in names:
                continue
        found.append(s.pk)
    return found


def notices_read(raw: bytes, *, filename: str, vendor: Vendor, today: dt.date) -> NoticeFile:
    """Every notice of the file, matched to the vendor's services, and every problem."""
    result = NoticeFile()
    try:
        records = _records(raw, filename)
    except (LoadError, TableError) as exc:
        result.problems.append(str(exc))
        return result
    if not records:
        result.problems.append("The file holds no notices.")
        return result
    services = list(vendor.services.all())
    lifecycles = {x.service_id: x for x in ModelLifecycle.objects.filter(service__vendor=vendor)}
    for where, cells in records:
        if "__bad__" in cells:
            result.problems.append(f"{where}: {cells['__bad__']}.")
            continue
        unknown = sorted(c for c in cells if c not in COLUMNS and cells[c] not in (None, ""))
        for column in unknown:
            result.problems.append(f"{where}, column {column}: not a column of a notice ({', '.join(COLUMNS)}).")
        problems: list[str] = []
        model = _text(where, "model", cells.get("model"), problems)
        service = _text(where, "service", cells.get("service"), problems)
        replacement = _text(where, "replacement", cells.get("replacement"), problems)
        deprecated = _date(where, "deprecation_date", cells.get("deprecation_date"), problems, today=today)
        retires = _date(where, "retirement_date", cells.get("retirement_date"), problems, today=today)
        if cells.get("retirement_date") in (None, "") and not any("retirement_date" in p for p in problems):
            problems.append(f"{where}, column retirement_date: the retirement date is missing.")
        if deprecated and retires and retires < deprecated:
            problems.append(
                f"{where}, column retirement_date: {retires.isoformat()} is before the deprecation date"
                f" {deprecated.isoformat()}."
            )
        if not model and not service and not any(", column model" in p or ", column service" in p for p in problems):
            problems.append(f"{where}, column model: name the model (or the service) the notice is about.")
        matched: list[int] = []
        if (model or service) and not any(", column model" in p or ", column service" in p for p in problems):
            matched = _matches(services, lifecycles, model, service)
            if not matched:
                named = " and ".join(
                    x for x in (f"model {model!r}" if model else "", f"service {service!r}" if service else "") if x
                )
                problems.append(
                    f"{where}, column {'model' if model else 'service'}: no service of {vendor.name} matches {named}."
                )
        result.problems.extend(problems)
        if not problems and retires is not None:
            result.notices.append(Notice(where, model, service, deprecated, retires, replacement, tuple(matched)))
    return result
