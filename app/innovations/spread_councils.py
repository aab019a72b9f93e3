"""The spread per council (regionråd): how many innovations its members made, how many of its
members use one another member made, and the most spread of those innovations with how many
of the other members use each. Bounded by the councils × their members, never by the number of
adoptions (see ``spread_service.py``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Integer, String, and_, distinct, func, literal, select, union_all
from sqlalchemy.orm import Session

from app.counties.models import Workspace
from app.innovations.models import Adoption, AdoptionPair, Innovation
from app.innovations.spread_filter import SpreadFilter, filtered_innovations, is_in_use
from app.innovations.visibility import IN_USE, with_spread
from app.tenancy import scoped

TOP_PER_COUNCIL = 10


@dataclass
class CouncilInnovation:
    innovation_id: int
    title: str
    origin_number: str
    origin_name: str
    users: int  # other members that use it
    others: int  # members other than the origin


@dataclass
class CouncilRow:
    body_id: int
    name: str
    members: int
    made: int  # innovations made by a member
    members_using: int  # members that use an innovation another member made
    innovations: list[CouncilInnovation] = field(default_factory=list)


def council_spread(
    session: Session,
    ws: Workspace,
    f: SpreadFilter,
    councils: list[tuple[int, str]],
    names: dict[str, str],
) -> list[CouncilRow]:
    """Per council: how many innovations its members made; the members that use at least one
    innovation another member made (as this county recorded it); and the most spread of the
    innovations its members made (at most TOP_PER_COUNCIL, by the registry's spread count),
    each with how many of the other members use it, the most used within the council first.
    An innovation made by a council or network (no origin municipality) is made by no
    member: it is left out here."""
    from app.networks import service as networks_service

    wanted = {i for i, _name in councils}
    if f.council_id is not None:
        wanted = {f.council_id}
    pairs = sorted(
        {
            (m.body_id, m.municipality_number)
            for m in networks_service.current_members(session, ws, kind="council")
            if m.municipality_number and m.body_id in wanted
        }
    )
    members: dict[int, set[str]] = defaultdict(set)
    for body_id, number in pairs:
        members[body_id].add(number)
    result = {
        i: CouncilRow(body_id=i, name=name, members=len(members[i]), made=0, members_using=0)
        for i, name in councils
        if i in wanted
    }
    if not pairs:
        return list(result.values())
    mem = union_all(
        *(
            select(literal(b, Integer()).label("body_id"), literal(n, String()).label("number"))
            for b, n in pairs
        )
    ).subquery("mem")
    maker, user = mem.alias("maker"), mem.alias("member_user")
    by_members = filtered_innovations(ws, f).join(
        maker, maker.c.number == Innovation.origin_municipality_number
    )
    for body_id, n in session.execute(
        by_members.with_only_columns(maker.c.body_id, func.count(distinct(Innovation.id))).group_by(
            maker.c.body_id
        )
    ).all():
        result[body_id].made = n
    # Members that use an innovation another member made: from this county's per-municipality
    # tally (rows bounded by member pairs); with a filter on the innovations, which the tally
    # does not know, from the records of the filtered innovations.
    if f.area or f.phase or f.shared_only:
        made = by_members.with_only_columns(
            maker.c.body_id.label("body_id"),
            Innovation.id.label("innovation_id"),
            Innovation.origin_municipality_number.label("origin"),
        ).subquery("made")
        using = (
            scoped(Adoption, ws.id)
            .join(made, made.c.innovation_id == Adoption.innovation_id)
            .join(
                user,
                and_(
                    user.c.body_id == made.c.body_id,
                    user.c.number == Adoption.municipality_number,
                ),
            )
            .with_only_columns(made.c.body_id, func.count(distinct(Adoption.municipality_number)))
            .where(is_in_use(), Adoption.municipality_number != made.c.origin)
            .group_by(made.c.body_id)
        )
    else:
        using = (
            scoped(AdoptionPair, ws.id)
            .join(maker, maker.c.number == AdoptionPair.origin_number)
            .join(
                user,
                and_(
                    user.c.body_id == maker.c.body_id,
                    user.c.number == AdoptionPair.municipality_number,
                ),
            )
            .with_only_columns(
                maker.c.body_id, func.count(distinct(AdoptionPair.municipality_number))
            )
            .where(AdoptionPair.status == IN_USE, AdoptionPair.innovations > 0)
            .group_by(maker.c.body_id)
        )
    for body_id, n in session.execute(using).all():
        result[body_id].members_using = n
    # The innovations shown per council: the TOP_PER_COUNCIL most spread (the tallies) of
    # those its members made; then, for those only, how many of the other members use each
    # (this county's records, bounded by the innovations shown × the members).
    joined, spread = with_spread(ws, by_members)
    place = (
        func.row_number()
        .over(
            partition_by=maker.c.body_id,
            order_by=(spread.desc(), Innovation.title, Innovation.id),
        )
        .label("place")
    )
    ranked = joined.with_only_columns(
        maker.c.body_id.label("body_id"),
        Innovation.id.label("innovation_id"),
        Innovation.title.label("title"),
        Innovation.origin_municipality_number.label("origin"),
        place,
    ).subquery("ranked")
    shown = session.execute(
        select(ranked.c.body_id, ranked.c.innovation_id, ranked.c.title, ranked.c.origin)
        .where(ranked.c.place <= TOP_PER_COUNCIL)
        .order_by(ranked.c.body_id, ranked.c.place)
    ).all()
    adopters: dict[int, set[str]] = defaultdict(set)
    if shown:
        for innovation_id, number in session.execute(
            scoped(Adoption, ws.id)
            .with_only_columns(Adoption.innovation_id, Adoption.municipality_number)
            .where(
                Adoption.innovation_id.in_({r[1] for r in shown}),
                Adoption.municipality_number.in_({n for _b, n in pairs}),
                is_in_use(),
            )
        ).all():
            adopters[innovation_id].add(number)
    for body_id, innovation_id, title, origin in shown:
        others = members[body_id] - {origin}
        result[body_id].innovations.append(
            CouncilInnovation(
                innovation_id=innovation_id,
                title=title,
                origin_number=origin,
                origin_name=names.get(origin, origin),
                users=len(adopters[innovation_id] & others),
                others=len(others),
            )
        )
    for row in result.values():
        row.innovations.sort(key=lambda i: (-i.users, i.title, i.innovation_id))
    return list(result.values())
