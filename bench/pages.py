"""Benchmark: latency of the main pages and API routes on a demo database.

    .venv/bin/python bench/pages.py [--rounds 200] [--database-url URL]

Prints the median and 95th percentile per route. Uses a fresh SQLite file unless a database
URL (migrated, with the demo loaded) is given. Figures, not assertions."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import demo
from app.config import get_settings
from app.db import make_engine
from app.main import create_app
from app.migrate import migrate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url
    if not url:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
        migrate(url)
        engine = make_engine(url)
        with Session(engine) as session, session.begin():
            demo.load_demo(session)
        engine.dispose()
    app = create_app(get_settings().model_copy(update={"database_url": url}))
    with TestClient(app) as client:
        client.get("/logg-inn")
        client.post(
            "/logg-inn",
            data={
                "email": "admin@samspill.demo",
                "password": demo.DEMO_PASSWORD,
                "csrf_token": client.cookies["samspill_csrf"],
            },
        )
        routes = [
            "/trondelag",
            "/trondelag?sort=-population&klasse=1",
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
        backend = url.split(":")[0]
        print(f"{'route':45} {'median ms':>10} {'p95 ms':>8}  ({args.rounds} rounds, {backend})")
        for route in routes:
            timings = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                response = client.get(route)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (route, response.status_code)
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(f"{route:45} {statistics.median(timings):10.2f} {p95:8.2f}")


if __name__ == "__main__":
    main()
