"""Benchmark: the meetings list and a body's meetings with 10,000 and 100,000 meetings across
the workspaces.

    .venv/bin/python bench/meetings.py [--sizes 10000,100000] [--rounds 100] [--budget 60]
        [--owner-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--keep] [--explain]

For each size it creates a throw-away PostgreSQL database, migrates it as the owner with the
project's migrate function, loads the demo, and fills it by server-side SQL with that many
meetings beside the demo's: spread evenly over every workspace and every body of it (a tenth of
a workspace's meetings are its own, of no body), over five years back and one ahead, each with
four agenda items. Then VACUUM ANALYZE.

It then serves the app as an ordinary database role (row-level security applies as in
production), logs in as the Trøndelag coordinator and times, through the whole app stack
(`create_app` + `TestClient`):

- the meetings list `/trondelag/moter` (upcoming) and `?tid=tidligere` (past),
- a body's page of meetings `/trondelag/moter?organ=<Namdal regionråd>&tid=tidligere` (with
  its attendance figure and open decisions),
- the list API `/api/v1/trondelag/meetings?past=true`.

It prints the fill time, then per size and route the median and 95th percentile in
milliseconds, the SQL statements per request and the time spent in SQL, and the ratio of the
largest size to the smallest per route (the goal: at most 1.5). Figures, not assertions.

The helpers that create and drop the databases, log in and record SQL are those of
bench/helpdesk.py (same owner URL, same app role samspill_bench_app).
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from dataclasses import dataclass

from fastapi.testclient import TestClient
from helpdesk import (
    LOGIN,
    OWNER_URL,
    WORKSPACE,
    Result,
    SqlLog,
    create_database,
    drop_database,
    explain_slowest,
    get_ok,
    login,
)
from sqlalchemy import create_engine, text

from app.config import get_settings
from app.main import create_app

FILLED = ("meeting", "agenda_item")

FILL_MEETINGS = """
INSERT INTO meeting (workspace_id, body_id, title, kind, starts_at, ends_at, place, video_url,
                     organiser, description, created_at, updated_at)
SELECT b.workspace_id, CASE WHEN g % 10 = 0 THEN NULL ELSE b.id END,
       'Benkmøte ' || g, 'meeting', start, start + interval '2 hours', 'Rådhuset', '',
       'Benk', '', now(), now()
FROM (
    SELECT g, now() - interval '5 years' + random() * interval '6 years' AS start,
           1 + floor(random() * :bodies)::int AS pick
    FROM generate_series(1, :n) AS g
    OFFSET 0
) AS draws
JOIN (SELECT id, workspace_id, row_number() OVER (ORDER BY id) AS pick FROM body) AS b
  ON b.pick = draws.pick
ORDER BY g
"""

FILL_ITEMS = """
INSERT INTO agenda_item (workspace_id, meeting_id, position, title, responsible, papers, minutes,
                         created_at, updated_at)
SELECT m.workspace_id, m.id, j, 'Sak ' || j, '', CAST('[]' AS json), '', now(), now()
FROM meeting m CROSS JOIN generate_series(1, 4) AS j
WHERE m.id > :after
"""


@dataclass
class Fill:
    seconds: float
    rows: dict[str, int]
    namdal: int


def fill(owner_url: str, size: int) -> Fill:
    engine = create_engine(owner_url)
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("SELECT setseed(0.42)"))
        bodies = conn.scalar(text("SELECT count(*) FROM body")) or 1
        after = conn.scalar(text("SELECT coalesce(max(id), 0) FROM meeting")) or 0
        conn.execute(text(FILL_MEETINGS), {"n": size, "bodies": bodies})
        conn.execute(text(FILL_ITEMS), {"after": after})
        namdal = conn.scalar(text("SELECT id FROM body WHERE name = 'Namdal regionråd'"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in FILLED:
            conn.execute(text(f"VACUUM (ANALYZE) {table}"))
    seconds = time.perf_counter() - start
    with engine.connect() as conn:
        rows = {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) or 0 for t in FILLED}
    engine.dispose()
    return Fill(seconds, rows, int(namdal or 0))


def measure(
    client: TestClient,
    engine: object,
    log: SqlLog,
    size: int,
    filled: Fill,
    args: argparse.Namespace,
) -> list[Result]:
    base = f"/{WORKSPACE}/moter"
    routes: list[tuple[str, str, dict[str, object] | None]] = [
        ("list, upcoming", base, None),
        ("list, past", base, {"tid": "tidligere"}),
        ("body's meetings, past", base, {"organ": filled.namdal, "tid": "tidligere"}),
        ("list API, past", f"/api/v1/{WORKSPACE}/meetings", {"past": "true"}),
    ]
    results = []
    for label, url, params in routes:
        start = time.perf_counter()
        for _ in range(max(args.rounds // 20, 3)):  # warm-up
            get_ok(client, url, params)
            if time.perf_counter() - start > args.budget / 4:
                break
        deadline = time.perf_counter() + args.budget
        result = Result(size, label, [], [], [])
        for i in range(args.rounds):
            with log.record() as statements:
                start = time.perf_counter()
                get_ok(client, url, params)
                result.timings.append((time.perf_counter() - start) * 1000)
            result.queries.append(len(statements))
            result.sql_ms.append(sum(s.ms for s in statements))
            if i >= 2 and time.perf_counter() > deadline:
                break
        results.append(result)
        if args.explain:
            with log.record() as statements:
                get_ok(client, url, params)
            print(f"\n=== size {size}, {label}: {url} {params or ''}")
            explain_slowest(engine, statements, top=2)  # type: ignore[arg-type]
    return results


def run_size(size: int, args: argparse.Namespace) -> list[Result]:
    name = f"samspill_bench_{size}_{uuid.uuid4().hex[:8]}"
    try:
        owner, app_url = create_database(args.owner_url, name)
        filled = fill(owner, size)
        rows = ", ".join(f"{t} {n:,}" for t, n in filled.rows.items())
        print(f"size {size:,}: filled in {filled.seconds:.1f} s (incl. VACUUM ANALYZE); {rows}")
        settings = get_settings().model_copy(
            update={"database_url": app_url, "environment": "test", "mail_worker_in_process": False}
        )
        app = create_app(settings)
        log = SqlLog()
        log.attach(app.state.engine)
        with TestClient(app) as client:
            login(client)
            results = measure(client, app.state.engine, log, size, filled, args)
        app.state.engine.dispose()
        return results
    finally:
        if args.keep:
            print(f"kept database {name}")
        else:
            drop_database(args.owner_url, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated meeting counts")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument(
        "--budget", type=float, default=60, help="seconds per route before it stops early"
    )
    parser.add_argument("--owner-url", default=OWNER_URL, help="a PostgreSQL superuser URL")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE slow statements")
    args = parser.parse_args()
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    results: list[Result] = []
    for size in sizes:
        results += run_size(size, args)

    print(f"\nPostgreSQL under RLS, logged in as {LOGIN}; queries and sql ms are medians")
    print(
        f"{'meetings':>8}  {'route':34} {'rounds':>6} {'median ms':>10} {'p95 ms':>9} "
        f"{'queries':>7} {'sql ms':>8}"
    )
    for r in results:
        print(
            f"{r.size:>8,}  {r.route:34} {len(r.timings):6} {r.median:10.2f} {r.p95:9.2f} "
            f"{statistics.median(r.queries):7.0f} {statistics.median(r.sql_ms):8.2f}"
        )
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(f"\nratio {large:,} / {small:,} (goal: median at most 1.5)")
        print(f"{'route':34} {'median':>7} {'p95':>7}")
        for route in dict.fromkeys(r.route for r in results):
            a = next(r for r in results if r.route == route and r.size == small)
            b = next(r for r in results if r.route == route and r.size == large)
            print(f"{route:34} {b.median / a.median:7.2f} {b.p95 / a.p95:7.2f}")


if __name__ == "__main__":
    main()
