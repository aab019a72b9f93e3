"""HTML pages of the webinar series: the list of series (and a new one), and a series' archive
of sessions held, newest first, with recordings and slides, searchable, and its next
sessions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.forms import FormData, submit
from app.i18n import _, ngettext
from app.meetings import series, service
from app.meetings.schemas import SeriesForm, SessionsForm
from app.meetings.series import ARCHIVE_KEY
from app.reads import encode_cursor
from app.web import render

router = Router()

Reader = Annotated[Context, Depends(require("meetings.read"))]
PAGE_SIZE = 30


def _base(ctx: Context) -> str:
    return f"/{ctx.workspace.slug}/moter/serier"


def _list(
    request: Request,
    session: DbSession,
    ctx: Context,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    ws, p = ctx.workspace, ctx.principal
    bodies = service.editable_bodies(session, ws, p)
    return render(
        request,
        "meetings/series_list.html",
        {
            "rows": series.list_series(session, ws, p),
            "can_create": p.can("meetings.edit") or bool(bodies),
            "county_series": p.can("meetings.edit"),
            "bodies": bodies,
            "values": values or {"cadence_days": "14"},
            "errors": errors or {},
        },
        status_code=422 if errors else 200,
    )


@router.get("/{workspace_slug}/moter/serier")
def list_page(request: Request, session: DbSession, ctx: Reader) -> Response:
    return _list(request, session, ctx)


@router.post("/{workspace_slug}/moter/serier")
def create(request: Request, session: DbSession, data: FormData, ctx: Reader) -> Response:
    return submit(
        request,
        session,
        data,
        lambda form: series.create_series(session, ctx.workspace, ctx.principal, form),
        schema=SeriesForm,
        done=lambda saved: f"{_base(ctx)}/{saved.id}",
        flash=lambda saved: _("Webinarserien «{title}» er lagret.").format(title=saved.title),
        again=lambda errors: _list(request, session, ctx, data, errors),
    )


def _archive(
    request: Request,
    session: DbSession,
    ctx: Context,
    series_id: int,
    *,
    q: str = "",
    etter: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    ws, p = ctx.workspace, ctx.principal
    s = series.get_series(session, ws, p, series_id)
    rows, more = series.archive(session, ws, p, s, q=q.strip() or None, cursor=etter)
    next_cursor = (
        encode_cursor([getattr(rows[-1], c.key) for c in ARCHIVE_KEY.columns])
        if more and rows
        else None
    )
    return render(
        request,
        "meetings/series.html",
        {
            "series": s,
            "body_name": service.body_names(session, ws).get(s.body_id or 0),
            "rows": rows,
            "upcoming": series.upcoming(session, ws, p, s),
            "q": q,
            "next_cursor": next_cursor,
            "can_edit": series.may_edit(session, ws, p, s),
            "values": values or {"count": "4", "start": "14:00", "end": "15:00"},
            "errors": errors or {},
        },
        fragment="meetings/_series_archive.html",
        status_code=422 if errors else 200,
    )


@router.get("/{workspace_slug}/moter/serier/{series_id:int}")
def archive_page(
    request: Request,
    series_id: int,
    session: DbSession,
    ctx: Reader,
    q: Annotated[str, Query(max_length=100)] = "",
    etter: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    return _archive(request, session, ctx, series_id, q=q, etter=etter)


@router.post("/{workspace_slug}/moter/serier/{series_id:int}/okter")
def add_sessions(
    request: Request, series_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    s = series.get_series(session, ctx.workspace, ctx.principal, series_id)
    # who may write is known before the form is read: a reader is refused (403)
    series.check_edit(session, ctx.workspace, ctx.principal, s)
    return submit(
        request,
        session,
        data,
        lambda form: series.add_sessions(session, ctx.workspace, ctx.principal, series_id, form),
        schema=SessionsForm,
        done=f"{_base(ctx)}/{series_id}",
        flash=lambda made: ngettext(
            "{n} ny økt er lagt til.", "{n} nye økter er lagt til.", len(made)
        ).format(n=len(made)),
        again=lambda errors: _archive(request, session, ctx, series_id, values=data, errors=errors),
    )
