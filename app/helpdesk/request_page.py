"""A request's page — the request, its conversation, plan, links, time, visits and files, with
a form for each — and the form cycle every one of those forms goes through: back to the page
with a flash, or the page again (422) with the messages next to the fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app import clock
from app.accounts.deps import Context
from app.forms import submit
from app.helpdesk import attachments
from app.helpdesk.due import service_levels
from app.helpdesk.labels import LABELS
from app.helpdesk.queue import detail
from app.helpdesk.triage import eligible_helpers, suggest_helpers
from app.helpdesk.visits import service as visits
from app.helpdesk.work import service as work
from app.web import render


def render_request(
    request: Request,
    session: Session,
    ctx: Context,
    number: int,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    """The page of one request, as the person looking may see and work it."""
    p = ctx.principal
    d = detail(session, ctx.workspace, p, number)
    works = p.can("helpdesk.work")
    extra: dict[str, Any] = {}
    if p.can("helpdesk.triage") and d.request.state not in ("resolved", "closed"):
        # Only the triage form shows them, and it is not there once the request is resolved.
        extra["suggestions"] = suggest_helpers(session, ctx.workspace, d.request)
    if works:
        extra["time"] = work.time_of(session, ctx.workspace, d.request.id)
    files_by_message: dict[int | None, list[Any]] = {}
    notes = p.can("helpdesk.note")
    for a in attachments.of_request(session, ctx.workspace, d.request.id, internal=notes):
        files_by_message.setdefault(a.message_id, []).append(a)
    return render(
        request,
        "helpdesk/request.html",
        {
            "labels": LABELS,
            "d": d,
            "req": d.request,
            "due": service_levels(session, ctx.workspace, [d.request])[d.request.id],
            "principal": p,
            "errors": errors or {},
            "values": values or {},
            "assigned_ids": [a.user_id for a in d.request.assignees],
            "visits": visits.visits_of(session, ctx.workspace, d.request.id),
            "helpers": eligible_helpers(session, ctx.workspace) if works else [],
            "steps": work.steps_of(session, ctx.workspace, d.request.id),
            "links": work.links_of(session, ctx.workspace, p, d.request),
            "files": files_by_message,
            "accept": attachments.ACCEPT,
            "limit_text": attachments.limit_text(),
            "today": clock.today().isoformat(),
            **extra,
        },
    )


def submit_on_request(
    request: Request,
    session: Session,
    ctx: Context,
    number: int,
    data: dict[str, Any],
    act: Callable[[Any], Any],
    *,
    schema: type[BaseModel] | None = None,
    flash: str | Callable[[Any], str],
    keep_values: bool = True,
) -> Response:
    """A form on the request's page through :func:`app.forms.submit`, coming back to the page.
    ``keep_values=False`` for a form whose values the page does not show again."""
    return submit(
        request,
        session,
        data,
        act,
        schema=schema,
        done=f"/{ctx.workspace.slug}/hjelp/{number}",
        flash=flash,
        again=lambda errors: render_request(
            request, session, ctx, number, errors, data if keep_values else None
        ),
    )
