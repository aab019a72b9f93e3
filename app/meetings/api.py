"""JSON API of the meetings: the list (upcoming or past, by body), a meeting with its agenda,
attendance and decisions, creating and changing one, agenda items and decisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, File, Query, UploadFile
from fastapi.responses import Response, StreamingResponse

from app.accounts.deps import Context, DbSession, api_require
from app.accounts.one_trip import Router
from app.helpdesk import attachments
from app.meetings import agenda, papers, series, service
from app.meetings.models import Meeting, MeetingPaper, WebinarSeries
from app.meetings.schemas import (
    AgendaItemForm,
    AgendaItemRead,
    AttendanceRead,
    DecisionForm,
    DecisionRead,
    InviteeRead,
    Link,
    MeetingDetailRead,
    MeetingForm,
    MeetingRead,
    PaperRead,
    SeriesDetailRead,
    SeriesForm,
    SeriesRead,
    SessionsForm,
)
from app.reads import Cursor, Limit, Page, encode_cursor, read

router = Router(tags=["meetings"])

Reader = Annotated[Context, Depends(api_require("meetings.read"))]


def _read(ctx: Context, m: Meeting, body_name: str | None) -> MeetingRead:
    return read(MeetingRead, m, body_name=body_name, own=m.workspace_id == ctx.workspace.id)


def _decision(r: agenda.DecisionRow) -> DecisionRead:
    d = r.decision
    return DecisionRead(
        id=d.id,
        agenda_item_id=d.agenda_item_id,
        text=d.text,
        responsible_id=d.responsible_id,
        responsible_name=r.responsible_name,
        due_on=d.due_on,
        done=d.done_at is not None,
        overdue=r.overdue,
    )


def _paper(ctx: Context, row: MeetingPaper) -> PaperRead:
    url = (
        f"/api/v1/{ctx.workspace.slug}/meetings/{row.meeting_id}/agenda/"
        f"{row.agenda_item_id}/papers/{row.id}"
    )
    return read(PaperRead, row, url=url)


def _detail(session: DbSession, ctx: Context, meeting_id: int) -> MeetingDetailRead:
    ws, p = ctx.workspace, ctx.principal
    m = service.get_meeting(session, ws, p, meeting_id)
    by_item = agenda.decisions_by_item(agenda.decisions(session, ws, p, meeting=m))
    files = papers.papers_of(session, m)
    base = _read(ctx, m, service.body_names(session, ws).get(m.body_id or 0))
    return MeetingDetailRead(
        **base.model_dump(),
        invited=[InviteeRead(**vars(i)) for i in service.invitees_of(session, m)],
        agenda=[
            AgendaItemRead(
                id=i.id,
                number=n,
                title=i.title,
                responsible=i.responsible,
                minutes_allotted=i.minutes_allotted,
                papers=[Link.model_validate(x) for x in i.papers or []],
                files=[_paper(ctx, f) for f in files.get(i.id, [])],
                minutes=i.minutes,
                decisions=[_decision(r) for r in by_item.get(i.id, [])],
            )
            for n, i in enumerate(agenda.items_of(session, m), start=1)
        ],
        attendance=[
            AttendanceRead(
                municipality_number=a.municipality_number,
                municipality_name=a.name,
                status=a.status,
                represented_by=a.represented_by,
            )
            for a in agenda.attendance_of(session, m)
            if a.status
        ],
    )


@router.get("/{workspace_slug}/meetings", response_model=Page[MeetingRead])
def list_meetings(
    session: DbSession,
    ctx: Reader,
    cursor: Cursor = None,
    limit: Limit = 50,
    body_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    past: bool = False,
) -> Page[MeetingRead]:
    """The meetings the caller may read — upcoming soonest first, or ``past`` latest first —
    of one body or all, with the meetings of bodies other counties share (``own`` false)."""
    rows, more = service.list_meetings(
        session,
        ctx.workspace,
        ctx.principal,
        service.MeetingFilter(body_id=body_id, past=past),
        cursor=cursor,
        limit=limit,
    )
    last = rows[-1].meeting if rows else None
    return Page[MeetingRead](
        items=[_read(ctx, r.meeting, r.body_name) for r in rows],
        next_cursor=encode_cursor([last.starts_at, last.id]) if more and last else None,
    )


@router.post("/{workspace_slug}/meetings", response_model=MeetingDetailRead, status_code=201)
def create_meeting(session: DbSession, ctx: Reader, body: MeetingForm) -> MeetingDetailRead:
    """A new meeting (Norwegian times); the body's current members are invited. Coordinators,
    and a body's secretariat for that body."""
    m = service.create_meeting(session, ctx.workspace, ctx.principal, body)
    return _detail(session, ctx, m.id)


@router.get("/{workspace_slug}/meetings/{meeting_id:int}", response_model=MeetingDetailRead)
def get_meeting(session: DbSession, ctx: Reader, meeting_id: int) -> MeetingDetailRead:
    """A meeting with its invitees, numbered agenda, decisions and attendance."""
    return _detail(session, ctx, meeting_id)


@router.put("/{workspace_slug}/meetings/{meeting_id:int}", response_model=MeetingDetailRead)
def update_meeting(
    session: DbSession, ctx: Reader, meeting_id: int, body: MeetingForm
) -> MeetingDetailRead:
    """Change a meeting (all its fields)."""
    service.update_meeting(session, ctx.workspace, ctx.principal, meeting_id, body)
    return _detail(session, ctx, meeting_id)


@router.post(
    "/{workspace_slug}/meetings/{meeting_id:int}/agenda",
    response_model=MeetingDetailRead,
    status_code=201,
)
def add_agenda_item(
    session: DbSession, ctx: Reader, meeting_id: int, body: AgendaItemForm
) -> MeetingDetailRead:
    """A new item last on the agenda."""
    agenda.add_item(session, ctx.workspace, ctx.principal, meeting_id, body)
    return _detail(session, ctx, meeting_id)


@router.post(
    "/{workspace_slug}/meetings/{meeting_id:int}/agenda/{item_id:int}/decisions",
    response_model=MeetingDetailRead,
    status_code=201,
)
def add_decision(
    session: DbSession, ctx: Reader, meeting_id: int, item_id: int, body: DecisionForm
) -> MeetingDetailRead:
    """A decision under an agenda item: ``responsible_id`` (a user of the county's workspace)
    is required."""
    agenda.add_decision(session, ctx.workspace, ctx.principal, meeting_id, item_id, body)
    return _detail(session, ctx, meeting_id)


PAPERS = "/{workspace_slug}/meetings/{meeting_id:int}/agenda/{item_id:int}/papers"


def _paper_page(ctx: Context, rows: list[MeetingPaper]) -> Page[PaperRead]:
    return Page[PaperRead](items=[_paper(ctx, r) for r in rows], next_cursor=None, total=len(rows))


@router.get(PAPERS, response_model=Page[PaperRead])
def list_papers(session: DbSession, ctx: Reader, meeting_id: int, item_id: int) -> Page[PaperRead]:
    """The files of an agenda item (all on one page, oldest first); its links are in the
    meeting's ``agenda[].papers``."""
    _m, rows = papers.item_papers(session, ctx.workspace, ctx.principal, meeting_id, item_id)
    return _paper_page(ctx, rows)


@router.post(PAPERS, response_model=Page[PaperRead], status_code=201)
def upload_papers(
    session: DbSession,
    ctx: Reader,
    meeting_id: int,
    item_id: int,
    files: Annotated[list[UploadFile], File(description="PDF, DOCX, XLSX, ODT, PNG, JPEG or TXT")],
) -> Page[PaperRead]:
    """Attach files to an agenda item (coordinators, and the body's secretariat); answers the
    item's files. Bad or too large files answer 422/413 and nothing is stored."""
    ws, p = ctx.workspace, ctx.principal
    papers.check_item(session, ws, p, meeting_id, item_id)
    uploads = attachments.keep(session, attachments.read_form_files(list(files), "files"))
    papers.add_papers(session, ws, p, meeting_id, item_id, uploads)
    _m, rows = papers.item_papers(session, ws, p, meeting_id, item_id)
    return _paper_page(ctx, rows)


@router.get(
    PAPERS + "/{paper_id:int}",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The file, as a download, in the type it was checked to be.",
            "content": {
                kind[0].split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                for kind in attachments.KINDS.values()
            },
        }
    },
)
def download_paper(
    session: DbSession, ctx: Reader, meeting_id: int, item_id: int, paper_id: int
) -> StreamingResponse:
    """A file of an agenda item of a meeting the caller may read; 404 otherwise."""
    row = papers.readable_paper(
        session, ctx.workspace, ctx.principal, meeting_id, item_id, paper_id
    )
    return attachments.file_response(session, row.storage_key, row.filename, row.content_type)


@router.delete(PAPERS + "/{paper_id:int}", status_code=204)
def delete_paper(
    session: DbSession, ctx: Reader, meeting_id: int, item_id: int, paper_id: int
) -> Response:
    """Remove a file from an agenda item (those who may write the meeting)."""
    papers.remove_paper(session, ctx.workspace, ctx.principal, meeting_id, item_id, paper_id)
    return Response(status_code=204)


# --- webinar series ------------------------------------------------------------------------


def _series_read(ctx: Context, s: WebinarSeries, body_name: str | None) -> SeriesRead:
    return read(SeriesRead, s, body_name=body_name)


def _series_detail(
    session: DbSession,
    ctx: Context,
    series_id: int,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> SeriesDetailRead:
    ws, p = ctx.workspace, ctx.principal
    s = series.get_series(session, ws, p, series_id)
    name = service.body_names(session, ws).get(s.body_id or 0)
    rows, more = series.archive(session, ws, p, s, q=q, cursor=cursor, limit=limit)
    last = rows[-1] if rows else None
    return SeriesDetailRead(
        **_series_read(ctx, s, name).model_dump(),
        sessions=[_read(ctx, m, name) for m in rows],
        upcoming=[_read(ctx, m, name) for m in series.upcoming(session, ws, p, s)],
        next_cursor=encode_cursor([last.starts_at, last.id]) if more and last else None,
    )


@router.get("/{workspace_slug}/meetings/series", response_model=Page[SeriesRead])
def list_series(session: DbSession, ctx: Reader) -> Page[SeriesRead]:
    """The webinar series the caller may see, by title (all on one page)."""
    rows = series.list_series(session, ctx.workspace, ctx.principal)
    return Page[SeriesRead](
        items=[_series_read(ctx, r.series, r.body_name) for r in rows],
        next_cursor=None,
        total=len(rows),
    )


@router.post("/{workspace_slug}/meetings/series", response_model=SeriesDetailRead, status_code=201)
def create_series(session: DbSession, ctx: Reader, body: SeriesForm) -> SeriesDetailRead:
    """A new webinar series (``cadence_days`` apart). Coordinators, and a body's secretariat
    for that body."""
    s = series.create_series(session, ctx.workspace, ctx.principal, body)
    return _series_detail(session, ctx, s.id)


@router.get("/{workspace_slug}/meetings/series/{series_id:int}", response_model=SeriesDetailRead)
def get_series(
    session: DbSession,
    ctx: Reader,
    series_id: int,
    q: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> SeriesDetailRead:
    """A series with its archive: the sessions held, newest first (those whose title or
    description holds ``q``), with their recording and slides, and the next sessions."""
    return _series_detail(session, ctx, series_id, q=q or None, cursor=cursor, limit=limit)


@router.post(
    "/{workspace_slug}/meetings/series/{series_id:int}/sessions",
    response_model=SeriesDetailRead,
    status_code=201,
)
def add_sessions(
    session: DbSession, ctx: Reader, series_id: int, body: SessionsForm
) -> SeriesDetailRead:
    """The next ``count`` sessions, ``cadence_days`` apart after the last one (or from
    ``day`` at ``start``–``end`` when there is none yet)."""
    series.add_sessions(session, ctx.workspace, ctx.principal, series_id, body)
    return _series_detail(session, ctx, series_id)
