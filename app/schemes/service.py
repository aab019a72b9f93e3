"""Funding schemes: the national catalogue (reference data), the county's own schemes and its
notes on national ones, calls with deadlines, and participation records.

National schemes are visible in every workspace and editable in none: every change here goes
through :func:`own_scheme`, which refuses them. Participation belongs to the workspace; a
municipal user may add and change only records their own municipality is part of.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, literal, or_, select
from sqlalchemy.orm import Session, selectinload

from app.accounts.principal import Principal
from app.clock import at, local_date, today, utcnow
from app.counties.models import Municipality, Workspace
from app.errors import Forbidden, InvalidInput, NotFound, found
from app.i18n import lazy
from app.reads import Key, keyset
from app.schemes import tally
from app.schemes.models import (
    Participation,
    ParticipationMember,
    Scheme,
    SchemeCall,
    SchemeNote,
)
from app.schemes.schemas import CallForm, NoteForm, ParticipationForm, SchemeForm
from app.tenancy import scoped, scoped_with_national

# --- the catalogue as a workspace sees it ---------------------------------------------------


@dataclass
class CatalogueFilter:
    q: str | None = None
    area: str | None = None
    owner: str | None = None
    level: str | None = None
    open_now: bool = False
    include_archived: bool = False


@dataclass
class SchemeRow:
    scheme: Scheme
    note: SchemeNote | None
    calls: list[SchemeCall] = field(default_factory=list)  # not yet closed, soonest first

    @property
    def next_call(self) -> SchemeCall | None:
        return self.calls[0] if self.calls else None

    @property
    def open_now(self) -> bool:
        return any(c.state() == "open" for c in self.calls)

    @property
    def reminder_days(self) -> list[int]:
        return reminder_days(self.scheme, self.note)


def reminder_days(scheme: Scheme, note: SchemeNote | None) -> list[int]:
    if note is not None and note.reminder_days is not None:
        return list(note.reminder_days)
    return list(scheme.reminder_days or [])


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def catalogue(session: Session, ws: Workspace, f: CatalogueFilter | None = None) -> list[SchemeRow]:
    """The schemes this workspace sees (national and its own), with its notes and the calls
    not yet closed — three queries however many schemes and calls there are."""
    f = f or CatalogueFilter()
    query = scoped_with_national(Scheme, ws.id)
    if not f.include_archived:
        query = query.where(Scheme.archived_at.is_(None))
    if f.level:
        query = query.where(Scheme.level == f.level)
    if f.owner:
        query = query.where(Scheme.owner == f.owner)
    if f.q:
        like = _like(f.q.lower())
        query = query.where(
            or_(
                func.lower(Scheme.name).like(like, escape="\\"),
                func.lower(Scheme.purpose).like(like, escape="\\"),
                func.lower(Scheme.owner).like(like, escape="\\"),
                func.lower(Scheme.eligible).like(like, escape="\\"),
            )
        )
    schemes = list(session.scalars(query.order_by(Scheme.workspace_id.is_not(None), Scheme.name)))
    if f.area:
        schemes = [s for s in schemes if f.area in (s.areas or [])]
    notes = {n.scheme_id: n for n in session.scalars(scoped(SchemeNote, ws.id))}
    calls: dict[int, list[SchemeCall]] = {}
    for call in session.scalars(
        scoped(SchemeCall, ws.id)
        .where(SchemeCall.deadline > utcnow())
        .order_by(SchemeCall.deadline)
    ):
        calls.setdefault(call.scheme_id, []).append(call)
    rows = [SchemeRow(s, notes.get(s.id), calls.get(s.id, [])) for s in schemes]
    if f.open_now:
        rows = [r for r in rows if r.open_now]
    return rows


def owners(session: Session, ws: Workspace) -> list[str]:
    query = scoped_with_national(Scheme, ws.id).with_only_columns(Scheme.owner).distinct()
    return sorted(o for o in session.scalars(query) if o)


def get_scheme(session: Session, ws: Workspace, scheme_id: int) -> Scheme:
    """A scheme this workspace sees (national or its own); 404 for another county's."""
    return found(session.scalar(scoped_with_national(Scheme, ws.id).where(Scheme.id == scheme_id)))


def own_scheme(session: Session, ws: Workspace, scheme_id: int) -> Scheme:
    """A scheme of this workspace to change; a national one is refused."""
    scheme = get_scheme(session, ws, scheme_id)
    if scheme.national:
        raise Forbidden(
            lazy("Nasjonale virkemidler kan ikke endres her. Legg heller til en lokal merknad.")
        )
    return scheme


def get_note(session: Session, ws: Workspace, scheme_id: int) -> SchemeNote | None:
    return session.scalar(scoped(SchemeNote, ws.id).where(SchemeNote.scheme_id == scheme_id))


def _check_name_free(session: Session, ws: Workspace, name: str, scheme_id: int | None) -> None:
    # lower() on both sides, by the database: SQLite's lower() leaves non-ASCII letters as they
    # are, and a Python-lowered "æ" would miss an exact "Æ" the unique constraint then refuses.
    query = scoped_with_national(Scheme, ws.id).where(
        func.lower(Scheme.name) == func.lower(literal(name))
    )
    if scheme_id is not None:
        query = query.where(Scheme.id != scheme_id)
    if session.scalar(query) is not None:
        raise InvalidInput({"name": lazy("Det finnes allerede et virkemiddel med dette navnet.")})


def _apply_scheme(scheme: Scheme, form: SchemeForm) -> None:
    scheme.name = form.name
    scheme.owner = form.owner.strip()
    scheme.level = form.level
    scheme.purpose = form.purpose.strip()
    scheme.eligible = form.eligible.strip()
    scheme.co_funding = form.co_funding.strip()
    scheme.areas = list(form.areas)
    scheme.url = form.url
    scheme.reminder_days = list(form.reminder_days)


def create_scheme(session: Session, ws: Workspace, form: SchemeForm) -> Scheme:
    _check_name_free(session, ws, form.name, None)
    scheme = Scheme(workspace_id=ws.id)
    _apply_scheme(scheme, form)
    session.add(scheme)
    session.flush()
    return scheme


def update_scheme(session: Session, ws: Workspace, scheme_id: int, form: SchemeForm) -> Scheme:
    scheme = own_scheme(session, ws, scheme_id)
    _check_name_free(session, ws, form.name, scheme.id)
    _apply_scheme(scheme, form)
    session.flush()
    return scheme


def archive_scheme(session: Session, ws: Workspace, scheme_id: int, archived: bool) -> Scheme:
    scheme = own_scheme(session, ws, scheme_id)
    scheme.archived_at = utcnow() if archived else None
    session.flush()
    return scheme


def save_note(session: Session, ws: Workspace, scheme_id: int, form: NoteForm) -> SchemeNote:
    """The county's note on any scheme it sees (the national record is not touched)."""
    scheme = get_scheme(session, ws, scheme_id)
    note = get_note(session, ws, scheme.id)
    if note is None:
        note = SchemeNote(workspace_id=ws.id, scheme_id=scheme.id)
        session.add(note)
    note.contact_name = form.contact_name.strip()
    note.contact_email = str(form.contact_email or "")
    note.advice = form.advice.strip()
    note.reminder_days = list(form.reminder_days) if form.reminder_days is not None else None
    session.flush()
    return note


# --- calls ---------------------------------------------------------------------------------


def get_call(session: Session, ws: Workspace, call_id: int) -> SchemeCall:
    return found(
        session.scalar(
            scoped(SchemeCall, ws.id)
            .where(SchemeCall.id == call_id)
            .options(selectinload(SchemeCall.scheme))
        )
    )


def calls_of(session: Session, ws: Workspace, scheme_id: int) -> list[SchemeCall]:
    return list(
        session.scalars(
            scoped(SchemeCall, ws.id)
            .where(SchemeCall.scheme_id == scheme_id)
            .order_by(SchemeCall.deadline.desc())
            .options(selectinload(SchemeCall.scheme))
        )
    )


def _apply_call(call: SchemeCall, form: CallForm) -> None:
    call.title = form.title
    call.opens_on = form.opens_on
    call.deadline = at(form.deadline_date, form.deadline_time)
    call.budget = form.budget
    call.url = form.url
    call.description = form.description.strip()


def create_call(session: Session, ws: Workspace, scheme_id: int, form: CallForm) -> SchemeCall:
    """A call of any scheme the workspace sees: a county records the calls of national schemes
    as well as of its own."""
    scheme = get_scheme(session, ws, scheme_id)
    call = SchemeCall(workspace_id=ws.id, scheme_id=scheme.id)
    _apply_call(call, form)
    session.add(call)
    session.flush()
    call.scheme = scheme
    return call


def update_call(session: Session, ws: Workspace, call_id: int, form: CallForm) -> SchemeCall:
    call = get_call(session, ws, call_id)
    _apply_call(call, form)
    session.flush()
    return call


def delete_call(session: Session, ws: Workspace, call_id: int) -> int:
    call = get_call(session, ws, call_id)
    scheme_id = call.scheme_id
    session.delete(call)
    session.flush()
    return scheme_id


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def copy_to_next_year(session: Session, ws: Workspace, call_id: int) -> SchemeCall:
    """The same call a year later: dates moved on a year, the year in its title too."""
    call = get_call(session, ws, call_id)
    deadline_local = local_date(call.deadline)
    from app.clock import local

    clock_time = local(call.deadline).time()
    year = deadline_local.year
    title = call.title.replace(str(year), str(year + 1))
    if title == call.title:
        title = f"{call.title} ({year + 1})"
    copy = SchemeCall(
        workspace_id=ws.id,
        scheme_id=call.scheme_id,
        title=title[:200],
        opens_on=_next_year(call.opens_on) if call.opens_on else None,
        deadline=at(_next_year(deadline_local), clock_time),
        budget=call.budget,
        url=call.url,
        description=call.description,
    )
    session.add(copy)
    session.flush()
    copy.scheme = call.scheme
    return copy


SOON_DAYS = 30


def soon_end(days: int = SOON_DAYS) -> datetime:
    """The end of "the next ``days`` days": midnight after the last of them, Norwegian time, so
    a deadline on the last day counts whatever the hour now."""
    return at(today() + timedelta(days=days + 1))


def deadlines_query(
    ws: Workspace,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int | None = None,
) -> Select[SchemeCall]:
    """The select of :func:`deadlines` before the areas are chosen (for one workspace; the
    start page unites one per workspace)."""
    query = scoped(SchemeCall, ws.id).where(SchemeCall.deadline >= (start or utcnow()))
    if end is not None:
        query = query.where(SchemeCall.deadline < end)
    if limit is not None:
        query = query.order_by(SchemeCall.deadline).limit(limit)
    return query


def deadlines(
    session: Session,
    ws: Workspace,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    areas: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[SchemeCall]:
    """Calls whose deadline falls between ``start`` (default now) and ``end``, soonest first,
    with their scheme; only schemes in ``areas`` when given; at most ``limit`` (before the
    areas are chosen)."""
    query = deadlines_query(ws, start=start, end=end, limit=limit)
    calls = list(
        session.scalars(
            query.order_by(SchemeCall.deadline).options(selectinload(SchemeCall.scheme))
        )
    )
    if areas is not None:
        wanted = set(areas)
        calls = [c for c in calls if wanted & set(c.scheme.areas or [])]
    return calls


# --- participation -------------------------------------------------------------------------


@dataclass
class ParticipationFilter:
    scheme_id: int | None = None
    year: int | None = None
    municipality_number: str | None = None
    status: str | None = None
    role: str | None = None


def _participation_query(ws: Workspace, f: ParticipationFilter) -> Any:
    query = scoped(Participation, ws.id)
    if f.scheme_id:
        query = query.where(Participation.scheme_id == f.scheme_id)
    if f.year:
        query = query.where(Participation.year == f.year)
    if f.status:
        query = query.where(Participation.status == f.status)
    if f.municipality_number:
        members = scoped(ParticipationMember, ws.id).where(
            ParticipationMember.municipality_number == f.municipality_number
        )
        if f.role:
            members = members.where(ParticipationMember.role == f.role)
        query = query.where(
            Participation.id.in_(members.with_only_columns(ParticipationMember.participation_id))
        )
    return query


def list_participations(
    session: Session,
    ws: Workspace,
    f: ParticipationFilter | None = None,
    *,
    limit: int = 50,
    offset: int = 0,
    key: Key | None = None,
    cursor: str | None = None,
) -> tuple[list[Participation], int]:
    """A page of records, newest year first, with scheme and members (a fixed number of
    queries), and how many there are in all; with ``key`` (the API), in that order from after
    ``cursor``, one row more than a page (see `app.reads.keyset`)."""
    query = _participation_query(ws, f or ParticipationFilter())
    total = session.scalar(query.with_only_columns(func.count(Participation.id))) or 0
    if key is not None:
        query = keyset(query, key, cursor, limit)
    else:
        query = query.order_by(Participation.year.desc(), Participation.id.desc())
        query = query.limit(limit).offset(offset)
    rows = list(
        session.scalars(
            query.options(
                selectinload(Participation.scheme),
                selectinload(Participation.members).selectinload(ParticipationMember.municipality),
            )
        )
    )
    return rows, total


def get_participation(session: Session, ws: Workspace, participation_id: int) -> Participation:
    return found(
        session.scalar(
            scoped(Participation, ws.id)
            .where(Participation.id == participation_id)
            .options(
                selectinload(Participation.scheme),
                selectinload(Participation.call),
                selectinload(Participation.members).selectinload(ParticipationMember.municipality),
            )
        )
    )


def may_edit(p: Principal, record: Participation | None) -> bool:
    """Coordinators and helpers edit every record; a municipal user those of their own
    municipality (and new ones for it)."""
    if p.can("participation.edit"):
        return True
    if not p.can("participation.edit_own") or not p.municipality_number:
        return False
    if record is None:
        return True
    return any(m.municipality_number == p.municipality_number for m in record.members)


def _resolve(
    session: Session, ws: Workspace, p: Principal, form: ParticipationForm
) -> dict[str, Any]:
    """The form's references checked against what the workspace sees, or InvalidInput by field."""
    errors: dict[str, Any] = {}
    scheme = session.scalar(scoped_with_national(Scheme, ws.id).where(Scheme.id == form.scheme_id))
    if scheme is None:
        errors["scheme_id"] = lazy("Velg et virkemiddel.")
    call = None
    if form.call_id is not None:
        call = session.scalar(scoped(SchemeCall, ws.id).where(SchemeCall.id == form.call_id))
        if call is None or (scheme is not None and call.scheme_id != scheme.id):
            errors["call_id"] = lazy("Utlysningen hører ikke til dette virkemiddelet.")
    numbers = [form.lead, *form.partners]
    known = set(
        session.scalars(select(Municipality.number).where(Municipality.number.in_(numbers)))
    )
    if form.lead not in known:
        errors["lead"] = lazy("Ukjent kommunenummer: {number}.").format(number=form.lead)
    unknown = [n for n in form.partners if n not in known]
    if unknown:
        errors["partners"] = lazy("Ukjent kommunenummer: {number}.").format(
            number=", ".join(unknown)
        )
    if (
        p.municipality_number
        and not p.can("participation.edit")
        and p.municipality_number not in numbers
    ):
        errors["lead"] = lazy("Din kommune må være med som søker eller partner.")
    if form.body_id is not None and not _body_visible(session, ws, form.body_id):
        errors["body_id"] = lazy("Velg et råd eller nettverk i dette fylket.")
    help_request_id = None
    if form.help_request_number is not None:
        help_request_id = _help_request_id(session, ws, form.help_request_number)
        if help_request_id is None:
            errors["help_request_number"] = lazy("Finner ingen forespørsel med dette nummeret.")
    if form.amount_granted and form.status in ("idea", "applying", "rejected", "withdrawn"):
        errors["amount_granted"] = lazy("Innvilget beløp passer bare til innvilget eller fullført.")
    if errors:
        raise InvalidInput(errors)
    return {"scheme": scheme, "call": call, "help_request_id": help_request_id}


def _body_visible(session: Session, ws: Workspace, body_id: int) -> bool:
    from app.networks import service as networks_service

    try:
        networks_service.get_body(session, ws, body_id)
    except NotFound:
        return False
    return True


def _help_request_id(session: Session, ws: Workspace, number: int) -> int | None:
    from app.helpdesk.models import HelpRequest

    return session.scalar(
        scoped(HelpRequest, ws.id)
        .where(HelpRequest.number == number)
        .with_only_columns(HelpRequest.id)
    )


def _apply_participation(
    session: Session,
    ws: Workspace,
    record: Participation,
    form: ParticipationForm,
    refs: dict[str, Any],
) -> None:
    record.scheme_id = form.scheme_id
    record.call_id = form.call_id
    record.year = form.year
    record.title = form.title.strip()
    record.status = form.status
    record.amount_applied = form.amount_applied
    record.amount_granted = form.amount_granted
    record.body_id = form.body_id
    record.help_request_id = refs["help_request_id"]
    record.notes = form.notes.strip()
    wanted = {form.lead: "lead", **{n: "partner" for n in form.partners}}
    for member in list(record.members):
        role = wanted.pop(member.municipality_number, None)
        if role is None:
            record.members.remove(member)
        elif member.role != role:
            member.role = role
    for number, role in sorted(wanted.items()):
        record.members.append(
            ParticipationMember(workspace_id=ws.id, municipality_number=number, role=role)
        )


def create_participation(
    session: Session, ws: Workspace, p: Principal, form: ParticipationForm
) -> Participation:
    if not may_edit(p, None):
        raise Forbidden()
    refs = _resolve(session, ws, p, form)
    record = Participation(workspace_id=ws.id, members=[])
    _apply_participation(session, ws, record, form, refs)
    session.add(record)
    session.flush()
    tally.refresh(session, ws, [(record.scheme_id, record.year)])
    return get_participation(session, ws, record.id)


def update_participation(
    session: Session, ws: Workspace, p: Principal, participation_id: int, form: ParticipationForm
) -> Participation:
    record = get_participation(session, ws, participation_id)
    if not may_edit(p, record):
        raise Forbidden(lazy("Du kan bare endre deltakelse for din egen kommune."))
    refs = _resolve(session, ws, p, form)
    before = (record.scheme_id, record.year)
    _apply_participation(session, ws, record, form, refs)
    session.flush()
    tally.refresh(session, ws, [before, (record.scheme_id, record.year)])
    session.expire(record)
    return get_participation(session, ws, record.id)


def delete_participation(
    session: Session, ws: Workspace, p: Principal, participation_id: int
) -> None:
    record = get_participation(session, ws, participation_id)
    if not may_edit(p, record):
        raise Forbidden(lazy("Du kan bare endre deltakelse for din egen kommune."))
    pair = (record.scheme_id, record.year)
    session.delete(record)
    session.flush()
    tally.refresh(session, ws, [pair])


def form_values(record: Participation) -> dict[str, Any]:
    """A record as the form's fields (to edit it, or to compare an import with it)."""
    lead = next((m.municipality_number for m in record.members if m.role == "lead"), "")
    return {
        "scheme_id": record.scheme_id,
        "call_id": record.call_id,
        "year": record.year,
        "title": record.title,
        "status": record.status,
        "amount_applied": record.amount_applied,
        "amount_granted": record.amount_granted,
        "lead": lead,
        "partners": sorted(m.municipality_number for m in record.members if m.role == "partner"),
        "body_id": record.body_id,
        "notes": record.notes,
    }
