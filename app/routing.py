"""Route matching split by prefix, and narrowed by path: a request for ``/api/v1/…`` is matched
against the API's routes only, any other against the rest (pages, static files, health); and
within that part, only against the entries whose paths can match the request's path at all.

Starlette's router tries its routes one by one in order, and FastAPI keeps an included router
as one entry of the app's routes, which it asks by trying each of its routes — twice, once to
find the entry and once to handle the request. With some 250 page routes and 135 API routes,
finding the route cost 0.1-0.4 ms of every request. Here each entry of the app's routes has
one regular expression, the union of its routes' paths (names of parameters left out, read
from the routes' paths and the prefixes they were included with, so that the index is made
without FastAPI's costly route contexts); a request is tried against the entries whose
expression matches its path, in their order. An
entry whose paths do not match answers "no match" for any method, so the answer is the same
as trying them all: the first full match, else the first partial one (405). When none matches
(a 404, or a path that only differs by its trailing slash), the whole part is tried as before,
so the 404 and the slash redirect stay Starlette's.

The split keeps one list of routes in ``app.routes`` (for the OpenAPI document and
``url_for``) and only changes where matching starts. Routes added to the app later are picked
up (the index is made again when the number of the app's routes changes); a route added to an
already included router later still is found only when no other entry matches its path (every
module declares its routes before ``create_app`` includes them). An entry whose paths cannot be
read is always tried."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Mount, Router, compile_path
from starlette.types import Receive, Scope, Send

API_PREFIX = "/api/v1/"
_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


def _is_api(route: BaseRoute) -> bool:
    """A route of the API: its path, or the prefix it was included with (FastAPI keeps an
    included router as one entry of the app's routes), is under /api/v1/."""
    path = getattr(route, "path", None)
    if path is None:
        path = getattr(getattr(route, "include_context", None), "prefix", "") + "/"
    return str(path).startswith(API_PREFIX)


class _Part(Router):
    """A view of some of a router's routes that answers like the router itself."""


def _patterns(route: BaseRoute, prefix: str = "") -> Iterator[str] | None:
    """The path expressions of an entry of the app's routes, or None when unknown.

    Read from the paths themselves (an included router's prefix joined to each of its routes'
    paths, as FastAPI joins them), not from FastAPI's route contexts: building those analyses
    every route's dependencies, about 1 s for the whole app, and FastAPI builds a router's
    contexts itself when a request first reaches it. ``prepare`` builds them all at start."""
    included = getattr(route, "include_context", None)
    original = getattr(route, "original_router", None)
    if included is None or original is None:
        if not prefix:
            regex = getattr(route, "path_regex", None)
            return None if regex is None else iter([regex.pattern])
        path = getattr(route, "path", None)
        if isinstance(route, Mount) or not isinstance(path, str):
            return None  # a mount under a prefix, or no path: always tried
        return iter([compile_path(prefix + path)[0].pattern])
    if getattr(original, "_low_priority_routes", None):
        return None  # FastAPI tries those after the others: keep the entry always tried
    found: list[str] = []
    for inner in original.routes:
        patterns = _patterns(inner, prefix + included.prefix)
        if patterns is None:
            return None
        found.extend(patterns)
    return iter(found)


def prepare(router: Router) -> int:
    """FastAPI's route contexts of every included router, built now (at start) rather than by
    the first request to reach each router; the number of routes."""
    built = 0
    for route in router.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        built += sum(1 for _ in contexts()) if contexts is not None else 1
    return built


def _path_filter(route: BaseRoute) -> re.Pattern[str] | None:
    """One expression for every path ``route`` can answer, or None: try it always."""
    patterns = _patterns(route)
    if patterns is None:
        return None
    alternatives = [f"(?:{_NAMED_GROUP.sub('(?:', p)})" for p in patterns]
    if not alternatives:
        return re.compile(r"(?!)")  # answers nothing
    try:
        return re.compile("|".join(alternatives))
    except re.error:
        return None


class _Index:
    """A part's entries with their path expressions, and a router per set of candidates."""

    def __init__(self, part: _Part) -> None:
        self.part = part
        self.filters = [(route, _path_filter(route)) for route in part.routes]

    def candidates(self, path: str) -> list[BaseRoute]:
        return [r for r, f in self.filters if f is None or f.match(path) is not None]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        partial: tuple[BaseRoute, Scope] | None = None
        for route in self.candidates(get_route_path(scope)):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial = (route, child_scope)
        if partial is not None:  # "405 Method Not Allowed", as Starlette's router answers it
            scope["route"] = partial[0]
            scope.update(partial[1])
            await partial[0].handle(scope, receive, send)
            return
        await self.part.app(scope, receive, send)  # 404, or the trailing-slash redirect


def split_by_prefix(router: Router) -> None:
    """Make ``router`` match ``/api/v1/`` paths against its API routes only and other paths
    against the others, each through its index. Routes added later are picked up (the split is
    made again when the number of routes changes)."""
    whole = router.app
    parts: dict[str, Any] = {"count": -1}

    def _parts() -> tuple[_Index, _Index]:
        if parts["count"] != len(router.routes):
            api = [route for route in router.routes if _is_api(route)]
            rest = [route for route in router.routes if not _is_api(route)]
            slashes, default = router.redirect_slashes, router.default
            parts["api"] = _Index(_Part(routes=api, redirect_slashes=slashes, default=default))
            parts["rest"] = _Index(_Part(routes=rest, redirect_slashes=slashes, default=default))
            parts["count"] = len(router.routes)
        return parts["api"], parts["rest"]

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await whole(scope, receive, send)  # lifespan: the whole router's
            return
        api, rest = _parts()
        scope.setdefault("router", router)  # url_for sees every route
        part = api if get_route_path(scope).startswith(API_PREFIX) else rest
        await part(scope, receive, send)

    router.middleware_stack = dispatch
