"""Rate limits on writes and on the API: the one place they are applied.

Every write (POST, PUT, PATCH, DELETE) of a page or the API counts against the person who makes
it (the signed-in user, or the API token) and against the client address; every API request
counts against its token (or user) and its address. The address limits are generous — a county
office puts many people behind one address — and the personal ones tighter. Past a limit the
answer is 429 with ``Retry-After`` (seconds), nothing of the request is done, and the request is
not counted. Answers within the limits carry ``RateLimit-Limit`` and ``RateLimit-Remaining``
for the tightest limit that applied.

The counts live in ``rate_limit_storage`` (the ``limits`` library's storages): ``memory://``
counts in the process, which is right for one process only; several workers or machines share
counts in Redis (``redis://host:6379/0``). Should the storage fail (Redis down), the request is
let through and the failure logged: a missing limit is a smaller harm than a site that is down.

Static files, ``/healthz``, ``/readyz`` and ``/metrics`` are never counted; the login keeps its
own throttle on failed attempts (:mod:`app.accounts.service`) besides these."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import (
    FixedWindowRateLimiter,
    MovingWindowRateLimiter,
    RateLimiter,
    SlidingWindowCounterRateLimiter,
)
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.accounts.deps import SESSION_COOKIE, DbSession, deferred_setup, optional_user
from app.accounts.service import hash_token
from app.config import Settings
from app.errors import TooManyRequests

log = logging.getLogger("samspill")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UNCOUNTED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
STRATEGIES: dict[str, type[RateLimiter]] = {
    "moving-window": MovingWindowRateLimiter,
    "fixed-window": FixedWindowRateLimiter,
    "sliding-window-counter": SlidingWindowCounterRateLimiter,
}


@dataclass
class Check:
    item: RateLimitItem
    scope: str  # what is limited: "writes" or "api"
    key: str  # whose: "user:12", "token:<hash>", "address:10.0.0.1"


class Limiter:
    """The limits of one app, on one storage."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limits_enabled
        storage = storage_from_string(settings.rate_limit_storage)
        if not isinstance(storage, Storage):  # an async storage ("async+redis://")
            raise ValueError(f"rate limit storage must be sync: {settings.rate_limit_storage}")
        self.storage: Storage = storage
        self.strategy: RateLimiter = STRATEGIES[settings.rate_limit_strategy](self.storage)
        self.writes_per_user = parse(settings.rate_limit_writes_per_user)
        self.writes_per_address = parse(settings.rate_limit_writes_per_address)
        self.api_per_token = parse(settings.rate_limit_api_per_token)
        self.api_per_address = parse(settings.rate_limit_api_per_address)

    def checks(self, method: str, path: str, who: str | None, address: str) -> list[Check]:
        """The limits a request counts against."""
        if not self.enabled or path in UNCOUNTED_PATHS or path.startswith("/static/"):
            return []
        found: list[Check] = []
        if method not in SAFE_METHODS:
            if who:
                found.append(Check(self.writes_per_user, "writes", who))
            found.append(Check(self.writes_per_address, "writes", f"address:{address}"))
        if path.startswith("/api/"):
            if who:
                found.append(Check(self.api_per_token, "api", who))
            found.append(Check(self.api_per_address, "api", f"address:{address}"))
        return found

    def hit(self, checks: list[Check]) -> tuple[int, int] | None:
        """Count the request against ``checks``, all or none. Returns (limit, remaining) of the
        tightest one; raises :class:`TooManyRequests` when one of them is used up."""
        if not checks:
            return None
        try:
            for check in checks:
                if not self.strategy.test(check.item, check.scope, check.key):
                    self._refuse(check)
            tightest: tuple[int, int] | None = None
            for check in checks:
                if not self.strategy.hit(check.item, check.scope, check.key):
                    self._refuse(check)  # taken by a request at the same moment
                stats = self.strategy.get_window_stats(check.item, check.scope, check.key)
                if tightest is None or stats.remaining < tightest[1]:
                    tightest = (check.item.amount, stats.remaining)
            return tightest
        except TooManyRequests:
            raise
        except Exception as exc:  # the storage failed (Redis down): let the request through
            log.warning("rate limits not applied, the storage failed: %s", exc)
            return None

    def _refuse(self, check: Check) -> None:
        stats = self.strategy.get_window_stats(check.item, check.scope, check.key)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        log.warning(
            "rate limit %s for %s reached (%s): 429, retry after %ss",
            check.item,
            check.key,
            check.scope,
            retry_after,
        )
        raise TooManyRequests(retry_after, check.item.amount)


def install(app: Any, settings: Settings) -> None:
    app.state.rate_limiter = Limiter(settings)


def _who(request: Request, session: Session) -> str | None:
    """Whose limit: the API token (its hash: the same token, the same count), else the signed-in
    user, else nobody (the address alone counts)."""
    header = request.headers.get("authorization", "")
    if request.scope["path"].startswith("/api/") and header.lower().startswith("bearer "):
        return "token:" + hash_token(header[7:].strip())
    if not request.cookies.get(SESSION_COOKIE):
        return None
    user = optional_user(request, session)
    return f"user:{user.id}" if user is not None else None


async def limit_requests(request: Request, session: DbSession) -> None:
    """Dependency of every router (after the CSRF check): count the request, or refuse it.
    ``async``: reading a page costs it nothing, not even a trip to the thread pool; what it
    counts (the storage, the user's session) it counts in one."""
    limiter: Limiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is None or not limiter.enabled:
        return
    method, path = request.method, request.scope["path"]
    if method in SAFE_METHODS and not path.startswith("/api/"):
        return  # reading pages is not limited: no query for the user
    setup = deferred_setup(request)
    if setup is not None:
        # counted first in the route's own trip (app.accounts.one_trip)
        setup.count, setup.session = limiter, session
        return
    await run_in_threadpool(count, limiter, request, session)


def count(limiter: Limiter, request: Request, session: Session) -> None:
    """Count ``request`` (or refuse it, 429). Sync: inside a trip to the thread pool."""
    method, path = request.method, request.scope["path"]
    address = request.client.host if request.client else "unknown"
    checks = limiter.checks(method, path, _who(request, session), address)
    numbers = limiter.hit(checks)
    if numbers is not None:
        request.state.rate_limit = numbers
