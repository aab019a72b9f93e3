"""JSON API of strategy documents: documents and their draft sections, published versions,
comparison and adoption, action-plan measures and search. Consultation rounds have their own
(``consultation/api.py``). Same permissions as the pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import JSONResponse, Response

from app.accounts.deps import Context, DbSession
from app.accounts.one_trip import Router
from app.errors import NotFound
from app.reads import Cursor, Limit, Page, UpdatedSince, page_listed, read, since, whole
from app.strategies import measures, search, service
from app.strategies.deps import ApiDraftReader, ApiEditor
from app.strategies.models import (
    Measure,
    StrategySection,
    StrategyVersion,
    VersionSection,
)
from app.strategies.reads import conflict, reread_section, section_read, version_section
from app.strategies.schemas import (
    AdoptionForm,
    Comparison,
    DocumentDetail,
    DocumentForm,
    DocumentRead,
    DocumentRow,
    EditConflictRead,
    MeasureForm,
    MeasureRead,
    MoveForm,
    PieceRead,
    PublishForm,
    SearchHitRead,
    SectionChangeRead,
    SectionCreate,
    SectionRead,
    SectionUpdate,
    VersionDetail,
    VersionRead,
    VersionSectionRead,
)

router = Router(prefix="/{workspace_slug}/strategies", tags=["strategies"])


# --- mapping -------------------------------------------------------------------------------


def _sections(session: DbSession, ctx: Context, doc_id: int) -> list[SectionRead]:
    return [section_read(s, ctx) for s in service.sections_of(session, ctx.workspace, doc_id)]


def _published_by(v: StrategyVersion) -> str | None:
    """``v.published_by`` must be loaded (``service.versions_of`` does)."""
    return v.published_by.name if v.published_by else None


def _loaded_version(session: DbSession, ctx: Context, doc_id: int, number: int) -> StrategyVersion:
    """A version with who published it loaded by the service."""
    for v in service.versions_of(session, ctx.workspace, doc_id):
        if v.number == number:
            return v
    raise NotFound()


def _measure(m: Measure) -> MeasureRead:
    return read(MeasureRead, m, overdue=measures.is_overdue(m))


# --- documents -----------------------------------------------------------------------------


@router.get("/documents", response_model=Page[DocumentRow])
def list_documents(
    session: DbSession,
    ctx: ApiDraftReader,
    cursor: Cursor = None,
    limit: Limit = 50,
    updated_since: UpdatedSince = None,
) -> Page[DocumentRow]:
    """Every strategy document of the workspace, by title, with its section count, latest
    published and latest adopted version (not for municipal and partner users); with
    ``updated_since``, those changed since then, oldest change first (to sync)."""
    moment = since(updated_since)
    return page_listed(
        service.documents(session, ctx.workspace),
        lambda row: row.document,
        moment,
        cursor,
        limit,
        lambda row: read(
            DocumentRow,
            row.document,
            sections=row.sections,
            latest_version=row.latest_version,
            adopted_version=row.adopted_version,
        ),
    )


@router.post("/documents", response_model=DocumentRead, status_code=201)
def create_document(session: DbSession, ctx: ApiEditor, data: DocumentForm) -> DocumentRead:
    doc = service.create_document(session, ctx.workspace, ctx.principal, data)
    return read(DocumentRead, doc)


@router.get("/documents/{doc_id}", response_model=DocumentDetail)
def read_document(session: DbSession, ctx: ApiDraftReader, doc_id: int) -> DocumentDetail:
    """A document with the sections of its working draft, in order."""
    doc = service.get_document(session, ctx.workspace, doc_id)
    return read(DocumentDetail, doc, sections=_sections(session, ctx, doc_id))


@router.put("/documents/{doc_id}", response_model=DocumentRead)
def update_document(
    session: DbSession, ctx: ApiEditor, doc_id: int, data: DocumentForm
) -> DocumentRead:
    """Replace the title, kind and summary."""
    doc = service.update_document(session, ctx.workspace, doc_id, data)
    return read(DocumentRead, doc)


# --- sections of the draft -----------------------------------------------------------------


@router.post("/documents/{doc_id}/sections", response_model=SectionRead, status_code=201)
def add_section(
    session: DbSession, ctx: ApiEditor, doc_id: int, data: SectionCreate
) -> SectionRead:
    """Add a section at the end of the draft."""
    section = service.add_section(session, ctx.workspace, ctx.principal, doc_id, data)
    return reread_section(session, ctx, doc_id, section.id)


@router.put(
    "/documents/{doc_id}/sections/{section_id}",
    response_model=SectionRead,
    responses={409: {"model": EditConflictRead, "description": "Saved by someone else since."}},
)
def save_section(
    session: DbSession, ctx: ApiEditor, doc_id: int, section_id: int, data: SectionUpdate
) -> SectionRead | JSONResponse:
    """Save a section's heading and text, written against `revision`. When someone saved it
    since, nothing is saved and the answer is 409 `edit_conflict` with the section as it is
    now: merge, then save again with its `revision`."""
    try:
        section = service.save_section(
            session, ctx.workspace, ctx.principal, doc_id, section_id, data
        )
    except service.EditConflict as exc:
        return conflict(exc, section=reread_section(session, ctx, doc_id, exc.now.id))
    return reread_section(session, ctx, doc_id, section.id)


@router.delete("/documents/{doc_id}/sections/{section_id}", status_code=204)
def delete_section(session: DbSession, ctx: ApiEditor, doc_id: int, section_id: int) -> Response:
    """Remove a section from the draft; published versions keep it."""
    service.delete_section(session, ctx.workspace, doc_id, section_id)
    return Response(status_code=204)


@router.post("/documents/{doc_id}/sections/{section_id}/move", response_model=list[SectionRead])
def move_section(
    session: DbSession, ctx: ApiEditor, doc_id: int, section_id: int, data: MoveForm
) -> list[SectionRead]:
    """Move a section one place up or down; answers with the sections in their new order."""
    service.move_section(session, ctx.workspace, doc_id, section_id, data)
    return _sections(session, ctx, doc_id)


# --- versions ------------------------------------------------------------------------------


@router.post("/documents/{doc_id}/versions", response_model=VersionRead, status_code=201)
def publish(session: DbSession, ctx: ApiEditor, doc_id: int, data: PublishForm) -> VersionRead:
    """Freeze the working draft as the next numbered version."""
    version = service.publish(session, ctx.workspace, ctx.principal, doc_id, data)
    return read(VersionRead, version, published_by=ctx.user.name)


@router.get("/documents/{doc_id}/versions", response_model=Page[VersionRead])
def list_versions(session: DbSession, ctx: ApiDraftReader, doc_id: int) -> Page[VersionRead]:
    """Published versions, newest first (all, on one page)."""
    service.get_document(session, ctx.workspace, doc_id)  # another workspace's: 404
    return whole(
        [
            read(VersionRead, v, published_by=_published_by(v))
            for v in service.versions_of(session, ctx.workspace, doc_id)
        ]
    )


@router.get("/documents/{doc_id}/versions/{number}", response_model=VersionDetail)
def read_version(
    session: DbSession, ctx: ApiDraftReader, doc_id: int, number: int
) -> VersionDetail:
    """A published version with its frozen sections."""
    version = _loaded_version(session, ctx, doc_id, number)
    sections = service.version_sections(session, ctx.workspace, version.id)
    return read(
        VersionDetail,
        version,
        published_by=_published_by(version),
        sections=[version_section(VersionSectionRead, s) for s in sections],
    )


@router.put("/documents/{doc_id}/versions/{number}/adoption", response_model=VersionRead)
def adopt(
    session: DbSession, ctx: ApiEditor, doc_id: int, number: int, data: AdoptionForm
) -> VersionRead:
    """Record that a political body adopted the version (vedtak): by whom, when, case number."""
    service.adopt(session, ctx.workspace, doc_id, number, data)
    version = _loaded_version(session, ctx, doc_id, number)
    return read(VersionRead, version, published_by=_published_by(version))


@router.get("/documents/{doc_id}/compare", response_model=Comparison)
def compare(
    session: DbSession,
    ctx: ApiDraftReader,
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
            read(SectionChangeRead, c, pieces=[read(PieceRead, p) for p in c.pieces])
            for c in service.compare(old, new)
        ],
    )


# --- measures of an action plan ------------------------------------------------------------


@router.get("/documents/{doc_id}/measures", response_model=Page[MeasureRead])
def list_measures(session: DbSession, ctx: ApiDraftReader, doc_id: int) -> Page[MeasureRead]:
    """The document's measures by deadline, those without one last (all, on one page)."""
    service.get_document(session, ctx.workspace, doc_id)  # another workspace's: 404
    return whole([_measure(m) for m in measures.measures_of(session, ctx.workspace, doc_id)])


@router.post("/documents/{doc_id}/measures", response_model=MeasureRead, status_code=201)
def add_measure(session: DbSession, ctx: ApiEditor, doc_id: int, data: MeasureForm) -> MeasureRead:
    m = measures.add(session, ctx.workspace, doc_id, data)
    return _measure(m)


@router.put("/documents/{doc_id}/measures/{measure_id}", response_model=MeasureRead)
def update_measure(
    session: DbSession, ctx: ApiEditor, doc_id: int, measure_id: int, data: MeasureForm
) -> MeasureRead:
    m = measures.update(session, ctx.workspace, doc_id, measure_id, data)
    return _measure(m)


@router.delete("/documents/{doc_id}/measures/{measure_id}", status_code=204)
def delete_measure(session: DbSession, ctx: ApiEditor, doc_id: int, measure_id: int) -> Response:
    measures.delete(session, ctx.workspace, doc_id, measure_id)
    return Response(status_code=204)


@router.get("/search", response_model=Page[SearchHitRead])
def search_strategies(
    session: DbSession,
    ctx: ApiDraftReader,
    q: Annotated[str, Query(min_length=1, max_length=200)],
) -> Page[SearchHitRead]:
    """Documents, draft sections and comments of the workspace, best match first (the best
    hits, on one page). ``total`` is null when more matched than were ranked (only the newest
    are): more words narrow the search."""
    hits = search.search(session, ctx.workspace, q)
    found = whole([read(SearchHitRead, h, snippet_html=str(h.snippet)) for h in hits])
    if hits.capped:
        found.total = None
    return found
