"""The consultation summary as PDF/A-2u written directly (app/pdfwriter.py), without HTML
layout: the same content in the same order as the print document
``templates/strategies/summary_print.html``, in a fraction of the time and memory."""

from __future__ import annotations

from typing import Any

from app import clock
from app.i18n import _
from app.pdfwriter import Block, Document, Frame, Node, Run, write_pdf
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

_HEADING = {1: (18.0, 0.0, 4.0), 2: (14.0, 18.0, 6.0), 3: (12.0, 14.0, 4.0), 4: (10.5, 10.0, 2.0)}


def summary_pdf_direct(summary: Summary) -> bytes:
    """The consultation summary as an A4 PDF (PDF/A-2u, tagged)."""
    s = summary
    title = _title(s)
    doc = Document(
        title=title,
        lang=_language(),
        author=s.workspace.name,
        subject=s.document.title,
        keywords=_("høringsoppsummering"),
        header=title,
        footer_left=s.workspace.name,
        page_label=_("Side") + " {n} " + _("av") + " {m}",
        created=clock.now(),
    )
    _heading(doc, title, 1)
    doc.paragraph(s.workspace.name, size=11.0, after=10.0)
    for label, value in _facts(s):
        _labelled(doc, label, value, after=2.0)

    _heading(doc, _("Høringsinstanser"), 2)
    if s.invited:
        doc.open("L")
        for name in s.invited:
            _item(doc, [Run(_silent(s, name))], "•", indent=14.0)
        doc.close()
    else:
        _empty(doc, _("Ingen er invitert."))

    _heading(doc, _("Tall"), 2)
    _figures_table(doc, s)

    _heading(doc, _("Høringssvar"), 2)
    if not s.responses:
        _empty(doc, _("Ingen høringssvar er sendt inn."))
    for r in s.responses:
        doc.open("Sect")
        _heading(doc, r.organisation or _("Ukjent avsender"), 3)
        _labelled(
            doc, _("Sendt inn av"), f"{r.submitted_by} – {_time(r.submitted_at)}"
        ).keep_with_next = True
        _write_markdown(doc, r.body)
        if r.files:
            _labelled(doc, _("Vedlegg"), ", ".join(r.files))
        doc.close()

    _heading(doc, _("Kommentarer og endringsforslag etter avsnitt"), 2)
    for section, entries in _entries(s.sections):
        doc.open("Sect")
        _heading(doc, f"{section.section.position}. {section.section.heading}", 3)
        if not entries:
            _empty(doc, _("Ingen kommentarer til dette avsnittet."))
        for entry in entries:
            _entry(doc, s, entry)
        doc.close()

    doc.open("Sect")
    appendix = _heading(
        doc, _("Vedlegg: Teksten som var på høring (versjon {n})").format(n=s.version.number), 2
    )
    appendix.break_before = True
    for section in s.sections:
        doc.open("Sect")
        _heading(doc, f"{section.section.position}. {section.section.heading}", 3)
        _write_markdown(doc, section.section.body)
        doc.close()
    doc.close()
    return write_pdf(doc)


def _write_markdown(doc: Document, source: str) -> None:
    target = _MarkdownTarget(doc)
    _markdown(target, source)
    target.finish()


def _heading(doc: Document, value: str, level: int) -> Block:
    size, before, after = _HEADING.get(level, (10.0, 8.0, 2.0))
    return doc.paragraph(
        [Run(value, bold=True)],
        f"H{level}",
        size=size,
        before=before,
        after=after,
        keep_with_next=level > 1,
        rule_below=level == 2,
        leading=1.25,
    )


def _labelled(doc: Document, label: str, value: str, **style: Any) -> Block:
    return doc.paragraph([Run(f"{label}: ", bold=True), Run(value)], **style)


def _empty(doc: Document, value: str) -> Block:
    return doc.paragraph([Run(value, italic=True)])


def _plain(doc: Document, value: str, **style: Any) -> list[Block]:
    return [doc.paragraph(block, **style) for block in _paragraphs(value)]


def _item(doc: Document, runs: list[Run], label: str | None, indent: float) -> Block:
    """A list item: LI with its bullet (Lbl, if any) and its text (LBody)."""
    li = doc.open("LI")
    mark = None
    if label:
        mark = Node("Lbl", li)
        li.kids.append(mark)
    block = doc.paragraph(runs, "LBody", indent=indent, after=1.0)
    doc.close()
    block.label, block.label_node = label, mark
    return block


def _figures_table(doc: Document, s: Summary) -> None:
    from app.pdfwriter import font

    figures = _figures(s)
    bold = font("bold")
    label_width = max(bold.width(bold.usable(label)) for label, _count in [*figures, ("Hva", 0)])
    widths = [label_width * 10 / 1000 + 14, 70.0]
    table = doc.open("Table")
    doc.table_row(
        [("TH", [Run(_("Hva"), bold=True)], False), ("TH", [Run(_("Antall"), bold=True)], True)],
        widths,
        into=table,
        scope="Column",
    )
    for label, count in figures:
        doc.table_row(
            [("TH", [Run(label, bold=True)], False), ("TD", [Run(str(count))], True)],
            widths,
            into=table,
        )
    doc.close()
    doc.blocks[-1].after = 8.0


def _entry(doc: Document, s: Summary, entry: Entry) -> None:
    c = entry.comment
    doc.open("Sect")
    doc.frame("bar", left=0.0, width=2.0)
    doc.indent += 8.0
    head = _heading(doc, entry.heading, 4)
    head.before = 4.0
    _labelled(doc, _("Fra"), _author(c)).keep_with_next = True
    if c.quote:
        doc.paragraph(
            [Run(_("Sitert fra avsnittet:"), bold=True)], before=6.0, after=2.0, keep_with_next=True
        )
        doc.open("BlockQuote")
        doc.frame("bar", left=0.0, width=2.0)
        doc.indent += 10.0
        for block in _paragraphs(c.quote):
            doc.paragraph([Run(block, italic=True)], after=3.0)
        doc.indent -= 10.0
        doc.end_frame()
        doc.close()
    if entry.is_amendment:
        if c.body:
            doc.paragraph(
                [Run(_("Begrunnelse:"), bold=True)], before=6.0, after=2.0, keep_with_next=True
            )
            _plain(doc, c.body)
        doc.paragraph([Run(_diff_legend(), italic=True)], size=9.0, keep_with_next=True)
        doc.frame("box", left=0.0)
        doc.indent += 6.0
        runs = []
        for piece in text.word_diff(c.base_text or "", c.proposed_text or ""):
            if piece.op == "removed":
                runs.append(Run(piece.text, strike=True))
            elif piece.op == "added":
                runs.append(Run(piece.text, underline=True, bold=True))
            else:
                runs.append(Run(piece.text))
        doc.paragraph(runs, right=6.0, before=4.0, after=8.0)
        doc.indent -= 6.0
        doc.end_frame()
    else:
        _plain(doc, c.body)

    for reply in entry.item.replies:
        doc.indent += 12.0
        doc.paragraph(
            [Run(_("Svar i tråden fra {who}:").format(who=_author(reply)), bold=True)],
            before=4.0,
            keep_with_next=True,
        )
        _plain(doc, reply.body)
        doc.indent -= 12.0

    # the answer: in a box, never split, never starting a page alone
    answer: list[Block] = []
    doc.open("Div")
    box = doc.frame("box", left=0.0)
    doc.indent += 6.0
    answer.append(
        doc.paragraph(
            [
                Run(
                    _("Svar fra {org}: ").format(org=s.workspace.name) + entry.answer_label,
                    bold=True,
                )
            ],
            right=6.0,
            before=10.0,
        )
    )
    answer += _plain(doc, c.answer_reason or "", right=6.0)
    if c.answered_at is not None:
        answer.append(
            doc.paragraph(_("Besvart {date}.").format(date=_date(c.answered_at)), right=6.0)
        )
    doc.indent -= 6.0
    doc.end_frame()
    doc.close()
    _keep_answer(answer, box)
    doc.indent -= 8.0
    doc.end_frame()
    doc.close()
    answer[-1].after = 14.0


def _keep_answer(blocks: list[Block], box: Frame) -> None:
    blocks[0].keep_with_previous = True
    for block in blocks:
        block.together = True
        block.keep_with_next = True
    blocks[-1].keep_with_next = False
    box.pad = 4.0


# --- the Markdown walker's target ----------------------------------------------------------


class _Paragraph:
    def __init__(self, block: Block) -> None:
        self.block = block
        self.runs = block.runs

    def add_run(self, value: str = "") -> Run:
        run = Run(value)
        self.runs.append(run)
        return run


class _Cell:
    def __init__(self, runs: list[Run]) -> None:
        self.paragraphs = [_Paragraph(Block(runs, Node("TD")))]


class _Row:
    def __init__(self, cells: list[_Cell]) -> None:
        self.cells = cells


class _Table:
    def __init__(self, target: _MarkdownTarget, cols: int) -> None:
        self.target, self.cols, self.style = target, cols, None
        self.node = target.doc.open("Table")
        target.doc.close()
        self.rows = 0

    def add_row(self) -> _Row:
        doc = self.target.doc
        width = (doc.text_width - doc.indent) / self.cols
        cells = [[] for _ in range(self.cols)]  # type: list[list[Run]]
        tag = "TH" if self.rows == 0 else "TD"
        row = doc.table_row(
            [(tag, runs, False) for runs in cells],
            [width] * self.cols,
            into=self.node,
            scope="Column",
        )
        if self.rows == 0:
            row.before = 4.0
        self.rows += 1
        return _Row([_Cell(runs) for runs in cells])


class _MarkdownTarget:
    """What ``word_markdown._markdown`` writes to (python-docx's shape), writing blocks of the
    PDF document instead: the same walk of the Markdown serves both formats."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.lists: list[str] = []  # per open list (L element): its style

    def _lists_to(self, depth: int, style: str = "") -> None:
        if style and len(self.lists) >= depth and self.lists[depth - 1] != style:
            depth_kept = depth - 1  # another kind of list at this depth: a new L
        else:
            depth_kept = depth
        while len(self.lists) > depth_kept:
            self.lists.pop()
            self.doc.close()
            if self.doc.blocks:
                self.doc.blocks[-1].after = max(self.doc.blocks[-1].after, 5.0)
        while len(self.lists) < depth:
            self.doc.open("L")
            self.lists.append(style)

    def add_heading(self, value: str = "", level: int = 3) -> _Paragraph:
        self._lists_to(0)
        return _Paragraph(_heading(self.doc, value, level))

    def add_paragraph(self, value: str = "", style: str | None = None) -> _Paragraph:
        runs = [Run(value)] if value else []
        if style and style.startswith("List"):
            depth = int(style.rsplit(" ", 1)[1]) if style[-1].isdigit() else 1
            bullet = "•" if style.startswith("List Bullet") else None
            self._lists_to(depth, "bullet" if bullet else "number")
            return _Paragraph(_item(self.doc, runs, bullet, indent=14.0 * depth))
        self._lists_to(0)
        if style == "Quote":
            self.doc.frame("bar", left=2.0, width=2.0)
            block = self.doc.paragraph(runs, "BlockQuote", indent=10.0)
            self.doc.end_frame()
            return _Paragraph(block)
        return _Paragraph(self.doc.paragraph(runs))

    def add_table(self, rows: int = 0, cols: int = 1) -> _Table:
        self._lists_to(0)
        return _Table(self, cols)

    def finish(self) -> None:
        self._lists_to(0)
