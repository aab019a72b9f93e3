"""The consultation summary as an A4 PDF (PDF/A-2u, tagged), written directly by
:mod:`app.strategies.exports.pdf_direct`. The print document
``templates/strategies/summary_print.html`` (the same content as HTML) stays for looking at and
for ``summary_pdf_weasyprint``, the former way, kept for comparison in the benchmark."""

from __future__ import annotations

from markupsafe import Markup

from app.documents import html_to_pdf
from app.strategies import text
from app.strategies.exports.common import (
    _author,
    _diff_legend,
    _entries,
    _facts,
    _figures,
    _language,
    _paragraphs,
    _silent,
    _title,
)
from app.strategies.summary import Summary
from app.web import templates


def summary_html(summary: Summary) -> str:
    """The print document the PDF is made from (also handy to look at while changing it)."""
    return templates.get_template("strategies/summary_print.html").render(
        s=summary,
        title=_title(summary),
        facts=_facts(summary),
        figures=_figures(summary),
        sections=_entries(summary.sections),
        diff_legend=_diff_legend(),
        author=_author,
        paragraphs=_paragraphs,
        markdown=text.render_markdown,
        diff=text.diff_html,
        lang=_language(),
        css=css_string,
        silent=lambda name: _silent(summary, name),
    )


def css_string(value: str) -> Markup:
    """A quoted CSS string for ``content:`` in the template's style sheet. Inside <style> no
    HTML escaping applies, so everything but letters, digits and spaces is a CSS escape: no
    quote, backslash or "</style>" can end the string or the sheet."""
    body = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):06x}" for c in str(value))
    return Markup(f'"{body}"')  # noqa: S704 - every character but letters and digits escaped


def summary_pdf(summary: Summary) -> bytes:
    """The consultation summary as an A4 PDF, made in this process: written directly, or, when
    the text has a script the direct writer cannot set (right-to-left, joined letters), laid
    out by WeasyPrint, which is many times slower but shapes and orders such text."""
    from app.pdfwriter import NeedsShaping
    from app.strategies.exports.pdf_direct import summary_pdf_direct

    try:
        return summary_pdf_direct(summary)
    except NeedsShaping:
        return summary_pdf_weasyprint(summary)


def summary_pdf_weasyprint(summary: Summary) -> bytes:
    """The former way: the print document laid out by WeasyPrint (slow: 97 s CPU for 4,000
    comments). For comparison in ``bench/exports.py``."""
    return html_to_pdf(summary_html(summary))
