"""The spread of innovations in figures: which of the county's municipalities use which
innovation (a matrix), how many places each innovation is in use over time, and, per council,
how many of its members use what another member made.

Every figure is counted in SQL (GROUP BY); what comes back to Python is bounded by the page —
the innovations shown × the municipalities shown, the councils, the periods — never by the
number of adoptions. Innovations are those the workspace sees (its own and those other counties
share). The figures that would otherwise add up every adoption read the adoption tallies
(``tally.py``) instead, so the page costs the same with 1,000 adoptions as with 100,000:

- the ranking by spread: every county's tally of a shared innovation (the registry's spread
  count, the same expression);
- the per-municipality totals: this county's per-municipality tally, i.e. what THIS county
  recorded (its records of other counties' shared innovations included; another county's
  record of one of our municipalities is not counted there);
- the councils: this county's records of the innovations made by a member, read by index.

The matrix cells and the series over time (a page of innovations) read every record the
workspace reads (its own and every county's records of shared innovations).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    Text,
    and_,
    case,
    cast,
    distinct,
    extract,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from app.clock import today
from app.counties import service as counties_service
from app.counties.models import Municipality, Workspace
from app.errors import InvalidInput
from app.i18n import lazy
from app.innovations import service
from app.innovations.models import INNOVATION_AREAS, PHASES, Adoption, AdoptionPair, Innovation
from app.tenancy import scoped

SMALL_CLASSES = 2  # size classes 1 and 2 are "small" (under 3,000 by default), as elsewhere
PAGE_SIZES = (20, 50, 100, 200)
SERIES = 6  # innovations in the over-time chart: the first of the matrix
YEARS = 8  # years shown over time (the earlier ones are summed into the first)
QUARTERS = 8
TOP_PER_COUNCIL = 10
PERIODS = ("year", "quarter")
STATES = ("origin", "in_use", "under_way", "abandoned")
UNDER_WAY = ("considering", "planned", "in_progress")
# The best of several records of one municipality (several counties may record the same one).
_RANK = {3: "in_use", 2: "under_way", 1: "abandoned"}


@dataclass
class SpreadFilter:
    area: str | None = None
    phase: str | None = None
    shared_only: bool = False
    council_id: int | None = None  # the rows are this council's members
    limit: int = PAGE_SIZES[0]
    page: int = 1
    period: str = "year"


@dataclass
class MunicipalityRow:
    number: str
    name: str
    population: int
    small: bool
    in_use: int = 0  # innovations made elsewhere that are in use here
    under_way: int = 0
    abandoned: int = 0
    made: int = 0  # innovations made here


@dataclass
class InnovationColumn:
    id: int
    title: str
    own: bool
    owner: str
    shared: bool
    origin_number: str | None
    origin_name: str | None
    spread: int  # in use somewhere other than the origin, everywhere the workspace reads
    in_use: list[str] = field(default_factory=list)  # numbers of the rows shown
    under_way: list[str] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)


@dataclass
class Series:
    innovation_id: int
    title: str
    counts: list[int]  # in use at the end of each period (cumulative)
    undated: int  # in use, with no date recorded
    now: int  # in use today, dated or not (the registry's spread figure)


@dataclass
class OverTime:
    period: str
    periods: list[str]
    series: list[Series]


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


@dataclass
class Spread:
    filter: SpreadFilter
    small_limit: int
    municipalities: list[MunicipalityRow]
    innovations: list[InnovationColumn]
    total: int  # innovations matching the filter (the matrix shows a page of them)
    cells: dict[tuple[int, str], str]  # (innovation id, municipality number) → state
    over_time: OverTime
    councils: list[CouncilRow]
    council_choices: list[tuple[int, str]]
    council_name: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.filter.limit))

    @property
    def first(self) -> int:
        return (self.filter.page - 1) * self.filter.limit + 1 if self.innovations else 0

    @property
    def last(self) -> int:
        return (self.filter.page - 1) * self.filter.limit + len(self.innovations)


def parse_filter(
    *,
    area: str | None = None,
    phase: str | None = None,
    shared_only: bool = False,
    council: str | None = None,
    limit: str | None = None,
    page: str | None = None,
    period: str | None = None,
    councils: list[tuple[int, str]] | None = None,
) -> SpreadFilter:
    """The filter from what a person (or an API client) typed; a bad value is refused with a
    message for its field and nothing is counted."""
    errors: dict[str, str] = {}
    f = SpreadFilter(shared_only=shared_only)
    if area:
        if area in INNOVATION_AREAS:
            f.area = area
        else:
            errors["area"] = lazy("Velg et område i listen.")
    if phase:
        if phase in PHASES:
            f.phase = phase
        else:
            errors["phase"] = lazy("Velg en fase i listen.")
    if council:
        ids = {i for i, _name in councils or []}
        if council.isdigit() and int(council) in ids:
            f.council_id = int(council)
        else:
            errors["council"] = lazy("Velg et regionråd i listen.")
    if limit:
        if limit.isdigit() and int(limit) in PAGE_SIZES:
            f.limit = int(limit)
        else:
            errors["limit"] = lazy(
                "Velg hvor mange innovasjoner som skal vises: 20, 50, 100 eller 200."
            )
    if page:
        if page.isdigit() and 1 <= int(page) <= 100_000:
            f.page = int(page)
        else:
            errors["page"] = lazy("Sidetallet må være et helt tall fra 1 og oppover.")
    if period:
        if period in PERIODS:
            f.period = period
        else:
            errors["period"] = lazy("Velg år eller kvartal.")
    if errors:
        raise InvalidInput(errors)
    return f


def council_choices(session: Session, ws: Workspace) -> list[tuple[int, str]]:
    """The councils (regionråd) the workspace sees, by name."""
    from app.networks import service as networks_service

    return [
        (n.body.id, n.body.name)
        for n in networks_service.flatten(networks_service.body_tree(session, ws))
        if n.body.kind == "council"
    ]


# --- the queries ----------------------------------------------------------------------------


def _innovations(ws: Workspace, f: SpreadFilter) -> Select[Any]:
    query = service.visible_innovations(ws).where(Innovation.archived_at.is_(None))
    if f.area:
        # JSON lists differ between the databases; a LIKE on the stored text works in both.
        query = query.where(cast(Innovation.areas, Text()).like(f'%"{f.area}"%'))
    if f.phase:
        query = query.where(Innovation.phase == f.phase)
    if f.shared_only:
        query = query.where(Innovation.shared.is_(True))
    return query


def _in_use() -> Any:
    return Adoption.status == service.IN_USE


def _not_origin(number: Any, origin: Any) -> Any:
    return or_(origin.is_(None), number != origin)


def _rank() -> Any:
    return case(
        (Adoption.status == service.IN_USE, 3),
        (Adoption.status == "abandoned", 1),
        else_=2,
    )


def _ranked(session: Session, ws: Workspace, f: SpreadFilter) -> tuple[list[InnovationColumn], int]:
    """A page of innovations, the most spread first (then by title). The spread is read from
    the adoption tallies (``service.with_spread``, the registry's count): one row per county
    and innovation."""
    base = _innovations(ws, f)
    total = session.scalar(base.with_only_columns(func.count(Innovation.id))) or 0
    origin = Municipality
    joined, spread_column = service.with_spread(
        ws, base.outerjoin(origin, origin.number == Innovation.origin_municipality_number)
    )
    spread = spread_column.label("spread")
    rows = session.execute(
        joined.with_only_columns(
            Innovation.id,
            Innovation.title,
            Innovation.workspace_id,
            Innovation.shared,
            Innovation.origin_municipality_number,
            origin.name,
            spread,
        )
        .order_by(spread.desc(), Innovation.title, Innovation.id)
        .limit(f.limit)
        .offset((f.page - 1) * f.limit)
    ).all()
    owners = _workspace_names(session, {r[2] for r in rows})
    return [
        InnovationColumn(
            id=id_,
            title=title,
            own=workspace_id == ws.id,
            owner=owners.get(workspace_id, ""),
            shared=bool(shared),
            origin_number=origin_number,
            origin_name=origin_name,
            spread=n or 0,
        )
        for id_, title, workspace_id, shared, origin_number, origin_name, n in rows
    ], total


def _workspace_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        session.execute(select(Workspace.id, Workspace.name).where(Workspace.id.in_(ids))).all()
    )


def _cells(
    session: Session, ws: Workspace, columns: list[InnovationColumn], numbers: list[str]
) -> dict[tuple[int, str], str]:
    """The state of each innovation shown in each municipality shown."""
    if not columns or not numbers:
        return {}
    rows = session.execute(
        service.visible_adoptions(ws)
        .with_only_columns(Adoption.innovation_id, Adoption.municipality_number, func.max(_rank()))
        .where(
            Adoption.innovation_id.in_([c.id for c in columns]),
            Adoption.municipality_number.in_(numbers),
        )
        .group_by(Adoption.innovation_id, Adoption.municipality_number)
    ).all()
    cells = {(i, n): _RANK[int(r)] for i, n, r in rows}
    shown = set(numbers)
    for c in columns:
        if c.origin_number in shown:
            cells[(c.id, c.origin_number)] = "origin"
    by_id = {c.id: c for c in columns}
    for (i, n), state in sorted(cells.items(), key=lambda kv: kv[0][1]):
        if state != "origin":
            getattr(by_id[i], state).append(n)
    return cells


def _bucket(status: str) -> str:
    if status == service.IN_USE:
        return "in_use"
    return "abandoned" if status == "abandoned" else "under_way"


def _own_records(ws: Workspace, innovations: Select[Any], numbers: list[str]) -> Any:
    """This county's records in ``numbers`` of the innovations ``innovations`` selects, made
    elsewhere, counted per municipality and status (the tally's rule, counted from the
    records)."""
    inn = innovations.with_only_columns(
        Innovation.id.label("id"), Innovation.origin_municipality_number.label("origin")
    ).subquery("inn")
    return (
        scoped(Adoption, ws.id)
        .join(inn, inn.c.id == Adoption.innovation_id)
        .with_only_columns(Adoption.municipality_number, Adoption.status, func.count())
        .where(
            Adoption.municipality_number.in_(numbers),
            _not_origin(Adoption.municipality_number, inn.c.origin),
        )
        .group_by(Adoption.municipality_number, Adoption.status)
    )


def _municipality_totals(
    session: Session, ws: Workspace, f: SpreadFilter, rows: list[MunicipalityRow]
) -> None:
    """Per municipality shown: the innovations (of the filter, all of them, not only the page)
    made elsewhere that it uses, has on the way or has left — as this county recorded them
    (its records of other counties' shared innovations included; another county's record of
    one of these municipalities is not counted here) — and those made there.

    With no filter on the innovations the counts come from the per-municipality tally (rows
    bounded by municipality pairs), less the archived innovations (few, counted from their
    records); a filter on area, phase or sharing is not in the tally, so then the records of
    the filtered innovations are counted."""
    if not rows:
        return
    numbers = [r.number for r in rows]
    by_number = {r.number: r for r in rows}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    if f.area or f.phase or f.shared_only:
        for number, status, n in session.execute(
            _own_records(ws, _innovations(ws, f), numbers)
        ).all():
            counts[(number, _bucket(status))] += n
    else:
        for number, status, n in session.execute(
            scoped(AdoptionPair, ws.id)
            .with_only_columns(
                AdoptionPair.municipality_number,
                AdoptionPair.status,
                func.sum(AdoptionPair.innovations),
            )
            .where(AdoptionPair.municipality_number.in_(numbers))
            .group_by(AdoptionPair.municipality_number, AdoptionPair.status)
        ).all():
            counts[(number, _bucket(status))] += int(n or 0)
        archived = service.visible_innovations(ws).where(Innovation.archived_at.is_not(None))
        for number, status, n in session.execute(_own_records(ws, archived, numbers)).all():
            counts[(number, _bucket(status))] -= n
    for (number, bucket), n in counts.items():
        setattr(by_number[number], bucket, getattr(by_number[number], bucket) + n)
    made = session.execute(
        _innovations(ws, f)
        .with_only_columns(Innovation.origin_municipality_number, func.count(Innovation.id))
        .where(Innovation.origin_municipality_number.in_(numbers))
        .group_by(Innovation.origin_municipality_number)
    ).all()
    for number, n in made:
        if number in by_number:
            by_number[number].made = n


# --- over time --------------------------------------------------------------------------------


def _period_keys(period: str, first: date | None) -> list[tuple[int, int]]:
    """(year, quarter or 0) of each period shown, oldest first, ending with the current one."""
    now = today()
    if period == "quarter":
        q = (now.month - 1) // 3
        keys = []
        for back in range(QUARTERS - 1, -1, -1):
            y, k = divmod(now.year * 4 + q - back, 4)
            keys.append((y, k + 1))
        return keys
    start = now.year - YEARS + 1
    if first is not None and first.year > start:
        start = first.year
    return [(y, 0) for y in range(start, now.year + 1)]


def period_label(key: tuple[int, int]) -> str:
    year, quarter = key
    return f"K{quarter} {year}" if quarter else str(year)


def _over_time(
    session: Session, ws: Workspace, f: SpreadFilter, columns: list[InnovationColumn]
) -> OverTime:
    """For the first innovations shown: in how many places other than the origin each is in
    use at the end of each period, from the date it was taken into use there."""
    chosen = columns[:SERIES]
    if not chosen:
        return OverTime(f.period, [period_label(k) for k in _period_keys(f.period, None)], [])
    first_use = (
        service.visible_adoptions(ws)
        .join(Innovation, Innovation.id == Adoption.innovation_id)
        .with_only_columns(
            Adoption.innovation_id.label("innovation_id"),
            func.min(Adoption.in_use_on).label("since"),
        )
        .where(
            Adoption.innovation_id.in_([c.id for c in chosen]),
            _in_use(),
            _not_origin(Adoption.municipality_number, Innovation.origin_municipality_number),
        )
        .group_by(Adoption.innovation_id, Adoption.municipality_number)
        .subquery("first_use")
    )
    year = cast(extract("year", first_use.c.since), Integer)
    month = cast(extract("month", first_use.c.since), Integer)
    rows = session.execute(
        select(first_use.c.innovation_id, year, month, func.count()).group_by(
            first_use.c.innovation_id, year, month
        )
    ).all()
    dated: dict[int, dict[tuple[int, int], int]] = defaultdict(dict)
    undated: dict[int, int] = defaultdict(int)
    earliest: date | None = None
    for innovation_id, y, m, n in rows:
        if y is None:
            undated[innovation_id] += n
            continue
        dated[innovation_id][(int(y), int(m))] = n
        earliest = min(earliest or date(int(y), 1, 1), date(int(y), 1, 1))
    keys = _period_keys(f.period, earliest)
    series = []
    for c in chosen:
        months = dated.get(c.id, {})
        counts = []
        for y, q in keys:
            last_month = q * 3 if q else 12
            counts.append(sum(n for (yy, mm), n in months.items() if (yy, mm) <= (y, last_month)))
        series.append(
            Series(
                innovation_id=c.id,
                title=c.title,
                counts=counts,
                undated=undated.get(c.id, 0),
                now=sum(months.values()) + undated.get(c.id, 0),
            )
        )
    return OverTime(f.period, [period_label(k) for k in keys], series)


# --- councils ---------------------------------------------------------------------------------


def _council_spread(
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
    by_members = _innovations(ws, f).join(
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
            .where(_in_use(), Adoption.municipality_number != made.c.origin)
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
            .where(AdoptionPair.status == service.IN_USE, AdoptionPair.innovations > 0)
            .group_by(maker.c.body_id)
        )
    for body_id, n in session.execute(using).all():
        result[body_id].members_using = n
    # The innovations shown per council: the TOP_PER_COUNCIL most spread (the tallies) of
    # those its members made; then, for those only, how many of the other members use each
    # (this county's records, bounded by the innovations shown × the members).
    joined, spread = service.with_spread(ws, by_members)
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
                _in_use(),
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


# --- the whole picture -----------------------------------------------------------------------


def _rows(session: Session, ws: Workspace, f: SpreadFilter) -> list[Municipality]:
    if f.council_id is None:
        return counties_service.municipalities_of_county(session, ws.county_number)
    from app.networks import service as networks_service

    numbers = {
        m.municipality_number
        for m in networks_service.current_members(session, ws, body_id=f.council_id)
        if m.municipality_number
    }
    if not numbers:
        return []
    return list(
        session.scalars(
            select(Municipality).where(Municipality.number.in_(numbers)).order_by(Municipality.name)
        )
    )


def spread(
    session: Session,
    ws: Workspace,
    f: SpreadFilter,
    councils: list[tuple[int, str]] | None = None,
) -> Spread:
    """Everything the spread page and its API show, in a fixed number of queries."""
    settings = counties_service.settings_of(ws)
    small_limit = settings.size_thresholds[SMALL_CLASSES - 1]
    if councils is None:
        councils = council_choices(session, ws)
    municipalities = _rows(session, ws, f)
    rows = [
        MunicipalityRow(
            number=m.number,
            name=m.name,
            population=m.population,
            small=counties_service.size_class_of(m.population, settings) <= SMALL_CLASSES,
        )
        for m in municipalities
    ]
    columns, total = _ranked(session, ws, f)
    numbers = [r.number for r in rows]
    cells = _cells(session, ws, columns, numbers)
    _municipality_totals(session, ws, f, rows)
    names = dict(session.execute(select(Municipality.number, Municipality.name)).all())
    return Spread(
        filter=f,
        small_limit=small_limit,
        municipalities=rows,
        innovations=columns,
        total=total,
        cells=cells,
        over_time=_over_time(session, ws, f, columns),
        councils=_council_spread(session, ws, f, councils, names),
        council_choices=councils,
        council_name=dict(councils).get(f.council_id) if f.council_id else None,
    )
