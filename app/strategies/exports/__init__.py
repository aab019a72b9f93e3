"""Exports of strategies: the consultation summary (høringsoppsummering) as DOCX and PDF for the
case-and-archive system, and an action plan's measures as XLSX — one file per format, the parts
they share in ``common``.

Both summary formats carry the same content in the same order: what was consulted and when,
who was invited, the figures, the formal responses, then every comment and amendment by
section with its thread and answer, and finally the consulted text itself.

Exports are made after the request's transaction has ended (:class:`AfterTransaction`); a large
round's PDF is made in the worker instead (``app.strategies.exports.background``).
"""

from app.strategies.exports.common import (
    DOCX_TYPE,
    PDF_TYPE,
    XLSX_TYPE,
    AfterTransaction,
    Entry,
    _title,
)
from app.strategies.exports.pdf import css_string, summary_html, summary_pdf
from app.strategies.exports.word import summary_docx
from app.strategies.exports.xlsx import measures_xlsx

__all__ = [
    "DOCX_TYPE",
    "PDF_TYPE",
    "XLSX_TYPE",
    "AfterTransaction",
    "Entry",
    "_title",
    "css_string",
    "measures_xlsx",
    "summary_docx",
    "summary_html",
    "summary_pdf",
]
