"""The strict reader for uploaded tables (CSV and XLSX): rows as dicts keyed by a normalised
header, each with its spreadsheet row number, within limits on size, rows and columns.

Text cells are read back through ``csv_value`` (the apostrophe our exports put before
formula-like text comes off), and checked like every other text (``text_problem``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from procurement.core.cells import csv_value
from procurement.core.text import text_problem

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 60
# An XLSX is a ZIP: refuse one that would inflate past this or that compresses suspiciously well.
MAX_UNZIPPED = 50 * 1024 * 1024
MAX_RATIO = 200


class TableError(Exception):
    """A file that cannot be read as a table; the message says why, in words."""


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet numbers it (the header is row 1)
    cells: dict[str, str]


def header_key(text: str) -> str:
    return "_".join(str(text or "").strip().lower().replace("-", " ").split())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return csv_value(str(value).strip())


def _csv_rows(raw: bytes) -> list[list[str]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(f"The file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8.") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise TableError(f"The CSV cannot be read: {exc}.") from None


def _xlsx_rows(raw: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        entries = archive.infolist()
    except zipfile.BadZipFile:
        raise TableError("The file is not a valid XLSX workbook.") from None
    unzipped = sum(e.file_size for e in entries)
    packed = max(1, sum(e.compress_size for e in entries))
    if unzipped > MAX_UNZIPPED or unzipped / packed > MAX_RATIO:
        raise TableError("The workbook unpacks to far more than its size; it was not opened.")
    if any(e.filename.lower().endswith("vbaproject.bin") for e in entries):
        raise TableError("The workbook contains macros; save it as a plain .xlsx.")
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise TableError(f"The workbook cannot be read ({type(exc).__name__}).") from None
    sheet = book.worksheets[0]
    # The declared size is the file's word: a tiny workbook may declare A1:XFD5001, and
    # read-only openpyxl would pad every row to 16,384 cells. Read only what the limits allow.
    sheet.reset_dimensions()
    rows = []
    for values in sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS + 1, values_only=True):
        values = list(values)
        while values and values[-1] is None:  # iter_rows pads to max_col; keep the cells the row has
            values.pop()
        rows.append(values)
        if len(rows) > MAX_ROWS + 1:
            break
    book.close()
    return rows


def table_read(raw: bytes, *, filename: str) -> list[Row]:
    """Rows of the first sheet (XLSX) or the file (CSV) under a header row; blank rows skipped."""
    if len(raw) > MAX_BYTES:
        raise TableError(f"The file is {len(raw) // 1024} KiB; the limit is {MAX_BYTES // 1024} KiB.")
    is_xlsx = filename.lower().endswith(".xlsx") or raw[:4] == b"PK\x03\x04"
    grid = _xlsx_rows(raw) if is_xlsx else _csv_rows(raw)
    if not grid:
        raise TableError("The file is empty.")
    header = [header_key(_text(h)) for h in grid[0]]
    if len(header) > MAX_COLUMNS:
        raise TableError(f"The file has {len(header)} columns; the limit is {MAX_COLUMNS}.")
    if len(grid) - 1 > MAX_ROWS:
        raise TableError(f"The file has more than {MAX_ROWS} rows; split it.")
    seen = [h for h in header if h]
    duplicates = sorted({h for h in seen if seen.count(h) > 1})
    if duplicates:
        raise TableError(f"Columns appear twice: {', '.join(duplicates)}.")
    rows = []
    for number, values in enumerate(grid[1:], start=2):
        cells = {h: _text(v) for h, v in zip(header, values, strict=False) if h}
        if not any(cells.values()):
            continue
        for column, value in cells.items():
            if problem := text_problem(value):
                raise TableError(f"Row {number}, column {column}: the text {problem}.")
        rows.append(Row(number, cells))
    return rows
