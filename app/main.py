"""Builds the app: middleware, routers, error handlers, static files, health checks."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

import app.models  # noqa: F401  (every table, and the audit hook)
from app import PACKAGE_DIR, health, logs, metrics, web
from app.accounts import api as accounts_api
from app.accounts import oidc as accounts_oidc
from app.accounts import one_trip
from app.accounts import reset_views as accounts_reset_views
from app.accounts import service_token_views as accounts_service_token_views
from app.accounts import token_views as accounts_token_views
from app.accounts import views as accounts_views
from app.api_docs import router as api_docs_router
from app.audit import views as audit_views
from app.config import Settings, check_production, get_settings
from app.counties import api as counties_api
from app.db import make_engine, make_sessionmaker
from app.errors import UnexpectedErrors
from app.errors import install as install_error_handlers
from app.etag import ETagMiddleware
from app.mail import service as mail_service
from app.mail import views as mail_views
from app.modules import MODULES, periodic_jobs
from app.notifications import views as notifications_views
from app.openapi import install as install_openapi
from app.openapi import operation_id
from app.overview import views as overview_views
from app.ratelimit import install as install_rate_limits
from app.ratelimit import limit_requests
from app.registry import Module
from app.routing import split_by_prefix
from app.security import RequestContextMiddleware, verify_csrf

log = logging.getLogger("samspill")

STATIC_DIR = PACKAGE_DIR / "static"


def _prepare_storage() -> None:
    """The storage is set up from the start (the local folder exists; `/readyz` checks it);
    a storage that cannot be set up is reported there, not by refusing to start."""
    from app.storage import get_storage

    try:
        storage = get_storage()
        storage.prepare()
    except Exception as exc:
        log.warning("cannot set up the storage: %s", exc)


def create_app(
    settings: Settings | None = None,
    *,
    engine: Any = None,
    modules: Sequence[Module] = MODULES,
) -> FastAPI:
    settings = settings or get_settings()
    check_production(settings)  # refuses to build an app production cannot run
    web.configure_templates(settings.environment)
    if engine is None:
        size = settings.database_pool_size
        pool = {"pool_size": size, "max_overflow": size // 2} if size else {}
        engine = make_engine(settings.database_url, workers=settings.worker_count, **pool)
    factory = make_sessionmaker(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.threads > 0:  # the shared thread pool of this event loop (app.config)
            anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        _prepare_storage()
        stop = threading.Event()
        worker = None
        if settings.mail_worker_in_process:
            worker = threading.Thread(
                target=mail_service.run_worker,
                args=(factory, settings, stop),
                kwargs={"periodic": periodic_jobs(tuple(modules))},
                name="mail-worker",
                daemon=True,
            )
            worker.start()
        yield
        stop.set()
        if worker:
            worker.join(timeout=5)

    app = FastAPI(
        title="Samspill API",
        version="1",
        description="JSON API of Samspill. Authenticate with a personal API token "
        "(`Authorization: Bearer sps_…`), bound to one workspace.",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's page loads Swagger UI from a CDN: app/api_docs.py serves it
        redoc_url=None,
        openapi_url="/openapi.json",
        generate_unique_id_function=operation_id,  # helpdesk_list_requests (app/openapi.py)
    )
    app.state.engine = engine
    app.state.sessionmaker = factory
    app.state.settings = settings
    app.state.modules = tuple(modules)
    app.state.nav = [link for m in modules for link in m.nav]

    # innermost: an unexpected error is answered 500 here, the connection kept (app.errors)
    app.add_middleware(UnexpectedErrors)
    app.add_middleware(ETagMiddleware)  # ETag and 304 for GETs under /api/
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(logs.AccessLog)  # outermost: the request id is there for everything
    install_error_handlers(app)
    one_trip.install(app)  # refusals before validation errors (after the handlers above)
    install_rate_limits(app, settings)

    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")

    # Every router is included into the app itself, with the shared checks (and the API's
    # prefix) given at the include, not through intermediate "api" and "pages" routers: FastAPI
    # matches a request against each level of nested routers anew, and once more to handle it.
    # It tries the routes in order, each in turn: the pages come first, as most requests are
    # theirs, and the API's 135 routes after them — no page route can match an /api/v1/ path
    # (tests/core/test_route_order.py), so the order changes no answer.
    checks = [Depends(verify_csrf), Depends(limit_requests)]
    for router in (
        health.router,  # /healthz, /readyz
        metrics.router,  # /metrics (allowed addresses or a token)
        accounts_oidc.router,
        accounts_views.router,
        accounts_token_views.router,  # API-nøkler
        accounts_reset_views.router,
        accounts_service_token_views.router,  # "Tjenestenøkler"
        audit_views.router,
        mail_views.router,
        notifications_views.router,  # /varsler: the person's own, not a module's
        *([mail_views.dev_router] if settings.mail_to_mailbox else []),  # /dev/post
        *(router for module in modules for router in module.pages),
        api_docs_router,  # /api/docs
        overview_views.router,  # last of the pages: /{workspace_slug} catches the rest
    ):
        app.include_router(router, dependencies=checks, include_in_schema=False)
    for router in (
        accounts_api.router,
        counties_api.router,
        *(router for module in modules for router in module.api),
    ):
        app.include_router(router, prefix="/api/v1", dependencies=checks)
    split_by_prefix(app.router)  # an /api/v1/ path is matched against the API's routes only
    install_openapi(app)  # bearer scheme, the error model on every error status
    return app
