"""What every document the app writes has in common (DOCX and PDF for the archive)."""

from __future__ import annotations

from typing import Any

PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/a-2u", "pdf_tags": True}
"""WeasyPrint options: PDF/A-2u with tags, what archives (Noark 5 deposit) take and what
screen readers read."""


def a4(document: Any) -> None:
    """A python-docx document on A4 with 25 mm margins (its blank document is US Letter)."""
    from docx.shared import Mm

    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(25)
        section.top_margin = section.bottom_margin = Mm(25)
