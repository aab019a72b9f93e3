"""JSON API of the hjelpekorps: the queue, filing, a request with its messages and history,
replies and notes, state changes, taking a request, triage, ratings, the helpers who may be
assigned, visits, the plan, links, time spent and files."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends, File, Form, Query, UploadFile
from fastapi.responses import StreamingResponse

from app.accounts.deps import Context, DbSession, api_require
from app.accounts.one_trip import Router
from app.errors import InvalidInput
from app.helpdesk import attachments, lifecycle
from app.helpdesk.models import (
    CATEGORIES,
    PRIORITIES,
    STATES,
    HelpRequest,
    RequestAttachment,
)
from app.helpdesk.queue import QUEUE_LOADS, QueueFilter, detail, get_request, queue_query
from app.helpdesk.schemas import (
    AttachmentRead,
    EventRead,
    MessageRead,
    RatingForm,
    ReplyForm,
    RequestDetailRead,
    RequestForm,
    RequestRead,
    RequestSummary,
    TransitionForm,
    TriageForm,
    UserRef,
)
from app.helpdesk.triage import eligible_helpers
from app.helpdesk.triage import triage as assess
from app.i18n import _
from app.reads import Cursor, Key, Limit, Page, UpdatedSince, keyset, page, read, since, whole

router = Router(tags=["helpdesk"])

Reader = Annotated[Context, Depends(api_require("helpdesk.read"))]
Filer = Annotated[Context, Depends(api_require("helpdesk.file"))]
Triager = Annotated[Context, Depends(api_require("helpdesk.triage"))]

VIEWS = ("all", "unassigned", "mine", "overdue")


# --- mapping -------------------------------------------------------------------------------

R = TypeVar("R", bound=RequestSummary)


def _request(model: type[R], req: HelpRequest, **given: Any) -> R:
    """``req.municipality`` and ``req.assignees`` with their users must be loaded, and for a
    :class:`RequestRead` ``req.requester`` too."""
    assignees = [a.user for a in req.assignees]
    return read(model, req, municipality_name=req.municipality.name, assignees=assignees, **given)


def _reread(session: DbSession, ctx: Context, req: HelpRequest) -> RequestRead:
    """The request as the caller now sees it after a change, with what the response needs
    (municipality, requester, assignees' users) loaded)."""
    return _request(RequestRead, get_request(session, ctx.workspace, ctx.principal, req.number))


# --- routes --------------------------------------------------------------------------------


@router.get("/{workspace_slug}/helpdesk/requests")
def list_requests(
    session: DbSession,
    ctx: Reader,
    cursor: Cursor = None,
    limit: Limit = 50,
    updated_since: UpdatedSince = None,
    view: Annotated[str, Query(max_length=20)] = "all",
    state: Annotated[str | None, Query(max_length=30)] = None,
    category: Annotated[str | None, Query(max_length=30)] = None,
    priority: Annotated[str | None, Query(max_length=10)] = None,
    municipality: Annotated[str | None, Query(max_length=4)] = None,
    size_class: Annotated[int | None, Query(ge=1, le=5)] = None,
    helper: Annotated[int | None, Query(ge=1, description="Assigned to this user id.")] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[RequestSummary]:
    """Requests the caller may see, newest first; with `updated_since`, those changed since
    then, oldest change first (to sync)."""
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
    f = QueueFilter(
        view=view,
        state=state,
        category=category,
        priority=priority,
        municipality_number=municipality or None,
        size_class=size_class,
        helper_id=helper,
        q=q,
        updated_since=since(updated_since),
    )
    if f.updated_since is None:
        key = Key.of(HelpRequest.id, desc=True)
        key_of: Any = lambda r: (r.id,)  # noqa: E731
    else:
        key = Key.of(HelpRequest.updated_at, HelpRequest.id)
        key_of = lambda r: (r.updated_at, r.id)  # noqa: E731
    query = keyset(queue_query(ctx.workspace, ctx.principal, f), key, cursor, limit)
    rows = list(session.scalars(query.options(*QUEUE_LOADS)))
    return page(rows, limit, key_of, lambda r: _request(RequestSummary, r))


@router.post("/{workspace_slug}/helpdesk/requests", status_code=201)
def file_request(session: DbSession, ctx: Filer, data: RequestForm) -> RequestRead:
    """File a request for help; a municipal user files for their own municipality."""
    req = lifecycle.file_request(session, ctx.workspace, ctx.principal, data)
    return _reread(session, ctx, req)


@router.get("/{workspace_slug}/helpdesk/requests/{number}")
def read_request(session: DbSession, ctx: Reader, number: int) -> RequestDetailRead:
    """One request with its messages (internal notes only for the help corps) and history."""
    d = detail(session, ctx.workspace, ctx.principal, number)
    events = d.events if ctx.can("helpdesk.work") else []
    return _request(
        RequestDetailRead,
        d.request,
        messages=d.messages,
        events=[read(EventRead, e, detail=e.detail or {}) for e in events],
        allowed_transitions=list(d.allowed),
    )


@router.post("/{workspace_slug}/helpdesk/requests/{number}/messages", status_code=201)
def post_message(session: DbSession, ctx: Reader, number: int, data: ReplyForm) -> MessageRead:
    """Reply to a request, or (the help corps only) add an internal note."""
    message = lifecycle.reply(session, ctx.workspace, ctx.principal, number, data)
    return read(MessageRead, message, author=ctx.user)


@router.post("/{workspace_slug}/helpdesk/requests/{number}/transitions")
def change_state(session: DbSession, ctx: Reader, number: int, data: TransitionForm) -> RequestRead:
    """Move a request to another state; a refused move says which states are allowed.
    ``message`` is posted to the requester in the conversation; resolving needs one."""
    try:
        req = lifecycle.transition(
            session, ctx.workspace, ctx.principal, number, data.state, data.message
        )
    except InvalidInput as exc:  # the refusal's reason is the error's message too
        reason = exc.errors.get("state") or exc.errors.get("message")
        raise InvalidInput(exc.errors, _(reason) if reason else None) from exc
    return _reread(session, ctx, req)


@router.post("/{workspace_slug}/helpdesk/requests/{number}/take")
def take(session: DbSession, ctx: Reader, number: int) -> RequestRead:
    """Take an open request no one has (the help corps): it is assigned to you, and a new or
    triaged request becomes assigned. Helpers work only the requests assigned to them."""
    req = lifecycle.take(session, ctx.workspace, ctx.principal, number)
    return _reread(session, ctx, req)


@router.post("/{workspace_slug}/helpdesk/requests/{number}/triage")
def triage(session: DbSession, ctx: Reader, number: int, data: TriageForm) -> RequestRead:
    """Set category, priority and assignees (the help corps' coordinators)."""
    req = assess(session, ctx.workspace, ctx.principal, number, data)
    return _reread(session, ctx, req)


@router.post("/{workspace_slug}/helpdesk/requests/{number}/rating")
def rate(session: DbSession, ctx: Reader, number: int, data: RatingForm) -> RequestRead:
    """Rate the help a resolved request got (the requesting municipality)."""
    req = lifecycle.rate(session, ctx.workspace, ctx.principal, number, data)
    return _reread(session, ctx, req)


@router.get("/{workspace_slug}/helpdesk/helpers")
def list_helpers(session: DbSession, ctx: Triager) -> Page[UserRef]:
    """Members who may be assigned to a request: helpers, coordinators and admins (all of
    them, on one page)."""
    return whole([UserRef.model_validate(m.user) for m in eligible_helpers(session, ctx.workspace)])


# --- attachments ---------------------------------------------------------------------------


def _attachment(ctx: Context, number: int, a: RequestAttachment) -> AttachmentRead:
    url = f"/api/v1/{ctx.workspace.slug}/helpdesk/requests/{number}/attachments/{a.id}"
    return read(AttachmentRead, a, url=url)


@router.get("/{workspace_slug}/helpdesk/requests/{number}/attachments")
def list_attachments(session: DbSession, ctx: Reader, number: int) -> Page[AttachmentRead]:
    """Files on the request and its messages (internal ones for the help corps only), all of
    them on one page."""
    req = get_request(session, ctx.workspace, ctx.principal, number)
    rows = attachments.of_request(session, ctx.workspace, req.id, internal=ctx.can("helpdesk.note"))
    return whole([_attachment(ctx, number, a) for a in rows])


@router.post("/{workspace_slug}/helpdesk/requests/{number}/attachments", status_code=201)
def upload_attachments(
    session: DbSession,
    ctx: Reader,
    number: int,
    files: Annotated[list[UploadFile], File(description="PDF, DOCX, XLSX, ODT, PNG, JPEG or TXT")],
    internal: Annotated[bool, Form()] = False,
) -> list[AttachmentRead]:
    """Attach files to the request (`internal`: only the help corps sees them)."""
    p = ctx.principal
    get_request(session, ctx.workspace, p, number)  # another's: 404 before 403
    uploads = attachments.keep(session, attachments.read_form_files(list(files), "files"))
    rows = lifecycle.attach(session, ctx.workspace, p, number, uploads, internal=internal)
    return [_attachment(ctx, number, a) for a in rows]


@router.get(
    "/{workspace_slug}/helpdesk/requests/{number}/attachments/{attachment_id}",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The file, as a download, in the type it was checked to be.",
            "content": {
                kind[0].split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                for kind in attachments.KINDS.values()
            },
        }
    },
)
def download_attachment(
    session: DbSession, ctx: Reader, number: int, attachment_id: int
) -> StreamingResponse:
    """The file itself, always as a download."""
    req = get_request(session, ctx.workspace, ctx.principal, number)
    row, key = attachments.find(
        session, ctx.workspace, req.id, attachment_id, internal=ctx.can("helpdesk.note")
    )
    return attachments.download(session, row, key)
