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


def _samples(app):
    """A path for every route of the app, its parameters filled in, with its methods."""
    for route in _routes(app):
        path = getattr(route, "path", None)
        if not path or ":path}" in path:
            continue
        sample = "/".join("1" if s.startswith("{") else s for s in path.split("/"))
        yield sample, sorted(getattr(route, "methods", None) or {"GET"})


def test_the_index_tries_only_entries_that_can_match_and_finds_the_same_route():
    """app/routing.py tries a request only against the entries of the app's routes whose paths
    can match it: for every route's path and method, the entry found first is the one that
    trying every entry in order finds, and a path with another method still finds its route
    (405)."""
    from starlette.routing import Match

    from app.routing import API_PREFIX, _Index, _is_api, _Part

    app = create_app(get_settings())
    api = _Index(_Part(routes=[r for r in app.router.routes if _is_api(r)]))
    rest = _Index(_Part(routes=[r for r in app.router.routes if not _is_api(r)]))
    narrowed = 0
    checked = 0
    for sample, methods in _samples(app):
        index = api if sample.startswith(API_PREFIX) else rest
        candidates = index.candidates(sample)
        narrowed += len(candidates) < len(index.part.routes)
        for method in [*methods, "PATCH"]:
            scope = {"type": "http", "method": method, "path": sample, "root_path": ""}
            scope |= {"headers": [], "query_string": b"", "app": app}

            def first(routes, scope=scope):
                found = [(r, r.matches(scope)[0]) for r in routes]
                full = [r for r, m in found if m is Match.FULL]
                partial = [r for r, m in found if m is Match.PARTIAL]
                return (full or partial or [None])[0]

            expected = first(index.part.routes)  # None: "1" does not fit a parameter's type
            assert first(candidates) is expected, (method, sample)
            checked += expected is not None
    assert checked > 300
    assert narrowed > 100  # most paths are tried against a few entries, not all of them


def test_answers_that_no_route_gives_stay_the_routers():
    """A path no route has (404), another method on a known path (405) and a path that differs
    only by a trailing slash (redirect) are answered as Starlette's router answers them."""
    from fastapi.testclient import TestClient

    client = TestClient(create_app(get_settings()))
    assert client.get("/finnes/ikke").status_code == 404
    assert client.get("/api/v1/finnes/ikke").status_code == 404
    assert client.put("/api/v1/me").status_code == 405
    assert client.put("/logg-inn").status_code == 405
    slash = client.get("/logg-inn/", follow_redirects=False)
    assert slash.status_code == 307 and slash.headers["location"].endswith("/logg-inn")


def test_the_index_reads_the_same_paths_as_fastapis_route_contexts_without_building_them(
    monkeypatch,
):
    """app/routing.py reads each entry's paths from its routes and prefixes, not from FastAPI's
    route contexts (whose dependency analysis costs about 1 s for the app): the expressions are
    the ones the contexts have, a request builds only its own router's contexts, and
    ``prepare`` builds them all at start."""
    import fastapi.routing
    from fastapi.testclient import TestClient

    from app.routing import _patterns, prepare

    built: list[str] = []
    real = fastapi.routing._EffectiveRouteContext.from_api_route.__func__

    def counted(cls, *, original_route, include_context):
        built.append(include_context.path_for(original_route))
        return real(cls, original_route=original_route, include_context=include_context)

    monkeypatch.setattr(
        fastapi.routing._EffectiveRouteContext, "from_api_route", classmethod(counted)
    )
    app = create_app(get_settings())
    read = [list(_patterns(entry) or ["?"]) for entry in app.router.routes]
    assert built == []  # nothing built to read the paths
    assert sum(map(len, read)) > 300

    client = TestClient(app)
    assert client.get("/logg-inn").status_code == 200
    first = len(built)
    assert 0 < first < 100  # the login page's router, not the app's 389 routes

    every = prepare(app.router)
    contexts = []
    for entry in app.router.routes:
        if hasattr(entry, "effective_route_contexts"):
            contexts.append([c.path_regex.pattern for c in entry.effective_route_contexts()])
        else:
            contexts.append([entry.path_regex.pattern] if hasattr(entry, "path_regex") else ["?"])
    assert read == contexts
    assert every == sum(map(len, contexts))
    assert len(built) == every - sum(1 for e in app.router.routes if hasattr(e, "path_regex"))
