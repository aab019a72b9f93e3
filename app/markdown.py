"""Markdown written by people (strategy sections, innovations), rendered and then sanitised:
CommonMark with tables, no raw HTML, and an allow-list of tags on the output."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "h3", "h4", "h5", "h6",
    "code", "pre", "a", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
_HEADING = re.compile(r"<(/?)h[12]>")


def render_markdown(text: str) -> Markup:
    """Safe HTML of ``text``; its headings start at h3 (the page's own headings come first)."""
    html = _md.render(text or "")
    html = _HEADING.sub(r"<\1h3>", html)
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 with an allow-list
