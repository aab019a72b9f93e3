"""JSON API of on-site visits: the visits planned on a request, planning one, and its report."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import Context, DbSession, api_require
from app.accounts.one_trip import Router
from app.errors import NotFound
from app.helpdesk.models import Visit
from app.helpdesk.queue import get_request
from app.helpdesk.visits import service as visits
from app.helpdesk.visits.schemas import VisitForm, VisitRead, VisitReportForm
from app.reads import Page, read, whole

router = Router(tags=["helpdesk"])

Reader = Annotated[Context, Depends(api_require("helpdesk.read"))]


def _visit(v: Visit) -> VisitRead:
    return read(VisitRead, v, helpers=[h.user for h in v.helpers])


def _visit_by_id(session: DbSession, ctx: Context, number: int, visit_id: int) -> VisitRead:
    req = get_request(session, ctx.workspace, ctx.principal, number)
    for v in visits.visits_of(session, ctx.workspace, req.id):
        if v.id == visit_id:
            return _visit(v)
    raise NotFound()


@router.get("/{workspace_slug}/helpdesk/requests/{number}/visits")
def list_visits(session: DbSession, ctx: Reader, number: int) -> Page[VisitRead]:
    """On-site visits planned on a request, with their reports (all, on one page)."""
    req = get_request(session, ctx.workspace, ctx.principal, number)
    return whole([_visit(v) for v in visits.visits_of(session, ctx.workspace, req.id)])


@router.post("/{workspace_slug}/helpdesk/requests/{number}/visits", status_code=201)
def plan_visit(session: DbSession, ctx: Reader, number: int, data: VisitForm) -> VisitRead:
    """Plan an on-site visit (the help corps); the requester and the helpers get e-mail."""
    visit = visits.plan_visit(session, ctx.workspace, ctx.principal, number, data)
    return _visit_by_id(session, ctx, number, visit.id)


@router.put("/{workspace_slug}/helpdesk/requests/{number}/visits/{visit_id}/report")
def report_visit(
    session: DbSession, ctx: Reader, number: int, visit_id: int, data: VisitReportForm
) -> VisitRead:
    """Write or replace the short report after a visit."""
    visits.report_visit(session, ctx.workspace, ctx.principal, number, visit_id, data)
    return _visit_by_id(session, ctx, number, visit_id)
