"""Markdown (the consulted text, formal responses) as Word paragraphs: headings, lists, quotes,
tables, bold and italic; links keep their address in brackets so that the printed copy has it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

# The same Markdown dialect as text.render_markdown: CommonMark with tables, raw HTML as text.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


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
