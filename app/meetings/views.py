"""HTML pages of the meetings: the list per county (by body, upcoming or past), a meeting
with its agenda, minutes, decisions and attendance, and the forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.errors import Forbidden, NotFound
from app.forms import FormData, submit
from app.helpdesk import attachments
from app.i18n import _, ngettext
from app.markdown import render_markdown
from app.meetings import agenda, calendar, export, invitations, papers, service, standing
from app.meetings.labels import LABELS, SMALL_BELOW
from app.meetings.models import KINDS
from app.meetings.schemas import (
    AgendaItemForm,
    AttendanceForm,
    DecisionForm,
    MeetingForm,
    MinutesForm,
)
from app.reads import encode_cursor
from app.web import redirect, render

router = Router()

Reader = Annotated[Context, Depends(require("meetings.read"))]
PAGE_SIZE = 30


def _base(ctx: Context) -> str:
    return f"/{ctx.workspace.slug}/moter"


@router.get("/{workspace_slug}/moter")
def list_page(
    request: Request,
    session: DbSession,
    ctx: Reader,
    organ_: Annotated[str, Query(alias="organ", max_length=12)] = "",
    tid: Annotated[str, Query(pattern="^(kommende|tidligere)$")] = "kommende",
    q: Annotated[str, Query(max_length=100)] = "",
    type: Annotated[str, Query(max_length=20)] = "",
    etter: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    ws, p = ctx.workspace, ctx.principal
    # The filter form's "Alle" sends an empty value; anything not a body id means all.
    organ = int(organ_) if organ_.isdecimal() and 0 < int(organ_) < 2**31 else None
    f = service.MeetingFilter(
        body_id=organ,
        past=tid == "tidligere",
        q=q.strip() or None,
        kind=type if type in KINDS else None,
    )
    rows, more = service.list_meetings(session, ws, p, f, cursor=etter, limit=PAGE_SIZE)
    key = service.list_key(f.past)
    next_cursor = (
        encode_cursor([getattr(rows[-1].meeting, c.key) for c in key.columns])
        if more and rows
        else None
    )
    bodies = service.body_names(session, ws)
    presence = (
        agenda.presence(session, ws, organ, SMALL_BELOW)
        if organ is not None and organ in bodies
        else []
    )
    decisions = (
        agenda.decisions(session, ws, p, body_id=organ, open_only=True, limit=50)
        if organ is not None and organ in bodies
        else []
    )
    return render(
        request,
        "meetings/list.html",
        {
            "labels": LABELS,
            "rows": rows,
            "f": f,
            "q": q,
            "tid": tid,
            "organ": organ,
            "bodies": sorted(bodies.items(), key=lambda b: b[1]),
            "body_name": bodies.get(organ) if organ else None,
            "next_cursor": next_cursor,
            "can_create": service.may_create(session, ws, p),
            "presence": presence,
            "seldom": agenda.SELDOM,
            "decisions": decisions,
            "standing": standing.kinds_of(session, ws, organ)
            if organ is not None and organ in bodies
            else [],
            "can_edit_body": organ is not None
            and organ in bodies
            and service.may_edit(session, ws, p, organ),
        },
        fragment="meetings/_list.html",
    )


# --- the form ------------------------------------------------------------------------------


def _form(
    request: Request,
    session: DbSession,
    ctx: Context,
    values: dict[str, Any],
    errors: dict[str, str],
    meeting_id: int | None = None,
) -> Response:
    if "form" in errors and "end" not in errors:
        errors = {**errors, "end": errors.pop("form")}
    return render(
        request,
        "meetings/form.html",
        {
            "labels": LABELS,
            "values": values,
            "errors": errors,
            "meeting_id": meeting_id,
            "bodies": service.editable_bodies(session, ctx.workspace, ctx.principal),
            "county_meetings": ctx.can("meetings.edit"),
        },
    )


def _submit(
    request: Request,
    session: DbSession,
    ctx: Context,
    data: dict[str, Any],
    act: Callable[[MeetingForm], Any],
    meeting_id: int | None = None,
) -> Response:
    return submit(
        request,
        session,
        data,
        act,
        schema=MeetingForm,
        done=lambda saved: f"{_base(ctx)}/{saved.id}",
        flash=lambda saved: _("«{title}» er lagret.").format(title=saved.title),
        again=lambda errors: _form(request, session, ctx, data, errors, meeting_id),
    )


@router.get("/{workspace_slug}/moter/nytt")
def new_page(
    request: Request,
    session: DbSession,
    ctx: Reader,
    organ: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    if not service.may_create(session, ctx.workspace, ctx.principal):
        raise Forbidden(_("Bare koordinatorer og organets sekretariat kan lage møter."))
    values = {"body_id": organ, "kind": "meeting", "start": "10:00", "end": "12:00"}
    return _form(request, session, ctx, values, {})


@router.post("/{workspace_slug}/moter")
def create(request: Request, session: DbSession, data: FormData, ctx: Reader) -> Response:
    return _submit(
        request,
        session,
        ctx,
        data,
        lambda form: service.create_meeting(session, ctx.workspace, ctx.principal, form),
    )


@router.get("/{workspace_slug}/moter/{meeting_id:int}/rediger")
def edit_page(request: Request, meeting_id: int, session: DbSession, ctx: Reader) -> Response:
    meeting = service.get_meeting(session, ctx.workspace, ctx.principal, meeting_id)
    service.check_edit(session, ctx.workspace, ctx.principal, meeting)
    return _form(request, session, ctx, service.form_values(meeting), {}, meeting.id)


@router.post("/{workspace_slug}/moter/{meeting_id:int}/rediger")
def update(
    request: Request, meeting_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    meeting = service.get_meeting(session, ctx.workspace, ctx.principal, meeting_id)
    service.check_edit(session, ctx.workspace, ctx.principal, meeting)
    return _submit(
        request,
        session,
        ctx,
        data,
        lambda form: service.update_meeting(
            session, ctx.workspace, ctx.principal, meeting_id, form
        ),
        meeting_id,
    )


# --- a meeting -----------------------------------------------------------------------------


def _meeting_page(
    request: Request,
    session: DbSession,
    ctx: Context,
    meeting_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    form: str = "",
    status_code: int | None = None,
) -> Response:
    ws, p = ctx.workspace, ctx.principal
    meeting = service.get_meeting(session, ws, p, meeting_id)
    own = meeting.workspace_id == ws.id
    can_edit = own and service.may_edit(session, ws, p, meeting.body_id)
    items = agenda.items_of(session, meeting)
    decisions = agenda.decisions(session, ws, p, meeting=meeting)
    return render(
        request,
        "meetings/meeting.html",
        {
            "labels": LABELS,
            "meeting": meeting,
            "own": own,
            "body_name": service.body_names(session, ws).get(meeting.body_id or 0),
            "can_edit": can_edit,
            "open_minutes": can_edit and meeting.minutes_approved_at is None,
            "items": items,
            "minutes_html": {i.id: render_markdown(i.minutes) for i in items if i.minutes},
            "files": papers.papers_of(session, meeting),
            "accept": attachments.ACCEPT,
            "limit_text": attachments.limit_text() if can_edit else "",
            "decisions": agenda.decisions_by_item(decisions),
            "invitees": service.invitees_of(session, meeting),
            "standing": standing.filled(session, ws, p, meeting),
            "attendance": agenda.attendance_of(session, meeting),
            "people": agenda.responsible_choices(session, ws) if can_edit else [],
            "user_id": p.user_id,
            "errors": errors or {},
            "values": values or {},
            "form": form,
        },
        status_code=status_code or (422 if errors else 200),
    )


meeting_page_response = _meeting_page  # the meeting page again with a form's errors


@router.get("/{workspace_slug}/moter/{meeting_id:int}")
def meeting_page(request: Request, meeting_id: int, session: DbSession, ctx: Reader) -> Response:
    return _meeting_page(request, session, ctx, meeting_id)


def _on_page(
    request: Request,
    session: DbSession,
    ctx: Context,
    meeting_id: int,
    data: dict[str, Any],
    act: Callable[[Any], object],
    *,
    schema: Any,
    flash: str,
    form: str,
) -> Response:
    # who may write is known before the form is read: a reader is refused (403), not corrected
    meeting = service.get_meeting(session, ctx.workspace, ctx.principal, meeting_id)
    service.check_edit(session, ctx.workspace, ctx.principal, meeting)
    return submit(
        request,
        session,
        data,
        act,
        schema=schema,
        done=f"{_base(ctx)}/{meeting_id}",
        flash=flash,
        again=lambda errors: _meeting_page(
            request, session, ctx, meeting_id, errors=errors, values=data, form=form
        ),
    )


@router.post("/{workspace_slug}/moter/{meeting_id:int}/saker")
def add_item(
    request: Request, meeting_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    return _on_page(
        request,
        session,
        ctx,
        meeting_id,
        data,
        lambda form: agenda.add_item(session, ctx.workspace, ctx.principal, meeting_id, form),
        schema=AgendaItemForm,
        flash=_("Saken er lagt til."),
        form="item",
    )


@router.post("/{workspace_slug}/moter/{meeting_id:int}/saker/{item_id:int}/flytt")
def move_item(
    request: Request,
    meeting_id: int,
    item_id: int,
    session: DbSession,
    data: FormData,
    ctx: Reader,
) -> Response:
    agenda.move_item(
        session, ctx.workspace, ctx.principal, meeting_id, item_id, data.get("retning") == "opp"
    )
    return redirect(request, f"{_base(ctx)}/{meeting_id}#sak-{item_id}")


@router.post("/{workspace_slug}/moter/{meeting_id:int}/saker/{item_id:int}/slett")
def delete_item(
    request: Request, meeting_id: int, item_id: int, session: DbSession, ctx: Reader
) -> Response:
    agenda.delete_item(session, ctx.workspace, ctx.principal, meeting_id, item_id)
    return redirect(request, f"{_base(ctx)}/{meeting_id}", flash=_("Saken er fjernet."))


@router.post("/{workspace_slug}/moter/{meeting_id:int}/saker/{item_id:int}/referat")
def set_minutes(
    request: Request,
    meeting_id: int,
    item_id: int,
    session: DbSession,
    data: FormData,
    ctx: Reader,
) -> Response:
    return _on_page(
        request,
        session,
        ctx,
        meeting_id,
        data,
        lambda form: agenda.set_minutes(
            session, ctx.workspace, ctx.principal, meeting_id, item_id, form
        ),
        schema=MinutesForm,
        flash=_("Referatet er lagret."),
        form=f"minutes-{item_id}",
    )


@router.post("/{workspace_slug}/moter/{meeting_id:int}/saker/{item_id:int}/vedtak")
def add_decision(
    request: Request,
    meeting_id: int,
    item_id: int,
    session: DbSession,
    data: FormData,
    ctx: Reader,
) -> Response:
    return _on_page(
        request,
        session,
        ctx,
        meeting_id,
        data,
        lambda form: agenda.add_decision(
            session, ctx.workspace, ctx.principal, meeting_id, item_id, form
        ),
        schema=DecisionForm,
        flash=_("Vedtaket er lagret."),
        form=f"decision-{item_id}",
    )


@router.post("/{workspace_slug}/moter/{meeting_id:int}/vedtak/{decision_id:int}/fulgt-opp")
def decision_done(
    request: Request,
    meeting_id: int,
    decision_id: int,
    session: DbSession,
    data: FormData,
    ctx: Reader,
) -> Response:
    done = data.get("ferdig", "1") == "1"
    agenda.set_done(session, ctx.workspace, ctx.principal, meeting_id, decision_id, done)
    message = _("Vedtaket er fulgt opp.") if done else _("Vedtaket er åpnet igjen.")
    return redirect(request, f"{_base(ctx)}/{meeting_id}#vedtak-{decision_id}", flash=message)


@router.post("/{workspace_slug}/moter/{meeting_id:int}/oppmote")
def attendance(
    request: Request, meeting_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    entries = [
        {
            "municipality_number": key.removeprefix("status_"),
            "status": value,
            "represented_by": data.get(f"by_{key.removeprefix('status_')}", ""),
        }
        for key, value in data.items()
        if key.startswith("status_") and value
    ]
    return _on_page(
        request,
        session,
        ctx,
        meeting_id,
        {"entries": entries},
        lambda form: agenda.record_attendance(
            session, ctx.workspace, ctx.principal, meeting_id, form
        ),
        schema=AttendanceForm,
        flash=_("Oppmøtet er lagret."),
        form="attendance",
    )


@router.post("/{workspace_slug}/moter/{meeting_id:int}/inviter")
def invite(request: Request, meeting_id: int, session: DbSession, ctx: Reader) -> Response:
    n = invitations.send_invitation(session, ctx.workspace, ctx.principal, meeting_id)
    message = (
        ngettext(
            "Invitasjonen er sendt til {n} person.", "Invitasjonen er sendt til {n} personer.", n
        ).format(n=n)
        if n
        else _(
            "Ingen å invitere: ingen brukere hører til kommunene eller organisasjonene "
            "som er invitert."
        )
    )
    return redirect(request, f"{_base(ctx)}/{meeting_id}", flash=message)


@router.post("/{workspace_slug}/moter/{meeting_id:int}/godkjenn-referat")
def approve(request: Request, meeting_id: int, session: DbSession, ctx: Reader) -> Response:
    agenda.approve_minutes(session, ctx.workspace, ctx.principal, meeting_id)
    return redirect(request, f"{_base(ctx)}/{meeting_id}", flash=_("Referatet er godkjent."))


@router.post("/{workspace_slug}/moter/organ/{body_id:int}/faste-saker")
def set_standing(
    request: Request, body_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    kinds = [k.removeprefix("fast_") for k, v in data.items() if k.startswith("fast_") and v]
    standing.set_kinds(session, ctx.workspace, ctx.principal, body_id, kinds)
    return redirect(request, f"{_base(ctx)}?organ={body_id}", flash=_("De faste sakene er lagret."))


ICS = "text/calendar; charset=utf-8"


@router.get("/{workspace_slug}/moter/{meeting_id:int}.ics")
def meeting_ics(request: Request, meeting_id: int, session: DbSession, ctx: Reader) -> Response:
    meeting = service.get_meeting(session, ctx.workspace, ctx.principal, meeting_id)
    base_url = request.app.state.settings.base_url
    return Response(
        calendar.to_ical(ctx.workspace, [meeting], meeting.title, base_url),
        media_type=ICS,
        headers={"Content-Disposition": f'attachment; filename="mote-{meeting.id}.ics"'},
    )


@router.get("/{workspace_slug}/moter/organ/{body_id:int}.ics")
def body_ics(request: Request, body_id: int, session: DbSession, ctx: Reader) -> Response:
    names = service.body_names(session, ctx.workspace)
    if body_id not in names:
        raise NotFound()
    meetings = calendar.body_meetings(session, ctx.workspace, ctx.principal, body_id)
    base_url = request.app.state.settings.base_url
    return Response(
        calendar.to_ical(ctx.workspace, meetings, names[body_id], base_url),
        media_type=ICS,
        headers={"Content-Disposition": f'attachment; filename="moter-{body_id}.ics"'},
    )


@router.get("/{workspace_slug}/moter/kalender")
def feed_page(request: Request, session: DbSession, ctx: Reader) -> Response:
    has = calendar.has_feed(session, ctx.workspace, ctx.user.id)
    return render(request, "meetings/feed.html", {"feed_url": None, "has_feed": has})


@router.post("/{workspace_slug}/moter/kalender")
def new_feed(request: Request, session: DbSession, ctx: Reader) -> Response:
    token = calendar.new_feed(session, ctx.workspace, ctx.user.id)
    url = f"{request.app.state.settings.base_url.rstrip('/')}/kalender/moter/{token}.ics"
    # The address is shown once; a new one replaces it.
    return render(
        request, "meetings/feed.html", {"feed_url": url, "has_feed": True}, status_code=201
    )


@router.get("/kalender/moter/{token}.ics")
def calendar_feed(request: Request, token: str, session: DbSession) -> Response:
    found = calendar.feed(session, token)
    if found is None:
        raise NotFound()
    ws, meetings, name = found
    base_url = request.app.state.settings.base_url
    return Response(
        calendar.to_ical(ws, meetings, _("Møter – {name}").format(name=name), base_url),
        media_type=ICS,
        headers={"Cache-Control": "private, no-store"},
    )


@router.get("/{workspace_slug}/moter/{meeting_id:int}.docx")
def meeting_docx(meeting_id: int, session: DbSession, ctx: Reader) -> Response:
    d = export.collect(session, ctx.workspace, ctx.principal, meeting_id)
    return _download(export.docx(d), export.DOCX_TYPE, f"mote-{meeting_id}.docx")


@router.get("/{workspace_slug}/moter/{meeting_id:int}.pdf")
def meeting_pdf(meeting_id: int, session: DbSession, ctx: Reader) -> Response:
    d = export.collect(session, ctx.workspace, ctx.principal, meeting_id)
    return _download(export.pdf(d), export.PDF_TYPE, f"mote-{meeting_id}.pdf")


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
