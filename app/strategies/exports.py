"""Exports of strategies: the consultation summary (høringsoppsummering) as DOCX and PDF for the
case-and-archive system, and an action plan's measures as XLSX.

Both summary formats carry the same content in the same order: what was consulted and when,
who was invited, the figures, the formal responses, then every comment and amendment by
section with its thread and answer, and finally the consulted text itself. Meaning never rests
on colour alone: removed and added words are struck through and underlined, and a legend says so.

Exports are made after the request's transaction has ended (:class:`AfterTransaction`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fastapi.responses import Response
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from app import clock
from app.documents import PDF_OPTIONS, a4
from app.i18n import _, get_locale
from app.strategies import text
from app.strategies.consultation.answers import ANSWER_LABELS
from app.strategies.measures import STATUS_LABELS, is_overdue
from app.strategies.models import ConsultationComment, Measure, StrategyDocument
from app.strategies.summary import Item, SectionSummary, Summary
from app.web import templates

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_LANGUAGE_TAGS = {"nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}
# The same Markdown dialect as text.render_markdown: CommonMark with tables, raw HTML as text.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


class AfterTransaction(Response):
    """A response made only as it is sent: after the route has returned, and so after the
    request's transaction has ended (``get_session`` commits as the route returns).

    Rendering a long consultation as PDF takes seconds. Made inside the route, it would keep
    the request's transaction and connection open all that time; on SQLite, once the request
    has written anything (a session's "last seen" is saved at most once a minute, even on a
    GET), with the write lock taken, so that everyone else's changes wait and then fail. The
    route loads what the export needs and hands over ``make``, which must not use the
    database: its objects are detached by then (loaded attributes read fine; anything not
    loaded raises). An error in ``make`` is an ordinary 500, since nothing has been sent yet."""

    def __init__(self, make: Callable[[], Response]) -> None:
        super().__init__()
        self._make = make

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await run_in_threadpool(self._make)
        response.background = self.background
        await response(scope, receive, send)


def _time(value: datetime | None) -> str:
    """Norwegian local time, dd.mm.yyyy HH:MM, exactly as the pages show it."""
    return str(templates.env.filters["localtime"](value))


def _date(value: date | datetime | None) -> str:
    return str(templates.env.filters["localdate"](value))


def _language() -> str:
    return _LANGUAGE_TAGS.get(get_locale(), "nb-NO")


# --- what both summary formats show -------------------------------------------------------


@dataclass
class Entry:
    """A top-level comment or amendment with its running number in the summary."""

    number: int
    item: Item

    @property
    def comment(self) -> ConsultationComment:
        return self.item.comment

    @property
    def is_amendment(self) -> bool:
        return self.item.comment.kind == "amendment"

    @property
    def heading(self) -> str:
        if self.is_amendment:
            return _("Endringsforslag {n}").format(n=self.number)
        return _("Kommentar {n}").format(n=self.number)

    @property
    def answer_label(self) -> str:
        answer = self.item.comment.answer
        return _(ANSWER_LABELS[answer]) if answer in ANSWER_LABELS else _("Ikke besvart")


def _entries(sections: Sequence[SectionSummary]) -> list[tuple[SectionSummary, list[Entry]]]:
    """Sections with their comments numbered 1, 2, 3 … through the whole summary, so that a
    letter or a decision can refer to "kommentar 7"."""
    out: list[tuple[SectionSummary, list[Entry]]] = []
    n = 0
    for s in sections:
        entries = []
        for item in s.items:
            n += 1
            entries.append(Entry(n, item))
        out.append((s, entries))
    return out


def _author(c: ConsultationComment) -> str:
    who = f"{c.author_name}, {c.author_org}" if c.author_org else c.author_name
    return f"{who} – {_time(c.created_at)}"


def _facts(s: Summary) -> list[tuple[str, str]]:
    """The head of the summary: what was consulted, which version and when."""
    v = s.version
    version = _("{n}, publisert {date}").format(n=v.number, date=_date(v.published_at))
    facts = [
        (_("Dokument"), s.document.title),
        (_("Versjon"), version),
        (_("Høringsperiode"), f"{_date(s.round.starts_on)}–{_date(s.round.ends_on)}"),
    ]
    if s.round.closed_at is not None:
        facts.append((_("Avsluttet før fristen"), _date(s.round.closed_at)))
    if v.case_number:
        facts.append((_("Saksnummer"), v.case_number))
    if s.round.answers_published_at is not None:
        facts.append((_("Svarene publisert"), _date(s.round.answers_published_at)))
    facts.append((_("Laget"), _time(clock.now())))
    return facts


def _figures(s: Summary) -> list[tuple[str, int]]:
    rows = [(_("Kommentarer"), s.comments), (_("Endringsforslag"), s.amendments)]
    rows += [(_(label), s.by_answer.get(key, 0)) for key, label in ANSWER_LABELS.items()]
    rows.append((_("Ikke besvart"), s.unanswered))
    return rows


ROUND_WORD = re.compile(r"(?i)^(?:høring|høyring|consultation)\b\s*(?P<sep>[:–—-])?\s*")


def _title(s: Summary) -> str:
    """ "Høringsoppsummering: {round}", without saying "høring" twice: a round called "Høring:
    Regional plan" gives "Høringsoppsummering: Regional plan", one called "Høring om
    strategien" gives "Oppsummering: Høring om strategien"."""
    title = s.round.title.strip()
    word = ROUND_WORD.match(title)
    if word and word.group("sep") and title[word.end() :]:
        title = title[word.end() :]
    elif word:
        return _("Oppsummering: {title}").format(title=title)
    return _("Høringsoppsummering: {title}").format(title=title)


def _silent(s: Summary, name: str) -> str:
    return _("{name} (svarte ikke)").format(name=name) if name in s.silent else name


def _diff_legend() -> str:
    return _(
        "Foreslått ny tekst for avsnittet. Gjennomstreket tekst foreslås fjernet, understreket "
        "tekst foreslås lagt til."
    )


# --- DOCX ----------------------------------------------------------------------------------


def summary_docx(summary: Summary) -> bytes:
    """The consultation summary as a Word document for the case-and-archive system."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    s = summary
    document = Document()
    a4(document)
    _docx_properties(document, s)
    doc = _Appender(document)

    doc.add_heading(_title(s), level=0)
    doc.add_paragraph(s.workspace.name)
    for label, value in _facts(s):
        _labelled(doc, label, value)

    doc.add_heading(_("Høringsinstanser"), level=1)
    if s.invited:
        for name in s.invited:
            doc.add_paragraph(_silent(s, name), style="List Bullet")
    else:
        doc.add_paragraph(_("Ingen er invitert."))

    doc.add_heading(_("Tall"), level=1)
    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    head = table.rows[0].cells
    head[0].paragraphs[0].add_run(_("Hva")).bold = True
    head[1].paragraphs[0].add_run(_("Antall")).bold = True
    for label, count in _figures(s):
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = str(count)
        cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT

    doc.add_heading(_("Høringssvar"), level=1)
    if not s.responses:
        doc.add_paragraph(_("Ingen høringssvar er sendt inn."))
    for r in s.responses:
        doc.add_heading(r.organisation or _("Ukjent avsender"), level=2)
        _labelled(doc, _("Sendt inn av"), f"{r.submitted_by} – {_time(r.submitted_at)}")
        _markdown(doc, r.body)
        if r.files:
            _labelled(doc, _("Vedlegg"), ", ".join(r.files))

    doc.add_heading(_("Kommentarer og endringsforslag etter avsnitt"), level=1)
    for section, entries in _entries(s.sections):
        doc.add_heading(f"{section.section.position}. {section.section.heading}", level=2)
        if not entries:
            doc.add_paragraph(_("Ingen kommentarer til dette avsnittet."))
        for entry in entries:
            _docx_entry(doc, s, entry)

    doc.add_page_break()
    doc.add_heading(
        _("Vedlegg: Teksten som var på høring (versjon {n})").format(n=s.version.number), level=1
    )
    for section in s.sections:
        doc.add_heading(f"{section.section.position}. {section.section.heading}", level=2)
        _markdown(doc, section.section.body)

    doc.finish()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class _Appender:
    """Adds to the end of a document in constant time.

    python-docx looks for the body's section properties on every ``add_paragraph`` — a scan of
    the whole body, so a summary with thousands of comments took quadratic time. Inserting
    before a placeholder paragraph at the end does not scan; ``finish`` removes it."""

    def __init__(self, document: Any):
        self.document = document
        self._end = document.add_paragraph()

    def add_paragraph(self, text: str = "", style: Any = None) -> Any:
        return self._end.insert_paragraph_before(text, style)

    def add_heading(self, text: str = "", level: int = 1) -> Any:
        return self.add_paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def add_page_break(self) -> Any:
        from docx.enum.text import WD_BREAK

        paragraph = self.add_paragraph()
        paragraph.add_run().add_break(WD_BREAK.PAGE)
        return paragraph

    def add_table(self, rows: int, cols: int, style: Any = None) -> Any:
        table = self.document.add_table(rows, cols, style)
        self._end._p.addprevious(table._tbl)
        return table

    def finish(self) -> None:
        element = self._end._p
        element.getparent().remove(element)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.document, name)


def _docx_properties(doc: Any, s: Summary) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    props = doc.core_properties
    props.title = _title(s)
    props.subject = s.document.title
    props.author = s.workspace.name
    props.last_modified_by = s.workspace.name
    props.comments = ""
    props.keywords = _("høringsoppsummering")
    props.language = _language()
    now = clock.now()
    props.created = props.modified = now
    props.revision = 1

    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    lang = OxmlElement("w:lang")  # spelling and screen readers: the text's language
    lang.set(qn("w:val"), _language())
    normal.element.get_or_add_rPr().append(lang)

    # "Høringsoppsummering: … – side 3" in the footer of every page
    footer = doc.sections[0].footer.paragraphs[0]
    footer.text = f"{_title(s)} – {_('side')} "
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    run.append(t)
    field.append(run)
    footer._p.append(field)


def _labelled(doc: Any, label: str, value: str) -> Any:
    p = doc.add_paragraph()
    p.add_run(f"{label}: ").bold = True
    p.add_run(value)
    return p


def _paragraphs(value: str) -> list[str]:
    """Plain text in paragraphs (blank lines); single line breaks stay inside a paragraph."""
    blocks = (value or "").replace("\r\n", "\n").split("\n\n")
    return [b.strip("\n") for b in blocks if b.strip()]


def _plain(doc: Any, value: str, style: str | None = None) -> None:
    for block in _paragraphs(value):
        doc.add_paragraph(block, style=style)  # python-docx turns "\n" into a line break


def _docx_entry(doc: Any, s: Summary, entry: Entry) -> None:
    c = entry.comment
    doc.add_heading(entry.heading, level=3)
    _labelled(doc, _("Fra"), _author(c))
    if c.quote:
        doc.add_paragraph(_("Sitert fra avsnittet:"))
        _plain(doc, c.quote, style="Quote")
    if entry.is_amendment:
        if c.body:
            doc.add_paragraph().add_run(_("Begrunnelse:")).bold = True
            _plain(doc, c.body)
        doc.add_paragraph().add_run(_diff_legend()).italic = True
        p = doc.add_paragraph()
        for piece in text.word_diff(c.base_text or "", c.proposed_text or ""):
            run = p.add_run(piece.text)
            if piece.op == "removed":
                run.font.strike = True
            elif piece.op == "added":
                run.underline = True
                run.bold = True
    else:
        _plain(doc, c.body)

    for reply in entry.item.replies:
        p = doc.add_paragraph()
        p.add_run(_("Svar i tråden fra {who}:").format(who=_author(reply))).bold = True
        _plain(doc, reply.body, style="List Continue")

    p = doc.add_paragraph()
    p.add_run(_("Svar fra {org}: ").format(org=s.workspace.name)).bold = True
    p.add_run(entry.answer_label).bold = True
    if c.answer_reason:
        _plain(doc, c.answer_reason)
    if c.answered_at is not None:
        doc.add_paragraph(_("Besvart {date}.").format(date=_date(c.answered_at)))


# Markdown of the consulted text, rendered as Word paragraphs (headings, lists, quotes, tables,
# bold and italic); links keep their address in brackets so that the printed copy has it.


def _markdown(doc: Any, source: str) -> None:
    tokens = _md.parse(source or "")
    lists: list[list[int]] = []  # per open list: [next number] for ordered, [] for bullets
    item_start = False  # the next paragraph opens a list item: it carries the number
    quote = 0
    heading: int | None = None
    table: list[list[Token]] | None = None
    for tok in tokens:
        kind = tok.type
        if kind == "bullet_list_open":
            lists.append([])
        elif kind == "ordered_list_open":
            start = tok.attrGet("start")
            lists.append([int(start) if start is not None else 1])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            item_start = True
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "heading_open":
            heading = min(max(int(tok.tag[1:]), 3), 6)  # below the section's own heading
        elif kind == "heading_close":
            heading = None
        elif kind == "table_open":
            table = []
        elif kind == "tr_open" and table is not None:
            table.append([])
        elif kind == "table_close" and table is not None:
            _docx_table(doc, table)
            table = None
        elif kind == "inline":
            if table is not None:
                table[-1].append(tok)
            elif heading is not None:
                doc.add_heading(_inline_text(tok.children or []), level=heading)
            else:
                p = doc.add_paragraph(style=_block_style(lists, quote))
                if item_start and lists and lists[-1]:
                    p.add_run(f"{lists[-1][0]}. ")
                    lists[-1][0] += 1
                item_start = False
                _inline(p, tok.children or [])
        elif kind in ("fence", "code_block"):
            p = doc.add_paragraph(style=_block_style(lists, quote))
            run = p.add_run(tok.content.rstrip("\n"))
            run.font.name = "Courier New"
        elif kind == "hr":
            doc.add_paragraph("* * *")


def _block_style(lists: list[list[int]], quote: int) -> str | None:
    if lists:
        depth = min(len(lists), 3)
        suffix = "" if depth == 1 else f" {depth}"
        return ("List" if lists[-1] else "List Bullet") + suffix
    return "Quote" if quote else None


def _inline(p: Any, children: Iterable[Token]) -> None:
    bold = italic = 0
    href: str | None = None
    for child in children:
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "link_open":
            href = str(child.attrGet("href") or "")
        elif kind == "link_close":
            if href:
                p.add_run(f" ({href})")
            href = None
        elif kind in ("text", "code_inline", "image"):
            run = p.add_run(f"[{child.content}]" if kind == "image" else child.content)
            run.bold = bool(bold) or None
            run.italic = bool(italic) or None
            if kind == "code_inline":
                run.font.name = "Courier New"
        elif kind == "softbreak":
            p.add_run(" ")
        elif kind == "hardbreak":
            p.add_run("\n")


def _inline_text(children: Iterable[Token]) -> str:
    return "".join(
        c.content if c.type in ("text", "code_inline", "image") else " "
        for c in children
        if c.type in ("text", "code_inline", "image", "softbreak", "hardbreak")
    )


def _docx_table(doc: Any, rows: list[list[Token]]) -> None:
    if not rows:
        return
    cols = max(len(r) for r in rows)
    table = doc.add_table(rows=0, cols=cols)
    table.style = "Table Grid"
    for index, row in enumerate(rows):
        cells = table.add_row().cells
        for col, tok in enumerate(row):
            p = cells[col].paragraphs[0]
            _inline(p, tok.children or [])
            if index == 0:
                for run in p.runs:
                    run.bold = True
    doc.add_paragraph()


# --- PDF -----------------------------------------------------------------------------------


def summary_html(summary: Summary) -> str:
    """The print document the PDF is made from (also handy to look at while changing it)."""
    return templates.get_template("strategies/summary_print.html").render(
        s=summary,
        title=_title(summary),
        facts=_facts(summary),
        figures=_figures(summary),
        sections=_entries(summary.sections),
        diff_legend=_diff_legend(),
        author=_author,
        paragraphs=_paragraphs,
        markdown=text.render_markdown,
        diff=text.diff_html,
        lang=_language(),
        css=css_string,
        silent=lambda name: _silent(summary, name),
    )


def css_string(value: str) -> Markup:
    """A quoted CSS string for ``content:`` in the template's style sheet. Inside <style> no
    HTML escaping applies, so everything but letters, digits and spaces is a CSS escape: no
    quote, backslash or "</style>" can end the string or the sheet."""
    body = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):06x}" for c in str(value))
    return Markup(f'"{body}"')  # noqa: S704 - every character but letters and digits escaped


def summary_pdf(summary: Summary) -> bytes:
    """The consultation summary as an A4 PDF. Nothing is fetched while rendering: the
    template has no URLs, there is no base URL, and a fetcher that allows no protocol at all
    refuses anything that might still ask (a link in the text is printed, never loaded)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = HTML(
        string=summary_html(summary),
        base_url=None,
        url_fetcher=URLFetcher(allowed_protocols=()),
    )
    return bytes(html.write_pdf(**PDF_OPTIONS))


# --- XLSX ----------------------------------------------------------------------------------


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
