"""Hjelpekorps: filing, the queue, triage with helper suggestions, the state machine, replies
and internal notes, ratings, and e-mail to the people involved. Flushes, never commits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session, selectinload

from app import clock
from app.accounts.models import Membership, User
from app.config import get_settings
from app.counties.models import Municipality, Workspace
from app.db import utcnow
from app.errors import Forbidden, InvalidInput, NotFound
from app.helpdesk import attachments, sla
from app.helpdesk.models import (
    OPEN_STATES,
    HelperProfile,
    HelpRequest,
    RequestAssignee,
    RequestEvent,
    RequestMessage,
)
from app.helpdesk.schemas import ReplyForm, RequestForm, TriageForm
from app.i18n import _, lazy
from app.mail import service as mail
from app.tenancy import scoped

# The state machine. Reopening a resolved or closed request takes it back to in_progress.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("triaged",),
    "triaged": ("assigned",),
    "assigned": ("in_progress",),
    "in_progress": ("waiting_for_municipality", "resolved"),
    "waiting_for_municipality": ("in_progress",),
    "resolved": ("closed", "in_progress"),
    "closed": ("in_progress",),
}
STATE_LABELS = {
    "new": lazy("Ny"),
    "triaged": lazy("Vurdert"),
    "assigned": lazy("Tildelt"),
    "in_progress": lazy("Under arbeid"),
    "waiting_for_municipality": lazy("Venter på kommunen"),
    "resolved": lazy("Løst"),
    "closed": lazy("Lukket"),
}
CATEGORY_LABELS = {
    "funding": lazy("Søknad om midler"),
    "service_design": lazy("Innovasjon og tjenestedesign"),
    "reuse": lazy("Ta i bruk en annen kommunes løsning"),
    "benefits": lazy("Gevinstrealisering"),
    "digitalisation": lazy("Digitalisering"),
    "procurement": lazy("Innkjøp"),
    "climate": lazy("Klima"),
    "other": lazy("Annet"),
}
PRIORITY_LABELS = {
    "low": lazy("Lav"),
    "normal": lazy("Normal"),
    "high": lazy("Høy"),
    "urgent": lazy("Haster"),
}


@dataclass(frozen=True)
class Viewer:
    """Who looks at the hjelpekorps, reduced to what the rules need."""

    user_id: int
    municipality_number: str | None  # set for a municipal user: they see only their own
    can_see_all: bool
    can_note: bool  # may write and read internal notes
    can_work: bool  # may change state and reply on behalf of the help corps
    can_triage: bool


def reference(req: HelpRequest) -> str:
    return f"HK-{req.number}"


# --- reading -------------------------------------------------------------------------------


def _visible(ws: Workspace, viewer: Viewer) -> Any:
    query = scoped(HelpRequest, ws.id)
    if not viewer.can_see_all:
        if viewer.municipality_number is None:
            raise Forbidden()
        query = query.where(HelpRequest.municipality_number == viewer.municipality_number)
    return query


def get_request(session: Session, ws: Workspace, viewer: Viewer, number: int) -> HelpRequest:
    req = session.scalar(
        _visible(ws, viewer)
        .where(HelpRequest.number == number)
        .options(
            selectinload(HelpRequest.municipality),
            selectinload(HelpRequest.requester),
            selectinload(HelpRequest.assignees).selectinload(RequestAssignee.user),
        )
    )
    if req is None:
        raise NotFound()
    return req


def _assigned(ws: Workspace) -> Any:
    """Correlated: the assignees of the outer query's request."""
    return (
        scoped(RequestAssignee, ws.id)
        .where(RequestAssignee.request_id == HelpRequest.id)
        .with_only_columns(RequestAssignee.id)
    )


@dataclass
class QueueFilter:
    view: str = "all"  # all, unassigned, mine, follow_up
    state: str | None = None
    category: str | None = None
    priority: str | None = None
    municipality_number: str | None = None
    size_class: int | None = None
    helper_id: int | None = None
    q: str | None = None
    before_id: int | None = None
    open_only: bool = False


@dataclass
class QueuePage:
    rows: list[HelpRequest]
    next_before: int | None
    counts: dict[str, int] = field(default_factory=dict)


def queue(
    session: Session, ws: Workspace, viewer: Viewer, f: QueueFilter, limit: int = 50
) -> QueuePage:
    """A page of requests, newest first, with keyset pagination on id."""
    query = _visible(ws, viewer)
    if f.view == "follow_up":
        query = query.where(
            HelpRequest.follow_up_on.is_not(None), HelpRequest.follow_up_on <= clock.today()
        )
    elif f.view == "unassigned":
        # NOT EXISTS, not NOT IN: PostgreSQL runs it as an anti-join however many rows there are.
        query = query.where(HelpRequest.state.in_(OPEN_STATES), ~_assigned(ws).exists())
    elif f.view == "mine":
        mine = (
            scoped(RequestAssignee, ws.id)
            .where(RequestAssignee.user_id == viewer.user_id)
            .with_only_columns(RequestAssignee.request_id)
        )
        query = query.where(HelpRequest.id.in_(mine))
    elif f.view == "overdue":
        query = query.where(overdue_clause(utcnow()))
    if f.helper_id:
        theirs = (
            scoped(RequestAssignee, ws.id)
            .where(RequestAssignee.user_id == f.helper_id)
            .with_only_columns(RequestAssignee.request_id)
        )
        query = query.where(HelpRequest.id.in_(theirs))
    if f.size_class:
        from app.counties.service import settings_of, size_classes

        cls = next((c for c in size_classes(settings_of(ws)) if c.index == f.size_class), None)
        if cls is not None:
            in_class = select(Municipality.number).where(
                Municipality.county_number == ws.county_number
            )
            if cls.lower is not None:
                in_class = in_class.where(Municipality.population >= cls.lower)
            if cls.upper is not None:
                in_class = in_class.where(Municipality.population < cls.upper)
            query = query.where(HelpRequest.municipality_number.in_(in_class))
    if f.open_only:
        query = query.where(HelpRequest.state.in_(OPEN_STATES))
    if f.state:
        query = query.where(HelpRequest.state == f.state)
    if f.category:
        query = query.where(HelpRequest.category == f.category)
    if f.priority:
        query = query.where(HelpRequest.priority == f.priority)
    if f.municipality_number:
        query = query.where(HelpRequest.municipality_number == f.municipality_number)
    if f.q and f.q.strip():
        term = f"%{f.q.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(HelpRequest.title).like(term),
                func.lower(HelpRequest.description).like(term),
            )
        )
    if f.before_id:
        query = query.where(HelpRequest.id < f.before_id)
    rows = list(
        session.scalars(
            query.order_by(HelpRequest.id.desc())
            .limit(limit + 1)
            .options(
                selectinload(HelpRequest.municipality),
                selectinload(HelpRequest.assignees).selectinload(RequestAssignee.user),
            )
        )
    )
    next_before = rows[limit - 1].id if len(rows) > limit else None
    return QueuePage(rows=rows[:limit], next_before=next_before)


@dataclass
class RequestDetail:
    request: HelpRequest
    messages: list[RequestMessage]
    events: list[RequestEvent]
    allowed: tuple[str, ...]


def detail(session: Session, ws: Workspace, viewer: Viewer, number: int) -> RequestDetail:
    req = get_request(session, ws, viewer, number)
    messages_q = (
        scoped(RequestMessage, ws.id)
        .where(RequestMessage.request_id == req.id)
        .order_by(RequestMessage.id)
        .options(selectinload(RequestMessage.author))
    )
    if not viewer.can_note:
        messages_q = messages_q.where(RequestMessage.internal.is_(False))
    events = list(
        session.scalars(
            scoped(RequestEvent, ws.id)
            .where(RequestEvent.request_id == req.id)
            .order_by(RequestEvent.id)
            .options(selectinload(RequestEvent.actor))
        )
    )
    allowed = TRANSITIONS.get(req.state, ()) if viewer.can_work else ()
    if not viewer.can_triage:
        allowed = tuple(s for s in allowed if s not in ("triaged", "assigned"))
    elif not req.assignees:
        allowed = tuple(s for s in allowed if s != "assigned")
    return RequestDetail(req, list(session.scalars(messages_q)), events, allowed)


# --- writing -------------------------------------------------------------------------------


def _next_number(session: Session, ws: Workspace) -> int:
    if session.get_bind().dialect.name == "postgresql":
        # One numbering at a time per workspace (SQLite: BEGIN IMMEDIATE serialises already).
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"help_request_number:{ws.id}"},
        )
    current = session.scalar(
        scoped(HelpRequest, ws.id).with_only_columns(func.max(HelpRequest.number))
    )
    return (current or 0) + 1


def _event(
    session: Session,
    ws: Workspace,
    req: HelpRequest,
    actor_id: int | None,
    kind: str,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    **detail: Any,
) -> None:
    session.add(
        RequestEvent(
            workspace_id=ws.id,
            request_id=req.id,
            actor_id=actor_id,
            at=utcnow(),
            kind=kind,
            from_state=from_state,
            to_state=to_state,
            detail=detail,
        )
    )


def file_request(
    session: Session,
    ws: Workspace,
    viewer: Viewer,
    data: RequestForm,
    uploads: list[attachments.Upload] | None = None,
) -> HelpRequest:
    """A municipality asks for help. A municipal user files for their own municipality."""
    number = viewer.municipality_number or data.municipality_number
    if viewer.municipality_number and data.municipality_number not in (
        None,
        viewer.municipality_number,
    ):
        raise Forbidden(lazy("Du kan bare be om hjelp for din egen kommune."))
    if not number:
        raise InvalidInput({"municipality_number": lazy("Velg kommunen som trenger hjelp.")})
    municipality = session.get(Municipality, number)
    if municipality is None or municipality.county_number != ws.county_number:
        raise InvalidInput({"municipality_number": lazy("Kommunen ligger ikke i dette fylket.")})
    req = HelpRequest(
        workspace_id=ws.id,
        number=_next_number(session, ws),
        municipality_number=number,
        requester_id=viewer.user_id,
        title=data.title.strip(),
        description=data.description.strip(),
        category=data.category,
        urgency=data.urgency,
        priority=data.urgency,
        on_site=data.on_site,
        state="new",
        assignees=[],
    )
    session.add(req)
    session.flush()
    if uploads:
        attachments.store(session, ws, req, uploads, user_id=viewer.user_id)
    _event(session, ws, req, viewer.user_id, "filed", to_state="new")
    refresh_due(session, ws, [req])
    _notify_staff_of_new(session, ws, req, municipality.name)
    return req


def transition(
    session: Session, ws: Workspace, viewer: Viewer, number: int, to_state: str
) -> HelpRequest:
    req = get_request(session, ws, viewer, number)
    if not viewer.can_work:
        raise Forbidden()
    allowed = TRANSITIONS.get(req.state, ())
    if to_state not in allowed:
        names = ", ".join(f"«{_(STATE_LABELS[s])}»" for s in allowed) or "–"
        raise InvalidInput(
            {
                "state": _(
                    "Kan ikke gå fra «{current}» til «{wanted}». Tillatt herfra: {allowed}."
                ).format(
                    current=_(STATE_LABELS[req.state]),
                    wanted=_(STATE_LABELS.get(to_state, to_state)),
                    allowed=names,
                )
            }
        )
    if to_state in ("triaged", "assigned") and not viewer.can_triage:
        raise Forbidden(lazy("Bare koordinatorer vurderer og tildeler forespørsler."))
    if to_state == "assigned" and not req.assignees:
        raise InvalidInput({"state": lazy("Velg en hjelper i vurderingen først.")})
    _apply_transition(session, ws, req, viewer.user_id, to_state)
    return req


def _apply_transition(
    session: Session, ws: Workspace, req: HelpRequest, actor_id: int | None, to_state: str
) -> None:
    from_state = req.state
    req.state = to_state
    for a in req.assignees:
        a.request_open = to_state in OPEN_STATES
    now = utcnow()
    if to_state == "resolved":
        req.resolved_at = now
        req.resolution_minutes = working_minutes(ws, req.created_at, now)
    if to_state == "closed":
        req.closed_at = now
    if to_state == "in_progress" and from_state in ("resolved", "closed"):
        req.resolved_at = None
        req.resolution_minutes = None
        req.closed_at = None
    _event(session, ws, req, actor_id, "transition", from_state=from_state, to_state=to_state)
    session.flush()
    refresh_due(session, ws, [req])
    _notify(
        session,
        ws,
        req,
        actor_id,
        _("Status: {state}").format(state=_(STATE_LABELS[to_state])),
        _("Forespørselen har fått status «{state}».").format(state=_(STATE_LABELS[to_state])),
    )


def helpers(session: Session, ws: Workspace) -> list[Membership]:
    """Members who may be assigned: helpers, coordinators and admins."""
    return list(
        session.scalars(
            scoped(Membership, ws.id)
            .where(Membership.role.in_(("helper", "coordinator", "county_admin")))
            .join(User, User.id == Membership.user_id)
            .where(User.is_active.is_(True))
            .order_by(User.name)
            .options(selectinload(Membership.user))
        )
    )


def triage(
    session: Session, ws: Workspace, viewer: Viewer, number: int, data: TriageForm
) -> HelpRequest:
    req = get_request(session, ws, viewer, number)  # another's request: 404, before any 403
    if not viewer.can_triage:
        raise Forbidden()
    if req.state in ("resolved", "closed"):
        raise InvalidInput(
            {"state": lazy("En løst eller lukket forespørsel vurderes ikke på nytt.")}
        )
    eligible = {m.user_id for m in helpers(session, ws)}
    unknown = [uid for uid in data.assignees if uid not in eligible]
    if unknown:
        raise InvalidInput({"assignees": lazy("Ukjent hjelper.")})
    changes: dict[str, Any] = {}
    if req.category != data.category:
        changes["category"] = [req.category, data.category]
        req.category = data.category
    if req.priority != data.priority:
        changes["priority"] = [req.priority, data.priority]
        req.priority = data.priority
    current = {a.user_id for a in req.assignees}
    wanted = set(data.assignees)
    for a in list(req.assignees):
        if a.user_id not in wanted:
            req.assignees.remove(a)
    added = wanted - current
    for uid in sorted(added):
        req.assignees.append(RequestAssignee(workspace_id=ws.id, user_id=uid, assigned_at=utcnow()))
    session.flush()
    if changes or added or (current - wanted):
        _event(session, ws, req, viewer.user_id, "triage", **changes, assignees=sorted(wanted))
    if "priority" in changes:
        refresh_due(session, ws, [req])
    if req.state == "new":
        _apply_transition(session, ws, req, viewer.user_id, "triaged")
    if wanted and req.state == "triaged":
        _apply_transition(session, ws, req, viewer.user_id, "assigned")
    if not wanted and req.state == "assigned":
        _apply_transition(session, ws, req, viewer.user_id, "triaged")
    if added:
        users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(added)))}
        for uid in added:
            _mail(
                session,
                ws,
                req,
                users[uid].email,
                _("Tildelt deg: {title}").format(title=req.title),
                _("Du er satt til å hjelpe {municipality} med «{title}».").format(
                    municipality=req.municipality.name, title=req.title
                ),
            )
    return req


def reply(
    session: Session,
    ws: Workspace,
    viewer: Viewer,
    number: int,
    data: ReplyForm,
    uploads: list[attachments.Upload] | None = None,
) -> RequestMessage:
    req = get_request(session, ws, viewer, number)
    if not may_write(viewer, internal=data.internal):
        raise Forbidden()
    if req.state == "closed":
        raise InvalidInput({"body": lazy("Forespørselen er lukket. Åpne den igjen før du svarer.")})
    message = RequestMessage(
        workspace_id=ws.id,
        request_id=req.id,
        author_id=viewer.user_id,
        internal=data.internal,
        body=data.body.strip(),
        created_at=utcnow(),
    )
    session.add(message)
    session.flush()
    if uploads:
        attachments.store(
            session,
            ws,
            req,
            uploads,
            user_id=viewer.user_id,
            message_id=message.id,
            internal=data.internal,
        )
    if not data.internal:
        if viewer.can_work and req.first_response_at is None:
            req.first_response_at = utcnow()
            req.first_response_minutes = working_minutes(ws, req.created_at, req.first_response_at)
            refresh_due(session, ws, [req])
        if viewer.municipality_number and req.state == "waiting_for_municipality":
            _apply_transition(session, ws, req, viewer.user_id, "in_progress")
        _notify(
            session,
            ws,
            req,
            viewer.user_id,
            _("Nytt svar: {title}").format(title=req.title),
            data.body.strip(),
        )
    return message


def may_write(viewer: Viewer, *, internal: bool) -> bool:
    """Who may add to a request's conversation: the help corps (internal notes need the note
    right), or the requesting municipality in public."""
    if internal:
        return viewer.can_note
    return viewer.can_work or viewer.municipality_number is not None


def attach(
    session: Session,
    ws: Workspace,
    viewer: Viewer,
    number: int,
    uploads: list[attachments.Upload],
    *,
    internal: bool,
) -> list[Any]:
    """Files added to a request on their own (the API), by the same rules as a reply."""
    req = get_request(session, ws, viewer, number)
    if not may_write(viewer, internal=internal):
        raise Forbidden()
    if req.state == "closed":
        raise InvalidInput({"files": lazy("Forespørselen er lukket. Åpne den igjen først.")})
    if not uploads:
        raise InvalidInput({"files": lazy("Velg en fil.")})
    return attachments.store(session, ws, req, uploads, user_id=viewer.user_id, internal=internal)


def rate(
    session: Session, ws: Workspace, viewer: Viewer, number: int, rating: int, comment: str
) -> HelpRequest:
    req = get_request(session, ws, viewer, number)
    if viewer.municipality_number is None:
        raise Forbidden()  # the municipality rates the help it got
    if req.state not in ("resolved", "closed"):
        raise InvalidInput({"rating": lazy("Du kan gi vurdering når forespørselen er løst.")})
    if not 1 <= rating <= 5:
        raise InvalidInput({"rating": lazy("Velg fra 1 til 5.")})
    req.rating = rating
    req.rating_comment = comment.strip() or None
    _event(session, ws, req, viewer.user_id, "rating", rating=rating)
    session.flush()
    return req


def set_follow_up(
    session: Session, ws: Workspace, viewer: Viewer, number: int, on: Any
) -> HelpRequest:
    """A date on which a resolved request comes back to the coordinators, to check whether the
    benefits were realised. None clears it."""
    req = get_request(session, ws, viewer, number)
    if not viewer.can_triage:
        raise Forbidden()
    if req.state not in ("resolved", "closed"):
        raise InvalidInput({"follow_up_on": lazy("Oppfølging settes når forespørselen er løst.")})
    if on is not None and on <= clock.today():
        raise InvalidInput({"follow_up_on": lazy("Oppfølgingsdatoen må ligge fram i tid.")})
    req.follow_up_on = on
    _event(session, ws, req, viewer.user_id, "follow_up", on=on.isoformat() if on else None)
    session.flush()
    return req


# --- helper suggestions --------------------------------------------------------------------


@dataclass
class Suggestion:
    user: User
    score: tuple[int, int, int]
    reasons: list[str]


def suggest_helpers(session: Session, ws: Workspace, req: HelpRequest) -> list[Suggestion]:
    """Helpers ranked by matching competence, then load, then nearness (same council)."""
    from app.networks.models import Body, BodyMembership

    members = helpers(session, ws)
    profiles = {
        p.user_id: p
        for p in session.scalars(
            scoped(HelperProfile, ws.id).options(selectinload(HelperProfile.home_municipality))
        )
    }
    loads = open_loads(session, ws)
    councils_of: dict[str, set[int]] = defaultdict(set)
    for number, body_id in session.execute(
        scoped(BodyMembership, ws.id)
        .join(Body, Body.id == BodyMembership.body_id)
        .where(
            Body.kind == "council",
            or_(BodyMembership.start_date.is_(None), BodyMembership.start_date <= clock.today()),
            or_(BodyMembership.end_date.is_(None), BodyMembership.end_date >= clock.today()),
        )
        .with_only_columns(BodyMembership.municipality_number, BodyMembership.body_id)
    ):
        if number:
            councils_of[number].add(body_id)
    target_councils = councils_of.get(req.municipality_number, set())
    out = []
    for m in members:
        profile = profiles.get(m.user_id)
        competences = set(profile.competences if profile else [])
        match = 1 if req.category in competences else 0
        load = loads.get(m.user_id, 0)
        home = profile.home_municipality_number if profile else None
        near = (
            1
            if home
            and (home == req.municipality_number or councils_of.get(home, set()) & target_councils)
            else 0
        )
        reasons = []
        if match:
            reasons.append(
                _("kan {category}").format(category=_(CATEGORY_LABELS[req.category]).lower())
            )
        reasons.append(ngettext_load(load))
        if near and profile and profile.home_municipality:
            reasons.append(
                _("hører til {place}, i samme regionråd").format(
                    place=profile.home_municipality.name
                )
            )
        out.append(Suggestion(user=m.user, score=(-match, load, -near), reasons=reasons))
    out.sort(key=lambda s: (s.score, s.user.name))
    return out


def open_loads(session: Session, ws: Workspace) -> dict[int, int]:
    """Open requests per assigned user, in one query."""
    loads: dict[int, int] = defaultdict(int)
    # The flag, not a join to help_request: an index-only count however long the history is.
    for user_id, n in session.execute(
        scoped(RequestAssignee, ws.id)
        .where(RequestAssignee.request_open)
        .with_only_columns(RequestAssignee.user_id, func.count())
        .group_by(RequestAssignee.user_id)
    ):
        loads[user_id] = n
    return loads


def ngettext_load(load: int) -> str:
    from app.i18n import ngettext

    return ngettext("%(num)d åpen sak", "%(num)d åpne saker", load) % {"num": load}


# --- e-mail --------------------------------------------------------------------------------


def _thread_id(ws: Workspace, req: HelpRequest) -> str:
    return f"<hjelp-{ws.slug}-{req.number}@samspill>"


def _mail(
    session: Session,
    ws: Workspace,
    req: HelpRequest,
    to: str,
    subject: str,
    body: str,
    *,
    first: bool = False,
) -> None:
    link = f"{get_settings().base_url.rstrip('/')}/{ws.slug}/hjelp/{req.number}"
    thread = _thread_id(ws, req)
    headers = {"Message-ID": thread} if first else {"In-Reply-To": thread, "References": thread}
    subject = " ".join(subject.split())  # a header is one line, whatever the text holds
    mail.enqueue(
        session,
        to=to,
        subject=f"[{reference(req)}] {subject}",
        body=_("{body}\n\nSe forespørselen: {link}\n").format(body=body, link=link),
        workspace_id=ws.id,
        headers=headers,
    )


def notify_about(
    session: Session,
    ws: Workspace,
    req: HelpRequest,
    actor_id: int | None,
    subject: str,
    body: str,
    extra_user_ids: set[int] | None = None,
) -> None:
    """Mail the requester, the assignees and anyone else named, except the actor."""
    _notify(session, ws, req, actor_id, subject, body, extra_user_ids)


def _notify(
    session: Session,
    ws: Workspace,
    req: HelpRequest,
    actor_id: int | None,
    subject: str,
    body: str,
    extra_user_ids: set[int] | None = None,
) -> None:
    """The requester and the assignees, except whoever made the change."""
    ids = {a.user_id for a in req.assignees} | (extra_user_ids or set())
    if req.requester_id:
        ids.add(req.requester_id)
    ids.discard(actor_id or -1)
    if not ids:
        return
    members = scoped(Membership, ws.id).where(Membership.user_id.in_(ids))
    for m in session.scalars(members.options(selectinload(Membership.user))):
        if not m.user.is_active:
            continue
        # Former members get nothing; a municipal user only about their own municipality.
        if m.role == "municipal" and m.municipality_number != req.municipality_number:
            continue
        _mail(session, ws, req, m.user.email, subject, body)


def _notify_staff_of_new(session: Session, ws: Workspace, req: HelpRequest, place: str) -> None:
    coordinators = session.scalars(
        scoped(Membership, ws.id)
        .where(Membership.role.in_(("coordinator", "county_admin")))
        .options(selectinload(Membership.user))
    )
    # One message to the coordinators starts the thread (its Message-ID is the thread id);
    # the requester's receipt and every later mail refer to it.
    for m in coordinators:
        if m.user_id == req.requester_id or not m.user.is_active:
            continue
        _mail(
            session,
            ws,
            req,
            m.user.email,
            _("Ny forespørsel fra {place}: {title}").format(place=place, title=req.title),
            req.description,
            first=True,
        )
    if req.requester_id:
        requester = session.get(User, req.requester_id)
        if requester is not None:
            _mail(
                session,
                ws,
                req,
                requester.email,
                _("Vi har fått forespørselen din: {title}").format(title=req.title),
                _("Takk! Hjelpekorpset ser på saken og svarer deg her."),
            )


# --- service levels ------------------------------------------------------------------------


def service_levels(session: Session, ws: Workspace, requests: list[HelpRequest]) -> dict[int, Any]:
    """Due times for first response and resolution, in working hours, per request id. One
    query for the waiting periods of all the requests given."""
    if not requests:
        return {}
    waits: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
    opened: dict[int, Any] = {}
    events = session.execute(
        scoped(RequestEvent, ws.id)
        .where(
            RequestEvent.request_id.in_([r.id for r in requests]),
            RequestEvent.kind == "transition",
            or_(
                RequestEvent.to_state == "waiting_for_municipality",
                RequestEvent.from_state == "waiting_for_municipality",
            ),
        )
        .order_by(RequestEvent.id)
        .with_only_columns(RequestEvent.request_id, RequestEvent.to_state, RequestEvent.at)
    ).all()
    for request_id, to_state, at in events:
        at = at
        if to_state == "waiting_for_municipality":
            opened[request_id] = at
        elif request_id in opened:
            waits[request_id].append((opened.pop(request_id), at))
    for request_id, start in opened.items():
        waits[request_id].append((start, None))
    now = utcnow()
    levels = levels_of(ws)
    return {
        r.id: sla.due_times(
            created_at=r.created_at,
            priority=r.priority,
            first_response_at=r.first_response_at if r.first_response_at else None,
            resolved_at=r.resolved_at if r.resolved_at else None,
            waits=waits.get(r.id, []),
            now=now,
            levels=levels,
        )
        for r in requests
    }


def levels_of(ws: Workspace) -> sla.SlaSettings:
    from app.counties.service import settings_of

    return settings_of(ws).helpdesk


def working_minutes(ws: Workspace, start: Any, end: Any) -> int:
    """Working minutes between two moments in the workspace's working day."""
    return round(levels_of(ws).calendar().minutes_between(start, end))


def refresh_due(session: Session, ws: Workspace, requests: list[HelpRequest]) -> None:
    """Store the due times, so that the overdue view and figures are queries. While a request
    waits for the municipality its resolution clock stands still: no resolution due time."""
    session.flush()
    due = service_levels(session, ws, requests)
    for r in requests:
        d = due[r.id]
        # In UTC: SQLite keeps no offset, and the overdue query compares with UTC now.
        r.first_response_due_at = d.first_response_due.astimezone(UTC)
        r.resolution_due_at = (
            None
            if r.state in ("waiting_for_municipality", "resolved", "closed")
            else d.resolution_due.astimezone(UTC)
        )
    session.flush()


def fill_missing_derived(session: Session, ws: Workspace) -> int:
    """Requests filed before due times and working minutes were stored get them now."""
    missing = list(
        session.scalars(
            scoped(HelpRequest, ws.id).where(
                or_(
                    and_(
                        HelpRequest.state.in_(OPEN_STATES),
                        HelpRequest.first_response_due_at.is_(None),
                    ),
                    and_(
                        HelpRequest.first_response_at.is_not(None),
                        HelpRequest.first_response_minutes.is_(None),
                    ),
                    and_(
                        HelpRequest.resolved_at.is_not(None),
                        HelpRequest.resolution_minutes.is_(None),
                    ),
                )
            )
        )
    )
    for r in missing:
        if r.first_response_at is not None and r.first_response_minutes is None:
            r.first_response_minutes = working_minutes(ws, r.created_at, r.first_response_at)
        if r.resolved_at is not None and r.resolution_minutes is None:
            r.resolution_minutes = working_minutes(ws, r.created_at, r.resolved_at)
    open_ones = [r for r in missing if r.state in OPEN_STATES]
    for start in range(0, len(open_ones), 500):
        refresh_due(session, ws, open_ones[start : start + 500])
    session.flush()
    return len(missing)


def refresh_all_due(session: Session, ws: Workspace) -> int:
    """After the service levels change: new due times for every open request."""
    open_requests = list(
        session.scalars(scoped(HelpRequest, ws.id).where(HelpRequest.state.in_(OPEN_STATES)))
    )
    for start in range(0, len(open_requests), 500):
        refresh_due(session, ws, open_requests[start : start + 500])
    return len(open_requests)


def is_overdue(req: HelpRequest, now: Any) -> bool:
    """The same rule as ``overdue_clause``, for a request already loaded."""
    if req.state not in OPEN_STATES:
        return False
    first_due = req.first_response_due_at if req.first_response_due_at else None
    resolution_due = req.resolution_due_at if req.resolution_due_at else None
    return bool(
        (req.first_response_at is None and first_due is not None and first_due < now)
        or (resolution_due is not None and resolution_due < now)
    )


def overdue_clause(now: Any) -> Any:
    """Open requests past a due time: no first response in time, or not resolved in time."""
    return and_(
        HelpRequest.state.in_(OPEN_STATES),
        or_(
            and_(
                HelpRequest.first_response_at.is_(None),
                HelpRequest.first_response_due_at < now,
            ),
            HelpRequest.resolution_due_at < now,
        ),
    )


@dataclass
class HelpdeskFigures:
    open: int
    unassigned: int
    overdue: int


def overview_figures(session: Session, ws: Workspace) -> HelpdeskFigures:
    """What the hjelpekorps adds to the workspace's start page."""
    row = session.execute(
        scoped(HelpRequest, ws.id)
        .where(HelpRequest.state.in_(OPEN_STATES))
        .with_only_columns(
            func.count(HelpRequest.id),
            func.count(HelpRequest.id).filter(~_assigned(ws).exists()),
            func.count(HelpRequest.id).filter(overdue_clause(utcnow())),
        )
    ).one()
    return HelpdeskFigures(open=row[0] or 0, unassigned=row[1] or 0, overdue=row[2] or 0)
