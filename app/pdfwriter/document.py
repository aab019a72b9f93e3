"""What a PDF document is made of: runs, blocks, frames, table rows and the structure tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app import clock

MM = 72 / 25.4
A4 = (595.276, 841.89)


class _Font:
    """python-docx-like ``run.font`` so that the Markdown walker can set ``font.name``."""

    name: str | None = None
    strike: bool | None = None


@dataclass(slots=True)
class Run:
    text: str
    bold: bool | None = None
    italic: bool | None = None
    underline: bool | None = None
    strike: bool = False
    font: _Font = field(default_factory=_Font)

    @property
    def style(self) -> str:
        if self.bold and self.italic:
            return "bolditalic"
        if self.bold:
            return "bold"
        return "italic" if self.italic else "regular"


@dataclass(slots=True)
class Node:
    """An element of the structure tree."""

    tag: str
    parent: Node | None = None
    kids: list[Any] = field(default_factory=list)  # Node or (page index, mcid)
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Frame:
    """A box (``box``) or a bar on the left (``bar``) drawn around consecutive blocks."""

    kind: str
    left: float  # from the text area's left edge
    width: float = 0.75
    pad: float = 3.0


@dataclass(slots=True)
class Block:
    runs: list[Run]
    node: Node
    size: float = 10.0
    indent: float = 0.0  # left, from the text area's edge
    right: float = 0.0
    before: float = 0.0
    after: float = 5.0
    keep_with_next: bool = False
    keep_with_previous: bool = False  # glue the previous block's last line to this one
    together: bool = False  # never split across pages (if it fits on one)
    label: str | None = None  # a list item's bullet or number, drawn in the indent
    label_node: Node | None = None
    rule_below: bool = False
    frames: tuple[Frame, ...] = ()
    leading: float = 1.4
    row: TableRow | None = None
    break_before: bool = False  # start a new page


@dataclass(slots=True)
class TableRow:
    cells: list[tuple[Node, list[Run], bool]]  # node, runs, right-aligned
    widths: list[float]
    bold_first: bool = False


@dataclass(slots=True)
class Segment:
    style: str
    text: str
    x: float
    width: float
    underline: bool
    strike: bool


@dataclass(slots=True)
class Line:
    block: Block
    segments: list[Segment]
    height: float
    before: float = 0.0
    glue_next: bool = False
    cells: list[tuple[Node, list[Line], float]] | None = None  # a table row: cells' lines
    first: bool = False
    last: bool = False


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _plain(value: str) -> str:
    """Metadata and running heads without control characters (a vertical tab pasted from a
    word processor): XML 1.0 allows none of them, and the XMP packet must stay well-formed
    for PDF/A."""
    return _CONTROL.sub(" ", value)


class Document:
    """Blocks in reading order with their structure tree; ``write_pdf`` lays out and writes."""

    def __init__(
        self,
        *,
        title: str,
        lang: str,
        author: str = "",
        subject: str = "",
        keywords: str = "",
        creator: str = "Samspill",
        header: str = "",
        footer_left: str = "",
        page_label: str = "Side {n} av {m}",
        margins: tuple[float, float, float, float] = (22 * MM, 20 * MM, 22 * MM, 22 * MM),
        created: datetime | None = None,
    ) -> None:
        self.title, self.lang, self.author = _plain(title), _plain(lang), _plain(author)
        self.subject, self.keywords = _plain(subject), _plain(keywords)
        self.creator = _plain(creator)
        # a page's header and footer hold one line: no more than that is ever measured
        self.header, self.footer_left = _plain(header)[:300], _plain(footer_left)[:300]
        self.page_label = page_label
        self.margins = margins  # top, right, bottom, left
        self.created = created or clock.now()
        self.root = Node("Document")
        self._open = self.root
        self.blocks: list[Block] = []
        self.frames: list[Frame] = []
        self.indent = 0.0
        self.page_width, self.page_height = A4
        self.text_width = self.page_width - margins[1] - margins[3]

    # structure

    def open(self, tag: str, **attrs: Any) -> Node:
        node = Node(tag, self._open, attrs=attrs)
        self._open.kids.append(node)
        self._open = node
        return node

    def close(self) -> None:
        assert self._open.parent is not None
        self._open = self._open.parent

    def frame(self, kind: str, left: float = 0.0, pad: float = 3.0, width: float = 0.75) -> Frame:
        f = Frame(kind, self.indent + left, width, pad)
        self.frames.append(f)
        return f

    def end_frame(self) -> None:
        self.frames.pop()

    def paragraph(
        self, runs: list[Run] | str, tag: str = "P", *, into: Node | None = None, **style: Any
    ) -> Block:
        if isinstance(runs, str):
            runs = [Run(runs)]
        parent = into or self._open
        node = Node(tag, parent)
        parent.kids.append(node)
        style.setdefault("indent", 0.0)
        style["indent"] += self.indent
        block = Block(runs, node, frames=tuple(self.frames), **style)
        self.blocks.append(block)
        return block

    def table_row(
        self,
        cells: list[tuple[str, list[Run], bool]],
        widths: list[float],
        *,
        into: Node | None = None,
        scope: str = "Row",
    ) -> Block:
        """A table row in a Table element: cells of (TH/TD, runs, right-aligned)."""
        parent = into or self._open
        tr = Node("TR", parent)
        parent.kids.append(tr)
        made = []
        for tag, runs, right in cells:
            node = Node(tag, tr)
            if tag == "TH":
                node.attrs["Scope"] = scope
            tr.kids.append(node)
            made.append((node, runs, right))
        block = Block([], tr, indent=self.indent, after=0.0, row=TableRow(made, widths))
        block.frames = tuple(self.frames)
        block.together = True
        self.blocks.append(block)
        return block
