"""JSON API of consultation rounds: rounds and who may see them, invitees, comments,
amendments, answers, formal responses and the summary. Same permissions as the pages."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import File, Query, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse

from app.accounts.deps import Context, DbSession
from app.accounts.one_trip import Router
from app.errors import NotFound
from app.helpdesk import attachments
from app.reads import Cursor, Limit, Page, UpdatedSince, page_listed, read, since
from app.strategies import summary, text
from app.strategies.consultation import answers, comments, invitees, page, responses, rounds
from app.strategies.consultation.access import visible_rounds
from app.strategies.consultation.schemas import (
    AmendmentCreate,
    AnswerForm,
    AnswerRead,
    ApplyForm,
    CommentCreate,
    CommentRead,
    InviteeCreate,
    InviteeRead,
    InviteeRef,
    ResponseConflictRead,
    ResponseFileRead,
    ResponseForm,
    ResponseRead,
    RoundCreate,
    RoundPageRead,
    RoundRead,
    RoundSectionRead,
    SectionChangedRead,
    SummaryRead,
    SummaryResponse,
    SummarySection,
    ThreadRead,
)
from app.strategies.deps import ApiConsulter, ApiReader
from app.strategies.models import (
    ConsultationComment,
    ConsultationRound,
    FormalResponse,
    Invitee,
    ResponseFile,
)
from app.strategies.reads import conflict, reread_section, version_section
from app.strategies.schemas import VersionInfo

C = TypeVar("C", bound=CommentRead)

router = Router(prefix="/{workspace_slug}/strategies", tags=["strategies"])


# --- mapping -------------------------------------------------------------------------------


def _round(r: ConsultationRound) -> RoundRead:
    """``r.document`` and ``r.version`` must be loaded (``rounds.get_round`` does)."""
    return read(
        RoundRead,
        r,
        document_title=r.document.title,
        version=r.version.number,
        state=rounds.state_of(r),
    )


def _comment(model: type[C], c: ConsultationComment, sees_answers: bool, **given: Any) -> C:
    """The answer is shown to participants only once the answers are published."""
    if not sees_answers:
        given.update(answer=None, answer_reason=None, answered_at=None)
    return read(model, c, applied=c.applied_at is not None and sees_answers, **given)


def _thread(
    c: ConsultationComment, replies: list[ConsultationComment], sees_answers: bool
) -> ThreadRead:
    thread = [_comment(CommentRead, r, sees_answers) for r in replies]
    return _comment(ThreadRead, c, sees_answers, replies=thread)


def _response(
    ctx: Context, x: FormalResponse, names: dict[int, str], files: list[ResponseFile]
) -> ResponseRead:
    base = f"/api/v1/{ctx.workspace.slug}/strategies/rounds/{x.round_id}/responses/{x.invitee_id}"
    return read(
        ResponseRead,
        x,
        organisation=names.get(x.invitee_id, ""),
        updated_by=x.updated_by_name,
        submitted_by=x.submitted_by_name,
        files=[read(ResponseFileRead, f, url=f"{base}/files/{f.id}") for f in files],
    )


def _response_read(session: DbSession, ctx: Context, x: FormalResponse) -> ResponseRead:
    rows = invitees.invitees_of(session, ctx.workspace, x.round_id)
    files = responses.files_of(session, ctx.workspace, [x.id])[x.id]
    return _response(ctx, x, invitees.invitee_names(session, ctx.workspace, rows), files)


def _invitee(inv: Invitee, name: str, r: ConsultationRound) -> InviteeRead:
    return read(InviteeRead, inv, name=name, deadline=rounds.deadline_of(inv, r))


# --- consultation rounds -------------------------------------------------------------------


@router.get("/rounds", response_model=Page[RoundRead])
def list_rounds(
    session: DbSession,
    ctx: ApiReader,
    cursor: Cursor = None,
    limit: Limit = 50,
    updated_since: UpdatedSince = None,
) -> Page[RoundRead]:
    """Rounds the caller may open: all of them for the county's own users; for municipal and
    partner users the started rounds they are invited to. With ``updated_since``, those
    changed since then, oldest change first (to sync)."""
    moment = since(updated_since)
    rows = visible_rounds(session, ctx.workspace, ctx.principal)
    return page_listed(rows, lambda r: r, moment, cursor, limit, _round)


@router.post("/documents/{doc_id}/rounds", response_model=RoundRead, status_code=201)
def create_round(
    session: DbSession, ctx: ApiConsulter, doc_id: int, data: RoundCreate
) -> RoundRead:
    """Open a consultation (høring) on a published version, from `starts_on` to `ends_on`."""
    r = rounds.create_round(session, ctx.workspace, ctx.principal, doc_id, data)
    return _round(rounds.get_round(session, ctx.workspace, r.id))


@router.get("/rounds/{round_id}", response_model=RoundPageRead)
def read_round(session: DbSession, ctx: ApiReader, round_id: int) -> RoundPageRead:
    """The round: its state, the consulted version's sections with their comment threads, the
    formal responses the caller may see, and what the caller may do. A round the caller is
    not invited to answers 404."""
    p = page.round_page(session, ctx.workspace, ctx.principal, round_id)
    a = p.access
    sees = a.sees_answers
    return RoundPageRead(
        round=_round(a.round),
        deadline=a.deadline,
        can_comment=a.can_comment,
        can_reply=a.can_reply,
        can_answer=a.can_answer,
        sees_answers=sees,
        my_invitees=[
            InviteeRef(id=i.id, name=p.names[i.id], deadline=rounds.deadline_of(i, a.round))
            for i in a.invitees
        ],
        invited=[p.names[i.id] for i in p.invitees],
        invitees=[_invitee(i, p.names[i.id], a.round) for i in p.invitees]
        if ctx.can("strategies.consult")
        else [],
        sections=[
            version_section(
                RoundSectionRead,
                s,
                threads=[_thread(t.comment, t.replies, sees) for t in p.threads.get(s.key, [])],
            )
            for s in p.sections
        ],
        responses=[_response(ctx, x, p.names, p.files.get(x.id, [])) for x in p.responses],
        comments=p.comments,
        unanswered=p.unanswered if sees else None,
    )


@router.post("/rounds/{round_id}/invitees", response_model=InviteeRead, status_code=201)
def add_invitee(
    session: DbSession, ctx: ApiConsulter, round_id: int, data: InviteeCreate
) -> InviteeRead:
    """Invite an organisation, a municipality of the county, a body or a guest by e-mail. In an
    open round the invitation goes out at once."""
    inv = invitees.add_invitee(session, ctx.workspace, round_id, data)
    rows = invitees.invitees_of(session, ctx.workspace, round_id)
    names = invitees.invitee_names(session, ctx.workspace, rows)
    r = rounds.get_round(session, ctx.workspace, round_id)
    return _invitee(inv, names[inv.id], r)


@router.delete("/rounds/{round_id}/invitees/{invitee_id}", status_code=204)
def remove_invitee(
    session: DbSession, ctx: ApiConsulter, round_id: int, invitee_id: int
) -> Response:
    """Withdraw an invitation (not once the invitee has commented)."""
    invitees.remove_invitee(session, ctx.workspace, round_id, invitee_id)
    return Response(status_code=204)


# --- comments, amendments and answers ------------------------------------------------------


@router.post("/rounds/{round_id}/comments", response_model=CommentRead, status_code=201)
def add_comment(
    session: DbSession, ctx: ApiReader, round_id: int, data: CommentCreate
) -> CommentRead:
    """Comment on a section, optionally on a passage of it (`quote`), or reply in a thread
    (`parent_id`). After the deadline: 409 `round_closed`."""
    comment = comments.add_comment(session, ctx.workspace, ctx.principal, round_id, data)
    return _comment(CommentRead, comment, sees_answers=False)


@router.post(
    "/rounds/{round_id}/amendments",
    response_model=CommentRead,
    status_code=201,
    responses={409: {"model": SectionChangedRead, "description": "The section text changed."}},
)
def add_amendment(
    session: DbSession, ctx: ApiReader, round_id: int, data: AmendmentCreate
) -> CommentRead | JSONResponse:
    """Propose new text for a section. `base` is the `fingerprint` of the text the proposal
    was written against; if that is no longer the section's text, nothing is stored and the
    answer is 409 `section_changed` with the current text."""
    try:
        comment = comments.add_amendment(session, ctx.workspace, ctx.principal, round_id, data)
    except comments.SectionChanged as exc:
        return conflict(exc, current=exc.now, fingerprint=text.fingerprint(exc.now))
    return _comment(CommentRead, comment, sees_answers=False)


def _answer_read(session: DbSession, ctx: Context, result: answers.AnswerResult) -> AnswerRead:
    draft = result.draft_section
    return AnswerRead(
        comment=_comment(CommentRead, result.comment, sees_answers=True),
        applied=result.applied,
        draft_section=reread_section(session, ctx, draft.document_id, draft.id) if draft else None,
    )


@router.put("/rounds/{round_id}/comments/{comment_id}/answer", response_model=AnswerRead)
def answer(
    session: DbSession, ctx: ApiConsulter, round_id: int, comment_id: int, data: AnswerForm
) -> AnswerRead:
    """Answer a comment or amendment after the round has closed. An accepted amendment is
    written into the draft when the draft section still has the consulted text; otherwise
    `draft_section` shows the draft as it is now, to apply it deliberately."""
    result = answers.answer(session, ctx.workspace, ctx.principal, round_id, comment_id, data)
    return _answer_read(session, ctx, result)


@router.post("/rounds/{round_id}/comments/{comment_id}/apply", response_model=AnswerRead)
def apply_amendment(
    session: DbSession, ctx: ApiConsulter, round_id: int, comment_id: int, data: ApplyForm
) -> AnswerRead:
    """Write an accepted amendment into a draft section that changed since the consulted
    version, confirming with the draft section's `revision`."""
    result = answers.apply_accepted(
        session, ctx.workspace, ctx.principal, round_id, comment_id, data
    )
    return _answer_read(session, ctx, result)


@router.post("/rounds/{round_id}/close", response_model=RoundRead)
def close_round(session: DbSession, ctx: ApiConsulter, round_id: int) -> RoundRead:
    """Close the round now, before its deadline: from then nobody may comment, amend or submit
    a formal response (invitees' later deadlines included), and the answers may be published.
    A round already closed answers 422."""
    rounds.close_now(session, ctx.workspace, ctx.principal, round_id)
    return _round(rounds.get_round(session, ctx.workspace, round_id))


@router.post("/rounds/{round_id}/answers/publish", response_model=RoundRead)
def publish_answers(session: DbSession, ctx: ApiConsulter, round_id: int) -> RoundRead:
    """Publish the answers once every comment and amendment has one; everyone who took part
    hears what became of their input."""
    r = answers.publish_answers(session, ctx.workspace, ctx.principal, round_id)
    return _round(r)


# --- formal responses ----------------------------------------------------------------------


@router.put(
    "/rounds/{round_id}/responses/{invitee_id}",
    response_model=ResponseRead,
    responses={409: {"model": ResponseConflictRead, "description": "Saved by someone else."}},
)
def save_response(
    session: DbSession, ctx: ApiReader, round_id: int, invitee_id: int, data: ResponseForm
) -> ResponseRead | JSONResponse:
    """Save the draft of the formal response (høringssvar) of an invitee the caller takes
    part for, written against `revision`; a stale one answers 409 `edit_conflict`."""
    try:
        response = responses.save_response(
            session, ctx.workspace, ctx.principal, round_id, invitee_id, data
        )
    except responses.ResponseConflict as exc:
        return conflict(exc, response=_response_read(session, ctx, exc.now))
    return _response_read(session, ctx, response)


@router.post("/rounds/{round_id}/responses/{invitee_id}/submit", response_model=ResponseRead)
def submit_response(
    session: DbSession,
    ctx: ApiReader,
    round_id: int,
    invitee_id: int,
    revision: Annotated[
        int | None,
        Query(description="The `revision` you looked over: a draft changed since answers 422."),
    ] = None,
) -> ResponseRead:
    """Submit the saved formal response with its files; it is locked afterwards."""
    response = responses.submit_response(
        session, ctx.workspace, ctx.principal, round_id, invitee_id, revision
    )
    return _response_read(session, ctx, response)


@router.post(
    "/rounds/{round_id}/responses/{invitee_id}/files",
    response_model=ResponseRead,
    status_code=201,
)
def attach_response_files(
    session: DbSession,
    ctx: ApiReader,
    round_id: int,
    invitee_id: int,
    files: Annotated[list[UploadFile], File(description="PDF, DOCX, XLSX, ODT, PNG, JPEG or TXT")],
) -> ResponseRead:
    """Attach files (a signed letter) to the draft of the formal response; they are kept when
    it is submitted. Bad or too large files answer 422/413 and nothing is stored."""
    uploads = attachments.keep(session, attachments.read_form_files(list(files), "files"))
    response = responses.attach_files(
        session, ctx.workspace, ctx.principal, round_id, invitee_id, uploads
    )
    return _response_read(session, ctx, response)


@router.get(
    "/rounds/{round_id}/responses/{invitee_id}/files/{file_id}",
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
def download_response_file(
    session: DbSession, ctx: ApiReader, round_id: int, invitee_id: int, file_id: int
) -> StreamingResponse:
    """A file of a formal response the caller may read (their own draft, or a submitted one in
    a round they see); 404 otherwise."""
    row = responses.find_file(session, ctx.workspace, ctx.principal, round_id, invitee_id, file_id)
    return attachments.file_response(session, row.storage_key, row.filename, row.content_type)


# --- summary -------------------------------------------------------------------------------


@router.get("/rounds/{round_id}/summary", response_model=SummaryRead)
def read_summary(session: DbSession, ctx: ApiReader, round_id: int) -> SummaryRead:
    """The consultation summary (høringsoppsummering): every comment and amendment with its
    answer, by section, and the submitted formal responses. Participants see it once the
    answers are published."""
    s = summary.build(session, ctx.workspace, ctx.principal, round_id)
    if not (ctx.can("strategies.read_drafts") or s.round.answers_published_at):
        raise NotFound()
    return SummaryRead(
        round=_round(s.round),
        document_kind=s.document.kind,
        version=read(VersionInfo, s.version),
        invited=s.invited,
        sections=[
            read(
                SummarySection,
                x.section,
                items=[_thread(i.comment, i.replies, sees_answers=True) for i in x.items],
            )
            for x in s.sections
        ],
        responses=[read(SummaryResponse, x) for x in s.responses],
        comments=s.comments,
        amendments=s.amendments,
        unanswered=s.unanswered,
        by_answer=s.by_answer,
    )
