"""No network call inside a database transaction: while the identity provider is slow to
answer the token request of a login callback, the login holds no lock, so another writer on
the same SQLite file goes ahead at once (before, the callback had already consumed the login
in flight and held the write lock while it waited).

A real server (uvicorn in a thread) on a SQLite file of its own, and a provider on loopback
whose token endpoint answers only when the test lets it. SQLite only: the lock it shows is
SQLite's database-wide write lock."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from servers import served

from app.accounts import oidc
from app.config import get_settings
from app.db import make_engine
from app.main import create_app
from app.migrate import migrate


class SlowProvider:
    """Discovery as a provider publishes it; the token endpoint waits until released."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.release = threading.Event()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, status: int, data: dict[str, Any]) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                base = provider.issuer
                self._json(
                    200,
                    {
                        "issuer": base,
                        "authorization_endpoint": f"{base}/authorize",
                        "token_endpoint": f"{base}/token",
                        "jwks_uri": f"{base}/jwks",
                    },
                )

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                provider.asked.set()
                provider.release.wait(20)
                self._json(400, {"error": "invalid_grant"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider() -> Iterator[SlowProvider]:
    slow = SlowProvider()
    yield slow
    slow.close()


@pytest.fixture
def live(tmp_path: Path, provider: SlowProvider, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    path = tmp_path / "oidc.db"
    url = f"sqlite:///{path}"
    migrate(url)
    monkeypatch.setenv("SAMSPILL_DATABASE_URL", url)
    monkeypatch.setenv("SAMSPILL_ENVIRONMENT", "test")
    monkeypatch.setenv("SAMSPILL_MAIL_WORKER_IN_PROCESS", "false")
    monkeypatch.setenv("SAMSPILL_OIDC_ISSUER", provider.issuer)
    monkeypatch.setenv("SAMSPILL_OIDC_CLIENT_ID", "samspill-test")
    get_settings.cache_clear()
    oidc._metadata_cache.clear()
    engine = make_engine(url)
    application = create_app(get_settings(), engine=engine)
    try:
        with served(application, name="oidc-server") as base:
            try:
                yield path, base
            finally:
                provider.release.set()  # before the server stops: no request left hanging
    finally:
        engine.dispose()
        oidc._metadata_cache.clear()
        get_settings.cache_clear()


def test_a_slow_provider_does_not_hold_the_write_lock(live: Any, provider: SlowProvider) -> None:
    path, base = live
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get("/logg-inn")
        started = client.post("/oidc/start", data={"csrf_token": client.cookies["samspill_csrf"]})
        assert started.status_code == 303, started.text[:300]
        state = client.cookies.get(oidc.STATE_COOKIE)
        assert state and started.headers["location"].startswith(f"{provider.issuer}/authorize")

        answers: list[httpx.Response] = []
        callback = threading.Thread(
            target=lambda: answers.append(
                client.get("/oidc/callback", params={"state": state, "code": "kode"})
            )
        )
        callback.start()
        try:
            assert provider.asked.wait(15), "the callback did not ask the provider"
            # Another writer, while the provider keeps the callback waiting.
            other = sqlite3.connect(path, timeout=1.0, isolation_level=None)
            began = time.monotonic()
            other.execute("BEGIN IMMEDIATE")  # "database is locked" after 1 s if held
            other.execute("ROLLBACK")
            other.close()
            assert time.monotonic() - began < 1.0
        finally:
            provider.release.set()
            callback.join(30)

    assert answers and answers[0].status_code == 400
    assert "Innloggingen kunne ikke bekreftes" in answers[0].text
    # The login in flight served once: it is gone.
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM oidc_login").fetchone() == (0,)
