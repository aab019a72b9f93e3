"""Pages as PDF content streams with marked content, and the embedded fonts."""

from __future__ import annotations

import hashlib
import io
import zlib
from typing import Any

from app.pdfwriter.document import Document, Frame, Line, Node, Segment
from app.pdfwriter.fonts import Font, font
from app.pdfwriter.layout import _layout, _paginate
from app.pdfwriter.metadata import _metadata, _structure

_FONT_KEYS = {"regular": "F1", "bold": "F2", "italic": "F3", "bolditalic": "F4"}


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


class _Used:
    """Characters used per font in one document; glyph ids as hex through ``str.translate``."""

    def __init__(self) -> None:
        self.chars: dict[str, set[str]] = {}  # style -> characters

    def hex(self, style: str, text: str) -> str:
        used = self.chars.get(style)
        if used is None:
            used = self.chars[style] = set()
        used.update(text)
        return text.translate(font(style).hex_table)


def _write(doc: Document, pages: list[list[tuple[Line, float]]]) -> bytes:
    import pydyf

    pdf = pydyf.PDF()
    used = _Used()
    top, right, bottom, left = doc.margins
    height = doc.page_height
    total = len(pages)
    parent_tree: list[list[Node]] = []  # per page: mcid -> node
    page_objects = []

    for index, page_lines in enumerate(pages):
        ops: list[str] = ["0 0 0 rg 0 0 0 RG"]
        mcids: list[Node] = []

        def mark(node: Node, page: int = index, mcids: list[Node] = mcids) -> str:
            mcid = len(mcids)
            mcids.append(node)
            node.kids.append((page, mcid))
            return f"/{node.tag} <</MCID {mcid}>> BDC"

        artifacts: list[str] = []
        frames: dict[int, tuple[Frame, float, float]] = {}
        open_node: Node | None = None
        for line, y in page_lines:
            block = line.block
            size = block.size
            line_top = height - top - y
            for f in block.frames:
                have = frames.get(id(f))
                y0 = line_top + (f.pad if line.first else 0)
                y1 = line_top - line.height
                if have is None:
                    frames[id(f)] = (f, y0, y1)
                else:
                    frames[id(f)] = (f, max(have[1], y0), min(have[2], y1))
            if line.cells is not None:
                if open_node is not None:
                    ops.append("EMC")
                    open_node = None
                x = left + block.indent
                widths = block.row.widths if block.row else []
                y1 = line_top - line.height
                for (node, cell_lines, cx), w in zip(line.cells, widths, strict=False):
                    artifacts.append(
                        f"0.75 w {_num(x + cx)} {_num(y1)} {_num(w)} {_num(line.height)} re S"
                    )
                    ops.append(mark(node))
                    baseline = line_top - 2 - size * 1.05
                    for cl in cell_lines:
                        _show(ops, used, cl.segments, x, baseline, size)
                        _decorate(ops, cl.segments, x, baseline, size)
                        baseline -= cl.height
                    ops.append("EMC")
                continue
            baseline = line_top - size * (block.leading / 2 + 0.35)
            x0 = left + block.indent
            if open_node is not block.node:
                if open_node is not None:
                    ops.append("EMC")
                if line.first and block.label and block.label_node is not None:
                    ops.append(mark(block.label_node))
                    label_w = font("regular").width(block.label) * size / 1000
                    _show(
                        ops,
                        used,
                        [Segment("regular", block.label, 0, label_w, False, False)],
                        x0 - label_w - 4,
                        baseline,
                        size,
                    )
                    ops.append("EMC")
                ops.append(mark(block.node))
                open_node = block.node
            _show(ops, used, line.segments, x0, baseline, size)
            _decorate(ops, line.segments, x0, baseline, size)
            if line.last:
                ops.append("EMC")
                open_node = None
                if block.rule_below:
                    yr = line_top - line.height + 1
                    artifacts.append(
                        f"1 w {_num(x0)} {_num(yr)} m {_num(left + doc.text_width)} {_num(yr)} l S"
                    )
        if open_node is not None:
            ops.append("EMC")
        for f, y0, y1 in frames.values():
            x = left + f.left
            if f.kind == "box":
                artifacts.append(
                    f"{_num(f.width)} w {_num(x)} {_num(y1)} "
                    f"{_num(doc.text_width - f.left)} {_num(y0 - y1)} re S"
                )
            else:
                artifacts.append(
                    f"{_num(f.width)} w {_num(x)} {_num(y0)} m {_num(x)} {_num(y1)} l S"
                )
        # header (from page 2) and footer, as pagination artifacts
        grey = "0.333 0.333 0.333 rg"
        small = 8.0
        bits = []
        if index > 0 and doc.header:
            bits.append((doc.header, left, height - top / 2))
        if doc.footer_left:
            bits.append((doc.footer_left, left, bottom / 2))
        label = doc.page_label.format(n=index + 1, m=total)
        lw = font("regular").width(font("regular").usable(label)) * small / 1000
        bits.append((label, doc.page_width - right - lw, bottom / 2))
        page_furniture = ["/Artifact <</Type /Pagination>> BDC", grey]
        for value, x, yb in bits:
            value = font("regular").usable(value)
            limit = doc.text_width * (0.6 if yb < height / 2 else 1.0)
            while value and font("regular").width(value) * small / 1000 > limit:
                value = value[:-2] + "…"
            ops_seg = Segment("regular", value, 0, 0, False, False)
            page_furniture.append(
                f"BT /F1 {_num(small)} Tf 1 0 0 1 {_num(x)} {_num(yb)} Tm "
                f"<{used.hex('regular', ops_seg.text)}> Tj ET"
            )
        page_furniture.append("EMC")
        if artifacts:
            ops.append("/Artifact BMC")
            ops.extend(artifacts)
            ops.append("EMC")
        ops.extend(page_furniture)
        stream = pydyf.Stream(
            [zlib.compress("\n".join(ops).encode(), 6)], {"Filter": "/FlateDecode"}
        )
        pdf.add_object(stream)
        page = pydyf.Dictionary(
            {
                "Type": "/Page",
                "MediaBox": pydyf.Array([0, 0, _num(doc.page_width), _num(doc.page_height)]),
                "Contents": stream.reference,
                "StructParents": index,
                "Tabs": "/S",
            }
        )
        pdf.add_page(page)
        page_objects.append(page)
        parent_tree.append(mcids)

    # fonts
    resources_fonts = pydyf.Dictionary()
    for style, chars in used.chars.items():
        resources_fonts[_FONT_KEYS[style]] = _font_objects(pdf, font(style), chars).reference
    resources = pydyf.Dictionary({"Font": resources_fonts})
    pdf.add_object(resources)
    for page in page_objects:
        page["Resources"] = resources.reference

    _structure(pdf, doc, page_objects, parent_tree)
    _metadata(pdf, doc)
    out = io.BytesIO()
    pdf.write(out, version=b"1.7", identifier=True, compress=True)
    return out.getvalue()


def _show(
    ops: list[str], used: _Used, segs: list[Segment], x0: float, baseline: float, size: float
) -> None:
    for s in segs:
        if s.text:
            ops.append(
                f"BT /{_FONT_KEYS[s.style]} {_num(size)} Tf 1 0 0 1 {_num(x0 + s.x)} "
                f"{_num(baseline)} Tm <{used.hex(s.style, s.text)}> Tj ET"
            )


def _decorate(ops: list[str], segs: list[Segment], x0: float, baseline: float, size: float) -> None:
    """Underline and strike-through as lines, so that they show in any viewer and in print."""
    for s in segs:
        if s.underline or s.strike:
            w = _num(size * 0.06)
            for flag, dy in ((s.underline, -size * 0.12), (s.strike, size * 0.3)):
                if flag:
                    y = _num(baseline + dy)
                    ops.append(f"{w} w {_num(x0 + s.x)} {y} m {_num(x0 + s.x + s.width)} {y} l S")


def _font_objects(pdf: Any, f: Font, chars: set[str]) -> Any:
    import pydyf

    gids = {f.gid[ch]: ch for ch in sorted(chars)}
    data = f.subset(frozenset(gids))
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(data).digest()[:6])
    base = f"/{tag}+{f.ps_name}"
    file = pydyf.Stream([data], {"Length1": len(data)}, compress=True)
    pdf.add_object(file)
    descriptor = pydyf.Dictionary(
        {
            "Type": "/FontDescriptor",
            "FontName": base,
            "Flags": 32 + (64 if f.italic_angle else 0),
            "FontBBox": pydyf.Array(f.bbox),
            "ItalicAngle": _num(f.italic_angle),
            "Ascent": f.ascent,
            "Descent": f.descent,
            "CapHeight": f.cap_height,
            "StemV": 80,
            "FontFile2": file.reference,
        }
    )
    pdf.add_object(descriptor)
    widths = " ".join(f"{g} [{_num(f.glyph_width[g])}]" for g in sorted(gids))
    cid = pydyf.Dictionary(
        {
            "Type": "/Font",
            "Subtype": "/CIDFontType2",
            "BaseFont": base,
            "CIDSystemInfo": pydyf.Dictionary(
                {
                    "Registry": pydyf.String("Adobe"),
                    "Ordering": pydyf.String("Identity"),
                    "Supplement": 0,
                }
            ),
            "FontDescriptor": descriptor.reference,
            "W": f"[{widths}]",
            "CIDToGIDMap": "/Identity",
        }
    )
    pdf.add_object(cid)
    to_unicode = pydyf.Stream([_cmap(gids)], compress=True)
    pdf.add_object(to_unicode)
    type0 = pydyf.Dictionary(
        {
            "Type": "/Font",
            "Subtype": "/Type0",
            "BaseFont": base,
            "Encoding": "/Identity-H",
            "DescendantFonts": pydyf.Array([cid.reference]),
            "ToUnicode": to_unicode.reference,
        }
    )
    pdf.add_object(type0)
    return type0


def _cmap(gids: dict[int, str]) -> str:
    entries = []
    for gid, ch in sorted(gids.items()):
        units = ch.encode("utf-16-be").hex()
        entries.append(f"<{gid:04x}> <{units}>")
    chunks = []
    for i in range(0, len(entries), 100):
        part = entries[i : i + 100]
        chunks.append(f"{len(part)} beginbfchar\n" + "\n".join(part) + "\nendbfchar")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n"
        + "\n".join(chunks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    )


def write_pdf(doc: Document) -> bytes:
    """The document laid out on pages and written as PDF."""
    return _write(doc, _paginate(doc, _layout(doc)))
