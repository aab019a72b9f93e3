"""The outbox as people see it: the county admin's page of the workspace's e-mail (queued,
failed with the reason, sent; retry), and in development the mailbox at ``/dev/post`` that
shows every message the app "sent", links and all."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.errors import NotFound
from app.i18n import _
from app.mail import attachments, service
from app.web import redirect, render

router = Router()
dev_router = Router()


def state_labels() -> dict[str, str]:
    return {
        "queued": _("I kø"),
        "retrying": _("Prøver igjen"),
        "failed": _("Feilet"),
        "sent": _("Sendt"),
    }


@router.get("/{workspace_slug}/e-post")
def outbox(
    request: Request,
    session: DbSession,
    ctx: Annotated[Context, Depends(require("mail.manage"))],
    status: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    state = status if status in service.STATES else None
    messages = service.recent(session, workspace_id=ctx.workspace.id, state=state)
    return render(
        request,
        "mail/outbox.html",
        {
            "counts": service.counts(session, ctx.workspace.id),
            "messages": messages,
            "attached": attachments.names_of(session, [m.id for m in messages]),
            "state": state,
            "state_of": service.state_of,
            "labels": state_labels(),
        },
    )


@router.post("/{workspace_slug}/e-post/prov-igjen")
def retry_all(
    request: Request,
    session: DbSession,
    ctx: Annotated[Context, Depends(require("mail.manage"))],
) -> Response:
    count = service.retry(session, workspace_id=ctx.workspace.id)
    return redirect(
        request,
        f"/{ctx.workspace.slug}/e-post",
        flash=_("{n} e-poster sendes på nytt.").format(n=count)
        if count
        else _("Ingen e-post venter på et nytt forsøk."),
    )


@router.post("/{workspace_slug}/e-post/{message_id}/prov-igjen")
def retry_one(
    request: Request,
    session: DbSession,
    ctx: Annotated[Context, Depends(require("mail.manage"))],
    message_id: int,
) -> Response:
    if not service.retry(session, ids=[message_id], workspace_id=ctx.workspace.id):
        raise NotFound(_("Fant ingen usendt e-post med dette nummeret."))
    return redirect(request, f"/{ctx.workspace.slug}/e-post", flash=_("E-posten sendes på nytt."))


def _from_this_machine(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "testclient"  # FastAPI's TestClient


@dev_router.get("/dev/post")
def dev_mailbox(request: Request, session: DbSession) -> Response:
    """Development only (the router is added only when mail goes to the mailbox), and only to
    requests from this machine: every message, newest first, with its body."""
    if not _from_this_machine(request):
        raise NotFound(_("Siden finnes ikke."))
    messages = service.mailbox(session)
    return render(
        request,
        "mail/dev_post.html",
        {
            "messages": messages,
            "attached": attachments.names_of(session, [m.id for m in messages]),
            "state_of": service.state_of,
            "labels": state_labels(),
        },
    )
