from datetime import timedelta

from sqlalchemy import func, select

from app.accounts.models import LoginAttempt, UserSession
from app.accounts.service import hash_token
from app.db import utcnow
from factories import PASSWORD, create_member, create_workspace, csrf, login, post


def _session_row(db, client):
    token = client.cookies.get("samspill_session")
    return db.scalar(select(UserSession).where(UserSession.token_hash == hash_token(token)))


def test_wrong_password_is_refused_with_a_norwegian_message(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws)
    r = client.post(
        "/logg-inn",
        data={"email": user.email, "password": "feil", "csrf_token": csrf(client)},
    )
    assert r.status_code == 401
    assert "Feil e-postadresse eller passord." in r.text
    assert "samspill_session" not in client.cookies
    # The failed attempt is remembered for the throttle.
    assert (
        db.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.email == user.email, LoginAttempt.succeeded.is_(False))
        )
        == 1
    )


def test_unknown_email_gets_the_same_answer(client, db):
    r = client.post(
        "/logg-inn",
        data={"email": "ingen@example.no", "password": "x", "csrf_token": csrf(client)},
    )
    assert r.status_code == 401
    assert "Feil e-postadresse eller passord." in r.text


def test_empty_fields_are_named(client, db):
    r = client.post("/logg-inn", data={"email": "", "password": "", "csrf_token": csrf(client)})
    assert r.status_code == 422
    # Next to each field, and in the summary at the top.
    assert 'id="f-email-error">Feltet må fylles ut.' in r.text
    assert 'id="f-password-error">Feltet må fylles ut.' in r.text
    assert r.text.count("Feltet må fylles ut.") == 4


def test_throttle_after_five_failures(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws)
    for _ in range(5):
        r = post(client, "/logg-inn", {"email": user.email, "password": "feil"})
        assert r.status_code == 401
    # Even the right password is refused now, with a clear message.
    r = post(client, "/logg-inn", {"email": user.email, "password": PASSWORD})
    assert r.status_code == 429
    assert "For mange mislykkede innlogginger" in r.text
    assert "samspill_session" not in client.cookies
    # Once the failures are older than the window, login works again.
    for attempt in db.scalars(select(LoginAttempt).where(LoginAttempt.email == user.email)):
        attempt.created_at = utcnow() - timedelta(minutes=16)
    db.flush()
    login(client, user)


def test_failures_from_one_address_do_not_lock_the_owner_out_at_another(app, db):
    """Five wrong passwords from anywhere used to lock the real owner out for 15 minutes."""
    from fastapi.testclient import TestClient

    ws = create_workspace(db)
    user = create_member(db, ws)
    with TestClient(app, client=("198.51.100.66", 5000), follow_redirects=False) as attacker:
        for _ in range(5):
            r = post(attacker, "/logg-inn", {"email": user.email, "password": "feil"})
            assert r.status_code == 401
        r = post(attacker, "/logg-inn", {"email": user.email, "password": PASSWORD})
        assert r.status_code == 429  # the guessing address is stopped
    with TestClient(app, client=("203.0.113.20", 5000), follow_redirects=False) as owner:
        r = post(owner, "/logg-inn", {"email": user.email, "password": PASSWORD})
        assert r.status_code == 303  # the owner, elsewhere, gets in
    addresses = set(db.scalars(select(LoginAttempt.address)))
    assert addresses == {"198.51.100.66", "203.0.113.20"}


def test_one_address_cannot_try_account_after_account(app, db):
    from fastapi.testclient import TestClient

    ws = create_workspace(db)
    users = [create_member(db, ws) for _ in range(6)]
    with TestClient(app, client=("198.51.100.77", 5000), follow_redirects=False) as attacker:
        for user in users[:5]:  # four wrong guesses each: no single account is locked
            for _ in range(4):
                r = post(attacker, "/logg-inn", {"email": user.email, "password": "feil"})
                assert r.status_code == 401
        # 20 failures from this address: the next account is refused too, even with its password.
        r = post(attacker, "/logg-inn", {"email": users[5].email, "password": PASSWORD})
        assert r.status_code == 429
    with TestClient(app, client=("203.0.113.21", 5000), follow_redirects=False) as owner:
        assert (
            post(owner, "/logg-inn", {"email": users[5].email, "password": PASSWORD}).status_code
            == 303
        )


def test_login_lands_in_the_only_workspace_and_rotates_the_session(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws)
    first = login(client, user)
    assert first.headers["location"] == f"/{ws.slug}"
    old_token = client.cookies.get("samspill_session")
    login(client, user)
    new_token = client.cookies.get("samspill_session")
    assert new_token != old_token
    # The old session is gone on the server.
    assert (
        db.scalar(select(UserSession).where(UserSession.token_hash == hash_token(old_token)))
        is None
    )


def test_several_workspaces_go_to_the_picker_and_switcher(client, db):
    a = create_workspace(db, name="Fylke A")
    b = create_workspace(db, county="46", name="Fylke B")
    user = create_member(db, a)
    from factories import add_member

    add_member(db, b, user, "viewer")
    r = login(client, user)
    assert r.headers["location"] == "/velg"
    page = client.get("/velg")
    assert "Fylke A" in page.text and "Fylke B" in page.text
    # The switcher in the header lists both.
    start = client.get(f"/{a.slug}")
    assert f'href="/{b.slug}"' in start.text


def test_next_parameter_only_allows_local_paths(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws)
    r = post(
        client,
        "/logg-inn",
        {"email": user.email, "password": PASSWORD, "neste": "https://evil.example/"},
    )
    assert r.headers["location"] == f"/{ws.slug}"
    client.cookies.clear()
    r = post(
        client,
        "/logg-inn",
        {"email": user.email, "password": PASSWORD, "neste": f"/{ws.slug}/api-nokler"},
    )
    assert r.headers["location"] == f"/{ws.slug}/api-nokler"


def test_logout_invalidates_the_session_on_the_server(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws)
    login(client, user)
    token = client.cookies.get("samspill_session")
    r = post(client, "/logout".replace("logout", "logg-ut"))
    assert r.status_code == 303
    assert db.scalar(select(UserSession).where(UserSession.token_hash == hash_token(token))) is None
    # Replaying the old cookie gets nothing.
    client.cookies.set("samspill_session", token)
    r = client.get(f"/{ws.slug}")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/logg-inn")


def test_idle_timeout_ends_the_session(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws)
    login(client, user)
    row = _session_row(db, client)
    row.last_seen_at = utcnow() - timedelta(hours=8, minutes=1)
    db.flush()
    r = client.get(f"/{ws.slug}")
    assert r.status_code == 303 and r.headers["location"].startswith("/logg-inn")


def test_absolute_timeout_ends_the_session_even_when_active(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws)
    login(client, user)
    row = _session_row(db, client)
    row.created_at = utcnow() - timedelta(days=7)
    row.expires_at = utcnow() - timedelta(seconds=1)
    row.last_seen_at = utcnow()
    db.flush()
    r = client.get(f"/{ws.slug}")
    assert r.status_code == 303


def test_active_session_within_limits_works(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws)
    login(client, user)
    row = _session_row(db, client)
    row.last_seen_at = utcnow() - timedelta(hours=7)
    db.flush()
    assert client.get(f"/{ws.slug}").status_code == 200


def test_session_cookie_flags(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws)
    r = login(client, user)
    cookie = next(
        v
        for k, v in r.headers.multi_items()
        if k == "set-cookie" and v.startswith("samspill_session=")
    )
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # development over plain http


def test_cookies_are_secure_in_production(app, db, monkeypatch):
    from fastapi.testclient import TestClient

    from app.config import get_settings

    monkeypatch.setenv("SAMSPILL_ENVIRONMENT", "production")
    get_settings.cache_clear()
    ws = create_workspace(db)
    user = create_member(db, ws)
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    r = login(client, user)
    cookies = [v for k, v in r.headers.multi_items() if k == "set-cookie"]
    session_cookie = next(c for c in cookies if c.startswith("samspill_session="))
    assert "; secure" in session_cookie.lower()
    assert "strict-transport-security" in r.headers


def test_anonymous_workspace_page_redirects_to_login_with_next(client, db):
    ws = create_workspace(db)
    r = client.get(f"/{ws.slug}/brukere")
    assert r.status_code == 303
    assert r.headers["location"] == f"/logg-inn?neste=%2F{ws.slug}%2Fbrukere"
