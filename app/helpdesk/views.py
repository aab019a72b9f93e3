"""HTML pages of the hjelpekorps: the queue, filing, a request with replies, notes, status
and triage."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, require
from app.counties import service as counties_service
from app.errors import InvalidInput, NotFound
from app.forms import multi_form, parse
from app.helpdesk import service, visits
from app.helpdesk.models import CATEGORIES, STATES, URGENCIES
from app.helpdesk.schemas import (
    FollowUpForm,
    RatingForm,
    ReplyForm,
    RequestForm,
    TriageForm,
    VisitForm,
    VisitReportForm,
)
from app.i18n import _
from app.web import redirect, render

router = APIRouter()

Reader = Annotated[Context, Depends(require("helpdesk.read"))]
Filer = Annotated[Context, Depends(require("helpdesk.file"))]
FormData = Annotated[dict[str, Any], Depends(multi_form)]

LABELS = {
    "states": service.STATE_LABELS,
    "categories": service.CATEGORY_LABELS,
    "priorities": service.PRIORITY_LABELS,
    "state_order": STATES,
    "category_order": CATEGORIES,
    "priority_order": URGENCIES,
}


def viewer_of(ctx: Context) -> service.Viewer:
    return service.Viewer(
        user_id=ctx.user.id,
        municipality_number=ctx.membership.municipality_number if ctx.role == "municipal" else None,
        can_see_all=ctx.can("helpdesk.see_all"),
        can_note=ctx.can("helpdesk.note"),
        can_work=ctx.can("helpdesk.work"),
        can_triage=ctx.can("helpdesk.triage"),
    )


@router.get("/{workspace_slug}/hjelp")
def queue_page(
    request: Request,
    session: DbSession,
    ctx: Reader,
    visning: Annotated[str | None, Query(max_length=20)] = None,
    status: Annotated[str | None, Query(max_length=30)] = None,
    kategori: Annotated[str | None, Query(max_length=30)] = None,
    kommune: Annotated[str | None, Query(max_length=4)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    for_id: Annotated[int | None, Query(alias="før", ge=1)] = None,
) -> Response:
    viewer = viewer_of(ctx)
    views = ["alle"] if not viewer.can_see_all else ["ufordelt", "mine", "alle"]
    if viewer.can_triage:
        views.append("oppfolging")
    view = visning if visning in views else views[0]
    f = service.QueueFilter(
        view={"ufordelt": "unassigned", "mine": "mine", "oppfolging": "follow_up"}.get(view, "all"),
        state=status if status in STATES else None,
        category=kategori if kategori in CATEGORIES else None,
        municipality_number=kommune or None,
        q=q,
        before_id=for_id,
    )
    page = service.queue(session, ctx.workspace, viewer, f)
    return render(
        request,
        "helpdesk/queue.html",
        {
            "labels": LABELS,
            "page": page,
            "due": service.service_levels(session, ctx.workspace, page.rows),
            "views": views,
            "view": view,
            "filters": {
                "status": f.state or "",
                "kategori": f.category or "",
                "kommune": kommune or "",
                "q": q or "",
            },
            "municipalities": counties_service.municipalities_of_county(
                session, ctx.workspace.county_number
            )
            if viewer.can_see_all
            else [],
        },
        fragment="helpdesk/_queue_rows.html",
    )


def _new_form(
    request: Request,
    session: DbSession,
    ctx: Context,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    municipalities = (
        []
        if ctx.role == "municipal"
        else counties_service.municipalities_of_county(session, ctx.workspace.county_number)
    )
    return render(
        request,
        "helpdesk/new.html",
        {"labels": LABELS, "values": values, "errors": errors, "municipalities": municipalities},
        status_code=status,
    )


@router.get("/{workspace_slug}/hjelp/ny")
def new_page(request: Request, session: DbSession, ctx: Filer) -> Response:
    return _new_form(request, session, ctx, {"urgency": "normal"}, {})


@router.post("/{workspace_slug}/hjelp")
def file_request(request: Request, session: DbSession, data: FormData, ctx: Filer) -> Response:
    data["on_site"] = data.get("on_site") == "on"
    form, errors = parse(RequestForm, data)
    if form is not None:
        try:
            req = service.file_request(session, ctx.workspace, viewer_of(ctx), form)
        except InvalidInput as exc:
            errors = {k: _(v) for k, v in exc.errors.items()}
        else:
            return redirect(
                request,
                f"/{ctx.workspace.slug}/hjelp/{req.number}",
                flash=_("Takk! Forespørselen er sendt til hjelpekorpset."),
            )
    return _new_form(request, session, ctx, data, errors, 422)


def _request_page(
    request: Request,
    session: DbSession,
    ctx: Context,
    number: int,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    viewer = viewer_of(ctx)
    d = service.detail(session, ctx.workspace, viewer, number)
    extra: dict[str, Any] = {}
    if viewer.can_triage:
        extra["suggestions"] = service.suggest_helpers(session, ctx.workspace, d.request)
    return render(
        request,
        "helpdesk/request.html",
        {
            "labels": LABELS,
            "d": d,
            "req": d.request,
            "due": service.service_levels(session, ctx.workspace, [d.request])[d.request.id],
            "viewer": viewer,
            "errors": errors or {},
            "values": values or {},
            "assigned_ids": [a.user_id for a in d.request.assignees],
            "visits": visits.visits_of(session, ctx.workspace, d.request.id),
            "helpers": service.helpers(session, ctx.workspace) if viewer.can_work else [],
            **extra,
        },
        status_code=status,
    )


@router.get("/{workspace_slug}/hjelp/{number}")
def request_page(request: Request, number: int, session: DbSession, ctx: Reader) -> Response:
    return _request_page(request, session, ctx, number)


@router.post("/{workspace_slug}/hjelp/{number}/svar")
def reply(
    request: Request, number: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    data["internal"] = data.get("internal") == "on"
    form, errors = parse(ReplyForm, data)
    if form is not None:
        try:
            service.reply(session, ctx.workspace, viewer_of(ctx), number, form)
        except InvalidInput as exc:
            errors = {k: _(v) for k, v in exc.errors.items()}
        else:
            message = _("Notatet er lagret.") if form.internal else _("Svaret er sendt.")
            return redirect(request, f"/{ctx.workspace.slug}/hjelp/{number}", flash=message)
    return _request_page(request, session, ctx, number, errors, data, 422)


@router.post("/{workspace_slug}/hjelp/{number}/status")
def change_state(
    request: Request, number: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    try:
        req = service.transition(
            session, ctx.workspace, viewer_of(ctx), number, str(data.get("state", ""))
        )
    except InvalidInput as exc:
        return _request_page(
            request, session, ctx, number, {k: _(v) for k, v in exc.errors.items()}, status=422
        )
    return redirect(
        request,
        f"/{ctx.workspace.slug}/hjelp/{number}",
        flash=_("Status er endret til «{state}».").format(state=_(service.STATE_LABELS[req.state])),
    )


@router.post("/{workspace_slug}/hjelp/{number}/vurdering")
def triage(
    request: Request, number: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    raw = data.get("assignees") or []
    data["assignees"] = [v for v in (raw if isinstance(raw, list) else [raw]) if v]
    form, errors = parse(TriageForm, data)
    if form is not None:
        try:
            service.triage(session, ctx.workspace, viewer_of(ctx), number, form)
        except InvalidInput as exc:
            errors = {k: _(v) for k, v in exc.errors.items()}
        else:
            return redirect(
                request, f"/{ctx.workspace.slug}/hjelp/{number}", flash=_("Vurderingen er lagret.")
            )
    return _request_page(request, session, ctx, number, errors, data, 422)


@router.post("/{workspace_slug}/hjelp/{number}/oppfolging")
def follow_up(
    request: Request, number: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    form, errors = parse(FollowUpForm, data)
    if form is not None:
        try:
            service.set_follow_up(session, ctx.workspace, viewer_of(ctx), number, form.follow_up_on)
        except InvalidInput as exc:
            errors = {k: _(v) for k, v in exc.errors.items()}
        else:
            return redirect(
                request, f"/{ctx.workspace.slug}/hjelp/{number}", flash=_("Oppfølgingen er lagret.")
            )
    return _request_page(request, session, ctx, number, errors, data, 422)


@router.post("/{workspace_slug}/hjelp/{number}/tilbakemelding")
def rate(
    request: Request, number: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    form, errors = parse(RatingForm, data)
    if form is not None:
        try:
            service.rate(session, ctx.workspace, viewer_of(ctx), number, form.rating, form.comment)
        except InvalidInput as exc:
            errors = {k: _(v) for k, v in exc.errors.items()}
        else:
            return redirect(
                request,
                f"/{ctx.workspace.slug}/hjelp/{number}",
                flash=_("Takk for tilbakemeldingen!"),
            )
    return _request_page(request, session, ctx, number, errors, data, 422)


# --- visits and the agenda -----------------------------------------------------------------


@router.post("/{workspace_slug}/hjelp/{number}/besok")
def plan_visit(
    request: Request, number: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    form, errors = parse(VisitForm, data)
    if form is not None:
        try:
            visits.plan_visit(session, ctx.workspace, viewer_of(ctx), number, form)
        except InvalidInput as exc:
            errors = {k: _(v) for k, v in exc.errors.items()}
        else:
            return redirect(
                request, f"/{ctx.workspace.slug}/hjelp/{number}", flash=_("Besøket er planlagt.")
            )
    return _request_page(request, session, ctx, number, errors, data, 422)


@router.post("/{workspace_slug}/hjelp/{number}/besok/{visit_id}/rapport")
def report_visit(
    request: Request, number: int, visit_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    form, errors = parse(VisitReportForm, data)
    if form is not None:
        visits.report_visit(session, ctx.workspace, viewer_of(ctx), number, visit_id, form.report)
        return redirect(
            request, f"/{ctx.workspace.slug}/hjelp/{number}", flash=_("Besøksrapporten er lagret.")
        )
    return _request_page(request, session, ctx, number, errors, data, 422)


Worker = Annotated[Context, Depends(require("helpdesk.work"))]


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
