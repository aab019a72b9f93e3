"""The consultation summary as a Word document (DOCX) for the case-and-archive system."""

from __future__ import annotations

import io
from typing import Any

from app import clock
from app.documents import a4
from app.i18n import _
from app.strategies import text
from app.strategies.exports.common import (
    Entry,
    _author,
    _date,
    _diff_legend,
    _entries,
    _facts,
    _figures,
    _language,
    _paragraphs,
    _silent,
    _time,
    _title,
)
from app.strategies.exports.word_markdown import _markdown
from app.strategies.summary import Summary


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
