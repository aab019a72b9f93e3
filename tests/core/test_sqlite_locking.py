"""SQLite under concurrent use: a request that only reads takes no write lock, a slow export
holds none, and a database that stays busy past its timeout answers 503 with Retry-After,
never 500.

A real server (uvicorn in a thread, requests served from its thread pool) on a migrated SQLite
file of this module's own. The write lock is held from outside by a plain sqlite3 connection,
as another process (a command, a second worker) holds it. SQLite only: PostgreSQL has no
database-wide write lock, so these tests use no `database` fixture and run once."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from servers import served
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

import app.models  # noqa: F401
from app.accounts.models import UserSession
from app.clock import utcnow
from app.db import make_sessionmaker, session_for
from app.strategies import measures
from app.strategies.consultation import invitees
from app.strategies.consultation.schemas import InviteeCreate
from app.strategies.models import StrategyDocument
from app.strategies.schemas import MeasureForm
from app.tenancy import scoped
from factories import (
    bearer,
    create_comment,
    create_document,
    create_member,
    create_round,
    create_workspace,
    csrf,
    in_workspace,
    login,
    organisation,
    post,
)

BUSY = "Databasen er opptatt akkurat nå. Prøv igjen om litt."
BUSY_TIMEOUT = 5.0  # PRAGMA busy_timeout in app.db
COMMENTS = 30
# One comment in Arabic: the summary PDF is then laid out by WeasyPrint (the direct writer does
# not shape joined scripts), which takes seconds for these comments. The direct writer makes
# it in tens of milliseconds, too fast for the test of what others can do meanwhile.
SLOW_PDF_GREETING = "شكرا جزيلا"
LONG_TEXT = "Kommunene trenger bedre samordning av søknader, rapportering og oppfølging. " * 12


@dataclass
class World:
    url: str
    path: Path
    engine: Engine  # for looking and setting things up beside the server
    slug: str
    workspace_id: int
    doc_id: int
    round_id: int
    coordinator: str  # e-mail addresses; every user's password is the factories' default
    colleague: str
    partner: str
    colleague_api: dict[str, str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from app.config import get_settings
    from app.db import make_engine
    from app.main import create_app
    from app.migrate import migrate

    tmp = tmp_path_factory.mktemp("locking")
    path = tmp / "samspill-locking.db"
    url = f"sqlite:///{path}"
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as db:
        ws = create_workspace(db, county="50", name="Trøndelag låsing")
        kari = create_member(db, ws, "coordinator", name="Kari Østby")
        ola = create_member(db, ws, "coordinator", name="Ola Sæther")
        per = create_member(db, ws, "partner", name="Per Ås")  # KS
        doc = create_document(
            db,
            ws,
            kari,
            title="Regional innovasjonsstrategi",
            sections=[(f"Del {n}", LONG_TEXT) for n in range(1, 6)],
            publish=True,
        )
        hearing = create_round(db, ws, kari, doc, title="Høring om strategien")
        with in_workspace(db, ws):
            ks = organisation(db, "KS")
            invitees.add_invitee(
                db, ws, hearing.id, InviteeCreate(kind="organisation", organisation_id=ks.id)
            )
            measures.add(db, ws, doc.id, MeasureForm(title="Felles søknader", owner="KS"))
        for n in range(COMMENTS):
            create_comment(db, ws, hearing, per, body=f"Innspill {n + 1}. {LONG_TEXT}")
        create_comment(db, ws, hearing, per, body=f"Hilsen. {SLOW_PDF_GREETING}")
        api = bearer(db, ws, ola)
        db.commit()
        found = World(
            url="",
            path=path,
            engine=engine,
            slug=ws.slug,
            workspace_id=ws.id,
            doc_id=doc.id,
            round_id=hearing.id,
            coordinator=kari.email,
            colleague=ola.email,
            partner=per.email,
            colleague_api=api,
        )

    env = pytest.MonkeyPatch()
    env.setenv("SAMSPILL_DATABASE_URL", url)
    env.setenv("SAMSPILL_ENVIRONMENT", "test")
    env.setenv("SAMSPILL_STORAGE_DIR", str(tmp / "storage"))
    env.setenv("SAMSPILL_MAIL_WORKER_IN_PROCESS", "false")
    get_settings.cache_clear()
    server_engine = make_engine(url)
    application = create_app(get_settings(), engine=server_engine)
    try:
        with served(application, name="locking-server", log_level="warning") as base:
            found.url = base
            yield found
    finally:
        server_engine.dispose()
        engine.dispose()
        env.undo()
        get_settings.cache_clear()


@contextmanager
def signed_in(world: World, email: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=world.url, follow_redirects=False, timeout=60) as client:
        login(client, email)  # type: ignore[arg-type]
        yield client


@contextmanager
def write_lock(world: World) -> Iterator[None]:
    """Another connection holds the write lock until the block ends."""
    conn = sqlite3.connect(world.path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def due_for_touch(world: World, email: str) -> Any:
    """Make the user's sessions last seen two minutes ago, so that their next request writes
    ("last seen" is kept at most once a minute). Returns the time set."""
    from app.accounts.models import User

    seen = utcnow() - timedelta(minutes=2)
    with Session(world.engine) as db, db.begin():
        user_id = db.scalar(select(User.id).where(User.email == email))
        db.execute(
            update(UserSession).where(UserSession.user_id == user_id).values(last_seen_at=seen)
        )
    return seen


def last_seen(world: World, email: str) -> Any:
    """When the user was last seen, read as a page reads: without waiting for the write lock."""
    from app.accounts.models import User

    with session_for(make_sessionmaker(world.engine), "GET") as db:
        return db.scalar(
            select(func.max(UserSession.last_seen_at))
            .join(User, User.id == UserSession.user_id)
            .where(User.email == email)
        )


def documents_titled(world: World, title: str) -> int:
    with Session(world.engine) as db:
        query = scoped(StrategyDocument, world.workspace_id).where(StrategyDocument.title == title)
        return len(db.scalars(query).all())


def timed(call: Any, *args: Any, **kwargs: Any) -> tuple[httpx.Response, float, float]:
    """The response, how long it took and when (monotonic) it came."""
    start = time.monotonic()
    response = call(*args, **kwargs)
    end = time.monotonic()
    return response, end - start, end


def test_pages_and_exports_answer_while_another_connection_writes(world: World) -> None:
    base = f"/{world.slug}"
    with signed_in(world, world.coordinator) as kari, signed_in(world, world.colleague) as ola:
        # the token's first use is recorded (a write) before the lock is taken
        documents = f"/api/v1{base}/strategies/documents"
        assert ola.get(documents, headers=world.colleague_api).is_success
        # so is the workspace a person opens first (their start after login), once per switch
        assert kari.get(base).is_success
        with write_lock(world):
            pages = {
                path: kari.get(path)
                for path in (
                    base,
                    f"{base}/strategier",
                    f"{base}/strategier/{world.doc_id}",
                    f"{base}/hoeringer/{world.round_id}",
                    f"{base}/hoeringer/{world.round_id}/oppsummering",
                    f"{base}/hoeringer/{world.round_id}/oppsummering.docx",
                    f"{base}/strategier/{world.doc_id}/tiltak.xlsx",
                )
            }
            api = ola.get(documents, headers=world.colleague_api)
    for path, response in pages.items():
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
    assert "Høring om strategien" in pages[f"{base}/hoeringer/{world.round_id}"].text
    assert "Innspill 30." in pages[f"{base}/hoeringer/{world.round_id}/oppsummering"].text
    assert pages[f"{base}/hoeringer/{world.round_id}/oppsummering.docx"].content[:2] == b"PK"
    assert pages[f"{base}/strategier/{world.doc_id}/tiltak.xlsx"].content[:2] == b"PK"
    assert api.status_code == 200, api.text
    assert [d["title"] for d in api.json()["items"]] == ["Regional innovasjonsstrategi"]


def test_a_change_while_the_database_stays_busy_answers_503_and_saves_nothing(
    world: World,
) -> None:
    base = f"/{world.slug}"
    page_title = "Strategi skrevet mens basen var opptatt"
    api_title = "Strategi sendt over API mens basen var opptatt"
    with (
        signed_in(world, world.coordinator) as kari,
        signed_in(world, world.colleague) as ola,
        signed_in(world, world.partner) as per,
    ):
        csrf(kari)  # fetched before the lock
        # Per's next page view is due to write "last seen": bookkeeping it skips while the
        # database is busy (a short transaction of its own), so the page still answers
        assert per.get(f"{base}/strategier").is_success  # the workspace he opens, recorded
        seen_before = due_for_touch(world, world.partner)
        with write_lock(world), ThreadPoolExecutor(3) as pool:
            form = pool.submit(
                timed,
                post,
                kari,
                f"{base}/strategier/ny",
                {"title": page_title, "kind": "innovation_strategy"},
            )
            api = pool.submit(
                timed,
                ola.post,
                f"/api/v1{base}/strategies/documents",
                json={"title": api_title, "kind": "innovation_strategy"},
                headers=world.colleague_api,
            )
            reading = pool.submit(timed, per.get, f"{base}/strategier")
            (page, page_took, _), (answer, api_took, _), (view, _view_took, _) = (
                form.result(),
                api.result(),
                reading.result(),
            )

        # a form: the error page, in Norwegian, with when to try again
        assert page.status_code == 503, page.text[:500]
        assert page.headers["retry-after"] == "5"
        assert BUSY in page.text
        # the API: JSON with a stable code
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "5"
        assert answer.json() == {"code": "database_busy", "message": BUSY}
        # a page view only reads: it answers, and its "last seen" waits for the next view
        assert view.status_code == 200, view.text[:500]
        assert last_seen(world, world.partner) == seen_before
        # each change waited for the lock (busy_timeout) before giving up
        assert min(page_took, api_took) >= BUSY_TIMEOUT - 1
        # nothing of the refused changes was saved
        assert documents_titled(world, page_title) == 0
        assert documents_titled(world, api_title) == 0

        # once the lock is free, the same form goes through, once
        again = post(
            kari, f"{base}/strategier/ny", {"title": page_title, "kind": "innovation_strategy"}
        )
        assert again.status_code == 303, again.text[:500]
        assert documents_titled(world, page_title) == 1
        assert per.get(f"{base}/strategier").status_code == 200
        assert last_seen(world, world.partner) > seen_before  # written, now the lock is free


def test_a_change_due_for_last_seen_writes_it_in_its_own_transaction(world: World) -> None:
    """A request that changes something holds the write lock from its start: its "last seen"
    goes into its own transaction. Written aside on another connection it would wait for the
    lock the request itself holds, keep every other writer waiting meanwhile, and be skipped."""
    base = f"/{world.slug}"
    title = "Strategi fra en som var borte en stund"
    with signed_in(world, world.colleague) as ola:
        csrf(ola)
        seen_before = due_for_touch(world, world.colleague)
        page = post(ola, f"{base}/strategier/ny", {"title": title, "kind": "innovation_strategy"})
        assert page.status_code == 303, page.text[:500]
        assert documents_titled(world, title) == 1
        assert last_seen(world, world.colleague) > seen_before


def test_others_can_save_while_a_long_consultation_renders_as_pdf(world: World) -> None:
    base = f"/{world.slug}"
    pdf_path = f"{base}/hoeringer/{world.round_id}/oppsummering.pdf"
    title = "Strategi lagret mens PDF-en ble laget"
    with signed_in(world, world.coordinator) as kari, signed_in(world, world.colleague) as ola:
        csrf(ola)  # fetched beforehand
        # Kari's export also writes "last seen" (in a moment of its own). That it is saved
        # while the PDF is still being made shows her request is done with the database.
        seen_before = due_for_touch(world, world.coordinator)
        with ThreadPoolExecutor(1) as pool:
            export = pool.submit(timed, kari.get, pdf_path)
            while last_seen(world, world.coordinator) == seen_before and not export.done():
                time.sleep(0.01)
            assert not export.done(), "Kari's transaction stayed open until the PDF was made"
            saved, _, saved_at = timed(
                post, ola, f"{base}/strategier/ny", {"title": title, "kind": "innovation_strategy"}
            )
            pdf, _, pdf_at = export.result()

    assert saved.status_code == 303, saved.text[:500]
    assert documents_titled(world, title) == 1
    assert saved_at < pdf_at, "Ola's change waited for Kari's PDF"
    assert pdf.status_code == 200, pdf.text[:500]
    assert pdf.content[:5] == b"%PDF-"
    assert pdf.headers["content-disposition"].endswith(f'-{world.round_id}.pdf"')
    assert last_seen(world, world.coordinator) > seen_before
