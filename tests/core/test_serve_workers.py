"""How many worker processes `samspill serve` starts by default, and the database pool each
keeps: one per core on PostgreSQL, one on SQLite (one write lock for the whole file; a second
process would only queue for it), one in production while rate limits are counted in memory."""

from __future__ import annotations

import os

from app.config import Settings, production_problems
from app.db import make_engine, pool_size
from app.main import create_app

PG = "postgresql+psycopg://samspill_app@127.0.0.1:5432/samspill"
PRODUCTION = {
    "environment": "production",
    "base_url": "https://samspill.example.no",
    "smtp_host": "smtp.example.no",
    "secret_key": "x" * 40,
}


def settings(**values: object) -> Settings:
    return Settings(**values, _env_file=None)  # type: ignore[arg-type]


def test_postgresql_serves_with_one_worker_per_core_and_sqlite_with_one() -> None:
    assert settings(database_url=PG).worker_count == (os.cpu_count() or 1)
    assert settings(database_url="sqlite:///var/x.db").worker_count == 1
    assert settings(database_url="sqlite:///var/x.db", workers=3).worker_count == 3  # asked for


def test_production_with_rate_limits_in_memory_defaults_to_one_worker() -> None:
    counted_alone = settings(database_url=PG, **PRODUCTION)
    assert counted_alone.worker_count == 1
    assert production_problems(counted_alone) == []  # starts, rather than refusing
    shared = settings(database_url=PG, rate_limit_storage="redis://redis:6379/0", **PRODUCTION)
    assert shared.worker_count == (os.cpu_count() or 1)


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
