from __future__ import annotations

from itertools import pairwise
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.fields import matches, one_line
from app.i18n import lazy

DEFAULT_THRESHOLDS = [1500, 3000, 10000, 20000]
SLUG = r"[a-z][a-z0-9-]{1,38}[a-z0-9]"


class WorkspaceSettings(BaseModel):
    """Per-workspace settings, kept as JSON on the workspace row. A feature module keeps its
    own settings under its name (``"helpdesk"``: service levels), validated by that module;
    they pass through here untouched."""

    model_config = ConfigDict(extra="allow")

    size_thresholds: list[int] = Field(
        default_factory=lambda: list(DEFAULT_THRESHOLDS), min_length=4, max_length=4
    )

    @field_validator("size_thresholds")
    @classmethod
    def _ascending(cls, value: list[int]) -> list[int]:
        if any(v <= 0 for v in value):
            raise ValueError(lazy("Grensene må være positive tall."))
        if any(b <= a for a, b in pairwise(value)):
            raise ValueError(lazy("Grensene må være stigende."))
        return value


class WorkspaceCreate(BaseModel):
    slug: Annotated[
        str,
        matches(SLUG, lazy("Kortnavnet kan bare ha små bokstaver a–z, tall og bindestrek.")),
    ]
    name: Annotated[str, one_line(lazy("Navnet må stå på én linje."))] = Field(
        min_length=2, max_length=200
    )
    county_number: str = Field(pattern=r"^\d{2}$")


class MunicipalityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: str
    name: str
    name_sami: str | None
    name_kven: str | None
    county_number: str
    population: int
    population_year: int
    size_class: int
    size_class_label: str


class SizeClass(BaseModel):
    index: int
    label: str
    lower: int | None
    upper: int | None
