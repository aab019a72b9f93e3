"""Logging: set up once at start (``setup``), every line with its time, level and logger, and
— inside a request — the request id, the user and the workspace. Plain text in development,
one JSON object a line in production. ``AccessLog`` writes one line per request with its
status and duration, and hands the request id back in ``X-Request-ID``.

The request id is taken from the caller's ``X-Request-ID`` (a proxy's) when it looks like
one, else made here. Code that learns who is acting (``accounts.deps``) calls :func:`bind`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import metrics
from app.config import Settings

_context: ContextVar[dict[str, Any] | None] = ContextVar("samspill_log_context", default=None)
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
FIELDS = ("request_id", "user_id", "workspace_id")
access = logging.getLogger("samspill.access")


def bind(**values: Any) -> None:
    """Add ``user_id`` / ``workspace_id`` to the current request's log lines."""
    current = _context.get()
    if current is not None:
        current.update({k: v for k, v in values.items() if v is not None})


def current() -> dict[str, Any]:
    return dict(_context.get() or {})


_base_factory = logging.getLogRecordFactory()


def _record_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Every record made while a request runs carries its id, user and workspace, whatever
    handler later writes it."""
    record = _base_factory(*args, **kwargs)
    values = _context.get() or {}
    for name in FIELDS:
        setattr(record, name, values.get(name))
    return record


if getattr(logging.getLogRecordFactory(), "__name__", "") != "_record_factory":
    logging.setLogRecordFactory(_record_factory)


class ContextFilter(logging.Filter):
    """Puts the request's id, user and workspace on every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        values = _context.get() or {}
        for name in FIELDS:
            if not hasattr(record, name):
                setattr(record, name, values.get(name))
        return True


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = (
            f"{datetime.fromtimestamp(record.created, UTC).isoformat(timespec='milliseconds')} "
            f"{record.levelname:<7} {record.name}"
        )
        ids = " ".join(
            f"{name.removesuffix('_id')}={getattr(record, name)}"
            for name in FIELDS
            if getattr(record, name, None) is not None
        )
        if ids:
            line += f" [{ids}]"
        line += f" {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in (*FIELDS, "client", "method", "path", "route", "status", "duration_ms"):
            value = getattr(record, name, None)
            if value is not None:
                data[name] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def setup(settings: Settings, *, stream: Any = None) -> logging.Handler:
    """Configure the root logger once: one handler on stderr, INFO and up (WARNING for the
    chatty libraries), JSON in production, text elsewhere. Calling it again replaces it."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter() if settings.environment == "production" else TextFormatter()
    )
    handler.addFilter(ContextFilter())
    handler.set_name("samspill")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "samspill"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for noisy in ("uvicorn.access", "httpx", "sqlalchemy.engine", "weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # uvicorn's own loggers write through the root handler (one format for everything)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    return handler


class AccessLog:
    """Pure ASGI middleware: the request id, and one access line per HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = ""
        for key, value in scope.get("headers", []):
            if key == b"x-request-id":
                given = value.decode("latin-1").strip()
                break
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        values: dict[str, Any] = {"request_id": request_id}
        token = _context.set(values)
        status = 500
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - start
            duration = round(seconds * 1000, 1)
            route = scope.get("route")
            template = getattr(route, "path", None)
            metrics.observe(scope.get("method", ""), template, status, seconds)
            access.info(
                "%s %s %s %.1f ms",
                scope.get("method", ""),
                scope.get("path", ""),
                status,
                duration,
                extra={
                    "client": (scope.get("client") or (None,))[0],
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "route": template,
                    "status": status,
                    "duration_ms": duration,
                },
            )
            _context.reset(token)
