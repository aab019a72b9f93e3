"""Lines and pages: greedy line breaking with the fonts' advance widths, then pages with
glued lines (headings with what follows, orphans and widows, boxes kept whole) moving together."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from app.pdfwriter.document import Document, Line, Run, Segment
from app.pdfwriter.fonts import COMPLEX_SCRIPT, NeedsShaping, font

_TOKENS = re.compile(r"\n| +|[^ \n]+")


def _break_lines(runs: list[Run], width: float, size: float) -> list[list[Segment]]:
    """Greedy line breaking: words (which may span runs) fill each line; a word wider than
    the line is cut where it must; "\\n" breaks the line."""
    scale = size / 1000
    # words: lists of (run, text, width); spaces and newlines between them
    items: list[tuple[str, Any]] = []
    word: list[tuple[Run, str, float]] = []
    for run in runs:
        style = run.style
        f = font(style)
        if COMPLEX_SCRIPT.search(run.text):
            raise NeedsShaping(run.text[:80])
        text = run.text.replace("\t", "    ").replace("\r", "")
        for tok in _TOKENS.findall(text):
            if tok == "\n":
                if word:
                    items.append(("w", word))
                    word = []
                items.append(("n", None))
            elif tok[0] == " ":
                if word:
                    items.append(("w", word))
                    word = []
                items.append(("s", (run, tok, f.width(tok) * scale)))
            else:
                tok = f.usable(tok)  # a character the font lacks shows as "?", a line break stays
                word.append((run, tok, f.width(tok) * scale))
    if word:
        items.append(("w", word))

    lines: list[list[Segment]] = []
    line: list[tuple[Run, str, float]] = []
    x = 0.0
    space: tuple[Run, str, float] | None = None

    def flush() -> None:
        nonlocal line, x, space
        lines.append(_segments(line))
        line, x, space = [], 0.0, None

    hard = True  # at the start of the text or after a line break in it (not a wrap)
    for kind, value in items:
        if kind == "n":
            flush()
            hard = True
        elif kind == "s":
            if line:
                space = value
            elif hard and value[2] < width:  # indentation typed by the author stays
                line.append(value)
                x += value[2]
        else:
            hard = False
            w = sum(p[2] for p in value)
            gap = space[2] if space else 0.0
            if line and x + gap + w > width:
                flush()
                gap = 0.0
            if not line and w > width:
                for piece in _cut(value, width, scale):
                    if line:
                        flush()
                    line = piece
                    x = sum(p[2] for p in piece)
                continue
            if line and space:
                line.append(space)
            line.extend(value)
            x += gap + w
            space = None
    if line or not lines:
        flush()
    return lines


def _cut(word: list[tuple[Run, str, float]], width: float, scale: float) -> Iterator[list[Any]]:
    """A word too wide for a line, in pieces that fit (character by character)."""
    piece: list[tuple[Run, str, float]] = []
    x = 0.0
    for run, text, _w in word:
        f = font(run.style)
        start = 0
        for i, ch in enumerate(text):
            cw = f.advance[ch] * scale
            if x + cw > width and (piece or i > start):
                if i > start:
                    piece.append((run, text[start:i], f.width(text[start:i]) * scale))
                yield piece
                piece, x, start = [], 0.0, i
            x += cw
        if start < len(text):
            piece.append((run, text[start:], f.width(text[start:]) * scale))
    if piece:
        yield piece


def _segments(parts: list[tuple[Run, str, float]]) -> list[Segment]:
    out: list[Segment] = []
    x = 0.0
    for run, text, w in parts:
        underline, strike = bool(run.underline), bool(run.strike or run.font.strike)
        style = run.style
        last = out[-1] if out else None
        if last and last.style == style and last.underline == underline and last.strike == strike:
            last.text += text
            last.width += w
        else:
            out.append(Segment(style, text, x, w, underline, strike))
        x += w
    return out


def _layout(doc: Document) -> list[Line]:
    lines: list[Line] = []
    pending_after = 0.0
    for block in doc.blocks:
        before = max(block.before, pending_after)
        pending_after = block.after
        if block.row is not None:
            row = block.row
            cells = []
            x = 0.0
            lh = block.size * block.leading
            for (node, runs, right), w in zip(row.cells, row.widths, strict=False):
                inner = w - 12
                broken = _break_lines(runs, inner, block.size)
                cell_lines = []
                for segs in broken:
                    shift = 6 + (inner - (segs[-1].x + segs[-1].width) if right and segs else 0)
                    for s in segs:
                        s.x += x + shift
                    cell_lines.append(Line(block, segs, lh))
                cells.append((node, cell_lines, x))
                x += w
            # A row taller than a page goes on in slices, each with its cells' borders, as a
            # browser splits a table row at a page break; a slice never exceeds a page.
            usable = doc.page_height - doc.margins[0] - doc.margins[2]
            per_slice = max(1, int((usable - 4) // lh))
            tallest = max((len(c[1]) for c in cells), default=0)
            starts = range(0, max(tallest, 1), per_slice)
            for k, start in enumerate(starts):
                part = [(node, cl[start : start + per_slice], cx) for node, cl, cx in cells]
                height = max((len(cl) for _node, cl, _cx in part), default=0) * lh + 4
                last = k == len(starts) - 1
                lines.append(
                    Line(
                        block,
                        [],
                        height,
                        before if k == 0 else 0.0,
                        cells=part,
                        first=k == 0,
                        last=last,
                    )
                )
            continue
        width = doc.text_width - block.indent - block.right
        broken = _break_lines(block.runs, width, block.size)
        n = len(broken)
        height = block.size * block.leading
        for i, segs in enumerate(broken):
            line = Line(block, segs, height, before if i == 0 else 0.0)
            line.first, line.last = i == 0, i == n - 1
            # orphans and widows: two lines at least stay together at either end
            line.glue_next = i < n - 1 and (block.together or i == 0 or i == n - 2)
            lines.append(line)
        if block.rule_below:
            lines[-1].height += 3
    # keep-with-next and keep-with-previous glue across blocks
    for i, line in enumerate(lines[:-1]):
        nxt = lines[i + 1]
        if line.last and line.block.keep_with_next:
            line.glue_next = True
        if nxt.first and nxt.block.keep_with_previous:
            line.glue_next = True
    return lines


def _paginate(doc: Document, lines: list[Line]) -> list[list[tuple[Line, float]]]:
    """Lines onto pages, each with its baseline-box top (y from the page top). Glued lines
    move together; a glued run taller than a page is split where it must be."""
    top, _right, bottom, _left = doc.margins
    usable = doc.page_height - top - bottom
    pages: list[list[tuple[Line, float]]] = [[]]
    y = 0.0
    i = 0
    n = len(lines)
    while i < n:
        j = i
        need = lines[i].before + lines[i].height
        while lines[j].glue_next and j + 1 < n:
            j += 1
            need += lines[j].before + lines[j].height
        if pages[-1] and lines[i].first and lines[i].block.break_before:
            pages.append([])
            y = 0.0
        if pages[-1] and y + need > usable and need <= usable:
            pages.append([])
            y = 0.0
        for line in lines[i : j + 1]:
            before = line.before if pages[-1] else 0.0
            if pages[-1] and y + before + line.height > usable:
                pages.append([])
                y, before = 0.0, 0.0
            y += before
            pages[-1].append((line, y))
            y += line.height
        i = j + 1
    return pages
