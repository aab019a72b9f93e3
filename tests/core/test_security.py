from sqlalchemy import func

from app.accounts.models import ApiToken
from app.tenancy import scoped, set_db_scope
from factories import create_member, create_workspace, login


def test_security_headers(client):
    r = client.get("/logg-inn")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "same-origin"


def test_missing_or_wrong_csrf_token_is_refused_and_changes_nothing(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws)
    login(client, user)
    for data in ({"name": "uten"}, {"name": "feil", "csrf_token": "x" * 43}):
        r = client.post(f"/{ws.slug}/api-nokler", data=data)
        assert r.status_code == 403
        assert "sikkerhetsnøkkel" in r.text
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    assert db.scalar(scoped(ApiToken, ws.id).with_only_columns(func.count())) == 0
    # Login itself needs the token too.
    client.cookies.clear()
    r = client.post("/logg-inn", data={"email": user.email, "password": "x"})
    assert r.status_code == 403


def test_htmx_header_carries_the_csrf_token(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws)
    login(client, user)
    page = client.get(f"/{ws.slug}/api-nokler").text
    token = client.cookies.get("samspill_csrf")
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in page
    r = client.post(
        f"/{ws.slug}/api-nokler",
        data={"name": "via htmx"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert r.status_code == 201


def test_get_requests_do_not_write(client, db, count_queries):
    ws = create_workspace(db)
    user = create_member(db, ws, "county_admin")
    login(client, user)
    pages = [
        "/",
        "/velg",
        f"/{ws.slug}",
        f"/{ws.slug}/brukere",
        f"/{ws.slug}/logg",
        f"/{ws.slug}/innstillinger",
        f"/{ws.slug}/api-nokler",
        "/api/v1/me",
        f"/api/v1/{ws.slug}/municipalities",
        "/logg-inn",
    ]
    for page in pages:
        client.get(page)  # the session's last_seen_at may be touched once here
    with count_queries() as q:
        for page in pages:
            assert client.get(page).status_code in (200, 303), page
    writes = [
        s for s in q.statements if s.lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert writes == []


def test_unknown_workspace_and_page_are_404_in_norwegian(client, db):
    ws = create_workspace(db)
    login(client, create_member(db, ws))
    r = client.get("/finnes-ikke")
    assert r.status_code == 404
    assert "Fant ikke siden" in r.text
    r = client.get("/api/v1/finnes-ikke/municipalities")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_unexpected_error_shows_no_stack_trace(app, client, db):
    def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/_test/boom/now", boom)
    app.add_api_route("/api/v1/boom", boom)
    with_raise = client.__class__(app, raise_server_exceptions=False, follow_redirects=False)
    r = with_raise.get("/_test/boom/now")
    assert r.status_code == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert "Noe gikk galt" in r.text
    r = with_raise.get("/api/v1/boom")
    assert r.status_code == 500 and r.json()["code"] == "internal_error"
    assert "secret internals" not in r.text


def test_api_requires_authentication(client):
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"


def test_openapi_describes_the_api(client):
    spec = client.get("/openapi.json").json()
    assert "/api/v1/me" in spec["paths"]
    assert "/api/v1/{workspace_slug}/municipalities" in spec["paths"]
    assert not any(p.startswith("/logg-inn") for p in spec["paths"])


def test_the_transaction_commits_before_the_response_is_sent(app, db):
    """A failed commit must turn into an error, never into a success the client already got."""
    from fastapi import Request
    from fastapi.testclient import TestClient

    from app.db import get_session

    def failing_commit(request: Request):
        db.expunge_all()
        yield db
        if request.method == "POST":
            raise RuntimeError("commit failed")

    app.dependency_overrides[get_session] = failing_commit
    ws = create_workspace(db)
    user = create_member(db, ws)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        c.get("/logg-inn")
        r = c.post(
            "/logg-inn",
            data={
                "email": user.email,
                "password": "riktig-passord-123",
                "csrf_token": c.cookies["samspill_csrf"],
            },
        )
    assert r.status_code == 500
    assert "samspill_session" not in r.headers.get("set-cookie", "")


def test_too_large_request_is_refused_before_it_is_read(client, db):
    from app.config import get_settings

    big = b"x" * (get_settings().max_request_bytes + 1)
    r = client.post(
        "/logg-inn", content=big, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 413
    assert "for stor" in r.text
