"""Due times of requests, kept on the request so that the overdue view and the figures are
queries: counted from the workspace's service levels in working hours (``sla``), refreshed when a
request changes or the levels do, and the one rule for what is overdue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.orm import Session

from app.counties.models import Workspace
from app.db import utcnow
from app.helpdesk import sla
from app.helpdesk.models import OPEN_STATES, HelpRequest, RequestEvent
from app.tenancy import scoped

BATCH = 500


def service_levels(
    session: Session,
    ws: Workspace,
    requests: list[HelpRequest],
    history: Sequence[Any] | None = None,
) -> dict[int, sla.Due]:
    """Due times for first response and resolution, in working hours, per request id. One
    query for the waiting periods of all the requests given — none when ``history``, the
    whole history of the one request given (its page has it: events, or rows with their
    ``request_id``, ``kind``, ``from_state``, ``to_state`` and ``at``), is at hand."""
    if not requests:
        return {}
    waits: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    opened: dict[int, datetime] = {}
    if history is not None and len(requests) == 1:
        events: Any = [
            (e.request_id, e.to_state, e.at)
            for e in history
            if e.kind == "transition" and "waiting_for_municipality" in (e.to_state, e.from_state)
        ]
    else:
        events = session.execute(
            scoped(RequestEvent, ws.id)
            .where(
                RequestEvent.request_id.in_([r.id for r in requests]),
                RequestEvent.kind == "transition",
                or_(
                    RequestEvent.to_state == "waiting_for_municipality",
                    RequestEvent.from_state == "waiting_for_municipality",
                ),
            )
            .order_by(RequestEvent.id)
            .with_only_columns(RequestEvent.request_id, RequestEvent.to_state, RequestEvent.at)
        ).all()
    for request_id, to_state, at in events:
        if to_state == "waiting_for_municipality":
            opened[request_id] = at
        elif request_id in opened:
            waits[request_id].append((opened.pop(request_id), at))
    for request_id, start in opened.items():
        waits[request_id].append((start, None))
    now = utcnow()
    levels = sla.levels_of(ws)
    return {
        r.id: sla.due_times(
            created_at=r.created_at,
            priority=r.priority,
            first_response_at=r.first_response_at,
            resolved_at=r.resolved_at,
            waits=waits.get(r.id, []),
            now=now,
            levels=levels,
        )
        for r in requests
    }


def working_minutes(ws: Workspace, start: datetime, end: datetime) -> int:
    """Working minutes between two moments in the workspace's working day."""
    return round(sla.levels_of(ws).calendar().minutes_between(start, end))


def refresh_due(session: Session, ws: Workspace, requests: list[HelpRequest]) -> None:
    """Store the due times, so that the overdue view and figures are queries. While a request
    waits for the municipality its resolution clock stands still: no resolution due time."""
    session.flush()
    due = service_levels(session, ws, requests)
    for r in requests:
        d = due[r.id]
        # In UTC: the overdue query compares with UTC now.
        r.first_response_due_at = d.first_response_due.astimezone(UTC)
        r.resolution_due_at = (
            None
            if r.state in ("waiting_for_municipality", "resolved", "closed")
            else d.resolution_due.astimezone(UTC)
        )
    session.flush()


def fill_missing_derived(session: Session, ws: Workspace) -> int:
    """Requests filed before due times and working minutes were stored get them now."""
    missing = list(
        session.scalars(
            scoped(HelpRequest, ws.id).where(
                or_(
                    and_(
                        HelpRequest.state.in_(OPEN_STATES),
                        HelpRequest.first_response_due_at.is_(None),
                    ),
                    and_(
                        HelpRequest.first_response_at.is_not(None),
                        HelpRequest.first_response_minutes.is_(None),
                    ),
                    and_(
                        HelpRequest.resolved_at.is_not(None),
                        HelpRequest.resolution_minutes.is_(None),
                    ),
                )
            )
        )
    )
    for r in missing:
        if r.first_response_at is not None and r.first_response_minutes is None:
            r.first_response_minutes = working_minutes(ws, r.created_at, r.first_response_at)
        if r.resolved_at is not None and r.resolution_minutes is None:
            r.resolution_minutes = working_minutes(ws, r.created_at, r.resolved_at)
    open_ones = [r for r in missing if r.state in OPEN_STATES]
    for start in range(0, len(open_ones), BATCH):
        refresh_due(session, ws, open_ones[start : start + BATCH])
    session.flush()
    return len(missing)


def refresh_all_due(session: Session, ws: Workspace) -> int:
    """After the service levels change: new due times for every open request."""
    open_requests = list(
        session.scalars(scoped(HelpRequest, ws.id).where(HelpRequest.state.in_(OPEN_STATES)))
    )
    for start in range(0, len(open_requests), BATCH):
        refresh_due(session, ws, open_requests[start : start + BATCH])
    return len(open_requests)


def is_overdue(req: Any, now: datetime) -> bool:
    """The same rule as ``overdue_clause``, for a request already loaded (a ``HelpRequest`` or
    a row with its ``state`` and due times, such as ``queue.QueueRow``)."""
    if req.state not in OPEN_STATES:
        return False
    first_due = req.first_response_due_at
    resolution_due = req.resolution_due_at
    return bool(
        (req.first_response_at is None and first_due is not None and first_due < now)
        or (resolution_due is not None and resolution_due < now)
    )


def overdue_clause(now: datetime) -> Any:
    """Open requests past a due time: no first response in time, or not resolved in time."""
    return and_(
        HelpRequest.state.in_(OPEN_STATES),
        or_(
            and_(
                HelpRequest.first_response_at.is_(None),
                HelpRequest.first_response_due_at < now,
            ),
            HelpRequest.resolution_due_at < now,
        ),
    )
