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


def html_to_pdf(html: str) -> bytes:
    """A print document as PDF/A-2u with tags. Nothing is fetched while rendering: the
    document has no URLs, there is no base URL, and a fetcher that allows no protocol at all
    refuses anything that might still ask (a link in the text is printed, never loaded)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    tag_tree_in_linear_time()
    document = HTML(string=html, base_url=None, url_fetcher=URLFetcher(allowed_protocols=()))
    return bytes(document.write_pdf(**PDF_OPTIONS))


def tag_tree_in_linear_time() -> None:
    """Make the tags of a long PDF cost time in proportion to its length, not to its square.

    WeasyPrint writes the structure tree (``pdf_tags``) by asking pydyf, for every tagged box,
    for ``PDF.page_references``, a property that builds the reference of every page of the
    document afresh each time. A 50-page summary asks ~4,500 times (0.1 s); a 1,500-page one,
    ~130,000 times for 1,500 pages each: about 25 s of a 120 s render, for nothing. This keeps
    the tuple until a page is added (pages are only ever appended), so the bytes written are
    the same. Installed once per process; a pydyf without the property is left alone."""
    import pydyf

    current = getattr(pydyf.PDF, "page_references", None)
    if not isinstance(current, property) or current.fget is None:
        return
    if getattr(current.fget, "_samspill", False):
        return
    stock = current.fget

    def page_references(self: Any) -> tuple[bytes, ...]:
        kids = self.pages["Kids"]
        kept = self.__dict__.get("_samspill_page_references")
        if kept is None or kept[0] != len(kids):
            kept = (len(kids), stock(self))
            self.__dict__["_samspill_page_references"] = kept
        return kept[1]

    page_references._samspill = True  # type: ignore[attr-defined]
    pydyf.PDF.page_references = property(page_references)  # type: ignore[assignment,method-assign]
