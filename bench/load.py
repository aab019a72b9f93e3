"""Benchmark: the real server under concurrent load, beside a ceiling app, on SQLite and PostgreSQL.

    .venv/bin/python bench/load.py [--seconds 4] [--rounds 3] [--backend sqlite|postgresql|both]
        [--workers 1,2] [--connections 16] [--mixed-seconds 15] [--clients 50]
        [--owner-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--threads N]

For each backend it makes a fresh database with the demo loaded (SQLite: a file in a temporary
folder; PostgreSQL: a throw-away database migrated as the owner, served as the ordinary role
samspill_bench_app, with bench/common.py's helpers), and for each worker count it starts

- the real server, ``samspill serve --workers N`` (rate limits off, a storage folder of its own;
  --threads sets its SAMSPILL_THREADS, the worker threads of each process, see app/config.py),
- the ceiling app (bench/ceiling.py: one session lookup, one 50-row query, a 50-row Jinja table)
  under uvicorn with the same number of workers, on the same database,

logs in as the Trøndelag coordinator, and drives both with the same load: ``wrk`` with
--connections connections when it is installed (Debian package ``wrk``), else httpx on asyncio.
Two of the pages are the floor every signed-in request stands on, there to compare with: the
JSON of ``/api/v1/me`` (the session and memberships only) and the notification settings (the
layout and one small form). Each round loads the ceiling, then every page in turn, so that
the two share the machine's state; the table gives per page the median over the rounds of
req/s, p50 and p99 in milliseconds, the errors (non-2xx/3xx answers and broken connections)
summed, and the median ratio of the page's req/s to the ceiling's in the same round.

Then a mixed run: --clients clients for --mixed-seconds seconds, each looping over the pages
(the floor's two among them, since 2026-12-06) with every fifth request a write (an internal
note on a help request, through the page form). It prints the answers by status and then
checks the database: every acknowledged write (303) must be stored exactly once; a stored
write that was not acknowledged (the client gave up first) is counted but is not an error.
Figures, not assertions: it exits non-zero only when a page does not answer 200 before the
load or when an acknowledged write is missing or doubled.

The servers' resident memory (VmRSS of each process, read from /proc) is printed after the
load, for the README's "memory per worker", and the app's warnings and errors from its log.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from common import LOGIN, OWNER_URL, create_database, drop_database
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app import demo
from app.db import make_engine
from app.migrate import migrate

BENCH = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PAGES = {
    "start page": "/trondelag",
    "queue": "/trondelag/hjelp",
    "request": "/trondelag/hjelp/1",
    "body": "/trondelag/organer/8",
    "document": "/trondelag/strategier/1",
    "API requests": "/api/v1/trondelag/helpdesk/requests",
    "API bodies": "/api/v1/trondelag/bodies",
    "API coverage": "/api/v1/trondelag/coverage",
    # The floor every signed-in request stands on, for comparison: the session and memberships
    # with a small JSON answer, and a page with the layout and one small form.
    "floor: /api/v1/me": "/api/v1/me",
    "floor: settings page": "/varsler/innstillinger",
}
WRITE_EVERY = 5  # in the mixed run, every fifth request of a client is a write
NOTE = "lastprøve {run} {client} {seq}"


@dataclass
class Database:
    backend: str
    url: str  # what the app connects with
    owner_url: str


@dataclass
class Result:
    rps: float
    p50: float  # milliseconds
    p99: float
    errors: int


@dataclass
class Series:
    results: list[Result] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def database(backend: str, owner_url: str) -> Iterator[Database]:
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="samspill-load-"))
        url = f"sqlite:///{folder / 'load.db'}"
        try:
            migrate(url)
            engine = make_engine(url)
            with Session(engine) as session, session.begin():
                demo.load_demo(session)
            engine.dispose()
            yield Database("sqlite", url, url)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"samspill_bench_load_{uuid.uuid4().hex[:8]}"
    try:
        owner, app_url = create_database(owner_url, name)
        yield Database("postgresql", app_url, owner)
    finally:
        drop_database(owner_url, name)


def rss_mb(pid: int) -> list[float]:
    """Resident memory in MB of ``pid`` and of its children (uvicorn's worker processes)."""
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    sizes = []
    for p in pids:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            sizes.append(int(match.group(1)) / 1024)
    return sizes


@contextmanager
def serve(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[int]:
    """Start a server process, wait until it answers, stop it (SIGTERM to it alone) at the end."""
    with log.open("w") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    f"{command[0]} did not start; see {log}:\n{log.read_text()[-2000:]}"
                )
            time.sleep(0.2)
        yield proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def server_env(db: Database, folder: Path, threads: int | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMSPILL_")}
    env.update(
        SAMSPILL_DATABASE_URL=db.url,
        SAMSPILL_MIGRATION_DATABASE_URL=db.owner_url,
        # Served as an operator runs it (templates compiled once, no file checks per render),
        # not as `make run` does; "test" is production's behaviour without Secure cookies,
        # which the plain-HTTP loopback needs. Mail stays in the database.
        SAMSPILL_ENVIRONMENT="test",
        SAMSPILL_RATE_LIMITS_ENABLED="false",
        SAMSPILL_STORAGE_DIR=str(folder / "storage"),
        SAMSPILL_MAIL_TRANSPORT="mailbox",
        CEILING_DATABASE_URL=db.url,
    )
    if threads is not None:
        env["SAMSPILL_THREADS"] = str(threads)
    return env


def login(base: str) -> dict[str, str]:
    """The cookies of a logged-in coordinator."""
    with httpx.Client(base_url=base) as client:
        client.get("/logg-inn")
        answer = client.post(
            "/logg-inn",
            data={
                "email": LOGIN,
                "password": demo.DEMO_PASSWORD,
                "csrf_token": client.cookies["samspill_csrf"],
            },
        )
        if answer.status_code != 303:
            raise SystemExit(f"login answered {answer.status_code}")
        client.get("/trondelag")  # the login rotates the CSRF cookie: the next page sets it
        return {c.name: c.value or "" for c in client.cookies.jar}


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


# --- the load -----------------------------------------------------------------------------


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def drive_wrk(url: str, cookie: str, seconds: float, connections: int) -> Result:
    out = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk") or "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            "--timeout",
            "10s",
            "-H",
            f"Cookie: {cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s|m)\b", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s|m)\b", out)
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in m.groups())
    return Result(
        rps,
        _ms(*p50.groups()) if p50 else float("nan"),
        _ms(*p99.groups()) if p99 else float("nan"),
        errors,
    )


def drive_httpx(url: str, cookie: str, seconds: float, connections: int) -> Result:
    async def run() -> Result:
        timings: list[float] = []
        errors = 0
        end = time.perf_counter() + seconds
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(headers={"Cookie": cookie}, limits=limits, timeout=10) as c:

            async def one() -> None:
                nonlocal errors
                while time.perf_counter() < end:
                    start = time.perf_counter()
                    try:
                        answer = await c.get(url)
                        ok = answer.status_code < 400
                    except httpx.HTTPError:
                        ok = False
                    timings.append((time.perf_counter() - start) * 1000)
                    errors += not ok

            began = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(connections)))
            took = time.perf_counter() - began
        timings.sort()
        p99 = timings[max(0, int(len(timings) * 0.99) - 1)] if timings else float("nan")
        median = statistics.median(timings) if timings else float("nan")
        return Result(len(timings) / took, median, p99, errors)

    return asyncio.run(run())


def drive(url: str, cookie: str, seconds: float, connections: int) -> Result:
    if shutil.which("wrk"):
        return drive_wrk(url, cookie, seconds, connections)
    return drive_httpx(url, cookie, seconds, connections)


def check_pages(base: str, cookies: dict[str, str]) -> None:
    with httpx.Client(base_url=base, cookies=cookies) as client:
        for name, path in PAGES.items():
            answer = client.get(path)
            if answer.status_code != 200:
                raise SystemExit(f"{name} {path} answered {answer.status_code}, not 200")


def throughput(app: str, ceiling: str, cookie: str, args: argparse.Namespace) -> dict[str, Series]:
    series: dict[str, Series] = {name: Series() for name in ["ceiling", *PAGES]}
    for _round in range(args.rounds):
        top = drive(ceiling + "/", cookie, args.seconds, args.connections)
        series["ceiling"].results.append(top)
        series["ceiling"].ratios.append(1.0)
        for name, path in PAGES.items():
            result = drive(app + path, cookie, args.seconds, args.connections)
            series[name].results.append(result)
            series[name].ratios.append(result.rps / top.rps if top.rps else float("nan"))
    return series


def print_table(title: str, series: dict[str, Series]) -> None:
    print(f"\n{title}")
    print(f"{'page':21} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'× ceiling':>10}")
    for name, s in series.items():
        rps = statistics.median(r.rps for r in s.results)
        p50 = statistics.median(r.p50 for r in s.results)
        p99 = statistics.median(r.p99 for r in s.results)
        errors = sum(r.errors for r in s.results)
        ratio = statistics.median(s.ratios)
        print(f"{name:21} {rps:8.1f} {p50:8.1f} {p99:8.1f} {errors:7d} {ratio:10.2f}")


# --- the mixed run --------------------------------------------------------------------------


def mixed(app: str, db: Database, cookies: dict[str, str], args: argparse.Namespace) -> bool:
    """Reads and writes from --clients clients; True when every acknowledged write is stored
    exactly once."""
    run = uuid.uuid4().hex[:8]
    numbers = [1, 2, 3]
    acknowledged: set[str] = set()
    statuses: Counter[str] = Counter()
    latencies: list[float] = []

    async def go() -> None:
        limits = httpx.Limits(max_connections=args.clients)
        async with httpx.AsyncClient(
            base_url=app, cookies=cookies, limits=limits, timeout=30, follow_redirects=False
        ) as client:
            end = time.perf_counter() + args.mixed_seconds

            async def one(n: int) -> None:
                rnd = random.Random(n)
                seq = 0
                while time.perf_counter() < end:
                    seq += 1
                    start = time.perf_counter()
                    if seq % WRITE_EVERY == 0:
                        kind, note = "write", NOTE.format(run=run, client=n, seq=seq)
                        request = client.post(
                            f"/trondelag/hjelp/{rnd.choice(numbers)}/svar",
                            data={
                                "body": note,
                                "internal": "on",
                                "csrf_token": cookies["samspill_csrf"],
                            },
                        )
                    else:
                        kind, note = "read", ""
                        request = client.get(rnd.choice(list(PAGES.values())))
                    try:
                        answer = await request
                        status = str(answer.status_code)
                    except httpx.HTTPError as exc:
                        status = type(exc).__name__
                    latencies.append((time.perf_counter() - start) * 1000)
                    statuses[f"{kind} {status}"] += 1
                    if kind == "write" and status == "303":
                        acknowledged.add(note)

            await asyncio.gather(*(one(n) for n in range(args.clients)))

    began = time.perf_counter()
    asyncio.run(go())
    took = time.perf_counter() - began
    engine = create_engine(db.owner_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT body, count(*) FROM request_message WHERE body LIKE :p GROUP BY body"),
            {"p": f"lastprøve {run} %"},
        ).all()
    stored: dict[str, int] = {str(body): int(n) for body, n in rows}
    engine.dispose()
    missing = acknowledged - set(stored)
    doubled = [note for note, n in stored.items() if n > 1]
    unacknowledged = set(stored) - acknowledged
    latencies.sort()
    total = sum(statuses.values())
    errors = sum(n for k, n in statuses.items() if not k.endswith((" 200", " 303")))
    print(
        f"\nmixed: {args.clients} clients, {took:.0f} s: {total / took:.1f} req/s, "
        f"p50 {statistics.median(latencies):.0f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95) - 1]:.0f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.0f} ms, "
        f"errors {errors} of {total} ({100 * errors / max(total, 1):.1f} %)"
    )
    print("  answers: " + ", ".join(f"{k}: {n}" for k, n in sorted(statuses.items())))
    print(
        f"  writes acknowledged {len(acknowledged)}, stored {sum(stored.values())}: "
        f"missing {len(missing)}, stored twice {len(doubled)}, "
        f"stored without acknowledgement {len(unacknowledged)}"
    )
    return not missing and not doubled


def print_problems(log: Path, shown: int = 8) -> None:
    """The app's warnings and errors in its log (the access log's lines are left out), and
    any worker process that died: what the run's errors were, where there were any."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return
    problems = [
        line
        for line in lines
        if re.search(r"\b(WARNING|ERROR|CRITICAL|Traceback|died)\b", line)
        and "samspill.access" not in line
    ]
    if problems:
        first = min(shown, len(problems))
        print(f"  the app's log: {len(problems)} warnings and errors, the first {first}:")
        for line in problems[:shown]:
            print(f"    {line[:300]}")


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4, help="per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--workers", default=f"1,{os.cpu_count() or 1}", help="worker counts, e.g. 1,2"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--mixed-seconds", type=float, default=15, help="0: no mixed run")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--owner-url", default=OWNER_URL)
    parser.add_argument(
        "--threads", type=int, default=None, help="the app's SAMSPILL_THREADS (default: its own)"
    )
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    counts = sorted({int(w) for w in args.workers.split(",")})
    tool = "wrk" if shutil.which("wrk") else "httpx"
    print(
        f"load: {tool}, {args.connections} connections, {args.rounds} rounds of "
        f"{args.seconds:g} s per page, {os.cpu_count()} cores"
    )
    intact = True
    for backend in backends:
        with database(backend, args.owner_url) as db:
            for workers in counts:
                folder = Path(tempfile.mkdtemp(prefix="samspill-load-run-"))
                env = server_env(db, folder, args.threads)
                port, ceiling_port = free_port(), free_port()
                app_cmd = [str(BIN / "samspill"), "serve", "--port", str(port)]
                app_cmd += ["--workers", str(workers)]
                ceiling_cmd = [str(BIN / "python"), "-m", "uvicorn", "ceiling:app"]
                ceiling_cmd += ["--app-dir", str(BENCH), "--port", str(ceiling_port)]
                ceiling_cmd += ["--workers", str(workers), "--no-access-log", "--log-level"]
                ceiling_cmd += ["warning"]
                try:
                    with (
                        serve(app_cmd, env, port, folder / "app.log") as app_pid,
                        serve(ceiling_cmd, env, ceiling_port, folder / "ceiling.log") as c_pid,
                    ):
                        base = f"http://127.0.0.1:{port}"
                        cookies = login(base)
                        check_pages(base, cookies)
                        series = throughput(
                            base, f"http://127.0.0.1:{ceiling_port}", cookie_header(cookies), args
                        )
                        print_table(f"{backend}, {workers} worker(s)", series)
                        if args.mixed_seconds and workers == counts[-1]:
                            intact = mixed(base, db, cookies, args) and intact
                        app_rss = ", ".join(f"{mb:.0f}" for mb in rss_mb(app_pid))
                        ceiling_rss = ", ".join(f"{mb:.0f}" for mb in rss_mb(c_pid))
                        print(
                            f"  resident memory MB (the process, then its children): "
                            f"app {app_rss}; ceiling {ceiling_rss}"
                        )
                finally:
                    print_problems(folder / "app.log")
                    shutil.rmtree(folder, ignore_errors=True)
    if not intact:
        raise SystemExit("an acknowledged write is missing or stored twice")


if __name__ == "__main__":
    main()
