"""Files about an innovation (a guide, a routine, a template to copy): checked by their
content as help-request attachments are, kept in the storage as they are, readable wherever the
innovation is (also in other counties when it is shared), added and removed by the county that
owns the innovation."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.accounts.principal import Principal
from app.clock import utcnow
from app.counties.models import Workspace
from app.errors import InvalidInput, NotFound, found
from app.helpdesk import attachments
from app.i18n import _, lazy
from app.innovations import service
from app.innovations.models import InnovationFile
from app.tenancy import scoped, scoped_or_shared
from app.web import redirect

router = Router()
MAX_FILES = 20


def files_of(session: Session, ws: Workspace, innovation_id: int) -> list[InnovationFile]:
    """The files of an innovation this workspace sees (its own, or a shared one's)."""
    query = scoped_or_shared(
        InnovationFile, ws.id, InnovationFile.innovation_id.in_(service.shared_ids())
    )
    return list(
        session.scalars(
            query.where(InnovationFile.innovation_id == innovation_id).order_by(InnovationFile.id)
        )
    )


def add_files(
    session: Session,
    ws: Workspace,
    p: Principal,
    innovation_id: int,
    uploads: list[attachments.StoredUpload],
) -> list[InnovationFile]:
    inn = service.own_innovation(session, ws, innovation_id)
    if not uploads:
        raise InvalidInput({"attachments": lazy("Velg minst én fil.")})
    have = len(files_of(session, ws, inn.id))
    if have + len(uploads) > MAX_FILES:
        raise InvalidInput(
            {"attachments": lazy("En innovasjon kan ha høyst {n} filer.").format(n=MAX_FILES)}
        )
    rows = []
    for upload in uploads:
        row = InnovationFile(
            workspace_id=ws.id,
            innovation_id=inn.id,
            uploaded_by_id=p.user_id,
            created_at=utcnow(),
            **upload.columns(),
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def remove_file(session: Session, ws: Workspace, innovation_id: int, file_id: int) -> None:
    inn = service.own_innovation(session, ws, innovation_id)
    row = found(
        session.scalar(
            scoped(InnovationFile, ws.id).where(
                InnovationFile.id == file_id, InnovationFile.innovation_id == inn.id
            )
        )
    )
    session.delete(row)  # the bytes stay until a clean-up: never a row without its file
    session.flush()


Editor = Annotated[Context, Depends(require("innovations.edit"))]
Reader = Annotated[Context, Depends(require("innovations.read"))]


@router.get("/{workspace_slug}/innovasjoner/{innovation_id:int}/filer/{file_id:int}")
def download(innovation_id: int, file_id: int, session: DbSession, ctx: Reader) -> Response:
    service.get_innovation(session, ctx.workspace, innovation_id)
    row = next(
        (f for f in files_of(session, ctx.workspace, innovation_id) if f.id == file_id), None
    )
    if row is None:
        raise NotFound()
    return attachments.file_response(session, row.storage_key, row.filename, row.content_type)


@router.post("/{workspace_slug}/innovasjoner/{innovation_id:int}/filer/{file_id:int}/slett")
def delete(
    request: Request, innovation_id: int, file_id: int, session: DbSession, ctx: Editor
) -> Response:
    remove_file(session, ctx.workspace, innovation_id, file_id)
    return redirect(
        request, f"/{ctx.workspace.slug}/innovasjoner/{innovation_id}", flash=_("Filen er fjernet.")
    )
