"""Consultation rounds (høring): invitees, who may take part when, comments with quoted
passages, threaded replies, amendments, formal responses, answers and their publication."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.accounts import service as accounts_service
from app.accounts.models import Membership, User
from app.clock import today
from app.config import get_settings
from app.counties.models import Municipality, Organisation, Workspace
from app.db import utcnow
from app.errors import AppError, Forbidden, InvalidInput, NotFound
from app.i18n import _, lazy
from app.mail import service as mail
from app.networks.models import Body, BodyMembership
from app.strategies import service, text
from app.strategies.models import (
    ANSWERS,
    ConsultationComment,
    ConsultationRound,
    FormalResponse,
    Invitee,
    StrategyNotice,
    StrategySection,
    VersionSection,
)
from app.strategies.service import Actor
from app.tenancy import scoped

ANSWER_LABELS = {
    "accepted": lazy("Tatt til følge"),
    "partly": lazy("Delvis tatt til følge"),
    "not_accepted": lazy("Ikke tatt til følge"),
    "noted": lazy("Tatt til orientering"),
}
STATE_LABELS = {
    "planned": lazy("Planlagt"),
    "open": lazy("Åpen"),
    "closed": lazy("Avsluttet"),
}
INVITEE_KIND_LABELS = {
    "organisation": lazy("Partnerorganisasjon"),
    "municipality": lazy("Kommune"),
    "body": lazy("Regionråd eller nettverk"),
    "guest": lazy("Gjest (e-post)"),
}
MAX_COMMENT = 5000
MAX_QUOTE = 1000
MAX_RESPONSE = 50_000


class RoundClosed(AppError):
    status_code = 409
    code = "round_closed"
    message = lazy("Høringen er avsluttet. Nye innspill tas ikke imot.")


class SectionChanged(AppError):
    """An amendment was written against a text that is no longer the section's text."""

    status_code = 409
    code = "section_changed"
    message = lazy(
        "Avsnittet er endret etter at du begynte på endringsforslaget. Her er den nye teksten; "
        "forslaget ditt er ikke lagret ennå."
    )

    def __init__(self, current: str):
        super().__init__()
        self.current = current


class ResponseConflict(AppError):
    status_code = 409
    code = "edit_conflict"
    message = lazy(
        "Noen andre i organisasjonen har lagret høringssvaret etter at du åpnet det. Teksten "
        "din er ikke lagret ennå: sammenlign og lagre på nytt."
    )

    def __init__(self, response: FormalResponse):
        super().__init__()
        self.response = response


class GuestLinkExpired(AppError):
    status_code = 410
    code = "link_expired"
    message = lazy(
        "Lenken til høringen er utløpt fordi fristen er passert. Ta kontakt med "
        "fylkeskommunen hvis dere trenger mer tid."
    )


def state_of(r: ConsultationRound, on: date | None = None) -> str:
    on = on or today()
    if on < r.starts_on:
        return "planned"
    return "open" if on <= r.ends_on else "closed"


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


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- rounds ----------------------------------------------------------------------------------


def get_round(session: Session, ws: Workspace, round_id: int) -> ConsultationRound:
    r = session.scalar(
        scoped(ConsultationRound, ws.id)
        .where(ConsultationRound.id == round_id)
        .options(selectinload(ConsultationRound.version), selectinload(ConsultationRound.document))
    )
    if r is None:
        raise NotFound()
    return r


def _check_round(
    title: str, cover: str, starts_on: date | None, ends_on: date | None, reminder_days: int
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not 3 <= len(title.strip()) <= 200:
        errors["title"] = lazy("Tittelen må ha 3–200 tegn.")
    if len(cover) > 20_000:
        errors["cover_text"] = lazy("Følgeteksten kan ha høyst 20 000 tegn.")
    if starts_on is None:
        errors["starts_on"] = lazy("Skriv startdatoen.")
    if ends_on is None:
        errors["ends_on"] = lazy("Skriv sluttdatoen.")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = lazy("Sluttdatoen kan ikke ligge før startdatoen.")
    if not 0 <= reminder_days <= 30:
        errors["reminder_days"] = lazy("Påminnelse kan sendes 0–30 dager før fristen.")
    return errors


def create_round(
    session: Session,
    ws: Workspace,
    actor: Actor,
    doc_id: int,
    version_number: int | None,
    title: str,
    cover_text: str,
    starts_on: date | None,
    ends_on: date | None,
    reminder_days: int = 3,
) -> ConsultationRound:
    service.get_document(session, ws, doc_id)
    errors = _check_round(title, cover_text, starts_on, ends_on, reminder_days)
    version = None
    if version_number is None:
        errors["version"] = lazy("Velg en publisert versjon. Publiser utkastet først.")
    else:
        try:
            version = service.get_version(session, ws, doc_id, version_number)
        except NotFound:
            errors["version"] = lazy("Velg en publisert versjon. Publiser utkastet først.")
    if starts_on and ends_on and ends_on < today() and "ends_on" not in errors:
        errors["ends_on"] = lazy("Sluttdatoen har allerede vært.")
    if errors or version is None or starts_on is None or ends_on is None:
        raise InvalidInput(errors)
    r = ConsultationRound(
        workspace_id=ws.id,
        document_id=doc_id,
        version_id=version.id,
        title=title.strip(),
        cover_text=cover_text.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        reminder_days=reminder_days,
        created_by_id=actor.user_id,
    )
    session.add(r)
    session.flush()
    return r


def update_round(
    session: Session,
    ws: Workspace,
    round_id: int,
    title: str,
    cover_text: str,
    starts_on: date | None,
    ends_on: date | None,
    reminder_days: int,
) -> ConsultationRound:
    r = get_round(session, ws, round_id)
    errors = _check_round(title, cover_text, starts_on, ends_on, reminder_days)
    if r.answers_published_at is not None:
        errors["form"] = lazy("Svarene er publisert; høringen kan ikke endres lenger.")
    if errors or starts_on is None or ends_on is None:
        raise InvalidInput(errors)
    r.title, r.cover_text = title.strip(), cover_text.strip()
    r.starts_on, r.ends_on, r.reminder_days = starts_on, ends_on, reminder_days
    session.flush()
    return r


# --- invitees --------------------------------------------------------------------------------


def invitees_of(session: Session, ws: Workspace, round_id: int) -> list[Invitee]:
    return list(
        session.scalars(
            scoped(Invitee, ws.id)
            .where(Invitee.round_id == round_id)
            .order_by(Invitee.kind, Invitee.id)
            .options(selectinload(Invitee.organisation), selectinload(Invitee.municipality))
        )
    )


def invitee_names(session: Session, ws: Workspace, invitees: list[Invitee]) -> dict[int, str]:
    body_ids = {i.body_id for i in invitees if i.body_id}
    bodies = (
        dict(
            session.execute(
                scoped(Body, ws.id)
                .with_only_columns(Body.id, Body.name)
                .where(Body.id.in_(body_ids))
            ).all()
        )
        if body_ids
        else {}
    )
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


def add_invitee(
    session: Session,
    ws: Workspace,
    round_id: int,
    kind: str,
    *,
    organisation_id: int | None = None,
    municipality_number: str | None = None,
    body_id: int | None = None,
    guest_name: str = "",
    guest_email: str = "",
    deadline: date | None = None,
) -> Invitee:
    r = get_round(session, ws, round_id)
    errors: dict[str, str] = {}
    if state_of(r) == "closed" or r.answers_published_at:
        raise RoundClosed()
    existing = invitees_of(session, ws, round_id)
    inv = Invitee(workspace_id=ws.id, round_id=r.id, kind=kind, deadline=deadline)
    if kind == "organisation":
        org = session.get(Organisation, organisation_id) if organisation_id else None
        if org is None:
            errors["organisation_id"] = lazy("Velg en organisasjon fra lista.")
        elif any(i.organisation_id == org.id for i in existing):
            errors["organisation_id"] = lazy("Organisasjonen er allerede invitert.")
        inv.organisation_id = organisation_id
    elif kind == "municipality":
        mun = session.get(Municipality, municipality_number) if municipality_number else None
        if mun is None or mun.county_number != ws.county_number:
            errors["municipality_number"] = lazy("Velg en kommune i fylket.")
        elif any(i.municipality_number == mun.number for i in existing):
            errors["municipality_number"] = lazy("Kommunen er allerede invitert.")
        inv.municipality_number = municipality_number
    elif kind == "body":
        body = session.scalar(scoped(Body, ws.id).where(Body.id == body_id)) if body_id else None
        if body is None:
            errors["body_id"] = lazy("Velg et regionråd eller nettverk fra lista.")
        elif any(i.body_id == body.id for i in existing):
            errors["body_id"] = lazy("Rådet eller nettverket er allerede invitert.")
        inv.body_id = body_id
    elif kind == "guest":
        name, email = guest_name.strip(), accounts_service.normalise_email(guest_email)
        if not 2 <= len(name) <= 200:
            errors["guest_name"] = lazy("Skriv organisasjonens navn.")
        if not _email_ok(email):
            errors["guest_email"] = lazy("Skriv en gyldig e-postadresse.")
        elif any(i.guest_email == email for i in existing):
            errors["guest_email"] = lazy("Denne e-postadressen er allerede invitert.")
        inv.guest_name, inv.guest_email = name, email
    else:
        errors["kind"] = lazy("Velg hvem som skal inviteres.")
    if deadline is not None and deadline < max(r.starts_on, today()):
        errors["deadline"] = lazy("Fristen kan ikke ligge før høringen starter eller før i dag.")
    if errors:
        raise InvalidInput(errors)
    session.add(inv)
    session.flush()
    if state_of(r) == "open":
        send_invitation(session, ws, r, inv)
    return inv


def _email_ok(email: str) -> bool:
    """The same check as every e-mail field of the app (email-validator, as pydantic's EmailStr)."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


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


def recipients(session: Session, ws: Workspace, inv: Invitee) -> list[tuple[str, str]]:
    """(name, e-mail) of the people who take part for an invitee."""
    if inv.kind == "guest":
        return [(inv.guest_name or "", inv.guest_email or "")]
    query = scoped(Membership, ws.id).options(selectinload(Membership.user))
    if inv.kind == "organisation":
        query = query.where(
            Membership.role == "partner", Membership.organisation_id == inv.organisation_id
        )
    elif inv.kind == "municipality":
        query = query.where(
            Membership.role == "municipal",
            Membership.municipality_number == inv.municipality_number,
        )
    else:
        members = _body_members(session, ws, inv.body_id or 0)
        query = query.where(
            or_(
                (Membership.role == "municipal")
                & Membership.municipality_number.in_([m for m, _o in members if m]),
                (Membership.role == "partner")
                & Membership.organisation_id.in_([o for _m, o in members if o]),
            )
        )
    return [(m.user.name, m.user.email) for m in session.scalars(query) if m.user.is_active]


def _body_members(
    session: Session, ws: Workspace, body_id: int
) -> list[tuple[str | None, int | None]]:
    on = today()
    return [
        (m, o)
        for m, o in session.execute(
            scoped(BodyMembership, ws.id)
            .with_only_columns(BodyMembership.municipality_number, BodyMembership.organisation_id)
            .where(
                BodyMembership.body_id == body_id,
                or_(BodyMembership.start_date.is_(None), BodyMembership.start_date <= on),
                or_(BodyMembership.end_date.is_(None), BodyMembership.end_date >= on),
            )
        ).all()
    ]


def page_url(ws: Workspace, path: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/{ws.slug}{path}"


def send_invitation(session: Session, ws: Workspace, r: ConsultationRound, inv: Invitee) -> None:
    """The invitation mail; a guest gets a fresh personal link that works until the deadline."""
    if inv.kind == "guest":
        token = secrets.token_urlsafe(24)
        inv.token_hash = _hash(token)
        link = page_url(ws, f"/gjest/{token}")
    else:
        link = page_url(ws, f"/hoeringer/{r.id}")
    deadline = deadline_of(inv, r)
    for _name, email in recipients(session, ws, inv):
        mail.enqueue(
            session,
            to=email,
            subject=_("Invitasjon til høring: {title}").format(title=r.title),
            body=_(
                "{county} inviterer til høring om «{title}».\n\n{cover}\n\nFrist for innspill: "
                "{deadline}.\n\nLes dokumentet og gi innspill her: {link}\n"
            ).format(
                county=ws.name,
                title=r.title,
                cover=text.plain(r.cover_text),
                deadline=deadline.strftime("%d.%m.%Y"),
                link=link,
            ),
            workspace_id=ws.id,
        )
    inv.invited_at = utcnow()
    session.flush()


# --- who may see and take part -----------------------------------------------------------


def my_invitees(
    session: Session, ws: Workspace, actor: Actor, round_ids: list[int] | None = None
) -> list[Invitee]:
    """The invitees the actor takes part for: their organisation, their municipality, a body
    their municipality or organisation is a member of now, or the guest link's own."""
    query = scoped(Invitee, ws.id).options(
        selectinload(Invitee.organisation), selectinload(Invitee.municipality)
    )
    if round_ids is not None:
        query = query.where(Invitee.round_id.in_(round_ids))
    if actor.guest_invitee_id is not None:
        return list(session.scalars(query.where(Invitee.id == actor.guest_invitee_id)))
    if actor.municipality_number is None and actor.organisation_id is None:
        return []
    on = today()
    bodies = (
        scoped(BodyMembership, ws.id)
        .with_only_columns(BodyMembership.body_id)
        .where(
            or_(BodyMembership.start_date.is_(None), BodyMembership.start_date <= on),
            or_(BodyMembership.end_date.is_(None), BodyMembership.end_date >= on),
        )
    )
    conditions = []
    if actor.municipality_number:
        conditions.append(Invitee.municipality_number == actor.municipality_number)
        bodies = bodies.where(BodyMembership.municipality_number == actor.municipality_number)
    else:
        conditions.append(Invitee.organisation_id == actor.organisation_id)
        bodies = bodies.where(BodyMembership.organisation_id == actor.organisation_id)
    conditions.append(Invitee.body_id.in_(bodies.scalar_subquery()))
    return list(session.scalars(query.where(or_(*conditions)).order_by(Invitee.id)))


def open_rounds(session: Session, ws: Workspace) -> int:
    """How many rounds are open today (for the workspace overview)."""
    on = today()
    return (
        session.scalar(
            scoped(ConsultationRound, ws.id)
            .with_only_columns(func.count())
            .where(ConsultationRound.starts_on <= on, ConsultationRound.ends_on >= on)
        )
        or 0
    )


def visible_rounds(session: Session, ws: Workspace, actor: Actor) -> list[ConsultationRound]:
    """Rounds the actor may open: all for those who read drafts; otherwise the rounds they are
    invited to that have started."""
    query = (
        scoped(ConsultationRound, ws.id)
        .options(selectinload(ConsultationRound.version), selectinload(ConsultationRound.document))
        .order_by(ConsultationRound.starts_on.desc(), ConsultationRound.id.desc())
    )
    if not actor.can_read_drafts:
        ids = sorted({i.round_id for i in my_invitees(session, ws, actor)})
        if not ids:
            return []
        query = query.where(ConsultationRound.id.in_(ids), ConsultationRound.starts_on <= today())
    return list(session.scalars(query))


@dataclass
class Access:
    round: ConsultationRound
    invitees: list[Invitee]  # the ones the actor takes part for
    deadline: date | None  # the actor's last day to take part
    can_comment: bool  # new comments and amendments
    can_reply: bool
    can_answer: bool  # the coordinator's answers
    sees_answers: bool


def access(session: Session, ws: Workspace, actor: Actor, round_id: int) -> Access:
    r = get_round(session, ws, round_id)
    on = today()
    if actor.can_read_drafts:
        return Access(
            r,
            [],
            r.ends_on,
            can_comment=False,
            can_reply=actor.can_consult and state_of(r, on) == "open",
            can_answer=actor.can_consult and r.answers_published_at is None,
            sees_answers=True,
        )
    mine = my_invitees(session, ws, actor, [r.id])
    if not mine or on < r.starts_on:
        raise NotFound()  # not invited, or not yet open: as if it were not there
    deadline = max(deadline_of(i, r) for i in mine)
    taking_part = r.starts_on <= on <= deadline and r.answers_published_at is None
    return Access(
        r,
        mine,
        deadline,
        can_comment=taking_part,
        can_reply=taking_part,
        can_answer=False,
        sees_answers=r.answers_published_at is not None,
    )


def resolve_guest(session: Session, ws: Workspace, token: str) -> tuple[Invitee, Actor]:
    inv = session.scalar(
        scoped(Invitee, ws.id).where(Invitee.kind == "guest", Invitee.token_hash == _hash(token))
    )
    if inv is None:
        raise NotFound()
    r = get_round(session, ws, inv.round_id)
    if today() > deadline_of(inv, r):
        raise GuestLinkExpired()
    actor = Actor(
        user_id=None,
        name=inv.guest_name or "",
        email=inv.guest_email,
        role="guest",
        guest_invitee_id=inv.id,
    )
    return inv, actor


# --- comments and amendments ----------------------------------------------------------------


def _version_section(
    session: Session, ws: Workspace, r: ConsultationRound, key: str
) -> VersionSection:
    section = session.scalar(
        scoped(VersionSection, ws.id).where(
            VersionSection.version_id == r.version_id, VersionSection.key == key
        )
    )
    if section is None:
        raise InvalidInput({"section_key": lazy("Avsnittet finnes ikke i denne versjonen.")})
    return section


def _author(session: Session, ws: Workspace, actor: Actor, a: Access) -> dict[str, Any]:
    # Among the invitations still open, a member's own goes before one through a council.
    on = today()
    current = [i for i in a.invitees if deadline_of(i, a.round) >= on] or a.invitees
    invitee = next((i for i in current if i.kind != "body"), current[0]) if current else None
    if invitee is not None:
        org = invitee_names(session, ws, [invitee])[invitee.id]
        if invitee.kind == "body" and actor.municipality_number:
            # someone of a member municipality answers through the body
            mun = session.get(Municipality, actor.municipality_number)
            org = f"{mun.name if mun else ''} ({org})"
    else:
        org = ws.name
    return {
        "invitee_id": invitee.id if invitee else None,
        "author_id": actor.user_id,
        "author_name": actor.name,
        "author_org": org,
        "author_email": actor.email if actor.user_id is None else None,
    }


def _check_open(a: Access, reply: bool) -> None:
    allowed = a.can_reply if reply else a.can_comment
    if allowed:
        return
    if a.round.answers_published_at is not None or today() > (a.deadline or a.round.ends_on):
        raise RoundClosed(
            _("Høringen ble avsluttet {date}. Nye innspill tas ikke imot.").format(
                date=(a.deadline or a.round.ends_on).strftime("%d.%m.%Y")
            )
        )
    raise Forbidden()


def add_comment(
    session: Session,
    ws: Workspace,
    actor: Actor,
    round_id: int,
    section_key: str,
    body: str,
    quote: str = "",
    parent_id: int | None = None,
) -> ConsultationComment:
    a = access(session, ws, actor, round_id)
    _check_open(a, reply=parent_id is not None)
    section = _version_section(session, ws, a.round, section_key)
    body, quote = body.strip(), (quote or "").strip()
    errors: dict[str, str] = {}
    if not body:
        errors["body"] = lazy("Skriv en kommentar.")
    elif len(body) > MAX_COMMENT:
        errors["body"] = _("Kommentaren er for lang: {n} tegn, høyst {max} er tillatt.").format(
            n=len(body), max=MAX_COMMENT
        )
    if len(quote) > MAX_QUOTE:
        errors["quote"] = lazy("Sitatet kan ha høyst 1000 tegn.")
    elif quote and not text.quote_found(quote, section.heading + "\n" + section.body):
        errors["quote"] = lazy("Det siterte finnes ikke i avsnittet. Kopier teksten nøyaktig.")
    parent = None
    if parent_id is not None:
        parent = session.scalar(
            scoped(ConsultationComment, ws.id).where(
                ConsultationComment.id == parent_id,
                ConsultationComment.round_id == a.round.id,
            )
        )
        if parent is None:
            raise NotFound()
        if parent.parent_id is not None:  # replies to a reply join the same thread
            parent = session.get(ConsultationComment, parent.parent_id)
    if errors:
        raise InvalidInput(errors)
    comment = ConsultationComment(
        workspace_id=ws.id,
        round_id=a.round.id,
        section_key=section.key if parent is None else parent.section_key,
        parent_id=parent.id if parent else None,
        kind="comment",
        quote=quote or None,
        body=body,
        created_at=utcnow(),
        **_author(session, ws, actor, a),
    )
    session.add(comment)
    session.flush()
    _notify_new(session, ws, a.round, comment, actor, parent)
    return comment


def add_amendment(
    session: Session,
    ws: Workspace,
    actor: Actor,
    round_id: int,
    section_key: str,
    proposed_text: str,
    reason: str,
    base: str,
) -> ConsultationComment:
    """An amendment replaces the section's text; ``base`` is the fingerprint of the text the
    proposer saw. If that is no longer the section's text, :class:`SectionChanged`."""
    a = access(session, ws, actor, round_id)
    _check_open(a, reply=False)
    section = _version_section(session, ws, a.round, section_key)
    proposed_text = proposed_text.replace("\r\n", "\n").strip()
    reason = reason.strip()
    errors: dict[str, str] = {}
    if not proposed_text:
        errors["proposed_text"] = lazy("Skriv den nye teksten for avsnittet.")
    elif len(proposed_text) > service.MAX_SECTION_CHARS:
        errors["proposed_text"] = lazy("Teksten kan ha høyst 50 000 tegn.")
    elif proposed_text == section.body.strip():
        errors["proposed_text"] = lazy("Forslaget er likt teksten som står der nå.")
    if len(reason) > MAX_COMMENT:
        errors["body"] = _("Begrunnelsen er for lang: {n} tegn, høyst {max} er tillatt.").format(
            n=len(reason), max=MAX_COMMENT
        )
    if errors:
        raise InvalidInput(errors)
    if base != text.fingerprint(section.body):
        raise SectionChanged(section.body)
    comment = ConsultationComment(
        workspace_id=ws.id,
        round_id=a.round.id,
        section_key=section.key,
        kind="amendment",
        body=reason,
        proposed_text=proposed_text,
        base_text=section.body,
        created_at=utcnow(),
        **_author(session, ws, actor, a),
    )
    session.add(comment)
    session.flush()
    _notify_new(session, ws, a.round, comment, actor, None)
    return comment


# --- formal responses ------------------------------------------------------------------------


def responses_of(session: Session, ws: Workspace, round_id: int) -> list[FormalResponse]:
    return list(
        session.scalars(
            scoped(FormalResponse, ws.id)
            .where(FormalResponse.round_id == round_id)
            .order_by(FormalResponse.submitted_at, FormalResponse.id)
        )
    )


def _my_invitee(a: Access, invitee_id: int) -> Invitee:
    """One of the invitees the actor takes part for, while its own deadline lasts."""
    inv = next((i for i in a.invitees if i.id == invitee_id), None)
    if inv is None:
        raise Forbidden()
    deadline = deadline_of(inv, a.round)
    if today() > deadline:
        raise RoundClosed(
            _("Fristen for høringssvaret var {date}. Nye innspill tas ikke imot.").format(
                date=deadline.strftime("%d.%m.%Y")
            )
        )
    return inv


def save_response(
    session: Session,
    ws: Workspace,
    actor: Actor,
    round_id: int,
    invitee_id: int,
    body: str,
    revision: int,
) -> FormalResponse:
    a = access(session, ws, actor, round_id)
    _check_open(a, reply=False)
    inv = _my_invitee(a, invitee_id)
    body = body.replace("\r\n", "\n").strip()
    if len(body) > MAX_RESPONSE:
        raise InvalidInput({"body": lazy("Høringssvaret kan ha høyst 50 000 tegn.")})
    response = session.scalar(
        scoped(FormalResponse, ws.id).where(FormalResponse.invitee_id == inv.id).with_for_update()
    )
    if response is not None:
        if response.submitted_at is not None:
            raise InvalidInput({"body": lazy("Høringssvaret er sendt inn og er låst.")})
        if response.revision != revision and response.body != body:
            raise ResponseConflict(response)
    else:  # the first save, unless a colleague's first save got in just before
        try:
            with session.begin_nested():
                response = FormalResponse(
                    workspace_id=ws.id, round_id=a.round.id, invitee_id=inv.id, body="", revision=0
                )
                session.add(response)
                session.flush()
        except IntegrityError:
            theirs = session.scalar(
                scoped(FormalResponse, ws.id).where(FormalResponse.invitee_id == inv.id)
            )
            if theirs is None:
                raise
            raise ResponseConflict(theirs) from None
    if response.body != body or response.id is None:
        response.body = body
        response.revision += 1
        response.updated_at = utcnow()
        response.updated_by_name = actor.name
    session.flush()
    return response


def submit_response(
    session: Session, ws: Workspace, actor: Actor, round_id: int, invitee_id: int
) -> FormalResponse:
    a = access(session, ws, actor, round_id)
    _check_open(a, reply=False)
    inv = _my_invitee(a, invitee_id)
    response = session.scalar(
        scoped(FormalResponse, ws.id).where(FormalResponse.invitee_id == inv.id).with_for_update()
    )
    if response is None or not response.body.strip():
        raise InvalidInput({"body": lazy("Skriv og lagre høringssvaret før dere sender det inn.")})
    if response.submitted_at is not None:
        raise InvalidInput({"body": lazy("Høringssvaret er allerede sendt inn.")})
    response.submitted_at = utcnow()
    response.submitted_by_name = actor.name
    session.flush()
    for m in _staff(session, ws):
        _notice(
            session,
            ws,
            m,
            _("{org} har sendt inn høringssvar til «{title}».").format(
                org=invitee_names(session, ws, [inv])[inv.id], title=a.round.title
            ),
            page_url(ws, f"/hoeringer/{a.round.id}"),
        )
    return response


# --- answers ---------------------------------------------------------------------------------


@dataclass
class AnswerResult:
    comment: ConsultationComment
    applied: bool = False
    draft_section: StrategySection | None = None  # set when the draft moved on: see it first


def answer(
    session: Session,
    ws: Workspace,
    actor: Actor,
    round_id: int,
    comment_id: int,
    verdict: str,
    reason: str,
) -> AnswerResult:
    """The coordinator's answer to a comment or amendment. An accepted amendment is written
    into the draft when the draft section still has the text the amendment was made against."""
    a = access(session, ws, actor, round_id)
    if not actor.can_consult:
        raise Forbidden()
    if a.round.answers_published_at is not None:
        raise InvalidInput({"answer": lazy("Svarene er publisert og kan ikke endres.")})
    if today() <= a.round.ends_on:
        raise InvalidInput(
            {
                "answer": _(
                    "Kommentarene besvares etter at høringen er avsluttet ({date})."
                ).format(date=a.round.ends_on.strftime("%d.%m.%Y"))
            }
        )
    comment = session.scalar(
        scoped(ConsultationComment, ws.id).where(
            ConsultationComment.id == comment_id,
            ConsultationComment.round_id == a.round.id,
            ConsultationComment.parent_id.is_(None),  # replies are discussion, not answered
        )
    )
    if comment is None:
        raise NotFound()
    reason = reason.strip()
    errors: dict[str, str] = {}
    if verdict not in ANSWERS:
        errors["answer"] = lazy("Velg et svar fra lista.")
    if verdict in ("partly", "not_accepted") and not reason:
        errors["reason"] = lazy("Begrunn svaret.")
    if len(reason) > MAX_COMMENT:
        errors["reason"] = lazy("Begrunnelsen kan ha høyst 5000 tegn.")
    if errors:
        raise InvalidInput(errors)
    comment.answer, comment.answer_reason = verdict, reason
    comment.answered_at, comment.answered_by_id = utcnow(), actor.user_id
    result = AnswerResult(comment)
    if comment.kind == "amendment" and verdict == "accepted" and comment.applied_at is None:
        result = apply_amendment(session, ws, actor, a.round, comment)
    session.flush()
    return result


def apply_amendment(
    session: Session,
    ws: Workspace,
    actor: Actor,
    r: ConsultationRound,
    comment: ConsultationComment,
    *,
    draft_revision: int | None = None,
) -> AnswerResult:
    """Write an accepted amendment into the draft. When the draft section has changed since
    the consulted version, nothing is written unless ``draft_revision`` confirms the editor saw
    the draft as it is now."""
    draft = session.scalar(
        scoped(StrategySection, ws.id)
        .where(
            StrategySection.document_id == r.document_id,
            StrategySection.key == comment.section_key,
        )
        .with_for_update()
    )
    if draft is None:
        return AnswerResult(comment)
    unchanged = draft.body.strip() == (comment.base_text or "").strip()
    if not unchanged and draft_revision != draft.revision:
        return AnswerResult(comment, draft_section=draft)
    draft.body = comment.proposed_text or ""
    draft.revision += 1
    draft.updated_at = utcnow()
    draft.updated_by_id = actor.user_id
    comment.applied_at = utcnow()
    session.flush()
    session.expire(draft, ["updated_by"])
    return AnswerResult(comment, applied=True, draft_section=draft)


def apply_accepted(
    session: Session,
    ws: Workspace,
    actor: Actor,
    round_id: int,
    comment_id: int,
    draft_revision: int,
) -> AnswerResult:
    a = access(session, ws, actor, round_id)
    if not actor.can_consult:
        raise Forbidden()
    comment = session.scalar(
        scoped(ConsultationComment, ws.id).where(
            ConsultationComment.id == comment_id, ConsultationComment.round_id == a.round.id
        )
    )
    if comment is None or comment.kind != "amendment":
        raise NotFound()
    if comment.answer != "accepted":
        raise InvalidInput(
            {"answer": lazy("Bare et endringsforslag som er tatt til følge kan føres inn.")}
        )
    if comment.applied_at is not None:
        raise InvalidInput({"form": lazy("Endringsforslaget er allerede ført inn i utkastet.")})
    result = apply_amendment(session, ws, actor, a.round, comment, draft_revision=draft_revision)
    if not result.applied and result.draft_section is None:
        raise InvalidInput(
            {
                "form": lazy(
                    "Avsnittet finnes ikke lenger i utkastet, så forslaget kan ikke føres inn."
                )
            }
        )
    return result


def unanswered(session: Session, ws: Workspace, round_id: int) -> int:
    return (
        session.scalar(
            scoped(ConsultationComment, ws.id)
            .with_only_columns(func.count())
            .where(
                ConsultationComment.round_id == round_id,
                ConsultationComment.parent_id.is_(None),
                ConsultationComment.answer.is_(None),
            )
        )
        or 0
    )


def publish_answers(
    session: Session, ws: Workspace, actor: Actor, round_id: int
) -> ConsultationRound:
    a = access(session, ws, actor, round_id)
    if not actor.can_consult:
        raise Forbidden()
    r = a.round
    if r.answers_published_at is not None:
        raise InvalidInput({"form": lazy("Svarene er allerede publisert.")})
    last = last_deadline(session, ws, r)
    if today() <= last:
        raise InvalidInput(
            {
                "form": _("Svarene publiseres etter den siste fristen ({date}).").format(
                    date=last.strftime("%d.%m.%Y")
                )
            }
        )
    missing = unanswered(session, ws, r.id)
    if missing:
        raise InvalidInput(
            {
                "form": _("{n} kommentarer og endringsforslag mangler svar.").format(n=missing)
                if missing > 1
                else _("Én kommentar eller ett endringsforslag mangler svar.")
            }
        )
    r.answers_published_at = utcnow()
    session.flush()
    # Everyone who commented hears what became of it; a guest gets the answers in the mail.
    comments = list(
        session.scalars(
            scoped(ConsultationComment, ws.id)
            .where(ConsultationComment.round_id == r.id, ConsultationComment.parent_id.is_(None))
            .order_by(ConsultationComment.id)
        )
    )
    by_person: dict[str, list[ConsultationComment]] = {}
    emails = _emails(session, {c.author_id for c in comments if c.author_id})
    for c in comments:
        email = emails.get(c.author_id or 0) or c.author_email
        if email:
            by_person.setdefault(email, []).append(c)
    for email, mine in by_person.items():
        lines = [
            f"- {text.normalise(c.body or c.proposed_text or '')[:200]}\n  "
            f"{_(ANSWER_LABELS[c.answer or 'noted'])}"
            + (f": {text.normalise(c.answer_reason or '')}" if c.answer_reason else "")
            for c in mine
        ]
        mail.enqueue(
            session,
            to=email,
            subject=_("Svar på innspillene dine: {title}").format(title=r.title),
            body=_(
                "{county} har svart på innspillene i høringen «{title}».\n\n{answers}\n\n"
                "Hele høringsoppsummeringen: {link}\n"
            ).format(
                county=ws.name,
                title=r.title,
                answers="\n".join(lines),
                link=page_url(ws, f"/hoeringer/{r.id}"),
            ),
            workspace_id=ws.id,
        )
    return r


# --- notices: one mail each, or a daily digest -----------------------------------------------


def _emails(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(
        session.execute(
            select(User.id, User.email).where(User.id.in_(user_ids), User.is_active)
        ).all()
    )


def _staff(session: Session, ws: Workspace) -> list[Membership]:
    return list(
        session.scalars(
            scoped(Membership, ws.id)
            .where(Membership.role.in_(("coordinator", "county_admin")))
            .options(selectinload(Membership.user))
        )
    )


def _notice(session: Session, ws: Workspace, m: Membership, line: str, link: str) -> None:
    if not m.user.is_active:
        return
    if m.strategy_digest:
        session.add(StrategyNotice(workspace_id=ws.id, user_id=m.user_id, text=f"{line}\n  {link}"))
        return
    mail.enqueue(
        session,
        to=m.user.email,
        subject=" ".join(line.split())[:150],
        body=f"{line}\n\n{link}\n",
        workspace_id=ws.id,
    )


def _notify_new(
    session: Session,
    ws: Workspace,
    r: ConsultationRound,
    comment: ConsultationComment,
    actor: Actor,
    parent: ConsultationComment | None,
) -> None:
    link = page_url(ws, f"/hoeringer/{r.id}#k{comment.id}")
    who = f"{comment.author_name} ({comment.author_org})"
    if parent is not None:
        line = _("{who} svarte på kommentaren din i høringen «{title}».").format(
            who=who, title=r.title
        )
        if parent.author_id and parent.author_id != actor.user_id:
            m = session.scalar(
                scoped(Membership, ws.id)
                .where(Membership.user_id == parent.author_id)
                .options(selectinload(Membership.user))
            )
            if m is not None:
                _notice(session, ws, m, line, link)
        elif (
            parent.author_id is None and parent.author_email and actor.email != parent.author_email
        ):
            mail.enqueue(
                session,
                to=parent.author_email,
                subject=line[:150],
                body=f"{line}\n",
                workspace_id=ws.id,
            )
        return
    line = (
        _("{who} foreslo en endring i høringen «{title}».")
        if comment.kind == "amendment"
        else _("{who} kommenterte i høringen «{title}».")
    ).format(who=who, title=r.title)
    for m in _staff(session, ws):
        if m.user_id != actor.user_id:
            _notice(session, ws, m, line, link)


def set_digest(session: Session, ws: Workspace, user_id: int, digest: bool) -> None:
    m = session.scalar(scoped(Membership, ws.id).where(Membership.user_id == user_id))
    if m is None:
        raise NotFound()
    m.strategy_digest = digest
    session.flush()


def digest_preference(session: Session, ws: Workspace, user_id: int) -> bool:
    m = session.scalar(scoped(Membership, ws.id).where(Membership.user_id == user_id))
    return bool(m and m.strategy_digest)


# --- the round page ---------------------------------------------------------------------------


@dataclass
class Thread:
    comment: ConsultationComment
    replies: list[ConsultationComment] = field(default_factory=list)


@dataclass
class RoundPage:
    access: Access
    sections: list[VersionSection]
    threads: dict[str, list[Thread]]  # by section key
    responses: list[FormalResponse]
    invitees: list[Invitee]
    names: dict[int, str]  # invitee id → name
    unanswered: int
    comments: int


def round_page(session: Session, ws: Workspace, actor: Actor, round_id: int) -> RoundPage:
    """Everything the round page shows, in a fixed number of queries."""
    a = access(session, ws, actor, round_id)
    sections = service.version_sections(session, ws, a.round.version_id)
    rows = list(
        session.scalars(
            scoped(ConsultationComment, ws.id)
            .where(ConsultationComment.round_id == a.round.id)
            .order_by(ConsultationComment.id)
        )
    )
    threads: dict[str, list[Thread]] = {}
    by_id: dict[int, Thread] = {}
    for c in rows:
        if c.parent_id is None:
            by_id[c.id] = Thread(c)
            threads.setdefault(c.section_key, []).append(by_id[c.id])
        elif c.parent_id in by_id:
            by_id[c.parent_id].replies.append(c)
    mine = {i.id for i in a.invitees}
    # A draft stays with its organisation (the county too sees it once it is submitted).
    responses = [
        x for x in responses_of(session, ws, a.round.id) if x.submitted_at or x.invitee_id in mine
    ]
    # The list of invitees (høringsliste) is public to the round's participants.
    invitees = invitees_of(session, ws, a.round.id)
    names = invitee_names(session, ws, invitees)
    top = [t.comment for ts in threads.values() for t in ts]
    return RoundPage(
        access=a,
        sections=sections,
        threads=threads,
        responses=responses,
        invitees=invitees,
        names=names,
        unanswered=sum(1 for c in top if c.answer is None),
        comments=len(top),
    )
