"""Route matching split by prefix: a request for ``/api/v1/…`` is matched against the API's
routes only, any other against the rest (pages, static files, health). Starlette's router tries
its routes one by one in order; with some 250 page routes and 135 API routes in one list, an
API call would first be tried against every page route (or a page against every API route).
The split keeps one list of routes in ``app.routes`` (for the OpenAPI document and
``url_for``) and only changes where matching starts."""

from __future__ import annotations

from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Router
from starlette.types import Receive, Scope, Send

API_PREFIX = "/api/v1/"


def _is_api(route: BaseRoute) -> bool:
    """A route of the API: its path, or the prefix it was included with (FastAPI keeps an
    included router as one entry of the app's routes), is under /api/v1/."""
    path = getattr(route, "path", None)
    if path is None:
        path = getattr(getattr(route, "include_context", None), "prefix", "") + "/"
    return str(path).startswith(API_PREFIX)


class _Part(Router):
    """A view of some of a router's routes that answers like the router itself."""


def split_by_prefix(router: Router) -> None:
    """Make ``router`` match ``/api/v1/`` paths against its API routes only and other paths
    against the others. Routes added later are picked up (the split is made again when the
    number of routes changes)."""
    whole = router.app
    parts: dict[str, object] = {"count": -1}

    def _parts() -> tuple[Router, Router]:
        if parts["count"] != len(router.routes):
            api = [route for route in router.routes if _is_api(route)]
            rest = [route for route in router.routes if not _is_api(route)]
            parts["api"] = _Part(
                routes=api, redirect_slashes=router.redirect_slashes, default=router.default
            )
            parts["rest"] = _Part(
                routes=rest, redirect_slashes=router.redirect_slashes, default=router.default
            )
            parts["count"] = len(router.routes)
        return parts["api"], parts["rest"]  # type: ignore[return-value]

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await whole(scope, receive, send)  # lifespan: the whole router's
            return
        api, rest = _parts()
        scope.setdefault("router", router)  # url_for sees every route
        part = api if get_route_path(scope).startswith(API_PREFIX) else rest
        await part.app(scope, receive, send)

    router.middleware_stack = dispatch
