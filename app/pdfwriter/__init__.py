"""A small PDF writer for text documents: PDF/A-2u, tagged, A4, without HTML layout.

What it does: paragraphs of styled runs (regular, bold, oblique; underline and strike-through),
greedy line breaking with the font's advance widths, long words broken, headings kept with what
follows, simple bordered tables, frames (a box or a bar on the left) around groups of blocks,
page header and footer marked as artifacts, and a structure tree (Document, H1…H6, P, L, LI,
Lbl, LBody, Table, TR, TH, TD, Sect, BlockQuote) with marked content for screen readers.
Fonts are DejaVu Sans from the system, embedded as CIDFontType2 (Identity-H) subsets made with
fontTools, with a ToUnicode map so that text copies and searches.

It is made for long documents: a summary of thousands of comments is laid out in seconds, in
little memory. Objects are written by pydyf."""

from app.pdfwriter.document import (
    A4,
    MM,
    Block,
    Document,
    Frame,
    Line,
    Node,
    Run,
    Segment,
    TableRow,
)
from app.pdfwriter.fonts import Font, FontMissing, NeedsShaping, font, font_path
from app.pdfwriter.output import write_pdf

__all__ = [
    "A4",
    "MM",
    "Block",
    "Document",
    "Font",
    "FontMissing",
    "Frame",
    "Line",
    "NeedsShaping",
    "Node",
    "Run",
    "Segment",
    "TableRow",
    "font",
    "font_path",
    "write_pdf",
]
