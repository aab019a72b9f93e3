"""Periodic jobs, claimed through their ``job_run`` row so that each due run happens once however
many worker processes there are.

On PostgreSQL a worker locks the job's row (``FOR UPDATE SKIP LOCKED``) and holds the lock while
the job runs: another worker skips it, and if the worker dies the lock goes with its connection
and the job stays due. On SQLite (one machine) the claim is a compare-and-set of ``next_due_at``,
committed before the job runs, because a transaction held open there would lock the whole file
against the job's own writes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from app.db import utcnow
from app.worker.models import JobRun

log = logging.getLogger("samspill.jobs")

Job = Callable[[sessionmaker[Session]], object]


def job_name(job: Job) -> str:
    """A stable name: ``schemes.reminders.job``."""
    module = getattr(job, "__module__", "") or ""
    name = f"{module.removeprefix('app.')}.{getattr(job, '__qualname__', repr(job))}"
    return name[:100]


def _ensure(factory: sessionmaker[Session], names: Sequence[str]) -> None:
    with factory() as session, session.begin():
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        for name in names:
            session.execute(
                insert(JobRun)
                .values(name=name, next_due_at=utcnow(), runs=0, failures=0)
                .on_conflict_do_nothing(index_elements=["name"])
            )


def _record(row: JobRun, started: datetime, seconds: float, error: str | None) -> None:
    row.last_started_at = started
    row.last_finished_at = utcnow()
    row.last_duration_seconds = round(seconds, 3)
    row.last_ok = error is None
    row.last_error = error
    row.runs += 1
    if error is not None:
        row.failures += 1


def _call(
    name: str, job: Job, factory: sessionmaker[Session], every: float
) -> tuple[float, str | None]:
    start = time.perf_counter()
    try:
        result = job(factory)
    except Exception as exc:  # logged and recorded; the job runs again when next due
        log.exception("job %s failed", name)
        return time.perf_counter() - start, f"{type(exc).__name__}: {exc}"[:500]
    seconds = time.perf_counter() - start
    # A frequent job that found nothing to do is not worth a line at INFO every few seconds.
    quiet = every < 60 and not result
    (log.debug if quiet else log.info)("job %s done in %.2f s: %s", name, seconds, result)
    return seconds, None


def run_one(factory: sessionmaker[Session], job: Job, every: float) -> bool:
    """Run ``job`` if it is due and no other worker has it. True when it ran here."""
    name = job_name(job)
    with factory() as session:
        session.info["tenant_scope_exempt"] = True
        postgres = session.get_bind().dialect.name == "postgresql"
        now = utcnow()
        if postgres:
            with session.begin():
                row = session.scalar(
                    select(JobRun)
                    .where(JobRun.name == name, JobRun.next_due_at <= now)
                    .with_for_update(skip_locked=True)
                )
                if row is None:
                    return False
                seconds, error = _call(name, job, factory, every)
                _record(row, now, seconds, error)
                row.next_due_at = now + timedelta(seconds=every)
            return True
        with session.begin():
            claimed = session.execute(
                update(JobRun)
                .where(JobRun.name == name, JobRun.next_due_at <= now)
                .values(next_due_at=now + timedelta(seconds=every))
            )
        if not getattr(claimed, "rowcount", 0):
            return False
        seconds, error = _call(name, job, factory, every)
        with session.begin():
            row = session.get(JobRun, name)
            if row is not None:
                _record(row, now, seconds, error)
        return True


def run_due(factory: sessionmaker[Session], periodic: Sequence[tuple[Job, float]]) -> list[str]:
    """Run every job that is due and not taken by another worker. Returns the names run here."""
    if not periodic:
        return []
    _ensure(factory, [job_name(job) for job, _every in periodic])
    ran = []
    for job, every in periodic:
        try:
            if run_one(factory, job, every):
                ran.append(job_name(job))
        except Exception:  # a database hiccup: logged, tried again next round
            log.exception("could not run job %s", job_name(job))
    return ran


def status(session: Session) -> list[dict[str, Any]]:
    """Every job's row, for `/metrics` and `samspill check`."""
    rows = session.scalars(select(JobRun).order_by(JobRun.name))
    return [
        {
            "name": r.name,
            "next_due_at": r.next_due_at,
            "last_started_at": r.last_started_at,
            "last_finished_at": r.last_finished_at,
            "last_duration_seconds": r.last_duration_seconds,
            "last_ok": r.last_ok,
            "last_error": r.last_error,
            "runs": r.runs,
            "failures": r.failures,
        }
        for r in rows
    ]
