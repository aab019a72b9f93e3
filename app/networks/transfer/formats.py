"""CSV and XLSX: a table written as a file, and a file read back as rows of text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from app.i18n import _

MAX_COLUMNS = 50

# CSV only: a cell that starts like a formula gets a leading apostrophe, so that a spreadsheet
# shows it as text instead of running it; reading takes the apostrophe off again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


class Unreadable(Exception):
    """The file cannot be read as a table; the message is for the person."""


# --- writing -------------------------------------------------------------------------------


def _csv_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


Cell = str | date


def to_csv(headers: Iterable[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with BOM, separated by semicolons: what Excel set to Norwegian opens directly.
    Dates as ÅÅÅÅ-MM-DD, which the import reads back."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(headers))
    for row in rows:
        writer.writerow([v.isoformat() if isinstance(v, date) else _csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(headers: Iterable[str], rows: Iterable[Sequence[Cell]], *, sheet: str) -> bytes:
    """Text cells as text (never a formula; 0301 keeps its zero), dates as real dates shown
    DD.MM.ÅÅÅÅ, so that a spreadsheet sorts and filters them."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    headers = list(headers)
    widths = [len(h) for h in headers]
    for col, heading in enumerate(headers, start=1):
        ws.cell(row=1, column=col, value=heading).font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            if isinstance(value, date):
                ws.cell(row=r, column=col, value=value).number_format = "DD.MM.YYYY"
                widths[col - 1] = max(widths[col - 1], 10)
                continue
            text = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = ws.cell(row=r, column=col, value=text)
            cell.data_type = "s"  # always text: never a formula, and 0301 keeps its zero
            widths[col - 1] = max(widths[col - 1], min(len(text), 60))
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = width + 2
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading -------------------------------------------------------------------------------


def read_rows(content: bytes) -> Iterator[list[str]]:
    """The rows of an XLSX (a zip, so it starts with ``PK``) or CSV file as text; raises
    :class:`Unreadable` while iterating if the file is neither."""
    return _xlsx_rows(content) if content.startswith(b"PK") else _csv_rows(content)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign zip: openpyxl raises many kinds
        raise Unreadable(_("Filen kunne ikke leses som et Excel-ark (.xlsx).")) from exc
    try:
        if not book.worksheets:
            return
        sheet = book.worksheets[0]
        try:
            for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                yield [_text(v) for v in values]
        except Exception as exc:
            raise Unreadable(_("Filen kunne ikke leses som et Excel-ark (.xlsx).")) from exc
    finally:
        book.close()


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # «CSV (semikolondelt)» from Excel
    if "\x00" in text:
        raise Unreadable(_("Filen er verken en CSV-fil eller et Excel-ark (.xlsx)."))
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count) if first else ";"
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            yield [_uncsv(v.strip()) for v in row[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise Unreadable(_("CSV-filen kunne ikke leses: {reason}").format(reason=exc)) from exc


def _uncsv(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value
