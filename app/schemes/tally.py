"""The participation tally: records added up per scheme, year, status, municipality and role,
with each municipality's equal share of the amounts granted. The figures read it instead of
the records, so their cost does not grow with the number of records.

It is derived data, refreshed for the (scheme, year) pairs a change touches, in the same
transaction as the change; :func:`refresh` with no pairs rebuilds a whole workspace (after a
bulk load)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Float, and_, cast, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from app.counties.models import Workspace
from app.schemes.models import Participation, ParticipationMember, ParticipationTally
from app.tenancy import scoped, scoped_delete

Pair = tuple[int, int]  # (scheme_id, year)


def _matching(columns: tuple[Any, Any], pairs: list[Pair]) -> Any:
    scheme_col, year_col = columns
    return or_(*(and_(scheme_col == s, year_col == y) for s, y in pairs))


def refresh(session: Session, ws: Workspace, pairs: Iterable[Pair] | None = None) -> None:
    """Recount the tally of ``pairs`` (every pair of the workspace when None)."""
    wanted = sorted(set(pairs)) if pairs is not None else None
    if wanted == []:
        return
    session.flush()
    gone = scoped_delete(ParticipationTally, ws.id)
    if wanted is not None:
        gone = gone.where(
            _matching((ParticipationTally.scheme_id, ParticipationTally.year), wanted)
        )
    session.execute(gone)
    members = ParticipationMember
    records = scoped(Participation, ws.id).join(
        members, and_(members.participation_id == Participation.id, members.workspace_id == ws.id)
    )
    if wanted is not None:
        records = records.where(_matching((Participation.scheme_id, Participation.year), wanted))
    inner = records.with_only_columns(
        Participation.scheme_id.label("scheme_id"),
        Participation.year.label("year"),
        Participation.status.label("status"),
        members.municipality_number.label("number"),
        members.role.label("role"),
        (
            cast(func.coalesce(Participation.amount_granted, 0), Float)
            / cast(func.count().over(partition_by=Participation.id), Float)
        ).label("share"),
    ).subquery()

    grouped = select(
        literal(ws.id),
        inner.c.scheme_id,
        inner.c.year,
        inner.c.status,
        inner.c.number,
        inner.c.role,
        func.count(),
        func.sum(inner.c.share),
    ).group_by(inner.c.scheme_id, inner.c.year, inner.c.status, inner.c.number, inner.c.role)
    session.execute(
        insert(ParticipationTally).from_select(
            [
                "workspace_id",
                "scheme_id",
                "year",
                "status",
                "municipality_number",
                "role",
                "records",
                "granted_share",
            ],
            grouped,
        )
    )


__all__ = ["refresh"]
