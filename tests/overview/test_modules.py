"""A new module joins the house through its `Module` alone: its pages are mounted, its menu
entry shows to the roles that may use it, its figures and "what needs you" items appear on the
county overview and its `for_you` items on each person's start page — with no edit to the
overview, the menu or main.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.deps import Context, get_session
from app.main import create_app
from app.modules import MODULES
from app.registry import Contribution, Figure, Module, NavLink, NeedsYou, in_dependency_order
from app.tenancy import set_db_scope
from factories import create_member, create_workspace, login


def _extra_module() -> Module:
    router = APIRouter()

    @router.get("/{workspace_slug}/proeve")
    def page(request: Request, workspace_slug: str) -> HTMLResponse:
        return HTMLResponse("<p>prøvemodulen</p>")

    def contribution(session: Session, ctx: Context) -> Contribution | None:
        if not ctx.can("helpdesk.see_all"):
            return None
        return Contribution(
            figures=[Figure("7", "prøvetall", "/proeve", alert=True)],
            needs_you=[NeedsYou("Svar på prøven", "/proeve", due=date(2027, 1, 15))],
        )

    def for_you(session: Session, ctxs: Sequence[Context]) -> dict[int, list[NeedsYou]]:
        return {
            ctx.workspace.id: [
                NeedsYou("Les prøven", "/proeve/1", group="Prøver", due=date(2027, 2, 1)),
                NeedsYou(
                    "Godkjenn prøven", "/proeve/2", group="Prøver", urgent=True, action="Godkjenn"
                ),
            ]
            for ctx in ctxs
            if ctx.can("helpdesk.see_all")
        }

    return Module(
        name="proeve",
        pages=(router,),
        nav=(NavLink("Prøvemodul", "proeve", "helpdesk.see_all"),),
        overview=contribution,
        for_you=for_you,
    )


@pytest.fixture
def extended(database: Any, db: Session) -> Any:
    app = create_app(database.settings, engine=database.engine, modules=(*MODULES, _extra_module()))

    def test_session() -> Any:
        db.commit()
        db.expunge_all()
        db.info.clear()
        set_db_scope(db, workspace_id=None, user_id=None)
        yield db
        db.commit()

    app.dependency_overrides[get_session] = test_session
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


def test_a_new_module_adds_its_page_menu_entry_and_start_page_tile(extended, db):
    ws = create_workspace(db)
    login(extended, create_member(db, ws, "coordinator"))
    county = extended.get(f"/{ws.slug}/oversikt").text
    assert f'href="/{ws.slug}/proeve"' in county  # the menu entry
    assert "prøvetall" in county and "figure--alert" in county  # the figure, marked
    assert "Svar på prøven" in county and "15.01.2027" in county  # needs you, with its due date
    start = extended.get(f"/{ws.slug}").text
    assert "prøvetall" not in start  # the person's page has no figures
    # the module's items for the person, under their group, the urgent one first with its action
    assert "<h3" in start and "Prøver</h3>" in start
    assert start.index("Godkjenn prøven") < start.index("Les prøven")
    assert f'href="/{ws.slug}/proeve/2">Godkjenn' in start and "01.02.2027" in start
    assert extended.get(f"/{ws.slug}/proeve").text == "<p>prøvemodulen</p>"


def test_a_module_shows_nothing_to_those_its_rules_leave_out(extended, db):
    ws = create_workspace(db)
    login(extended, create_member(db, ws, "municipal"))
    for page in (f"/{ws.slug}", f"/{ws.slug}/oversikt"):
        text = extended.get(page).text
        assert "Prøvemodul" not in text and "prøvetall" not in text
        assert "Svar på prøven" not in text and "Godkjenn prøven" not in text


def test_the_real_modules_are_mounted_with_their_menu_entries(client, db):
    ws = create_workspace(db)
    login(client, create_member(db, ws, "county_admin"))
    start = client.get(f"/{ws.slug}").text
    for module in MODULES:
        for link in module.nav:
            assert f'href="/{ws.slug}/{link.path}"' in start
            assert client.get(f"/{ws.slug}/{link.path}").status_code == 200, link.path


def test_demo_data_loads_in_dependency_order():
    order = [m.name for m in in_dependency_order(MODULES)]
    for module in MODULES:
        for needed in module.depends_on:
            assert order.index(needed) < order.index(module.name)
    with pytest.raises(ValueError, match="depend on each other"):
        in_dependency_order((Module("a", depends_on=("b",)), Module("b", depends_on=("a",))))
