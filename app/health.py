"""Liveness and readiness, for load balancers and the image's HEALTHCHECK. No login.

``/healthz`` answers while the process is up (cheap: nothing is checked). ``/readyz`` answers
200 only when the instance can serve: the database answers ``SELECT 1`` and would take a short
write now (on SQLite the write lock is free within ``ready_write_wait_seconds``; on PostgreSQL
the database is not read-only), a page template renders (the templates are installed and
parse) and the storage can be used (the local folder exists and is writable; the bucket
answers); otherwise 503 naming the checks that failed. The reasons
are logged, never sent."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from app.db import check_writable, ping
from app.storage import get_storage
from app.web import render_fragment

log = logging.getLogger("samspill")

router = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz")
def healthz() -> PlainTextResponse:
    return PlainTextResponse("ok", headers=NO_STORE)


def _database(request: Request) -> None:
    # What a user would meet: the database answers, and a short write would go through now.
    engine = request.app.state.engine
    ping(engine)
    check_writable(engine, request.app.state.settings.ready_write_wait_seconds)


def _templates(request: Request) -> None:
    # The error page: it extends base.html, and every error a user sees goes through it.
    page = render_fragment(
        request, "error.html", {"status": 503, "message": "", "errors": {}, "ctx": None}
    )
    if "</html>" not in page:
        raise RuntimeError("error.html rendered no complete page")


def _storage(request: Request) -> None:
    get_storage().check()


CHECKS: dict[str, Callable[[Request], None]] = {
    "database": _database,
    "templates": _templates,
    "storage": _storage,
}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    checks: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check(request)
        except Exception as exc:
            log.warning("readiness check %s failed: %s", name, exc)
            checks[name] = "failed"
        else:
            checks[name] = "ok"
    failed = [name for name, result in checks.items() if result != "ok"]
    if failed:
        return JSONResponse(
            {"status": "unavailable", "failed": failed, "checks": checks},
            status_code=503,
            headers=NO_STORE,
        )
    return JSONResponse({"status": "ready", "checks": checks}, headers=NO_STORE)
