"""What a feature module offers the rest of the house, in one typed place.

Each feature module (`app/<name>/`) describes itself with one :class:`Module` in its
``module.py``, and `app/modules.py` lists them. From that list the app mounts the routers,
builds the main menu, the workspace start page (each module's :class:`Contribution`), the
settings page (each module's :class:`SettingsSection`), loads the demo and runs the periodic
jobs. Nothing outside the module's folder needs to know more about it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import ModuleType
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from sqlalchemy import Select
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from app.accounts.deps import Context
    from app.counties.models import Workspace


@dataclass(frozen=True)
class Figure:
    """One key figure on the start page: a value, what it counts, and where it leads."""

    value: str
    label: str
    path: str | None = None  # inside the workspace, e.g. "/hjelp?visning=alle"
    alert: bool = False  # marked (not by colour alone) when it needs attention


@dataclass(frozen=True)
class NeedsYou:
    """Something waiting for the person looking: a request to answer, a deadline.

    On the personal start page ("Til deg") the items of a workspace are listed under their
    ``group`` (in the order of the main menu), the ``urgent`` ones first, then by ``due`` (the
    soonest first; none last), then as the module gave them."""

    title: str
    path: str  # inside the workspace
    detail: str = ""
    due: date | None = None
    group: str = ""  # the heading it is listed under: "Forespørsler", "Høringer"
    action: str = ""  # a call to action shown as the link's text, e.g. "Svar hjelpekorpset"
    urgent: bool = False  # waits for the person now, or is overdue: first, and marked


@dataclass(frozen=True)
class Contribution:
    """What a module adds to the workspace start page for the person looking."""

    figures: Sequence[Figure] = ()
    needs_you: Sequence[NeedsYou] = ()


@dataclass(frozen=True)
class FigureQuery:
    """A module's key figures, read in the county overview's one statement: ``query`` selects
    exactly one row (aggregates without GROUP BY, or scalar subqueries) through the scoped
    helpers, and ``done`` makes the contribution of that row. The overview joins every module's
    query into a single SELECT, so the figures of all modules cost one round trip."""

    query: Select[Any]
    done: Callable[[Sequence[Any]], Contribution | None]


@dataclass(frozen=True)
class NavLink:
    """An entry of the main menu, shown to those whose role may do ``action``."""

    label: str  # lazy(...) text, translated when shown
    path: str  # inside the workspace, without the leading slash: "hjelp"
    action: str
    also: tuple[str, ...] = ()  # other paths where this entry counts as the current page


@dataclass(frozen=True)
class SettingsSection:
    """A module's part of the workspace settings page: a template fragment and its values."""

    template: str
    context: Callable[[Session, Context], dict[str, Any]]
    action: str = "workspace.settings"


PeriodicJob = tuple[Callable[[sessionmaker[Session]], object], float]


@dataclass(frozen=True)
class Module:
    name: str
    models: ModuleType | None = None  # the module's tables (imported so Alembic sees them)
    depends_on: tuple[str, ...] = ()  # modules whose demo data this module's demo builds on
    api: Sequence[APIRouter] = ()
    pages: Sequence[APIRouter] = ()
    nav: Sequence[NavLink] = ()
    # the module's part of the county overview: a contribution, or a query of its figures that
    # the overview runs together with the other modules' (FigureQuery)
    overview: Callable[[Session, Context], Contribution | FigureQuery | None] | None = None
    # what waits for the person on their start page ("Til deg") in each of their workspaces:
    # called once with every workspace's context (``ctxs``, the current one first; the
    # person's role may differ between them), it returns the items by workspace id. Cheap,
    # bounded queries (no figures), and as many statements in one workspace as in ten: read the
    # workspaces together (``app.tenancy.scoped_in``, or a ``scoped_union`` of one part per
    # workspace). On PostgreSQL the scope lets them read the person's workspaces meanwhile
    # (``set_db_scope(read_also=...)``, set by the start page).
    for_you: Callable[[Session, Sequence[Context]], Mapping[int, Sequence[NeedsYou]]] | None = None
    settings: SettingsSection | None = None
    demo: Callable[[Session, Mapping[str, Workspace]], None] | None = None
    # national reference data the module ships (loaded by `samspill migrate` / `setup`):
    # adds what is missing and returns how many of what it added
    reference: Callable[[Session], Mapping[str, int]] | None = None
    jobs: Sequence[PeriodicJob] = field(default_factory=tuple)


def in_dependency_order(modules: Sequence[Module]) -> list[Module]:
    """The modules with each one after those it depends on (the menu order otherwise)."""
    done: list[Module] = []
    by_name = {m.name: m for m in modules}

    def visit(m: Module, path: tuple[str, ...]) -> None:
        if m in done:
            return
        if m.name in path:
            raise ValueError(f"modules depend on each other: {' -> '.join((*path, m.name))}")
        for name in m.depends_on:
            visit(by_name[name], (*path, m.name))
        done.append(m)

    for m in modules:
        visit(m, ())
    return done
