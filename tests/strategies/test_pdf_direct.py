"""The consulted text's Markdown in the direct PDF: the walker the DOCX uses
(word_markdown._markdown) writes headings, lists, tables, quotes and links into the PDF."""

from __future__ import annotations

import io
from typing import Any

from pdfs import struct_tags

from app.pdfwriter import Document, write_pdf
from app.strategies.exports.pdf_direct import _write_markdown

MARKDOWN = """## Mål for 2030

Vi vil **styrke** samarbeidet, se [planen](https://example.org/plan).

- færre søknader
  - felles skjema
- felles løsninger

1. Først kommunene
2. Så fylket

> Sitat fra Ørland.

| Tiltak | Ansvar |
|--------|--------|
| Bredbånd | Fylket |
| Havbruk | Kommunene |

Etter tabellen.
"""


def _tags(catalog: Any) -> list[str]:
    return struct_tags(catalog)


def test_markdown_becomes_headings_lists_and_tables() -> None:
    from pypdf import PdfReader

    doc = Document(title="Prøve", lang="nb-NO")
    _write_markdown(doc, MARKDOWN)
    reader = PdfReader(io.BytesIO(write_pdf(doc)))
    text = " ".join(reader.pages[0].extract_text().split())

    order = [
        "Mål for 2030",
        "Vi vil styrke samarbeidet, se planen (https://example.org/plan).",
        "• færre søknader",
        "• felles skjema",
        "• felles løsninger",
        "1. Først kommunene",
        "2. Så fylket",
        "Sitat fra Ørland.",
        "Tiltak",
        "Ansvar",
        "Bredbånd",
        "Fylket",
        "Havbruk",
        "Kommunene",
        "Etter tabellen.",
    ]
    at = 0
    for value in order:
        found = text.find(value, at)
        assert found >= 0, f"{value!r} missing or out of order in {text!r}"
        at = found + len(value)

    catalog: Any = reader.trailer["/Root"]
    tags = _tags(catalog)
    assert "/H3" in tags  # below the section's own heading, as in the DOCX
    assert tags.count("/L") == 3  # the bullets, the nested bullets, the numbered list
    assert tags.count("/LI") == 5 and tags.count("/Lbl") == 3
    assert tags.count("/Table") == 1 and tags.count("/TR") == 3
    assert tags.count("/TH") == 2 and tags.count("/TD") == 4
    assert "/BlockQuote" in tags
