"""The direct PDF writer (app/pdfwriter.py): text that extracts as written, lines within the
margins, pages with their footers, headings kept with what follows, fonts embedded with a
ToUnicode map, and the tags and metadata PDF/A-2u asks for."""

from __future__ import annotations

import io
import shutil
import subprocess
from typing import Any

import pytest
from pdfs import struct_tags

from app.pdfwriter import MM, Document, Run, font, write_pdf

SENTENCE = "Vi skal styrke samarbeidet mellom kommunene i regionen og på kysten."


def _doc(**kwargs: Any) -> Document:
    options: dict[str, Any] = {
        "title": "Prøvedokument",
        "lang": "nb-NO",
        "author": "Trøndelag fylkeskommune",
        "header": "Prøvedokument",
        "footer_left": "Trøndelag fylkeskommune",
    }
    options.update(kwargs)
    return Document(**options)


def _read(data: bytes) -> Any:
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data))


def _texts(page: Any) -> list[tuple[str, float, float, float, str]]:
    """Every text shown on a page: (text, x, y, size, font name)."""
    shown: list[tuple[str, float, float, float, str]] = []

    def visit(text: str, cm: Any, tm: Any, font_dict: Any, size: float) -> None:
        if text.strip():
            name = str(font_dict["/BaseFont"]) if font_dict else ""
            shown.append((text, float(tm[4]), float(tm[5]), float(size), name))

    page.extract_text(visitor_text=visit)
    return shown


def _long(doc: Document, sections: int = 12) -> None:
    doc.paragraph([Run("Prøvedokument", bold=True)], "H1", size=18.0)
    for n in range(sections):
        doc.paragraph(
            [Run(f"Del {n + 1}", bold=True)], "H2", size=14.0, before=14.0, keep_with_next=True
        )
        for k in range(3 + n % 5):
            doc.paragraph(" ".join([SENTENCE] * (1 + (n + k) % 6)))


def test_norwegian_letters_extract_as_written() -> None:
    line = "Blåbærsyltetøy fra Ørland, Ærø og Åsen: æ ø å Æ Ø Å"
    doc = _doc()
    doc.paragraph(line)
    data = write_pdf(doc)

    assert line in _read(data).pages[0].extract_text()
    if shutil.which("pdftotext"):  # poppler reads it the same way
        out = subprocess.run(
            ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
        ).stdout.decode()
        assert line in out


def test_a_long_document_has_pages_with_side_n_av_m() -> None:
    doc = _doc()
    _long(doc)
    reader = _read(write_pdf(doc))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) > 1
    for n, text in enumerate(pages, start=1):
        assert f"Side {n} av {len(pages)}" in text
        assert "Trøndelag fylkeskommune" in text
    # the header (the title) from page 2 only: page 1 shows the title once, as its heading
    assert pages[0].count("Prøvedokument") == 1
    assert all("Prøvedokument" in text for text in pages[1:])
    # every paragraph is there, in order
    flat = " ".join(" ".join(pages).split())
    positions = [flat.find(f"Del {n + 1} ") for n in range(12)]
    assert -1 not in positions and positions == sorted(positions)


def test_a_heading_never_ends_a_page() -> None:
    doc = _doc()
    for n in range(40):  # sections of 1 to 13 one-line paragraphs: headings fall everywhere
        doc.paragraph(
            [Run(f"Del {n + 1}", bold=True)], "H2", size=14.0, before=14.0, keep_with_next=True
        )
        for k in range(1 + (n * 7) % 13):
            doc.paragraph(f"Avsnitt {k + 1} i del {n + 1}.")
    reader = _read(write_pdf(doc))
    assert len(reader.pages) > 3
    for page in reader.pages:
        body = [t for t in _texts(page) if t[3] >= 10]  # not the 8 pt header and footer
        assert body, "a page with no text"
        assert body[-1][3] == 10, f"page ends with a heading: {body[-1][0]!r}"


def test_a_very_long_word_is_broken_within_the_margins() -> None:
    word = "Samferdselsinvesteringsprioriteringsprosessgjennomgangsrapport" * 8
    doc = _doc()
    doc.paragraph(f"Ordet {word} er langt.")
    doc.paragraph([Run(word, bold=True)], indent=20.0)
    reader = _read(write_pdf(doc))
    page = reader.pages[0]
    right_edge = doc.page_width - doc.margins[1]
    shown = [t for t in _texts(page) if t[3] == 10]
    assert len(shown) >= 6  # the word fills several lines, twice
    for text, x, _y, size, name in shown:
        style = "bold" if "Bold" in name else "regular"
        width = font(style).width(text) * size / 1000
        assert x >= doc.margins[3] - 0.01
        assert x + width <= right_edge + 0.01, f"{text[:20]}… runs past the margin"
    joined = "".join(t[0] for t in shown)
    assert joined.count(word) == 2


def test_bold_italic_underline_and_strike_are_drawn() -> None:
    doc = _doc()
    doc.paragraph(
        [
            Run("Fra: ", bold=True),
            Run("Per Ås "),
            Run("kursiv ", italic=True),
            Run("fjernet", strike=True),
            Run(" "),
            Run("lagt til", underline=True, bold=True),
        ]
    )
    reader = _read(write_pdf(doc))
    shown = _texts(reader.pages[0])
    fonts = {text.strip(): name for text, _x, _y, _s, name in shown}
    assert "Bold" in fonts["Fra:"]
    assert "Bold" not in fonts["Per Ås"] and "Oblique" in fonts["kursiv"]
    content = reader.pages[0].get_contents().get_data().decode()
    # one line for the strike-through, one for the underline (meaning not on colour alone)
    assert content.count(" l S") >= 2


def test_fonts_tags_and_metadata_make_a_pdf_a_2u() -> None:

    doc = _doc(subject="Regional plan", keywords="høringsoppsummering")
    _long(doc, sections=4)
    doc.open("L")
    item = doc.open("LI")
    doc.paragraph("Punkt", "LBody", into=item)
    doc.close()
    doc.close()
    reader = _read(write_pdf(doc))
    catalog: Any = reader.trailer["/Root"]

    assert reader.metadata is not None and reader.metadata.title == "Prøvedokument"
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="U"' in xmp
    assert "Prøvedokument" in xmp and "Trøndelag fylkeskommune" in xmp
    intent = catalog["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1" and intent["/DestOutputProfile"].get_object()["/N"] == 3
    assert catalog["/Lang"] == "nb-NO"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/ID" in reader.trailer

    # every font embedded as a CIDFontType2 subset with Identity-H and a ToUnicode map
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert len(fonts) >= 2
    for ref in fonts.values():
        f = ref.get_object()
        assert f["/Subtype"] == "/Type0" and f["/Encoding"] == "/Identity-H"
        assert "/ToUnicode" in f
        cid = f["/DescendantFonts"][0].get_object()
        assert cid["/Subtype"] == "/CIDFontType2"
        assert "+DejaVuSans" in str(cid["/BaseFont"])
        assert len(cid["/FontDescriptor"]["/FontFile2"].get_object().get_data()) > 1000

    # the structure tree: Document with headings, paragraphs and the list; every page
    # has its entry in the parent tree
    root = catalog["/StructTreeRoot"]
    tags = struct_tags(catalog)
    assert tags[0] == "/Document"
    assert tags.count("/H1") == 1 and tags.count("/H2") == 4
    assert {"/P", "/L", "/LI", "/LBody"} <= set(tags)
    nums = root["/ParentTree"]["/Nums"]
    assert [page["/StructParents"] for page in reader.pages] == nums[::2]
    first_page = reader.pages[0].get_contents().get_data().decode()
    assert "/Artifact <</Type /Pagination>> BDC" in first_page
    assert first_page.count("/MCID") == len(nums[1].get_object())


def test_a_missing_character_does_not_break_the_document() -> None:
    doc = _doc()
    doc.paragraph("Emoji \U0001f600 og kinesisk 中 er ikke i fonten.")
    text = _read(write_pdf(doc)).pages[0].extract_text()
    assert "og" in text and "er ikke i fonten." in text


@pytest.mark.parametrize("size", [9.0, 10.0, 12.0])
def test_lines_stay_within_the_text_area(size: float) -> None:
    doc = _doc()
    for n in range(20):
        doc.paragraph(" ".join([SENTENCE] * (1 + n % 4)), size=size)
    reader = _read(write_pdf(doc))
    bottom, top = doc.margins[2], doc.page_height - doc.margins[0]
    for page in reader.pages:
        for text, x, y, s, _name in _texts(page):
            if s != size:
                continue
            width = font("regular").width(text) * s / 1000
            assert x + width <= doc.page_width - 20 * MM + 0.01
            assert bottom - 0.01 <= y <= top


def test_a_table_row_taller_than_a_page_goes_on_over_the_next_pages() -> None:
    """A cell of a few hundred words in a narrow column is taller than a page: the row is
    split at the page break, as a browser does, and no line falls off the page."""
    doc = _doc()
    doc.open("Table")
    doc.table_row([("TH", [Run("Tiltak", bold=True)], False)] * 3, [150.0, 150.0, 150.0])
    long_cell = " ".join(f"ord{n}" for n in range(900))
    doc.table_row(
        [
            ("TD", [Run("Kort")], False),
            ("TD", [Run(long_cell)], False),
            ("TD", [Run("Slutt")], False),
        ],
        [150.0, 150.0, 150.0],
    )
    doc.close()
    doc.paragraph("Etter tabellen.")
    reader = _read(write_pdf(doc))
    assert len(reader.pages) >= 3
    bottom, top = doc.margins[2], doc.page_height - doc.margins[0]
    shown = [t for page in reader.pages for t in _texts(page) if t[3] == 10]
    for text, _x, y, _s, _name in shown:
        assert bottom - 0.01 <= y <= top, f"{text[:20]}… is off the page (y={y:.0f})"
    words = " ".join(t[0] for t in shown).split()
    assert [w for w in words if w.startswith("ord")] == [f"ord{n}" for n in range(900)]
    assert "Etter" in words


def test_control_characters_in_the_title_keep_the_xmp_well_formed() -> None:
    import xml.etree.ElementTree as ET

    doc = _doc(title="Plan\x0bfor\x00kysten", author="Fylket\x1f")
    doc.paragraph(SENTENCE)
    reader = _read(write_pdf(doc))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    packet = xmp[xmp.index("<x:xmpmeta") : xmp.index("</x:xmpmeta>") + len("</x:xmpmeta>")]
    ET.fromstring(packet)  # noqa: S314 - our own output, parsed to check it is well-formed
    assert reader.metadata is not None and reader.metadata.title == "Plan for kysten"


@pytest.mark.parametrize("text", ["شكرا للجميع", "תודה רבה", "नमस्ते"])
def test_text_that_needs_shaping_is_refused_not_garbled(text: str) -> None:
    from app.pdfwriter import NeedsShaping

    doc = _doc()
    doc.paragraph(f"Hilsen: {text}")
    with pytest.raises(NeedsShaping):
        write_pdf(doc)


def test_line_breaks_and_indentation_typed_in_a_comment_stay() -> None:
    """Comment text is printed as typed (pre-wrap in the HTML version): a single line break
    starts a new line, and spaces at the start of a typed line stay; a wrapped line does not
    start with the space it was broken at."""
    doc = _doc()
    doc.paragraph("Punkter:\n    innrykket linje\nslutt")
    doc.paragraph(" ".join([SENTENCE] * 4))
    shown = [t for t in _texts(_read(write_pdf(doc)).pages[0]) if t[3] == 10]
    texts = [t[0] for t in shown]
    assert texts[:3] == ["Punkter:", "    innrykket linje", "slutt"]
    assert len({round(t[2]) for t in shown[:3]}) == 3  # three lines
    assert all("?" not in t for t in texts)
    assert all(not t.startswith(" ") for t in texts[3:])
