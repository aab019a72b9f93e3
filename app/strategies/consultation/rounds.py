"""Consultation rounds (høringer): a published version sent out from one day to another, its
state on a given day and its deadlines."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, or_
from sqlalchemy.orm import Session, selectinload

from app.accounts.principal import Principal
from app.clock import local_date, today, utcnow
from app.counties.models import Workspace
from app.errors import AppError, InvalidInput, NotFound
from app.i18n import lazy
from app.strategies import service
from app.strategies.consultation.schemas import RoundCreate, RoundForm
from app.strategies.models import ConsultationRound, Invitee
from app.tenancy import scoped

STATE_LABELS = {
    "planned": lazy("Planlagt"),
    "open": lazy("Åpen"),
    "closed": lazy("Avsluttet"),
}


# How long after a round's end an invitee's own, later deadline may still run (for the start
# page's search; the invitee's deadline itself decides).
LATER_DEADLINE_DAYS = 90


class RoundClosed(AppError):
    status_code = 409
    code = "round_closed"
    message = lazy("Høringen er avsluttet. Nye innspill tas ikke imot.")


def state_of(r: ConsultationRound, on: date | None = None) -> str:
    if r.closed_at is not None:
        return "closed"
    on = on or today()
    if on < r.starts_on:
        return "planned"
    return "open" if on <= r.ends_on else "closed"


def ended_on(r: ConsultationRound) -> date:
    """The last day one could take part: the deadline, or the day it was closed early."""
    return local_date(r.closed_at) if r.closed_at is not None else r.ends_on


def close_now(session: Session, ws: Workspace, p: Principal, round_id: int) -> ConsultationRound:
    """Close a round before its deadline: nobody may comment, amend or send a formal response
    from now, invitees' own later deadlines included; the answers can be published at once."""
    r = get_round(session, ws, round_id)
    if r.answers_published_at is not None or state_of(r) == "closed":
        raise InvalidInput({"form": lazy("Høringen er allerede avsluttet.")})
    r.closed_at, r.closed_by_id = utcnow(), p.user_id
    session.flush()
    return r


def deadline_of(inv: Invitee, r: ConsultationRound) -> date:
    return inv.deadline or r.ends_on


def last_deadline(session: Session, ws: Workspace, r: ConsultationRound) -> date:
    """The round's end, or a later deadline one of its invitees was given."""
    latest = session.scalar(
        scoped(Invitee, ws.id)
        .with_only_columns(func.max(Invitee.deadline))
        .where(Invitee.round_id == r.id)
    )
    return max(r.ends_on, latest) if latest else r.ends_on


def get_round(session: Session, ws: Workspace, round_id: int) -> ConsultationRound:
    r = session.scalar(
        scoped(ConsultationRound, ws.id)
        .where(ConsultationRound.id == round_id)
        .options(selectinload(ConsultationRound.version), selectinload(ConsultationRound.document))
    )
    if r is None:
        raise NotFound()
    return r


def create_round(
    session: Session, ws: Workspace, p: Principal, doc_id: int, form: RoundCreate
) -> ConsultationRound:
    service.get_document(session, ws, doc_id)
    errors: dict[str, str] = {}
    version = None
    try:
        version = service.get_version(session, ws, doc_id, form.version)
    except NotFound:
        errors["version"] = lazy("Velg en publisert versjon. Publiser utkastet først.")
    if form.ends_on < today():
        errors["ends_on"] = lazy("Sluttdatoen har allerede vært.")
    if errors or version is None:
        raise InvalidInput(errors)
    r = ConsultationRound(
        workspace_id=ws.id,
        document_id=doc_id,
        version_id=version.id,
        created_by_id=p.user_id,
        **form.model_dump(include=set(RoundForm.model_fields)),  # the round's own fields
    )
    session.add(r)
    session.flush()
    return r


def update_round(
    session: Session, ws: Workspace, round_id: int, form: RoundForm
) -> ConsultationRound:
    r = get_round(session, ws, round_id)
    if r.answers_published_at is not None:
        raise InvalidInput({"form": lazy("Svarene er publisert; høringen kan ikke endres lenger.")})
    if r.closed_at is not None:
        raise InvalidInput({"form": lazy("Høringen er avsluttet; datoene kan ikke endres lenger.")})
    r.title, r.cover_text = form.title, form.cover_text
    r.starts_on, r.ends_on, r.reminder_days = form.starts_on, form.ends_on, form.reminder_days
    session.flush()
    return r


def open_rounds_query(ws: Workspace) -> Select[Any]:
    """One row: how many rounds are open today."""
    on = today()
    return (
        scoped(ConsultationRound, ws.id)
        .with_only_columns(func.count())
        .where(
            ConsultationRound.starts_on <= on,
            ConsultationRound.ends_on >= on,
            ConsultationRound.closed_at.is_(None),
        )
    )


def open_rounds(session: Session, ws: Workspace) -> int:
    """How many rounds are open today (for the workspace overview)."""
    return session.scalar(open_rounds_query(ws)) or 0


def rounds_to_follow_query(
    ws: Workspace, *, soon: int, limit: int, on: Any = None, until: Any = None
) -> Select[Any]:
    """The select of :func:`rounds_to_follow` (for one workspace; the start page unites one per
    workspace). ``on`` (today) and ``until`` (``soon`` days on) may be bind parameters, for a
    statement made once."""
    if on is None:
        on = today()
    if until is None:
        # a value, not a parameter: SQL would add the days its own way (or not at all)
        assert isinstance(on, date), "give until with a parameter for on"
        until = on + timedelta(days=soon)
    ended = or_(ConsultationRound.closed_at.is_not(None), ConsultationRound.ends_on < on)
    return (
        scoped(ConsultationRound, ws.id)
        .where(
            ConsultationRound.answers_published_at.is_(None),
            ConsultationRound.starts_on <= on,
            or_(ended, ConsultationRound.ends_on <= until),
        )
        .order_by(ConsultationRound.ends_on, ConsultationRound.id)
        .limit(limit)
    )


def rounds_to_follow(
    session: Session, ws: Workspace, *, soon: int, limit: int
) -> list[ConsultationRound]:
    """For the coordinators' start page: rounds open now that close within ``soon`` days, and
    rounds that have closed whose answers are not published yet; the soonest deadline first."""
    return list(session.scalars(rounds_to_follow_query(ws, soon=soon, limit=limit)))


def open_to_take_part_query(ws: Workspace, *, limit: int) -> Select[Any]:
    """The select of :func:`open_to_take_part` (for one workspace; the start page unites one per
    workspace)."""
    on = today()
    return (
        scoped(ConsultationRound, ws.id)
        .where(
            ConsultationRound.answers_published_at.is_(None),
            ConsultationRound.closed_at.is_(None),
            ConsultationRound.starts_on <= on,
            ConsultationRound.ends_on >= on - timedelta(days=LATER_DEADLINE_DAYS),
        )
        .order_by(ConsultationRound.ends_on, ConsultationRound.id)
        .limit(limit)
    )


def open_to_take_part(session: Session, ws: Workspace, *, limit: int) -> list[ConsultationRound]:
    """Rounds people may take part in today or could until recently (an invitee may have a
    later deadline of its own): started, not closed early, answers not published."""
    return list(session.scalars(open_to_take_part_query(ws, limit=limit)))
