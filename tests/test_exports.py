"""The one writer of CSV and XLSX downloads: text that a spreadsheet would take for a formula
stays text (OWASP's CSV-injection rule), numbers and dates stay numbers and dates."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from openpyxl import load_workbook

from web import exports

TYPED = ["=1+2", "+1", "-1+1", "@SUM(A1)", "\tx", "\r=1", '=HYPERLINK("http://e.example")']
PLAIN = ["Nguyễn Thị Lan", "1+1", " =1", ""]


def test_csv_quotes_every_formula_start_and_leaves_numbers() -> None:
    body = exports.csv_bytes([[*TYPED, *PLAIN, -5, 2.5]])
    assert body.startswith("\ufeff".encode())
    [row] = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert row[: len(TYPED)] == [f"'{text}" for text in TYPED]
    assert row[len(TYPED) :] == [*PLAIN, "-5", "2.5"]


def test_xlsx_writes_text_as_text_never_a_formula() -> None:
    when = datetime(2026, 11, 23, 10, 0)
    body = exports.xlsx_bytes(
        "Một tên trang tính dài hơn ba mươi mốt ký tự",
        [["Tên", "Số", "Lúc"], *[[text, -5, when] for text in [*TYPED, *PLAIN[:3]]]],
        {2: "DD/MM/YYYY HH:MM"},
    )
    book = load_workbook(io.BytesIO(body))
    sheet = book.active
    assert sheet is not None and sheet.title == "Một tên trang tính dài hơn ba m"
    rows = list(sheet.iter_rows(min_row=2))
    assert [r[0].value for r in rows] == [*TYPED, *PLAIN[:3]]
    assert all(r[0].data_type == "s" for r in rows)
    assert [r[0].quotePrefix for r in rows] == [True] * len(TYPED) + [False] * 3
    assert all(r[1].value == -5 and r[1].data_type == "n" for r in rows)
    assert all(r[2].value == when and r[2].number_format == "DD/MM/YYYY HH:MM" for r in rows)


def test_xlsx_does_not_fail_on_a_control_character() -> None:
    body = exports.xlsx_bytes("x", [["a\x01b"]])
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet is not None and sheet["A1"].value == "a\ufffdb"
