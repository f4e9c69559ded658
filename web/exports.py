"""Spreadsheet downloads (CSV and XLSX): every export of the product is written here, so text
that people typed (a nominee's name, a note) stays text when a spreadsheet program opens it.

OWASP's CSV-injection rule: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
return is taken for a formula by Excel, LibreOffice and Google Sheets, which can then fetch
a URL with the sheet's data or run a command. In CSV such text gets a leading single quote
(the programs show it as text); in XLSX it is written as a string cell, never a formula, and
marked quote-prefixed so that editing the cell does not turn it into one. Numbers, negative
ones included, and dates stay what they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """`value` as a CSV cell: text a spreadsheet would evaluate gets a leading quote."""
    return f"'{value}" if _formula_like(value) else value


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a byte-order mark, so spreadsheet programs read the Vietnamese."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(
    title: str, rows: Iterable[Sequence[Any]], number_formats: Mapping[int, str] | None = None
) -> bytes:
    """One sheet named `title` holding `rows`; `number_formats` by column index (from 0)
    for the cells that are not text (dates, say)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])  # Excel's limit on a sheet name
    formats = number_formats or {}
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value, formats.get(i)) for i, value in enumerate(row)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(sheet: Any, value: Any, number_format: str | None) -> Cell:
    if not isinstance(value, str):
        cell = WriteOnlyCell(sheet, value)
        if number_format:
            cell.number_format = number_format
        return cell
    # Control characters XML cannot hold would fail the whole download: shown as U+FFFD.
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    cell.data_type = "s"  # openpyxl makes a str starting with "=" a formula otherwise
    if _formula_like(value):
        cell.quotePrefix = True
    return cell
