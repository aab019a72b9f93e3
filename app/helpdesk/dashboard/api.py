"""JSON API of the hjelpekorps dashboard: the same figures as the page ``/{county}/hjelp/tall``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from app.accounts.deps import Context, DbSession, api_require
from app.accounts.one_trip import Router
from app.helpdesk.dashboard import service as figures
from app.helpdesk.schemas import ReadModel
from app.i18n import _
from app.reads import read

router = Router(tags=["helpdesk"])

SeeAll = Annotated[Context, Depends(api_require("helpdesk.see_all"))]


class CountRead(BaseModel):
    key: str
    label: str
    count: int


class MunicipalityCountRead(ReadModel):
    number: str
    name: str
    population: int
    size_class: int
    small: bool = Field(description="In one of the two smallest size classes.")
    count: int


class SizeClassCountRead(ReadModel):
    index: int
    label: str
    small: bool
    municipalities: int = Field(description="Municipalities of the county in this class.")
    count: int


class RatingsRead(BaseModel):
    rated: int
    average: float | None
    distribution: dict[int, int] = Field(description="Score (1–5) → number of ratings.")


class DashboardRead(BaseModel):
    period: figures.Period
    since: datetime | None = Field(description="Requests created from this moment; null: all.")
    small_limit: int = Field(description="A municipality with fewer inhabitants is small.")
    day_start: str = Field(description="The working day in which times are counted, HH:MM.")
    day_end: str
    total: int
    open: int
    small_total: int = Field(description="Requests from small municipalities.")
    first_responses: int = Field(description="Requests that have had a first response.")
    median_first_response_minutes: float | None = Field(
        description="Median working minutes from filing to the first response "
        "(Monday–Friday within the working day, Norwegian time, public holidays excluded)."
    )
    resolved: int
    median_resolution_minutes: float | None = Field(
        description="Median working minutes from filing to resolution, waiting time included."
    )
    ratings: RatingsRead
    by_municipality: list[MunicipalityCountRead] = Field(
        description="Every municipality of the county, the most requests first."
    )
    by_size_class: list[SizeClassCountRead]
    by_category: list[CountRead]
    by_state: list[CountRead]
    open_by_age: list[CountRead] = Field(
        description="Requests open now, by time since filing (whatever the period)."
    )


def _counts(rows: list[figures.Count]) -> list[CountRead]:
    return [read(CountRead, c, label=_(c.label)) for c in rows]


@router.get("/{workspace_slug}/helpdesk/dashboard")
def read_dashboard(
    session: DbSession,
    ctx: SeeAll,
    period: Annotated[
        figures.Period, Query(description="`12m`: the last 12 months; `all`: all time.")
    ] = "12m",
) -> DashboardRead:
    """Requests created in the period, by municipality, size class, category and state; median
    working time to the first response and to resolution; the municipalities' ratings."""
    d = figures.dashboard(session, ctx.workspace, ctx.principal, period)
    return read(
        DashboardRead,
        d,
        ratings=RatingsRead(rated=d.rated, average=d.average_rating, distribution=d.ratings),
        by_category=_counts(d.by_category),
        by_state=_counts(d.by_state),
        open_by_age=_counts(d.open_by_age),
    )
