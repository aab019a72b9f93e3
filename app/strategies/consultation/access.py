"""Who may see a round and take part in it, and until when: the county's own people see every
round; a municipal or partner user the rounds their municipality or organisation is invited to
(itself, or through a body it is a member of now), from the day they open; a guest the one
round of their link, until its deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_
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
    state_of,
)
from app.strategies.models import ConsultationRound, Invitee
from app.tenancy import scoped


class GuestLinkExpired(AppError):
    status_code = 410
    code = "link_expired"
    message = lazy(
        "Lenken til høringen er utløpt fordi fristen er passert. Ta kontakt med "
        "fylkeskommunen hvis dere trenger mer tid."
    )


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
    if p.municipality_number:
        own = Invitee.municipality_number == p.municipality_number
        member_of = networks_service.current_members(
            session, ws, municipality_number=p.municipality_number
        )
    elif p.organisation_id:
        own = Invitee.organisation_id == p.organisation_id
        member_of = networks_service.current_members(session, ws, organisation_id=p.organisation_id)
    else:
        return []
    bodies = sorted({m.body_id for m in member_of})
    return list(
        session.scalars(query.where(or_(own, Invitee.body_id.in_(bodies))).order_by(Invitee.id))
    )


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
