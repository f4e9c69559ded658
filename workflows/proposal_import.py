"""A proposal's list as a spreadsheet: the XLSX template offered for download, and the rows
read back from a filled one.

The upload has passed the file intake first (workflows.files.intake: its type judged from
the content, its size while it streamed, a zip bomb refused from the archive's directory);
here it must be an XLSX with no DOCTYPE in any part, a sheet whose header row names our
columns (found by header, in any order), at most MAX_ROWS rows of values (a formula is a
row problem: what a cell computes is not what the unit signed). Problems of the file are
intake.Refused; problems of rows are RowProblems with their row and column, to be reported
together with the list's own checks (workflows.proposals.check_rows).

Header texts, the example row and the words for a nominee's kind are the caller's (the web
layer's catalogue): this module holds no prose.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from engine.errors import Message
from workflows import limits
from workflows.files import intake
from workflows.files.intake import Refused
from workflows.names import folded
from workflows.pipeline import Nominee
from workflows.proposals import MAX_ROWS, Row, RowProblem

# The template's columns, in order; the first is the row number people keep (STT).
COLUMNS = ("number", "name", "kind", "position", "unit", "award", "achievements")
REQUIRED = ("name", "kind", "award", "achievements")
WIDTHS = {"number": 6, "name": 28, "kind": 12, "position": 24, "unit": 28, "award": 36}
HEADER_SEARCH_ROWS = 10  # the header row is among the first rows
MAX_SCANNED_ROWS = MAX_ROWS * 5  # blank rows included: a sheet of a million empty rows stops
_XML_HEAD = 4096
MAX_COLUMNS = 40  # the template has 7; a header row is looked for among the first 40
# The worksheets and shared strings unpacked: a 1,000-row list takes about 1 MB.
MAX_SHEET_BYTES = 16 * limits.MIB
_SHEET_PARTS = ("xl/worksheets/", "xl/sharedStrings")
_TEMPLATE_ROWS = 1000  # rows the kind and award choices are offered on


def template(
    labels: Mapping[str, str],
    example: Mapping[str, str],
    kinds: Sequence[str],
    awards: Iterable[tuple[str, str]],
    sheet_names: tuple[str, str],
) -> bytes:
    """The template: a header row (`labels` by column), one example row, the kind and the
    award offered as choices, and a second sheet listing the awards (name, who for)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_names[0]
    sheet.append([labels[c] for c in COLUMNS])
    sheet.append([example.get(c, "") for c in COLUMNS])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = WIDTHS.get(column, 60)
    sheet.freeze_panes = "A2"
    catalogue = book.create_sheet(sheet_names[1])
    listed = list(awards)
    for name, subject in listed:
        catalogue.append([name, subject])
    catalogue.column_dimensions["A"].width = 60
    catalogue.column_dimensions["B"].width = 14
    _choices(sheet, "kind", '"' + ",".join(kinds) + '"')
    if listed:
        _choices(sheet, "award", f"'{sheet_names[1]}'!$A$1:$A${len(listed)}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _choices(sheet: Any, column: str, formula: str) -> None:
    letter = sheet.cell(row=1, column=COLUMNS.index(column) + 1).column_letter
    rule = DataValidation(type="list", formula1=formula, allow_blank=True)
    rule.add(f"{letter}2:{letter}{_TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(rule)


def read(
    checked: intake.Checked,
    headers: Mapping[str, Iterable[str]],
    kinds: Mapping[str, str],
) -> tuple[list[Row], list[RowProblem]]:
    """The rows of a filled template and the problems found reading them. `headers` gives
    each column's accepted header texts, `kinds` the accepted words for individual and
    collective (both compared folded). Refused when the file is not a list we can read."""
    if checked.media_type != intake.XLSX:
        raise Refused("import_not_xlsx", kind=checked.kind.label)
    _check_parts(checked)
    checked.spool.seek(0)
    try:
        book = load_workbook(checked.spool, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises anything from KeyError to XML errors
        raise Refused("import_unreadable") from exc
    try:
        sheet = book.worksheets[0]
        cells = sheet.iter_rows(max_col=MAX_COLUMNS)  # openpyxl pads a row to its last cell
        return _rows(cells, headers, {folded(k): v for k, v in kinds.items()})
    except Refused:
        raise
    except Exception as exc:
        raise Refused("import_unreadable") from exc
    finally:
        book.close()


def _check_parts(checked: intake.Checked) -> None:
    """From the archive's directory and each part's head, before openpyxl parses anything:
    no part may declare a DOCTYPE (entity expansion, external entities; it must stand at a
    part's head), and the sheets and their strings must be of a list's size (a row padded
    to thousands of columns would take openpyxl minutes to read back)."""
    checked.spool.seek(0)
    with zipfile.ZipFile(checked.spool) as archive:
        sheets = 0
        for entry in archive.infolist():
            if entry.filename.startswith(_SHEET_PARTS):
                sheets += entry.file_size
            with archive.open(entry) as part:
                head = part.read(_XML_HEAD).upper()
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise Refused("import_unreadable")
    if sheets > MAX_SHEET_BYTES:
        raise Refused("import_sheet_too_large", most=MAX_SHEET_BYTES // limits.MIB)


def _rows(
    rows: Iterable[Sequence[Any]],
    headers: Mapping[str, Iterable[str]],
    kinds: Mapping[str, str],
) -> tuple[list[Row], list[RowProblem]]:
    accepted = {folded(text): column for column, texts in headers.items() for text in texts}
    where: dict[str, int] | None = None
    found: list[Row] = []
    problems: list[RowProblem] = []
    for line, cells in enumerate(rows, start=1):
        if line > MAX_SCANNED_ROWS:
            raise Refused("import_too_many_rows", most=MAX_ROWS)
        if where is None:
            where = _header(cells, accepted)
            if where is None and line >= HEADER_SEARCH_ROWS:
                raise Refused("import_no_header")
            continue
        values: dict[str, str] = {}
        for column, index in where.items():
            cell = cells[index] if index < len(cells) else None
            if cell is not None and getattr(cell, "data_type", None) == "f":
                problems.append(RowProblem(line, column, Message("import_formula")))
                values[column] = ""
            else:
                values[column] = _text(cell.value if cell is not None else None)
        if not any(v for c, v in values.items() if c != "number"):
            continue  # a blank row
        if len(found) == MAX_ROWS:
            raise Refused("import_too_many_rows", most=MAX_ROWS)
        kind = kinds.get(folded(values["kind"]), "")
        if values["kind"] and not kind:
            problems.append(RowProblem(line, "kind", Message("import_kind_unknown")))
        elif not values["kind"]:
            problems.append(RowProblem(line, "kind", Message("form_required")))
        nominee = Nominee(kind, values["name"], values.get("position", ""), values.get("unit", ""))
        found.append(Row(line, nominee, values["award"], values["achievements"]))
    if where is None:
        raise Refused("import_no_header")
    if not found and not problems:
        raise Refused("import_no_rows")
    return found, problems


def _header(cells: Sequence[Any], accepted: Mapping[str, str]) -> dict[str, int] | None:
    """Where each column is, if this is the header row; Refused naming a missing column."""
    where: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = accepted.get(folded(_text(getattr(cell, "value", None))))
        if column is not None and column not in where:
            where[column] = index
    if not where:
        return None
    for column in REQUIRED:
        if column not in where:
            raise Refused("import_missing_column", column=column)
    for column in COLUMNS:
        where.setdefault(column, 10**6)  # an optional column left out reads blank
    return where


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
