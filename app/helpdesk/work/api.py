"""JSON API of help that runs for weeks: the plan's steps, links between requests, and time
spent."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, api_require
from app.accounts.one_trip import Router
from app.errors import Forbidden
from app.helpdesk.queue import get_request
from app.helpdesk.schemas import UserRef
from app.helpdesk.work import service as work
from app.helpdesk.work.schemas import (
    LinkForm,
    LinkRead,
    StepDone,
    StepForm,
    StepRead,
    TimeForm,
    TimeSheet,
)
from app.reads import Page, read, whole

router = Router(tags=["helpdesk"])

Reader = Annotated[Context, Depends(api_require("helpdesk.read"))]


@router.get("/{workspace_slug}/helpdesk/requests/{number}/steps")
def list_steps(session: DbSession, ctx: Reader, number: int) -> Page[StepRead]:
    """The plan: steps with due dates, done or not (all, on one page)."""
    req = get_request(session, ctx.workspace, ctx.principal, number)
    return whole(
        [StepRead.model_validate(s) for s in work.steps_of(session, ctx.workspace, req.id)]
    )


@router.post("/{workspace_slug}/helpdesk/requests/{number}/steps", status_code=201)
def add_step(session: DbSession, ctx: Reader, number: int, data: StepForm) -> StepRead:
    """Add a step to the plan (the help corps)."""
    step = work.add_step(session, ctx.workspace, ctx.principal, number, data)
    return StepRead.model_validate(step)


@router.put("/{workspace_slug}/helpdesk/requests/{number}/steps/{step_id}/done")
def mark_step(
    session: DbSession, ctx: Reader, number: int, step_id: int, data: StepDone
) -> StepRead:
    """Mark a step done or not done."""
    step = work.set_step_done(session, ctx.workspace, ctx.principal, number, step_id, data.done)
    return StepRead.model_validate(step)


@router.delete("/{workspace_slug}/helpdesk/requests/{number}/steps/{step_id}", status_code=204)
def remove_step(session: DbSession, ctx: Reader, number: int, step_id: int) -> Response:
    work.remove_step(session, ctx.workspace, ctx.principal, number, step_id)
    return Response(status_code=204)


def _link(linked: work.Linked) -> LinkRead:
    r = linked.request
    return read(LinkRead, r, id=linked.link_id, municipality_name=r.municipality.name)


@router.get("/{workspace_slug}/helpdesk/requests/{number}/links")
def list_links(session: DbSession, ctx: Reader, number: int) -> Page[LinkRead]:
    """Related requests the caller may see (all, on one page)."""
    req = get_request(session, ctx.workspace, ctx.principal, number)
    return whole(
        [_link(linked) for linked in work.links_of(session, ctx.workspace, ctx.principal, req)]
    )


@router.post("/{workspace_slug}/helpdesk/requests/{number}/links", status_code=201)
def add_link(session: DbSession, ctx: Reader, number: int, data: LinkForm) -> list[LinkRead]:
    """Link another request (by number, `12` or `HK-12`); answers with all the links."""
    work.link(session, ctx.workspace, ctx.principal, number, data)
    return list_links(session, ctx, number).items


@router.delete("/{workspace_slug}/helpdesk/requests/{number}/links/{link_id}", status_code=204)
def remove_link(session: DbSession, ctx: Reader, number: int, link_id: int) -> Response:
    work.unlink(session, ctx.workspace, ctx.principal, number, link_id)
    return Response(status_code=204)


def _timesheet(session: DbSession, ctx: Context, request_id: int) -> TimeSheet:
    t = work.time_of(session, ctx.workspace, request_id)
    by_helper = [{"user": UserRef.model_validate(u), "minutes": m} for u, m in t.by_helper]
    return read(TimeSheet, t, by_helper=by_helper)


@router.get("/{workspace_slug}/helpdesk/requests/{number}/time")
def time_sheet(session: DbSession, ctx: Reader, number: int) -> TimeSheet:
    """Time spent on the request, per helper (the help corps only)."""
    req = get_request(session, ctx.workspace, ctx.principal, number)
    if not ctx.can("helpdesk.work"):
        raise Forbidden()
    return _timesheet(session, ctx, req.id)


@router.post("/{workspace_slug}/helpdesk/requests/{number}/time", status_code=201)
def log_time(session: DbSession, ctx: Reader, number: int, data: TimeForm) -> TimeSheet:
    """Log time spent: `hours` as "1,5", "1.5" or "0:45" on the day `worked_on`."""
    entry = work.log_time(session, ctx.workspace, ctx.principal, number, data)
    return _timesheet(session, ctx, entry.request_id)


@router.delete("/{workspace_slug}/helpdesk/requests/{number}/time/{entry_id}", status_code=204)
def remove_time(session: DbSession, ctx: Reader, number: int, entry_id: int) -> Response:
    work.remove_time(session, ctx.workspace, ctx.principal, number, entry_id)
    return Response(status_code=204)
