"""The pages of a summary PDF made in the background: ask for it (POST), wait for it (a page
that refreshes itself until the link is there), download it. Only the person who asked, with
the right to read drafts in the workspace, sees either; anything else is a 404."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from app.accounts.deps import DbSession
from app.accounts.one_trip import Router
from app.strategies.consultation.access import access
from app.strategies.deps import DraftReader
from app.strategies.exports import background
from app.strategies.exports.common import PDF_TYPE
from app.strategies.render import page as render_page
from app.web import redirect

router = Router()
REFRESH_SECONDS = 3


def _base(ctx: DraftReader, round_id: int) -> str:
    return f"/{ctx.workspace.slug}/hoeringer/{round_id}/oppsummering"


@router.post("/{workspace_slug}/hoeringer/{round_id}/oppsummering.pdf")
def request_summary_pdf(
    request: Request, round_id: int, session: DbSession, ctx: DraftReader
) -> Response:
    access(session, ctx.workspace, ctx.principal, round_id)  # 404 for a round not theirs
    job = background.request_pdf(session, ctx.workspace, ctx.principal, round_id)
    return redirect(request, f"{_base(ctx, round_id)}/pdf/{job.id}")


@router.get("/{workspace_slug}/hoeringer/{round_id}/oppsummering/pdf/{job_id}")
def summary_pdf_status(
    request: Request, round_id: int, job_id: int, session: DbSession, ctx: DraftReader
) -> Response:
    job = background.get_job(session, ctx.workspace, ctx.principal, round_id, job_id)
    waiting = job.status in ("waiting", "working")
    response = render_page(
        request,
        "strategies/summary_pdf.html",
        round_id=round_id,
        job=job,
        summary_url=_base(ctx, round_id),
        refresh=REFRESH_SECONDS if waiting else None,
    )
    if waiting:  # the browser asks again by itself, with or without JavaScript
        response.headers["Refresh"] = str(REFRESH_SECONDS)
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/{workspace_slug}/hoeringer/{round_id}/oppsummering/pdf/{job_id}/fil")
def summary_pdf_file(round_id: int, job_id: int, session: DbSession, ctx: DraftReader) -> Response:
    job = background.get_job(session, ctx.workspace, ctx.principal, round_id, job_id)
    opened = background.open_file(session, job)
    return StreamingResponse(
        iter(opened),
        media_type=PDF_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="hoeringsoppsummering-{round_id}.pdf"',
            "Content-Length": str(opened.size),
            "Cache-Control": "private, no-store",
        },
    )
