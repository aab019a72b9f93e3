"""The fixed cost of a request: how many trips to the thread pool it makes (issue 16).

A request's set-up (the session lookup, the workspace context, the role check, the rate limit's
count), its route, the check of an API route's answer and the end of its transaction all happen
in the route's one trip (app.accounts.one_trip). Counted, not timed: ``anyio.to_thread.run_sync``
(through which Starlette's and FastAPI's ``run_in_threadpool`` go) is wrapped for the request.
The app runs with its own ``get_session`` (the other tests' app replaces it with the test's
transaction), on a database of its own with the rows committed. Rate limits are off here but in
the test that counts them."""

from __future__ import annotations

import functools
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
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
from conftest import APP_ROLE, PG_OWNER_URL, REQUIRE_PG, ensure_app_role
from factories import (
    bearer,
    create_help_request,
    create_member,
    create_workspace,
    in_workspace,
    login,
    post,
)

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
                ensure_app_role(conn)
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
            create_help_request(db, ws, title="Trenger hjelp med sak")
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


def _client(place: Place, tmp_path: Path, **settings: Any) -> Iterator[TestClient]:
    settings = Settings(  # type: ignore[call-arg]
        database_url=place.url,
        environment="test",
        mail_worker_in_process=False,
        storage_dir=tmp_path / "storage",
        _env_file=None,
        **{"rate_limits_enabled": False, **settings},
    )
    application = create_app(settings, engine=make_engine(place.url))
    with TestClient(application, follow_redirects=False) as c:
        yield c
    application.state.engine.dispose()
    get_settings.cache_clear()


@pytest.fixture
def client(place: Place, tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(place, tmp_path)


@pytest.fixture
def limited_client(place: Place, tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(
        place, tmp_path, rate_limits_enabled=True, rate_limit_api_per_token="5/minute"
    )


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
    # Before: the user, the context, the route and the end (four trips); then the set-up,
    # the route and the end (three).
    assert trips.names == ["route"]
    engine = client.app.state.engine  # type: ignore[attr-defined]
    assert engine.pool.checkedout() == 0  # the transaction ended in the route's trip


def test_an_api_list_costs_one_trip_for_its_set_up(
    place: Place, client: TestClient, trips: Trips
) -> None:
    url = f"/api/v1/{place.slug}/helpdesk/requests"
    assert client.get(url, headers=place.token).status_code == 200
    with trips:
        answer = client.get(url, headers=place.token)
    assert answer.status_code == 200
    assert answer.json()["items"][0]["title"] == "Trenger hjelp med sak"
    # Before: the caller, the context, the route, the check of its answer against the response
    # model and the end: five trips, then four.
    assert trips.names == ["route"]


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
            json={"category": "funding", "title": "Skal ikke lagres", "description": "les"},
            headers=place.read_only,
        )
        invalid = client.post(
            f"/api/v1/{place.slug}/helpdesk/requests",
            json={"title": "Skal ikke lagres", "description": "lesetilgang"},
            headers=place.read_only,
        )
        invalid_elsewhere = client.get(
            f"/api/v1/{place.other_slug}/helpdesk/requests?limit=x", headers=place.token
        )
    assert elsewhere.status_code == 404 and elsewhere_api.status_code == 404
    assert written.status_code == 403 and written.json()["code"] == "read_only_token"
    # Refused in the set-up at the start of the route's trip, before the route ran: nothing
    # stored (the error pages are rendered by app.errors' handlers, a trip each).
    assert trips.names[:6] == ["route", "_app_error"] * 3
    # A request FastAPI finds invalid before the route runs is refused as before all the same,
    # not told what was wrong with it: the set-up is found first (app.accounts.one_trip).
    assert invalid.status_code == 403 and invalid.json()["code"] == "read_only_token"
    assert invalid_elsewhere.status_code == 404
    with place.owner.connect() as conn:
        stored = conn.execute(
            text("SELECT count(*) FROM help_request WHERE title = 'Skal ikke lagres'")
        ).scalar()
    assert stored == 0


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
    assert trips.names == ["route"]  # the COMMIT too, before the answer went
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


def test_the_rate_limit_is_counted_in_the_same_trip(
    place: Place, limited_client: TestClient, trips: Trips
) -> None:
    url = f"/api/v1/{place.slug}/helpdesk/requests"
    with trips:
        answers = [limited_client.get(url, headers=place.token) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[0].headers["RateLimit-Limit"] == "5"
    assert answers[4].headers["RateLimit-Remaining"] == "0"
    # Counted first in the route's trip; the sixth refused there, before the route ran.
    assert trips.names[:5] == ["route"] * 5
    assert trips.names[5] == "route"


def test_a_form_on_the_request_page_reads_the_context_found_in_the_route(
    place: Place, client: TestClient, trips: Trips
) -> None:
    """The request page's posted form (a dependency of its own) keeps the context to be found,
    and reads it when the route runs."""
    login(client, place.coordinator)
    client.get(f"/{place.slug}/hjelp/1")
    with trips:
        answer = post(client, f"/{place.slug}/hjelp/1/svar", {"body": "Vi ser på det."})
    assert answer.status_code == 303, answer.text[:300]
    assert answer.headers["location"].startswith(f"/{place.slug}/hjelp/1")
    assert trips.names == ["route"]
    with place.owner.connect() as conn:
        stored = conn.execute(
            text("SELECT count(*) FROM request_message WHERE body = 'Vi ser på det.'")
        ).scalar()
    assert stored == 1


def _set_threads(tokens: int) -> None:
    anyio.to_thread.current_default_thread_limiter().total_tokens = tokens


def test_writes_at_once_with_two_threads_all_stored(place: Place, client: TestClient) -> None:
    """Twelve writes at once through a thread pool of two threads. A write holds SQLite's write
    lock from its first statement to its commit; when that spanned several trips, it waited for
    a thread while holding the lock, the two threads waited for the lock, and nothing moved until
    the busy timeout (503 after 5 s). In one trip every write goes through."""
    login(client, place.coordinator)
    client.get(f"/{place.slug}/strategier/ny")
    assert client.portal is not None
    client.portal.call(_set_threads, 2)
    barrier = threading.Barrier(12)

    def write(n: int) -> int:
        barrier.wait()
        answer = post(
            client,
            f"/{place.slug}/strategier/ny",
            {"title": f"Samtidig strategi {n}", "kind": "innovation_strategy"},
        )
        return int(answer.status_code)

    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(write, range(12)))
    finally:
        client.portal.call(_set_threads, 40)
    assert statuses == [303] * 12
    with place.owner.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT title, count(*) FROM strategy_document "
                "WHERE title LIKE 'Samtidig strategi %' GROUP BY title"
            )
        ).all()
    assert sorted(stored) == sorted((f"Samtidig strategi {n}", 1) for n in range(12))


def test_every_route_with_a_session_makes_one_trip() -> None:
    """Every route that takes the request's session is a OneTripRoute that finds its set-up in
    its trip (a module's router is ``app.accounts.one_trip.Router``, not FastAPI's own); a
    plain ``def`` dependency that takes the context would undo it for its routes."""
    from fastapi.routing import APIRoute

    from app.accounts.one_trip import OneTripRoute

    application = create_app(get_settings())
    routes = [
        getattr(context, "original_route", context)
        for entry in application.router.routes
        for context in getattr(entry, "effective_route_contexts", lambda e=entry: [e])()
    ]
    api_routes = [r for r in routes if isinstance(r, APIRoute)]
    assert len(api_routes) > 300
    with_session = [r for r in api_routes if isinstance(r, OneTripRoute) and r.one_trip]
    others = [r.path for r in api_routes if r not in with_session]
    # Health, metrics and the API's documentation take no session; nor do the two pages of
    # the forgotten-password form that show no data.
    assert sorted(others) == [
        "/api/docs",
        "/glemt-passord",
        "/glemt-passord/sendt",
        "/healthz",
        "/metrics",
        "/readyz",
    ]
    # The invitation pages' own dependency sets the scope for row-level security to the
    # invitation's workspace: their set-up is found first, as before (it would undo the scope).
    assert sorted({r.path for r in with_session if not r.defers_setup}) == [
        "/{workspace_slug}/invitasjon/{token}"
    ]
