"""The opt-out page of the deadline reminders, reached from the link in a mail, without a login.

GET only shows what the button will do (mail scanners open links before people do); the POST
(with the CSRF token, as every form) stops the reminders, and a second button starts them
again. A link not made by us, or for another workspace, is a 404 that says why."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from app.accounts.deps import DbSession
from app.accounts.one_trip import Router
from app.i18n import _
from app.schemes import reminders
from app.web import redirect, render

router = Router()

PATH = "/{workspace_slug}/virkemidler/avmelding/{token}"


@router.get(PATH)
def opt_out_page(request: Request, workspace_slug: str, token: str, session: DbSession) -> Response:
    ws, email = reminders.open_link(session, workspace_slug, token)
    return render(
        request,
        "schemes/unsubscribe.html",
        {
            "workspace": ws,
            "email": email,
            "stopped": reminders.is_opted_out(session, ws, email),
            "action": f"/{ws.slug}/virkemidler/avmelding/{token}",
        },
    )


@router.post(PATH)
def opt_out(request: Request, workspace_slug: str, token: str, session: DbSession) -> Response:
    ws, email = reminders.open_link(session, workspace_slug, token)
    reminders.opt_out(session, ws, email)
    return redirect(
        request,
        f"/{ws.slug}/virkemidler/avmelding/{token}",
        flash=_("Du får ikke flere påminnelser om søknadsfrister fra {county}.").format(
            county=ws.name
        ),
    )


@router.post(PATH + "/igjen")
def opt_in(request: Request, workspace_slug: str, token: str, session: DbSession) -> Response:
    ws, email = reminders.open_link(session, workspace_slug, token)
    reminders.opt_in(session, ws, email)
    return redirect(
        request,
        f"/{ws.slug}/virkemidler/avmelding/{token}",
        flash=_("Du får påminnelser om søknadsfrister fra {county} igjen.").format(county=ws.name),
    )
