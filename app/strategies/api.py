"""JSON API of strategies: documents and their draft sections, published versions, comparison
and adoption, consultation rounds with invitees, comments, amendments, formal responses and
answers, the consultation summary, and action-plan measures. Same permissions as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response

from app.accounts.deps import Context, DbSession, api_require
from app.errors import AppError, InvalidInput, NotFound
from app.i18n import _
from app.strategies import consultation, measures, search, service, summary, text
from app.strategies.models import (
    ConsultationComment,
    ConsultationRound,
    FormalResponse,
    Invitee,
    Measure,
    StrategyDocument,
    StrategySection,
    StrategyVersion,
    VersionSection,
)
from app.strategies.schemas import (
    AdoptionForm,
    AmendmentCreate,
    AnswerForm,
    AnswerRead,
    ApplyForm,
    CommentCreate,
    CommentRead,
    Comparison,
    DocumentDetail,
    DocumentForm,
    DocumentRead,
    DocumentRow,
    EditConflictRead,
    InviteeCreate,
    InviteeRead,
    InviteeRef,
    MeasureForm,
    MeasureRead,
    MoveForm,
    PieceRead,
    PublishForm,
    ResponseConflictRead,
    ResponseForm,
    ResponseRead,
    RoundCreate,
    RoundPageRead,
    RoundRead,
    RoundSectionRead,
    SearchHitRead,
    SectionChangedRead,
    SectionChangeRead,
    SectionCreate,
    SectionRead,
    SectionUpdate,
    SummaryRead,
    SummaryResponse,
    SummarySection,
    ThreadRead,
    VersionDetail,
    VersionInfo,
    VersionRead,
    VersionSectionRead,
)

router = APIRouter(prefix="/{workspace_slug}/strategies", tags=["strategies"])

Reader = Annotated[Context, Depends(api_require("strategies.read"))]
DraftReader = Annotated[Context, Depends(api_require("strategies.read_drafts"))]
Editor = Annotated[Context, Depends(api_require("strategies.edit"))]
Consulter = Annotated[Context, Depends(api_require("strategies.consult"))]


# --- mapping -------------------------------------------------------------------------------


def _aware(value: datetime | None) -> datetime | None:
    return value if value is not None else None


def _document_fields(doc: StrategyDocument) -> dict[str, Any]:
    return {
        "id": doc.id,
        "title": doc.title,
        "kind": doc.kind,
        "summary": doc.summary,
        "created_at": doc.created_at,
        "updated_at": doc.updated_at,
    }


def _section(s: StrategySection, ctx: Context) -> SectionRead:
    """``s.updated_by`` must be loaded (the services do). A section the caller has just saved
    names the caller: the loaded ``updated_by`` may be the one from before the save."""
    if s.updated_by_id == ctx.user.id:
        updated_by: str | None = ctx.user.name
    else:
        updated_by = s.updated_by.name if s.updated_by else None
    return SectionRead(
        id=s.id,
        key=s.key,
        position=s.position,
        heading=s.heading,
        body=s.body,
        revision=s.revision,
        updated_at=s.updated_at,
        updated_by=updated_by,
    )


def _sections(session: DbSession, ctx: Context, doc_id: int) -> list[SectionRead]:
    return [_section(s, ctx) for s in service.sections_of(session, ctx.workspace, doc_id)]


def _reread_section(session: DbSession, ctx: Context, doc_id: int, section_id: int) -> SectionRead:
    """A section after a change, with who saved it loaded by the service."""
    return _section(service.get_section(session, ctx.workspace, doc_id, section_id), ctx)


def _version_info(v: StrategyVersion) -> dict[str, Any]:
    return {
        "number": v.number,
        "note": v.note,
        "published_at": v.published_at,
        "adopted_by": v.adopted_by,
        "adopted_on": v.adopted_on,
        "case_number": v.case_number,
    }


def _version(v: StrategyVersion) -> dict[str, Any]:
    """``v.published_by`` must be loaded (``service.versions_of`` does)."""
    return {
        **_version_info(v),
        "published_by": v.published_by.name if v.published_by else None,
    }


def _loaded_version(session: DbSession, ctx: Context, doc_id: int, number: int) -> StrategyVersion:
    """A version with who published it loaded by the service."""
    for v in service.versions_of(session, ctx.workspace, doc_id):
        if v.number == number:
            return v
    raise NotFound()


def _version_section(s: VersionSection) -> dict[str, Any]:
    return {
        "key": s.key,
        "position": s.position,
        "heading": s.heading,
        "body": s.body,
        "fingerprint": text.fingerprint(s.body),
    }


def _round(r: ConsultationRound) -> RoundRead:
    """``r.document`` and ``r.version`` must be loaded (``consultation.get_round`` does)."""
    return RoundRead(
        id=r.id,
        title=r.title,
        cover_text=r.cover_text,
        document_id=r.document_id,
        document_title=r.document.title,
        version=r.version.number,
        starts_on=r.starts_on,
        ends_on=r.ends_on,
        reminder_days=r.reminder_days,
        state=consultation.state_of(r),
        answers_published_at=_aware(r.answers_published_at),
    )


def _comment_fields(c: ConsultationComment, sees_answers: bool) -> dict[str, Any]:
    """The answer is shown to participants only once the answers are published."""
    return {
        "id": c.id,
        "section_key": c.section_key,
        "parent_id": c.parent_id,
        "kind": c.kind,
        "quote": c.quote,
        "body": c.body,
        "proposed_text": c.proposed_text,
        "author_name": c.author_name,
        "author_org": c.author_org,
        "created_at": c.created_at,
        "answer": c.answer if sees_answers else None,
        "answer_reason": c.answer_reason if sees_answers else None,
        "answered_at": _aware(c.answered_at) if sees_answers else None,
        "applied": c.applied_at is not None and sees_answers,
    }


def _thread(
    c: ConsultationComment, replies: list[ConsultationComment], sees_answers: bool
) -> ThreadRead:
    return ThreadRead(
        **_comment_fields(c, sees_answers),
        replies=[CommentRead(**_comment_fields(r, sees_answers)) for r in replies],
    )


def _response(x: FormalResponse, names: dict[int, str]) -> ResponseRead:
    return ResponseRead(
        invitee_id=x.invitee_id,
        organisation=names.get(x.invitee_id, ""),
        body=x.body,
        revision=x.revision,
        updated_at=x.updated_at,
        updated_by=x.updated_by_name,
        submitted_at=_aware(x.submitted_at),
        submitted_by=x.submitted_by_name,
    )


def _response_read(session: DbSession, ctx: Context, x: FormalResponse) -> ResponseRead:
    invitees = consultation.invitees_of(session, ctx.workspace, x.round_id)
    return _response(x, consultation.invitee_names(session, ctx.workspace, invitees))


def _invitee(inv: Invitee, name: str, r: ConsultationRound) -> InviteeRead:
    return InviteeRead(
        id=inv.id,
        name=name,
        deadline=consultation.deadline_of(inv, r),
        kind=inv.kind,
        organisation_id=inv.organisation_id,
        municipality_number=inv.municipality_number,
        body_id=inv.body_id,
        guest_email=inv.guest_email,
        invited_at=_aware(inv.invited_at),
    )


def _measure(m: Measure) -> MeasureRead:
    return MeasureRead(
        id=m.id,
        document_id=m.document_id,
        section_key=m.section_key,
        title=m.title,
        description=m.description,
        owner=m.owner,
        partners=m.partners,
        deadline=m.deadline,
        status=m.status,
        overdue=measures.is_overdue(m),
        created_at=m.created_at,
        updated_at=m.updated_at,
    )


def _conflict(exc: AppError, **body: Any) -> JSONResponse:
    """A 409 that carries what the caller needs to resolve it, next to the usual code and
    message. Nothing was saved: the services raise these before they change anything."""
    content = {"code": exc.code, "message": _(exc.message), **body}
    return JSONResponse(jsonable_encoder(content), status_code=exc.status_code)


# --- documents -----------------------------------------------------------------------------


@router.get("/documents", response_model=list[DocumentRow])
def list_documents(session: DbSession, ctx: DraftReader) -> list[DocumentRow]:
    """Every strategy document of the workspace, by title, with its section count, latest
    published and latest adopted version (not for municipal and partner users)."""
    return [
        DocumentRow(
            **_document_fields(row.document),
            sections=row.sections,
            latest_version=row.latest_version,
            adopted_version=row.adopted_version,
        )
        for row in service.documents(session, ctx.workspace)
    ]


@router.post("/documents", response_model=DocumentRead, status_code=201)
def create_document(session: DbSession, ctx: Editor, data: DocumentForm) -> DocumentRead:
    doc = service.create_document(
        session, ctx.workspace, service.actor_of(ctx), data.title, data.kind, data.summary
    )
    return DocumentRead(**_document_fields(doc))


@router.get("/documents/{doc_id}", response_model=DocumentDetail)
def read_document(session: DbSession, ctx: DraftReader, doc_id: int) -> DocumentDetail:
    """A document with the sections of its working draft, in order."""
    doc = service.get_document(session, ctx.workspace, doc_id)
    return DocumentDetail(**_document_fields(doc), sections=_sections(session, ctx, doc_id))


@router.put("/documents/{doc_id}", response_model=DocumentRead)
def update_document(
    session: DbSession, ctx: Editor, doc_id: int, data: DocumentForm
) -> DocumentRead:
    """Replace the title, kind and summary."""
    doc = service.update_document(
        session, ctx.workspace, doc_id, data.title, data.kind, data.summary
    )
    return DocumentRead(**_document_fields(doc))


# --- sections of the draft -----------------------------------------------------------------


@router.post("/documents/{doc_id}/sections", response_model=SectionRead, status_code=201)
def add_section(session: DbSession, ctx: Editor, doc_id: int, data: SectionCreate) -> SectionRead:
    """Add a section at the end of the draft."""
    section = service.add_section(
        session, ctx.workspace, service.actor_of(ctx), doc_id, data.heading, data.body
    )
    return _reread_section(session, ctx, doc_id, section.id)


@router.put(
    "/documents/{doc_id}/sections/{section_id}",
    response_model=SectionRead,
    responses={409: {"model": EditConflictRead, "description": "Saved by someone else since."}},
)
def save_section(
    session: DbSession, ctx: Editor, doc_id: int, section_id: int, data: SectionUpdate
) -> SectionRead | JSONResponse:
    """Save a section's heading and text, written against `revision`. When someone saved it
    since, nothing is saved and the answer is 409 `edit_conflict` with the section as it is
    now: merge, then save again with its `revision`."""
    try:
        section = service.save_section(
            session,
            ctx.workspace,
            service.actor_of(ctx),
            doc_id,
            section_id,
            data.heading,
            data.body,
            data.revision,
        )
    except service.EditConflict as exc:
        return _conflict(exc, section=_reread_section(session, ctx, doc_id, exc.section.id))
    return _reread_section(session, ctx, doc_id, section.id)


@router.delete("/documents/{doc_id}/sections/{section_id}", status_code=204)
def delete_section(session: DbSession, ctx: Editor, doc_id: int, section_id: int) -> Response:
    """Remove a section from the draft; published versions keep it."""
    service.delete_section(session, ctx.workspace, doc_id, section_id)
    return Response(status_code=204)


@router.post("/documents/{doc_id}/sections/{section_id}/move", response_model=list[SectionRead])
def move_section(
    session: DbSession, ctx: Editor, doc_id: int, section_id: int, data: MoveForm
) -> list[SectionRead]:
    """Move a section one place up or down; answers with the sections in their new order."""
    service.move_section(session, ctx.workspace, doc_id, section_id, data.direction)
    return _sections(session, ctx, doc_id)


# --- versions ------------------------------------------------------------------------------


@router.post("/documents/{doc_id}/versions", response_model=VersionRead, status_code=201)
def publish(session: DbSession, ctx: Editor, doc_id: int, data: PublishForm) -> VersionRead:
    """Freeze the working draft as the next numbered version."""
    version = service.publish(session, ctx.workspace, service.actor_of(ctx), doc_id, data.note)
    return VersionRead(**_version_info(version), published_by=ctx.user.name)


@router.get("/documents/{doc_id}/versions", response_model=list[VersionRead])
def list_versions(session: DbSession, ctx: DraftReader, doc_id: int) -> list[VersionRead]:
    """Published versions, newest first."""
    service.get_document(session, ctx.workspace, doc_id)  # another workspace's: 404
    return [VersionRead(**_version(v)) for v in service.versions_of(session, ctx.workspace, doc_id)]


@router.get("/documents/{doc_id}/versions/{number}", response_model=VersionDetail)
def read_version(session: DbSession, ctx: DraftReader, doc_id: int, number: int) -> VersionDetail:
    """A published version with its frozen sections."""
    version = _loaded_version(session, ctx, doc_id, number)
    sections = service.version_sections(session, ctx.workspace, version.id)
    return VersionDetail(
        **_version(version),
        sections=[VersionSectionRead(**_version_section(s)) for s in sections],
    )


@router.put("/documents/{doc_id}/versions/{number}/adoption", response_model=VersionRead)
def adopt(
    session: DbSession, ctx: Editor, doc_id: int, number: int, data: AdoptionForm
) -> VersionRead:
    """Record that a political body adopted the version (vedtak): by whom, when, case number."""
    service.adopt(
        session,
        ctx.workspace,
        doc_id,
        number,
        data.adopted_by,
        data.adopted_on,
        data.case_number,
    )
    return VersionRead(**_version(_loaded_version(session, ctx, doc_id, number)))


@router.get("/documents/{doc_id}/compare", response_model=Comparison)
def compare(
    session: DbSession,
    ctx: DraftReader,
    doc_id: int,
    from_: Annotated[int, Query(alias="from", ge=1, description="The older version.")],
    to: Annotated[
        int | None, Query(ge=1, description="The newer version; left out: the working draft.")
    ] = None,
) -> Comparison:
    """Section by section: added, removed, changed (with a word diff) or the same."""
    old = service.version_sections(
        session, ctx.workspace, service.get_version(session, ctx.workspace, doc_id, from_).id
    )
    if to is None:
        new: list[VersionSection] | list[StrategySection] = service.sections_of(
            session, ctx.workspace, doc_id
        )
    else:
        new = service.version_sections(
            session, ctx.workspace, service.get_version(session, ctx.workspace, doc_id, to).id
        )
    return Comparison(
        from_version=from_,
        to_version=to,
        changes=[
            SectionChangeRead(
                change=c.change,
                key=c.key,
                heading=c.heading,
                old_heading=c.old_heading,
                moved=c.moved,
                old_body=c.old_body,
                new_body=c.new_body,
                pieces=[PieceRead(op=p.op, text=p.text) for p in c.pieces],
            )
            for c in service.compare(old, new)
        ],
    )


# --- measures of an action plan ------------------------------------------------------------


@router.get("/documents/{doc_id}/measures", response_model=list[MeasureRead])
def list_measures(session: DbSession, ctx: DraftReader, doc_id: int) -> list[MeasureRead]:
    """The document's measures by deadline (those without one last)."""
    service.get_document(session, ctx.workspace, doc_id)  # another workspace's: 404
    return [_measure(m) for m in measures.measures_of(session, ctx.workspace, doc_id)]


@router.post("/documents/{doc_id}/measures", response_model=MeasureRead, status_code=201)
def add_measure(session: DbSession, ctx: Editor, doc_id: int, data: MeasureForm) -> MeasureRead:
    m = measures.add(session, ctx.workspace, doc_id, measures.MeasureInput(**data.model_dump()))
    return _measure(m)


@router.put("/documents/{doc_id}/measures/{measure_id}", response_model=MeasureRead)
def update_measure(
    session: DbSession, ctx: Editor, doc_id: int, measure_id: int, data: MeasureForm
) -> MeasureRead:
    m = measures.update(
        session, ctx.workspace, doc_id, measure_id, measures.MeasureInput(**data.model_dump())
    )
    return _measure(m)


@router.delete("/documents/{doc_id}/measures/{measure_id}", status_code=204)
def delete_measure(session: DbSession, ctx: Editor, doc_id: int, measure_id: int) -> Response:
    measures.delete(session, ctx.workspace, doc_id, measure_id)
    return Response(status_code=204)


# --- consultation rounds -------------------------------------------------------------------


@router.get("/rounds", response_model=list[RoundRead])
def list_rounds(session: DbSession, ctx: Reader) -> list[RoundRead]:
    """Rounds the caller may open: all of them for the county's own users; for municipal and
    partner users the started rounds they are invited to."""
    rounds = consultation.visible_rounds(session, ctx.workspace, service.actor_of(ctx))
    return [_round(r) for r in rounds]


@router.post("/documents/{doc_id}/rounds", response_model=RoundRead, status_code=201)
def create_round(session: DbSession, ctx: Consulter, doc_id: int, data: RoundCreate) -> RoundRead:
    """Open a consultation (høring) on a published version, from `starts_on` to `ends_on`."""
    r = consultation.create_round(
        session,
        ctx.workspace,
        service.actor_of(ctx),
        doc_id,
        data.version,
        data.title,
        data.cover_text,
        data.starts_on,
        data.ends_on,
        data.reminder_days,
    )
    return _round(consultation.get_round(session, ctx.workspace, r.id))


@router.get("/rounds/{round_id}", response_model=RoundPageRead)
def read_round(session: DbSession, ctx: Reader, round_id: int) -> RoundPageRead:
    """The round: its state, the consulted version's sections with their comment threads, the
    formal responses the caller may see, and what the caller may do. A round the caller is
    not invited to answers 404."""
    page = consultation.round_page(session, ctx.workspace, service.actor_of(ctx), round_id)
    a = page.access
    sees = a.sees_answers
    return RoundPageRead(
        round=_round(a.round),
        deadline=a.deadline,
        can_comment=a.can_comment,
        can_reply=a.can_reply,
        can_answer=a.can_answer,
        sees_answers=sees,
        my_invitees=[
            InviteeRef(
                id=i.id, name=page.names[i.id], deadline=consultation.deadline_of(i, a.round)
            )
            for i in a.invitees
        ],
        invited=[page.names[i.id] for i in page.invitees],
        invitees=[_invitee(i, page.names[i.id], a.round) for i in page.invitees]
        if ctx.can("strategies.consult")
        else [],
        sections=[
            RoundSectionRead(
                **_version_section(s),
                threads=[_thread(t.comment, t.replies, sees) for t in page.threads.get(s.key, [])],
            )
            for s in page.sections
        ],
        responses=[_response(x, page.names) for x in page.responses],
        comments=page.comments,
        unanswered=page.unanswered if sees else None,
    )


@router.post("/rounds/{round_id}/invitees", response_model=InviteeRead, status_code=201)
def add_invitee(
    session: DbSession, ctx: Consulter, round_id: int, data: InviteeCreate
) -> InviteeRead:
    """Invite an organisation, a municipality of the county, a body or a guest by e-mail. In an
    open round the invitation goes out at once."""
    inv = consultation.add_invitee(
        session,
        ctx.workspace,
        round_id,
        data.kind,
        organisation_id=data.organisation_id,
        municipality_number=data.municipality_number,
        body_id=data.body_id,
        guest_name=data.guest_name,
        guest_email=data.guest_email,
        deadline=data.deadline,
    )
    invitees = consultation.invitees_of(session, ctx.workspace, round_id)
    names = consultation.invitee_names(session, ctx.workspace, invitees)
    r = consultation.get_round(session, ctx.workspace, round_id)
    return _invitee(inv, names[inv.id], r)


@router.delete("/rounds/{round_id}/invitees/{invitee_id}", status_code=204)
def remove_invitee(session: DbSession, ctx: Consulter, round_id: int, invitee_id: int) -> Response:
    """Withdraw an invitation (not once the invitee has commented)."""
    consultation.remove_invitee(session, ctx.workspace, round_id, invitee_id)
    return Response(status_code=204)


# --- comments, amendments and answers ------------------------------------------------------


@router.post("/rounds/{round_id}/comments", response_model=CommentRead, status_code=201)
def add_comment(session: DbSession, ctx: Reader, round_id: int, data: CommentCreate) -> CommentRead:
    """Comment on a section, optionally on a passage of it (`quote`), or reply in a thread
    (`parent_id`). After the deadline: 409 `round_closed`."""
    comment = consultation.add_comment(
        session,
        ctx.workspace,
        service.actor_of(ctx),
        round_id,
        data.section_key,
        data.body,
        data.quote,
        data.parent_id,
    )
    return CommentRead(**_comment_fields(comment, sees_answers=False))


@router.post(
    "/rounds/{round_id}/amendments",
    response_model=CommentRead,
    status_code=201,
    responses={409: {"model": SectionChangedRead, "description": "The section text changed."}},
)
def add_amendment(
    session: DbSession, ctx: Reader, round_id: int, data: AmendmentCreate
) -> CommentRead | JSONResponse:
    """Propose new text for a section. `base` is the `fingerprint` of the text the proposal
    was written against; if that is no longer the section's text, nothing is stored and the
    answer is 409 `section_changed` with the current text."""
    try:
        comment = consultation.add_amendment(
            session,
            ctx.workspace,
            service.actor_of(ctx),
            round_id,
            data.section_key,
            data.proposed_text,
            data.reason,
            data.base,
        )
    except consultation.SectionChanged as exc:
        return _conflict(exc, current=exc.current, fingerprint=text.fingerprint(exc.current))
    except InvalidInput as exc:
        # the service names the reason `body`, as the page's form does; here it is `reason`
        errors = {("reason" if k == "body" else k): v for k, v in exc.errors.items()}
        raise InvalidInput(errors) from exc
    return CommentRead(**_comment_fields(comment, sees_answers=False))


def _answer_read(session: DbSession, ctx: Context, result: consultation.AnswerResult) -> AnswerRead:
    draft = result.draft_section
    return AnswerRead(
        comment=CommentRead(**_comment_fields(result.comment, sees_answers=True)),
        applied=result.applied,
        draft_section=_reread_section(session, ctx, draft.document_id, draft.id) if draft else None,
    )


@router.put("/rounds/{round_id}/comments/{comment_id}/answer", response_model=AnswerRead)
def answer(
    session: DbSession, ctx: Consulter, round_id: int, comment_id: int, data: AnswerForm
) -> AnswerRead:
    """Answer a comment or amendment after the round has closed. An accepted amendment is
    written into the draft when the draft section still has the consulted text; otherwise
    `draft_section` shows the draft as it is now, to apply it deliberately."""
    result = consultation.answer(
        session,
        ctx.workspace,
        service.actor_of(ctx),
        round_id,
        comment_id,
        data.answer,
        data.reason,
    )
    return _answer_read(session, ctx, result)


@router.post("/rounds/{round_id}/comments/{comment_id}/apply", response_model=AnswerRead)
def apply_amendment(
    session: DbSession, ctx: Consulter, round_id: int, comment_id: int, data: ApplyForm
) -> AnswerRead:
    """Write an accepted amendment into a draft section that changed since the consulted
    version, confirming with the draft section's `revision`."""
    result = consultation.apply_accepted(
        session, ctx.workspace, service.actor_of(ctx), round_id, comment_id, data.draft_revision
    )
    return _answer_read(session, ctx, result)


@router.post("/rounds/{round_id}/answers/publish", response_model=RoundRead)
def publish_answers(session: DbSession, ctx: Consulter, round_id: int) -> RoundRead:
    """Publish the answers once every comment and amendment has one; everyone who took part
    hears what became of their input."""
    r = consultation.publish_answers(session, ctx.workspace, service.actor_of(ctx), round_id)
    return _round(r)


# --- formal responses ----------------------------------------------------------------------


@router.put(
    "/rounds/{round_id}/responses/{invitee_id}",
    response_model=ResponseRead,
    responses={409: {"model": ResponseConflictRead, "description": "Saved by someone else."}},
)
def save_response(
    session: DbSession, ctx: Reader, round_id: int, invitee_id: int, data: ResponseForm
) -> ResponseRead | JSONResponse:
    """Save the draft of the formal response (høringssvar) of an invitee the caller takes
    part for, written against `revision`; a stale one answers 409 `edit_conflict`."""
    try:
        response = consultation.save_response(
            session,
            ctx.workspace,
            service.actor_of(ctx),
            round_id,
            invitee_id,
            data.body,
            data.revision,
        )
    except consultation.ResponseConflict as exc:
        return _conflict(exc, response=_response_read(session, ctx, exc.response))
    return _response_read(session, ctx, response)


@router.post("/rounds/{round_id}/responses/{invitee_id}/submit", response_model=ResponseRead)
def submit_response(
    session: DbSession, ctx: Reader, round_id: int, invitee_id: int
) -> ResponseRead:
    """Submit the saved formal response; it is locked afterwards."""
    response = consultation.submit_response(
        session, ctx.workspace, service.actor_of(ctx), round_id, invitee_id
    )
    return _response_read(session, ctx, response)


# --- summary -------------------------------------------------------------------------------


@router.get("/rounds/{round_id}/summary", response_model=SummaryRead)
def read_summary(session: DbSession, ctx: Reader, round_id: int) -> SummaryRead:
    """The consultation summary (høringsoppsummering): every comment and amendment with its
    answer, by section, and the submitted formal responses. Participants see it once the
    answers are published."""
    s = summary.build(session, ctx.workspace, service.actor_of(ctx), round_id)
    if not (ctx.can("strategies.read_drafts") or s.round.answers_published_at):
        raise NotFound()
    return SummaryRead(
        round=_round(s.round),
        document_kind=s.document.kind,
        version=VersionInfo(**_version_info(s.version)),
        invited=s.invited,
        sections=[
            SummarySection(
                key=x.section.key,
                position=x.section.position,
                heading=x.section.heading,
                items=[_thread(i.comment, i.replies, sees_answers=True) for i in x.items],
            )
            for x in s.sections
        ],
        responses=[
            SummaryResponse(
                organisation=x.organisation,
                body=x.body,
                submitted_by=x.submitted_by,
                submitted_at=_aware(x.submitted_at),
            )
            for x in s.responses
        ],
        comments=s.comments,
        amendments=s.amendments,
        unanswered=s.unanswered,
        by_answer=s.by_answer,
    )


@router.get("/search", response_model=list[SearchHitRead])
def search_strategies(
    session: DbSession,
    ctx: DraftReader,
    q: Annotated[str, Query(min_length=1, max_length=200)],
) -> list[SearchHitRead]:
    """Documents, draft sections and comments of the workspace, best match first."""
    return [
        SearchHitRead(
            kind=h.kind,
            id=h.id,
            document_id=h.document_id,
            document_title=h.document_title,
            title=h.title,
            snippet_html=str(h.snippet),
            url=h.url,
        )
        for h in search.search(session, ctx.workspace, q)
    ]
