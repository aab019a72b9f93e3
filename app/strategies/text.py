"""Text helpers for strategies: Markdown rendered then sanitised, word-level diffs, quotes."""

from __future__ import annotations

import difflib
import hashlib
import html
import re
from dataclasses import dataclass

import nh3
from markupsafe import Markup, escape

from app.markdown import render_markdown


def plain(text: str) -> str:
    """Markdown as plain text, for exports and mail: markup characters dropped."""
    text = re.sub(r"(?m)^\s{0,3}(#{1,6}|>)\s?", "", text or "")
    return re.sub(r"(\*\*|__|`|(?<!\w)[*_]|[*_](?!\w))", "", text).strip()


def fingerprint(text: str) -> str:
    """What an amendment was written against: a hash of the section text."""
    return hashlib.sha256((text or "").encode()).hexdigest()[:16]


def normalise(text: str) -> str:
    return " ".join((text or "").split())


def rendered_text(text: str) -> str:
    """What a reader sees of the Markdown: the rendered text without tags or markers (list
    bullets and numbers, emphasis, link addresses), whitespace collapsed."""
    return normalise(html.unescape(nh3.clean(render_markdown(text), tags=set())))


def quote_found(quote: str, text: str) -> bool:
    """Whether a quoted passage is in the text as it is shown — a selection on the page has no
    Markdown, and may run across paragraphs and list items."""
    q = rendered_text(quote).casefold()
    return bool(q) and q in rendered_text(text).casefold()


@dataclass(frozen=True)
class Piece:
    op: str  # "same", "added", "removed"
    text: str


# A word with the spaces before it is one token: half as many tokens as words and spaces apart,
# which is what the matcher's time grows with.
_TOKENS = re.compile(r"\s*\S+|\s+")


def word_diff(old: str, new: str) -> list[Piece]:
    """Word by word: what stayed, what was removed and what was added."""
    a = _TOKENS.findall(old or "")
    b = _TOKENS.findall(new or "")
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            pieces.append(Piece("removed", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            pieces.append(Piece("added", "".join(b[j1:j2])))
    return pieces


def diff_html(old: str, new: str, context: int | None = None) -> Markup:
    """The word diff as HTML: <del> and <ins>, with the text escaped and line breaks kept.
    With ``context``, long unchanged stretches keep that many characters at each end and the
    middle is elided, so that the changes stand out in a long section."""
    out: list[str] = []
    pieces = word_diff(old, new)
    for i, p in enumerate(pieces):
        raw = p.text
        if p.op == "same" and context and len(raw) > 2 * context + 20:
            head = raw[:context].rsplit(" ", 1)[0] if i > 0 else ""
            tail = raw[-context:].split(" ", 1)[-1] if i < len(pieces) - 1 else ""
            raw = f"{head} […] {tail}".strip() + (" " if tail else "")
            if i > 0 and not head:
                raw = "[…] " + tail
        if p.op == "same":
            out.append(_html(raw))
            continue
        word = raw.lstrip()
        tag = "del" if p.op == "removed" else "ins"
        # the space before a changed stretch stays outside the mark
        out.append(
            f"{_html(raw[: len(raw) - len(word)])}<{tag}>{_html(word)}</{tag}>"
            if word
            else _html(raw)
        )
    return Markup("".join(out))  # noqa: S704 - every piece is escaped above


def _html(raw: str) -> str:
    return str(escape(raw)).replace("\n", "<br>")
