"""Reference data (counties, municipalities, partner organisations) and workspaces."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, Timestamped
from app.i18n import lazy


class County(Base):
    """A county (fylke), SSB classification 104. National reference data, read-only to tenants."""

    __tablename__ = "county"
    __audit_label__ = lazy("Fylke")

    number: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_sami: Mapped[str | None] = mapped_column(String(100))
    name_kven: Mapped[str | None] = mapped_column(String(100))


class Municipality(Base):
    """A municipality (kommune), SSB classification 131. National reference data."""

    __tablename__ = "municipality"
    __audit_label__ = lazy("Kommune")

    number: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_sami: Mapped[str | None] = mapped_column(String(100))
    name_kven: Mapped[str | None] = mapped_column(String(100))
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
