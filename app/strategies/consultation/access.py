"""Who may see a round and take part in it, and until when: the county's own people see every
round; a municipal or partner user the rounds their municipality or organisation is invited to
(itself, or through a body it is a member of now), from the day they open; a guest the one
round of their link, until its deadline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, selectinload

from app.accounts import principal as principals
from app.accounts.principal import Principal
from app.clock import today
from app.counties.models import Workspace
from app.errors import AppError, Forbidden, NotFound
from app.i18n import _, lazy
from app.networks import service as networks_service
from app.strategies.consultation.invitees import token_hash
from app.strategies.consultation.rounds import (
    RoundClosed,
    deadline_of,
    ended_on,
    get_round,
    open_to_take_part_query,
    state_of,
)
from app.strategies.models import ConsultationRound, FormalResponse, Invitee
from app.tenancy import require_scoped, scoped, scoped_in, scoped_union


class GuestLinkExpired(AppError):
    status_code = 410
    code = "link_expired"
    message = lazy(
        "Lenken til høringen er utløpt fordi fristen er passert. Ta kontakt med "
        "fylkeskommunen hvis dere trenger mer tid."
    )


def own_invitee(p: Principal) -> ColumnElement[bool] | None:
    """The invitees that are ``p``'s own (their municipality or their organisation), as a
    condition; None for one who takes part for neither."""
    if p.municipality_number:
        return Invitee.municipality_number == p.municipality_number
    if p.organisation_id:
        return Invitee.organisation_id == p.organisation_id
    return None


def member_bodies(session: Session, ws: Workspace, p: Principal) -> list[int]:
    """The bodies (seen in ``ws``) ``p``'s municipality or organisation is a member of now."""
    if p.municipality_number:
        members = networks_service.current_members(
            session, ws, municipality_number=p.municipality_number
        )
    elif p.organisation_id:
        members = networks_service.current_members(session, ws, organisation_id=p.organisation_id)
    else:
        return []
    return sorted({m.body_id for m in members})


def member_bodies_in(
    session: Session, wanted: Sequence[tuple[Workspace, Principal]]
) -> dict[int, set[int]]:
    """:func:`member_bodies` in each of several workspaces, by workspace id, in one statement.
    On PostgreSQL only for workspaces whose shared bodies the scope shows: the current one's
    county's (``app.county_number``)."""
    out: dict[int, set[int]] = {ws.id: set() for ws, _p in wanted}
    parts = []
    for ws, p in wanted:
        if p.municipality_number:
            ids = networks_service.member_body_ids(ws, municipality_number=p.municipality_number)
        elif p.organisation_id:
            ids = networks_service.member_body_ids(ws, organisation_id=p.organisation_id)
        else:
            continue
        parts.append(ids.add_columns(literal(ws.id)))
    if parts:
        for body_id, ws_id in session.execute(scoped_union(*parts)):
            out[ws_id].add(body_id)
    return out


def my_invitees(
    session: Session, ws: Workspace, p: Principal, round_ids: list[int] | None = None
) -> list[Invitee]:
    """The invitees ``p`` takes part for: their organisation, their municipality, a body their
    municipality or organisation is a member of now, or the guest link's own."""
    query = scoped(Invitee, ws.id).options(
        selectinload(Invitee.organisation), selectinload(Invitee.municipality)
    )
    if round_ids is not None:
        query = query.where(Invitee.round_id.in_(round_ids))
    if p.guest_invitee_id is not None:
        return list(session.scalars(query.where(Invitee.id == p.guest_invitee_id)))
    if not p.can("strategies.respond"):
        return []
    own = own_invitee(p)
    if own is None:
        return []
    bodies = member_bodies(session, ws, p)
    return list(
        session.scalars(query.where(or_(own, Invitee.body_id.in_(bodies))).order_by(Invitee.id))
    )


@dataclass(frozen=True)
class Invitation:
    """An invitee of an open round that may be the person's (see :func:`invitations`), with
    its round and the state of its formal response."""

    workspace_id: int
    invitee_id: int
    round_id: int
    round_title: str
    deadline: date  # the invitee's own, or the round's end
    own: bool  # the person's municipality or organisation; else a body's (is it theirs?)
    body_id: int | None
    response_id: int | None
    submitted_at: datetime | None


def invitations(
    session: Session, wanted: Sequence[tuple[Workspace, Principal]], *, rounds: int
) -> list[Invitation]:
    """For the start page, in one statement whatever the number of workspaces: in each
    workspace of ``wanted``, of its first ``rounds`` rounds one may take part in
    (:func:`rounds.open_to_take_part_query`), the invitees that are the principal's own and
    every invitee that is a body (the caller keeps the bodies the principal is a member of, see
    :func:`member_bodies`, as :func:`my_invitees` does), by workspace then invitee id, each with
    its formal response (draft or sent) if any. On PostgreSQL the other workspaces must be
    readable (``set_db_scope(read_also=...)``)."""
    chosen: list[Any] = []
    takes_part: list[ColumnElement[bool]] = []
    owns: list[ColumnElement[bool]] = []
    for ws, p in wanted:
        own = own_invitee(p) if p.can("strategies.respond") else None
        if own is None or p.guest_invitee_id is not None:
            continue
        part = require_scoped(open_to_take_part_query(ws, limit=rounds))
        chosen.append(select(part.with_only_columns(ConsultationRound.id).subquery().c.id))
        here = Invitee.workspace_id == ws.id
        takes_part.append(and_(here, or_(own, Invitee.body_id.is_not(None))))
        owns.append(and_(here, own))
    if not chosen:
        return []
    ids = sorted({ws.id for ws, _p in wanted})
    round_ids = union_all(*chosen).subquery()
    rows = session.execute(
        scoped_in(Invitee, ids)
        .join(
            ConsultationRound,
            and_(
                ConsultationRound.id == Invitee.round_id,
                ConsultationRound.workspace_id == Invitee.workspace_id,
            ),
        )
        .outerjoin(
            FormalResponse,
            and_(
                FormalResponse.invitee_id == Invitee.id,
                FormalResponse.workspace_id == Invitee.workspace_id,
            ),
        )
        .where(Invitee.round_id.in_(select(round_ids.c.id)), or_(*takes_part))
        .with_only_columns(
            Invitee.workspace_id,
            Invitee.id,
            Invitee.round_id,
            ConsultationRound.title,
            func.coalesce(Invitee.deadline, ConsultationRound.ends_on),
            or_(*owns).label("own"),
            Invitee.body_id,
            FormalResponse.id,
            FormalResponse.submitted_at,
        )
        .order_by(Invitee.workspace_id, Invitee.id)
    ).all()
    return [Invitation(*row) for row in rows]


def visible_rounds(session: Session, ws: Workspace, p: Principal) -> list[ConsultationRound]:
    """Rounds ``p`` may open: all for those who read drafts; otherwise the rounds they are
    invited to that have started."""
    query = (
        scoped(ConsultationRound, ws.id)
        .options(selectinload(ConsultationRound.version), selectinload(ConsultationRound.document))
        .order_by(ConsultationRound.starts_on.desc(), ConsultationRound.id.desc())
    )
    if not p.can("strategies.read_drafts"):
        ids = sorted({i.round_id for i in my_invitees(session, ws, p)})
        if not ids:
            return []
        query = query.where(ConsultationRound.id.in_(ids), ConsultationRound.starts_on <= today())
    return list(session.scalars(query))


@dataclass
class Access:
    round: ConsultationRound
    invitees: list[Invitee]  # the ones the person takes part for
    deadline: date | None  # their last day to take part
    can_comment: bool  # new comments and amendments
    can_reply: bool
    can_answer: bool  # the coordinator's answers
    sees_answers: bool


def access(session: Session, ws: Workspace, p: Principal, round_id: int) -> Access:
    """What ``p`` may do in the round; 404 for a round they may not see."""
    r = get_round(session, ws, round_id)
    on = today()
    if p.can("strategies.read_drafts"):
        consults = p.can("strategies.consult")
        return Access(
            r,
            [],
            r.ends_on,
            can_comment=False,
            can_reply=consults and state_of(r, on) == "open",
            can_answer=consults and r.answers_published_at is None,
            sees_answers=True,
        )
    mine = my_invitees(session, ws, p, [r.id])
    if not mine or on < r.starts_on:
        raise NotFound()  # not invited, or not yet open: as if it were not there
    deadline = max(deadline_of(i, r) for i in mine)
    taking_part = (
        r.starts_on <= on <= deadline and r.answers_published_at is None and r.closed_at is None
    )
    return Access(
        r,
        mine,
        deadline,
        can_comment=taking_part,
        can_reply=taking_part,
        can_answer=False,
        sees_answers=r.answers_published_at is not None,
    )


def check_open(a: Access, reply: bool) -> None:
    """Refuse a comment (or a reply) the person may not make now: 409 once the round has
    closed for them, 403 otherwise."""
    allowed = a.can_reply if reply else a.can_comment
    if allowed:
        return
    r = a.round
    if r.closed_at is not None:
        raise RoundClosed(
            _("Høringen ble avsluttet {date}. Nye innspill tas ikke imot.").format(
                date=ended_on(r).strftime("%d.%m.%Y")
            )
        )
    if r.answers_published_at is not None or today() > (a.deadline or r.ends_on):
        raise RoundClosed(
            _("Høringen ble avsluttet {date}. Nye innspill tas ikke imot.").format(
                date=(a.deadline or r.ends_on).strftime("%d.%m.%Y")
            )
        )
    raise Forbidden()


def resolve_guest(session: Session, ws: Workspace, token: str) -> tuple[Invitee, Principal]:
    """The invitee of a guest link, and the guest acting through it, while the link lasts."""
    inv = session.scalar(
        scoped(Invitee, ws.id).where(
            Invitee.kind == "guest", Invitee.token_hash == token_hash(token)
        )
    )
    if inv is None:
        raise NotFound()
    r = get_round(session, ws, inv.round_id)
    if today() > deadline_of(inv, r):
        raise GuestLinkExpired()
    return inv, principals.guest(inv.id, inv.guest_name or "", inv.guest_email)
