"""Request-wide concerns set once: locale, CSRF cookie and check, flash, security headers,
the request body limit (counted as the body streams in) and the refusal of NUL characters."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.errors import STATUS_TEXT, AppError, CsrfError, error_response
from app.i18n import DEFAULT_LOCALE, LOCALES, _, from_accept_language, lazy, set_locale
from app.web import read_flash

log = logging.getLogger("samspill")

CSRF_COOKIE = "samspill_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
LOCALE_COOKIE = "samspill_lang"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def pick_locale(request: Request) -> str:
    """Bokmål unless the person chose otherwise with the language switcher — or, for the API,
    asked for another of our languages with ``Accept-Language``."""
    # The path as sent (``request.url`` would build the whole URL first, on every request).
    if request.scope["path"].startswith("/api/v1/"):  # the JSON API, not its HTML docs page
        asked = from_accept_language(request.headers.get("accept-language"))
        if asked:
            return asked
    wanted = request.cookies.get(LOCALE_COOKIE)
    return wanted if wanted in LOCALES else DEFAULT_LOCALE


def _too_large_message() -> str:
    settings = get_settings()
    return _(
        "{text} Største tillatte størrelse er {size} MB, og hvert vedlegg høyst {file} MB."
    ).format(
        text=_(STATUS_TEXT[413]),
        size=settings.max_request_bytes // (1024 * 1024),
        file=settings.attachment_max_bytes // (1024 * 1024),
    )


class BodyTooLarge(AppError, StarletteHTTPException):
    """The body grew past ``max_request_bytes`` while it was being read. Raised from ``receive``,
    in the middle of whatever reads the body (form parsing, FastAPI's body decoding), and
    answered by the app's own handler for :class:`AppError` — the same 413 page or JSON as a
    too large Content-Length. It is a Starlette ``HTTPException`` as well only because FastAPI
    passes those on from its body reading and turns any other error there into a 400."""

    status_code = 413
    code = "too_large"

    def __init__(self) -> None:
        # Not AppError.__init__: its super() would reach HTTPException.__init__(message).
        message = _too_large_message()
        Exception.__init__(self, message)
        self.message = message
        self.extra: dict[str, Any] = {}
        self.detail = message
        self.headers = None


class RequestContextMiddleware:
    """Set once for every request: the locale, the CSRF cookie, the flash, the security and
    cache headers — and the body limit, counted as the body streams in.

    The body's bytes are counted whatever the framing (Content-Length or chunked), and reading
    stops once they pass ``max_request_bytes``: ``receive`` raises :class:`BodyTooLarge`,
    which the app answers with 413, and that answer closes the connection so that the rest is
    never read. A declared length over the limit is answered before anything is read.

    The app reads a body before it answers (FastAPI decodes it, and the forms are parsed,
    before any route runs). Should an answer have begun all the same, its status can no longer
    change: the answer is cut off unfinished, and the server closes the connection.

    Pure ASGI, not ``BaseHTTPMiddleware``: that one reads the body for the app inside a task
    group, which would wrap the error raised from ``receive`` in an ``ExceptionGroup`` that no
    handler matches, and it finishes an answer cleanly even when the app failed half-way."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        locale = pick_locale(request)
        set_locale(locale)
        request.state.locale = locale
        token = request.cookies.get(CSRF_COOKIE) or ""
        fresh = len(token) < 20
        if fresh:
            token = secrets.token_urlsafe(32)
        request.state.csrf_token = token
        request.state.flash = read_flash(request)
        path = scope["path"]
        settings = get_settings()
        limit = settings.max_request_bytes
        length = request.headers.get("content-length", "")
        # Refused: the body is not read to its end; the answer then closes the connection.
        refused = length.isdecimal() and int(length) > limit
        received = 0
        started = cut_off = False

        async def counting_receive() -> Message:
            nonlocal received, refused, cut_off
            if refused:  # the rest is never read
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    cut_off = started
                    raise BodyTooLarge()
            return message

        async def decorating_send(message: Message) -> None:
            nonlocal started
            if cut_off:
                return  # nothing more, not even the end: the answer must not look finished
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                if fresh and not path.startswith("/api/"):
                    headers.append(
                        "set-cookie", _csrf_cookie(token, secure=settings.secure_cookies)
                    )
                _set_headers(headers, path, locale, secure=settings.secure_cookies)
                rate = scope.get("state", {}).get("rate_limit")  # set by app.ratelimit
                if rate is not None:
                    headers.setdefault("RateLimit-Limit", str(rate[0]))
                    headers.setdefault("RateLimit-Remaining", str(rate[1]))
                if refused:
                    headers["connection"] = "close"
            await send(message)

        if refused:
            response = error_response(request, 413, BodyTooLarge.code, _too_large_message())
            await response(scope, receive, decorating_send)
            return
        try:
            await self.app(scope, counting_receive, decorating_send)
        except Exception:
            if not cut_off:
                raise
        if cut_off:
            log.warning(
                "request body over %d bytes after the answer had begun: connection aborted",
                limit,
            )


def _csrf_cookie(token: str, *, secure: bool) -> str:
    holder = Response()
    holder.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/")
    return holder.headers["set-cookie"]


def _set_headers(headers: MutableHeaders, path: str, locale: str, *, secure: bool) -> None:
    """The security headers, and what may be cached, unless the route set its own."""
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    content_type = headers.get("content-type", "")
    if "text/html" in content_type:
        headers.setdefault("Cache-Control", "no-store")
    elif path.startswith("/api/") or content_type.startswith(("application/json", "text/calendar")):
        # API answers and calendar files carry personal data: no shared cache keeps them,
        # and no browser stores them on disk.
        headers.setdefault("Cache-Control", "private, no-store")
    headers.setdefault("Content-Language", locale)


NUL_MESSAGE = lazy("Teksten inneholder et ugyldig tegn (NUL).")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NulCharacter(AppError):
    """Text with U+0000: PostgreSQL cannot store or compare it (the query fails), so it is
    refused wherever it comes in, on both databases alike."""

    status_code = 422
    code = "invalid_character"
    message = NUL_MESSAGE


def _is_json(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def _holds_nul(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


async def refuse_nul(request: Request) -> None:
    """422 for a NUL character in the path, the query, a form's text fields (and file names)
    or a JSON body — as decoded: ``%00`` and ``\\u0000`` count, a file's bytes do not.

    The one place for it, run by :func:`verify_csrf`, the dependency every router has and runs
    before all others — so before anything reaches the database. Here the form and the JSON
    are already parsed, or parsed once and kept on the request for the route (Starlette keeps
    ``form()`` and ``json()``): nothing is read twice, uploads are not held in memory again,
    and multipart text fields are told from files by the parser itself. A middleware, seeing
    only bytes, would have to parse every multipart body a second time to do the same."""
    if "\x00" in request.scope["path"] or any(
        "\x00" in key or "\x00" in value for key, value in request.query_params.multi_items()
    ):
        raise NulCharacter()
    if request.method in SAFE_METHODS:
        return
    # Lower case, as the parsers read it: "Multipart/Form-Data" is parsed as a form too.
    content_type = request.headers.get("content-type", "").strip().lower()
    if content_type.startswith(FORM_TYPES):
        form = await request.form()
        for key, value in form.multi_items():
            text = value if isinstance(value, str) else (value.filename or "")
            if "\x00" in key or "\x00" in text:
                raise NulCharacter()
    elif _is_json(content_type):
        try:
            data = await request.json()
        except ValueError:
            return  # not JSON: the route says so, if it wants JSON at all
        if _holds_nul(data):
            raise NulCharacter()


async def verify_csrf(request: Request) -> None:
    """The checks every request passes before its route: no NUL in its text
    (:func:`refuse_nul`), then the CSRF token on every state-changing request: a form field,
    or the header that HTMX sends (``hx-headers`` on ``<body>``). API calls with a bearer
    token are exempt from the token: they carry no cookie an attacker could ride on."""
    await refuse_nul(request)
    if request.method in SAFE_METHODS:
        return
    if request.scope["path"].startswith("/api/") and request.headers.get(
        "authorization", ""
    ).lower().startswith("bearer "):
        return
    expected = request.cookies.get(CSRF_COOKIE)
    given = request.headers.get(CSRF_HEADER)
    if not given:
        content_type = request.headers.get("content-type", "").strip().lower()
        if content_type.startswith(FORM_TYPES):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not expected or not given or not secrets.compare_digest(expected, given):
        raise CsrfError()
