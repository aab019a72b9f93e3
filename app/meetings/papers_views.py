"""HTML routes of an agenda item's files: upload (on the meeting page), download, remove."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from app.accounts.deps import DbSession
from app.accounts.one_trip import Router
from app.errors import InvalidInput
from app.forms import uploaded_files
from app.helpdesk import attachments
from app.i18n import _, ngettext
from app.meetings import papers, views
from app.web import redirect

router = Router()
Files = Annotated[list[UploadFile], Depends(uploaded_files)]
ITEM = "/{workspace_slug}/moter/{meeting_id:int}/saker/{item_id:int}/filer"


@router.post(ITEM)
def upload(
    request: Request,
    meeting_id: int,
    item_id: int,
    session: DbSession,
    files: Files,
    ctx: views.Reader,
) -> Response:
    ws, p = ctx.workspace, ctx.principal
    papers.check_item(session, ws, p, meeting_id, item_id)  # 404 before the files are read
    try:
        # Read and checked, then stored outside the transaction (deleted again if refused).
        uploads = attachments.keep(session, attachments.read_form_files(files, "files"))
        with session.begin_nested():
            added = papers.add_papers(session, ws, p, meeting_id, item_id, uploads)
    except InvalidInput as exc:
        key = f"files-{item_id}"
        errors = {key: next(iter(exc.messages().values()), "")}
        return views.meeting_page_response(
            request,
            session,
            ctx,
            meeting_id,
            errors=errors,
            values={"_dropped": attachments.chosen(files)},
            form=key,
            status_code=exc.status_code,
        )
    return redirect(
        request,
        f"{views._base(ctx)}/{meeting_id}#sak-{item_id}",
        flash=ngettext("%(num)d fil er lagt til.", "%(num)d filer er lagt til.", len(added)),
    )


@router.get(ITEM + "/{paper_id:int}")
def download(
    meeting_id: int, item_id: int, paper_id: int, session: DbSession, ctx: views.Reader
) -> Response:
    row = papers.readable_paper(
        session, ctx.workspace, ctx.principal, meeting_id, item_id, paper_id
    )
    return attachments.file_response(session, row.storage_key, row.filename, row.content_type)


@router.post(ITEM + "/{paper_id:int}/slett")
def delete(
    request: Request,
    meeting_id: int,
    item_id: int,
    paper_id: int,
    session: DbSession,
    ctx: views.Reader,
) -> Response:
    papers.remove_paper(session, ctx.workspace, ctx.principal, meeting_id, item_id, paper_id)
    return redirect(
        request, f"{views._base(ctx)}/{meeting_id}#sak-{item_id}", flash=_("Filen er fjernet.")
    )
