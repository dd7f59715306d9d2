"""Export cells: formula-like text is neutralised in CSV and typed as text in XLSX; numbers stay numbers."""

import csv
import datetime as dt
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from procurement.core.cells import FORMULA_START, csv_cell, csv_value, xlsx_append


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-30", "'-30"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("'quoted", "''quoted"),
        ("plain", "plain"),
        ("a\x0bb", "ab"),
        (-30, -30),
        (2.5, 2.5),
        (None, ""),
    ],
)
def test_csv_cells_neutralise_formula_like_text_and_keep_numbers(value, cell):
    assert csv_cell(value) == cell


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from((*FORMULA_START, "'"))))
def test_csv_text_round_trips_through_a_written_file(text):
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell(text)])
    (read,) = next(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert csv_value(read) == text
    assert not read.startswith(FORMULA_START)


def test_xlsx_rows_hold_text_cells_never_formulas():
    wb = Workbook()
    xlsx_append(wb.active, ["=1+1", "-30", -30, 1.5, "a\x01b", None, ["x"]])
    saved = io.BytesIO()
    wb.save(saved)
    row = next(load_workbook(saved).active.iter_rows())
    assert [c.value for c in row[:5]] == ["=1+1", "-30", -30, 1.5, "ab"]
    assert [c.data_type for c in row[:5]] == ["s", "s", "n", "n", "s"]
    assert row[6].value == "['x']"


def test_xlsx_append_returns_the_appended_rows_cells_to_style():
    wb = Workbook()
    sheet = wb.active
    xlsx_append(sheet, ["first"])
    xlsx_append(sheet, [])
    cells = xlsx_append(sheet, ["=2+2", 7, dt.date(2026, 11, 27)])
    cells[1].number_format = "0.00"
    saved = io.BytesIO()
    wb.save(saved)
    rows = list(load_workbook(saved).active.iter_rows(values_only=False))
    assert [c.row for c in cells] == [3, 3, 3]
    assert [(c.value, c.data_type) for c in rows[2][:2]] == [("=2+2", "s"), (7, "n")]
    assert rows[2][1].number_format == "0.00" and rows[2][2].value.date() == dt.date(2026, 11, 27)
    assert rows[0][0].value == "first" and rows[1][0].value is None
