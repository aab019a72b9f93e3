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

The filter and the base queries are in ``spread_filter.py``, the councils in
``spread_councils.py`` (their names are re-exported here).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Integer, Select, case, cast, extract, func, select
from sqlalchemy.orm import Session

from app.clock import today
from app.counties import service as counties_service
from app.counties.models import Municipality, Workspace
from app.innovations import service
from app.innovations.models import Adoption, AdoptionPair, Innovation
from app.innovations.spread_councils import TOP_PER_COUNCIL as TOP_PER_COUNCIL
from app.innovations.spread_councils import CouncilInnovation as CouncilInnovation
from app.innovations.spread_councils import CouncilRow, council_spread
from app.innovations.spread_filter import PAGE_SIZES as PAGE_SIZES
from app.innovations.spread_filter import PERIODS as PERIODS
from app.innovations.spread_filter import SpreadFilter, filtered_innovations, is_in_use, not_origin
from app.innovations.spread_filter import council_choices as council_choices
from app.innovations.spread_filter import parse_filter as parse_filter
from app.innovations.visibility import workspace_names
from app.tenancy import scoped

SMALL_CLASSES = 2  # size classes 1 and 2 are "small" (under 3,000 by default), as elsewhere
SERIES = 6  # innovations in the over-time chart: the first of the matrix
YEARS = 8  # years shown over time (the earlier ones are summed into the first)
QUARTERS = 8
STATES = ("origin", "in_use", "under_way", "abandoned")
UNDER_WAY = ("considering", "planned", "in_progress")
# The best of several records of one municipality (several counties may record the same one).
_RANK = {3: "in_use", 2: "under_way", 1: "abandoned"}


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


# --- the queries ----------------------------------------------------------------------------


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
    base = filtered_innovations(ws, f)
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
    owners = workspace_names(session, {r[2] for r in rows})
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
            not_origin(Adoption.municipality_number, inn.c.origin),
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
            _own_records(ws, filtered_innovations(ws, f), numbers)
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
        filtered_innovations(ws, f)
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
            is_in_use(),
            not_origin(Adoption.municipality_number, Innovation.origin_municipality_number),
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
        councils=council_spread(session, ws, f, councils, names),
        council_choices=councils,
        council_name=dict(councils).get(f.council_id) if f.council_id else None,
    )
