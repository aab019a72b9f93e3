"""The forms of help that runs for weeks, on a request's page: the plan's steps, links to
related requests, and time spent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, require
from app.forms import MultiFormData
from app.helpdesk.request_page import submit_on_request
from app.helpdesk.work import service as work
from app.helpdesk.work.schemas import LinkForm, StepForm, TimeForm
from app.i18n import _

router = APIRouter()

Reader = Annotated[Context, Depends(require("helpdesk.read"))]


@router.post("/{workspace_slug}/hjelp/{number}/steg")
def add_step(
    request: Request, number: int, session: DbSession, data: MultiFormData, ctx: Reader
) -> Response:
    return submit_on_request(
        request,
        session,
        ctx,
        number,
        data,
        lambda form: work.add_step(session, ctx.workspace, ctx.principal, number, form),
        schema=StepForm,
        flash=_("Steget er lagt til."),
    )


@router.post("/{workspace_slug}/hjelp/{number}/steg/{step_id}")
def mark_step(
    request: Request,
    number: int,
    step_id: int,
    session: DbSession,
    data: MultiFormData,
    ctx: Reader,
) -> Response:
    done = data.get("done") == "1"
    return submit_on_request(
        request,
        session,
        ctx,
        number,
        data,
        lambda _form: work.set_step_done(
            session, ctx.workspace, ctx.principal, number, step_id, done
        ),
        flash=_("Steget er merket som gjort.") if done else _("Steget er merket som ikke gjort."),
    )


@router.post("/{workspace_slug}/hjelp/{number}/steg/{step_id}/slett")
def remove_step(
    request: Request,
    number: int,
    step_id: int,
    session: DbSession,
    data: MultiFormData,
    ctx: Reader,
) -> Response:
    return submit_on_request(
        request,
        session,
        ctx,
        number,
        data,
        lambda _form: work.remove_step(session, ctx.workspace, ctx.principal, number, step_id),
        flash=_("Steget er fjernet."),
    )


@router.post("/{workspace_slug}/hjelp/{number}/lenker")
def add_link(
    request: Request, number: int, session: DbSession, data: MultiFormData, ctx: Reader
) -> Response:
    return submit_on_request(
        request,
        session,
        ctx,
        number,
        data,
        lambda form: work.link(session, ctx.workspace, ctx.principal, number, form),
        schema=LinkForm,
        flash=_("Lenken er lagt til."),
    )


@router.post("/{workspace_slug}/hjelp/{number}/lenker/{link_id}/slett")
def remove_link(
    request: Request,
    number: int,
    link_id: int,
    session: DbSession,
    data: MultiFormData,
    ctx: Reader,
) -> Response:
    return submit_on_request(
        request,
        session,
        ctx,
        number,
        data,
        lambda _form: work.unlink(session, ctx.workspace, ctx.principal, number, link_id),
        flash=_("Lenken er fjernet."),
    )


@router.post("/{workspace_slug}/hjelp/{number}/tid")
def log_time(
    request: Request, number: int, session: DbSession, data: MultiFormData, ctx: Reader
) -> Response:
    return submit_on_request(
        request,
        session,
        ctx,
        number,
        data,
        lambda form: work.log_time(session, ctx.workspace, ctx.principal, number, form),
        schema=TimeForm,
        flash=_("Tiden er ført."),
    )


@router.post("/{workspace_slug}/hjelp/{number}/tid/{entry_id}/slett")
def remove_time(
    request: Request,
    number: int,
    entry_id: int,
    session: DbSession,
    data: MultiFormData,
    ctx: Reader,
) -> Response:
    return submit_on_request(
        request,
        session,
        ctx,
        number,
        data,
        lambda _form: work.remove_time(session, ctx.workspace, ctx.principal, number, entry_id),
        flash=_("Tidsføringen er fjernet."),
    )
