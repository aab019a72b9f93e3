"""A request's page — the request, its conversation, plan, links, time, visits and files, with
a form for each — and the form cycle every one of those forms goes through: back to the page's
section with a flash, or the page again (422) with the messages next to the fields; to HTMX,
only the parts of the page the action changed (templates/helpdesk/_request_parts.html), so
that the page keeps its place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app import clock
from app.accounts.deps import Context, DbSession, require
from app.forms import MultiFormData, submit
from app.helpdesk import attachments, record
from app.helpdesk.due import service_levels
from app.helpdesk.labels import LABELS
from app.helpdesk.models import OPEN_STATES, HelpRequest
from app.helpdesk.queue import allowed_moves, can_work, get_request
from app.helpdesk.triage import eligible_helpers, suggest_helpers
from app.web import is_htmx, render


@dataclass
class Shown:
    """The request as its page shows it (``queue.RequestDetail``'s shape, with the record's
    plain rows)."""

    request: HelpRequest
    messages: list[record.Message]
    events: list[record.Event]
    allowed: tuple[str, ...]


# The section a form without JavaScript comes back to (its anchor), by the part it updates.
ANCHORS = {"meldinger": "samtale", "svar": "samtale", "sak": "", "ta": ""}


def render_request(
    request: Request,
    session: Session,
    ctx: Context,
    number: int,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    *,
    parts: tuple[str, ...] = (),
    notice: str | None = None,
    clash_lines: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    """The page of one request, as the person looking may see and work it — or, with
    ``parts`` and for an HTMX request, only those parts, to be swapped in place (with
    ``notice``, what the action did, in the first of them)."""
    p = ctx.principal
    req = get_request(session, ctx.workspace, p, number)
    works = p.can("helpdesk.work")
    # The history, conversation, plan, time and links in one statement, as plain rows.
    rec = record.record_of(session, ctx.workspace, p, req, with_time=works)
    d = Shown(req, rec.messages, rec.events, allowed_moves(p, req))
    extra: dict[str, Any] = {}
    helpers = eligible_helpers(session, ctx.workspace) if works else []
    if p.can("helpdesk.triage") and req.state not in ("resolved", "closed"):
        # Only the triage form shows them, and it is not there once the request is resolved.
        extra["suggestions"] = suggest_helpers(
            session, ctx.workspace, req, helpers if works else None
        )
    if works:
        extra["time"] = rec.time
    files_by_message: dict[int | None, list[Any]] = {}
    notes = p.can("helpdesk.note")
    for a in attachments.of_request(session, ctx.workspace, req.id, internal=notes):
        files_by_message.setdefault(a.message_id, []).append(a)
    planned, clashes = record.visits_and_clashes(session, ctx.workspace, req.id, with_clashes=works)
    update = parts if parts and is_htmx(request) else ()
    return render(
        request,
        "helpdesk/_request_parts.html" if update else "helpdesk/request.html",
        {
            "labels": LABELS,
            "d": d,
            "req": d.request,
            "here": f"/{ctx.workspace.slug}/hjelp/{d.request.number}",
            "due": service_levels(session, ctx.workspace, [req], d.events)[req.id],
            "principal": p,
            "errors": errors or {},
            "values": values or {},
            "assigned_ids": [a.user_id for a in d.request.assignees],
            "works_here": can_work(p, d.request),
            "may_take": works and not d.request.assignees and d.request.state in OPEN_STATES,
            # Triage and assignment move a request to "triaged" and "assigned": the status
            # control offers the other moves, so that each state has one place to be set.
            "moves": [s for s in d.allowed if s not in ("triaged", "assigned")],
            "visits": planned,
            "clashes": clashes,
            "clash_lines": clash_lines or [],
            "helpers": helpers,
            "steps": rec.steps,
            "links": rec.links,
            "files": files_by_message,
            "accept": attachments.ACCEPT,
            "limit_text": attachments.limit_text(),
            "today": clock.today().isoformat(),
            "update_parts": update,
            "notice": notice,
            "notice_part": update[0] if update else None,
            **extra,
        },
        status_code=status_code,
    )


@dataclass
class RequestPageForm:
    """A form posted on a request's page, with what it takes to act on it and to come back."""

    request: Request
    session: Session
    ctx: Context
    number: int
    data: dict[str, Any]
    clash_lines: list[str] = field(default_factory=list)

    def submit(
        self,
        service: Callable[..., Any],
        *args: Any,
        schema: type[BaseModel] | None = None,
        flash: str | Callable[[Any], str],
        keep_values: bool = True,
        parts: tuple[str, ...] | Callable[[Any], tuple[str, ...]],
    ) -> Response:
        """The form through :func:`app.forms.submit`, coming back to the request's page.

        Calls ``service(session, workspace, principal, number, *args)``, the way every service
        on a request begins, with the parsed form last when there is a ``schema``.
        ``keep_values=False`` for a form whose values the page does not show again.

        ``parts`` are the parts of the page the action changes, the form's own first (or a
        function of the service's result that names them). Without JavaScript the answer is a
        redirect to the first part's anchor; to HTMX, those parts, swapped in place, with the
        flash in the first; a refused form comes back as the first part with its messages."""
        ctx = self.ctx
        leading = (self.session, ctx.workspace, ctx.principal, self.number, *args)
        done: list[Any] = []

        def act(form: BaseModel | None) -> Any:
            result = service(*leading, form) if schema else service(*leading)
            done.append(result)
            return result

        first = (parts if isinstance(parts, tuple) else parts(None))[0]
        anchor = ANCHORS.get(first, first)
        page = f"/{ctx.workspace.slug}/hjelp/{self.number}"
        response = submit(
            self.request,
            self.session,
            self.data,
            act,
            schema=schema,
            done=f"{page}#{anchor}" if anchor else page,
            flash=flash,
            again=lambda errors: render_request(
                self.request,
                self.session,
                ctx,
                self.number,
                errors,
                self.data if keep_values else None,
                parts=(first,),
                clash_lines=self.clash_lines,
            ),
        )
        if not is_htmx(self.request):
            return response
        if response.status_code == 413:
            # A file too large comes back as the form with its message; htmx swaps a 422 only.
            response.status_code = 422
        if not done or response.status_code >= 300:
            return response
        result = done[0]
        return render_request(
            self.request,
            self.session,
            ctx,
            self.number,
            parts=parts if isinstance(parts, tuple) else parts(result),
            notice=flash(result) if callable(flash) else flash,
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
