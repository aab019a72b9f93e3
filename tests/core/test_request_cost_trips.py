"""The fixed cost of a request: how many trips to the thread pool it makes (issue 16).

A request's set-up (the session lookup and the workspace context) is one trip, the route one
more, and the end of the transaction one more, except for a SQLite read, which ends on the event
loop. Counted, not timed: ``anyio.to_thread.run_sync`` (through which Starlette's and FastAPI's
``run_in_threadpool`` go) is wrapped for the request. The app runs with its own ``get_session``
(the other tests' app replaces it with the test's transaction), on a database of its own with
the rows committed. Rate limits are off here: their count of an API call is a trip of its own
(``app.ratelimit``)."""

from __future__ import annotations

import functools
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.accounts import tokens
from app.config import Settings, get_settings
from app.db import make_engine
from app.main import create_app
from app.migrate import migrate
from conftest import APP_ROLE, PG_OWNER_URL, REQUIRE_PG
from factories import bearer, create_member, create_workspace, in_workspace, login, post

BACKENDS = ["sqlite", "postgresql"]


@dataclass
class Place:
    backend: str
    url: str  # as the app connects
    owner: Engine  # to set up and look at rows (bypasses row-level security)
    slug: str
    other_slug: str  # a workspace the coordinator is no member of
    coordinator: str
    token: dict[str, str]  # the coordinator's API token (read and write)
    read_only: dict[str, str]


@pytest.fixture(scope="module", params=BACKENDS)
def place(request: pytest.FixtureRequest) -> Iterator[Place]:
    folder = Path(tempfile.mkdtemp(prefix="samspill-trips-"))
    admin: Engine | None = None
    name = ""
    try:
        if request.param == "sqlite":
            url = f"sqlite:///{folder / 'trips.db'}"
            migrate(url)
            owner = make_engine(url)
        else:
            if not PG_OWNER_URL:
                if REQUIRE_PG:
                    pytest.fail("PostgreSQL is required here but did not answer")
                pytest.skip("PostgreSQL not available")
            name = f"samspill_trips_{uuid.uuid4().hex[:10]}"
            admin = create_engine(PG_OWNER_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                known = conn.execute(
                    text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
                ).first()
                if known is None:
                    conn.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS"))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            owner_url = make_url(PG_OWNER_URL).set(database=name)
            migrate(owner_url.render_as_string(hide_password=False), APP_ROLE)
            url = owner_url.set(username=APP_ROLE, password=None).render_as_string(
                hide_password=False
            )
            owner = create_engine(owner_url)
        with Session(owner) as db:
            ws = create_workspace(db, county="50", name="Trøndelag trips")
            other = create_workspace(db, county="46", name="Vestland trips")
            kari = create_member(db, ws, "coordinator", name="Kari Østby")
            create_member(db, other, "coordinator", name="Ola Vest")
            token = bearer(db, ws, kari)
            with in_workspace(db, ws):
                _row, secret = tokens.create_api_token(db, ws.id, kari, "read", read_only=True)
            read_only = {"Authorization": f"Bearer {secret}"}
            found = Place(
                request.param, url, owner, ws.slug, other.slug, kari.email, token, read_only
            )
            db.commit()
        yield found
        owner.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture
def client(place: Place, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(  # type: ignore[call-arg]
        database_url=place.url,
        environment="test",
        mail_worker_in_process=False,
        rate_limits_enabled=False,
        storage_dir=tmp_path / "storage",
        _env_file=None,
    )
    application = create_app(settings, engine=make_engine(place.url))
    with TestClient(application, follow_redirects=False) as c:
        yield c
    application.state.engine.dispose()
    get_settings.cache_clear()


class Trips:
    """The trips to the thread pool of the requests made inside ``with trips:``, by what
    each ran."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        self._monkeypatch = monkeypatch
        self._run_sync = anyio.to_thread.run_sync

    def __enter__(self) -> Trips:
        self.names.clear()

        async def counting(func: Any, *args: Any, **kwargs: Any) -> Any:
            self.names.append(_name(func))
            return await self._run_sync(func, *args, **kwargs)

        self._monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._monkeypatch.setattr(anyio.to_thread, "run_sync", self._run_sync)


def _name(func: Any) -> str:
    while isinstance(func, functools.partial):
        inner = func.keywords.get("function")
        if inner is not None:  # FastAPI's call of a plain ``def`` route
            return "route"
        func = func.func
    return str(getattr(func, "__name__", repr(func)))


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Trips:
    return Trips(monkeypatch)


def test_a_page_costs_one_trip_for_its_set_up(
    place: Place, client: TestClient, trips: Trips
) -> None:
    login(client, place.coordinator)
    page = f"/{place.slug}/hjelp"
    assert client.get(page).status_code == 200  # warm: templates, the last workspace
    with trips:
        answer = client.get(page)
    assert answer.status_code == 200 and "Kari Østby" in answer.text
    # Before: the user, the context, the route and the end: four trips.
    assert trips.names == ["page_context", "route", "_end"]
    assert len(trips.names) <= 3


def test_an_api_list_costs_one_trip_for_its_set_up(
    place: Place, client: TestClient, trips: Trips
) -> None:
    url = f"/api/v1/{place.slug}/helpdesk/requests"
    assert client.get(url, headers=place.token).status_code == 200
    with trips:
        answer = client.get(url, headers=place.token)
    assert answer.status_code == 200
    # The route's answer is validated in a trip of FastAPI's own ("validate").
    assert trips.names == ["api_context", "route", "validate", "_end"]
    # Before: the caller, the context, the route, the validation and the end: five.
    assert len(trips.names) <= 4


def test_the_refusals_come_before_the_route_as_before(
    place: Place, client: TestClient, trips: Trips
) -> None:
    with trips:
        nobody = client.get(f"/{place.slug}/hjelp")
        nobody_api = client.get(f"/api/v1/{place.slug}/helpdesk/requests")
    assert nobody.status_code in (302, 303, 401) and nobody_api.status_code == 401
    # No cookie, no token: nobody to look up (what is left is the error handler of app.errors, a
    # plain ``def``, and the end of the session, which touched no database).
    assert set(trips.names) <= {"_app_error", "_http_error", "_end"}, trips.names

    login(client, place.coordinator)
    with trips:
        elsewhere = client.get(f"/{place.other_slug}/hjelp")
        elsewhere_api = client.get(f"/api/v1/{place.other_slug}/bodies", headers=place.token)
        written = client.post(
            f"/api/v1/{place.slug}/helpdesk/requests",
            json={"title": "Skal ikke lagres", "description": "lesetilgang"},
            headers=place.read_only,
        )
    assert elsewhere.status_code == 404 and elsewhere_api.status_code == 404
    assert written.status_code == 403 and written.json()["code"] == "read_only_token"
    assert "route" not in trips.names  # refused in the set-up, before any route ran


def test_a_write_ends_in_the_thread_pool_and_is_stored(
    place: Place, client: TestClient, trips: Trips
) -> None:
    login(client, place.coordinator)
    client.get(f"/{place.slug}/strategier/ny")
    with trips:
        answer = post(
            client,
            f"/{place.slug}/strategier/ny",
            {"title": "Strategi fra trip-testen", "kind": "innovation_strategy"},
        )
    assert answer.status_code == 303, answer.text[:300]
    assert trips.names[-1] == "_end"  # the COMMIT, in the thread pool
    with place.owner.connect() as conn:
        stored = conn.execute(
            text("SELECT count(*) FROM strategy_document WHERE title = :t"),
            {"t": "Strategi fra trip-testen"},
        ).scalar()
    assert stored == 1


def test_after_a_read_nothing_is_held(place: Place, client: TestClient) -> None:
    """Reads give their connections back (their transactions ended)."""
    login(client, place.coordinator)
    for _ in range(3):
        assert client.get(f"/{place.slug}/hjelp").status_code == 200
    engine = client.app.state.engine  # type: ignore[attr-defined]
    assert engine.pool.checkedout() == 0
