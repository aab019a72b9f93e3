"""Notifications about a request to the people involved, each in their own language and the way
they chose (app.notifications): the coordinators hear of a new request (its mail starts the
thread), the requester gets a receipt, assignees hear they were assigned, and every later change
reaches the requester and the assignees. Mail about one request stays in one thread."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.accounts.permissions import allowed
from app.config import get_settings
from app.counties.models import Workspace
from app.helpdesk.labels import reference
from app.helpdesk.models import HelpRequest
from app.i18n import _, lazy
from app.mail import service as mail
from app.notifications import kinds
from app.notifications import service as notifications
from app.notifications.service import Render

MAIL_BODY = lazy("{body}\n\nSe forespørselen: {link}\n")


def thread_id(ws: Workspace, req: HelpRequest) -> str:
    return f"<hjelp-{ws.slug}-{req.number}@samspill>"


def _headers(ws: Workspace, req: HelpRequest, *, first: bool) -> dict[str, str]:
    thread = thread_id(ws, req)
    return {"Message-ID": thread} if first else {"In-Reply-To": thread, "References": thread}


def tell(
    session: Session,
    ws: Workspace,
    req: HelpRequest,
    users: Iterable[User],
    kind: str,
    render: Render,
    *,
    first: bool = False,
) -> None:
    """A notification about the request, with its mail in the request's thread."""
    notifications.notify(
        session,
        ws,
        users,
        kind,
        f"/hjelp/{req.number}",
        render,
        headers=_headers(ws, req, first=first),
        subject_prefix=f"[{reference(req)}] ",
        mail_body=MAIL_BODY,
    )


def notify(
    session: Session,
    ws: Workspace,
    req: HelpRequest,
    actor_id: int | None,
    kind: str,
    render: Render,
    extra_user_ids: set[int] | None = None,
) -> None:
    """Tell the requester, the assignees and anyone else named, except whoever made the change.
    Only current members who may read the hjelpekorps hear of it, and one who sees only their own
    municipality's requests only about their own municipality."""
    ids = {a.user_id for a in req.assignees} | (extra_user_ids or set())
    if req.requester_id:
        ids.add(req.requester_id)
    ids.discard(actor_id or -1)
    if not ids:
        return
    users = [
        m.user
        for m in accounts_service.members_with(
            session, ws.id, "helpdesk.read", user_ids=sorted(ids)
        )
        if allowed(m.role, "helpdesk.see_all") or m.municipality_number == req.municipality_number
    ]
    tell(session, ws, req, users, kind, render)


def notify_new(
    session: Session, ws: Workspace, req: HelpRequest, place: str, receipt_to: str | None
) -> None:
    """A new request: the coordinators hear of it (that mail starts the thread); the requester's
    receipt (to ``receipt_to``, in their own language, as they are the one acting) and every
    later mail refer to it."""
    coordinators = [
        m.user
        for m in accounts_service.members_with(session, ws.id, "helpdesk.triage")
        if m.user_id != req.requester_id
    ]
    tell(
        session,
        ws,
        req,
        coordinators,
        kinds.NEW_REQUEST,
        lambda: (
            _("Ny forespørsel fra {place}: {title}").format(place=place, title=req.title),
            req.description,
        ),
        first=True,
    )
    if receipt_to:
        link = f"{get_settings().base_url.rstrip('/')}/{ws.slug}/hjelp/{req.number}"
        mail.enqueue(
            session,
            to=receipt_to,
            subject=f"[{reference(req)}] "
            + _("Vi har fått forespørselen din: {title}").format(title=req.title),
            body=_("{body}\n\nSe forespørselen: {link}\n").format(
                body=_("Takk! Hjelpekorpset ser på saken og svarer deg her."), link=link
            ),
            workspace_id=ws.id,
            headers=_headers(ws, req, first=False),
            notification=True,
        )


def notify_assigned(
    session: Session, ws: Workspace, req: HelpRequest, users: Iterable[User]
) -> None:
    """Tell the people just assigned to the request."""
    municipality = req.municipality.name
    tell(
        session,
        ws,
        req,
        users,
        kinds.ASSIGNED,
        lambda: (
            _("Tildelt deg: {title}").format(title=req.title),
            _("Du er satt til å hjelpe {municipality} med «{title}».").format(
                municipality=municipality, title=req.title
            ),
        ),
    )
