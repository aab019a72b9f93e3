"""What a workspace sees of the innovation registry: its own innovations and those other
counties share, the adoptions and tallies that count with them, and the spread count (in use
somewhere other than where an innovation came from)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, distinct, func, null, or_, select
from sqlalchemy.orm import Session, aliased

from app.counties.models import Workspace
from app.innovations.models import Adoption, AdoptionSpread, Innovation
from app.tenancy import scoped_or_shared

IN_USE = "in_use"


def visible_innovations(ws: Workspace) -> Select[Any]:
    """Innovations of this workspace and those shared by other counties."""
    return scoped_or_shared(Innovation, ws.id, Innovation.shared.is_(True))


def shared_ids() -> Select[Any]:
    # Read through the scoped helper's rules: shared innovations are readable everywhere.
    return scoped_or_shared(Innovation, 0, Innovation.shared.is_(True)).with_only_columns(
        Innovation.id
    )


def visible_adoptions(ws: Workspace) -> Select[Any]:
    """Adoptions this workspace recorded, and every county's adoptions of shared innovations
    (so that they count across counties)."""
    return scoped_or_shared(Adoption, ws.id, Adoption.innovation_id.in_(shared_ids()))


def visible_tallies(ws: Workspace) -> Select[Any]:
    """The adoption tallies this workspace reads: its own, and every county's of a shared
    innovation (as with the adoptions themselves)."""
    return scoped_or_shared(AdoptionSpread, ws.id, AdoptionSpread.innovation_id.in_(shared_ids()))


def spread_count(ws: Workspace) -> Any:
    """A correlated count, per innovation of the outer query: the municipalities other than
    the origin where it is in use.

    Read from the tallies (a sum over at most one row per county). A municipality recorded by
    two counties would count twice there; with one workspace per county such a second record
    is always one of a municipality outside the recording county, so where the tallies hold
    any of those the municipalities are counted one by one instead (distinct, from the
    records)."""
    tallied = (
        # the outer innovation is one the workspace sees: its tallies are readable when they
        # are this workspace's or the innovation is shared
        scoped_or_shared(AdoptionSpread, ws.id, Innovation.shared.is_(True))
        .with_only_columns(
            case(
                (func.sum(AdoptionSpread.in_use_outside) > 0, null()),
                else_=func.coalesce(func.sum(AdoptionSpread.in_use), 0),
            )
        )
        .where(AdoptionSpread.innovation_id == Innovation.id)
        .correlate(Innovation)
        .scalar_subquery()
    )
    return func.coalesce(tallied, _distinct_spread(ws))


def with_spread(ws: Workspace, query: Select[Any]) -> tuple[Select[Any], Any]:
    """``query`` of innovations joined to their spread, and the spread column: the same count
    as :func:`spread_count`, for a list. Two grouped subqueries instead of a correlated one per
    row: the tallies summed per innovation (at most innovations × counties rows), and the
    distinct count from the records only for the innovations where a tally holds a record of
    a municipality outside its county."""
    tallied = (
        visible_tallies(ws)
        .with_only_columns(
            AdoptionSpread.innovation_id.label("innovation_id"),
            func.sum(AdoptionSpread.in_use).label("in_use"),
        )
        .group_by(AdoptionSpread.innovation_id)
        .subquery("tallied")
    )
    flagged = (
        visible_tallies(ws)
        .with_only_columns(AdoptionSpread.innovation_id)
        .where(AdoptionSpread.in_use_outside > 0)
    )
    made = aliased(Innovation, name="made")
    exact = (
        visible_adoptions(ws)
        .join(made, made.id == Adoption.innovation_id)
        .with_only_columns(
            Adoption.innovation_id.label("innovation_id"),
            func.count(distinct(Adoption.municipality_number)).label("n"),
        )
        .where(
            Adoption.innovation_id.in_(flagged),
            Adoption.status == IN_USE,
            or_(
                made.origin_municipality_number.is_(None),
                Adoption.municipality_number != made.origin_municipality_number,
            ),
        )
        .group_by(Adoption.innovation_id)
        .subquery("exact")
    )
    joined = query.outerjoin(tallied, tallied.c.innovation_id == Innovation.id).outerjoin(
        exact, exact.c.innovation_id == Innovation.id
    )
    return joined, func.coalesce(exact.c.n, tallied.c.in_use, 0)


def _distinct_spread(ws: Workspace) -> Any:
    return (
        visible_adoptions(ws)
        .with_only_columns(func.count(distinct(Adoption.municipality_number)))
        .where(
            Adoption.innovation_id == Innovation.id,
            Adoption.status == IN_USE,
            or_(
                Innovation.origin_municipality_number.is_(None),
                Adoption.municipality_number != Innovation.origin_municipality_number,
            ),
        )
        .correlate(Innovation)
        .scalar_subquery()
    )


def workspace_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        session.execute(select(Workspace.id, Workspace.name).where(Workspace.id.in_(ids))).all()
    )
