"""The participation figures as a spreadsheet: what the filter chose on the first sheet, then
one sheet per table of the page. Counts and kroner are numbers, shares are percentages; text
cells are always text (a scheme called "=…" is never a formula)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from app.i18n import _
from app.networks.labels import AREA_LABELS
from app.schemes.figures_service import Figures, SchemeYearRow
from app.schemes.labels import STATUS_LABELS

Cell = str | int | float | None


def _sheet(book: Any, title: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    sheet = book.create_sheet(title=title[:31])
    widths = [len(h) for h in headers]
    for col, heading in enumerate(headers, start=1):
        sheet.cell(row=1, column=col, value=heading).font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            if isinstance(value, str):
                text = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell = sheet.cell(row=r, column=col, value=text)
                cell.data_type = "s"
                width = len(text)
            else:
                cell = sheet.cell(row=r, column=col, value=value)
                width = 10
                if isinstance(value, float):
                    is_share = headers[col - 1].startswith(_("Andel"))
                    cell.number_format = "0.0%" if is_share else "#,##0"
            widths[col - 1] = max(widths[col - 1], min(width, 50))
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=col).column_letter].width = width + 2
    sheet.freeze_panes = "A2"


def _class_headers(fig: Figures) -> list[str]:
    return [
        _("{label} innbyggere").format(label=c.label) + (f" ({_('små')})" if c.small else "")
        for c in fig.classes
    ]


def _counts(fig: Figures, row: SchemeYearRow) -> list[Cell]:
    return [*(row.by_class.get(c.index, 0) for c in fig.classes), row.total]


def workbook(fig: Figures, workspace_name: str) -> bytes:
    from openpyxl import Workbook

    f = fig.filter
    book = Workbook()
    first = book.active
    if first is not None:
        book.remove(first)
    scheme = fig.scheme.name if fig.scheme else _("Alle virkemidler")
    areas = ", ".join(_(AREA_LABELS[a]) for a in fig.contact_areas if a in AREA_LABELS)
    _sheet(
        book,
        _("Utvalg"),
        [_("Hva"), _("Verdi")],
        [
            [_("Fylke"), workspace_name],
            [_("Virkemiddel"), scheme],
            [_("Fra år"), f.from_year],
            [_("Til år"), f.to_year],
            [_("Teller som deltakelse"), ", ".join(_(STATUS_LABELS[s]) for s in f.statuses)],
            [_("Små kommuner"), _("under {n} innbyggere").format(n=fig.small_limit)],
            [_("Deltakelser talt"), fig.records],
            [
                _("Innvilget beløp"),
                _("Delt likt mellom kommunene i hver søknad eller hvert prosjekt."),
            ],
            [_("Kontaktpersoner for"), areas],
        ],
    )
    yes, no = _("Ja"), _("Nei")
    classes = _class_headers(fig)
    _sheet(
        book,
        _("Størrelse"),
        [
            _("Innbyggere"),
            _("Små"),
            _("Kommuner"),
            _("Innbyggere i alt"),
            _("Deltok"),
            _("Andel som deltok"),
        ],
        [
            [c.label, yes if c.small else no, c.municipalities, c.population, c.took_part, c.share]
            for c in fig.classes
        ],
    )
    _sheet(
        book,
        _("Per virkemiddel og år"),
        [_("Virkemiddel"), _("År"), *classes, _("I alt")],
        [[r.scheme_name, r.year, *_counts(fig, r)] for r in fig.by_scheme_year],
    )
    _sheet(
        book,
        _("Per virkemiddel"),
        [_("Virkemiddel"), *classes, _("I alt")],
        [[r.scheme_name, *_counts(fig, r)] for r in fig.by_scheme],
    )
    _sheet(
        book,
        _("Per år"),
        [_("År"), *classes, _("I alt")],
        [[r.year, *_counts(fig, r)] for r in fig.by_year],
    )
    groups = {"small": _("Små kommuner"), "other": _("Andre kommuner"), "all": _("Alle")}
    _sheet(
        book,
        _("Søker og partner"),
        [
            _("Kommuner"),
            _("Antall kommuner"),
            _("Som søker"),
            _("Som partner"),
            _("I alt"),
            _("Andel som søker"),
            _("Andel som partner"),
        ],
        [
            [
                groups[r.group],
                r.municipalities,
                r.lead,
                r.partner,
                r.total,
                r.lead_share,
                r.partner_share,
            ]
            for r in fig.roles
        ],
    )
    _sheet(
        book,
        _("Kroner per innbygger"),
        [
            _("Innbyggere"),
            _("Små"),
            _("Innbyggere i alt"),
            _("Innvilget, kroner"),
            _("Per innbygger, kroner"),
        ],
        [
            [
                g.label or _("Hele fylket"),
                (yes if g.small else no) if g.index is not None else "",
                g.population,
                float(g.granted),
                g.per_inhabitant,
            ]
            for g in fig.grants
        ],
    )
    absent_rows: list[list[Cell]] = []
    for m in fig.absent:
        head: list[Cell] = [m.number, m.name, m.population, yes if m.small else no]
        if not m.contacts:
            absent_rows.append([*head, "", "", "", "", ""])
        for c in m.contacts:
            absent_rows.append(
                [
                    *head,
                    c.name,
                    c.title,
                    c.email,
                    c.phone,
                    ", ".join(_(AREA_LABELS[a]) for a in c.areas if a in AREA_LABELS),
                ]
            )
    _sheet(
        book,
        _("Ikke deltatt"),
        [
            _("Kommunenummer"),
            _("Kommune"),
            _("Innbyggere"),
            _("Liten"),
            _("Kontaktperson"),
            _("Tittel"),
            _("E-post"),
            _("Telefon"),
            _("Ansvarsområder"),
        ],
        absent_rows,
    )
    book.properties.title = _("Deltakelse i virkemidler")
    book.properties.creator = "Samspill"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
