"""Are the small municipalities reached? Participation in funding schemes by municipality size:
per scheme and year and over a period, lead applicant against partner, granted kroner per
inhabitant, and the municipalities that took part in nothing (with whom to call about it).

The cost does not grow with the number of records in Python: one GROUP BY in the database gives
one row per scheme × year × municipality (how often as lead and as partner, and its share of the
granted amounts), and every figure is added up from those rows. The other queries read the
county's municipalities, the schemes and the contact persons."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func
from sqlalchemy.orm import Session

from app.clock import today
from app.counties import service as counties_service
from app.counties.models import Workspace
from app.errors import InvalidInput
from app.i18n import lazy
from app.networks import contacts as networks_contacts
from app.schemes.models import (
    PARTICIPATION_STATUSES,
    ParticipationTally,
    Scheme,
    areas_of,
)
from app.tenancy import scoped, scoped_with_national

SMALL_CLASSES = 2  # size classes 1 and 2 are "small" (under 3,000 by default), as elsewhere
DEFAULT_YEARS = 3  # this year and the two before
NOT_COUNTED = ("idea", "withdrawn")
DEFAULT_STATUSES = tuple(s for s in PARTICIPATION_STATUSES if s not in NOT_COUNTED)
DEFAULT_AREAS = ("innovation", "digitalisation")  # whom to call when no scheme is chosen
FIRST_YEAR, LAST_YEAR = 1990, 2100  # as the records allow
MAX_SPAN = 30  # years in one view
MAX_CONTACTS = 2000  # contact persons of one area read for the list


# --- the filter ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureFilter:
    scheme_id: int | None
    from_year: int
    to_year: int
    statuses: tuple[str, ...] = DEFAULT_STATUSES

    @property
    def years(self) -> list[int]:
        return list(range(self.from_year, self.to_year + 1))

    @property
    def default_statuses(self) -> bool:
        return set(self.statuses) == set(DEFAULT_STATUSES)


def default_filter(this_year: int | None = None) -> FigureFilter:
    year = this_year or today().year
    return FigureFilter(None, year - DEFAULT_YEARS + 1, year)


def _year(value: str | None, key: str, errors: dict[str, Any]) -> int | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not text.isdecimal() or len(text) != 4 or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        errors[key] = lazy("Skriv et årstall mellom {first} og {last}.").format(
            first=FIRST_YEAR, last=LAST_YEAR
        )
        return None
    return int(text)


def parse_filter(
    session: Session,
    ws: Workspace,
    *,
    scheme: str | None = None,
    from_year: str | None = None,
    to_year: str | None = None,
    statuses: list[str] | None = None,
    this_year: int | None = None,
) -> FigureFilter:
    """The filter from the address, as text; empty means the default. Bad values raise
    :class:`InvalidInput` by field (``scheme_id``, ``from_year``, ``to_year``, ``status``)."""
    errors: dict[str, Any] = {}
    default = default_filter(this_year)
    scheme_id: int | None = None
    if scheme is not None and scheme.strip():
        text = scheme.strip()
        scheme_id = int(text) if text.isdecimal() and len(text) < 10 else None
        if scheme_id is None or (
            session.scalar(
                scoped_with_national(Scheme, ws.id)
                .where(Scheme.id == scheme_id)
                .with_only_columns(Scheme.id)
            )
            is None
        ):
            errors["scheme_id"] = lazy("Velg et virkemiddel fra listen.")
    first = _year(from_year, "from_year", errors)
    last = _year(to_year, "to_year", errors)
    if first is None and last is None:
        first, last = default.from_year, default.to_year
    elif first is None:
        assert last is not None
        first = max(last - DEFAULT_YEARS + 1, FIRST_YEAR)
    elif last is None:
        last = max(first, default.to_year)
    if "from_year" not in errors and "to_year" not in errors:
        if first > last:
            errors["to_year"] = lazy("Til-året kan ikke være før fra-året.")
        elif last - first + 1 > MAX_SPAN:
            errors["to_year"] = lazy("Velg en periode på høyst {n} år.").format(n=MAX_SPAN)
    chosen = [s.strip() for s in (statuses or []) if s.strip()]
    unknown = [s for s in chosen if s not in PARTICIPATION_STATUSES]
    if unknown:
        errors["status"] = lazy("Ukjent status: {status}.").format(status=", ".join(unknown))
    if errors:
        raise InvalidInput(errors)
    picked = tuple(s for s in PARTICIPATION_STATUSES if s in chosen) or DEFAULT_STATUSES
    return FigureFilter(scheme_id, first, last, picked)


# --- what the page, the API and the spreadsheet show -----------------------------------------


@dataclass
class SizeClassFigure:
    index: int
    label: str
    small: bool
    municipalities: int  # of the county in this class
    population: int
    took_part: int  # distinct municipalities of the class with a counted record in the period

    @property
    def share(self) -> float | None:
        return self.took_part / self.municipalities if self.municipalities else None


@dataclass
class SchemeYearRow:
    scheme_id: int
    scheme_name: str
    year: int | None  # None: the whole period
    by_class: dict[int, int]  # size class → distinct municipalities taking part
    total: int


@dataclass
class RoleSplit:
    group: str  # "small", "other", "all"
    municipalities: int  # of the county in the group
    lead: int  # participations as lead applicant
    partner: int  # participations as partner

    @property
    def total(self) -> int:
        return self.lead + self.partner

    @property
    def lead_share(self) -> float | None:
        return self.lead / self.total if self.total else None

    @property
    def partner_share(self) -> float | None:
        return self.partner / self.total if self.total else None


@dataclass
class GrantFigure:
    index: int | None  # None: the whole county
    label: str  # the size class's; empty for the whole county
    small: bool
    population: int
    granted: float  # kroner: each record's granted amount split equally among its members

    @property
    def per_inhabitant(self) -> float | None:
        return self.granted / self.population if self.population else None


@dataclass
class Contact:
    name: str
    title: str
    email: str
    phone: str
    areas: list[str]


@dataclass
class Absent:
    number: str
    name: str
    population: int
    size_class: int
    small: bool
    contacts: list[Contact] = field(default_factory=list)


@dataclass
class SchemeChoice:
    id: int
    name: str
    national: bool
    areas: list[str]


@dataclass
class Figures:
    filter: FigureFilter
    scheme: SchemeChoice | None
    schemes: list[SchemeChoice]  # every scheme the workspace sees, for the filter
    small_limit: int
    classes: list[SizeClassFigure]
    records: int  # participations counted (each has one lead applicant)
    took_part: int  # municipalities of the county that took part in the period
    small_took_part: int
    by_scheme_year: list[SchemeYearRow]  # schemes with records × every year of the period
    by_scheme: list[SchemeYearRow]  # the same over the whole period (year None)
    by_year: list[SchemeYearRow]  # every year, all chosen schemes together (scheme_id 0)
    roles: list[RoleSplit]  # small, other, all
    grants: list[GrantFigure]  # per size class, then the county
    absent: list[Absent]  # took part in nothing counted in the period, smallest first
    contact_areas: tuple[str, ...]
    areas_from_scheme: bool  # the chosen scheme's areas; else DEFAULT_AREAS

    @property
    def municipalities(self) -> int:
        return sum(c.municipalities for c in self.classes)


# --- the figures -----------------------------------------------------------------------------


def scheme_choices(session: Session, ws: Workspace) -> list[SchemeChoice]:
    rows = session.execute(
        scoped_with_national(Scheme, ws.id)
        .with_only_columns(Scheme.id, Scheme.name, Scheme.workspace_id, Scheme.areas)
        .order_by(Scheme.workspace_id.is_not(None), Scheme.name)
    ).all()
    return [SchemeChoice(i, name, owner is None, areas_of(areas)) for i, name, owner, areas in rows]


def grouped_rows(
    session: Session, ws: Workspace, f: FigureFilter
) -> list[tuple[int, int, str, int, int, float]]:
    """One row per scheme × year × member municipality of the records the filter counts: how
    many times as lead, as partner, and the sum of its equal shares of the granted amounts.
    Read from the tally (``app.schemes.tally``), so the cost does not grow with the records."""
    t = ParticipationTally
    query = (
        scoped(t, ws.id)
        .where(t.year.between(f.from_year, f.to_year), t.status.in_(f.statuses))
        .with_only_columns(
            t.scheme_id,
            t.year,
            t.municipality_number,
            func.sum(case((t.role == "lead", t.records), else_=0)),
            func.sum(case((t.role == "partner", t.records), else_=0)),
            func.sum(t.granted_share),
        )
        .group_by(t.scheme_id, t.year, t.municipality_number)
    )
    if f.scheme_id is not None:
        query = query.where(t.scheme_id == f.scheme_id)
    return [
        (int(s), int(y), str(n), int(lead or 0), int(partner or 0), float(share or 0))
        for s, y, n, lead, partner, share in session.execute(query)
    ]


def _contacts(
    session: Session, ws: Workspace, areas: tuple[str, ...], numbers: set[str]
) -> dict[str, list[Contact]]:
    """The contact persons of the municipalities ``numbers`` for ``areas``, from the networks
    module (one search per area, whatever the number of municipalities)."""
    found: dict[str, dict[int, Contact]] = defaultdict(dict)
    if not numbers:
        return {}
    for area in areas:
        persons, _total = networks_contacts.search_persons(
            session, ws, area=area, limit=MAX_CONTACTS
        )
        for person in persons:
            if person.municipality_number not in numbers:
                continue
            have = found[person.municipality_number]
            if person.id in have:
                have[person.id].areas.append(area)
            else:
                have[person.id] = Contact(
                    person.name, person.title, person.email, person.phone, [area]
                )
    return {
        number: sorted(people.values(), key=lambda c: c.name) for number, people in found.items()
    }


def figures(session: Session, ws: Workspace, f: FigureFilter) -> Figures:
    settings = counties_service.settings_of(ws)
    classes = counties_service.size_classes(settings)
    small_limit = settings.size_thresholds[SMALL_CLASSES - 1]
    municipalities = counties_service.municipalities_of_county(session, ws.county_number)
    class_of = {
        m.number: counties_service.size_class_of(m.population, settings) for m in municipalities
    }
    schemes = scheme_choices(session, ws)
    names = {s.id: s.name for s in schemes}
    scheme = next((s for s in schemes if s.id == f.scheme_id), None)
    rows = grouped_rows(session, ws, f)

    # Everything below adds up the grouped rows: their number does not grow with the records.
    per_scheme_year: dict[tuple[int, int], set[str]] = defaultdict(set)
    per_scheme: dict[int, set[str]] = defaultdict(set)
    per_year: dict[int, set[str]] = defaultdict(set)
    reached: set[str] = set()
    lead: dict[bool, int] = defaultdict(int)
    partner: dict[bool, int] = defaultdict(int)
    granted: dict[int, float] = defaultdict(float)
    records = 0
    for scheme_id, year, number, as_lead, as_partner, share in rows:
        records += as_lead
        cls = class_of.get(number)
        if cls is None:
            continue  # a partner from another county: its share is split off, not counted here
        small = cls <= SMALL_CLASSES
        per_scheme_year[(scheme_id, year)].add(number)
        per_scheme[scheme_id].add(number)
        per_year[year].add(number)
        reached.add(number)
        lead[small] += as_lead
        partner[small] += as_partner
        granted[cls] += share

    def by_class(numbers: set[str]) -> dict[int, int]:
        counts = {c.index: 0 for c in classes}
        for number in numbers:
            counts[class_of[number]] += 1
        return counts

    scheme_ids = sorted(per_scheme, key=lambda i: (names.get(i, ""), i))
    if f.scheme_id is not None and f.scheme_id not in scheme_ids:
        scheme_ids = [f.scheme_id]
    by_scheme_year = [
        SchemeYearRow(
            i,
            names.get(i, ""),
            year,
            by_class(per_scheme_year.get((i, year), set())),
            len(per_scheme_year.get((i, year), set())),
        )
        for i in scheme_ids
        for year in f.years
    ]
    by_scheme = [
        SchemeYearRow(i, names.get(i, ""), None, by_class(per_scheme[i]), len(per_scheme[i]))
        for i in scheme_ids
    ]
    by_year = [
        SchemeYearRow(0, "", year, by_class(per_year[year]), len(per_year[year]))
        for year in f.years
    ]

    population: dict[int, int] = defaultdict(int)
    count: dict[int, int] = defaultdict(int)
    for m in municipalities:
        population[class_of[m.number]] += m.population
        count[class_of[m.number]] += 1
    reached_by_class = by_class(reached)
    size_figures = [
        SizeClassFigure(
            c.index,
            c.label,
            c.index <= SMALL_CLASSES,
            count[c.index],
            population[c.index],
            reached_by_class[c.index],
        )
        for c in classes
    ]
    small_count = sum(c.municipalities for c in size_figures if c.small)
    roles = [
        RoleSplit("small", small_count, lead[True], partner[True]),
        RoleSplit("other", len(municipalities) - small_count, lead[False], partner[False]),
        RoleSplit(
            "all", len(municipalities), lead[True] + lead[False], partner[True] + partner[False]
        ),
    ]
    grants = [
        GrantFigure(c.index, c.label, c.small, c.population, granted[c.index]) for c in size_figures
    ]
    grants.append(GrantFigure(None, "", False, sum(population.values()), sum(granted.values())))

    areas: tuple[str, ...] = tuple(scheme.areas) if scheme and scheme.areas else DEFAULT_AREAS
    absent_municipalities = [m for m in municipalities if m.number not in reached]
    people = _contacts(session, ws, areas, {m.number for m in absent_municipalities})
    absent = [
        Absent(
            m.number,
            m.name,
            m.population,
            class_of[m.number],
            class_of[m.number] <= SMALL_CLASSES,
            people.get(m.number, []),
        )
        for m in sorted(absent_municipalities, key=lambda m: (m.population, m.name))
    ]
    return Figures(
        filter=f,
        scheme=scheme,
        schemes=schemes,
        small_limit=small_limit,
        classes=size_figures,
        records=records,
        took_part=len(reached),
        small_took_part=sum(c.took_part for c in size_figures if c.small),
        by_scheme_year=by_scheme_year,
        by_scheme=by_scheme,
        by_year=by_year,
        roles=roles,
        grants=grants,
        absent=absent,
        contact_areas=areas,
        areas_from_scheme=bool(scheme and scheme.areas),
    )
