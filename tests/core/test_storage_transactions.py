"""No network call inside a database transaction: a file goes to the storage (a bucket, across
the network) with no transaction open, and a download reads it after the transaction ended.

While the bucket stalls on an upload's PUT or a download's GET, another connection gets SQLite's
write lock at once, and PostgreSQL shows no connection of the app idle in transaction. The bucket
is moto's S3 server on loopback (tests/core/test_storage.py) behind a small TCP proxy of ours
that holds one request until the test lets it go; the app is served by a real uvicorn on a
database of its own. A refused upload (a form error, a reply the person may not write, a
transaction rolled back) leaves nothing in the folder or the bucket."""

from __future__ import annotations

import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from servers import served
from sqlalchemy import event, func, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import app.models  # noqa: F401
from app.config import Settings, get_settings
from app.db import make_engine
from app.helpdesk import attachments
from app.helpdesk.models import RequestAttachment
from app.main import create_app
from app.migrate import migrate
from app.storage import get_storage
from app.tenancy import scoped, set_db_scope
from conftest import APP_ROLE, PG_OWNER_URL, REQUIRE_PG, _postgres_database
from factories import (
    bearer,
    create_help_request,
    create_member,
    create_workspace,
    csrf,
    in_workspace,
    login,
    post,
)
from tests.core.test_storage import S3Server, s3_server  # noqa: F401 (a fixture)

PDF = b"%PDF-1.4\n% vedtak i Osen\n%%EOF\n"


# --- a TCP proxy on loopback that holds one request --------------------------------------------


class StallingProxy:
    """Forwards TCP between the app and the S3 server. After ``stall("PUT")`` the next request
    of that method is held (``stalled`` is set) until ``release`` is set."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.stalled = threading.Event()
        self.release = threading.Event()
        self._method: bytes | None = None
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stall(self, method: str) -> None:
        self.stalled.clear()
        self.release.clear()
        self._method = f"{method} ".encode()

    def close(self) -> None:
        self.release.set()
        self.server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _held(self, data: bytes) -> bool:
        with self._lock:
            if self._method is not None and data.startswith(self._method):
                self._method = None
                return True
        return False

    def _pump(self, source: socket.socket, target: socket.socket, up: bool) -> None:
        try:
            while data := source.recv(65536):
                if up and self._held(data):
                    self.stalled.set()
                    self.release.wait(30)
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def proxy(s3_server: S3Server) -> Iterator[StallingProxy]:  # noqa: F811 (the fixture)
    port = int(s3_server.endpoint.rsplit(":", 1)[1])
    stalling = StallingProxy(port)
    yield stalling
    stalling.close()


# --- the app served from a database of its own -------------------------------------------------


@dataclass
class Live:
    backend: str
    url: str
    bucket: str
    slug: str
    number: int
    requester: str  # e-mail; the factories' default password
    api: dict[str, str]
    sqlite_path: Path | None = None
    pg_name: str | None = None
    admin: Any = None  # PostgreSQL: an owner engine on the server's maintenance database


def _seed(engine: Any) -> tuple[str, int, str, dict[str, str]]:
    with Session(engine, expire_on_commit=False) as db:
        ws = create_workspace(db, county="50", name="Trøndelag lagring")
        osen = create_member(db, ws, "municipal")
        number = create_help_request(db, ws, osen).number
        api = bearer(db, ws, osen)
        db.commit()
        return ws.slug, number, osen.email, api


@pytest.fixture(params=["sqlite", "postgresql"])
def live(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    s3_server: S3Server,  # noqa: F811 (the fixture)
    proxy: StallingProxy,
) -> Iterator[Live]:
    bucket = s3_server.bucket()
    s3_server.env(monkeypatch, bucket)
    monkeypatch.setenv("SAMSPILL_S3_ENDPOINT_URL", proxy.endpoint)  # through the proxy
    get_settings.cache_clear()
    if request.param == "sqlite":
        path = tmp_path / "storage-tx.db"
        url = f"sqlite:///{path}"
        migrate(url)
        engine = make_engine(url)
        slug, number, email, api = _seed(engine)
        engine.dispose()
        settings = Settings(database_url=url, environment="test", _env_file=None)  # type: ignore[call-arg]
        application = create_app(settings, engine=make_engine(url))
        try:
            with served(application) as base:
                yield Live("sqlite", base, bucket, slug, number, email, api, sqlite_path=path)
        finally:
            application.state.engine.dispose()
            get_settings.cache_clear()
        return
    if not PG_OWNER_URL:
        if REQUIRE_PG:
            pytest.fail("PostgreSQL is required here but did not answer")
        pytest.skip("PostgreSQL not available")
    database, name, admin = _postgres_database()
    slug, number, email, api = _seed(database.engine)
    database.engine.dispose()
    settings = Settings(  # type: ignore[call-arg]
        database_url=database.settings.database_url, environment="test", _env_file=None
    )
    application = create_app(settings)
    try:
        with served(application) as base:
            yield Live("postgresql", base, bucket, slug, number, email, api, None, name, admin)
    finally:
        application.state.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        get_settings.cache_clear()


def _database_is_free(live: Live) -> None:
    """SQLite: another connection gets the write lock within 1 s. PostgreSQL: no connection of
    the app is idle in a transaction."""
    if live.sqlite_path is not None:
        other = sqlite3.connect(live.sqlite_path, timeout=1.0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # "database is locked" after 1 s otherwise
            other.execute("ROLLBACK")
        finally:
            other.close()
        return
    with live.admin.connect() as conn:
        waiting = conn.execute(
            text(
                "SELECT state, query FROM pg_stat_activity "
                "WHERE datname = :db AND usename = :role AND state LIKE 'idle in transaction%'"
            ),
            {"db": live.pg_name, "role": APP_ROLE},
        ).all()
    assert waiting == []


def _while_stalled(
    proxy: StallingProxy, method: str, call: Any
) -> tuple[threading.Thread, list[Any]]:
    """Run ``call`` in a thread and wait until the bucket holds its ``method`` request; then the
    caller checks the database, and ``_finish`` lets the request go."""
    answers: list[Any] = []
    proxy.stall(method)
    thread = threading.Thread(target=lambda: answers.append(call()), daemon=True)
    thread.start()
    assert proxy.stalled.wait(20), f"no {method} reached the bucket"
    return thread, answers


def _finish(proxy: StallingProxy, thread: threading.Thread, answers: list[Any]) -> Any:
    proxy.release.set()
    thread.join(timeout=60)
    assert answers, "the request did not finish"
    return answers[0]


@pytest.mark.parametrize("route", ["api", "page"])
def test_a_stalled_upload_holds_no_lock_and_no_connection(
    live: Live,
    proxy: StallingProxy,
    s3_server: S3Server,  # noqa: F811 (the fixture)
    route: str,
) -> None:
    with httpx.Client(base_url=live.url, timeout=60, follow_redirects=False) as client:
        if route == "api":
            url = f"/api/v1/{live.slug}/helpdesk/requests/{live.number}/attachments"
            kwargs: dict[str, Any] = {
                "files": [("files", ("Vedtak.pdf", PDF, "application/pdf"))],
                "headers": live.api,
            }
            expected = 201
        else:
            login(client, live.requester)  # type: ignore[arg-type]
            url = f"/{live.slug}/hjelp/{live.number}/svar"
            kwargs = {
                "data": {"body": "Vedtaket ligger ved.", "csrf_token": csrf(client)},  # type: ignore[arg-type]
                "files": [("attachments", ("Vedtak.pdf", PDF, "application/pdf"))],
            }
            expected = 303
        thread, answers = _while_stalled(proxy, "PUT", lambda: client.post(url, **kwargs))
        try:
            _database_is_free(live)
        finally:
            answer = _finish(proxy, thread, answers)
        assert answer.status_code == expected, answer.text[:300]
        # The file arrived, and its row names it: the download reads it back, while a stalled
        # GET holds nothing either.
        if route == "api":
            file_url = answer.json()[0]["url"]
            get = lambda: client.get(file_url, headers=live.api)  # noqa: E731
        else:
            listed = client.get(
                f"/api/v1/{live.slug}/helpdesk/requests/{live.number}/attachments",
                headers=live.api,
            ).json()["items"]
            (item,) = listed
            get = lambda: client.get(  # noqa: E731
                f"/{live.slug}/hjelp/{live.number}/vedlegg/{item['id']}"
            )
        thread, answers = _while_stalled(proxy, "GET", get)
        try:
            _database_is_free(live)
        finally:
            download = _finish(proxy, thread, answers)
        assert download.status_code == 200 and download.content == PDF
    assert list(s3_server.objects(live.bucket).values()) == [PDF]


# --- refused uploads leave nothing -------------------------------------------------------------


@pytest.fixture(params=["local", "s3"])
def bucket_or_folder(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, storage_dir: Path
) -> str:
    if request.param == "s3":
        server: S3Server = request.getfixturevalue("s3_server")
        server.env(monkeypatch, server.bucket())
    return str(request.param)


def _kept() -> list[str]:
    return list(get_storage().list_keys())


def _rows(db: Session, ws: Any) -> int:
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    n = db.scalar(scoped(RequestAttachment, ws.id).with_only_columns(func.count()))
    set_db_scope(db, workspace_id=None, user_id=None)
    return int(n or 0)


def test_refused_uploads_leave_nothing_in_the_storage(client, db, ws, bucket_or_folder):
    osen = create_member(db, ws, "municipal")
    viewer = create_member(db, ws, "viewer")
    number = create_help_request(db, ws, osen).number
    files = [("attachments", ("Vedtak.pdf", PDF, "application/pdf"))]
    login(client, osen)

    # A form error: the new request without a title, and a reply without a text.
    r = post(client, f"/{ws.slug}/hjelp", {"category": "funding", "title": ""}, files=files)
    assert r.status_code == 422 and "Vedtak.pdf" in r.text
    r = post(client, f"/{ws.slug}/hjelp/{number}/svar", {"body": ""}, files=files)
    assert r.status_code == 422
    assert _kept() == [] and _rows(db, ws) == 0

    # A reply and an upload by someone who may read the request but not write to it.
    client.cookies.clear()
    login(client, viewer)
    r = post(client, f"/{ws.slug}/hjelp/{number}/svar", {"body": "Hei"}, files=files)
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/{ws.slug}/helpdesk/requests/{number}/attachments",
        files=[("files", ("Vedtak.pdf", PDF, "application/pdf"))],
        headers=bearer(db, ws, viewer),
    )
    assert r.status_code == 403
    assert _kept() == [] and _rows(db, ws) == 0

    # The same reply by the requester is kept, with its file.
    client.cookies.clear()
    login(client, osen)
    r = post(client, f"/{ws.slug}/hjelp/{number}/svar", {"body": "Vedtaket."}, files=files)
    assert r.status_code == 303, r.text[:300]
    assert len(_kept()) == 1 and _rows(db, ws) == 1


def test_kept_files_live_and_die_with_the_transaction_that_names_them(db, ws, bucket_or_folder):
    osen = create_member(db, ws, "municipal")
    req = create_help_request(db, ws, osen)
    one = [attachments.Upload("Vedtak.pdf", "pdf", PDF)]

    # Kept, then the transaction rolls back: the file goes too.
    kept = attachments.keep(db, one)
    assert _kept() == [attachments.storage_key(kept[0].storage_key)]
    with in_workspace(db, ws):
        attachments.store(db, ws, req, kept, user_id=osen.id)
        db.rollback()
    assert _kept() == []

    # Kept, its row added in a savepoint that is refused, and the rest committed: the file goes.
    kept = attachments.keep(db, one)
    with in_workspace(db, ws):
        try:
            with db.begin_nested():
                attachments.store(db, ws, req, kept, user_id=osen.id)
                raise ValueError("refused")
        except ValueError:
            pass
    assert _kept() == [] and _rows(db, ws) == 0

    # Kept and committed with its row: the file stays.
    kept = attachments.keep(db, one)
    with in_workspace(db, ws):
        (row,) = attachments.store(db, ws, req, kept, user_id=osen.id)
    assert _kept() == [attachments.storage_key(row.storage_key)] and _rows(db, ws) == 1
    assert get_storage().get(attachments.storage_key(row.storage_key)) == PDF

    # Nothing kept inside a savepoint: it could not end the transaction.
    with db.begin_nested(), pytest.raises(RuntimeError, match="savepoint"):
        attachments.keep(db, one)
    assert _kept() == [attachments.storage_key(row.storage_key)]


def test_a_commit_that_fails_keeps_the_files_its_rows_may_name(db, ws, storage_dir):
    """A COMMIT that fails (a connection lost on its way) may still have taken effect, so the
    files its rows name stay (at worst unused, never a row without its file); a file no row
    was written for goes."""
    osen = create_member(db, ws, "municipal")
    req = create_help_request(db, ws, osen)
    two = [attachments.Upload("Vedtak.pdf", "pdf", PDF), attachments.Upload("Mer.pdf", "pdf", PDF)]
    named, loose = attachments.keep(db, two)

    def lost(_session: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    with in_workspace(db, ws):
        attachments.store(db, ws, req, [named], user_id=osen.id)
        db.flush()
        event.listen(db, "before_commit", lost)
        try:
            with pytest.raises(OperationalError):
                db.commit()
        finally:
            event.remove(db, "before_commit", lost)
        db.rollback()
    assert _kept() == [attachments.storage_key(named.storage_key)]
    assert attachments.storage_key(loose.storage_key) not in _kept()
