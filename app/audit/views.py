from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from app.accounts import service as accounts_service
from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.audit import service
from app.db import Base
from app.web import render

router = Router()


def object_labels() -> dict[str, str]:
    """What each kind of object in the change log is called: every table says so itself
    (``__audit_label__`` on the model)."""
    return {
        mapper.local_table.name: mapper.class_.__audit_label__  # type: ignore[attr-defined]
        for mapper in Base.registry.mappers
        if hasattr(mapper.class_, "__audit_label__")
    }


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@router.get("/{workspace_slug}/logg")
def audit_log(
    request: Request,
    session: DbSession,
    ctx: Annotated[Context, Depends(require("audit.read"))],
    bruker: Annotated[str | None, Query(max_length=12)] = None,
    objekt: Annotated[str | None, Query(max_length=60)] = None,
    fra: Annotated[str | None, Query(max_length=10)] = None,
    til: Annotated[str | None, Query(max_length=10)] = None,
    for_id: Annotated[int | None, Query(alias="før", ge=1)] = None,
) -> Response:
    filters = service.AuditFilter(
        actor_id=int(bruker) if bruker and bruker.isdecimal() else None,
        object_type=objekt or None,
        date_from=_date(fra),
        date_to=_date(til),
        before_id=for_id,
    )
    events = service.list_events(session, ctx.workspace.id, filters, limit=51)
    more = len(events) > 50
    events = events[:50]
    return render(
        request,
        "audit/log.html",
        {
            "events": events,
            "more": more,
            "members": accounts_service.list_members(session, ctx.workspace.id),
            "object_types": service.object_types(session, ctx.workspace.id),
            "object_labels": object_labels(),
            "filters": {
                "bruker": bruker or "",
                "objekt": objekt or "",
                "fra": fra or "",
                "til": til or "",
            },
        },
        fragment="audit/_events.html",
    )
