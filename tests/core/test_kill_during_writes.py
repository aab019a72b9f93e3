"""The server killed with SIGKILL while writes are in flight: after a restart every write that
was acknowledged (2xx/303) is stored exactly once, and nothing is stored by halves — no help
request without its "filed" history entry, no consultation comment twice, no contacts import
with only some of its rows.

A real ``samspill serve`` process on a database of this test's own (a SQLite file, and a fresh
PostgreSQL database served as the ordinary role), driven by threads of plain HTTP clients:
help requests and comments through the API, contacts imports (CSV) through the page form."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import app.models  # noqa: F401
from app.db import make_engine
from app.migrate import migrate
from conftest import PG_OWNER_URL, REQUIRE_PG, _free_port, _postgres_database
from factories import (
    PASSWORD,
    bearer,
    create_comment,
    create_document,
    create_member,
    create_round,
    create_workspace,
    in_workspace,
    organisation,
)

IMPORT_ROWS = 25  # contacts in each imported file
CLIENTS = 6  # concurrent writer threads
KILL_AFTER = 12  # acknowledged writes before the kill


@dataclass
class Place:
    app_url: str  # what the server connects with
    owner: Engine  # for looking, beside the server
    slug: str
    round_id: int
    section_key: str
    coordinator: str
    api: dict[str, str]  # the coordinator's API token
    partner_api: dict[str, str]


@dataclass
class Acknowledged:
    requests: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        return len(self.requests) + len(self.comments) + len(self.imports)


def _populate(engine: Engine) -> tuple[str, int, str, str, dict[str, str], dict[str, str]]:
    with Session(engine) as db:
        ws = create_workspace(db, county="50", name="Trøndelag kill")
        kari = create_member(db, ws, "coordinator", name="Kari Østby")
        per = create_member(db, ws, "partner", name="Per Ås")  # KS
        doc = create_document(
            db, ws, kari, title="Strategi", sections=[("Mål", "Alle kommunene.")], publish=True
        )
        hearing = create_round(db, ws, kari, doc, title="Høring")
        from app.strategies.consultation import invitees
        from app.strategies.consultation.schemas import InviteeCreate

        with in_workspace(db, ws):
            ks = organisation(db, "KS")
            invitees.add_invitee(
                db, ws, hearing.id, InviteeCreate(kind="organisation", organisation_id=ks.id)
            )
        first = create_comment(db, ws, hearing, per, body="Første innspill.")
        api, partner_api = bearer(db, ws, kari), bearer(db, ws, per, name="ks")
        with in_workspace(db, ws):  # row-level security: the round is read in its workspace
            found = (ws.slug, hearing.id, first.section_key, kari.email, api, partner_api)
        db.commit()
        return found


@pytest.fixture(params=["sqlite", "postgresql"])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Place]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'kill.db'}"
        migrate(url)
        engine = make_engine(url)
        try:
            yield Place(url, engine, *_populate(engine))
        finally:
            engine.dispose()
        return
    if not PG_OWNER_URL:
        if REQUIRE_PG:
            pytest.fail("PostgreSQL is required here but did not answer")
        pytest.skip("PostgreSQL not available")
    database, name, admin = _postgres_database()
    owner = create_engine(make_url(PG_OWNER_URL).set(database=name))
    try:
        populated = _populate(database.engine)
        database.engine.dispose()
        yield Place(database.settings.database_url, owner, *populated)
    finally:
        owner.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def server(place: Place, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMSPILL_")}
    env.update(
        SAMSPILL_DATABASE_URL=place.app_url,
        SAMSPILL_ENVIRONMENT="development",
        SAMSPILL_RATE_LIMITS_ENABLED="false",
        SAMSPILL_STORAGE_DIR=str(tmp_path / "storage"),
        SAMSPILL_MAIL_TO_MAILBOX="true",
        SAMSPILL_MAIL_WORKER_IN_PROCESS="false",
    )
    command = [str(Path(sys.executable).parent / "samspill"), "serve", "--workers", "1"]
    log = (tmp_path / f"server-{port}.log").open("wb")
    proc = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def _csv(tag: str) -> bytes:
    lines = ["navn;kommunenummer;tittel;e-post;telefon;ansvarsområder"]
    lines += [f"{tag} {n:03d};5001;Rådgiver;;;" for n in range(IMPORT_ROWS)]
    return ("\n".join(lines) + "\n").encode()


def _writer(n: int, base: str, place: Place, acked: Acknowledged, stop: threading.Event) -> None:
    try:
        _write(n, base, place, acked, stop)
    except httpx.HTTPError:
        return  # the server is gone


def _write(n: int, base: str, place: Place, acked: Acknowledged, stop: threading.Event) -> None:
    run = uuid.uuid4().hex[:6]
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get("/logg-inn")
        client.post(
            "/logg-inn",
            data={
                "email": place.coordinator,
                "password": PASSWORD,
                "csrf_token": client.cookies["samspill_csrf"],
            },
        )
        client.get(f"/{place.slug}/import")  # the login rotated the CSRF cookie
        seq = 0
        while not stop.is_set():
            seq += 1
            tag = f"kill-{run}-{n}-{seq}"
            kind = seq % 3
            if kind == 0:
                answer = client.post(
                    f"/api/v1/{place.slug}/helpdesk/requests",
                    json={
                        "category": "funding",
                        "title": tag,
                        "description": f"Vi trenger hjelp ({tag}).",
                        "municipality_number": "5001",
                    },
                    headers=place.api,
                )
                done, bucket = answer.status_code == 201, acked.requests
            elif kind == 1:
                answer = client.post(
                    f"/api/v1/{place.slug}/strategies/rounds/{place.round_id}/comments",
                    json={"section_key": place.section_key, "body": tag},
                    headers=place.partner_api,
                )
                done, bucket = answer.status_code == 201, acked.comments
            else:
                answer = client.post(
                    f"/{place.slug}/import",
                    data={"dataset": "kontakter", "csrf_token": client.cookies["samspill_csrf"]},
                    files={"file": (f"{tag}.csv", _csv(tag), "text/csv")},
                )
                done = answer.status_code == 303 and answer.headers["location"].endswith(
                    f"/{place.slug}/import"
                )
                bucket = acked.imports
            assert done or answer.status_code >= 500, (answer.status_code, answer.text[:300])
            if done:
                with acked.lock:
                    bucket.append(tag)


def test_acknowledged_writes_survive_a_kill_and_nothing_is_half_written(
    place: Place, tmp_path: Path
) -> None:
    acked = Acknowledged()
    stop = threading.Event()
    with server(place, tmp_path) as (proc, base), ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(_writer, n, base, place, acked, stop) for n in range(CLIENTS)]
        deadline = time.monotonic() + 40
        # At least KILL_AFTER writes, and one of each kind (each writer begins with a comment,
        # then an import, then a request, so the first dozen may all be of two kinds).
        while time.monotonic() < deadline and not (
            acked.count() >= KILL_AFTER and acked.requests and acked.comments and acked.imports
        ):
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # mid-way: the other writers are in flight
        proc.wait()
        stop.set()
        for future in futures:
            future.result()
    assert acked.count() >= KILL_AFTER
    assert acked.requests and acked.comments and acked.imports

    # Restarted, it serves and writes again.
    with server(place, tmp_path) as (_proc, base):
        answer = httpx.post(
            f"{base}/api/v1/{place.slug}/helpdesk/requests",
            json={
                "category": "funding",
                "title": "Etter omstart",
                "description": "Fungerer det?",
                "municipality_number": "5001",
            },
            headers=place.api,
            timeout=30,
        )
        assert answer.status_code == 201, answer.text[:300]

    with place.owner.connect() as conn:
        titles = dict(
            conn.execute(
                text(
                    "SELECT title, count(*) FROM help_request WHERE title LIKE 'kill-%' "
                    "GROUP BY title"
                )
            ).all()
        )
        bodies = dict(
            conn.execute(
                text(
                    "SELECT body, count(*) FROM consultation_comment WHERE body LIKE 'kill-%' "
                    "GROUP BY body"
                )
            ).all()
        )
        # Every stored request has its history begun (the "filed" event written with it).
        unfiled = conn.execute(
            text(
                "SELECT count(*) FROM help_request r WHERE NOT EXISTS (SELECT 1 FROM "
                "request_event e WHERE e.request_id = r.id AND e.kind = 'filed')"
            )
        ).scalar()
        people = conn.execute(text("SELECT name FROM person WHERE name LIKE 'kill-%'")).scalars()
        imported: dict[str, int] = {}
        for name in people:
            tag = name.rsplit(" ", 1)[0]
            imported[tag] = imported.get(tag, 0) + 1

    assert all(titles.get(t) == 1 for t in acked.requests), "an acknowledged request is missing"
    assert all(n == 1 for n in titles.values()), "a request is stored twice"
    assert all(bodies.get(b) == 1 for b in acked.comments), "an acknowledged comment is missing"
    assert all(n == 1 for n in bodies.values()), "a comment is stored twice"
    assert unfiled == 0, "a help request is stored without its history"
    lost = [t for t in acked.imports if imported.get(t) != IMPORT_ROWS]
    assert not lost, f"an acknowledged import is missing: {lost}, stored: {imported}"
    assert all(n == IMPORT_ROWS for n in imported.values()), f"a half import: {imported}"
