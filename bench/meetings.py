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

The helpers that create and drop the databases, log in, record SQL, time the routes and
print the table are in bench/common.py (same owner URL, same app role samspill_bench_app).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

from common import (
    WORKSPACE,
    Result,
    Served,
    add_arguments,
    print_results,
    serve,
    sizes_of,
    throwaway_database,
    time_routes,
)
from sqlalchemy import create_engine, text

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


def measure(served: Served, size: int, filled: Fill, args: argparse.Namespace) -> list[Result]:
    base = f"/{WORKSPACE}/moter"
    routes: list[tuple[str, str, dict[str, object] | None]] = [
        ("list, upcoming", base, None),
        ("list, past", base, {"tid": "tidligere"}),
        ("body's meetings, past", base, {"organ": filled.namdal, "tid": "tidligere"}),
        ("list API, past", f"/api/v1/{WORKSPACE}/meetings", {"past": "true"}),
    ]
    return time_routes(served, size, routes, args)


def run_size(size: int, args: argparse.Namespace) -> list[Result]:
    with throwaway_database(args, size) as (owner, app_url):
        filled = fill(owner, size)
        rows = ", ".join(f"{t} {n:,}" for t, n in filled.rows.items())
        print(f"size {size:,}: filled in {filled.seconds:.1f} s (incl. VACUUM ANALYZE); {rows}")
        with serve(app_url) as served:
            return measure(served, size, filled, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    add_arguments(parser, sizes="10000,100000", unit="meeting", rounds=100, budget=60)
    args = parser.parse_args()
    sizes = sizes_of(args)
    results: list[Result] = []
    for size in sizes:
        results += run_size(size, args)
    print_results(results, sizes, unit="meetings", width=34, goal="median at most 1.5")


if __name__ == "__main__":
    main()
