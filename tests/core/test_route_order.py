"""The app tries the page routes before the API's (app/main.py: most requests are pages'). That
order changes no answer only while no page route can match a path under /api/v1/."""

from __future__ import annotations

from fastapi.routing import APIRoute

from app.config import get_settings
from app.main import create_app


def _routes(app):
    for route in app.routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "effective_route_contexts"):  # included routers
            yield from route.effective_route_contexts()


def test_no_page_route_can_answer_an_api_path():
    routes = list(_routes(create_app(get_settings())))
    api = [r for r in routes if r.path.startswith("/api/v1/")]
    pages = [r for r in routes if not r.path.startswith("/api/v1/")]
    assert len(api) > 50 and len(pages) > 50
    # A page route could only match /api/v1/… with "api" (or a parameter) first and "v1" (or a
    # parameter) second; "/{workspace_slug}" alone matches one segment only.
    for route in pages:
        segments = route.path.strip("/").split("/")
        first, second = segments[0], (segments[1] if len(segments) > 1 else None)
        could = (first == "api" or first.startswith("{")) and (
            second is not None and (second == "v1" or second.startswith("{"))
        )
        assert not could, route.path
        assert not any(":path}" in segment for segment in segments), route.path
    # And the API's own paths, with any values, are answered by API routes only.
    for route in api:
        sample = "/".join("x1" if s.startswith("{") else s for s in route.path.split("/"))
        assert not any(page.path_regex.match(sample) for page in pages), route.path


def test_api_paths_are_matched_against_the_api_routes_only_and_answer_as_before():
    """app/routing.py: an /api/v1/ path is matched against the API's routes only, any other
    path against the rest; the answers are the same as with one list, and a route added after
    the app is made is found."""
    from fastapi.testclient import TestClient

    from app.routing import _is_api

    app = create_app(get_settings())
    flags = [_is_api(route) for route in app.router.routes]
    assert any(flags) and not all(flags)
    client = TestClient(app)
    me = client.get("/api/v1/me")
    assert me.status_code == 401 and me.headers["content-type"].startswith("application/json")
    missing = client.get("/api/v1/finnes-ikke")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/json")
    assert client.get("/logg-inn").status_code == 200
    assert client.get("/api/docs").status_code == 200
    assert client.get("/static/vendor/htmx.min.js").status_code == 200
    assert client.get("/finnes/ikke/her").status_code == 404

    @app.get("/api/v1/lagt-til-etterpaa")
    def added() -> dict[str, str]:
        return {"ok": "ja"}

    assert client.get("/api/v1/lagt-til-etterpaa").json() == {"ok": "ja"}
