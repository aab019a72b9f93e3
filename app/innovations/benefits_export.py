"""A benefits plan to take away: the four parts and the benefits as DOCX (A4) and PDF for the
case-and-archive system, and the indicators with their measurements as XLSX, where figures are
numbers and dates are dates.

The same content in the same order in DOCX and PDF: what the plan is for, the four templates
field by field, then the benefits and (for a municipality's plan) what was measured."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from app import clock
from app.counties.models import Workspace
from app.documents import PDF_OPTIONS, a4
from app.i18n import _, get_locale
from app.innovations.benefits_parts import KIND_LABELS, PARTS, STATUS_LABELS, WHEN_LABELS, Part
from app.innovations.models import BenefitPlan, Innovation, Measurement
from app.strategies.exports import DOCX_TYPE, PDF_TYPE, XLSX_TYPE, css_string
from app.web import templates

__all__ = ["DOCX_TYPE", "PDF_TYPE", "XLSX_TYPE", "PlanDoc", "docx", "pdf", "xlsx"]

_LANGUAGE_TAGS = {"nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}


@dataclass
class PlanDoc:
    """One plan with what an export shows of it."""

    workspace: Workspace
    innovation: Innovation
    plan: BenefitPlan
    municipality: str  # "" for the common plan
    measurements: dict[int, list[Measurement]]

    @property
    def title(self) -> str:
        if self.municipality:
            return _("Gevinstplan for {municipality}: {title}").format(
                municipality=self.municipality, title=self.innovation.title
            )
        return _("Felles gevinstplan: {title}").format(title=self.innovation.title)

    def facts(self) -> list[tuple[str, str]]:
        p = self.plan
        rows = [(_("Innovasjon"), self.innovation.title)]
        rows.append(
            (_("Kommune"), self.municipality)
            if self.municipality
            else (_("Plan"), _("Felles plan for alle kommunene"))
        )
        if p.scale is not None:
            rows.append((_("Skala fra den felles planen"), number(p.scale)))
        if p.responsible_name or p.responsible_email:
            who = ", ".join(x for x in (p.responsible_name, p.responsible_email) if x)
            rows.append((_("Ansvarlig"), who))
        rows.append((_("Sist endret"), local_date(p.updated_at)))
        rows.append((_("Laget"), clock.now().strftime("%d.%m.%Y %H:%M")))
        return rows

    def parts(self) -> list[tuple[Part, list[tuple[str, str]]]]:
        out = []
        for part in PARTS:
            values = getattr(self.plan, part.key) or {}
            out.append((part, [(_(f.label), str(values.get(f.key) or "")) for f in part.fields]))
        return out


def language() -> str:
    return _LANGUAGE_TAGS.get(get_locale(), "nb-NO")


def number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.####", locale=get_locale())


def local_date(value: Any) -> str:
    return str(templates.env.filters["localdate"](value))


def figure(value: Decimal | None, when: date | None, unit: str) -> str:
    if value is None and when is None:
        return ""
    text = f"{number(value)} {unit}".strip() if value is not None else ""
    if when is not None:
        text = f"{text} ({local_date(when)})".strip()
    return text


def benefit_rows(d: PlanDoc) -> list[list[str]]:
    return [
        [
            b.name,
            _(KIND_LABELS.get(b.kind, b.kind)),
            figure(b.baseline, b.baseline_date, b.unit),
            figure(b.target, b.target_date, b.unit),
            b.measured_by,
            _(WHEN_LABELS.get(b.when_taken_out, b.when_taken_out)),
            _(STATUS_LABELS.get(b.status, b.status)),
        ]
        for b in d.plan.benefits
    ]


def benefit_headers() -> list[str]:
    return [
        _("Gevinst"),
        _("Type"),
        _("Utgangspunkt"),
        _("Mål"),
        _("Måles av"),
        _("Tas ut"),
        _("Status"),
    ]


# --- DOCX ----------------------------------------------------------------------------------


def docx(d: PlanDoc) -> bytes:
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    a4(document)
    props = document.core_properties
    props.title = d.title
    props.author = props.last_modified_by = d.workspace.name
    props.language = language()
    props.keywords = _("gevinstrealisering")
    props.created = props.modified = clock.now()
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language())
    normal.element.get_or_add_rPr().append(lang)

    document.add_heading(d.title, level=0)
    document.add_paragraph(d.workspace.name)
    for label, value in d.facts():
        p = document.add_paragraph()
        p.add_run(f"{label}: ").bold = True
        p.add_run(value)

    for part, fields in d.parts():
        document.add_heading(f"{part.number}. {_(part.title)}", level=1)
        document.add_paragraph(_(part.question)).runs[0].italic = True
        for label, text in fields:
            document.add_heading(label, level=2)
            for block in _blocks(text) or [_("Ikke fylt ut.")]:
                document.add_paragraph(block)

    document.add_heading(_("Gevinster og indikatorer"), level=1)
    rows = benefit_rows(d)
    if not rows:
        document.add_paragraph(_("Ingen gevinster er lagt inn."))
    else:
        table = document.add_table(rows=1, cols=len(benefit_headers()))
        table.style = "Table Grid"
        for cell, heading in zip(table.rows[0].cells, benefit_headers(), strict=True):
            cell.paragraphs[0].add_run(heading).bold = True
        for row in rows:
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.text = value

    if d.municipality:
        document.add_heading(_("Målinger"), level=1)
        any_rows = False
        for b in d.plan.benefits:
            found = d.measurements.get(b.id, [])
            if not found:
                continue
            any_rows = True
            document.add_heading(b.name, level=2)
            for m in found:
                value = f"{number(m.value)} {b.unit}".strip() if m.value is not None else ""
                text = " – ".join(x for x in (value, m.text) if x)
                document.add_paragraph(f"{local_date(m.measured_on)}: {text}", style="List Bullet")
        if not any_rows:
            document.add_paragraph(_("Ingen målinger ennå."))

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _blocks(text: str) -> list[str]:
    return [b.strip("\n") for b in (text or "").replace("\r\n", "\n").split("\n\n") if b.strip()]


# --- PDF -----------------------------------------------------------------------------------


def html(d: PlanDoc) -> str:
    return templates.get_template("innovations/benefits_print.html").render(
        d=d,
        title=d.title,
        lang=language(),
        headers=benefit_headers(),
        rows=benefit_rows(d),
        number=number,
        local_date=local_date,
        css=css_string,
    )


def pdf(d: PlanDoc) -> bytes:
    """A4; nothing is fetched while rendering (no URLs, no base URL, no protocol allowed)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    document = HTML(string=html(d), base_url=None, url_fetcher=URLFetcher(allowed_protocols=()))
    return bytes(document.write_pdf(**PDF_OPTIONS))


# --- XLSX ----------------------------------------------------------------------------------


def xlsx(docs: list[PlanDoc]) -> bytes:
    """The indicators of one or more plans on the first sheet, every measurement on the
    second: figures as numbers, dates as dates, text always text."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook()
    indicators = book.active
    assert indicators is not None
    indicators.title = _("Gevinster")
    measured = book.create_sheet(_("Målinger"))
    book.properties.title = docs[0].title if len(docs) == 1 else docs[0].innovation.title
    book.properties.creator = "Samspill"
    book.properties.language = language()

    def put(sheet: Any, row: int, values: list[Any]) -> None:
        for col, value in enumerate(values, start=1):
            if isinstance(value, str):
                cell = sheet.cell(row=row, column=col, value=ILLEGAL_CHARACTERS_RE.sub("", value))
                cell.data_type = "s"  # a name starting with "=" is never a formula
            else:
                cell = sheet.cell(row=row, column=col, value=value)
                if isinstance(value, date):
                    cell.number_format = "DD.MM.YYYY"
                elif isinstance(value, float):
                    cell.number_format = "#,##0.##"

    def head(sheet: Any, headers: list[str], widths: list[int]) -> None:
        for col, (heading, width) in enumerate(zip(headers, widths, strict=True), start=1):
            sheet.cell(row=1, column=col, value=heading).font = Font(bold=True)
            sheet.column_dimensions[sheet.cell(row=1, column=col).column_letter].width = width
        sheet.freeze_panes = "A2"

    head(
        indicators,
        [
            _("Kommune"),
            _("Gevinst"),
            _("Type"),
            _("Enhet"),
            _("Utgangspunkt"),
            _("Dato for utgangspunkt"),
            _("Mål"),
            _("Måldato"),
            _("Måles av"),
            _("Tas ut"),
            _("Status"),
            _("Siste måling"),
            _("Siste målte verdi"),
        ],
        [18, 36, 12, 14, 13, 13, 13, 13, 22, 18, 12, 13, 13],
    )
    head(
        measured,
        [_("Kommune"), _("Gevinst"), _("Dato"), _("Verdi"), _("Enhet"), _("Beskrivelse")],
        [18, 36, 12, 13, 14, 60],
    )
    r = m_row = 2
    for d in docs:
        where = d.municipality or _("Felles plan")
        for b in d.plan.benefits:
            found = d.measurements.get(b.id, [])
            last = found[-1] if found else None
            put(
                indicators,
                r,
                [
                    where,
                    b.name,
                    _(KIND_LABELS.get(b.kind, b.kind)),
                    b.unit,
                    _float(b.baseline),
                    b.baseline_date,
                    _float(b.target),
                    b.target_date,
                    b.measured_by,
                    _(WHEN_LABELS.get(b.when_taken_out, b.when_taken_out)),
                    _(STATUS_LABELS.get(b.status, b.status)),
                    last.measured_on if last else None,
                    _float(last.value) if last else None,
                ],
            )
            r += 1
            for m in found:
                put(
                    measured, m_row, [where, b.name, m.measured_on, _float(m.value), b.unit, m.text]
                )
                m_row += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None
