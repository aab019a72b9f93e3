"""A request's page — the request, its conversation, plan, links, time, visits and files, with
a form for each — and the form cycle every one of those forms goes through: back to the page
with a flash, or the page again (422) with the messages next to the fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app import clock
from app.accounts.deps import Context, DbSession, require
from app.forms import MultiFormData, submit
from app.helpdesk import attachments
from app.helpdesk.due import service_levels
from app.helpdesk.labels import LABELS
from app.helpdesk.models import OPEN_STATES
from app.helpdesk.queue import can_work, detail
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
            "works_here": can_work(p, d.request),
            "may_take": works and not d.request.assignees and d.request.state in OPEN_STATES,
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


@dataclass
class RequestPageForm:
    """A form posted on a request's page, with what it takes to act on it and to come back."""

    request: Request
    session: Session
    ctx: Context
    number: int
    data: dict[str, Any]

    def submit(
        self,
        service: Callable[..., Any],
        *args: Any,
        schema: type[BaseModel] | None = None,
        flash: str | Callable[[Any], str],
        keep_values: bool = True,
    ) -> Response:
        """The form through :func:`app.forms.submit`, coming back to the request's page.

        Calls ``service(session, workspace, principal, number, *args)``, the way every service
        on a request begins, with the parsed form last when there is a ``schema``.
        ``keep_values=False`` for a form whose values the page does not show again."""
        ctx = self.ctx
        leading = (self.session, ctx.workspace, ctx.principal, self.number, *args)
        return submit(
            self.request,
            self.session,
            self.data,
            lambda form: service(*leading, form) if schema else service(*leading),
            schema=schema,
            done=f"/{ctx.workspace.slug}/hjelp/{self.number}",
            flash=flash,
            again=lambda errors: render_request(
                self.request,
                self.session,
                ctx,
                self.number,
                errors,
                self.data if keep_values else None,
            ),
        )


def _posted_on_request(
    request: Request,
    number: int,
    session: DbSession,
    data: MultiFormData,
    ctx: Annotated[Context, Depends(require("helpdesk.read"))],
) -> RequestPageForm:
    return RequestPageForm(request, session, ctx, number, data)


OnRequestPage = Annotated[RequestPageForm, Depends(_posted_on_request)]
"""A form posted on ``/{workspace}/hjelp/{number}/…`` by someone who may read the request."""
