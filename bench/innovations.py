"""Benchmark: the innovation registry (with and without search), the spread page, its API and
an innovation page with 1,000 and 100,000 adoptions.

    .venv/bin/python bench/innovations.py [--sizes 1000,100000] [--rounds 60] [--budget 30]
        [--innovations 3000] [--own 500]
        [--owner-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--keep] [--explain]

For each size (a number of adoptions) it creates a throw-away PostgreSQL database, migrates it
as the owner with the project's migrate function, loads the demo, and fills it by server-side
SQL with --innovations innovations whatever the size: --own of them Trøndelag's own (made in a
Trøndelag municipality, one in five shared), the rest made in the other demo counties'
municipalities and shared with every county. Titles, problems and solutions are drawn from a
Norwegian vocabulary with a Zipf-like frequency (the first words common, the last rare), and one
innovation in 1,000 mentions "reindrift", so that search has a common and a rare word to find.
Then that many adoptions, recorded by Trøndelag for its 38 municipalities: distinct (innovation,
municipality) pairs drawn at random from every pair (3,000 × 38 = 114,000 at most), status in
use 60 %, considering, planned, in progress 10 % each, abandoned 10 %, the in-use ones taken
into use on a day in 2019–2026. Then the adoption tallies (app/innovations/tally.py) rebuilt as
the app keeps them, for every workspace with adoptions, and VACUUM ANALYZE.

It then serves the app as an ordinary database role (row-level security applies as in
production), logs in as the Trøndelag coordinator and times, through the whole app stack
(`create_app` + `TestClient`):

- the registry `/trondelag/innovasjoner` (the county's own, the most spread first),
- the registry searched for a common word and for a rare word (`?q=…`),
- the spread page `/trondelag/innovasjoner/spredning` and the same page for 200 innovations,
- the spread API `/api/v1/trondelag/innovations/spread`,
- the innovation page `/trondelag/innovasjoner/{id}` of the most adopted innovation.

It prints the fill time, then per size and route the median and 95th percentile in
milliseconds, the SQL statements per request and the time spent in SQL, and the ratio of the
largest size to the smallest per route (the goal: median at most 1.5). Figures, not
assertions: it stops only if a page does not answer 200. --explain prints EXPLAIN (ANALYZE,
BUFFERS) of the slowest statements of each route at each size, run again as the app's role in
the same workspace scope.

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
from sqlalchemy.orm import Session

from app.counties.models import Workspace
from app.innovations import tally
from app.tenancy import set_db_scope

FILLED = ("innovation", "adoption", "adoption_spread", "adoption_pair")
RARE_WORD = "reindrift"
COMMON_WORD = "tjenesten"
WORDS = [
    "tjenesten",
    "kommunen",
    "innbyggerne",
    "digital",
    "løsning",
    "hjemmetjenesten",
    "skole",
    "barnehage",
    "helse",
    "omsorg",
    "samarbeid",
    "saksbehandling",
    "velferdsteknologi",
    "sensor",
    "nattilsyn",
    "chatbot",
    "selvbetjening",
    "innsyn",
    "arkiv",
    "plan",
    "bygg",
    "vann",
    "avløp",
    "renovasjon",
    "kart",
    "geodata",
    "legevakt",
    "rus",
    "psykisk",
    "helse",
    "frivillighet",
    "ungdom",
    "kultur",
    "bibliotek",
    "idrett",
    "næring",
    "landbruk",
    "skog",
    "fiske",
    "havbruk",
    "turisme",
    "beredskap",
    "brann",
    "klima",
    "energi",
    "transport",
    "vei",
    "skyss",
    "læring",
    "foreldre",
    "elever",
    "lærere",
    "vikar",
    "ernæring",
    "medisin",
    "dosett",
    "trygghetsalarm",
    "digitalt",
    "tilsyn",
    "varsling",
    "meldinger",
]

FILL_INNOVATIONS = """
INSERT INTO innovation (workspace_id, title, problem, solution, areas, origin_municipality_number,
                        origin_body_id, contact_name, contact_email, phase, adoption_cost, links,
                        internal_note, shared, shared_at, archived_at, created_at, updated_at)
SELECT ws, title, problem, solution, CAST('["digitalisation"]' AS json), origin, NULL, 'Kari',
       'kari@kommune.no', phase, '', CAST('[]' AS json), '', shared,
       CASE WHEN shared THEN now() END, NULL, now(), now()
FROM (
    SELECT g,
           CASE WHEN g <= :own THEN :ws ELSE o.ws[1 + (g % cardinality(o.ws))] END AS ws,
           CASE WHEN g <= :own THEN t.m[1 + (g % cardinality(t.m))]
                ELSE o.m[1 + (g % cardinality(o.m))] END AS origin,
           (g > :own OR g % 5 = 0) AS shared,
           (ARRAY['anchoring','insight','development','piloting','transition',
                  'new_practice'])[1 + g % 6] AS phase,
           initcap(w[1 + floor(power(random(), 2) * cardinality(w))::int]) || ' ' ||
               w[1 + floor(power(random(), 2) * cardinality(w))::int] || ' ' || g AS title,
           'Vi trenger ' || w[1 + floor(power(random(), 3) * cardinality(w))::int] || ' og ' ||
               w[1 + floor(random() * cardinality(w))::int] || ' for ' ||
               w[1 + floor(power(random(), 2) * cardinality(w))::int] || '.' AS problem,
           'Løsningen gir ' || w[1 + floor(power(random(), 3) * cardinality(w))::int] || ' med ' ||
               w[1 + floor(random() * cardinality(w))::int] ||
               CASE WHEN g % 1000 = 7 THEN ' innen ' || :rare ELSE '' END || '.' AS solution
    FROM generate_series(1, :n) AS g,
         LATERAL (SELECT CAST(:words AS text[]) AS w) AS words,
         LATERAL (SELECT CAST(:trondelag AS text[]) AS m) AS t,
         LATERAL (SELECT CAST(:other_ws AS int[]) AS ws, CAST(:other_m AS text[]) AS m) AS o
    OFFSET 0
) AS drawn
ORDER BY g
"""

# Distinct (innovation, municipality) pairs at random; statuses and dates drawn per pair.
FILL_ADOPTIONS = """
INSERT INTO adoption (workspace_id, innovation_id, municipality_number, status, reason,
                      started_on, in_use_on, help_request_id, created_at, updated_at)
SELECT :ws, innovation_id, number, status,
       CASE WHEN status = 'abandoned' THEN 'Passet ikke for oss' ELSE '' END,
       day - 60, CASE WHEN status = 'in_use' THEN day END, NULL, now(), now()
FROM (
    SELECT innovation_id, number,
           CASE WHEN r < 0.60 THEN 'in_use' WHEN r < 0.70 THEN 'considering'
                WHEN r < 0.80 THEN 'planned' WHEN r < 0.90 THEN 'in_progress'
                ELSE 'abandoned' END AS status,
           DATE '2019-01-01' + floor(r_day * (DATE '2026-11-30' - DATE '2019-01-01'))::int
               AS day
    FROM (
        SELECT i.id AS innovation_id, m.number, random() AS r, random() AS r_day
        FROM innovation i
        CROSS JOIN (SELECT number FROM municipality WHERE county_number = :county) AS m
        WHERE NOT EXISTS (SELECT 1 FROM adoption a WHERE a.workspace_id = :ws
                          AND a.innovation_id = i.id AND a.municipality_number = m.number)
        ORDER BY random()
        LIMIT :n
    ) AS pairs
) AS drawn
ORDER BY innovation_id, number
"""


@dataclass
class Fill:
    seconds: float
    rows: dict[str, int]
    most_adopted: int


def fill(owner_url: str, size: int, args: argparse.Namespace) -> Fill:
    engine = create_engine(owner_url)
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("SET LOCAL work_mem = '256MB'"))
        conn.execute(text("SELECT setseed(0.42)"))
        ws, county = conn.execute(
            text("SELECT id, county_number FROM workspace WHERE slug = :s"), {"s": WORKSPACE}
        ).one()
        others = conn.execute(
            text("SELECT id, county_number FROM workspace WHERE id <> :ws ORDER BY id"),
            {"ws": ws},
        ).all()
        trondelag = conn.scalars(
            text("SELECT number FROM municipality WHERE county_number = :c ORDER BY number"),
            {"c": county},
        ).all()
        other_m = conn.scalars(
            text("SELECT number FROM municipality WHERE county_number = ANY(:c) ORDER BY number"),
            {"c": [c for _id, c in others]},
        ).all()
        conn.execute(
            text(FILL_INNOVATIONS),
            {
                "ws": ws,
                "n": args.innovations,
                "own": args.own,
                "words": WORDS,
                "rare": RARE_WORD,
                "trondelag": list(trondelag),
                "other_ws": [i for i, _c in others] or [ws],
                "other_m": list(other_m) or list(trondelag),
            },
        )
        conn.execute(text(FILL_ADOPTIONS), {"ws": ws, "county": county, "n": size})
        most = conn.scalar(
            text(
                "SELECT innovation_id FROM adoption a JOIN innovation i ON i.id = a.innovation_id "
                "WHERE i.workspace_id = :ws GROUP BY innovation_id "
                "ORDER BY count(*) DESC, innovation_id LIMIT 1"
            ),
            {"ws": ws},
        )
    # The tallies the spread figures read, rebuilt as the app keeps them (in the service, per
    # change), for every workspace that has adoptions (the fill's and the demo's).
    with Session(engine) as session, session.begin():
        recorded = session.scalars(text("SELECT DISTINCT workspace_id FROM adoption")).all()
        for ws_id in sorted(recorded):
            workspace = session.get(Workspace, ws_id)
            assert workspace is not None
            set_db_scope(
                session,
                workspace_id=workspace.id,
                user_id=None,
                county_number=workspace.county_number,
            )
            tally.refresh(session, workspace)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in FILLED:
            conn.execute(text(f"VACUUM (ANALYZE) {table}"))
    seconds = time.perf_counter() - start
    with engine.connect() as conn:
        rows = {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) or 0 for t in FILLED}
        rows["shared innovations"] = (
            conn.scalar(text("SELECT count(*) FROM innovation WHERE shared")) or 0
        )
        rows[f"matching '{COMMON_WORD}'"] = (
            conn.scalar(
                text(
                    "SELECT count(*) FROM innovation WHERE workspace_id = :ws AND search_vector @@ "
                    "websearch_to_tsquery('norwegian', :q)"
                ),
                {"ws": ws, "q": COMMON_WORD},
            )
            or 0
        )
    engine.dispose()
    return Fill(seconds, rows, int(most or 0))


def measure(served: Served, size: int, filled: Fill, args: argparse.Namespace) -> list[Result]:
    base = f"/{WORKSPACE}/innovasjoner"
    routes: list[tuple[str, str, dict[str, object] | None]] = [
        ("registry", base, None),
        ("registry, search common word", base, {"q": COMMON_WORD}),
        ("registry, search rare word", base, {"q": RARE_WORD}),
        ("spread page", f"{base}/spredning", None),
        ("spread page, 200 innovations", f"{base}/spredning", {"antall": 200}),
        ("spread API", f"/api/v1/{WORKSPACE}/innovations/spread", None),
        ("innovation page (most adopted)", f"{base}/{filled.most_adopted}", None),
    ]
    # A page another developer has not finished yet is said and not timed.
    return time_routes(served, size, routes, args, skip_failing=True)


def run_size(size: int, args: argparse.Namespace) -> list[Result]:
    with throwaway_database(args, size) as (owner, app_url):
        filled = fill(owner, size, args)
        rows = ", ".join(f"{t} {n:,}" for t, n in filled.rows.items())
        print(f"size {size:,}: filled in {filled.seconds:.1f} s (incl. VACUUM ANALYZE); {rows}")
        with serve(app_url) as served:
            return measure(served, size, filled, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    add_arguments(parser, sizes="1000,100000", unit="adoption", rounds=60, budget=30)
    parser.add_argument("--innovations", type=int, default=3000)
    parser.add_argument("--own", type=int, default=500, help="of them Trøndelag's own")
    args = parser.parse_args()
    sizes = sizes_of(args)
    results: list[Result] = []
    for size in sizes:
        results += run_size(size, args)
    print_results(results, sizes, unit="adoptions", width=32, goal="median at most 1.5")


if __name__ == "__main__":
    main()
