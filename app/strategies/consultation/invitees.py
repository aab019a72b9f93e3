"""Who is invited to a round — a partner organisation, a municipality of the county, a body
(its member municipalities and organisations take part through it; a body shared from another
county too) or a guest by e-mail — who takes part for each, and the invitation mail."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy.orm import Session, selectinload

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.clock import today
from app.counties.models import Municipality, Organisation, Workspace
from app.db import utcnow
from app.errors import InvalidInput, NotFound
from app.i18n import _, lazy
from app.mail import service as mail
from app.networks import service as networks_service
from app.notifications import kinds
from app.notifications import service as notifications
from app.strategies import text
from app.strategies.consultation import notices
from app.strategies.consultation.rounds import RoundClosed, deadline_of, get_round, state_of
from app.strategies.consultation.schemas import InviteeCreate
from app.strategies.models import ConsultationComment, ConsultationRound, Invitee
from app.tenancy import scoped

INVITEE_KIND_LABELS = {
    "organisation": lazy("Partnerorganisasjon"),
    "municipality": lazy("Kommune"),
    "body": lazy("Regionråd eller nettverk"),
    "guest": lazy("Gjest (e-post)"),
}


def token_hash(token: str) -> str:
    """What is kept of a guest's link: its hash."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitees_of(session: Session, ws: Workspace, round_id: int) -> list[Invitee]:
    return list(
        session.scalars(
            scoped(Invitee, ws.id)
            .where(Invitee.round_id == round_id)
            .order_by(Invitee.kind, Invitee.id)
            .options(selectinload(Invitee.organisation), selectinload(Invitee.municipality))
        )
    )


def _body_name(session: Session, ws: Workspace, body_id: int) -> str:
    try:
        return networks_service.get_body(session, ws, body_id).name
    except NotFound:  # a body shared no longer
        return ""


def invitee_names(session: Session, ws: Workspace, invitees: list[Invitee]) -> dict[int, str]:
    """Invitee id → the name of who is invited. One query per body invited (few, if any)."""
    bodies = {
        body_id: _body_name(session, ws, body_id)
        for body_id in sorted({i.body_id for i in invitees if i.body_id})
    }
    names: dict[int, str] = {}
    for i in invitees:
        if i.kind == "organisation" and i.organisation:
            names[i.id] = i.organisation.name
        elif i.kind == "municipality" and i.municipality:
            names[i.id] = i.municipality.name
        elif i.kind == "body":
            names[i.id] = bodies.get(i.body_id or 0, "")
        else:
            names[i.id] = i.guest_name or ""
    return names


def add_invitee(session: Session, ws: Workspace, round_id: int, form: InviteeCreate) -> Invitee:
    """Invite someone; in an open round the invitation goes out at once."""
    r = get_round(session, ws, round_id)
    if state_of(r) == "closed" or r.answers_published_at:
        raise RoundClosed()
    existing = invitees_of(session, ws, round_id)
    inv = Invitee(workspace_id=ws.id, round_id=r.id, kind=form.kind, deadline=form.deadline)
    errors: dict[str, str] = {}
    if form.kind == "organisation":
        org = session.get(Organisation, form.organisation_id) if form.organisation_id else None
        if org is None:
            errors["organisation_id"] = lazy("Velg en organisasjon fra lista.")
        elif any(i.organisation_id == org.id for i in existing):
            errors["organisation_id"] = lazy("Organisasjonen er allerede invitert.")
        inv.organisation_id = form.organisation_id
    elif form.kind == "municipality":
        number = form.municipality_number
        mun = session.get(Municipality, number) if number else None
        if mun is None or mun.county_number != ws.county_number:
            errors["municipality_number"] = lazy("Velg en kommune i fylket.")
        elif any(i.municipality_number == mun.number for i in existing):
            errors["municipality_number"] = lazy("Kommunen er allerede invitert.")
        inv.municipality_number = number
    elif form.kind == "body":
        try:  # its own, or shared with the county by another
            body_id = networks_service.get_body(session, ws, form.body_id or 0).id
        except NotFound:
            errors["body_id"] = lazy("Velg et regionråd eller nettverk fra lista.")
        else:
            if any(i.body_id == body_id for i in existing):
                errors["body_id"] = lazy("Rådet eller nettverket er allerede invitert.")
        inv.body_id = form.body_id
    else:  # a guest: the form has checked the name and the address
        if any(i.guest_email == form.guest_email for i in existing):
            errors["guest_email"] = lazy("Denne e-postadressen er allerede invitert.")
        inv.guest_name, inv.guest_email = form.guest_name, form.guest_email
    if form.deadline is not None and form.deadline < max(r.starts_on, today()):
        errors["deadline"] = lazy("Fristen kan ikke ligge før høringen starter eller før i dag.")
    if errors:
        raise InvalidInput(errors)
    session.add(inv)
    session.flush()
    if state_of(r) == "open":
        send_invitation(session, ws, r, inv)
    return inv


def remove_invitee(session: Session, ws: Workspace, round_id: int, invitee_id: int) -> None:
    inv = session.scalar(
        scoped(Invitee, ws.id).where(Invitee.round_id == round_id, Invitee.id == invitee_id)
    )
    if inv is None:
        raise NotFound()
    used = session.scalar(
        scoped(ConsultationComment, ws.id)
        .with_only_columns(ConsultationComment.id)
        .where(ConsultationComment.invitee_id == inv.id)
        .limit(1)
    )
    if used is not None:
        raise InvalidInput(
            {"form": lazy("Denne inviterte har allerede kommet med innspill og kan ikke fjernes.")}
        )
    session.delete(inv)
    session.flush()


def members_for(session: Session, ws: Workspace, inv: Invitee) -> list[User]:
    """The members of the workspace who take part for an invitee that is no guest: those who may
    respond for the organisation, the municipality, or the body's current members."""
    if inv.kind == "guest":
        return []
    if inv.kind == "organisation":
        organisations, municipalities = [inv.organisation_id or 0], []
    elif inv.kind == "municipality":
        organisations, municipalities = [], [inv.municipality_number or ""]
    else:
        current = networks_service.current_members(session, ws, body_id=inv.body_id or 0)
        organisations = [m.organisation_id for m in current if m.organisation_id]
        municipalities = [m.municipality_number for m in current if m.municipality_number]
    members = accounts_service.members_with(
        session,
        ws.id,
        "strategies.respond",
        municipality_numbers=municipalities,
        organisation_ids=organisations,
    )
    return [m.user for m in members]


def recipients(session: Session, ws: Workspace, inv: Invitee) -> list[tuple[str, str]]:
    """(name, e-mail) of the people who take part for an invitee (a guest: the guest)."""
    if inv.kind == "guest":
        return [(inv.guest_name or "", inv.guest_email or "")]
    return [(u.name, u.email) for u in members_for(session, ws, inv)]


INVITATION_MAIL = lazy("{body}\n\nLes dokumentet og gi innspill her: {link}\n")


def send_invitation(session: Session, ws: Workspace, r: ConsultationRound, inv: Invitee) -> None:
    """The invitation: a notification (and mail as each person chose) in each one's language; a
    guest gets a mail with a fresh personal link that works until the deadline."""
    deadline = deadline_of(inv, r).strftime("%d.%m.%Y")
    title, cover = r.title, text.plain(r.cover_text)

    def render() -> tuple[str, str]:
        return (
            _("Invitasjon til høring: {title}").format(title=title),
            _("{county} inviterer til høring om «{title}». Frist for innspill: {deadline}.").format(
                county=ws.name, title=title, deadline=deadline
            )
            + (f"\n\n{cover}" if cover else ""),
        )

    if inv.kind != "guest":
        notifications.notify(
            session,
            ws,
            members_for(session, ws, inv),
            kinds.INVITATION,
            f"/hoeringer/{r.id}",
            render,
            mail_body=INVITATION_MAIL,
        )
    else:
        token = secrets.token_urlsafe(24)
        inv.token_hash = token_hash(token)
        subject, body = render()
        mail.enqueue(
            session,
            to=inv.guest_email or "",
            subject=subject,
            body=_(INVITATION_MAIL).format(body=body, link=notices.page_url(ws, f"/gjest/{token}")),
            workspace_id=ws.id,
        )
    inv.invited_at = utcnow()
    session.flush()
