"""Prometheus metrics at ``/metrics``.

Counted in the process: requests by method, route template and status, and their duration.
Read at scrape time: the database pool of this process, the mail outbox (backlog, failures, the
age of the oldest unsent message) and each periodic job's last run (from ``job_run``), so the
figures of the worker process are seen through any web process.

With several uvicorn worker processes (`samspill serve --workers N`), the request figures of
all of them are summed through prometheus_client's multiprocess mode: ``samspill serve`` points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder when it is unset.

Open to the addresses in ``SAMSPILL_METRICS_ALLOWED_IPS`` (loopback by default) and to requests
with ``Authorization: Bearer <SAMSPILL_METRICS_TOKEN>``; anyone else gets 404."""

from __future__ import annotations

import functools
import hmac
import ipaddress
import logging
import os
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session

from app.config import Settings, get_settings
from app.tenancy import set_system_scope

log = logging.getLogger("samspill.metrics")

REQUESTS = Counter(
    "samspill_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
DURATION = Histogram(
    "samspill_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


def observe(method: str, route: str | None, status: int, seconds: float) -> None:
    """Count one answered request. Paths that matched no route share one label, so a scan of
    random addresses cannot grow the series without bound."""
    if method not in _METHODS:
        method = "other"  # any token a client sends would be a series of its own
    counter, duration = _series(method, route or "unmatched", status)
    counter.inc()
    duration.observe(seconds)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@functools.lru_cache(maxsize=4096)
def _series(method: str, template: str, status: int) -> tuple[Any, Any]:
    """The two series of a request's labels, looked up once: ``labels()`` takes a lock and
    builds its key on every call. The labels are bounded (route templates, methods, statuses),
    and a series once made lives as long as the process in prometheus_client too."""
    return REQUESTS.labels(method, template, str(status)), DURATION.labels(method, template)


class _StateCollector(Collector):
    """Figures read when scraped: the pool of this process, the outbox, the jobs."""

    def __init__(self, request: Request) -> None:
        self.request = request

    def collect(self) -> Iterator[Any]:
        engine = self.request.app.state.engine
        pool = engine.pool
        for name, doc, method in (
            ("samspill_db_pool_size", "Connections the pool keeps.", "size"),
            ("samspill_db_pool_checked_out", "Connections in use now.", "checkedout"),
            ("samspill_db_pool_overflow", "Connections above the pool size.", "overflow"),
        ):
            if hasattr(pool, method):
                yield GaugeMetricFamily(name, doc, value=float(getattr(pool, method)()))
        try:
            with Session(engine) as session:
                set_system_scope(session)
                yield from _outbox(session)
                yield from _jobs(session)
        except Exception as exc:  # the scrape still answers with what it has
            log.warning("metrics: could not read the database: %s", exc)
            yield GaugeMetricFamily(
                "samspill_metrics_database_up", "1 when the database answered.", value=0.0
            )
        else:
            yield GaugeMetricFamily(
                "samspill_metrics_database_up", "1 when the database answered.", value=1.0
            )


def _outbox(session: Session) -> Iterator[Any]:
    from app.mail import service as mail

    counts = mail.counts(session)
    by_state = GaugeMetricFamily(
        "samspill_mail_outbox_messages", "E-mail in the outbox, by state.", labels=["state"]
    )
    for state in mail.STATES:
        by_state.add_metric([state], float(counts[state]))
    yield by_state
    yield GaugeMetricFamily(
        "samspill_mail_outbox_oldest_unsent_seconds",
        "Age of the oldest message not yet sent (0 when none waits).",
        value=float(counts["oldest_unsent_seconds"]),
    )


def _jobs(session: Session) -> Iterator[Any]:
    from app.worker import jobs

    rows = jobs.status(session)
    last_run = GaugeMetricFamily(
        "samspill_job_last_run_timestamp_seconds",
        "When each periodic job last finished (Unix time).",
        labels=["job"],
    )
    duration = GaugeMetricFamily(
        "samspill_job_last_duration_seconds", "How long its last run took.", labels=["job"]
    )
    success = GaugeMetricFamily(
        "samspill_job_last_success",
        "1 when its last run succeeded, 0 when it failed.",
        labels=["job"],
    )
    runs = CounterMetricFamily("samspill_job_runs", "Runs of each job.", labels=["job"])
    failures = CounterMetricFamily(
        "samspill_job_failures", "Failed runs of each job.", labels=["job"]
    )
    for row in rows:
        name = [row["name"]]
        if row["last_finished_at"] is not None:
            last_run.add_metric(name, row["last_finished_at"].timestamp())
            duration.add_metric(name, float(row["last_duration_seconds"] or 0.0))
            success.add_metric(name, 1.0 if row["last_ok"] else 0.0)
        runs.add_metric(name, float(row["runs"]))
        failures.add_metric(name, float(row["failures"]))
    yield from (last_run, duration, success, runs, failures)


def allowed(request: Request, settings: Settings) -> bool:
    if settings.metrics_token:
        given = request.headers.get("authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {settings.metrics_token}".encode()):
            return True
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    for part in settings.metrics_allowed_ips.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if address in ipaddress.ip_network(part, strict=False):
                return True
        except ValueError:
            log.warning("SAMSPILL_METRICS_ALLOWED_IPS: %r is no address or network", part)
    return False


router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    if not allowed(request, get_settings()):
        return PlainTextResponse("Not found", status_code=404)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        registry.register(_StateCollector(request))
        output = generate_latest(registry)
    else:
        registry.register(_StateCollector(request))
        output = generate_latest(REGISTRY) + generate_latest(registry)
    return Response(output, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
