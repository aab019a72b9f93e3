"""E-mail about a request to the people involved, in one thread per request: the coordinators
hear of a new request (that mail starts the thread), the requester gets a receipt, assignees
hear they were assigned, and every later change reaches the requester and the assignees."""

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
from app.i18n import _
from app.mail import service as mail


def thread_id(ws: Workspace, req: HelpRequest) -> str:
    return f"<hjelp-{ws.slug}-{req.number}@samspill>"


def send(
    session: Session,
    ws: Workspace,
    req: HelpRequest,
    to: str,
    subject: str,
    body: str,
    *,
    first: bool = False,
) -> None:
    """One mail about the request, in its thread, with the link to it."""
    link = f"{get_settings().base_url.rstrip('/')}/{ws.slug}/hjelp/{req.number}"
    thread = thread_id(ws, req)
    headers = {"Message-ID": thread} if first else {"In-Reply-To": thread, "References": thread}
    subject = " ".join(subject.split())  # a header is one line, whatever the text holds
    mail.enqueue(
        session,
        to=to,
        subject=f"[{reference(req)}] {subject}",
        body=_("{body}\n\nSe forespørselen: {link}\n").format(body=body, link=link),
        workspace_id=ws.id,
        headers=headers,
        notification=True,
    )


def notify(
    session: Session,
    ws: Workspace,
    req: HelpRequest,
    actor_id: int | None,
    subject: str,
    body: str,
    extra_user_ids: set[int] | None = None,
) -> None:
    """Mail the requester, the assignees and anyone else named, except whoever made the change.
    Only current members who may read the hjelpekorps get it, and one who sees only their own
    municipality's requests only about their own municipality."""
    ids = {a.user_id for a in req.assignees} | (extra_user_ids or set())
    if req.requester_id:
        ids.add(req.requester_id)
    ids.discard(actor_id or -1)
    if not ids:
        return
    for m in accounts_service.members_with(session, ws.id, "helpdesk.read", user_ids=sorted(ids)):
        if (
            not allowed(m.role, "helpdesk.see_all")
            and m.municipality_number != req.municipality_number
        ):
            continue
        send(session, ws, req, m.user.email, subject, body)


def notify_new(
    session: Session, ws: Workspace, req: HelpRequest, place: str, receipt_to: str | None
) -> None:
    """A new request: one message to the coordinators starts the thread (its Message-ID is the
    thread id); the requester's receipt (to ``receipt_to``) and every later mail refer to it."""
    for m in accounts_service.members_with(session, ws.id, "helpdesk.triage"):
        if m.user_id == req.requester_id:
            continue
        send(
            session,
            ws,
            req,
            m.user.email,
            _("Ny forespørsel fra {place}: {title}").format(place=place, title=req.title),
            req.description,
            first=True,
        )
    if receipt_to:
        send(
            session,
            ws,
            req,
            receipt_to,
            _("Vi har fått forespørselen din: {title}").format(title=req.title),
            _("Takk! Hjelpekorpset ser på saken og svarer deg her."),
        )


def notify_assigned(
    session: Session, ws: Workspace, req: HelpRequest, users: Iterable[User]
) -> None:
    """Tell the people just assigned to the request."""
    for user in users:
        send(
            session,
            ws,
            req,
            user.email,
            _("Tildelt deg: {title}").format(title=req.title),
            _("Du er satt til å hjelpe {municipality} med «{title}».").format(
                municipality=req.municipality.name, title=req.title
            ),
        )
