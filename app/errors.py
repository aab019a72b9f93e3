"""Domain exceptions that carry their HTTP status, and the handlers that turn every error into
a page in the user's language (HTML) or JSON with a stable ``code`` (API). No stack trace ever
reaches a user."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.i18n import _, lazy

log = logging.getLogger("samspill")

T = TypeVar("T")


STATUS_TEXT = {
    400: lazy("Forespørselen kunne ikke behandles."),
    401: lazy("Du må logge inn."),
    403: lazy("Du har ikke tilgang til å gjøre dette."),
    404: lazy("Siden eller objektet finnes ikke."),
    405: lazy("Denne handlingen er ikke tillatt her."),
    409: lazy("Det finnes allerede noe med de samme opplysningene."),
    413: lazy("Forespørselen er for stor."),
    422: lazy("Noen felt er ikke fylt ut riktig."),
    429: lazy("For mange forsøk. Vent litt og prøv igjen."),
    500: lazy("Noe gikk galt hos oss. Feilen er logget. Prøv igjen om litt."),
    503: lazy("Tjenesten er midlertidig utilgjengelig."),
}
STATUS_CODE = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_input",
    429: "too_many_attempts",
    500: "internal_error",
    503: "unavailable",
}


class AppError(Exception):
    """An error with its HTTP status. ``code`` and ``message`` are the status's own
    (``STATUS_CODE``, ``STATUS_TEXT``) unless a subclass or the raise says otherwise."""

    status_code = 400
    code = STATUS_CODE[400]
    message = STATUS_TEXT[400]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = vars(cls)
        if "code" not in own:
            cls.code = STATUS_CODE.get(cls.status_code, cls.code)
        if "message" not in own:
            cls.message = STATUS_TEXT.get(cls.status_code, cls.message)

    def __init__(self, message: str | None = None, *, code: str | None = None, **extra: Any):
        super().__init__(message or self.message)
        if message:
            self.message = message
        if code:
            self.code = code
        self.extra = extra


class NotFound(AppError):
    status_code = 404


class Forbidden(AppError):
    status_code = 403


class NotAuthenticated(AppError):
    status_code = 401


class CsrfError(AppError):
    status_code = 403
    code = "csrf_failed"
    message = lazy(
        "Skjemaet var utløpt eller manglet sikkerhetsnøkkel. Last siden på nytt og prøv igjen."
    )


class Conflict(AppError):
    status_code = 409


class InvalidInput(AppError):
    status_code = 422

    def __init__(self, errors: dict[str, str], message: str | None = None):
        super().__init__(message)
        self.errors = errors

    def messages(self) -> dict[str, str]:
        """The messages by field, in the language of the request."""
        return {k: _(v) for k, v in self.errors.items()}


class TooManyAttempts(AppError):
    status_code = 429


class TooManyRequests(TooManyAttempts):
    """A rate limit was reached (app/ratelimit.py): 429 with ``Retry-After`` in seconds, and
    the numbers of the limit in ``RateLimit-Limit`` and ``RateLimit-Remaining``."""

    code = "too_many_requests"
    message = lazy(
        "Du har sendt for mange forespørsler på kort tid. Vent {seconds} sekunder og prøv igjen."
    )

    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(seconds=retry_after)
        self.headers = {
            "Retry-After": str(retry_after),
            "RateLimit-Limit": str(limit),
            "RateLimit-Remaining": "0",
        }


# SQLite's answer when the write lock (or a table) stayed taken past busy_timeout.
DATABASE_BUSY_MESSAGES = ("database is locked", "database is busy", "database table is locked")
DATABASE_BUSY_TEXT = lazy("Databasen er opptatt akkurat nå. Prøv igjen om litt.")
RETRY_AFTER_SECONDS = 5


def database_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite giving up on a lock another connection held too long."""
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, sqlite3.OperationalError) and str(orig).startswith(
        DATABASE_BUSY_MESSAGES
    )


def database_lost(exc: BaseException) -> bool:
    """Whether ``exc`` is a server database that cannot be reached: refused or cut
    connections, a server shutting down (not SQLite, whose "database" is a local file)."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    orig = getattr(exc, "orig", None)
    if orig is None or isinstance(orig, sqlite3.Error):
        return False
    if isinstance(exc, InterfaceError):
        return True
    # psycopg: OperationalError without a SQLSTATE (no connection), or class 08 (connection
    # exception) and 57P (operator intervention: shutdown, terminated, cannot connect now).
    state = getattr(orig, "sqlstate", None)
    return isinstance(exc, OperationalError) and (state is None or state.startswith(("08", "57P")))


def found(value: T | None) -> T:
    """``value``, or :class:`NotFound` when there is none — the same answer for another
    workspace's object as for a missing one."""
    if value is None:
        raise NotFound()
    return value


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    errors: dict[str, str] | None = None,
) -> Response:
    if wants_json(request):
        body: dict[str, Any] = {"code": code, "message": message}
        if errors:
            body["errors"] = errors
        return JSONResponse(body, status_code=status)
    from app.web import render_error

    return render_error(request, status, message, errors)


def app_error_response(request: Request, exc: AppError) -> Response:
    """The answer to one of the app's errors: a page (401 a redirect to the login) or JSON."""
    errors = exc.messages() if isinstance(exc, InvalidInput) else None
    message = _(exc.message)
    if exc.extra:
        message = message.format(**exc.extra)
    if isinstance(exc, NotAuthenticated) and not wants_json(request):
        from app.web import redirect

        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        return redirect(request, "/logg-inn?" + urlencode({"neste": target}))
    response = error_response(request, exc.status_code, exc.code, message, errors)
    headers = getattr(exc, "headers", None)
    if headers:  # e.g. Retry-After of a rate limit
        response.headers.update(headers)
    if isinstance(exc, NotAuthenticated):
        # RFC 6750: say how to authenticate, and whether the token given was the problem.
        given = request.headers.get("authorization", "").lower().startswith("bearer ")
        response.headers["WWW-Authenticate"] = (
            'Bearer realm="samspill", error="invalid_token"' if given else 'Bearer realm="samspill"'
        )
    return response


def validation_response(request: Request, exc: RequestValidationError) -> Response:
    """422 with a message per field."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
        field = ".".join(loc) or "body"
        errors[field] = _validation_message(err)
    return error_response(request, 422, "invalid_input", _(STATUS_TEXT[422]), errors)


def install(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    def _app_error(request: Request, exc: AppError) -> Response:
        return app_error_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        message = STATUS_TEXT.get(status, STATUS_TEXT[400])
        response = error_response(request, status, STATUS_CODE.get(status, "error"), _(message))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        return validation_response(request, exc)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    def _number_out_of_range(request: Request, exc: Exception) -> Response:
        # An id beyond what the database can hold (…/99999999999999999999): no such object.
        if isinstance(exc, DataError) and "out of range" not in str(exc.orig):
            return unexpected_response(request, exc)
        return error_response(request, 404, NotFound.code, _(NotFound.message))

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    def _database_busy(request: Request, exc: DBAPIError) -> Response:
        # A busy database is a moment's wait, not a fault: 503 with Retry-After. So is a lost
        # one (restarting, refusing connections, the connection cut): the pool has already
        # tried a fresh connection (pre-ping, one retry). The request's transaction has been
        # rolled back (a lost connection takes it with it), and the change is not acknowledged.
        # Answered here, not re-raised, so that the server keeps the client's connection open.
        if database_busy(exc):
            log.warning("database busy on %s %s: %s", request.method, request.url.path, exc.orig)
            response = error_response(request, 503, "database_busy", _(DATABASE_BUSY_TEXT))
        elif database_lost(exc):
            log.error(
                "database unavailable on %s %s", request.method, request.url.path, exc_info=exc
            )
            response = error_response(request, 503, "unavailable", _(STATUS_TEXT[503]))
        else:
            return unexpected_response(request, exc)  # any other database failure: 500
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.exception_handler(Exception)
    def _unexpected(request: Request, exc: Exception) -> Response:
        return unexpected_response(request, exc)


def unexpected_response(request: Request, exc: BaseException) -> Response:
    """The 500 answer to an error nothing else handled; the error is logged once, with its
    traceback."""
    # exc_info=exc, not log.exception: this may run in another thread, where sys.exc_info()
    # is empty and the log would say "NoneType: None" instead of the traceback.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, "internal_error", _(STATUS_TEXT[500]))


class UnexpectedErrors:
    """Answers an error that no handler took with the 500 page (or JSON) from inside the app.

    Starlette's outermost ServerErrorMiddleware answers such errors too, but then re-raises
    them to the server, and uvicorn logs the error a second time and closes the client's
    connection. Added as the innermost middleware (app.main), this one answers and stops there:
    the access log and the security headers still see the answer, and the connection stays
    open. An error after the answer has begun (a broken stream) still goes to the server."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:
                raise
            request = Request(scope, receive)
            response = await run_in_threadpool(unexpected_response, request, exc)
            await response(scope, receive, send)


def _validation_message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "value_error" and ctx.get("error") is not None:
        return _(str(ctx["error"]))  # our own validators raise ValueError(lazy("…"))
    if kind == "missing":
        return _("Feltet må fylles ut.")
    if kind == "string_too_long":
        return _("Teksten er for lang (høyst {n} tegn).").format(n=ctx.get("max_length"))
    if kind == "string_too_short":
        return _("Teksten er for kort (minst {n} tegn).").format(n=ctx.get("min_length"))
    if kind in {"int_parsing", "int_type"}:
        return _("Skriv et heltall.")
    if kind in {"json_invalid", "model_attributes_type", "dict_type"}:
        return _("Innholdet er ikke gyldig JSON.")
    if "email" in kind or "email" in str(err.get("msg", "")).lower():
        return _("Skriv en gyldig e-postadresse.")
    return _("Verdien er ikke gyldig.")
