"""HTML pages of the hjelpekorps: the queue, filing, and a request's page with its replies,
notes, status, triage, follow-up and rating. The plan, links and time are ``work/``'s forms on
the same page, visits and the agenda ``visits/``'s."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.accounts.principal import Principal
from app.counties import service as counties_service
from app.counties.models import Workspace
from app.db import utcnow
from app.forms import MultiFormData, submit, uploaded_files
from app.helpdesk import attachments, lifecycle
from app.helpdesk.due import is_overdue
from app.helpdesk.labels import LABELS, STATE_LABELS
from app.helpdesk.models import CATEGORIES, STATES, URGENCIES, HelpRequest, RequestMessage
from app.helpdesk.queue import QueueFilter, get_request, queue
from app.helpdesk.request_page import OnRequestPage, render_request
from app.helpdesk.schemas import FollowUpForm, RatingForm, ReplyForm, RequestForm, TriageForm
from app.helpdesk.triage import helper_choices
from app.helpdesk.triage import triage as assess
from app.i18n import _
from app.web import render

router = Router()

Reader = Annotated[Context, Depends(require("helpdesk.read"))]
Filer = Annotated[Context, Depends(require("helpdesk.file"))]
Files = Annotated[list[UploadFile], Depends(uploaded_files)]

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
    p = ctx.principal
    sees_all = p.can("helpdesk.see_all")
    views = ["ufordelt", "mine", "forsinket", "alle"] if sees_all else ["alle"]
    if p.can("helpdesk.triage"):
        views.append("oppfolging")
    view = visning if visning in views else views[0]
    classes = counties_service.size_classes(counties_service.settings_of(ctx.workspace))
    staff = helper_choices(session, ctx.workspace) if sees_all else []
    size_class = int(klasse) if klasse and klasse.isdecimal() else None
    helper_id = int(hjelper) if hjelper and hjelper.isdecimal() else None
    f = QueueFilter(
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
    page = queue(session, ctx.workspace, p, f)
    now = page.now or utcnow()  # the time the rows were read at
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
            "overdue_ids": {r.id for r in page.rows if is_overdue(r, now)},
            "views": views,
            "view": view,
            "filters": filters,
            "more_query": urlencode({"visning": view, **{k: v for k, v in filters.items() if v}}),
            "classes": classes if sees_all else [],
            "staff": staff,
            "municipalities": counties_service.municipality_choices(
                session, ctx.workspace.county_number
            )
            if sees_all
            else [],
        },
        fragment="helpdesk/_queue_rows.html",
    )


# --- filing --------------------------------------------------------------------------------


def _new_form(
    request: Request,
    session: DbSession,
    ctx: Context,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Response:
    municipalities = (
        []
        if ctx.principal.municipality_number
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
    )


@router.get("/{workspace_slug}/hjelp/ny")
def new_page(request: Request, session: DbSession, ctx: Filer) -> Response:
    return _new_form(request, session, ctx, {"urgency": "normal"}, {})


@router.post("/{workspace_slug}/hjelp")
def file_request(
    request: Request, session: DbSession, data: MultiFormData, files: Files, ctx: Filer
) -> Response:
    data["on_site"] = data.get("on_site") == "on"
    data["_dropped"] = attachments.chosen(files)  # named again if the form comes back
    # Stored before the form's savepoint, outside the transaction; a refused file comes back
    # to the form, and the files of a refused form are deleted again.
    uploads = attachments.form_files(session, files, "attachments")

    def act(form: RequestForm) -> Any:
        return lifecycle.file_request(session, ctx.workspace, ctx.principal, form, uploads.get())

    return submit(
        request,
        session,
        data,
        act,
        schema=RequestForm,
        done=lambda req: f"/{ctx.workspace.slug}/hjelp/{req.number}",
        flash=_("Takk! Forespørselen er sendt til hjelpekorpset."),
        again=lambda errors: _new_form(request, session, ctx, data, errors),
    )


# --- a request -----------------------------------------------------------------------------


@router.get("/{workspace_slug}/hjelp/{number}")
def request_page(request: Request, number: int, session: DbSession, ctx: Reader) -> Response:
    return render_request(request, session, ctx, number)


@router.post("/{workspace_slug}/hjelp/{number}/svar")
def reply(page: OnRequestPage, files: Files) -> Response:
    page.data["internal"] = page.data.get("internal") == "on"
    page.data["_dropped"] = attachments.chosen(files)  # named again if the form comes back
    # Stored before the form's savepoint, outside the transaction; a file refused (413 for one
    # too large) comes back to the page, and the files of a refused reply are deleted again.
    uploads = attachments.form_files(page.session, files, "attachments")

    def reply_with_files(
        session: Session, ws: Workspace, p: Principal, number: int, form: ReplyForm
    ) -> RequestMessage:
        return lifecycle.reply(session, ws, p, number, form, uploads.get())

    return page.submit(
        reply_with_files,
        schema=ReplyForm,
        flash=lambda m: _("Notatet er lagret.") if m.internal else _("Svaret er sendt."),
        # A reply is a first response, and the municipality's ends its waiting.
        parts=("svar", "meldinger", "fakta", "historikk"),
    )


@router.get("/{workspace_slug}/hjelp/{number}/vedlegg/{attachment_id}")
def download(number: int, attachment_id: int, session: DbSession, ctx: Reader) -> Response:
    p = ctx.principal
    req = get_request(session, ctx.workspace, p, number)
    row, path = attachments.find(
        session, ctx.workspace, req.id, attachment_id, internal=p.can("helpdesk.note")
    )
    return attachments.download(session, row, path)


# What a change of state changes on the page besides the status (the message goes in the
# conversation; the forms that depend on the state come and go). The reply form only when the
# request is closed or reopened, so that a reply being written is not lost.
STATE_PARTS = ("status", "fakta", "meldinger", "ta", "vurdering", "plan", "besok", "oppfolging")


@router.post("/{workspace_slug}/hjelp/{number}/status")
def change_state(page: OnRequestPage) -> Response:
    wanted = str(page.data.get("state", ""))

    def parts(req: HelpRequest | None) -> tuple[str, ...]:
        reply_form = req is not None and (req.state == "closed" or wanted == "in_progress")
        return (*STATE_PARTS, *(("svar",) if reply_form else ()), "historikk")

    return page.submit(
        lifecycle.transition,
        wanted,
        str(page.data.get("message", "")),
        flash=lambda req: _("Status er endret til «{state}».").format(
            state=_(STATE_LABELS[req.state])
        ),
        parts=parts,
    )


@router.post("/{workspace_slug}/hjelp/{number}/ta")
def take(page: OnRequestPage) -> Response:
    flash = _("Saken er tildelt deg.")
    # Now theirs to work: every form on the page changes.
    return page.submit(lifecycle.take, flash=flash, keep_values=False, parts=("sak",))


@router.post("/{workspace_slug}/hjelp/{number}/vurdering")
def triage(page: OnRequestPage) -> Response:
    raw = page.data.get("assignees") or []
    page.data["assignees"] = [v for v in (raw if isinstance(raw, list) else [raw]) if v]
    return page.submit(
        assess,
        schema=TriageForm,
        flash=_("Vurderingen er lagret."),
        parts=("vurdering", "fakta", "ta", "status", "historikk"),
    )


@router.post("/{workspace_slug}/hjelp/{number}/oppfolging")
def follow_up(page: OnRequestPage) -> Response:
    flash = _("Oppfølgingen er lagret.")
    parts = ("oppfolging", "historikk")
    return page.submit(lifecycle.set_follow_up, schema=FollowUpForm, flash=flash, parts=parts)


@router.post("/{workspace_slug}/hjelp/{number}/tilbakemelding")
def rate(page: OnRequestPage) -> Response:
    flash = _("Takk for tilbakemeldingen!")
    parts = ("tilbakemelding", "historikk")
    return page.submit(lifecycle.rate, schema=RatingForm, flash=flash, parts=parts)
