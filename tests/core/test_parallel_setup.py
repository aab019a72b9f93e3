"""The suite runs in one process per core (pytest-xdist, see the Makefile): what those
processes share on the PostgreSQL server must not trip them up."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import create_engine, text

from conftest import PG_OWNER_URL, REQUIRE_PG, _pg_problem, ensure_app_role


def test_processes_that_make_the_app_role_at_the_same_moment_all_go_on() -> None:
    if not PG_OWNER_URL:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required here but did not answer: {_pg_problem}")
        pytest.skip(f"PostgreSQL not available: {_pg_problem}")
    role = f"samspill_test_race_{uuid.uuid4().hex[:10]}"
    engine = create_engine(PG_OWNER_URL, isolation_level="AUTOCOMMIT", pool_size=8)
    askers = 8
    start = threading.Barrier(askers)
    failures: list[BaseException] = []

    def ask() -> None:
        with engine.connect() as conn:
            start.wait()
            try:
                ensure_app_role(conn, role)
            except BaseException as exc:  # collected, and shown by the assert below
                failures.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(askers)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert failures == []
        with engine.connect() as conn:
            made = conn.execute(
                text("SELECT rolcanlogin, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"),
                {"r": role},
            ).all()
        assert made == [(True, False, False)]
    finally:
        with engine.connect() as conn:
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        engine.dispose()
