"""What councils and networks add to the workspace start page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, cast, null, select
from sqlalchemy.orm import Session

from app.accounts.deps import Context
from app.clock import today
from app.counties.models import Municipality, Workspace
from app.i18n import _
from app.networks.models import Body, BodyMembership
from app.networks.service import held_on, visible_bodies, visible_memberships
from app.registry import Contribution, Figure
from app.tenancy import SCOPE_OPTION, scoped_union


def contribution(session: Session, ctx: Context) -> Contribution | None:
    """How many councils and networks, and how many of the county's municipalities are in none
    (the figures of the coverage page, ``app.networks.coverage``) — in one query."""
    if not ctx.can("networks.read"):
        return None
    councils, networks, no_council, no_digital = _figures(session.execute(_rows(ctx.workspace)))
    return Contribution(
        figures=[
            Figure(str(councils), _("regionråd")),
            Figure(str(networks), _("nettverk")),
            Figure(str(no_council), _("kommuner uten regionråd"), "/dekning"),
            Figure(
                str(no_digital),
                _("kommuner uten digitaliserings\u00adnettverk"),
                "/dekning",
            ),
        ]
    )


def _rows(ws: Workspace) -> Any:
    """The bodies the workspace sees (not archived), then each of the county's municipalities
    with the bodies it is in today (none: one row with no body), as one UNION ALL."""
    bodies = (
        visible_bodies(ws)
        .where(Body.archived_at.is_(None))
        .with_only_columns(
            Body.id.label("body_id"),
            Body.parent_id,
            Body.kind,
            Body.theme,
            cast(null(), String).label("number"),
        )
    )
    held = (
        visible_memberships(ws)
        .join(Body, Body.id == BodyMembership.body_id)
        .where(
            held_on(today()),
            Body.archived_at.is_(None),
            BodyMembership.municipality_number.is_not(None),
        )
        .with_only_columns(BodyMembership.body_id, BodyMembership.municipality_number)
        .subquery("held")
    )
    members = (
        select(
            held.c.body_id,
            cast(null(), Integer),
            cast(null(), String),
            cast(null(), String),
            Municipality.number,
        )
        .select_from(Municipality)
        .outerjoin(held, held.c.municipality_number == Municipality.number)
        .where(Municipality.county_number == ws.county_number)
    )
    both = scoped_union(bodies, members).subquery("coverage")
    # both parts come through the scoped helpers (app.tenancy)
    return select(*both.c).execution_options(**{SCOPE_OPTION: ("shared", ws.id)})


def _figures(rows: Any) -> tuple[int, int, int, int]:
    """Councils, networks, municipalities in no council and in no digitalisation network — as
    ``coverage.coverage`` counts them: a membership of a body counts for the body at the top of
    its tree too."""
    bodies: dict[int, tuple[int | None, str, str | None]] = {}
    member_of: dict[str, set[int]] = {}
    for body_id, parent_id, kind, theme, number in rows:
        if number is None:
            bodies[body_id] = (parent_id, kind, theme)
        else:
            theirs = member_of.setdefault(number, set())  # every municipality counts
            if body_id is not None:
                theirs.add(body_id)

    def root(body_id: int) -> int:
        seen = 0
        parent = bodies[body_id][0]
        while parent and parent in bodies and seen < 50:
            body_id, parent = parent, bodies[parent][0]
            seen += 1
        return body_id

    def digital(body_id: int) -> bool:
        _parent, kind, theme = bodies[body_id]
        return kind == "network" and theme == "digitalisation"

    no_council = no_digital = 0
    for ids in member_of.values():
        roots = {root(i) for i in ids if i in bodies}
        no_council += not any(bodies[r][1] == "council" for r in roots)
        no_digital += not any(digital(i) for i in (ids & bodies.keys()) | roots)
    kinds = [kind for _parent, kind, _theme in bodies.values()]
    return kinds.count("council"), kinds.count("network"), no_council, no_digital
