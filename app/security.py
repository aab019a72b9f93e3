"""Request-wide concerns set once: locale, CSRF cookie and check, flash, security headers."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from fastapi import Request
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import Response

from app.config import get_settings
from app.errors import CsrfError
from app.i18n import DEFAULT_LOCALE, LOCALES, set_locale
from app.web import read_flash

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
    """Bokmål unless the person chose otherwise with the language switcher."""
    wanted = request.cookies.get(LOCALE_COOKIE)
    return wanted if wanted in LOCALES else DEFAULT_LOCALE


class RequestContextMiddleware(BaseHTTPMiddleware):
    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        locale = pick_locale(request)
        set_locale(locale)
        request.state.locale = locale
        length = request.headers.get("content-length", "")
        if length.isdecimal() and int(length) > get_settings().max_request_bytes:
            from app.errors import STATUS_TEXT, error_response
            from app.i18n import _

            settings = get_settings()
            message = _(
                "{text} Største tillatte størrelse er {size} MB, og hvert vedlegg høyst {file} MB."
            ).format(
                text=_(STATUS_TEXT[413]),
                size=settings.max_request_bytes // (1024 * 1024),
                file=settings.attachment_max_bytes // (1024 * 1024),
            )
            return error_response(request, 413, "too_large", message)
        token = request.cookies.get(CSRF_COOKIE) or ""
        fresh = len(token) < 20
        if fresh:
            token = secrets.token_urlsafe(32)
        request.state.csrf_token = token
        request.state.flash = read_flash(request)
        response = await call_next(request)
        if fresh and not request.url.path.startswith("/api/"):
            response.set_cookie(
                CSRF_COOKIE,
                token,
                httponly=True,
                samesite="lax",
                secure=get_settings().secure_cookies,
                path="/",
            )
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if get_settings().secure_cookies:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if "text/html" in headers.get("content-type", ""):
            headers.setdefault("Cache-Control", "no-store")
        headers.setdefault("Content-Language", locale)
        return response


async def verify_csrf(request: Request) -> None:
    """Every state-changing request carries the CSRF token: a form field, or the header that
    HTMX sends (``hx-headers`` on ``<body>``). API calls with a bearer token are exempt: they
    carry no cookie an attacker could ride on."""
    if request.method in SAFE_METHODS:
        return
    if request.url.path.startswith("/api/") and request.headers.get(
        "authorization", ""
    ).lower().startswith("bearer "):
        return
    expected = request.cookies.get(CSRF_COOKIE)
    given = request.headers.get(CSRF_HEADER)
    if not given:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not expected or not given or not secrets.compare_digest(expected, given):
        raise CsrfError()
