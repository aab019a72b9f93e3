"""The spread page's filter (parsed from what a person or an API client typed), the councils
to choose from, and the base queries every figure of the page starts from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Text, cast, or_
from sqlalchemy.orm import Session

from app.counties.models import Workspace
from app.errors import InvalidInput
from app.i18n import lazy
from app.innovations.models import INNOVATION_AREAS, PHASES, Adoption, Innovation
from app.innovations.visibility import IN_USE, visible_innovations

PAGE_SIZES = (20, 50, 100, 200)
PERIODS = ("year", "quarter")


@dataclass
class SpreadFilter:
    area: str | None = None
    phase: str | None = None
    shared_only: bool = False
    council_id: int | None = None  # the rows are this council's members
    limit: int = PAGE_SIZES[0]
    page: int = 1
    period: str = "year"


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


# --- the base queries ----------------------------------------------------------------------


def filtered_innovations(ws: Workspace, f: SpreadFilter) -> Select[Any]:
    query = visible_innovations(ws).where(Innovation.archived_at.is_(None))
    if f.area:
        # JSON lists differ between the databases; a LIKE on the stored text works in both.
        query = query.where(cast(Innovation.areas, Text()).like(f'%"{f.area}"%'))
    if f.phase:
        query = query.where(Innovation.phase == f.phase)
    if f.shared_only:
        query = query.where(Innovation.shared.is_(True))
    return query


def is_in_use() -> Any:
    return Adoption.status == IN_USE


def not_origin(number: Any, origin: Any) -> Any:
    return or_(origin.is_(None), number != origin)
