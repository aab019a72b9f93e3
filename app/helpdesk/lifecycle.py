"""A request's life: filing, the state machine, replies and internal notes, files, the
municipality's rating and the coordinators' follow-up date. Every change is recorded as an
event. Flushes, never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, text
from sqlalchemy.orm import Session

from app import clock
from app.accounts.principal import Principal
from app.counties.models import Municipality, Workspace
from app.db import utcnow
from app.errors import Forbidden, InvalidInput
from app.helpdesk import attachments, notifications
from app.helpdesk.due import refresh_due, working_minutes
from app.helpdesk.labels import STATE_LABELS
from app.helpdesk.models import (
    OPEN_STATES,
    TRANSITIONS,
    HelpRequest,
    RequestAssignee,
    RequestAttachment,
    RequestEvent,
    RequestMessage,
)
from app.helpdesk.queue import acting_user, get_request, get_workable, require_can_work
from app.helpdesk.schemas import FollowUpForm, RatingForm, ReplyForm, RequestForm
from app.i18n import _, lazy
from app.notifications import kinds
from app.tenancy import scoped


def record_event(
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
    """One line of the request's history."""
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


def file_request(
    session: Session,
    ws: Workspace,
    p: Principal,
    data: RequestForm,
    uploads: list[attachments.StoredUpload] | None = None,
) -> HelpRequest:
    """A municipality asks for help. A municipal user files for their own municipality."""
    user_id = acting_user(p)
    number = p.municipality_number or data.municipality_number
    if p.municipality_number and data.municipality_number not in (None, p.municipality_number):
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
        requester_id=user_id,
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
        attachments.store(session, ws, req, uploads, user_id=user_id)
    record_event(session, ws, req, user_id, "filed", to_state="new")
    refresh_due(session, ws, [req])
    notifications.notify_new(session, ws, req, municipality.name, receipt_to=p.email)
    return req


# The moves that end the help: the requester is told, in the conversation, what was done.
NEEDS_MESSAGE = ("resolved",)


def transition(
    session: Session, ws: Workspace, p: Principal, number: int, to_state: str, message: str = ""
) -> HelpRequest:
    """Move a request along the state machine; a refused move says which moves are allowed.

    ``message`` is posted to the requester as a reply in the conversation and is the body of
    the mail about the move; resolving needs one, so the municipality hears what was done."""
    req = get_workable(session, ws, p, number)
    message = message.strip()
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
    if to_state in ("triaged", "assigned") and not p.can("helpdesk.triage"):
        raise Forbidden(lazy("Bare koordinatorer vurderer og tildeler forespørsler."))
    if to_state == "assigned" and not req.assignees:
        raise InvalidInput({"state": lazy("Velg en hjelper i vurderingen først.")})
    if to_state in NEEDS_MESSAGE and not message:
        raise InvalidInput(
            {
                "message": lazy(
                    "Skriv en avslutningsmelding til kommunen: hva som ble gjort, og at de kan "
                    "svare hvis noe gjenstår."
                )
            }
        )
    user_id = acting_user(p)
    if message:
        _post(session, ws, p, req, user_id, message, internal=False)
    apply_transition(session, ws, req, user_id, to_state, message=message)
    return req


def apply_transition(
    session: Session,
    ws: Workspace,
    req: HelpRequest,
    actor_id: int | None,
    to_state: str,
    *,
    message: str = "",
) -> None:
    """The move itself, already allowed: times, the assignees' open flag, the event, new due
    times, and mail to the people involved (with ``message`` when the move came with one)."""
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
    record_event(session, ws, req, actor_id, "transition", from_state=from_state, to_state=to_state)
    session.flush()
    refresh_due(session, ws, [req])

    def render() -> tuple[str, str]:
        label = _(STATE_LABELS[to_state])
        news = _("Forespørselen har fått status «{state}».").format(state=label)
        return _("Status: {state}").format(state=label), (
            f"{message}\n\n{news}" if message else news
        )

    notifications.notify(session, ws, req, actor_id, kinds.STATUS, render)


def may_write(p: Principal, *, internal: bool) -> bool:
    """Who may add to a request's conversation: the help corps (internal notes need the note
    right), or the requesting municipality in public."""
    if internal:
        return p.can("helpdesk.note")
    return p.can("helpdesk.work") or p.municipality_number is not None


def require_may_write(p: Principal, req: HelpRequest, *, internal: bool) -> None:
    """:func:`may_write`, and for the help corps' public replies and files the assignment rule
    too. Internal notes are the help corps' shared workbench: any helper may leave one on any
    request (a tip for whoever has it) — they reach no one outside and change nothing."""
    if not may_write(p, internal=internal):
        raise Forbidden()
    if not internal and p.can("helpdesk.work"):
        require_can_work(p, req)


def reply(
    session: Session,
    ws: Workspace,
    p: Principal,
    number: int,
    data: ReplyForm,
    uploads: list[attachments.StoredUpload] | None = None,
) -> RequestMessage:
    """A reply (mailed to the others involved) or an internal note. The help corps' first
    public reply is the first response; the municipality's reply ends its waiting."""
    req = get_request(session, ws, p, number)
    require_may_write(p, req, internal=data.internal)
    if req.state == "closed":
        raise InvalidInput({"body": lazy("Forespørselen er lukket. Åpne den igjen før du svarer.")})
    user_id = acting_user(p)
    message = _post(session, ws, p, req, user_id, data.body.strip(), internal=data.internal)
    if uploads:
        attachments.store(
            session,
            ws,
            req,
            uploads,
            user_id=user_id,
            message_id=message.id,
            internal=data.internal,
        )
    if not data.internal:
        # the requesting municipality's answer (not a municipal helper's reply to another one)
        if p.municipality_number == req.municipality_number and (
            req.state == "waiting_for_municipality"
        ):
            apply_transition(session, ws, req, user_id, "in_progress")
        body = data.body.strip()
        notifications.notify(
            session,
            ws,
            req,
            user_id,
            kinds.REPLY,
            lambda: (_("Nytt svar: {title}").format(title=req.title), body),
        )
    return message


def _post(
    session: Session,
    ws: Workspace,
    p: Principal,
    req: HelpRequest,
    user_id: int,
    body: str,
    *,
    internal: bool,
) -> RequestMessage:
    """A message in the conversation; the help corps' first public one is the first response."""
    message = RequestMessage(
        workspace_id=ws.id,
        request_id=req.id,
        author_id=user_id,
        internal=internal,
        body=body,
        created_at=utcnow(),
    )
    session.add(message)
    session.flush()
    if not internal and p.can("helpdesk.work") and req.first_response_at is None:
        req.first_response_at = utcnow()
        req.first_response_minutes = working_minutes(ws, req.created_at, req.first_response_at)
        refresh_due(session, ws, [req])
    return message


def take(session: Session, ws: Workspace, p: Principal, number: int) -> HelpRequest:
    """A helper takes an open request no one has: it is assigned to them (a new or triaged
    request becomes assigned), and from then on they work it."""
    if session.get_bind().dialect.name == "postgresql":
        # Two helpers taking the same request at once: the second waits, then finds it taken.
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"help_request_take:{ws.id}:{number}"},
        )
    req = get_request(session, ws, p, number, may="helpdesk.work")
    user_id = acting_user(p)
    if any(a.user_id == user_id for a in req.assignees):
        raise InvalidInput({"take": lazy("Saken er allerede tildelt deg.")})
    if req.assignees:
        raise Forbidden(
            lazy("Saken er tildelt en annen hjelper. Be koordinatoren om å tildele den til deg.")
        )
    if req.state not in OPEN_STATES:
        raise InvalidInput({"take": lazy("Saken er løst eller lukket og kan ikke tas.")})
    req.assignees.append(
        RequestAssignee(
            workspace_id=ws.id, user_id=user_id, assigned_at=utcnow(), request_open=True
        )
    )
    session.flush()
    record_event(session, ws, req, user_id, "taken")
    if req.state in ("new", "triaged"):
        apply_transition(session, ws, req, user_id, "assigned")
    return req


def attach(
    session: Session,
    ws: Workspace,
    p: Principal,
    number: int,
    uploads: list[attachments.StoredUpload],
    *,
    internal: bool,
) -> list[RequestAttachment]:
    """Files added to a request on their own (the API), by the same rules as a reply."""
    req = get_request(session, ws, p, number)
    require_may_write(p, req, internal=internal)
    if req.state == "closed":
        raise InvalidInput({"files": lazy("Forespørselen er lukket. Åpne den igjen først.")})
    if not uploads:
        raise InvalidInput({"files": lazy("Velg en fil.")})
    return attachments.store(session, ws, req, uploads, user_id=acting_user(p), internal=internal)


def rate(
    session: Session, ws: Workspace, p: Principal, number: int, form: RatingForm
) -> HelpRequest:
    """The requesting municipality rates the help it got, once the request is resolved."""
    req = get_request(session, ws, p, number)
    if p.municipality_number is None or p.municipality_number != req.municipality_number:
        raise Forbidden()  # only the municipality that asked (a municipal helper sees others)
    if req.state not in ("resolved", "closed"):
        raise InvalidInput({"rating": lazy("Du kan gi vurdering når forespørselen er løst.")})
    if not 1 <= form.rating <= 5:
        raise InvalidInput({"rating": lazy("Velg fra 1 til 5.")})
    req.rating = form.rating
    req.rating_comment = form.comment.strip() or None
    record_event(session, ws, req, acting_user(p), "rating", rating=form.rating)
    session.flush()
    return req


def set_follow_up(
    session: Session, ws: Workspace, p: Principal, number: int, form: FollowUpForm
) -> HelpRequest:
    """A date on which a resolved request comes back to the coordinators, to check whether the
    benefits were realised. None clears it."""
    on = form.follow_up_on
    req = get_request(session, ws, p, number, may="helpdesk.triage")
    if req.state not in ("resolved", "closed"):
        raise InvalidInput({"follow_up_on": lazy("Oppfølging settes når forespørselen er løst.")})
    if on is not None and on <= clock.today():
        raise InvalidInput({"follow_up_on": lazy("Oppfølgingsdatoen må ligge fram i tid.")})
    req.follow_up_on = on
    record_event(session, ws, req, acting_user(p), "follow_up", on=on.isoformat() if on else None)
    session.flush()
    return req
