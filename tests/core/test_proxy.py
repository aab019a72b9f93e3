"""Trusted proxies: `samspill serve` believes X-Forwarded-For and X-Forwarded-Proto only from the
addresses in SAMSPILL_FORWARDED_ALLOW_IPS (what deploy/compose.yaml sets to the proxy's
network). The real server, started as an operator starts it (`samspill migrate`, then
`samspill serve`, production settings, JSON logs), in a subprocess on loopback.

What shows it: the scheme of a redirect the app builds from the request (the trailing-slash
redirect), and /metrics, which opens to the client addresses in SAMSPILL_METRICS_ALLOWED_IPS.

Then Caddy in front, running the routes of deploy/Caddyfile (adapted by Caddy itself; only where
it listens, where the app is and its test CA change): HTTPS seen by the app, one request id from
Caddy to the app's log and back, /metrics not served to the world."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import _free_port

SAMSPILL = str(Path(sys.executable).parent / "samspill")
CADDYFILE = Path(__file__).resolve().parents[2] / "deploy" / "Caddyfile"
DOMAIN = "samspill.example.no"
CLIENT = "203.0.113.9"  # the visitor, as the proxy reports it (TEST-NET-3)
ANOTHER = "198.51.100.7"  # another visitor (TEST-NET-2)


class Server:
    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log

    def access_line(self, request_id: str) -> dict[str, Any]:
        """The JSON access line of one request (written just after the answer is sent)."""
        deadline = time.monotonic() + 5
        while True:
            for line in self.log.read_text().splitlines():
                if line.startswith("{") and request_id in line:
                    data: dict[str, Any] = json.loads(line)
                    if data.get("logger") == "samspill.access":
                        return data
            if time.monotonic() > deadline:
                raise AssertionError(f"no access line for {request_id}:\n{self.log.read_text()}")
            time.sleep(0.05)


def _environment(tmp: Path, **settings: str) -> dict[str, str]:
    """A production environment as in deploy/compose.yaml, on SQLite; nothing of the caller's
    SAMSPILL_* settings (and no .env: the working folder is the temporary one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMSPILL_", "PROMETHEUS_"))}
    env.update(
        TMPDIR=str(tmp),
        SAMSPILL_ENVIRONMENT="production",
        SAMSPILL_DATABASE_URL=f"sqlite:///{tmp / 'samspill.db'}",
        SAMSPILL_ALLOW_SQLITE_IN_PRODUCTION="true",
        SAMSPILL_STORAGE_DIR=str(tmp / "storage"),
        SAMSPILL_BASE_URL="https://samspill.example.no",
        SAMSPILL_SECRET_KEY="k" * 20 + "-not-an-example-value",
        SAMSPILL_SMTP_HOST="127.0.0.1",
        SAMSPILL_WORKERS="1",
        SAMSPILL_METRICS_ALLOWED_IPS=CLIENT,
    )
    env.update(settings)
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("proxy")
    done = subprocess.run(
        [SAMSPILL, "migrate"],
        cwd=tmp,
        env=_environment(tmp),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return tmp


def _serve(tmp: Path, forwarded_allow_ips: str, **settings: str) -> Iterator[Server]:
    port = _free_port()
    log = tmp / f"serve-{port}.log"
    env = _environment(tmp, SAMSPILL_FORWARDED_ALLOW_IPS=forwarded_allow_ips, **settings)
    with log.open("w") as out:
        process = subprocess.Popen(
            [SAMSPILL, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"samspill serve did not come up:\n{log.read_text()}")
            time.sleep(0.2)
        yield Server(url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def behind_trusted_proxy(migrated: Path) -> Iterator[Server]:
    """The proxy is on this machine: requests from 127.0.0.1 carry believed headers."""
    yield from _serve(migrated, "127.0.0.1")


@pytest.fixture(scope="module")
def proxy_elsewhere(migrated: Path) -> Iterator[Server]:
    """Only 10.9.9.9 is a proxy: requests from 127.0.0.1 are from an ordinary client."""
    yield from _serve(migrated, "10.9.9.9")


def _get(server: Server, path: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{server.url}{path}", headers=headers, timeout=10, follow_redirects=False)


def test_the_proxys_scheme_and_client_address_are_believed(behind_trusted_proxy):
    server = behind_trusted_proxy
    port = server.url.rsplit(":", 1)[1]
    r = _get(
        server,
        "/logg-inn/",
        **{
            "X-Forwarded-For": CLIENT,
            "X-Forwarded-Proto": "https",
            "X-Request-ID": "proxy-req-1",
        },
    )
    # The redirect the app builds from the request says https: the visitor used https.
    assert r.status_code == 307
    assert r.headers["location"] == f"https://127.0.0.1:{port}/logg-inn"
    # The proxy's request id comes back and names the request's log line.
    assert r.headers["x-request-id"] == "proxy-req-1"
    line = server.access_line("proxy-req-1")
    assert line["path"] == "/logg-inn/" and line["status"] == 307
    assert line["client"] == CLIENT  # the access log names the visitor, not the proxy

    # /metrics is open to the visitor's address only: the app sees the forwarded address...
    r = _get(server, "/metrics", **{"X-Forwarded-For": CLIENT, "X-Forwarded-Proto": "https"})
    assert r.status_code == 200 and "samspill_http_requests" in r.text
    # ...not the proxy's own (127.0.0.1 is not in SAMSPILL_METRICS_ALLOWED_IPS)...
    assert _get(server, "/metrics").status_code == 404
    # ...and a visitor cannot pass for another by sending X-Forwarded-For itself: the proxy
    # appends the address it saw, and the last address not of a trusted proxy is the client.
    r = _get(server, "/metrics", **{"X-Forwarded-For": f"{CLIENT}, {ANOTHER}"})
    assert r.status_code == 404


def test_headers_from_an_untrusted_peer_are_ignored(proxy_elsewhere):
    server = proxy_elsewhere
    port = server.url.rsplit(":", 1)[1]
    forged = {"X-Forwarded-For": CLIENT, "X-Forwarded-Proto": "https"}
    r = _get(server, "/logg-inn/", **forged)
    assert r.status_code == 307
    assert r.headers["location"] == f"http://127.0.0.1:{port}/logg-inn"
    # The forged address does not open /metrics: the app sees 127.0.0.1.
    assert _get(server, "/metrics", **forged).status_code == 404


def _find_handler(node: Any, name: str) -> dict[str, Any]:
    if isinstance(node, dict):
        if node.get("handler") == name:
            return node
        node = list(node.values())
    if isinstance(node, list):
        for item in node:
            try:
                return _find_handler(item, name)
            except LookupError:
                pass
    raise LookupError(name)


@pytest.fixture(scope="module")
def caddy(behind_trusted_proxy: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Caddy with deploy/Caddyfile's site in front of the server (which trusts 127.0.0.1)."""
    binary = shutil.which("caddy")
    if binary is None:
        why = "caddy is not installed (apt-get install caddy)"
        if os.environ.get("SAMSPILL_TEST_REQUIRE_DEPLOY_TOOLS") == "1":
            pytest.fail(f"{why}, and SAMSPILL_TEST_REQUIRE_DEPLOY_TOOLS=1")
        pytest.skip(why)
    tmp = tmp_path_factory.mktemp("caddy")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMSPILL_")}
    env.update(
        HOME=str(tmp),
        XDG_DATA_HOME=str(tmp / "data"),
        XDG_CONFIG_HOME=str(tmp / "config"),
        SAMSPILL_DOMAIN=DOMAIN,
        SAMSPILL_TLS="internal",
    )
    adapted = subprocess.run(
        [binary, "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    config = json.loads(adapted.stdout)
    port = _free_port()
    config["admin"] = {"disabled": True}
    http = config["apps"]["http"]
    http["https_port"] = port
    (server,) = http["servers"].values()
    server["listen"] = [f"127.0.0.1:{port}"]
    server["automatic_https"] = {"disable_redirects": True}  # no listener on port 80
    # never touch the machine's trust store
    config["apps"]["pki"] = {"certificate_authorities": {"local": {"install_trust": False}}}
    upstreams = _find_handler(server["routes"], "reverse_proxy")["dynamic_upstreams"]
    assert (upstreams["name"], upstreams["port"]) == ("web", "8000")
    upstreams.update(name="127.0.0.1", port=behind_trusted_proxy.url.rsplit(":", 1)[1])
    (tmp / "caddy.json").write_text(json.dumps(config))
    log = tmp / "caddy.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [binary, "run", "--config", str(tmp / "caddy.json")],
            cwd=tmp,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    root = tmp / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    url = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if root.exists():
                    context = ssl.create_default_context(cafile=str(root))
                    with httpx.Client(verify=context) as client:
                        client.get(
                            f"{url}/healthz",
                            headers={"Host": DOMAIN},
                            extensions={"sni_hostname": DOMAIN},
                        )
                    break
            except (httpx.TransportError, ssl.SSLError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"caddy did not come up:\n{log.read_text()}")
            time.sleep(0.2)
        with httpx.Client(
            base_url=url, verify=context, headers={"Host": DOMAIN}, timeout=10
        ) as client:
            yield client
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _through(caddy: httpx.Client, path: str, **headers: str) -> httpx.Response:
    return caddy.get(path, headers=headers, extensions={"sni_hostname": DOMAIN})


def test_through_caddy_the_app_sees_https_and_logs_caddys_request_id(caddy, behind_trusted_proxy):
    r = _through(caddy, "/healthz")
    assert r.status_code == 200 and r.text == "ok"

    # A visitor's own id (or forwarded address) is not taken over: Caddy makes one per request.
    r = _through(caddy, "/logg-inn/", **{"X-Request-ID": "chosen-by-visitor"})
    assert r.status_code == 307
    assert r.headers["location"] == f"https://{DOMAIN}/logg-inn"
    request_id = r.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", request_id)
    line = behind_trusted_proxy.access_line(request_id)
    assert line["path"] == "/logg-inn/" and line["status"] == 307
    assert "chosen-by-visitor" not in behind_trusted_proxy.log.read_text()

    # The app answers through it: the login page, with the production headers.
    r = _through(caddy, "/logg-inn")
    assert r.status_code == 200 and "<form" in r.text
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_caddy_does_not_serve_metrics_to_the_world(caddy, behind_trusted_proxy):
    for path in ("/metrics", "/metrics/", "/metrics?x=1"):
        r = _through(caddy, path, **{"X-Forwarded-For": CLIENT})
        assert r.status_code == 404, path
        assert "x-request-id" not in r.headers  # Caddy answered; the app never saw it
    # while the same request straight to the app from an allowed address is served
    r = _get(behind_trusted_proxy, "/metrics", **{"X-Forwarded-For": CLIENT})
    assert r.status_code == 200


# --- idle connections ------------------------------------------------------------------------


def _ask_healthz(conn: socket.socket) -> int:
    """One request on an open connection, read to the end of its answer; the answer's status."""
    conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: samspill.example.no\r\n\r\n")
    answer = http.client.HTTPResponse(conn)
    answer.begin()
    answer.read()  # the whole body, so that nothing of this answer is left on the socket
    return answer.status


def test_serve_keeps_an_idle_connection_as_long_as_set(migrated: Path) -> None:
    """`samspill serve` keeps an idle connection open SAMSPILL_KEEP_ALIVE_SECONDS (75 s unless
    set, longer than the proxy's 60 s; see test_deploy), then closes it: here 2 s, so that a
    request 1 s after the last one is answered on the same connection, and after 3.5 s the
    connection is closed. (uvicorn's own 5 s closed connections a proxy or client was about to
    reuse: bench/load.py's mixed run lost 2–3 requests in 10,000 that way.)"""
    serving = contextmanager(_serve)(migrated, "127.0.0.1", SAMSPILL_KEEP_ALIVE_SECONDS="2")
    with serving as server:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as conn:
            assert _ask_healthz(conn) == 200
            time.sleep(1)
            assert _ask_healthz(conn) == 200  # the same connection, kept
            time.sleep(3.5)
            # closed already (uvicorn's own 5 s would close it only 1.5 s from now)
            conn.settimeout(0.5)
            try:
                left = conn.recv(4096)
            except TimeoutError:
                pytest.fail("the idle connection is still open after 3.5 s (the setting is 2 s)")
            assert left == b""
