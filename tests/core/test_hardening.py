"""Hardening of the request layer (issue 14): the body limit holds for a chunked body on a real
server, a NUL character is refused with 422 wherever text comes in, JSON answers and calendar
downloads are not stored by caches, and the cookies are Secure in production."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func

from app.config import get_settings
from app.db import get_session
from app.helpdesk.models import HelpRequest, RequestAttachment
from app.main import create_app
from app.security import RequestContextMiddleware
from app.tenancy import scoped, set_db_scope
from factories import bearer, create_member, csrf, login, post

MB = 1024 * 1024
LIMIT = MB  # SAMSPILL_MAX_REQUEST_BYTES for the real-server tests
CHUNKS = 60  # a 60 MB body, in 1 MB chunks
NUL_TEXT = "Teksten inneholder et ugyldig tegn (NUL)."
REQUEST = {
    "category": "funding",
    "title": "Søknad til Forkommune",
    "description": "Vi trenger hjelp med en søknad.",
    "urgency": "normal",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64 + b"IEND\x00\x00\x00\x00"


def count(db: Any, ws: Any, model: Any) -> int:
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    n = db.scalar(scoped(model, ws.id).with_only_columns(func.count()))
    set_db_scope(db, workspace_id=None, user_id=None)
    return int(n or 0)


# --- a real server -----------------------------------------------------------------------------


class Probe:
    """Stands between uvicorn and the app and counts the body bytes the app pulled from the
    server: what the app read, not what the client sent."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.received = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def counted() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
            return message

        await self.app(scope, counted if scope["type"] == "http" else receive, send)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    port: int
    probe: Probe


@contextmanager
def serve(asgi: Any) -> Iterator[Served]:
    probe = Probe(asgi)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(probe, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name="hardening-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield Served(port, probe)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMSPILL_MAX_REQUEST_BYTES", str(LIMIT))
    get_settings.cache_clear()


@pytest.fixture
def live(app: Any, small_limit: None) -> Iterator[Served]:
    """The real app (on the test's database) behind uvicorn on a free loopback port, with the
    body limit lowered to 1 MB."""
    with serve(app) as served:
        yield served
    get_settings.cache_clear()


@dataclass
class Outcome:
    status: int
    headers: dict[str, str]
    body: bytes
    sent: int  # body bytes the client got out before the server answered or closed
    closed: bool  # the server closed the connection after its answer
    raw: bytes = field(repr=False, default=b"")

    def json(self) -> Any:
        return json.loads(self.body[: int(self.headers["content-length"])])

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def send_body(
    port: int,
    path: str,
    headers: dict[str, str],
    start: bytes,
    *,
    filler: bytes = b"a" * MB,
    chunked: bool = True,
    chunks: int = CHUNKS,
    stop_on_answer: bool = True,
) -> Outcome:
    """POST ``chunks`` MB (``start``, then ``filler``) in 1 MB pieces — chunked, or with a
    Content-Length saying so — while another thread reads the answer as soon as it comes."""
    sock = socket.create_connection(("127.0.0.1", port))
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {chunks * MB}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    reply = bytearray()
    finished = threading.Event()

    def read() -> None:
        try:
            while data := sock.recv(65536):
                reply.extend(data)
        except OSError:
            pass
        finally:
            finished.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    sent = 0
    try:
        for n in range(chunks):
            if reply and stop_on_answer:  # the answer came: stop sending, as a browser does
                break
            piece = (start + b"a" * MB)[:MB] if n == 0 else filler
            sock.sendall(b"%x\r\n%b\r\n" % (len(piece), piece) if chunked else piece)
            sent += len(piece)
        else:
            if chunked:
                sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server closed the connection while we were still sending
    closed = finished.wait(timeout=20)
    sock.close()
    head, _, body = bytes(reply).partition(b"\r\n\r\n")
    first, *rest = head.decode("latin-1").split("\r\n")
    assert first.startswith("HTTP/1.1 "), f"no answer: {bytes(reply)[:200]!r}"
    found = {}
    for line in rest:
        key, _, value = line.partition(":")
        found[key.strip().lower()] = value.strip()
    return Outcome(int(first.split()[1]), found, body, sent, closed, bytes(reply))


def _stopped_early(outcome: Outcome, probe: Probe) -> None:
    """The server answered and closed long before the client had sent it all, and the app
    read about the limit, not the body."""
    print(  # measured: pytest -s shows it
        f"client sent {outcome.sent / MB:.1f} MB of {CHUNKS} MB; "
        f"the app read {probe.received / MB:.2f} MB (limit {LIMIT / MB:.0f} MB)"
    )
    assert outcome.closed, "the server kept the connection open to read the rest"
    assert outcome.headers.get("connection") == "close"
    assert outcome.sent < CHUNKS * MB // 2
    assert probe.received < 2 * LIMIT


def test_a_chunked_form_before_login_is_stopped_at_the_limit(live: Served) -> None:
    outcome = send_body(
        live.port,
        "/logg-inn",
        {"Content-Type": "application/x-www-form-urlencoded"},
        b"email=a%40example.no&password=",
        filler=b"&x=" + b"a" * (MB - 3 - 16),  # fields of just under 1 MB, as many as it takes
    )
    assert outcome.status == 413
    assert outcome.headers["content-type"].startswith("text/html")
    assert "Forespørselen er for stor. Største tillatte størrelse er 1 MB" in outcome.text
    _stopped_early(outcome, live.probe)


def test_a_chunked_json_body_with_a_token_is_stopped_at_the_limit(
    live: Served, db: Any, ws: Any
) -> None:
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    headers["Content-Type"] = "application/json"
    outcome = send_body(live.port, f"/api/v1/{ws.slug}/helpdesk/requests", headers, b'{"title": "')
    assert outcome.status == 413
    body = outcome.json()
    assert body["code"] == "too_large"
    assert body["message"].startswith(
        "Forespørselen er for stor. Største tillatte størrelse er 1 MB"
    )
    _stopped_early(outcome, live.probe)
    assert count(db, ws, HelpRequest) == 0


def test_a_declared_length_over_the_limit_is_refused_unread(live: Served) -> None:
    outcome = send_body(
        live.port,
        "/logg-inn",
        {"Content-Type": "application/x-www-form-urlencoded"},
        b"email=",
        chunked=False,
    )
    assert outcome.status == 413 and "Største tillatte størrelse er 1 MB" in outcome.text
    assert live.probe.received == 0
    _stopped_early(outcome, live.probe)


def test_a_body_within_the_limit_still_goes_through(live: Served, db: Any, ws: Any) -> None:
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    headers["Content-Type"] = "application/json"
    body = json.dumps({**REQUEST, "municipality_number": "5020"}).encode()
    sock = socket.create_connection(("127.0.0.1", live.port))
    head = f"POST /api/v1/{ws.slug}/helpdesk/requests HTTP/1.1\r\nHost: x\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    half = len(body) // 2
    sock.sendall(head.encode())
    for piece in (body[:half], body[half:]):
        sock.sendall(b"%x\r\n%b\r\n" % (len(piece), piece))
    sock.sendall(b"0\r\n\r\n")
    reply = b""
    while data := sock.recv(65536):
        reply += data
    sock.close()
    assert reply.startswith(b"HTTP/1.1 201"), reply[:300]
    assert count(db, ws, HelpRequest) == 1


async def _answers_before_reading(scope: Any, receive: Any, send: Any) -> None:
    """An app that starts its answer and only then reads the body."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"started\n", "more_body": True})
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.body", "body": b"read it all\n", "more_body": False})


def test_an_answer_already_begun_is_cut_off_at_the_limit(small_limit: None) -> None:
    """The status cannot change once sent: the connection is aborted instead, so that the
    client sees an unfinished answer and not a complete one."""
    with serve(RequestContextMiddleware(_answers_before_reading)) as served:
        outcome = send_body(
            served.port, "/", {"Content-Type": "text/plain"}, b"", stop_on_answer=False
        )
        assert outcome.status == 200 and outcome.closed
        assert outcome.headers.get("transfer-encoding") == "chunked"
        assert b"started" in outcome.body
        assert b"read it all" not in outcome.body
        assert not outcome.body.endswith(b"0\r\n\r\n"), "the answer was finished"
        assert served.probe.received < 2 * LIMIT
    get_settings.cache_clear()


# --- NUL ---------------------------------------------------------------------------------------


def _refused(r: Any, *, api: bool = False) -> None:
    assert r.status_code == 422, (r.status_code, r.text[:300])
    if api:
        assert r.json() == {"code": "invalid_character", "message": NUL_TEXT}
    else:
        assert NUL_TEXT in r.text


def test_nul_in_a_search_is_refused(client: TestClient, db: Any, ws: Any) -> None:
    user = create_member(db, ws, "county_admin")
    login(client, user)
    pages = [
        f"/{ws.slug}/hjelp",
        f"/{ws.slug}/kontakter",
        f"/{ws.slug}/strategier/sok",
        f"/{ws.slug}/virkemidler",
    ]
    for page in pages:
        assert client.get(f"{page}?q=osen").status_code == 200, page
        _refused(client.get(f"{page}?q=%00"))
        _refused(client.get(f"{page}?q=os%00en"))
    headers = bearer(db, ws, user)
    url = f"/api/v1/{ws.slug}/helpdesk/requests"
    assert client.get(f"{url}?q=osen", headers=headers).status_code == 200
    _refused(client.get(f"{url}?q=%00", headers=headers), api=True)
    # in a path too: the workspace slug is looked up in the database
    _refused(client.get("/api/v1/ws%00x/helpdesk/requests", headers=headers), api=True)
    _refused(client.get("/ws%00x"))


def test_nul_before_login_is_refused(client: TestClient, db: Any, ws: Any) -> None:
    user = create_member(db, ws)
    for email in (f"{user.email}\x00", "\x00"):
        r = client.post(
            "/logg-inn", data={"email": email, "password": "x", "csrf_token": csrf(client)}
        )
        _refused(r)
    _refused(client.get(f"/{ws.slug}/hjelp?q=%00"))
    _refused(client.get("/logg-inn?neste=%2F%00"))
    assert client.cookies.get("samspill_session") is None
    login(client, user)  # the account is untouched


def test_nul_in_json_is_refused_and_files_nothing(client: TestClient, db: Any, ws: Any) -> None:
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    url = f"/api/v1/{ws.slug}/helpdesk/requests"
    base = {**REQUEST, "municipality_number": "5020"}
    _refused(client.post(url, json={**base, "title": "Søk\x00nad"}, headers=headers), api=True)
    _refused(client.post(url, json={**base, "x\x00": 1}, headers=headers), api=True)
    raw = json.dumps({**base, "description": "a\\u0000b"}).replace("\\\\u0000", "\\u0000")
    assert "\\u0000" in raw
    r = client.post(url, content=raw, headers={**headers, "Content-Type": "application/json"})
    _refused(r, api=True)
    assert count(db, ws, HelpRequest) == 0
    # A backslash followed by "u0000" as text is no NUL.
    r = client.post(url, json={**base, "description": "C:\\u0000"}, headers=headers)
    assert r.status_code == 201, r.text


def multipart(fields: dict[str, str], files: list[tuple[str, bytes, bytes]]) -> tuple[bytes, str]:
    boundary = "samspill-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, filename, content in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="'.encode()
            + filename
            + b'"\r\nContent-Type: image/png\r\n\r\n'
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_nul_in_a_form_field_is_refused_and_files_nothing(
    client: TestClient, db: Any, ws: Any
) -> None:
    login(client, create_member(db, ws, "municipal"))
    url = f"/{ws.slug}/hjelp"
    _refused(post(client, url, {**REQUEST, "title": "Søk\x00nad"}))
    # however the type is written: the form parser reads it in lower case
    body = urlencode({**REQUEST, "title": "Søk\x00nad", "csrf_token": csrf(client)})
    mixed_case = {"Content-Type": "Application/X-WWW-Form-Urlencoded"}
    _refused(client.post(url, content=body, headers=mixed_case))
    # multipart: a text field with NUL beside a file
    r = client.post(
        url,
        data={**REQUEST, "description": "a\x00b", "csrf_token": csrf(client)},
        files=[("attachments", ("skisse.png", PNG, "image/png"))],
    )
    _refused(r)
    # and a file name with NUL (httpx would escape it: the body is written by hand)
    body, content_type = multipart(
        {**REQUEST, "csrf_token": csrf(client)}, [("attachments", b"skisse\x00.png", PNG)]
    )
    _refused(client.post(url, content=body, headers={"Content-Type": content_type}))
    assert count(db, ws, HelpRequest) == 0
    assert count(db, ws, RequestAttachment) == 0


def test_a_file_with_nul_bytes_is_still_accepted(client: TestClient, db: Any, ws: Any) -> None:
    login(client, create_member(db, ws, "municipal"))
    pdf = b"%PDF-1.4\n\x00\x00\x00binary\x00\n%%EOF\n"
    r = client.post(
        f"/{ws.slug}/hjelp",
        data={**REQUEST, "csrf_token": csrf(client)},
        files=[
            ("attachments", ("skisse.png", PNG, "image/png")),
            ("attachments", ("utkast.pdf", pdf, "application/pdf")),
        ],
    )
    assert r.status_code == 303, r.text[:500]
    page = client.get(r.headers["location"]).text
    assert "skisse.png" in page and "utkast.pdf" in page
    assert count(db, ws, RequestAttachment) == 2


# --- caching and cookies -----------------------------------------------------------------------


def test_api_answers_and_calendar_downloads_are_not_stored(
    client: TestClient, db: Any, ws: Any
) -> None:
    user = create_member(db, ws, "county_admin")
    headers = bearer(db, ws, user)
    for url in ("/api/v1/me", f"/api/v1/{ws.slug}/helpdesk/requests"):
        r = client.get(url, headers=headers)
        assert r.status_code == 200
        assert r.headers["cache-control"] == "private, no-store", url
    refused = client.get("/api/v1/me")
    assert refused.status_code == 401 and refused.headers["cache-control"] == "private, no-store"
    login(client, user)
    for url in (f"/{ws.slug}/virkemidler/frister.ics", f"/{ws.slug}/besok.ics"):
        r = client.get(url)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
        assert r.headers["cache-control"] == "private, no-store", url
    # Pages keep their own rule.
    assert client.get(f"/{ws.slug}/hjelp").headers["cache-control"] == "no-store"


@pytest.fixture
def production(app: Any, database: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app built with settings production accepts, on the test's database, over HTTPS."""
    for name, value in {
        "SAMSPILL_ENVIRONMENT": "production",
        "SAMSPILL_BASE_URL": "https://samspill.example.no",
        "SAMSPILL_SMTP_HOST": "127.0.0.1",
        "SAMSPILL_SECRET_KEY": "k" * 20 + "9f3e7a1c5b2d8e4f6a0c",
        "SAMSPILL_ALLOW_SQLITE_IN_PRODUCTION": "true",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    application = create_app(get_settings(), engine=database.engine)
    application.dependency_overrides[get_session] = app.dependency_overrides[get_session]
    with TestClient(application, base_url="https://testserver", follow_redirects=False) as c:
        yield c
    get_settings.cache_clear()


def _cookie(response: Any, name: str) -> str:
    found = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{name}=")]
    assert found, f"no {name} cookie in {response.headers.get_list('set-cookie')}"
    return found[0]


def test_the_flash_cookie_is_secure_in_production(production: TestClient, db: Any, ws: Any) -> None:
    login(production, create_member(db, ws))
    r = post(production, "/logg-ut")
    assert r.status_code == 303
    flash = _cookie(r, "samspill_flash")
    assert "; secure" in flash.lower() and "; httponly" in flash.lower()
    page = production.get("/logg-inn")
    assert "Du er logget ut." in page.text
    assert "; secure" in _cookie(page, "samspill_flash").lower()  # its removal too


def test_the_language_cookie_is_secure_in_production(production: TestClient) -> None:
    r = post(production, "/sprak", {"locale": "en", "neste": "/logg-inn"})
    assert r.status_code == 303
    assert "; secure" in _cookie(r, "samspill_lang").lower()
    assert '<html lang="en"' in production.get("/logg-inn").text


def test_cookies_are_not_secure_in_development(client: TestClient, db: Any, ws: Any) -> None:
    login(client, create_member(db, ws))
    r = post(client, "/logg-ut")
    assert "secure" not in _cookie(r, "samspill_flash").lower()
