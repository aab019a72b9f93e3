"""Benchmark: latency and query count of the main pages and API routes on a demo database.

    .venv/bin/python bench/pages.py [--rounds 200] [--backend sqlite|postgresql|both]
                                    [--database-url URL] [--statements] [--main-only]
                                    [--login EMAIL] [--routes /a,/b]

Prints the median and 95th percentile per route, the process's CPU time per request (the
TestClient's thread and the app's together: steadier than the wall clock on a busy machine) and
the number of SQL statements one request of it runs (``--statements`` lists them for the six
pages of issue 16). Uses a fresh SQLite file and/or a throw-away PostgreSQL database
(``127.0.0.1:5432`` as ``postgres``, served as the app's ordinary role, so row-level security
applies) with the demo loaded, unless a database URL (migrated, with the demo loaded) is given.
Figures, not assertions."""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from common import LOGIN, OWNER_URL, create_database, drop_database
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import demo
from app.config import get_settings
from app.db import make_engine
from app.main import create_app
from app.migrate import migrate

# The pages issue 16 holds to at most 10 queries and 8 ms (the coordinator's view).
MAIN = [
    "/trondelag",
    "/trondelag/oversikt",
    "/trondelag/hjelp",
    "/trondelag/hjelp/1",
    "/trondelag/organer/8",
    "/trondelag/strategier/1",
]
MORE = [
    "/trondelag/oversikt?sort=-population&klasse=1",
    "/vestland",
    "/trondelag/brukere",
    "/trondelag/logg",
    "/trondelag/organer",
    "/trondelag/dekning",
    "/trondelag/kommuner/5020",
    "/trondelag/kontakter?q=demo",
    "/vestland/organer",
    "/api/v1/trondelag/bodies",
    "/api/v1/trondelag/coverage",
    "/api/v1/me",
    "/api/v1/vestland/municipalities?limit=50",
]


def sqlite_demo() -> tuple[str, Path]:
    folder = Path(tempfile.mkdtemp(prefix="samspill-pages-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        demo.load_demo(session)
    engine.dispose()
    return url, folder


def run(url: str, args: argparse.Namespace) -> None:
    app = create_app(get_settings().model_copy(update={"database_url": url}))
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    with TestClient(app) as client:
        client.get("/logg-inn")
        client.post(
            "/logg-inn",
            data={
                "email": args.login,
                "password": demo.DEMO_PASSWORD,
                "csrf_token": client.cookies["samspill_csrf"],
            },
        )
        engine = app.state.sessionmaker.kw["bind"]
        backend = url.split(":")[0].split("+")[0]
        print(
            f"{'route':47} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>7} {'queries':>8}"
            f"  ({args.rounds} rounds, {backend}, {args.login})"
        )
        routes = args.routes.split(",") if args.routes else MAIN + ([] if args.main_only else MORE)
        for route in routes:
            response = client.get(route)  # warm: caches, compiled templates, pool
            if response.status_code in (403, 404) and route not in MAIN:
                continue  # a workspace or page this user may not see (Vestland, the log)
            assert response.status_code == 200, (route, response.status_code)
            statements.clear()
            event.listen(engine, "before_cursor_execute", count)
            client.get(route)
            event.remove(engine, "before_cursor_execute", count)
            counted = list(statements)
            timings = []
            cpu = time.process_time()
            for _ in range(args.rounds):
                start = time.perf_counter()
                response = client.get(route)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (route, response.status_code)
            cpu_ms = (time.process_time() - cpu) * 1000 / args.rounds
            timings.sort()
            p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
            print(
                f"{route:47} {statistics.median(timings):10.2f} {p95:8.2f} {cpu_ms:7.2f}"
                f" {len(counted):8d}"
            )
            if args.statements and route in MAIN:
                for statement in counted:
                    print("      ", " ".join(statement.split())[:160])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--database-url", help="a migrated database with the demo loaded")
    parser.add_argument("--owner-url", default=OWNER_URL, help="a PostgreSQL superuser URL")
    parser.add_argument("--login", default=LOGIN)
    parser.add_argument(
        "--routes",
        default="",
        help="these routes only, comma-separated (e.g. the start page of a person of three "
        "workspaces: --login radgiver@ks.demo --routes /trondelag)",
    )
    parser.add_argument("--statements", action="store_true", help="list each main page's SQL")
    parser.add_argument("--main-only", action="store_true", help="only the six main pages")
    args = parser.parse_args()
    if args.database_url:
        run(args.database_url, args)
        return
    if args.backend in ("sqlite", "both"):
        url, folder = sqlite_demo()
        try:
            run(url, args)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if args.backend in ("postgresql", "both"):
        name = f"samspill_bench_pages_{uuid.uuid4().hex[:8]}"
        try:
            _owner, app_url = create_database(args.owner_url, name)
            run(app_url, args)
        finally:
            drop_database(args.owner_url, name)


if __name__ == "__main__":
    main()
