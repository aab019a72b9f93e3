"""How many worker processes `samspill serve` starts by default, and the database pool each
keeps: one per core, on PostgreSQL and on SQLite alike (WAL: every process reads at once, only
the short write transactions take turns; bench/sqlite_concurrency.py), one in production while
rate limits are counted in memory."""

from __future__ import annotations

import os

from app.config import Settings, production_problems
from app.db import make_engine, pool_size
from app.main import create_app

PG = "postgresql+psycopg://samspill_app@127.0.0.1:5432/samspill"
SQLITE = "sqlite:///var/x.db"
PRODUCTION = {
    "environment": "production",
    "base_url": "https://samspill.example.no",
    "smtp_host": "smtp.example.no",
    "secret_key": "x" * 40,
}


def settings(**values: object) -> Settings:
    return Settings(**values, _env_file=None)  # type: ignore[arg-type]


def test_postgresql_and_sqlite_serve_with_one_worker_per_core() -> None:
    cores = os.cpu_count() or 1
    assert settings(database_url=PG).worker_count == cores
    assert settings(database_url=SQLITE).worker_count == cores
    assert settings(database_url=SQLITE, workers=3).worker_count == 3  # asked for
    assert settings(database_url=PG, workers=1).worker_count == 1


def test_production_with_rate_limits_in_memory_defaults_to_one_worker() -> None:
    for url, allowed in ((PG, {}), (SQLITE, {"allow_sqlite_in_production": True})):
        counted_alone = settings(database_url=url, **PRODUCTION, **allowed)
        assert counted_alone.worker_count == 1
        assert production_problems(counted_alone) == []  # starts, rather than refusing
        shared = settings(
            database_url=url, rate_limit_storage="redis://redis:6379/0", **PRODUCTION, **allowed
        )
        assert shared.worker_count == (os.cpu_count() or 1)
        assert production_problems(shared) == []
        # asked for more than one with the counts in memory: refused, with what to set
        many = settings(database_url=url, workers=2, **PRODUCTION, **allowed)
        assert any("SAMSPILL_RATE_LIMIT_STORAGE" in p for p in production_problems(many))


def test_the_pool_is_shared_out_between_the_workers() -> None:
    assert [pool_size(n) for n in (1, 2, 4, 8, 32)] == [20, 20, 10, 5, 2]
    engine = make_engine(PG, workers=4)  # nothing connects until asked
    assert engine.pool.size() == 10  # type: ignore[attr-defined]
    app = create_app(settings(database_url=PG, workers=8, environment="test"))
    assert app.state.engine.pool.size() == 5
    fixed = create_app(
        settings(database_url=PG, workers=8, database_pool_size=12, environment="test")
    )
    assert fixed.state.engine.pool.size() == 12
