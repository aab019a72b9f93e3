"""HTML pages of the hjelpekorps: the queue, filing, a request with replies, notes, status
and triage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from app import clock
from app.accounts.deps import Context, DbSession, require
from app.counties import service as counties_service
from app.db import utcnow
from app.errors import InvalidInput, NotFound
from app.forms import multi_form, parse, uploaded_files
from app.helpdesk import attachments, service, visits, work
from app.helpdesk.models import CATEGORIES, STATES, URGENCIES
from app.helpdesk.schemas import (
    FollowUpForm,
    LinkForm,
    RatingForm,
    ReplyForm,
    RequestForm,
    StepForm,
    TimeForm,
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
Files = Annotated[list[UploadFile], Depends(uploaded_files)]

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


VIEW_NAMES = {
    "ufordelt": "unassigned",
    "mine": "mine",
    "forsinket": "overdue",
    "alle": "all",
    "oppfolging": "follow_up",
}


@router.get("/{workspace_slug}/hjelp")
def queue_page(
    request: Request,
    session: DbSession,
    ctx: Reader,
    visning: Annotated[str | None, Query(max_length=20)] = None,
    status: Annotated[str | None, Query(max_length=30)] = None,
    kategori: Annotated[str | None, Query(max_length=30)] = None,
    prioritet: Annotated[str | None, Query(max_length=10)] = None,
    kommune: Annotated[str | None, Query(max_length=4)] = None,
    klasse: Annotated[str | None, Query(max_length=1)] = None,
    hjelper: Annotated[str | None, Query(max_length=12)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    for_id: Annotated[int | None, Query(alias="før", ge=1)] = None,
) -> Response:
    viewer = viewer_of(ctx)
    views = ["alle"] if not viewer.can_see_all else ["ufordelt", "mine", "forsinket", "alle"]
    if viewer.can_triage:
        views.append("oppfolging")
    view = visning if visning in views else views[0]
    classes = counties_service.size_classes(counties_service.settings_of(ctx.workspace))
    staff = service.helpers(session, ctx.workspace) if viewer.can_see_all else []
    size_class = int(klasse) if klasse and klasse.isdecimal() else None
    helper_id = int(hjelper) if hjelper and hjelper.isdecimal() else None
    f = service.QueueFilter(
        view=VIEW_NAMES.get(view, "all"),
        state=status if status in STATES else None,
        category=kategori if kategori in CATEGORIES else None,
        priority=prioritet if prioritet in URGENCIES else None,
        municipality_number=kommune or None,
        size_class=size_class if any(c.index == size_class for c in classes) else None,
        helper_id=helper_id if any(m.user_id == helper_id for m in staff) else None,
        q=q,
        before_id=for_id,
    )
    page = service.queue(session, ctx.workspace, viewer, f)
    now = utcnow()
    filters = {
        "status": f.state or "",
        "kategori": f.category or "",
        "prioritet": f.priority or "",
        "kommune": kommune or "",
        "klasse": str(f.size_class or ""),
        "hjelper": str(f.helper_id or ""),
        "q": q or "",
    }
    return render(
        request,
        "helpdesk/queue.html",
        {
            "labels": LABELS,
            "page": page,
            "overdue_ids": {r.id for r in page.rows if service.is_overdue(r, now)},
            "views": views,
            "view": view,
            "filters": filters,
            "more_query": urlencode({"visning": view, **{k: v for k, v in filters.items() if v}}),
            "classes": classes if viewer.can_see_all else [],
            "staff": staff,
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
        {
            "labels": LABELS,
            "values": values,
            "errors": errors,
            "municipalities": municipalities,
            "accept": attachments.ACCEPT,
            "limit_text": attachments.limit_text(),
        },
        status_code=status,
    )


@router.get("/{workspace_slug}/hjelp/ny")
def new_page(request: Request, session: DbSession, ctx: Filer) -> Response:
    return _new_form(request, session, ctx, {"urgency": "normal"}, {})


@router.post("/{workspace_slug}/hjelp")
def file_request(
    request: Request, session: DbSession, data: FormData, files: Files, ctx: Filer
) -> Response:
    data["on_site"] = data.get("on_site") == "on"
    form, errors = parse(RequestForm, data)
    status = 422
    if form is not None:
        try:
            uploads = attachments.read_form_files(files, "attachments")
            req = service.file_request(session, ctx.workspace, viewer_of(ctx), form, uploads)
        except InvalidInput as exc:
            errors = {k: _(v) for k, v in exc.errors.items()}
            status = exc.status_code
        else:
            return redirect(
                request,
                f"/{ctx.workspace.slug}/hjelp/{req.number}",
                flash=_("Takk! Forespørselen er sendt til hjelpekorpset."),
            )
    return _new_form(request, session, ctx, data, errors, status)


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
    if viewer.can_triage and d.request.state not in ("resolved", "closed"):
        # Only the triage form shows them, and it is not there once the request is resolved.
        extra["suggestions"] = service.suggest_helpers(session, ctx.workspace, d.request)
    if viewer.can_work:
        extra["time"] = work.time_of(session, ctx.workspace, d.request.id)
    files_by_message: dict[int | None, list[Any]] = {}
    for a in attachments.of_request(session, ctx.workspace, d.request.id, internal=viewer.can_note):
        files_by_message.setdefault(a.message_id, []).append(a)
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
            "steps": work.steps_of(session, ctx.workspace, d.request.id),
            "links": work.links_of(session, ctx.workspace, viewer, d.request),
            "files": files_by_message,
            "accept": attachments.ACCEPT,
            "limit_text": attachments.limit_text(),
            "today": clock.today().isoformat(),
            **extra,
        },
        status_code=status,
    )


@router.get("/{workspace_slug}/hjelp/{number}")
def request_page(request: Request, number: int, session: DbSession, ctx: Reader) -> Response:
    return _request_page(request, session, ctx, number)


@router.post("/{workspace_slug}/hjelp/{number}/svar")
def reply(
    request: Request, number: int, session: DbSession, data: FormData, files: Files, ctx: Reader
) -> Response:
    data["internal"] = data.get("internal") == "on"
    form, errors = parse(ReplyForm, data)
    status = 422
    if form is not None:
        try:
            uploads = attachments.read_form_files(files, "attachments")
            service.reply(session, ctx.workspace, viewer_of(ctx), number, form, uploads)
        except InvalidInput as exc:
            errors = {k: _(v) for k, v in exc.errors.items()}
            status = exc.status_code
        else:
            message = _("Notatet er lagret.") if form.internal else _("Svaret er sendt.")
            return redirect(request, f"/{ctx.workspace.slug}/hjelp/{number}", flash=message)
    return _request_page(request, session, ctx, number, errors, data, status)


@router.get("/{workspace_slug}/hjelp/{number}/vedlegg/{attachment_id}")
def download(number: int, attachment_id: int, session: DbSession, ctx: Reader) -> Response:
    viewer = viewer_of(ctx)
    req = service.get_request(session, ctx.workspace, viewer, number)
    row, path = attachments.find(
        session, ctx.workspace, req.id, attachment_id, internal=viewer.can_note
    )
    return FileResponse(
        path,
        media_type=row.content_type,
        headers={
            "Content-Disposition": attachments.disposition(row.filename),
            "Cache-Control": "private, no-store",
        },
    )


def _act(
    request: Request,
    session: DbSession,
    ctx: Context,
    number: int,
    data: dict[str, Any],
    form_type: type[BaseModel] | None,
    action: Callable[[Any], object],
    flash: str,
) -> Response:
    """One form on the request page: parse, act, and back to the page — or the page again
    with the messages (422) when the input does not hold."""
    form, errors = parse(form_type, data) if form_type else (None, {})
    if form_type is None or form is not None:
        try:
            action(form)
        except InvalidInput as exc:
            errors = {k: _(v) for k, v in exc.errors.items()}
        else:
            return redirect(request, f"/{ctx.workspace.slug}/hjelp/{number}", flash=flash)
    return _request_page(request, session, ctx, number, errors, data, 422)


# --- the plan, links and time spent ---------------------------------------------------------


@router.post("/{workspace_slug}/hjelp/{number}/steg")
def add_step(
    request: Request, number: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    def action(form: StepForm) -> object:
        return work.add_step(session, ctx.workspace, viewer_of(ctx), number, form)

    return _act(request, session, ctx, number, data, StepForm, action, _("Steget er lagt til."))


@router.post("/{workspace_slug}/hjelp/{number}/steg/{step_id}")
def mark_step(
    request: Request, number: int, step_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    done = data.get("done") == "1"

    def action(_form: None) -> object:
        return work.set_step_done(session, ctx.workspace, viewer_of(ctx), number, step_id, done)

    flash = _("Steget er merket som gjort.") if done else _("Steget er merket som ikke gjort.")
    return _act(request, session, ctx, number, data, None, action, flash)


@router.post("/{workspace_slug}/hjelp/{number}/steg/{step_id}/slett")
def remove_step(
    request: Request, number: int, step_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    def action(_form: None) -> object:
        work.remove_step(session, ctx.workspace, viewer_of(ctx), number, step_id)
        return None

    return _act(request, session, ctx, number, data, None, action, _("Steget er fjernet."))


@router.post("/{workspace_slug}/hjelp/{number}/lenker")
def add_link(
    request: Request, number: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    def action(form: LinkForm) -> object:
        return work.link(session, ctx.workspace, viewer_of(ctx), number, form)

    return _act(request, session, ctx, number, data, LinkForm, action, _("Lenken er lagt til."))


@router.post("/{workspace_slug}/hjelp/{number}/lenker/{link_id}/slett")
def remove_link(
    request: Request, number: int, link_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    def action(_form: None) -> object:
        work.unlink(session, ctx.workspace, viewer_of(ctx), number, link_id)
        return None

    return _act(request, session, ctx, number, data, None, action, _("Lenken er fjernet."))


@router.post("/{workspace_slug}/hjelp/{number}/tid")
def log_time(
    request: Request, number: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    def action(form: TimeForm) -> object:
        return work.log_time(session, ctx.workspace, viewer_of(ctx), number, form)

    return _act(request, session, ctx, number, data, TimeForm, action, _("Tiden er ført."))


@router.post("/{workspace_slug}/hjelp/{number}/tid/{entry_id}/slett")
def remove_time(
    request: Request, number: int, entry_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    def action(_form: None) -> object:
        work.remove_time(session, ctx.workspace, viewer_of(ctx), number, entry_id)
        return None

    return _act(request, session, ctx, number, data, None, action, _("Tidsføringen er fjernet."))


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
