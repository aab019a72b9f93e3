"""Reference data (counties, municipalities, partner organisations) and workspaces."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, Timestamped
from app.i18n import lazy


class OfficialNames:
    """The official names of a county or municipality: bokmål, and Northern Sami and Kven
    where it has them. (``sort_order`` keeps the columns after the number, as in the tables.)"""

    name: Mapped[str] = mapped_column(String(100), sort_order=-1)
    name_sami: Mapped[str | None] = mapped_column(String(100), sort_order=-1)
    name_kven: Mapped[str | None] = mapped_column(String(100), sort_order=-1)


class County(OfficialNames, Base):
    """A county (fylke), SSB classification 104. National reference data, read-only to tenants."""

    __tablename__ = "county"
    __audit_label__ = lazy("Fylke")

    number: Mapped[str] = mapped_column(String(2), primary_key=True, sort_order=-2)


class Municipality(OfficialNames, Base):
    """A municipality (kommune), SSB classification 131. National reference data."""

    __tablename__ = "municipality"
    __audit_label__ = lazy("Kommune")

    number: Mapped[str] = mapped_column(String(4), primary_key=True, sort_order=-2)
    county_number: Mapped[str] = mapped_column(ForeignKey("county.number"), index=True)
    population: Mapped[int] = mapped_column(Integer)
    population_year: Mapped[int] = mapped_column(Integer)


class Organisation(Base):
    """A partner organisation: Statsforvalteren, KS, Distriktssenteret, a research body, ..."""

    __tablename__ = "organisation"
    __audit_label__ = lazy("Organisasjon")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))


class Workspace(Timestamped, Base):
    """A county workspace: the tenant."""

    __tablename__ = "workspace"
    __audit_label__ = lazy("Arbeidsområde")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    county_number: Mapped[str] = mapped_column(ForeignKey("county.number"), index=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
