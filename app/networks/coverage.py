"""Networks: coverage (which municipalities are in which councils and networks, and which
in none) and the key figures the workspace's start page shows."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session

from app.counties.models import Municipality, Workspace
from app.networks.models import TOP_LEVEL_KINDS, Body
from app.networks.service import current_members, visible_bodies
from app.tenancy import stand_in_workspace


@dataclass
class CoverageRow:
    municipality: Municipality
    size_class: int
    councils: int
    digital_networks: int
    bodies: int
    member_of: set[int]


@dataclass
class Coverage:
    rows: list[CoverageRow]
    columns: list[Body]
    no_council: list[CoverageRow]
    no_digital_network: list[CoverageRow]
    fewest: list[CoverageRow]


def coverage(session: Session, ws: Workspace, size_class: int | None = None) -> Coverage:
    """Which of the county's municipalities are in no council, in no digitalisation network,
    in the fewest bodies. Four queries whatever the number of bodies or memberships."""
    from app.counties import service as counties_service

    settings = counties_service.settings_of(ws)
    municipalities = counties_service.municipalities_of_county(session, ws.county_number)
    values = {"ws": ws.id, "county": ws.county_number}
    bodies = {b.id: b for b in session.scalars(_bodies_query(), values)}
    member_of: dict[str, set[int]] = defaultdict(set)
    for member in current_members(session, ws):
        if member.municipality_number and member.body_id in bodies:
            member_of[member.municipality_number].add(member.body_id)

    def root_kind(body: Body) -> Body:
        seen = 0
        while body.parent_id and body.parent_id in bodies and seen < 50:
            body = bodies[body.parent_id]
            seen += 1
        return body

    rows = []
    for m in municipalities:
        cls = counties_service.size_class_of(m.population, settings)
        if size_class and cls != size_class:
            continue
        ids = member_of.get(m.number, set())
        roots = {root_kind(bodies[i]).id for i in ids}
        rows.append(
            CoverageRow(
                municipality=m,
                size_class=cls,
                councils=sum(1 for i in roots if bodies[i].kind == "council"),
                digital_networks=sum(
                    1
                    for i in ids | roots
                    if bodies[i].kind == "network" and bodies[i].theme == "digitalisation"
                ),
                bodies=len(roots),
                member_of=ids | roots,
            )
        )
    columns = [b for b in bodies.values() if b.parent_id is None and b.kind in TOP_LEVEL_KINDS]
    return Coverage(
        rows=rows,
        columns=columns,
        no_council=[r for r in rows if r.councils == 0],
        no_digital_network=[r for r in rows if r.digital_networks == 0],
        fewest=sorted(rows, key=lambda r: (r.bodies, r.municipality.population))[:10],
    )


@functools.cache
def _bodies_query() -> Any:
    """The bodies the workspace (``ws``, ``county``: :func:`stand_in_workspace`) sees that are
    not archived, by name: made once per process (the coverage is read often, by the API)."""
    return (
        visible_bodies(stand_in_workspace()).where(Body.archived_at.is_(None)).order_by(Body.name)
    )


def bodies_by_kind(session: Session, ws: Workspace) -> dict[str, int]:
    rows = session.execute(
        visible_bodies(ws)
        .where(Body.archived_at.is_(None))
        .with_only_columns(Body.kind, func.count())
        .group_by(Body.kind)
    ).all()
    return {kind: n for kind, n in rows}


@dataclass
class OverviewFigures:
    bodies_by_kind: dict[str, int]
    councils: int
    networks: int
    no_council: list[CoverageRow]
    no_digital_network: list[CoverageRow]


def overview_figures(session: Session, ws: Workspace) -> OverviewFigures:
    """What the networks module adds to the workspace's start page."""
    by_kind = bodies_by_kind(session, ws)
    cov = coverage(session, ws)
    return OverviewFigures(
        bodies_by_kind=by_kind,
        councils=by_kind.get("council", 0),
        networks=by_kind.get("network", 0),
        no_council=cov.no_council,
        no_digital_network=cov.no_digital_network,
    )
