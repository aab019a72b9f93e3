"""What the PostgreSQL benchmarks share (bench/helpdesk.py, meetings.py, schemes.py,
innovations.py): a throw-away database, migrated and with the demo loaded; the app served as an
ordinary role (row-level security applies as in production) and logged in as the Trøndelag
coordinator; every SQL statement recorded with its time; a route timed (warm-up, then rounds
until --rounds or --budget seconds); EXPLAIN of the slowest statements; and the table of
medians, 95th percentiles and ratios between the sizes.

The owner URL must be a superuser (the bulk loads skip foreign-key triggers). The app connects
as the role samspill_bench_app, created without a password if missing (trust authentication on
local connections, as in the tests) and left in place. The databases are named
samspill_bench_<size>_<random> and dropped at the end unless --keep is given.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session

from app import demo
from app.config import get_settings
from app.db import make_engine
from app.main import create_app
from app.migrate import migrate

OWNER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
APP_ROLE = "samspill_bench_app"
WORKSPACE = "trondelag"
LOGIN = "koordinator@trondelag.demo"

Params = dict[str, Any] | None
Target = Callable[[], tuple[str, Params]]


# --- databases --------------------------------------------------------------------------------


def create_database(owner_url: str, name: str) -> tuple[str, str]:
    """A new, migrated database with the demo loaded. Returns (owner URL, app URL)."""
    admin = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE})
        if exists.first() is None:
            conn.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS"))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    db_owner_url = make_url(owner_url).set(database=name)
    owner = db_owner_url.render_as_string(hide_password=False)
    migrate(owner, APP_ROLE)
    engine = make_engine(owner)
    with Session(engine) as session, session.begin():
        demo.load_demo(session)
    engine.dispose()
    app_url = db_owner_url.set(username=APP_ROLE, password=None)
    return owner, app_url.render_as_string(hide_password=False)


def drop_database(owner_url: str, name: str) -> None:
    admin = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def throwaway_database(args: argparse.Namespace, size: int) -> Iterator[tuple[str, str]]:
    """A database for one size, as (owner URL, app URL); dropped afterwards unless --keep."""
    name = f"samspill_bench_{size}_{uuid.uuid4().hex[:8]}"
    try:
        yield create_database(args.owner_url, name)
    finally:
        if args.keep:
            print(f"kept database {name}")
        else:
            drop_database(args.owner_url, name)


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Statement:
    sql: str
    parameters: Any
    ms: float


@dataclass
class SqlLog:
    """Every statement the app's engine runs, with its time, while `recording` is on."""

    recording: bool = False
    statements: list[Statement] = field(default_factory=list)

    def attach(self, engine: Engine) -> None:
        @event.listens_for(engine, "before_cursor_execute")
        def _before(
            conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool
        ) -> None:
            conn.info["bench_start"] = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def _after(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
            if self.recording:
                ms = (time.perf_counter() - conn.info.pop("bench_start")) * 1000
                self.statements.append(Statement(sql, params, ms))

    @contextmanager
    def record(self) -> Iterator[list[Statement]]:
        self.statements = []
        self.recording = True
        try:
            yield self.statements
        finally:
            self.recording = False


@dataclass
class Result:
    size: int
    route: str
    timings: list[float]
    queries: list[int]
    sql_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.timings)

    @property
    def p95(self) -> float:
        ordered = sorted(self.timings)
        return ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def get_ok(client: TestClient, url: str, params: Params = None) -> str:
    response = client.get(url, params=params)
    if response.status_code != 200:
        raise SystemExit(f"{url} {params or ''} answered {response.status_code}, not 200")
    return response.text


def login(client: TestClient) -> None:
    client.get("/logg-inn")
    client.post(
        "/logg-inn",
        data={
            "email": LOGIN,
            "password": demo.DEMO_PASSWORD,
            "csrf_token": client.cookies["samspill_csrf"],
        },
    )


@dataclass
class Served:
    client: TestClient
    engine: Engine
    log: SqlLog


@contextmanager
def serve(app_url: str) -> Iterator[Served]:
    """The whole app (`create_app` + `TestClient`) on the app's role, its SQL recorded, logged
    in as the Trøndelag coordinator."""
    settings = get_settings().model_copy(
        update={"database_url": app_url, "environment": "test", "mail_worker_in_process": False}
    )
    app = create_app(settings)
    log = SqlLog()
    log.attach(app.state.engine)
    try:
        with TestClient(app) as client:
            login(client)
            yield Served(client, app.state.engine, log)
    finally:
        app.state.engine.dispose()


def time_route(
    served: Served,
    size: int,
    label: str,
    target: Target,
    args: argparse.Namespace,
    top: int = 3,
) -> Result:
    """Time one route: ``target()`` gives the URL and parameters of each round. A very slow
    route stops early: the warm-up after a quarter of --budget seconds, the measurement after
    --budget seconds but not before three rounds. With --explain, EXPLAIN the ``top`` slowest
    statements of one more round."""
    client, log = served.client, served.log
    start = time.perf_counter()
    for _ in range(max(args.rounds // 20, 3)):  # warm-up
        get_ok(client, *target())
        if time.perf_counter() - start > args.budget / 4:
            break
    deadline = time.perf_counter() + args.budget
    result = Result(size, label, [], [], [])
    for i in range(args.rounds):
        url, params = target()
        with log.record() as statements:
            start = time.perf_counter()
            get_ok(client, url, params)
            result.timings.append((time.perf_counter() - start) * 1000)
        result.queries.append(len(statements))
        result.sql_ms.append(sum(s.ms for s in statements))
        if i >= 2 and time.perf_counter() > deadline:
            break
    if args.explain:
        url, params = target()
        with log.record() as statements:
            get_ok(client, url, params)
        print(f"\n=== size {size}, {label}: {url} {params or ''}")
        explain_slowest(served.engine, statements, top=top)
    return result


def time_routes(
    served: Served,
    size: int,
    routes: list[tuple[str, str, Params]],
    args: argparse.Namespace,
    *,
    top: int = 2,
    skip_failing: bool = False,
) -> list[Result]:
    """Time each (label, URL, parameters) in turn; with ``skip_failing`` a route that does not
    answer 200 at first is said and left out instead of stopping the run."""
    results = []
    for label, url, params in routes:
        if skip_failing:
            answer = served.client.get(url, params=params)
            if answer.status_code != 200:
                print(f"size {size}: {label} {url} answered {answer.status_code}; not timed")
                continue
        results.append(time_route(served, size, label, _fixed(url, params), args, top))
    return results


def _fixed(url: str, params: Params) -> Target:
    return lambda: (url, params)


def explain_slowest(engine: Engine, statements: list[Statement], top: int = 3) -> None:
    """EXPLAIN ANALYZE the slowest SELECTs again, as the app's role and in the scope that was in
    force when the app ran them (its last set_config call before each)."""
    scope: Statement | None = None
    candidates = []
    for s in statements:
        if "set_config('app.workspace_id'" in s.sql:
            scope = s
        elif s.sql.lstrip().upper().startswith("SELECT") and re.search(r"\bFROM\b", s.sql, re.I):
            candidates.append((s, scope))
    candidates.sort(key=lambda pair: pair[0].ms, reverse=True)
    for s, scope in candidates[:top]:
        print(f"\n--- {s.ms:.2f} ms in the app: {s.sql}\n    parameters: {s.parameters}")
        with engine.connect() as conn:
            if scope is not None:
                conn.exec_driver_sql(scope.sql, scope.parameters)
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + s.sql, s.parameters)
            for (line,) in plan:
                print("    " + line)
            conn.rollback()


# --- the command line and the table -------------------------------------------------------------


def add_arguments(
    parser: argparse.ArgumentParser, *, sizes: str, unit: str, rounds: int, budget: float
) -> None:
    """--sizes, --rounds, --budget, --owner-url, --keep and --explain, with these defaults."""
    parser.add_argument("--sizes", default=sizes, help=f"comma-separated {unit} counts")
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument(
        "--budget", type=float, default=budget, help="seconds per route before it stops early"
    )
    parser.add_argument("--owner-url", default=OWNER_URL, help="a PostgreSQL superuser URL")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE slow statements")


def sizes_of(args: argparse.Namespace) -> list[int]:
    return sorted(int(s.replace("_", "")) for s in args.sizes.split(","))


def print_results(
    results: list[Result], sizes: list[int], *, unit: str, width: int, goal: str = ""
) -> None:
    """Per size and route: rounds, median and 95th percentile in ms, the median statements per
    request and SQL ms; then the largest size over the smallest per route."""
    col = max(len(unit), 8)
    print(f"\nPostgreSQL under RLS, logged in as {LOGIN}; queries and sql ms are medians")
    print(
        f"{unit:>{col}}  {'route':{width}} {'rounds':>6} {'median ms':>10} {'p95 ms':>9} "
        f"{'queries':>7} {'sql ms':>8}"
    )
    for r in results:
        print(
            f"{r.size:>{col},}  {r.route:{width}} {len(r.timings):6} {r.median:10.2f} "
            f"{r.p95:9.2f} {statistics.median(r.queries):7.0f} {statistics.median(r.sql_ms):8.2f}"
        )
    if len(sizes) < 2:
        return
    small, large = sizes[0], sizes[-1]
    print(f"\nratio {large:,} / {small:,}" + (f" (goal: {goal})" if goal else ""))
    print(f"{'route':{width}} {'median':>7} {'p95':>7}")
    for route in dict.fromkeys(r.route for r in results):
        a = next((r for r in results if r.route == route and r.size == small), None)
        b = next((r for r in results if r.route == route and r.size == large), None)
        if a is not None and b is not None:
            print(f"{route:{width}} {b.median / a.median:7.2f} {b.p95 / a.p95:7.2f}")
