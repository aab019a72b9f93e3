"""JSON API of the hjelpekorps: the queue, filing, a request with its messages and history,
replies and notes, state changes, triage, ratings and the helpers who may be assigned."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from app.accounts.deps import Context, DbSession, api_require
from app.accounts.models import User
from app.errors import Forbidden, InvalidInput, NotFound
from app.helpdesk import attachments, service, visits, work
from app.helpdesk.models import (
    CATEGORIES,
    PRIORITIES,
    STATES,
    HelpRequest,
    RequestAttachment,
    RequestEvent,
    RequestMessage,
    RequestStep,
    Visit,
)
from app.helpdesk.schemas import (
    LinkForm,
    RatingForm,
    ReplyForm,
    RequestForm,
    StepForm,
    TimeForm,
    TriageForm,
    VisitForm,
    VisitReportForm,
)
from app.helpdesk.views import viewer_of
from app.i18n import _

router = APIRouter(tags=["helpdesk"])

Reader = Annotated[Context, Depends(api_require("helpdesk.read"))]
Filer = Annotated[Context, Depends(api_require("helpdesk.file"))]
Triager = Annotated[Context, Depends(api_require("helpdesk.triage"))]

VIEWS = ("all", "unassigned", "mine", "overdue")


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
    return value if value is not None else None


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
        "created_at": req.created_at,
        "assignees": [UserRef(id=a.user.id, name=a.user.name) for a in req.assignees],
    }


def _read_fields(req: HelpRequest) -> dict[str, Any]:
    """As ``_summary_fields``, and ``req.requester`` must be loaded too."""
    return {
        **_summary_fields(req),
        "description": req.description,
        "requester": _user(req.requester),
        "updated_at": req.updated_at,
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
        created_at=m.created_at,
    )


def _event(e: RequestEvent) -> EventRead:
    return EventRead(
        id=e.id,
        at=e.at,
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
    priority: Annotated[str | None, Query(max_length=10)] = None,
    municipality: Annotated[str | None, Query(max_length=4)] = None,
    size_class: Annotated[int | None, Query(ge=1, le=5)] = None,
    helper: Annotated[int | None, Query(ge=1, description="Assigned to this user id.")] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> RequestPage:
    """Requests the caller may see, newest first, keyset paged by `before` (a `next_before`)."""
    errors: dict[str, str] = {}
    for name, value, allowed in (
        ("view", view, VIEWS),
        ("state", state, STATES),
        ("category", category, CATEGORIES),
        ("priority", priority, PRIORITIES),
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
        priority=priority,
        municipality_number=municipality or None,
        size_class=size_class,
        helper_id=helper,
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
        created_at=message.created_at,
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


# --- visits --------------------------------------------------------------------------------


class VisitRead(BaseModel):
    id: int
    starts_at: datetime
    ends_at: datetime
    place: str
    report: str
    helpers: list[UserRef]


def _visit(v: Visit) -> VisitRead:
    return VisitRead(
        id=v.id,
        starts_at=v.starts_at,
        ends_at=v.ends_at,
        place=v.place,
        report=v.report,
        helpers=[UserRef(id=h.user.id, name=h.user.name) for h in v.helpers],
    )


def _visit_by_id(session: DbSession, ctx: Context, number: int, visit_id: int) -> VisitRead:
    req = service.get_request(session, ctx.workspace, viewer_of(ctx), number)
    for v in visits.visits_of(session, ctx.workspace, req.id):
        if v.id == visit_id:
            return _visit(v)
    raise NotFound()


@router.get("/{workspace_slug}/helpdesk/requests/{number}/visits", response_model=list[VisitRead])
def list_visits(session: DbSession, ctx: Reader, number: int) -> list[VisitRead]:
    """On-site visits planned on a request, with their reports."""
    req = service.get_request(session, ctx.workspace, viewer_of(ctx), number)
    return [_visit(v) for v in visits.visits_of(session, ctx.workspace, req.id)]


@router.post(
    "/{workspace_slug}/helpdesk/requests/{number}/visits",
    response_model=VisitRead,
    status_code=201,
)
def plan_visit(session: DbSession, ctx: Reader, number: int, data: VisitForm) -> VisitRead:
    """Plan an on-site visit (the help corps); the requester and the helpers get e-mail."""
    visit = visits.plan_visit(session, ctx.workspace, viewer_of(ctx), number, data)
    return _visit_by_id(session, ctx, number, visit.id)


@router.put(
    "/{workspace_slug}/helpdesk/requests/{number}/visits/{visit_id}/report",
    response_model=VisitRead,
)
def report_visit(
    session: DbSession, ctx: Reader, number: int, visit_id: int, data: VisitReportForm
) -> VisitRead:
    """Write or replace the short report after a visit."""
    visits.report_visit(session, ctx.workspace, viewer_of(ctx), number, visit_id, data.report)
    return _visit_by_id(session, ctx, number, visit_id)


# --- plan, links, time, attachments --------------------------------------------------------


class StepRead(BaseModel):
    id: int
    position: int
    title: str
    due_on: date | None
    done: bool
    done_at: datetime | None


class StepDone(BaseModel):
    done: bool


class LinkRead(BaseModel):
    id: int
    number: int
    title: str
    state: str
    municipality_name: str


class TimeRead(BaseModel):
    id: int
    user: UserRef
    worked_on: date
    minutes: int
    note: str


class TimeSheet(BaseModel):
    total_minutes: int
    by_helper: list[dict[str, Any]] = Field(description="`user` and `minutes` per helper.")
    entries: list[TimeRead]


class AttachmentRead(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    internal: bool
    message_id: int | None
    created_at: datetime
    url: str


def _step(s: RequestStep) -> StepRead:
    return StepRead(
        id=s.id,
        position=s.position,
        title=s.title,
        due_on=s.due_on,
        done=s.done,
        done_at=_aware(s.done_at),
    )


@router.get("/{workspace_slug}/helpdesk/requests/{number}/steps", response_model=list[StepRead])
def list_steps(session: DbSession, ctx: Reader, number: int) -> list[StepRead]:
    """The plan: steps with due dates, done or not."""
    req = service.get_request(session, ctx.workspace, viewer_of(ctx), number)
    return [_step(s) for s in work.steps_of(session, ctx.workspace, req.id)]


@router.post(
    "/{workspace_slug}/helpdesk/requests/{number}/steps",
    response_model=StepRead,
    status_code=201,
)
def add_step(session: DbSession, ctx: Reader, number: int, data: StepForm) -> StepRead:
    """Add a step to the plan (the help corps)."""
    return _step(work.add_step(session, ctx.workspace, viewer_of(ctx), number, data))


@router.put(
    "/{workspace_slug}/helpdesk/requests/{number}/steps/{step_id}/done", response_model=StepRead
)
def mark_step(
    session: DbSession, ctx: Reader, number: int, step_id: int, data: StepDone
) -> StepRead:
    """Mark a step done or not done."""
    return _step(
        work.set_step_done(session, ctx.workspace, viewer_of(ctx), number, step_id, data.done)
    )


@router.delete("/{workspace_slug}/helpdesk/requests/{number}/steps/{step_id}", status_code=204)
def remove_step(session: DbSession, ctx: Reader, number: int, step_id: int) -> Response:
    work.remove_step(session, ctx.workspace, viewer_of(ctx), number, step_id)
    return Response(status_code=204)


@router.get("/{workspace_slug}/helpdesk/requests/{number}/links", response_model=list[LinkRead])
def list_links(session: DbSession, ctx: Reader, number: int) -> list[LinkRead]:
    """Related requests the caller may see."""
    viewer = viewer_of(ctx)
    req = service.get_request(session, ctx.workspace, viewer, number)
    return [
        LinkRead(
            id=linked.link_id,
            number=linked.request.number,
            title=linked.request.title,
            state=linked.request.state,
            municipality_name=linked.request.municipality.name,
        )
        for linked in work.links_of(session, ctx.workspace, viewer, req)
    ]


@router.post(
    "/{workspace_slug}/helpdesk/requests/{number}/links",
    response_model=list[LinkRead],
    status_code=201,
)
def add_link(session: DbSession, ctx: Reader, number: int, data: LinkForm) -> list[LinkRead]:
    """Link another request (by number, `12` or `HK-12`); answers with all the links."""
    work.link(session, ctx.workspace, viewer_of(ctx), number, data)
    return list_links(session, ctx, number)


@router.delete("/{workspace_slug}/helpdesk/requests/{number}/links/{link_id}", status_code=204)
def remove_link(session: DbSession, ctx: Reader, number: int, link_id: int) -> Response:
    work.unlink(session, ctx.workspace, viewer_of(ctx), number, link_id)
    return Response(status_code=204)


def _timesheet(session: DbSession, ctx: Context, request_id: int) -> TimeSheet:
    t = work.time_of(session, ctx.workspace, request_id)
    return TimeSheet(
        total_minutes=t.total_minutes,
        by_helper=[{"user": _user(u), "minutes": m} for u, m in t.by_helper],
        entries=[
            TimeRead(
                id=e.id,
                user=UserRef(id=e.user.id, name=e.user.name),
                worked_on=e.worked_on,
                minutes=e.minutes,
                note=e.note,
            )
            for e in t.entries
        ],
    )


@router.get("/{workspace_slug}/helpdesk/requests/{number}/time", response_model=TimeSheet)
def time_sheet(session: DbSession, ctx: Reader, number: int) -> TimeSheet:
    """Time spent on the request, per helper (the help corps only)."""
    viewer = viewer_of(ctx)
    req = service.get_request(session, ctx.workspace, viewer, number)
    if not viewer.can_work:
        raise Forbidden()
    return _timesheet(session, ctx, req.id)


@router.post(
    "/{workspace_slug}/helpdesk/requests/{number}/time",
    response_model=TimeSheet,
    status_code=201,
)
def log_time(session: DbSession, ctx: Reader, number: int, data: TimeForm) -> TimeSheet:
    """Log time spent: `hours` as "1,5", "1.5" or "0:45" on the day `worked_on`."""
    entry = work.log_time(session, ctx.workspace, viewer_of(ctx), number, data)
    return _timesheet(session, ctx, entry.request_id)


@router.delete("/{workspace_slug}/helpdesk/requests/{number}/time/{entry_id}", status_code=204)
def remove_time(session: DbSession, ctx: Reader, number: int, entry_id: int) -> Response:
    work.remove_time(session, ctx.workspace, viewer_of(ctx), number, entry_id)
    return Response(status_code=204)


def _attachment(ctx: Context, number: int, a: RequestAttachment) -> AttachmentRead:
    return AttachmentRead(
        id=a.id,
        filename=a.filename,
        content_type=a.content_type,
        size=a.size,
        internal=a.internal,
        message_id=a.message_id,
        created_at=a.created_at,
        url=f"/api/v1/{ctx.workspace.slug}/helpdesk/requests/{number}/attachments/{a.id}",
    )


@router.get(
    "/{workspace_slug}/helpdesk/requests/{number}/attachments",
    response_model=list[AttachmentRead],
)
def list_attachments(session: DbSession, ctx: Reader, number: int) -> list[AttachmentRead]:
    """Files on the request and its messages (internal ones for the help corps only)."""
    viewer = viewer_of(ctx)
    req = service.get_request(session, ctx.workspace, viewer, number)
    rows = attachments.of_request(session, ctx.workspace, req.id, internal=viewer.can_note)
    return [_attachment(ctx, number, a) for a in rows]


@router.post(
    "/{workspace_slug}/helpdesk/requests/{number}/attachments",
    response_model=list[AttachmentRead],
    status_code=201,
)
def upload_attachments(
    session: DbSession,
    ctx: Reader,
    number: int,
    files: Annotated[list[UploadFile], File(description="PDF, DOCX, XLSX, ODT, PNG, JPEG or TXT")],
    internal: Annotated[bool, Form()] = False,
) -> list[AttachmentRead]:
    """Attach files to the request (`internal`: only the help corps sees them)."""
    viewer = viewer_of(ctx)
    service.get_request(session, ctx.workspace, viewer, number)  # another's: 404 before 403
    uploads = attachments.read_form_files(list(files), "files")
    rows = service.attach(session, ctx.workspace, viewer, number, uploads, internal=internal)
    return [_attachment(ctx, number, a) for a in rows]


@router.get(
    "/{workspace_slug}/helpdesk/requests/{number}/attachments/{attachment_id}",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download_attachment(
    session: DbSession, ctx: Reader, number: int, attachment_id: int
) -> FileResponse:
    """The file itself, always as a download."""
    viewer = viewer_of(ctx)
    req = service.get_request(session, ctx.workspace, viewer, number)
    row, path = attachments.find(
        session, ctx.workspace, req.id, attachment_id, internal=viewer.can_note
    )
    return FileResponse(
        path,
        media_type=row.content_type,
        headers={
            "Content-Disposition": attachments.disposition(row.filename),
            "Cache-Control": "private, no-store",
        },
    )
