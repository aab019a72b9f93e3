"""Builds the app: middleware, routers, error handlers, static files, health checks."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles

import app.models  # noqa: F401  (every table, and the audit hook)
from app import PACKAGE_DIR, health, logs, metrics, web
from app.accounts import api as accounts_api
from app.accounts import oidc as accounts_oidc
from app.accounts import reset_views as accounts_reset_views
from app.accounts import service_token_views as accounts_service_token_views
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
    install_rate_limits(app, settings)

    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")

    api = APIRouter(prefix="/api/v1", dependencies=[Depends(verify_csrf), Depends(limit_requests)])
    api.include_router(accounts_api.router)
    api.include_router(counties_api.router)
    for module in modules:
        for router in module.api:
            api.include_router(router)
    app.include_router(api)

    pages = APIRouter(
        dependencies=[Depends(verify_csrf), Depends(limit_requests)], include_in_schema=False
    )
    pages.include_router(health.router)  # /healthz, /readyz
    pages.include_router(metrics.router)  # /metrics (allowed addresses or a token)
    pages.include_router(accounts_oidc.router)
    pages.include_router(accounts_views.router)
    pages.include_router(accounts_reset_views.router)
    pages.include_router(accounts_service_token_views.router)  # "Tjenestenøkler"
    pages.include_router(audit_views.router)
    pages.include_router(mail_views.router)
    pages.include_router(notifications_views.router)  # /varsler: the person's own, not a module's
    if settings.mail_to_mailbox:
        pages.include_router(mail_views.dev_router)  # /dev/post, development only
    for module in modules:
        for router in module.pages:
            pages.include_router(router)
    pages.include_router(api_docs_router)  # /api/docs
    pages.include_router(overview_views.router)  # last: /{workspace_slug} catches the rest
    app.include_router(pages)
    install_openapi(app)  # bearer scheme, the error model on every error status
    return app
