"""Benchmark: the hjelpekorps queue and request pages with 10,000 and 1,000,000 requests.

    .venv/bin/python bench/helpdesk.py [--sizes 10000,1000000] [--rounds 200] [--budget 120]
        [--owner-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--keep] [--explain]

For each size it creates a throw-away PostgreSQL database, migrates it as the owner with the
project's migrate function, loads the demo, and fills the Trøndelag workspace with generated
requests up to that many (spread over five years, municipalities, states, categories and
priorities, with helpers, history events and messages), using server-side SQL. It then serves
the app as an ordinary database role, so that row-level security applies as in production, logs
in as the Trøndelag coordinator through the login form and times, through the whole app stack
(`create_app` + `TestClient`):

- the unassigned queue `/trondelag/hjelp?visning=ufordelt`,
- its second page (the "older requests" link, `før=`, read from the first page),
- a request page `/trondelag/hjelp/{number}` for a random number each round (mostly closed
  requests, as in the data), and
- a request page for a random open request (the coordinator sees the triage form).

It prints the fill time, then per size and route the median and 95th percentile in
milliseconds, the SQL statements per request and the time spent in SQL, and finally the ratio of
the largest size to the smallest per route (the goal: 1,000,000 under 1.5 × 10,000). Figures,
not assertions: it stops only if a page does not answer 200. A route that is very slow stops
after --budget seconds with the rounds it got (the table shows how many).

--explain prints EXPLAIN (ANALYZE, BUFFERS) of the slowest SQL statements of each route (and of
the query that numbers a new request), run again as the app's role in the same workspace scope.
--keep keeps the databases (their names are printed) for digging further with psql.

The owner URL must be a superuser (the bulk load skips foreign-key triggers). The app connects as
the role samspill_bench_app, created without a password if missing (trust authentication on
local connections, as in the tests) and left in place. The databases are named
samspill_bench_<size>_<random> and dropped at the end unless --keep is given.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from dataclasses import dataclass

from common import LOGIN as LOGIN
from common import OWNER_URL as OWNER_URL
from common import WORKSPACE as WORKSPACE
from common import Result as Result
from common import (
    Served,
    add_arguments,
    print_results,
    serve,
    sizes_of,
    throwaway_database,
    time_route,
)
from common import SqlLog as SqlLog
from common import Statement as Statement
from common import create_database as create_database
from common import drop_database as drop_database
from common import explain_slowest as explain_slowest
from common import get_ok as get_ok
from common import login as login
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.orm import Session

from app.db import make_engine

YEARS = 5  # generated requests are spread over this many years back from now

# --- what the generated data looks like ---------------------------------------------------

# Final state by age: most recent requests are still being worked, older ones are closed, and a
# few old ones were forgotten in an open state. Cumulative shares of new, triaged, assigned,
# in_progress, waiting_for_municipality, resolved (closed is the rest).
STATE_MIX = {
    "under_30_days": (0.15, 0.25, 0.35, 0.60, 0.70, 0.90, 1.0),
    "under_180_days": (0.01, 0.02, 0.04, 0.09, 0.12, 0.42, 1.0),
    "older": (0.001, 0.002, 0.003, 0.004, 0.005, 0.10, 1.0),
}
CATEGORIES = (
    "funding",
    "service_design",
    "reuse",
    "benefits",
    "digitalisation",
    "procurement",
    "climate",
    "other",
)
TITLES = (
    "Søknad om skjønnsmidler til velferdsteknologi",
    "Hjelp med budsjett til Forkommune-søknad",
    "Tjenestedesign for innbyggerdialog",
    "Ta i bruk nabokommunens løsning for timebestilling",
    "Gevinstplan etter nytt fagsystem",
    "Innføring av digital postkasse",
    "Felles anskaffelse av trygghetsalarmer",
    "Klimabudsjett for første gang",
    "Risikovurdering før skytjeneste",
    "Digital søknad om barnehageplass",
    "Samarbeidsavtale med nabokommunene",
    "Kartlegging av digital kompetanse",
    "Innbyggerundersøkelse om digitale tjenester",
    "Overgang til nytt sak-/arkivsystem",
    "Prosjektplan for smart vann og avløp",
    "Veikart for digitalisering i helse og omsorg",
)
SENTENCES = (
    "Vi er en liten kommune og har ingen som har gjort dette før.",
    "Kommunedirektøren ønsker en anbefaling før neste formannskapsmøte.",
    "Vi har sett at andre kommuner i regionen har fått det til og vil gjerne lære av dem.",
    "Fristen for søknaden er om fire uker, så vi trenger hjelp ganske raskt.",
    "Det gjelder både budsjett, framdriftsplan og hvordan vi måler gevinster.",
    "Vi lurer på om det finnes en felles avtale vi kan slutte oss til.",
    "Fagsystemet er innført, men de ansatte bruker fortsatt de gamle rutinene.",
    "Kan noen fra hjelpekorpset komme hit en dag og gå gjennom planen med oss?",
    "Vi har laget et utkast og trenger noen som leser det kritisk.",
    "Personvern og informasjonssikkerhet er det vi er mest usikre på.",
    "Regionrådet har bedt oss koordinere arbeidet for flere kommuner.",
    "Vi har satt av midler i årets budsjett, men mangler kapasitet.",
)

# The history of a request, by its final state: (kind, from, to, after, share of age, actor,
# optional). A step happens `after` the request was filed, or at `share of age` of its age if
# that is sooner. Resolved and closed steps use the request's resolved_at and closed_at. A
# quarter of the resolved and closed requests waited for the municipality once on the way (the
# optional steps).
Step = tuple[str, str | None, str | None, str | None, float | None, str, bool]
_FILED: Step = ("filed", None, "new", "0", 0.0, "requester", False)
_TRIAGED: list[Step] = [
    ("triage", None, None, "2 hours", 0.1, "coordinator", False),
    ("transition", "new", "triaged", "2 hours", 0.1, "coordinator", False),
]
_ASSIGNED: list[Step] = [
    ("triage", None, None, "4 hours", 0.2, "coordinator", False),
    ("transition", "triaged", "assigned", "4 hours", 0.2, "coordinator", False),
]
_WORKING: list[Step] = [("transition", "assigned", "in_progress", "1 day", 0.4, "helper", False)]
_WAIT: Step = (
    "transition",
    "in_progress",
    "waiting_for_municipality",
    "2 days",
    0.5,
    "helper",
    False,
)
_BACK: Step = (
    "transition",
    "waiting_for_municipality",
    "in_progress",
    "4 days",
    0.6,
    "requester",
    True,
)
_WAIT_ONCE: Step = (*_WAIT[:6], True)
_DONE: list[Step] = [("transition", "in_progress", "resolved", None, None, "helper", False)]
_CLOSED: list[Step] = [("transition", "resolved", "closed", None, None, "coordinator", False)]
PATHS: dict[str, list[Step]] = {
    "new": [_FILED],
    "triaged": [_FILED, *_TRIAGED],
    "assigned": [_FILED, *_TRIAGED, *_ASSIGNED],
    "in_progress": [_FILED, *_TRIAGED, *_ASSIGNED, *_WORKING],
    "waiting_for_municipality": [_FILED, *_TRIAGED, *_ASSIGNED, *_WORKING, _WAIT],
    "resolved": [_FILED, *_TRIAGED, *_ASSIGNED, *_WORKING, _WAIT_ONCE, _BACK, *_DONE],
    "closed": [
        _FILED,
        *_TRIAGED,
        *_ASSIGNED,
        *_WORKING,
        _WAIT_ONCE,
        _BACK,
        *_DONE,
        *_CLOSED,
    ],
}
# The columns each fill writes. Anything else must be nullable or have a default, so that the
# bench keeps working when columns are added; a new required column stops it with a message.
FILLED_COLUMNS = {
    "help_request": {
        "workspace_id",
        "number",
        "municipality_number",
        "requester_id",
        "title",
        "description",
        "category",
        "urgency",
        "priority",
        "on_site",
        "state",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "rating",
        "created_at",
        "updated_at",
        "first_response_minutes",
        "resolution_minutes",
    },
    "request_assignee": {"workspace_id", "request_id", "user_id", "assigned_at", "request_open"},
    "request_event": {
        "workspace_id",
        "request_id",
        "actor_id",
        "at",
        "kind",
        "from_state",
        "to_state",
        "detail",
    },
    "request_message": {
        "workspace_id",
        "request_id",
        "author_id",
        "internal",
        "body",
        "created_at",
    },
}

# One INSERT … SELECT per table. Random values come from PostgreSQL's random() after setseed(),
# so a run is repeatable. The innermost subquery draws the random numbers once per row (OFFSET 0
# keeps the planner from merging it into the outer query and drawing them again).
FILL_REQUESTS = """
INSERT INTO help_request (
    workspace_id, number, municipality_number, requester_id, title, description, category,
    urgency, priority, on_site, state, first_response_at, resolved_at, closed_at, rating,
    created_at, updated_at, first_response_minutes, resolution_minutes)
SELECT :ws, :base + g, muni,
       CASE WHEN muni = :own_municipality THEN :municipal_user ELSE :coordinator END,
       title, description, category, urgency, priority, on_site, state,
       first_response_at, resolved_at, closed_at, rating,
       created_at, greatest(created_at, first_response_at, resolved_at, closed_at),
       -- working minutes, roughly: 37.5 working hours in a week of 168
       (extract(epoch FROM first_response_at - created_at) / 60 * 37.5 / 168)::int,
       (extract(epoch FROM resolved_at - created_at) / 60 * 37.5 / 168)::int
FROM (
    SELECT *,
           CASE WHEN state = 'new' OR r_priority >= 0.2 THEN urgency
                ELSE (ARRAY['low', 'normal', 'high', 'urgent'])[1 + floor(r_priority * 20)::int]
           END AS priority,
           CASE WHEN state IN ('in_progress', 'waiting_for_municipality', 'resolved', 'closed')
                THEN created_at + least(interval '1 day', age * 0.4) END AS first_response_at,
           CASE WHEN state IN ('resolved', 'closed')
                THEN created_at + least(interval '5 days' + r_time * interval '15 days', age * 0.8)
           END AS resolved_at,
           CASE WHEN state = 'closed'
                THEN created_at + least(interval '12 days' + r_time * interval '15 days', age * 0.9)
           END AS closed_at,
           CASE WHEN state IN ('resolved', 'closed') AND r_rating < 0.4
                THEN 1 + floor(5 * sqrt(r_rating / 0.4))::int END AS rating
    FROM (
        SELECT *,
               CASE WHEN r_state < mix[1] THEN 'new' WHEN r_state < mix[2] THEN 'triaged'
                    WHEN r_state < mix[3] THEN 'assigned' WHEN r_state < mix[4] THEN 'in_progress'
                    WHEN r_state < mix[5] THEN 'waiting_for_municipality'
                    WHEN r_state < mix[6] THEN 'resolved' ELSE 'closed' END AS state
        FROM (
            SELECT g, created_at, now() - created_at AS age,
                   r_state, r_priority, r_time, r_rating,
                   CASE WHEN created_at > now() - interval '30 days' THEN :mix_recent
                        WHEN created_at > now() - interval '180 days' THEN :mix_months
                        ELSE :mix_older END AS mix,
                   m[1 + floor(r_municipality * cardinality(m))::int] AS muni,
                   t[1 + floor(r_title * cardinality(t))::int] AS title,
                   s[1 + floor(r_text1 * cardinality(s))::int] || ' '
                       || s[1 + floor(r_text2 * cardinality(s))::int] || ' '
                       || s[1 + floor(r_text3 * cardinality(s))::int] AS description,
                   c[1 + floor(r_category * cardinality(c))::int] AS category,
                   CASE WHEN r_urgency < 0.20 THEN 'low' WHEN r_urgency < 0.75 THEN 'normal'
                        WHEN r_urgency < 0.95 THEN 'high' ELSE 'urgent' END AS urgency,
                   r_site < 0.15 AS on_site
            FROM (
                SELECT g, now() - make_interval(years => :years) * (1 - (g - 1 + random()) / :n)
                           AS created_at,
                       random() AS r_state, random() AS r_priority, random() AS r_time,
                       random() AS r_rating, random() AS r_municipality, random() AS r_title,
                       random() AS r_text1, random() AS r_text2, random() AS r_text3,
                       random() AS r_category, random() AS r_urgency, random() AS r_site
                FROM generate_series(1, :n) AS g
                OFFSET 0
            ) AS draws,
            LATERAL (SELECT CAST(:municipalities AS text[]) AS m, CAST(:titles AS text[]) AS t,
                            CAST(:sentences AS text[]) AS s, CAST(:categories AS text[]) AS c)
                AS lists
        ) AS drawn
    ) AS stated
) AS request
"""

# Every request past triage has a helper (the helper most often); one in seven has a second.
# One in fifty of those past "assigned" lost its helpers again (then unassigned in the queue).
FILL_ASSIGNEES = """
INSERT INTO request_assignee (workspace_id, request_id, user_id, assigned_at, request_open)
SELECT h.workspace_id, h.id,
       CASE WHEN k = 0 THEN first.user_id
            WHEN first.user_id = :helper THEN :coordinator ELSE :helper END,
       h.created_at + least(interval '4 hours', (now() - h.created_at) * 0.2),
       h.state NOT IN ('resolved', 'closed')
FROM help_request AS h
CROSS JOIN LATERAL (SELECT (CAST(:staff AS int[]))[1 + h.id % cardinality(:staff)] AS user_id)
    AS first
CROSS JOIN generate_series(0, 1) AS k
WHERE h.workspace_id = :ws AND h.number > :base
  AND h.state IN ('assigned', 'in_progress', 'waiting_for_municipality', 'resolved', 'closed')
  AND (h.state = 'assigned' OR h.id % 50 <> 0)
  AND (k = 0 OR h.id % 7 = 0)
ORDER BY h.id, k
"""

FILL_EVENTS = """
INSERT INTO request_event (workspace_id, request_id, actor_id, at, kind, from_state, to_state,
                           detail)
SELECT h.workspace_id, h.id,
       CASE s.actor WHEN 'requester' THEN h.requester_id WHEN 'coordinator' THEN :coordinator
                    ELSE :helper END,
       CASE s.to_state WHEN 'resolved' THEN h.resolved_at WHEN 'closed' THEN h.closed_at
            ELSE h.created_at + least(s.after, (now() - h.created_at) * s.share) END,
       s.kind, s.from_state, s.to_state,
       CASE WHEN s.kind <> 'triage' THEN '{}'::json
            WHEN s.seq > 3 THEN json_build_object('assignees', json_build_array(:helper))
            ELSE json_build_object('assignees', json_build_array()) END
FROM help_request AS h
JOIN json_to_recordset(CAST(:steps AS json)) AS s(final text, seq int, kind text, from_state text,
                                    to_state text, after interval, share float8, actor text,
                                    optional bool)
  ON s.final = h.state
WHERE h.workspace_id = :ws AND h.number > :base AND (NOT s.optional OR h.id % 4 = 0)
ORDER BY h.id, s.seq
"""

# A public reply from the helper when work started (the first response), the municipality's
# answer when it was waited for, and an internal note on one request in seven.
FILL_MESSAGES = """
INSERT INTO request_message (workspace_id, request_id, author_id, internal, body, created_at)
SELECT h.workspace_id, h.id, m.author, m.internal, m.body, m.at
FROM help_request AS h
CROSS JOIN LATERAL (VALUES
    (1, h.id % 7 = 0, :coordinator, true,
     'Internt: sjekk om nabokommunene vil være med.',
     h.created_at + least(interval '3 hours', (now() - h.created_at) * 0.15)),
    (2, h.first_response_at IS NOT NULL, :helper, false,
     'Takk, vi har satt av tid og tar kontakt denne uka.', h.first_response_at),
    (3, h.state IN ('resolved', 'closed') AND h.id % 4 = 0, h.requester_id, false,
     'Her er opplysningene dere ba om. Vi har snakket med fagavdelingen.',
     h.created_at + least(interval '4 days', (now() - h.created_at) * 0.6) - interval '1 hour')
) AS m(seq, wanted, author, internal, body, at)
WHERE h.workspace_id = :ws AND h.number > :base AND m.wanted
ORDER BY h.id, m.seq
"""


# --- databases --------------------------------------------------------------------------------


def check_columns(conn: Connection) -> None:
    """Stop with a clear message if a table got a required column this bench does not fill."""
    rows = conn.execute(
        text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = ANY(:tables) "
            "AND is_nullable = 'NO' AND column_default IS NULL"
        ),
        {"tables": list(FILLED_COLUMNS)},
    )
    missing = [f"{t}.{c}" for t, c in rows if c not in FILLED_COLUMNS[t]]
    if missing:
        raise SystemExit(f"required columns the bench does not fill: {', '.join(missing)}")


@dataclass
class Fill:
    seconds: float
    rows: dict[str, int]
    unassigned: int
    open_numbers: list[int]


def fill(owner_url: str, size: int) -> Fill:
    """Fill the workspace's help requests up to `size`, with their related rows, then VACUUM
    ANALYZE (as autovacuum would have done on a table that grew over years)."""
    engine = create_engine(owner_url)
    start = time.perf_counter()
    with engine.begin() as conn:
        check_columns(conn)
        # The owner is a superuser: row-level security does not apply. Foreign-key triggers are
        # skipped for the bulk load (the generated rows refer only to rows that exist).
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("SET LOCAL work_mem = '256MB'"))
        conn.execute(text("SELECT setseed(0.42)"))
        ws, county = conn.execute(
            text("SELECT id, county_number FROM workspace WHERE slug = :s"), {"s": WORKSPACE}
        ).one()
        users: dict[str, int] = {
            email: id_ for email, id_ in conn.execute(text("SELECT email, id FROM user_account"))
        }
        municipalities = conn.scalars(
            text("SELECT number FROM municipality WHERE county_number = :c ORDER BY number"),
            {"c": county},
        ).all()
        count, base = conn.execute(
            text(
                "SELECT count(*), coalesce(max(number), 0) FROM help_request "
                "WHERE workspace_id = :ws"
            ),
            {"ws": ws},
        ).one()
        add = size - count
        if add <= 0:
            raise SystemExit(f"the workspace already has {count} requests (asked for {size})")
        helper = users["hjelper@trondelag.demo"]
        coordinator = users["koordinator@trondelag.demo"]
        staff = [helper, helper, coordinator, helper, users["admin@samspill.demo"]]
        steps = [
            {
                "final": final,
                "seq": seq,
                "kind": kind,
                "from_state": from_state,
                "to_state": to_state,
                "after": after,
                "share": share,
                "actor": actor,
                "optional": optional,
            }
            for final, path in PATHS.items()
            for seq, (kind, from_state, to_state, after, share, actor, optional) in enumerate(
                path, 1
            )
        ]
        common = {"ws": ws, "base": base, "coordinator": coordinator, "helper": helper}
        conn.execute(
            text(FILL_REQUESTS),
            {
                **common,
                "n": add,
                "years": YEARS,
                "own_municipality": "5020",
                "municipal_user": users["kommunedirektor@osen.demo"],
                "municipalities": municipalities,
                "titles": list(TITLES),
                "sentences": list(SENTENCES),
                "categories": list(CATEGORIES),
                "mix_recent": list(STATE_MIX["under_30_days"]),
                "mix_months": list(STATE_MIX["under_180_days"]),
                "mix_older": list(STATE_MIX["older"]),
            },
        )
        conn.execute(text(FILL_ASSIGNEES), {**common, "staff": staff})
        conn.execute(text(FILL_EVENTS), {**common, "steps": json.dumps(steps)})
        conn.execute(text(FILL_MESSAGES), common)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in FILLED_COLUMNS:
            conn.execute(text(f"VACUUM (ANALYZE) {table}"))
    seconds = time.perf_counter() - start
    with engine.connect() as conn:
        rows = {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) or 0 for t in FILLED_COLUMNS}
        unassigned = conn.scalar(
            text(
                "SELECT count(*) FROM help_request h WHERE h.workspace_id = :ws AND h.state IN "
                "('new', 'triaged', 'assigned', 'in_progress', 'waiting_for_municipality') "
                "AND NOT EXISTS (SELECT 1 FROM request_assignee a WHERE a.request_id = h.id)"
            ),
            {"ws": ws},
        )
        open_numbers = conn.scalars(
            text(
                "SELECT number FROM help_request WHERE workspace_id = :ws "
                "AND state NOT IN ('resolved', 'closed') ORDER BY number"
            ),
            {"ws": ws},
        ).all()
    engine.dispose()
    return Fill(seconds, rows, unassigned or 0, list(open_numbers))


# --- measuring ----------------------------------------------------------------------------------


def measure(
    served: Served,
    size: int,
    open_numbers: list[int],
    args: argparse.Namespace,
) -> list[Result]:
    base = f"/{WORKSPACE}/hjelp"
    unassigned = {"visning": "ufordelt"}
    first_page = get_ok(served.client, base, unassigned)
    found = re.search(r"før=(\d+)", first_page)
    if found is None:
        raise SystemExit(f"size {size}: the unassigned queue has no second page")
    second = {"visning": "ufordelt", "før": found.group(1)}
    pick = random.Random(size)
    # Each route: a label and a function giving the URL and parameters of one round. A random
    # request is most often a closed one; an open one shows the coordinator the triage form.
    routes = [
        ("unassigned queue", lambda: (base, unassigned)),
        ("unassigned queue, page 2", lambda: (base, second)),
        ("request page (random)", lambda: (f"{base}/{pick.randint(1, size)}", None)),
        ("request page (open, random)", lambda: (f"{base}/{pick.choice(open_numbers)}", None)),
    ]
    return [time_route(served, size, label, target, args) for label, target in routes]


def explain_numbering(app_url: str) -> None:
    """EXPLAIN the query that gives a new request its number (max(number) in the workspace)."""
    from app.counties.models import Workspace
    from app.helpdesk import lifecycle
    from app.tenancy import set_db_scope

    engine = make_engine(app_url)
    log = SqlLog()
    log.attach(engine)
    with Session(engine) as session:
        ws = session.query(Workspace).filter_by(slug=WORKSPACE).one()
        with log.record() as statements:
            set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
            lifecycle._next_number(session, ws)
        session.rollback()
    print("\n=== numbering a new request (lifecycle._next_number)")
    explain_slowest(engine, statements)
    engine.dispose()


def run_size(size: int, args: argparse.Namespace) -> list[Result]:
    with throwaway_database(args, size) as (owner, app_url):
        filled = fill(owner, size)
        rows = ", ".join(f"{t} {n:,}" for t, n in filled.rows.items())
        print(
            f"size {size:,}: filled in {filled.seconds:.1f} s (incl. VACUUM ANALYZE); "
            f"{rows}; {filled.unassigned:,} open and unassigned",
            flush=True,
        )
        with serve(app_url) as served:
            results = measure(served, size, filled.open_numbers, args)
        if args.explain:
            explain_numbering(app_url)
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser, sizes="10000,1000000", unit="request", rounds=200, budget=120)
    args = parser.parse_args()
    sizes = sizes_of(args)
    results: list[Result] = []
    for size in sizes:
        results += run_size(size, args)
    print_results(results, sizes, unit="size", width=28)


if __name__ == "__main__":
    main()
