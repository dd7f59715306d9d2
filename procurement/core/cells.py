"""Export cells: the one place that makes text safe for a spreadsheet (CSV and XLSX).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and
some also after a leading tab or carriage return), so vendor text such as
``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0`` in an export is an attack on whoever opens it.

* CSV: such text gets a leading apostrophe; a text that already starts with one gets another,
  so ``csv_value`` undoes it exactly and a re-imported CSV keeps ``-30`` or ``+44 20 ...``.
* XLSX: text is written as typed string cells, never formulas, with no visible apostrophe.
* Numbers and dates stay typed in both. Characters a spreadsheet refuses (control
  characters, lone surrogates) are removed, so records stored before input was checked still export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell

from procurement.core.text import strip_unstorable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = "'"


def csv_cell(value: Any) -> Any:
    """A value for ``csv.writer``: numbers as they are, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = strip_unstorable(str(value))
    return _ESCAPE + text if text.startswith((*FORMULA_START, _ESCAPE)) else text


def csv_value(text: str) -> str:
    """The text ``csv_cell`` was given, from a cell read back on import."""
    return text[1:] if text.startswith(_ESCAPE) else text


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def xlsx_append(sheet, values: Iterable[Any]) -> list[Cell]:
    """Append a row to an openpyxl sheet: text as string cells (never formulas), numbers typed.
    Returns the row's cells, to style them.

    The cells are made here, typed, and appended as they are: finding the row after appending
    (`sheet.max_row`) reads every cell of the sheet, which made a sheet of n rows cost n²."""
    cells = []
    for value in values:
        if value is not None and not isinstance(value, int | float | dt.date):
            cell = Cell(sheet, value=strip_unstorable(str(value)))
            cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
        else:
            cell = Cell(sheet, value=value)
        cells.append(cell)
    sheet.append(cells)
    return cells
