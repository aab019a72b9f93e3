"""Templates and the helpers every HTML view uses: render() (full page, or only the fragment for
an HTMX request), redirect() (HX-Redirect or 303), flash messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, unquote

import jinja2
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from app import TEMPLATES_DIR
from app.accounts.permissions import describe_roles
from app.clock import OSLO
from app.config import get_settings
from app.i18n import LOCALES, _, get_locale, gettext_, ngettext, pgettext

FLASH_COOKIE = "samspill_flash"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
)
templates = Jinja2Templates(env=_env)
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext_, ngettext, newstyle=True, pgettext=pgettext
)
templates.env.globals["LOCALES"] = LOCALES

# ``_("…")`` in a template: Jinja's own (new-style gettext) looks the text up, wraps it in
# Markup and formats it (``%``, even with nothing to put in) on every call: about 100 calls on
# the help queue, a third of its rendering under cProfile. A text without values is the same
# every time in the same language, so it is made once per process and language (the
# catalogues do not change while the process runs) and kept; one with values goes Jinja's way.
_newstyle_gettext: Callable[..., Any] = templates.env.globals["gettext"]  # type: ignore[assignment]
_TEXTS: dict[tuple[str, bool, str], Any] = {}
_TEXTS_MAX = 10_000  # far more than the templates hold; past it, texts are not kept


@jinja2.pass_context
def _gettext_once(context: jinja2.runtime.Context, message: str, **variables: Any) -> Any:
    if variables or type(message) is not str:
        return _newstyle_gettext(context, message, **variables)
    key = (get_locale(), context.eval_ctx.autoescape, message)
    text = _TEXTS.get(key)
    if text is None:
        text = _newstyle_gettext(context, message)
        if len(_TEXTS) < _TEXTS_MAX:
            _TEXTS[key] = text
    return text


templates.env.globals["_"] = _gettext_once
templates.env.globals["gettext"] = _gettext_once
templates.env.globals["describe_roles"] = describe_roles  # "Partner (KS) + Hjelper"


def configure_templates(environment: str) -> None:
    """Outside development a template never changes while the app runs: compile each once and
    do not look at its file again on every render (Jinja's ``auto_reload`` stats the file, and
    every file it includes, each time)."""
    _env.auto_reload = environment == "development"


def _fmt_int(value: int | None) -> str:
    if value is None:
        return ""
    return f"{value:,}".replace(",", "\u00a0")


def _local(value: datetime | None, fmt: str = "%d.%m.%Y %H:%M") -> str:
    """A stored UTC time as Norwegian local time."""
    if value is None:
        return ""
    return value.astimezone(OSLO).strftime(fmt)


def _local_date(value: date | datetime | None) -> str:
    if isinstance(value, datetime) or value is None:
        return _local(value, "%d.%m.%Y")
    return value.strftime("%d.%m.%Y")


def _hours(minutes: int | None) -> str:
    """Minutes as hours and minutes: "1 t 30 min"."""
    h, m = divmod(int(minutes or 0), 60)
    if h and m:
        return _("{h} t {m} min").format(h=h, m=m)
    return _("{h} t").format(h=h) if h else _("{m} min").format(m=m)


def decimal(value: float) -> str:
    """A number with at most one decimal, written the locale's way ("3,5" / "3.5")."""
    return format_decimal(value, format="#,##0.#", locale=get_locale())


def _filesize(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} kB"
    return f"{decimal(size / (1024 * 1024))} MB"


templates.env.filters["thousands"] = _fmt_int
templates.env.filters["localtime"] = _local
templates.env.filters["localdate"] = _local_date
templates.env.filters["hours"] = _hours
templates.env.filters["decimal"] = decimal
templates.env.filters["filesize"] = _filesize


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def base_context(request: Request) -> dict[str, Any]:
    ctx = getattr(request.state, "ctx", None)
    return {
        "request": request,
        "locale": get_locale(),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "user": getattr(request.state, "viewer", None),
        "ctx": ctx,
        "flash": getattr(request.state, "flash", None),
        "htmx": is_htmx(request),
        "module_nav": getattr(request.app.state, "nav", ()),
    }


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    fragment: str | None = None,
) -> HTMLResponse:
    """The full page, or — for an HTMX request — only ``fragment`` (a ``_name.html`` template)."""
    data = base_context(request)
    data.update(context or {})
    name = fragment if (fragment and is_htmx(request)) else template
    response = templates.TemplateResponse(request, name, data, status_code=status_code)
    if data.get("flash"):
        response.delete_cookie(
            FLASH_COOKIE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=get_settings().secure_cookies,
        )
    return response


def render_fragment(request: Request, template: str, context: dict[str, Any]) -> Markup:
    """A fragment rendered on its own, to be placed in another page (a module's section of the
    settings page): the same context as a page, plus ``context``."""
    data = base_context(request)
    data.update(context)
    # The template is autoescaped: its output is HTML we made, safe to place as it is.
    return Markup(templates.env.get_template(template).render(data))  # noqa: S704


def redirect(request: Request, url: str, *, flash: str | None = None) -> Response:
    """After a successful form POST: ``HX-Redirect`` for HTMX, 303 otherwise."""
    response: Response
    if is_htmx(request):
        response = Response(status_code=204, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH_COOKIE,
            quote(flash),
            path="/",
            httponly=True,
            samesite="lax",
            secure=get_settings().secure_cookies,
        )
    return response


def read_flash(request: Request) -> str | None:
    raw = request.cookies.get(FLASH_COOKIE)
    return unquote(raw)[:300] if raw else None


def render_error(
    request: Request, status: int, message: str, errors: dict[str, str] | None = None
) -> HTMLResponse:
    # The request's transaction has been rolled back: show no database objects, only the
    # plain snapshot of who is signed in.
    return render(
        request,
        "error.html",
        {"status": status, "message": message, "errors": errors or {}, "ctx": None},
        status_code=status,
    )
