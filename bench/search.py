"""Benchmark: strategies search at 200,000 consultation comments on PostgreSQL, as the ordinary
app role with row-level security on.

    .venv/bin/python bench/search.py [--size 200000] [--others 2] [--rounds 30] [--explain]
        [--owner-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--keep]
        [--reuse NAME] [--sqlite]

It creates a throw-away database (migrated, demo loaded), fills the Trøndelag workspace with
``--size`` comments by server-side SQL (``bench/strategies.py``'s ``fill``: documents, rounds,
sections, Zipf-distributed Norwegian words, one comment in 2,000 mentioning "reindrift"), then
copies those comments into ``--others`` other workspaces (INSERT … SELECT, so the table holds
``size × (1 + others)`` rows and the search must keep to its own workspace), and VACUUM ANALYZE.

It then times ``app.strategies.search.search`` for a rare word, a common word and two words,
each in its own transaction scoped to Trøndelag (``set_db_scope``, as a request does), and prints
the number of hits, whether the result was capped (more than ``search.CANDIDATES`` matches, so
only the newest were ranked), the median and 95th percentile in milliseconds.
``--reuse NAME`` times again in a database kept by ``--keep``. ``--explain`` prints
EXPLAIN (ANALYZE, BUFFERS) of the search statement as the app role for the rare and the common
word. ``--sqlite`` then copies the Trøndelag comments into a SQLite file (migrated, demo loaded;
the triggers fill the FTS5 table) and times the same searches there. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from common import APP_ROLE, OWNER_URL, create_database, drop_database
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session
from strategies import QUERIES, fill

from app import demo
from app.counties.models import Workspace
from app.db import make_engine
from app.migrate import migrate
from app.strategies import search
from app.tenancy import set_db_scope

COPIED = (
    "round_id, section_key, parent_id, kind, quote, body, proposed_text, base_text, invitee_id, "
    "author_id, author_name, author_org, author_email, created_at, answer, answer_reason, "
    "answered_at, answered_by_id, applied_at"
)


def copy_to_others(owner_url: str, others: int) -> int:
    """The Trøndelag comments again in ``others`` other workspaces (their rounds are Trøndelag's:
    the rows only have to be there, for the index and the row-level security to pass over)."""
    engine = create_engine(owner_url)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        home = conn.scalar(text("SELECT id FROM workspace WHERE slug = 'trondelag'"))
        targets = conn.scalars(
            text("SELECT id FROM workspace WHERE id <> :h ORDER BY id LIMIT :n"),
            {"h": home, "n": others},
        ).all()
        added = 0
        for ws_id in targets:
            result = conn.execute(
                text(
                    f"INSERT INTO consultation_comment (workspace_id, {COPIED}) "
                    f"SELECT :ws, {COPIED} FROM consultation_comment WHERE workspace_id = :h"
                ),
                {"ws": ws_id, "h": home},
            )
            added += result.rowcount
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE consultation_comment"))
    engine.dispose()
    return added


def copy_to_sqlite(owner_url: str, folder: Path) -> str:
    """A SQLite file (migrated, demo loaded) with the Trøndelag comments of the PostgreSQL
    database copied into one of its Trøndelag rounds: the triggers fill the FTS5 table as the
    app's own writes would. Returns its URL."""
    url = f"sqlite:///{folder / 'search.db'}"
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        demo.load_demo(session)
    pg = create_engine(owner_url)
    columns = "section_key, kind, body, proposed_text, author_name, author_org, created_at"
    with engine.begin() as lite, pg.connect() as conn:
        ws_id, round_id = lite.execute(
            text(
                "SELECT w.id, r.id FROM workspace w JOIN consultation_round r "
                "ON r.workspace_id = w.id WHERE w.slug = 'trondelag' ORDER BY r.id LIMIT 1"
            )
        ).one()
        rows = conn.execution_options(stream_results=True).execute(
            text(
                f"SELECT {columns} FROM consultation_comment WHERE workspace_id = "
                "(SELECT id FROM workspace WHERE slug = 'trondelag') ORDER BY id"
            )
        )
        insert = text(
            f"INSERT INTO consultation_comment (workspace_id, round_id, {columns}) VALUES "
            "(:ws, :round, :section_key, :kind, :body, :proposed_text, :author_name, "
            ":author_org, :created_at)"
        )
        for chunk in rows.mappings().partitions(5000):
            lite.execute(insert, [{**r, "ws": ws_id, "round": round_id} for r in chunk])
    pg.dispose()
    engine.dispose()
    return url


def time_search(app_url: str, rounds: int, explain: bool) -> None:
    engine = make_engine(app_url)
    with Session(engine) as session:
        ws = session.query(Workspace).filter_by(slug="trondelag").one()
        ws_id, county = ws.id, ws.county_number
    print(f"{'query':<40} {'hits':>5} {'capped':>6} {'median ms':>10} {'p95 ms':>8}")
    for label, q in QUERIES.items():
        times = []
        hits, capped = 0, False
        for _ in range(rounds):
            with Session(engine) as session, session.begin():
                set_db_scope(session, workspace_id=ws_id, user_id=None, county_number=county)
                here = session.get(Workspace, ws_id)
                assert here is not None
                start = time.perf_counter()
                found = search.search(session, here, q)
                times.append((time.perf_counter() - start) * 1000)
                hits, capped = len(found), found.capped
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(
            f"{label + ' ' + repr(q):<40} {hits:>5} {'yes' if capped else 'no':>6} "
            f"{statistics.median(times):>10.1f} {p95:>8.1f}"
        )
    if explain and engine.dialect.name == "postgresql":
        for label in ("search: rare word", "search: common word"):
            with Session(engine) as session, session.begin():
                set_db_scope(session, workspace_id=ws_id, user_id=None, county_number=county)
                plan = session.execute(
                    text(f"EXPLAIN (ANALYZE, BUFFERS) {search._PG}"),
                    {
                        "q": QUERIES[label],
                        "ws": ws_id,
                        "limit": search.LIMIT,
                        "candidates": search.CANDIDATES,
                    },
                ).scalars()
                print(f"\n=== {label}\n" + "\n".join(plan))
    engine.dispose()


def time_sqlite(owner_url: str, rounds: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="samspill-search-"))
    try:
        started = time.perf_counter()
        url = copy_to_sqlite(owner_url, folder)
        print(f"\nSQLite (FTS5), copied in {time.perf_counter() - started:.1f} s:", flush=True)
        time_search(url, rounds, explain=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--others", type=int, default=2, help="workspaces with a copy")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--owner-url", default=OWNER_URL)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", help="time the search in a database kept by --keep")
    parser.add_argument(
        "--sqlite", action="store_true", help="also copy the comments to SQLite and time FTS5"
    )
    args = parser.parse_args()
    if args.reuse:
        url = make_url(args.owner_url).set(database=args.reuse, username=APP_ROLE, password=None)
        time_search(url.render_as_string(hide_password=False), args.rounds, args.explain)
        if args.sqlite:
            owner = make_url(args.owner_url).set(database=args.reuse)
            time_sqlite(owner.render_as_string(hide_password=False), args.rounds)
        return
    name = f"samspill_bench_search_{uuid.uuid4().hex[:8]}"
    try:
        owner, app_url = create_database(args.owner_url, name)
        filled = fill(owner, args.size, args.documents)
        started = time.perf_counter()
        added = copy_to_others(owner, args.others)
        print(
            f"{args.size:,} comments in Trøndelag in {filled.seconds:.1f} s, {added:,} copied to "
            f"{args.others} other workspaces in {time.perf_counter() - started:.1f} s; "
            f"matching in Trøndelag: {filled.matches}",
            flush=True,
        )
        time_search(app_url, args.rounds, args.explain)
        if args.sqlite:
            time_sqlite(owner, args.rounds)
    finally:
        if args.keep:
            print(f"kept database {name}")
        else:
            drop_database(args.owner_url, name)


if __name__ == "__main__":
    main()
