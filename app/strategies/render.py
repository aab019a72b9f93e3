"""What the pages of strategies share: the labels and helpers every template gets, and files to
download."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from markupsafe import Markup

from app.strategies import measures, service, text
from app.strategies.consultation.answers import ANSWER_LABELS
from app.strategies.consultation.invitees import INVITEE_KIND_LABELS
from app.strategies.consultation.rounds import STATE_LABELS, deadline_of, state_of
from app.strategies.models import ANSWERS, INVITEE_KINDS, KINDS, MEASURE_STATUSES
from app.web import render

LABELS = {
    "kinds": service.KIND_LABELS,
    "kind_order": KINDS,
    "answers": ANSWER_LABELS,
    "answer_order": ANSWERS,
    "states": STATE_LABELS,
    "invitee_kinds": INVITEE_KIND_LABELS,
    "invitee_kind_order": INVITEE_KINDS,
    "statuses": measures.STATUS_LABELS,
    "status_order": MEASURE_STATUSES,
}


@lru_cache(maxsize=512)
def _markdown_of(source: str) -> Markup:
    return text.render_markdown(source)


def markdown(source: str) -> Markup:
    """A section's Markdown as safe HTML, rendered once per text in this process (a document's
    sections are read far more often than they change; rendering was a third of its page)."""
    if len(source or "") > 20_000:  # a long text is not kept
        return text.render_markdown(source)
    return _markdown_of(source or "")


HELPERS = {
    "markdown": markdown,
    "diff_html": text.diff_html,
    "fingerprint": text.fingerprint,
    "quote_found": text.quote_found,
    "state_of": state_of,
    "deadline_of": deadline_of,
    "is_overdue": measures.is_overdue,
}


def page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return render(request, template, {"labels": LABELS, **HELPERS, **context}, status_code=status)


def query_number(value: str | None) -> int | None:
    """A number from the address (``?fra=2``), or none."""
    return int(value) if value and value.isdecimal() and len(value) < 10 else None


def download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
