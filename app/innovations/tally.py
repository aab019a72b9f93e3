"""The adoption tallies: a workspace's adoption records counted per innovation
(:class:`AdoptionSpread`) and per origin municipality × adopting municipality × status
(:class:`AdoptionPair`). The spread page, the registry and the start page read them instead of
the records, so their cost grows with the innovations and the municipalities, not with the
adoptions.

They are derived data, counted in SQL (delete, then INSERT … SELECT … GROUP BY) from this
workspace's own adoption records and the innovations it sees, in the same transaction as the
change: :func:`refresh` for the innovations a change touches, or with no ids for the whole
workspace (after a bulk load, and once a night by :func:`job`).

What they count, and what they do not:

- Only places other than the origin (spread means in use somewhere new). An innovation made by
  a council or network (no origin municipality) counts everywhere it is recorded.
- What THIS county recorded — its records of another county's shared innovation included.
  Another county's record of one of our municipalities is in that county's tally: the
  spread count reads it (``adoption_spread`` of a shared innovation is readable everywhere),
  the per-municipality tally does not (``adoption_pair`` never leaves the workspace).
- Archived innovations are counted; the readers leave them out where they leave them out.
- When another county stops sharing an innovation or changes its origin, this county's
  ``adoption_pair`` rows of it change at the next refresh of that origin or at the nightly
  rebuild; the spread count is right at once (the shared rows stop being readable).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, case, func, insert, literal, or_, select
from sqlalchemy.orm import Session, sessionmaker

from app.counties.models import Municipality, Workspace
from app.innovations.models import Adoption, AdoptionPair, AdoptionSpread, Innovation
from app.tenancy import scoped, scoped_delete, scoped_or_shared, set_db_scope

log = logging.getLogger(__name__)

IN_USE = "in_use"
UNDER_WAY = ("considering", "planned", "in_progress")


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _records(ws: Workspace) -> Any:
    """This workspace's adoption records of an innovation it sees, other than at the origin."""
    origin = Innovation.origin_municipality_number
    return (
        scoped(Adoption, ws.id)
        .join(
            Innovation,
            and_(
                Innovation.id == Adoption.innovation_id,
                or_(Innovation.workspace_id == ws.id, Innovation.shared.is_(True)),
            ),
        )
        .where(or_(origin.is_(None), Adoption.municipality_number != origin))
    )


def _origin_matches(column: Any, origins: set[str | None]) -> Any:
    numbers = sorted(o for o in origins if o is not None)
    parts = [column.in_(numbers)] if numbers else []
    if None in origins:
        parts.append(column.is_(None))
    return or_(*parts)


def refresh(
    session: Session,
    ws: Workspace,
    innovation_ids: Iterable[int] | None = None,
    *,
    origins: Iterable[str | None] = (),
) -> None:
    """Recount this workspace's tallies of ``innovation_ids`` (every innovation when None).

    The per-municipality tally is keyed by origin, so for it the origins of those innovations
    are recounted whole (every record of an innovation from that origin), and ``origins`` too
    (the origin an innovation had before a change)."""
    wanted = sorted(set(innovation_ids)) if innovation_ids is not None else None
    extra = set(origins)
    if wanted == [] and not extra:
        return
    session.flush()
    _refresh_spread(session, ws, wanted)
    if wanted is None:
        _refresh_pairs(session, ws, None)
        return
    if wanted:
        extra |= set(
            session.scalars(
                scoped_or_shared(Innovation, ws.id, Innovation.shared.is_(True))
                .where(Innovation.id.in_(wanted))
                .with_only_columns(Innovation.origin_municipality_number)
            )
        )
    if extra:
        _refresh_pairs(session, ws, extra)


def _refresh_spread(session: Session, ws: Workspace, wanted: list[int] | None) -> None:
    gone = scoped_delete(AdoptionSpread, ws.id)
    records = _records(ws).join(Municipality, Municipality.number == Adoption.municipality_number)
    if wanted is not None:
        if not wanted:
            return
        gone = gone.where(AdoptionSpread.innovation_id.in_(wanted))
        records = records.where(Adoption.innovation_id.in_(wanted))
    session.execute(gone)
    in_use = Adoption.status == IN_USE
    grouped = records.with_only_columns(
        literal(ws.id),
        Adoption.innovation_id,
        _count(in_use),
        _count(and_(in_use, Municipality.county_number != ws.county_number)),
        _count(Adoption.status.in_(UNDER_WAY)),
        _count(Adoption.status == "abandoned"),
    ).group_by(Adoption.innovation_id)
    session.execute(
        insert(AdoptionSpread).from_select(
            [
                "workspace_id",
                "innovation_id",
                "in_use",
                "in_use_outside",
                "on_the_way",
                "abandoned",
            ],
            grouped,
        )
    )


def _refresh_pairs(session: Session, ws: Workspace, origins: set[str | None] | None) -> None:
    gone = scoped_delete(AdoptionPair, ws.id)
    records = _records(ws)
    if origins is not None:
        gone = gone.where(_origin_matches(AdoptionPair.origin_number, origins))
        records = records.where(_origin_matches(Innovation.origin_municipality_number, origins))
    session.execute(gone)
    grouped = records.with_only_columns(
        literal(ws.id),
        Innovation.origin_municipality_number,
        Adoption.municipality_number,
        Adoption.status,
        func.count(),
    ).group_by(Innovation.origin_municipality_number, Adoption.municipality_number, Adoption.status)
    session.execute(
        insert(AdoptionPair).from_select(
            ["workspace_id", "origin_number", "municipality_number", "status", "innovations"],
            grouped,
        )
    )


def rebuild_all(factory: sessionmaker[Session]) -> int:
    """Recount every workspace's tallies, each in its own transaction with its own scope; one
    that fails is logged and tried again next time. Catches what no hook of this workspace
    sees: another county stops sharing an innovation recorded here, or changes its origin."""
    with factory() as session:
        workspace_ids = list(session.scalars(select(Workspace.id).order_by(Workspace.id)))
    done = 0
    for ws_id in workspace_ids:
        try:
            with factory() as session:
                ws = session.get(Workspace, ws_id)
                if ws is None:
                    continue
                set_db_scope(
                    session, workspace_id=ws.id, user_id=None, county_number=ws.county_number
                )
                refresh(session, ws)
                session.commit()
        except Exception:  # the next run tries again; the old tally stays meanwhile
            log.exception("adoption tally of workspace %s failed", ws_id)
            continue
        done += 1
    return done


def job(factory: sessionmaker[Session]) -> int:
    """The worker's nightly job: every workspace's adoption tallies recounted."""
    return rebuild_all(factory)


__all__ = ["job", "rebuild_all", "refresh"]
