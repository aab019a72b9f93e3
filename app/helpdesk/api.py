"""JSON API of the hjelpekorps: the queue, filing, a request with its messages and history,
replies and notes, state changes, triage, ratings and the helpers who may be assigned."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from app.accounts.deps import Context, DbSession, api_require
from app.accounts.models import User
from app.db import as_aware
from app.errors import InvalidInput
from app.helpdesk import service
from app.helpdesk.models import CATEGORIES, STATES, HelpRequest, RequestEvent, RequestMessage
from app.helpdesk.schemas import RatingForm, ReplyForm, RequestForm, TriageForm
from app.helpdesk.views import viewer_of
from app.i18n import _

router = APIRouter(tags=["helpdesk"])

Reader = Annotated[Context, Depends(api_require("helpdesk.read"))]
Filer = Annotated[Context, Depends(api_require("helpdesk.file"))]
Triager = Annotated[Context, Depends(api_require("helpdesk.triage"))]

VIEWS = ("all", "unassigned", "mine")


# --- schemas -------------------------------------------------------------------------------


class UserRef(BaseModel):
    id: int
    name: str


class RequestSummary(BaseModel):
    number: int
    title: str
    state: str
    category: str
    priority: str
    urgency: str
    on_site: bool
    municipality_number: str
    municipality_name: str
    created_at: datetime
    assignees: list[UserRef]


class RequestPage(BaseModel):
    items: list[RequestSummary]
    next_before: int | None = Field(description="Pass as `before` for the next page.")


class RequestRead(RequestSummary):
    description: str
    requester: UserRef | None
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    follow_up_on: date | None
    rating: int | None
    rating_comment: str | None


class MessageRead(BaseModel):
    id: int
    author: UserRef | None
    internal: bool
    body: str
    created_at: datetime


class EventRead(BaseModel):
    id: int
    at: datetime
    actor: UserRef | None
    kind: str
    from_state: str | None
    to_state: str | None
    detail: dict[str, Any]


class RequestDetailRead(RequestRead):
    messages: list[MessageRead]
    events: list[EventRead]
    allowed_transitions: list[str]


class TransitionForm(BaseModel):
    state: str = Field(max_length=30)


# --- mapping -------------------------------------------------------------------------------


def _user(user: User | None) -> UserRef | None:
    return UserRef(id=user.id, name=user.name) if user is not None else None


def _aware(value: datetime | None) -> datetime | None:
    return as_aware(value) if value is not None else None


def _summary_fields(req: HelpRequest) -> dict[str, Any]:
    """``req.municipality`` and ``req.assignees`` with their users must be loaded."""
    return {
        "number": req.number,
        "title": req.title,
        "state": req.state,
        "category": req.category,
        "priority": req.priority,
        "urgency": req.urgency,
        "on_site": req.on_site,
        "municipality_number": req.municipality_number,
        "municipality_name": req.municipality.name,
        "created_at": as_aware(req.created_at),
        "assignees": [UserRef(id=a.user.id, name=a.user.name) for a in req.assignees],
    }


def _read_fields(req: HelpRequest) -> dict[str, Any]:
    """As ``_summary_fields``, and ``req.requester`` must be loaded too."""
    return {
        **_summary_fields(req),
        "description": req.description,
        "requester": _user(req.requester),
        "updated_at": as_aware(req.updated_at),
        "first_response_at": _aware(req.first_response_at),
        "resolved_at": _aware(req.resolved_at),
        "closed_at": _aware(req.closed_at),
        "follow_up_on": req.follow_up_on,
        "rating": req.rating,
        "rating_comment": req.rating_comment,
    }


def _message(m: RequestMessage) -> MessageRead:
    return MessageRead(
        id=m.id,
        author=_user(m.author),
        internal=m.internal,
        body=m.body,
        created_at=as_aware(m.created_at),
    )


def _event(e: RequestEvent) -> EventRead:
    return EventRead(
        id=e.id,
        at=as_aware(e.at),
        actor=_user(e.actor),
        kind=e.kind,
        from_state=e.from_state,
        to_state=e.to_state,
        detail=e.detail or {},
    )


def _reread(session: DbSession, ctx: Context, req: HelpRequest) -> RequestRead:
    """The request as the caller now sees it after a change, with what the response needs
    (municipality, requester, assignees' users) loaded by the service."""
    fresh = service.get_request(session, ctx.workspace, viewer_of(ctx), req.number)
    return RequestRead(**_read_fields(fresh))


# --- routes --------------------------------------------------------------------------------


@router.get("/{workspace_slug}/helpdesk/requests", response_model=RequestPage)
def list_requests(
    session: DbSession,
    ctx: Reader,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[int | None, Query(ge=1)] = None,
    view: Annotated[str, Query(max_length=20)] = "all",
    state: Annotated[str | None, Query(max_length=30)] = None,
    category: Annotated[str | None, Query(max_length=30)] = None,
    municipality: Annotated[str | None, Query(max_length=4)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> RequestPage:
    """Requests the caller may see, newest first, keyset paged by `before` (a `next_before`)."""
    errors: dict[str, str] = {}
    for name, value, allowed in (
        ("view", view, VIEWS),
        ("state", state, STATES),
        ("category", category, CATEGORIES),
    ):
        if value is not None and value not in allowed:
            errors[name] = _("Ukjent verdi «{value}». Gyldige verdier: {allowed}.").format(
                value=value, allowed=", ".join(allowed)
            )
    if errors:
        raise InvalidInput(errors)
    f = service.QueueFilter(
        view=view,
        state=state,
        category=category,
        municipality_number=municipality or None,
        q=q,
        before_id=before,
    )
    page = service.queue(session, ctx.workspace, viewer_of(ctx), f, limit=limit)
    return RequestPage(
        items=[RequestSummary(**_summary_fields(r)) for r in page.rows],
        next_before=page.next_before,
    )


@router.post("/{workspace_slug}/helpdesk/requests", response_model=RequestRead, status_code=201)
def file_request(session: DbSession, ctx: Filer, data: RequestForm) -> RequestRead:
    """File a request for help; a municipal user files for their own municipality."""
    req = service.file_request(session, ctx.workspace, viewer_of(ctx), data)
    return _reread(session, ctx, req)


@router.get("/{workspace_slug}/helpdesk/requests/{number}", response_model=RequestDetailRead)
def read_request(session: DbSession, ctx: Reader, number: int) -> RequestDetailRead:
    """One request with its messages (internal notes only for the help corps) and history."""
    d = service.detail(session, ctx.workspace, viewer_of(ctx), number)
    return RequestDetailRead(
        **_read_fields(d.request),
        messages=[_message(m) for m in d.messages],
        events=[_event(e) for e in d.events] if viewer_of(ctx).can_work else [],
        allowed_transitions=list(d.allowed),
    )


@router.post(
    "/{workspace_slug}/helpdesk/requests/{number}/messages",
    response_model=MessageRead,
    status_code=201,
)
def post_message(session: DbSession, ctx: Reader, number: int, data: ReplyForm) -> MessageRead:
    """Reply to a request, or (the help corps only) add an internal note."""
    message = service.reply(session, ctx.workspace, viewer_of(ctx), number, data)
    return MessageRead(
        id=message.id,
        author=UserRef(id=ctx.user.id, name=ctx.user.name),
        internal=message.internal,
        body=message.body,
        created_at=as_aware(message.created_at),
    )


@router.post("/{workspace_slug}/helpdesk/requests/{number}/transitions", response_model=RequestRead)
def change_state(session: DbSession, ctx: Reader, number: int, data: TransitionForm) -> RequestRead:
    """Move a request to another state; a refused move says which states are allowed."""
    try:
        req = service.transition(session, ctx.workspace, viewer_of(ctx), number, data.state)
    except InvalidInput as exc:
        reason = exc.errors.get("state")
        raise InvalidInput(exc.errors, _(reason) if reason else None) from exc
    return _reread(session, ctx, req)


@router.post("/{workspace_slug}/helpdesk/requests/{number}/triage", response_model=RequestRead)
def triage(session: DbSession, ctx: Reader, number: int, data: TriageForm) -> RequestRead:
    """Set category, priority and assignees (the help corps' coordinators)."""
    req = service.triage(session, ctx.workspace, viewer_of(ctx), number, data)
    return _reread(session, ctx, req)


@router.post("/{workspace_slug}/helpdesk/requests/{number}/rating", response_model=RequestRead)
def rate(session: DbSession, ctx: Reader, number: int, data: RatingForm) -> RequestRead:
    """Rate the help a resolved request got (the requesting municipality)."""
    req = service.rate(session, ctx.workspace, viewer_of(ctx), number, data.rating, data.comment)
    return _reread(session, ctx, req)


@router.get("/{workspace_slug}/helpdesk/helpers", response_model=list[UserRef])
def list_helpers(session: DbSession, ctx: Triager) -> list[UserRef]:
    """Members who may be assigned to a request: helpers, coordinators and admins."""
    return [
        UserRef(id=m.user.id, name=m.user.name) for m in service.helpers(session, ctx.workspace)
    ]
