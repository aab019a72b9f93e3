from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.accounts.deps import Context, DbSession, api_require
from app.counties import service
from app.counties.schemas import MunicipalityPage, MunicipalityRead

router = APIRouter(tags=["municipalities"])


@router.get("/{workspace_slug}/municipalities", response_model=MunicipalityPage)
def list_municipalities(
    session: DbSession,
    ctx: Annotated[Context, Depends(api_require("municipalities.read"))],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    size_class: Annotated[int | None, Query(ge=1, le=5)] = None,
    sort: Annotated[str, Query(pattern=r"^-?(name|number|population)$")] = "name",
) -> MunicipalityPage:
    """The municipalities of the workspace's county with population and size class, paged."""
    listing = service.list_municipalities(
        session, ctx.workspace, sort=sort, size_class=size_class, limit=limit, offset=offset
    )
    return MunicipalityPage(
        items=[
            MunicipalityRead(
                number=r.municipality.number,
                name=r.municipality.name,
                name_sami=r.municipality.name_sami,
                name_kven=r.municipality.name_kven,
                county_number=r.municipality.county_number,
                population=r.municipality.population,
                population_year=r.municipality.population_year,
                size_class=r.size_class,
                size_class_label=r.size_class_label,
            )
            for r in listing.rows
        ],
        total=listing.total,
        limit=limit,
        offset=offset,
    )
