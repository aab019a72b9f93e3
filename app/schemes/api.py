"""JSON API of funding schemes: the catalogue (national and the county's own), the county's
notes, calls, and participation records."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Response

from app.accounts.deps import Context, DbSession, api_require
from app.accounts.one_trip import Router
from app.clock import utcnow
from app.errors import InvalidInput
from app.i18n import lazy
from app.reads import Cursor, Key, Limit, Page, UpdatedSince, page, page_listed, read, since
from app.schemes import service
from app.schemes.models import (
    LEVELS,
    PARTICIPATION_STATUSES,
    SCHEME_AREAS,
    Participation,
    SchemeCall,
)
from app.schemes.schemas import (
    CallCreate,
    CallForm,
    CallRead,
    MemberRead,
    NoteForm,
    NoteRead,
    ParticipationForm,
    ParticipationRead,
    SchemeForm,
    SchemeRead,
)

router = Router(tags=["schemes"])

Reader = Annotated[Context, Depends(api_require("schemes.read"))]
Manager = Annotated[Context, Depends(api_require("schemes.manage"))]


def _scheme_read(row: service.SchemeRow) -> SchemeRead:
    s = row.scheme
    next_call = row.next_call
    return read(
        SchemeRead,
        s,
        national=s.national,
        reminder_days=row.reminder_days,
        note=read(NoteRead, row.note) if row.note else None,
        next_deadline=next_call.deadline if next_call else None,
        open_now=row.open_now,
    )


def _call_read(call: SchemeCall) -> CallRead:
    return read(CallRead, call, scheme_name=call.scheme.name, state=call.state())


def _participation_read(p: Participation) -> ParticipationRead:
    return read(
        ParticipationRead,
        p,
        scheme_name=p.scheme.name,
        members=[
            MemberRead(
                municipality_number=m.municipality_number,
                municipality_name=m.municipality.name,
                role=m.role,
            )
            for m in p.members
        ],
    )


def _row(session: DbSession, ctx: Context, scheme_id: int) -> service.SchemeRow:
    scheme = service.get_scheme(session, ctx.workspace, scheme_id)
    note = service.get_note(session, ctx.workspace, scheme.id)
    calls = [
        c for c in service.calls_of(session, ctx.workspace, scheme.id) if c.deadline > utcnow()
    ]
    return service.SchemeRow(scheme, note, sorted(calls, key=lambda c: c.deadline))


# --- schemes -------------------------------------------------------------------------------


@router.get("/{workspace_slug}/schemes", response_model=Page[SchemeRead])
def list_schemes(
    session: DbSession,
    ctx: Reader,
    cursor: Cursor = None,
    limit: Limit = 50,
    updated_since: UpdatedSince = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    area: Annotated[str | None, Query(max_length=30)] = None,
    owner: Annotated[str | None, Query(max_length=200)] = None,
    level: Annotated[str | None, Query(max_length=20)] = None,
    open_now: bool = False,
    include_archived: bool = False,
) -> Page[SchemeRead]:
    """The national schemes and this county's own, with the county's notes and the next
    deadline; filtered by text, area, owner, level and whether a call is open now. In the
    catalogue's order; with ``updated_since``, those changed since, oldest change first."""
    moment = since(updated_since)
    if area is not None and area not in SCHEME_AREAS:
        raise InvalidInput({"area": lazy("Ukjent område.")})
    if level is not None and level not in LEVELS:
        raise InvalidInput({"level": lazy("Velg nasjonalt eller regionalt.")})
    rows = service.catalogue(
        session,
        ctx.workspace,
        service.CatalogueFilter(
            q=q,
            area=area,
            owner=owner,
            level=level,
            open_now=open_now,
            include_archived=include_archived,
        ),
    )
    return page_listed(rows, lambda r: r.scheme, moment, cursor, limit, _scheme_read)


@router.get("/{workspace_slug}/schemes/{scheme_id}", response_model=SchemeRead)
def read_scheme(session: DbSession, ctx: Reader, scheme_id: int) -> SchemeRead:
    """One scheme: national, or this county's own."""
    return _scheme_read(_row(session, ctx, scheme_id))


@router.post("/{workspace_slug}/schemes", response_model=SchemeRead, status_code=201)
def create_scheme(session: DbSession, ctx: Manager, data: SchemeForm) -> SchemeRead:
    """A scheme of this county's own."""
    scheme = service.create_scheme(session, ctx.workspace, data)
    return _scheme_read(_row(session, ctx, scheme.id))


@router.put("/{workspace_slug}/schemes/{scheme_id}", response_model=SchemeRead)
def update_scheme(session: DbSession, ctx: Manager, scheme_id: int, data: SchemeForm) -> SchemeRead:
    """Change a scheme of this county's own; a national scheme answers 403 (add a note)."""
    service.update_scheme(session, ctx.workspace, scheme_id, data)
    return _scheme_read(_row(session, ctx, scheme_id))


@router.put("/{workspace_slug}/schemes/{scheme_id}/note", response_model=SchemeRead)
def save_note(session: DbSession, ctx: Manager, scheme_id: int, data: NoteForm) -> SchemeRead:
    """The county's contact person, advice and reminder days for a scheme (national or own);
    the national record is not changed."""
    service.save_note(session, ctx.workspace, scheme_id, data)
    return _scheme_read(_row(session, ctx, scheme_id))


# --- calls ---------------------------------------------------------------------------------


@router.get("/{workspace_slug}/calls", response_model=Page[CallRead])
def list_calls(
    session: DbSession,
    ctx: Reader,
    cursor: Cursor = None,
    limit: Limit = 50,
    updated_since: UpdatedSince = None,
    scheme_id: int | None = None,
    area: Annotated[str | None, Query(max_length=30)] = None,
    include_closed: bool = False,
) -> Page[CallRead]:
    """Calls with their deadline, soonest first: those not yet closed (or every one with
    ``include_closed``), of one scheme or of schemes in one area; with ``updated_since``,
    those changed since, oldest change first."""
    moment = since(updated_since)
    if area is not None and area not in SCHEME_AREAS:
        raise InvalidInput({"area": lazy("Ukjent område.")})
    if scheme_id is not None:
        service.get_scheme(session, ctx.workspace, scheme_id)
        calls = sorted(
            service.calls_of(session, ctx.workspace, scheme_id), key=lambda c: c.deadline
        )
        if not include_closed:
            calls = [c for c in calls if c.deadline > utcnow()]
    else:
        start = None if not include_closed else utcnow().replace(year=1990)
        calls = service.deadlines(
            session, ctx.workspace, start=start, areas=[area] if area else None
        )
    deadline = (lambda i, c: c.deadline, datetime)
    return page_listed(calls, lambda c: c, moment, cursor, limit, _call_read, place=deadline)


@router.get("/{workspace_slug}/calls/{call_id:int}", response_model=CallRead)
def read_call(session: DbSession, ctx: Reader, call_id: int) -> CallRead:
    return _call_read(service.get_call(session, ctx.workspace, call_id))


@router.post("/{workspace_slug}/calls", response_model=CallRead, status_code=201)
def create_call(session: DbSession, ctx: Manager, data: CallCreate) -> CallRead:
    """A call of a scheme this county sees (national or own). The deadline is a date and a
    time of day in Norwegian time."""
    form = CallForm.model_validate(data.model_dump(exclude={"scheme_id"}))
    return _call_read(service.create_call(session, ctx.workspace, data.scheme_id, form))


@router.put("/{workspace_slug}/calls/{call_id:int}", response_model=CallRead)
def update_call(session: DbSession, ctx: Manager, call_id: int, data: CallForm) -> CallRead:
    return _call_read(service.update_call(session, ctx.workspace, call_id, data))


@router.delete("/{workspace_slug}/calls/{call_id:int}", status_code=204)
def delete_call(session: DbSession, ctx: Manager, call_id: int) -> Response:
    service.delete_call(session, ctx.workspace, call_id)
    return Response(status_code=204)


@router.post("/{workspace_slug}/calls/{call_id:int}/copy", response_model=CallRead, status_code=201)
def copy_call(session: DbSession, ctx: Manager, call_id: int) -> CallRead:
    """The same call a year later (dates and the year in the title moved on)."""
    return _call_read(service.copy_to_next_year(session, ctx.workspace, call_id))


# --- participation -------------------------------------------------------------------------


@router.get("/{workspace_slug}/participations", response_model=Page[ParticipationRead])
def list_participations(
    session: DbSession,
    ctx: Reader,
    cursor: Cursor = None,
    limit: Limit = 50,
    scheme_id: int | None = None,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    municipality: Annotated[str | None, Query(max_length=4)] = None,
    role: Annotated[str | None, Query(max_length=10)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Page[ParticipationRead]:
    """Applications and projects, newest year first, paged; filtered by scheme, year, a
    municipality taking part (as ``role`` lead or partner) and status."""
    if status is not None and status not in PARTICIPATION_STATUSES:
        raise InvalidInput({"status": lazy("Velg en gyldig status.")})
    rows, total = service.list_participations(
        session,
        ctx.workspace,
        service.ParticipationFilter(
            scheme_id=scheme_id,
            year=year,
            municipality_number=municipality,
            status=status,
            role=role if role in ("lead", "partner") else None,
        ),
        limit=limit,
        key=Key.of(Participation.year, Participation.id, desc=True),
        cursor=cursor,
    )
    return page(rows, limit, lambda p: (p.year, p.id), _participation_read, total=total)


@router.get(
    "/{workspace_slug}/participations/{participation_id:int}", response_model=ParticipationRead
)
def read_participation(session: DbSession, ctx: Reader, participation_id: int) -> ParticipationRead:
    return _participation_read(service.get_participation(session, ctx.workspace, participation_id))


@router.post("/{workspace_slug}/participations", response_model=ParticipationRead, status_code=201)
def create_participation(
    session: DbSession, ctx: Reader, data: ParticipationForm
) -> ParticipationRead:
    """A record with one lead municipality and any partners. Coordinators and helpers record
    any; a municipal user only records that include their own municipality."""
    record = service.create_participation(session, ctx.workspace, ctx.principal, data)
    return _participation_read(record)


@router.put(
    "/{workspace_slug}/participations/{participation_id:int}", response_model=ParticipationRead
)
def update_participation(
    session: DbSession, ctx: Reader, participation_id: int, data: ParticipationForm
) -> ParticipationRead:
    record = service.update_participation(
        session, ctx.workspace, ctx.principal, participation_id, data
    )
    return _participation_read(record)


@router.delete("/{workspace_slug}/participations/{participation_id:int}", status_code=204)
def delete_participation(session: DbSession, ctx: Reader, participation_id: int) -> Response:
    service.delete_participation(session, ctx.workspace, ctx.principal, participation_id)
    return Response(status_code=204)
