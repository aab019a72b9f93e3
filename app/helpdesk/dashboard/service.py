"""Hjelpekorps in figures: requests by municipality (small municipalities marked), size class,
category and state; median working time to the first response and to resolution; satisfaction.

A bounded number of queries whatever the number of requests: the county's municipalities, one
GROUP BY for municipality × category × state, one for the ratings, and one each for the medians
of the working minutes stored on a request when it is first answered and when it is resolved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any, Literal

from sqlalchemy import and_, func
from sqlalchemy.orm import Session

from app.accounts.principal import Principal
from app.counties import service as counties_service
from app.counties.models import Workspace
from app.db import utcnow
from app.errors import Forbidden
from app.helpdesk import sla
from app.helpdesk.labels import CATEGORY_LABELS, STATE_LABELS
from app.helpdesk.models import CATEGORIES, OPEN_STATES, STATES, HelpRequest
from app.i18n import lazy
from app.tenancy import scoped

Period = Literal["12m", "all"]
PERIODS: tuple[Period, ...] = ("12m", "all")
SMALL_CLASSES = 2  # size classes 1 and 2 are "small", as on the start and coverage pages


@dataclass
class MunicipalityCount:
    number: str
    name: str
    population: int
    size_class: int
    small: bool
    count: int


@dataclass
class SizeClassCount:
    index: int
    label: str
    small: bool
    municipalities: int
    count: int


@dataclass
class Count:
    key: str
    label: str  # a msgid: translate with _() where it is shown
    count: int


@dataclass
class Dashboard:
    period: Period
    since: datetime | None  # requests created from this moment; None: all time
    small_limit: int  # a municipality is small below this population
    day_start: str  # the working day in which times are counted, "08:00"
    day_end: str
    total: int
    open: int
    small_total: int  # requests from small municipalities
    by_municipality: list[MunicipalityCount]  # every municipality of the county, busiest first
    by_size_class: list[SizeClassCount]
    by_category: list[Count]  # busiest first
    by_state: list[Count]  # in the order of the state machine
    open_by_age: list[Count]  # the requests open now, by how long since they were filed
    first_responses: int  # requests with a first response
    median_first_response_minutes: float | None  # working minutes
    resolved: int
    median_resolution_minutes: float | None
    rated: int
    ratings: dict[int, int] = field(default_factory=dict)  # 1..5 → how many

    @property
    def average_rating(self) -> float | None:
        if not self.rated:
            return None
        return sum(score * n for score, n in self.ratings.items()) / self.rated


def period_start(period: Period, now: datetime | None = None) -> datetime | None:
    """The start of the period: the same moment a year ago for "12m", None for all time."""
    if period == "all":
        return None
    now = (now or utcnow()).astimezone(UTC)
    try:
        return now.replace(year=now.year - 1)
    except ValueError:  # 29 February
        return now.replace(year=now.year - 1, day=28)


def dashboard(
    session: Session,
    ws: Workspace,
    p: Principal,
    period: Period = "12m",
    *,
    now: datetime | None = None,
) -> Dashboard:
    """The figures of the requests created in the period, for those who see all requests."""
    if not p.can("helpdesk.see_all"):
        raise Forbidden()
    since = period_start(period, now)
    base = scoped(HelpRequest, ws.id)
    if since is not None:
        base = base.where(HelpRequest.created_at >= since)

    settings = counties_service.settings_of(ws)
    levels = sla.levels_of(ws)  # the workspace's working day, as for its service levels
    small_limit = settings.size_thresholds[SMALL_CLASSES - 1]
    municipalities = counties_service.municipalities_of_county(session, ws.county_number)

    per_municipality: dict[str, int] = {}
    per_category: dict[str, int] = dict.fromkeys(CATEGORIES, 0)
    per_state: dict[str, int] = dict.fromkeys(STATES, 0)
    grouped = session.execute(
        base.with_only_columns(
            HelpRequest.municipality_number, HelpRequest.category, HelpRequest.state, func.count()
        ).group_by(HelpRequest.municipality_number, HelpRequest.category, HelpRequest.state)
    ).all()
    for number, category, state, n in grouped:
        per_municipality[number] = per_municipality.get(number, 0) + n
        per_category[category] = per_category.get(category, 0) + n
        per_state[state] = per_state.get(state, 0) + n

    ratings = dict.fromkeys(range(1, 6), 0)
    for score, n in session.execute(
        base.where(HelpRequest.rating.is_not(None))
        .with_only_columns(HelpRequest.rating, func.count())
        .group_by(HelpRequest.rating)
    ):
        if score is not None:  # excluded by the query; for the type checker
            ratings[score] = n

    open_ages = open_by_age(session, ws, now)
    first_count, first_median = median_minutes(session, base, HelpRequest.first_response_minutes)
    resolved_count, resolved_median = median_minutes(session, base, HelpRequest.resolution_minutes)

    rows = [
        MunicipalityCount(
            number=m.number,
            name=m.name,
            population=m.population,
            size_class=(cls := counties_service.size_class_of(m.population, settings)),
            small=cls <= SMALL_CLASSES,
            count=per_municipality.get(m.number, 0),
        )
        for m in municipalities
    ]
    rows.sort(key=lambda r: -r.count)  # stable: ties keep the database's order by name
    classes = [
        SizeClassCount(
            index=c.index,
            label=c.label,
            small=c.index <= SMALL_CLASSES,
            municipalities=sum(1 for r in rows if r.size_class == c.index),
            count=sum(r.count for r in rows if r.size_class == c.index),
        )
        for c in counties_service.size_classes(settings)
    ]
    categories = [Count(c, CATEGORY_LABELS[c], per_category[c]) for c in CATEGORIES]
    categories.sort(key=lambda c: -c.count)  # stable: ties keep the form's order
    return Dashboard(
        period=period,
        since=since,
        small_limit=small_limit,
        day_start=levels.day_start,
        day_end=levels.day_end,
        total=sum(per_state.values()),
        open=sum(per_state[s] for s in OPEN_STATES),
        small_total=sum(r.count for r in rows if r.small),
        by_municipality=rows,
        by_size_class=classes,
        by_category=categories,
        by_state=[Count(s, STATE_LABELS[s], per_state[s]) for s in STATES],
        open_by_age=open_ages,
        first_responses=first_count,
        median_first_response_minutes=first_median,
        resolved=resolved_count,
        median_resolution_minutes=resolved_median,
        rated=sum(ratings.values()),
        ratings=ratings,
    )


def median_minutes(session: Session, base: Any, column: Any) -> tuple[int, float | None]:
    """How many requests have the stored working minutes, and their median. PostgreSQL computes
    it; SQLite (the small embedded default) hands over the numbers."""
    filled = base.where(column.is_not(None))
    if session.get_bind().dialect.name == "postgresql":
        count, middle = session.execute(
            filled.with_only_columns(
                func.count(column), func.percentile_cont(0.5).within_group(column)
            )
        ).one()
        return int(count or 0), float(middle) if middle is not None else None
    values = list(session.scalars(filled.with_only_columns(column)))
    return len(values), float(median(values)) if values else None


# How long an open request has waited since it was filed: (key, label, lower bound in days).
AGE_BANDS = (
    ("under_1w", lazy("under 1 uke"), 0),
    ("1w_4w", lazy("1–4 uker"), 7),
    ("1m_3m", lazy("1–3 måneder"), 28),
    ("over_3m", lazy("over 3 måneder"), 91),
)


def open_by_age(session: Session, ws: Workspace, now: datetime | None = None) -> list[Count]:
    """Every request open now (whatever the period), counted by age band in one query."""
    moment = now or utcnow()
    created = HelpRequest.created_at
    bounds = [moment - timedelta(days=days) for _key, _label, days in AGE_BANDS]
    columns = []
    for i in range(len(AGE_BANDS)):
        cond = created <= bounds[i]
        if i + 1 < len(AGE_BANDS):
            cond = and_(cond, created > bounds[i + 1])
        columns.append(func.count(HelpRequest.id).filter(cond))
    row = session.execute(
        scoped(HelpRequest, ws.id)
        .where(HelpRequest.state.in_(OPEN_STATES))
        .with_only_columns(*columns)
    ).one()
    return [
        Count(key, label, int(n or 0)) for (key, label, _d), n in zip(AGE_BANDS, row, strict=True)
    ]
