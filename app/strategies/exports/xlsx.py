"""An action plan's measures as a spreadsheet (XLSX)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from app.i18n import _
from app.strategies.exports.common import _language
from app.strategies.measures import STATUS_LABELS, is_overdue
from app.strategies.models import Measure, StrategyDocument


def measures_xlsx(
    document: StrategyDocument, measures: Sequence[Measure], section_headings: dict[str, str]
) -> bytes:
    """An action plan's measures as a spreadsheet: one row each, the deadline a real date."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Tiltak")
    book.properties.title = document.title
    book.properties.creator = "Samspill"
    book.properties.language = _language()

    headers = [
        _("Tiltak"),
        _("Beskrivelse"),
        _("Eier"),
        _("Partnere"),
        _("Frist"),
        _("Status"),
        _("Forsinket"),
        _("Avsnitt"),
    ]
    limits = [50, 80, 30, 40, 12, 14, 11, 40]  # widest a column grows, in characters
    widths = [len(h) for h in headers]
    for col, heading in enumerate(headers, start=1):
        sheet.cell(row=1, column=col, value=heading).font = Font(bold=True)

    yes, no = _("Ja"), _("Nei")
    for row, m in enumerate(measures, start=2):
        values: list[str | date | None] = [
            m.title,
            m.description,
            m.owner,
            m.partners,
            m.deadline,
            _(STATUS_LABELS[m.status]) if m.status in STATUS_LABELS else m.status,
            yes if is_overdue(m) else no,
            section_headings.get(m.section_key or "", ""),
        ]
        for col, value in enumerate(values, start=1):
            if isinstance(value, date):
                cell = sheet.cell(row=row, column=col, value=value)
                cell.number_format = "DD.MM.YYYY"
                width = 10
            else:
                cleaned = ILLEGAL_CHARACTERS_RE.sub("", value or "")
                cell = sheet.cell(row=row, column=col, value=cleaned)
                cell.data_type = "s"  # always text: a leading "=" is never a formula
                width = max((len(line) for line in cleaned.splitlines()), default=0)
            cell.alignment = Alignment(vertical="top", wrap_text=col in (1, 2, 4, 8))
            widths[col - 1] = max(widths[col - 1], min(width, limits[col - 1]))
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=col).column_letter].width = width + 2
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{sheet.cell(row=1, column=len(headers)).column_letter}" + str(
        max(len(measures) + 1, 1)
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
