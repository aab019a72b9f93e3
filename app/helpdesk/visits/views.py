"""On-site visits: planning one and its report (forms on a request's page), a helper's agenda,
the agenda as iCalendar, and the secret calendar feed address."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.accounts.principal import Principal
from app.counties.models import Workspace
from app.errors import NotFound
from app.helpdesk.models import Visit
from app.helpdesk.request_page import OnRequestPage
from app.helpdesk.visits import service as visits
from app.helpdesk.visits.schemas import VisitForm, VisitReportForm
from app.i18n import _
from app.web import render

router = Router()

Worker = Annotated[Context, Depends(require("helpdesk.work"))]


@router.post("/{workspace_slug}/hjelp/{number}/besok")
def plan_visit(page: OnRequestPage) -> Response:
    def plan(session: Session, ws: Workspace, p: Principal, number: int, form: VisitForm) -> Visit:
        try:
            return visits.plan_visit(session, ws, p, number, form)
        except visits.VisitClash as exc:
            # Named now: the visits are gone with the form's savepoint when the form comes back.
            page.clash_lines = [c.text() for c in exc.clashes]
            raise

    flash = _("Besøket er planlagt.")
    return page.submit(plan, schema=VisitForm, flash=flash, parts=("besok", "historikk"))


@router.post("/{workspace_slug}/hjelp/{number}/besok/{visit_id}/rapport")
def report_visit(visit_id: int, page: OnRequestPage) -> Response:
    flash = _("Besøksrapporten er lagret.")
    page.data["_visit_id"] = visit_id  # whose form comes back with the message
    return page.submit(
        visits.report_visit, visit_id, schema=VisitReportForm, flash=flash, parts=("besok",)
    )


@router.get("/{workspace_slug}/besok")
def agenda_page(
    request: Request,
    session: DbSession,
    ctx: Worker,
    alle: Annotated[bool, Query()] = False,
) -> Response:
    everyone = alle and ctx.can("helpdesk.triage")
    items = visits.agenda(session, ctx.workspace, None if everyone else ctx.user.id)
    return render(
        request,
        "helpdesk/agenda.html",
        {"visits": items, "everyone": everyone, "feed_url": None},
    )


@router.get("/{workspace_slug}/besok.ics")
def agenda_ics(session: DbSession, ctx: Worker) -> Response:
    items = visits.agenda(session, ctx.workspace, ctx.user.id)
    body = visits.to_ical(ctx.workspace, items, _("Besøk – {name}").format(name=ctx.user.name))
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="besok.ics"'},
    )


@router.post("/{workspace_slug}/besok/abonnement")
def new_feed(request: Request, session: DbSession, ctx: Worker) -> Response:
    token = visits.new_feed(session, ctx.workspace, ctx.user)
    url = f"{request.app.state.settings.base_url.rstrip('/')}/kalender/{token}.ics"
    items = visits.agenda(session, ctx.workspace, ctx.user.id)
    # The address is shown once; a new one replaces it.
    return render(
        request,
        "helpdesk/agenda.html",
        {"visits": items, "everyone": False, "feed_url": url},
        status_code=201,
    )


@router.get("/kalender/{token}.ics")
def calendar_feed(token: str, session: DbSession) -> Response:
    found = visits.feed(session, token)
    if found is None:
        raise NotFound()
    workspace, items, name = found
    return Response(
        visits.to_ical(workspace, items, _("Besøk – {name}").format(name=name)),
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, no-store"},
    )
