"""Benchmark: the participation figures and the scheme catalogue with 1,000 and 100,000
participation records.

    .venv/bin/python bench/schemes.py [--sizes 1000,100000] [--rounds 100] [--budget 60]
        [--owner-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--keep] [--explain]

For each size it creates a throw-away PostgreSQL database, migrates it as the owner with the
project's migrate function, loads the demo, gives the Trøndelag workspace three schemes of its
own beside the seven national ones, and fills it by server-side SQL with that many
participation records: spread evenly over the years 2019–2026 and the ten schemes, statuses
drawn as a county would see them (idea 10 %, applying 15 %, granted 35 %, rejected 20 %,
withdrawn 5 %, completed 15 %), an applied amount of 50,000–2,000,000 kroner and, for granted
and completed records, a granted amount of half to all of it. Every record has a lead
municipality drawn from the 38 Trøndelag municipalities and 0–3 partners (60 % none, 20 % one,
12 % two, 8 % three), all different. Then VACUUM ANALYZE.

It then serves the app as an ordinary database role (row-level security applies as in
production), logs in as the Trøndelag coordinator and times, through the whole app stack
(`create_app` + `TestClient`):

- the figures page `/trondelag/virkemidler/deltakelse` (default: this year and the two before,
  every scheme),
- the same page for one scheme over all eight years (`?virkemiddel=…&fra=2019&til=2026`),
- the figures API `/api/v1/trondelag/participations/figures`,
- the spreadsheet `/trondelag/virkemidler/deltakelse.xlsx`,
- the catalogue page `/trondelag/virkemidler`.

It prints the fill time, then per size and route the median and 95th percentile in
milliseconds, the SQL statements per request and the time spent in SQL, and the ratio of the
largest size to the smallest per route (the goal: at most 1.5). Figures, not assertions: it
stops only if a page does not answer 200. --explain prints EXPLAIN (ANALYZE, BUFFERS) of the
slowest statements of each route, run again as the app's role in the same workspace scope.

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
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from app.counties.models import Workspace
from app.schemes import tally
from app.tenancy import set_db_scope

FIRST_YEAR, LAST_YEAR = 2019, 2026
OWN_SCHEMES = ("Trøndelags innovasjonsfond", "Klimafondet i Trøndelag", "Distriktsløftet")
FILLED = ("participation", "participation_member", "participation_tally")

FILL_OWN_SCHEMES = """
INSERT INTO scheme (workspace_id, key, name, owner, level, purpose, eligible, co_funding, areas,
                    url, status_note, reminder_days, created_at, updated_at)
SELECT :ws, NULL, n.name, 'Trøndelag fylkeskommune', 'regional', '', '', '',
       CAST('["innovation", "climate"]' AS json), '', '', CAST('[21, 7]' AS json), now(), now()
FROM unnest(CAST(:names AS text[])) AS n(name)
WHERE NOT EXISTS (SELECT 1 FROM scheme s WHERE s.workspace_id = :ws AND s.name = n.name)
"""

FILL_RECORDS = """
INSERT INTO participation (workspace_id, scheme_id, call_id, year, title, status, amount_applied,
                           amount_granted, notes, created_at, updated_at)
SELECT :ws, scheme_id, NULL, year, 'Søknad ' || g, status, applied,
       CASE WHEN status IN ('granted', 'completed')
            THEN (applied * (0.5 + 0.5 * r_granted))::bigint END,
       '', now(), now()
FROM (
    SELECT g, s[1 + floor(r_scheme * cardinality(s))::int] AS scheme_id,
           :first + floor(r_year * (:last - :first + 1))::int AS year,
           CASE WHEN r_status < 0.10 THEN 'idea' WHEN r_status < 0.25 THEN 'applying'
                WHEN r_status < 0.60 THEN 'granted' WHEN r_status < 0.80 THEN 'rejected'
                WHEN r_status < 0.85 THEN 'withdrawn' ELSE 'completed' END AS status,
           (50000 + r_applied * 1950000)::bigint AS applied, r_granted
    FROM (
        SELECT g, random() AS r_scheme, random() AS r_year, random() AS r_status,
               random() AS r_applied, random() AS r_granted
        FROM generate_series(1, :n) AS g
        OFFSET 0
    ) AS draws,
    LATERAL (SELECT CAST(:schemes AS int[]) AS s) AS lists
) AS record
ORDER BY g
"""

# The lead is member 0; partners 1..k step through the municipalities by an odd step under 19,
# which is coprime with 38, so that every member of a record is a different municipality.
FILL_MEMBERS = """
INSERT INTO participation_member (workspace_id, participation_id, municipality_number, role)
SELECT p.workspace_id, p.id, m[1 + (p.lead + j * p.step) % cardinality(m)],
       CASE WHEN j = 0 THEN 'lead' ELSE 'partner' END
FROM (
    SELECT id, workspace_id, floor(random() * 38)::int AS lead,
           1 + 2 * floor(random() * 9)::int AS step,
           CASE WHEN r < 0.60 THEN 0 WHEN r < 0.80 THEN 1 WHEN r < 0.92 THEN 2 ELSE 3 END AS k
    FROM (SELECT id, workspace_id, random() AS r FROM participation
          WHERE workspace_id = :ws AND id > :after OFFSET 0) AS drawn
    OFFSET 0
) AS p
CROSS JOIN generate_series(0, 3) AS j
CROSS JOIN LATERAL (SELECT CAST(:municipalities AS text[]) AS m) AS lists
WHERE j <= p.k
ORDER BY p.id, j
"""


@dataclass
class Fill:
    seconds: float
    rows: dict[str, int]
    digifin: int


def fill(owner_url: str, size: int) -> Fill:
    engine = create_engine(owner_url)
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("SET LOCAL work_mem = '256MB'"))
        conn.execute(text("SELECT setseed(0.42)"))
        ws, county = conn.execute(
            text("SELECT id, county_number FROM workspace WHERE slug = :s"), {"s": WORKSPACE}
        ).one()
        conn.execute(text(FILL_OWN_SCHEMES), {"ws": ws, "names": list(OWN_SCHEMES)})
        schemes = conn.scalars(
            text(
                "SELECT id FROM scheme WHERE workspace_id IS NULL OR workspace_id = :ws ORDER BY id"
            ),
            {"ws": ws},
        ).all()
        municipalities = conn.scalars(
            text("SELECT number FROM municipality WHERE county_number = :c ORDER BY number"),
            {"c": county},
        ).all()
        have = conn.scalar(
            text("SELECT count(*) FROM participation WHERE workspace_id = :ws"), {"ws": ws}
        )
        after = conn.scalar(
            text("SELECT coalesce(max(id), 0) FROM participation WHERE workspace_id = :ws"),
            {"ws": ws},
        )
        add = size - (have or 0)
        if add <= 0:
            raise SystemExit(f"the workspace already has {have} records (asked for {size})")
        conn.execute(
            text(FILL_RECORDS),
            {
                "ws": ws,
                "n": add,
                "first": FIRST_YEAR,
                "last": LAST_YEAR,
                "schemes": list(schemes),
            },
        )
        conn.execute(
            text(FILL_MEMBERS),
            {"ws": ws, "after": after, "municipalities": list(municipalities)},
        )
        digifin = conn.scalar(text("SELECT id FROM scheme WHERE key = 'digifin'"))
    # The tally the figures read, rebuilt as the app keeps it (in the service, per change).
    with Session(engine) as session, session.begin():
        workspace = session.scalars(select(Workspace).where(Workspace.slug == WORKSPACE)).one()
        set_db_scope(
            session, workspace_id=workspace.id, user_id=None, county_number=workspace.county_number
        )
        tally.refresh(session, workspace)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in FILLED:
            conn.execute(text(f"VACUUM (ANALYZE) {table}"))
    seconds = time.perf_counter() - start
    with engine.connect() as conn:
        rows = {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) or 0 for t in FILLED}
    engine.dispose()
    return Fill(seconds, rows, int(digifin or 0))


def measure(served: Served, size: int, filled: Fill, args: argparse.Namespace) -> list[Result]:
    base = f"/{WORKSPACE}/virkemidler"
    routes: list[tuple[str, str, dict[str, object] | None]] = [
        ("figures page", f"{base}/deltakelse", None),
        (
            "figures page, one scheme, 8 years",
            f"{base}/deltakelse",
            {"virkemiddel": filled.digifin, "fra": FIRST_YEAR, "til": LAST_YEAR},
        ),
        ("figures API", f"/api/v1/{WORKSPACE}/participations/figures", None),
        ("figures XLSX", f"{base}/deltakelse.xlsx", None),
        ("catalogue page", base, None),
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
    add_arguments(parser, sizes="1000,100000", unit="record", rounds=100, budget=60)
    args = parser.parse_args()
    sizes = sizes_of(args)
    results: list[Result] = []
    for size in sizes:
        results += run_size(size, args)
    print_results(results, sizes, unit="records", width=34, goal="median at most 1.5")


if __name__ == "__main__":
    main()
