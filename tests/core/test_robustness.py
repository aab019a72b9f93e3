"""Faults a person would otherwise meet as failed pages: a mail server that stalls while the
worker talks to it (SQLite), a write lock held too long (reported by /readyz), and a lost
PostgreSQL (connections cut: the next request still succeeds; connections refused: a clean
503 with Retry-After on a connection kept open, the real error logged once, then 200 again).

Real servers and real databases of each test's own; the SMTP server is aiosmtpd on loopback."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from servers import served
from sqlalchemy import select, text
from sqlalchemy.orm import Session

import app.models  # noqa: F401
from app.accounts.models import User
from app.config import Settings, get_settings
from app.counties.models import Workspace
from app.db import make_engine, make_sessionmaker
from app.mail import service as mail
from app.mail.models import OutboxMessage
from app.main import create_app
from app.migrate import migrate
from app.strategies.models import StrategyDocument
from app.tenancy import scoped
from conftest import APP_ROLE, PG_OWNER_URL, REQUIRE_PG, _free_port, _postgres_database
from factories import PASSWORD, bearer, create_member, create_workspace, login, post

UNAVAILABLE = {
    "nb": "Tjenesten er midlertidig utilgjengelig.",
    "en": "The service is temporarily unavailable.",
}


@dataclass
class Place:
    url: str
    path: Path
    slug: str
    workspace_id: int
    coordinator: str


@pytest.fixture
def sqlite_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Place]:
    """A migrated SQLite file with a workspace and its coordinator, and a message queued."""
    path = tmp_path / "robust.db"
    url = f"sqlite:///{path}"
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as db:
        ws = create_workspace(db, county="50", name="Trøndelag robust")
        kari = create_member(db, ws, "coordinator", name="Kari Østby")
        mail.enqueue(
            db, to="ola@osen.kommune.no", subject="Invitasjon", body="Hei", workspace_id=ws.id
        )
        db.commit()
        place = Place(url, path, ws.slug, ws.id, kari.email)
    engine.dispose()
    monkeypatch.setenv("SAMSPILL_STORAGE_DIR", str(tmp_path / "storage"))
    get_settings.cache_clear()
    yield place
    get_settings.cache_clear()


def _settings(url: str, **extra: Any) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=url,
        environment="test",
        mail_worker_in_process=False,
        _env_file=None,
        **extra,
    )


class StalledMailbox:
    """An SMTP server that, once a message's data arrives, says nothing until released."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.delivered: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.entered.set()
        deadline = time.monotonic() + 30
        while not self.release.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        self.delivered.extend(envelope.rcpt_tos)
        return "250 OK"


def test_a_stalled_mail_server_does_not_stop_others_from_saving(sqlite_place: Place) -> None:
    from aiosmtpd.controller import Controller

    place = sqlite_place
    mailbox = StalledMailbox()
    port = _free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    settings = _settings(place.url, smtp_host="127.0.0.1", smtp_port=port, mail_transport="smtp")
    worker_engine = make_engine(place.url)
    worker = threading.Thread(
        target=mail.deliver_pending, args=(make_sessionmaker(worker_engine), settings)
    )
    application = create_app(settings, engine=make_engine(place.url))
    try:
        worker.start()
        assert mailbox.entered.wait(15), "the worker never reached the mail server"
        # The worker is now waiting for the mail server. A coordinator saves a document (it
        # would wait five seconds for the write lock and fail, were the worker holding it).
        with TestClient(application, follow_redirects=False) as client:
            login(client, place.coordinator)
            answer = post(
                client,
                f"/{place.slug}/strategier/ny",
                {"title": "Strategi lagret mens e-posten hang", "kind": "innovation_strategy"},
            )
            assert answer.status_code == 303, answer.text[:300]
            assert client.get(answer.headers["location"]).status_code == 200
            ready = client.get("/readyz")
            assert ready.status_code == 200, ready.json()
        assert mailbox.delivered == []  # the mail server was still stalled all along
    finally:
        mailbox.release.set()
        worker.join(timeout=30)
        smtp.stop()
    assert mailbox.delivered == ["ola@osen.kommune.no"]
    with Session(worker_engine) as db:
        title = "Strategi lagret mens e-posten hang"
        query = scoped(StrategyDocument, place.workspace_id).where(StrategyDocument.title == title)
        assert len(db.scalars(query).all()) == 1
        db.info["tenant_scope_exempt"] = True
        sent = db.scalars(select(OutboxMessage.sent_at)).all()
        assert len(sent) == 1 and sent[0] is not None  # recorded as sent, once
    worker_engine.dispose()


def test_not_ready_while_another_connection_holds_the_write_lock(sqlite_place: Place) -> None:
    application = create_app(
        _settings(sqlite_place.url, ready_write_wait_seconds=0.5),
        engine=make_engine(sqlite_place.url),
    )
    with TestClient(application) as client:
        assert client.get("/readyz").json()["status"] == "ready"
        other = sqlite3.connect(sqlite_place.path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # e.g. a stuck command holding the lock
            answer = client.get("/readyz")
            assert answer.status_code == 503
            assert answer.json()["failed"] == ["database"]
            assert client.get("/healthz").status_code == 200
            other.execute("ROLLBACK")
        finally:
            other.close()
        assert client.get("/readyz").status_code == 200  # the probe left nothing behind


def test_an_unexpected_error_is_logged_once_and_keeps_the_connection(
    sqlite_place: Place, caplog: pytest.LogCaptureFixture
) -> None:
    application = create_app(_settings(sqlite_place.url), engine=make_engine(sqlite_place.url))

    def boom() -> None:
        raise RuntimeError("the real cause")

    application.add_api_route("/_test/boom", boom)
    application.add_api_route("/api/v1/_test/boom", boom)
    with served(application) as url, httpx.Client(base_url=url, timeout=30) as client:
        caplog.clear()
        for path in ("/_test/boom", "/api/v1/_test/boom"):
            answer = client.get(path)
            assert answer.status_code == 500
            assert "the real cause" not in answer.text
            assert answer.headers.get("connection", "").lower() != "close"
        assert client.get("/healthz").status_code == 200  # on the same connection
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == [
        "unhandled error on GET /_test/boom",
        "unhandled error on GET /api/v1/_test/boom",
    ]
    assert all(r.exc_info and "the real cause" in str(r.exc_info[1]) for r in errors)


# --- a lost PostgreSQL ----------------------------------------------------------------------


@dataclass
class Live:
    url: str
    db_name: str
    admin: Any  # an owner engine on the server's maintenance database
    slug: str
    coordinator: str
    api: dict[str, str]


@pytest.fixture
def live_postgres(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    """A fresh PostgreSQL database, the app served from it as the ordinary role by a real
    uvicorn in a thread."""
    if not PG_OWNER_URL:
        if REQUIRE_PG:
            pytest.fail("PostgreSQL is required here but did not answer")
        pytest.skip("PostgreSQL not available")
    database, name, admin = _postgres_database()
    with Session(database.engine) as db:
        ws = create_workspace(db, county="50", name="Trøndelag robust")
        kari = create_member(db, ws, "coordinator", name="Kari Østby")
        api = bearer(db, ws, kari)
        db.commit()
        slug, email = ws.slug, kari.email
    database.engine.dispose()
    monkeypatch.setenv("SAMSPILL_STORAGE_DIR", str(tmp_path / "storage"))
    get_settings.cache_clear()
    application = create_app(_settings(database.settings.database_url))
    try:
        with served(application) as url:
            yield Live(url, name, admin, slug, email, api)
    finally:
        application.state.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        get_settings.cache_clear()


def _cut_connections(live: Live) -> int:
    """Terminate the app's connections to its database, as a restart does. Returns how many."""
    with live.admin.connect() as conn:
        return len(
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :db AND usename = :role"
                ),
                {"db": live.db_name, "role": APP_ROLE},
            ).all()
        )


def _refuse_connections(live: Live, refuse: bool) -> None:
    with live.admin.connect() as conn:
        allow = "false" if refuse else "true"
        conn.execute(text(f'ALTER DATABASE "{live.db_name}" ALLOW_CONNECTIONS {allow}'))
    if refuse:
        _cut_connections(live)


def test_cut_database_connections_are_replaced_before_the_next_request(
    live_postgres: Live,
) -> None:
    live = live_postgres
    with httpx.Client(base_url=live.url, headers=live.api, timeout=30) as client:
        requests = f"/api/v1/{live.slug}/helpdesk/requests"
        assert client.get(requests).status_code == 200
        assert _cut_connections(live) >= 1
        answer = client.get(requests)
        assert answer.status_code == 200, answer.text[:300]
        assert answer.json()["items"] == []


def test_a_database_that_refuses_connections_is_a_clean_503_and_then_recovers(
    live_postgres: Live, caplog: pytest.LogCaptureFixture
) -> None:
    live = live_postgres
    requests = f"/api/v1/{live.slug}/helpdesk/requests"
    with (
        httpx.Client(base_url=live.url, headers=live.api, timeout=30) as api,
        httpx.Client(base_url=live.url, follow_redirects=False, timeout=30) as browser,
    ):
        browser.get("/logg-inn")
        signed_in = browser.post(
            "/logg-inn",
            data={
                "email": live.coordinator,
                "password": PASSWORD,
                "csrf_token": browser.cookies["samspill_csrf"],
            },
        )
        assert signed_in.status_code == 303
        assert api.get(requests).status_code == 200
        assert browser.get(f"/{live.slug}/hjelp").status_code == 200

        _refuse_connections(live, True)
        caplog.clear()
        with caplog.at_level(logging.INFO):
            answer = api.get(requests)
            assert answer.status_code == 503
            assert answer.json()["code"] == "unavailable"
            assert answer.headers["retry-after"].isdigit()
            assert answer.headers.get("connection", "").lower() != "close"
            for lang, wording in UNAVAILABLE.items():  # the language the person chose
                browser.cookies.set("samspill_lang", lang)
                page = browser.get(f"/{live.slug}/hjelp")
                assert page.status_code == 503
                assert wording in page.text
                assert page.headers["retry-after"].isdigit()
                assert page.headers.get("connection", "").lower() != "close"
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 3  # once per failed request, with the real error
        assert all(r.exc_info and r.exc_info[0] is not None for r in errors)
        assert "NoneType: None" not in caplog.text
        assert "not currently accepting connections" in caplog.text  # the real cause

        _refuse_connections(live, False)
        assert api.get(requests).status_code == 200
        assert browser.get(f"/{live.slug}/hjelp").status_code == 200


def test_not_ready_when_the_database_accepts_only_reads(live_postgres: Live) -> None:
    live = live_postgres
    with httpx.Client(base_url=live.url, timeout=30) as client:
        assert client.get("/readyz").status_code == 200
        with live.admin.connect() as conn:
            conn.execute(
                text(f'ALTER DATABASE "{live.db_name}" SET default_transaction_read_only = on')
            )
        _cut_connections(live)  # new connections take the setting
        answer = client.get("/readyz")
        assert answer.status_code == 503 and answer.json()["failed"] == ["database"]


class FewThreads:
    """The app with the worker threads of its event loop limited to ``n`` (a busy server's
    state: every thread taken), set on the server's own loop at the first request."""

    def __init__(self, application: Any, n: int) -> None:
        self.application, self.n, self.set = application, n, False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not self.set and scope["type"] == "http":
            import anyio.to_thread

            anyio.to_thread.current_default_thread_limiter().total_tokens = self.n
            self.set = True
        await self.application(scope, receive, send)


def test_more_requests_than_connections_and_threads_do_not_lock_the_server(
    sqlite_place: Place,
) -> None:
    """Twelve API calls at once against a pool of two connections and two worker threads:
    without the session slots (app.db.get_session), the first two calls would hold both
    connections waiting for a thread while both threads wait for a connection, until the
    pool's timeout. Every call is answered."""
    place = sqlite_place
    engine = make_engine(place.url, pool_size=2, max_overflow=0, pool_timeout=20)
    with Session(engine) as db:
        ws = db.get(Workspace, place.workspace_id)
        kari = db.scalar(select(User).where(User.email == place.coordinator))
        assert ws is not None and kari is not None
        headers = bearer(db, ws, kari)
        db.commit()
    application = FewThreads(create_app(_settings(place.url), engine=engine), n=2)
    answers: list[Any] = []

    def call(url: str) -> None:
        try:
            answers.append(httpx.get(f"{url}/api/v1/me", headers=headers, timeout=15).status_code)
        except httpx.HTTPError as exc:  # a call the locked server never answered
            answers.append(type(exc).__name__)

    with served(application) as url:
        callers = [threading.Thread(target=call, args=(url,)) for _ in range(12)]
        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join(timeout=30)
    engine.dispose()
    assert answers == [200] * 12
