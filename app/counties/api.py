from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query

from app.accounts.deps import Context, DbSession, api_require
from app.accounts.one_trip import Router
from app.counties import service
from app.counties.schemas import MunicipalityRead
from app.reads import Cursor, Limit, Page, page_in_memory

router = Router(tags=["municipalities"])


@router.get("/{workspace_slug}/municipalities", response_model=Page[MunicipalityRead])
def list_municipalities(
    session: DbSession,
    ctx: Annotated[Context, Depends(api_require("municipalities.read"))],
    cursor: Cursor = None,
    limit: Limit = 50,
    size_class: Annotated[int | None, Query(ge=1, le=5)] = None,
    sort: Annotated[str, Query(pattern=r"^-?(name|number|population)$")] = "name",
) -> Page[MunicipalityRead]:
    """The municipalities of the workspace's county with population and size class, paged."""
    listing = service.list_municipalities(session, ctx.workspace, sort=sort, size_class=size_class)
    column = sort.lstrip("-")
    kind = int if column == "population" else str

    def key_of(r: Any) -> tuple[Any, ...]:
        return (getattr(r.municipality, column), r.municipality.number)

    return page_in_memory(
        listing.rows,
        key_of,
        (kind, str),
        cursor,
        limit,
        lambda r: MunicipalityRead(
            number=r.municipality.number,
            name=r.municipality.name,
            name_sami=r.municipality.name_sami,
            name_kven=r.municipality.name_kven,
            county_number=r.municipality.county_number,
            population=r.municipality.population,
            population_year=r.municipality.population_year,
            size_class=r.size_class,
            size_class_label=r.size_class_label,
        ),
        descending=sort.startswith("-"),
    )
