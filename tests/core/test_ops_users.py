"""`samspill user deactivate|activate|reset-password` and `samspill workspace list`, run as an
operator runs them (typer's CliRunner on the real command), against a database of their own
on SQLite and PostgreSQL. The web app is served on the same database, so that what the
commands did is checked where people notice it: signing in, the API, the reset link.

On PostgreSQL the commands connect as an ordinary role (no BYPASSRLS), as a migration owner
that is not a superuser does: row-level security applies to them, so they must set the
workspace scope where they touch tenant rows (API tokens, memberships)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.accounts import tokens
from app.accounts.models import PasswordReset, User, UserSession
from app.accounts.service import deactivate_user
from app.cli import cli
from app.clock import today
from app.config import Settings, get_settings
from app.db import make_sessionmaker
from app.mail import service as mail
from app.mail.models import OutboxMessage
from app.main import create_app
from app.tenancy import set_db_scope
from conftest import (
    PG_OWNER_URL,
    REQUIRE_PG,
    _pg_problem,
    _postgres_database,
    _sqlite_database,
)
from factories import PASSWORD, add_member, create_member, create_user, create_workspace, post
from tests.accounts import test_oidc
from tests.accounts.test_oidc import oidc_login, set_provider_user

# The OpenID Connect provider on loopback and the client pointed at it, from the OIDC tests.
oidc_provider = test_oidc.oidc_provider
oidc_acr = test_oidc.oidc_acr
oidc_client = test_oidc.oidc_client

NEW_PASSWORD = "operatorens-nye-passord"


@dataclass
class CliDatabase:
    backend: str
    engine: Engine  # the ordinary role on PostgreSQL
    settings: Settings


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def cli_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CliDatabase]:
    """A migrated database of its own (the commands commit, unlike the rolled-back tests)."""
    if request.param == "sqlite":
        db = _sqlite_database(tmp_path_factory.mktemp("ops-users"))
        yield CliDatabase("sqlite", db.engine, db.settings)
        db.engine.dispose()
        return
    if not PG_OWNER_URL:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required here but did not answer: {_pg_problem}")
        pytest.skip(f"PostgreSQL not available: {_pg_problem}")
    db, name, admin = _postgres_database()
    yield CliDatabase("postgresql", db.engine, db.settings)
    db.engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def env(cli_database: CliDatabase, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliDatabase]:
    monkeypatch.setenv("SAMSPILL_DATABASE_URL", cli_database.settings.database_url)
    monkeypatch.delenv("SAMSPILL_MIGRATION_DATABASE_URL", raising=False)
    monkeypatch.setenv("SAMSPILL_ENVIRONMENT", "test")
    get_settings.cache_clear()
    yield cli_database
    get_settings.cache_clear()


@pytest.fixture
def setup(env: CliDatabase) -> Iterator[Session]:
    """A session to put data in place (committed) and to look at what the commands did."""
    with Session(env.engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def web(env: CliDatabase) -> Iterator[TestClient]:
    """The real app on the same database, with its own transactions."""
    app = create_app(get_settings(), engine=env.engine)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _person(session: Session, **kwargs: Any) -> tuple[Any, str]:
    ws = create_workspace(session, slug=_unique("ws"))
    email = f"{_unique('person')}@example.no"
    user = create_member(session, ws, email=email, **kwargs)
    session.commit()
    return ws, user.email


def _scalar(env: CliDatabase, query: Any) -> Any:
    """One value, read in a short transaction of its own (SQLite: no lock is kept)."""
    with Session(env.engine) as session:
        return session.scalar(query)


def _user_id(env: CliDatabase, email: str) -> int:
    user_id = _scalar(env, select(User.id).where(User.email == email))
    assert user_id is not None
    return int(user_id)


def _login(web: TestClient, email: str, password: str = PASSWORD) -> Any:
    return post(web, "/logg-inn", {"email": email, "password": password})


def _sessions(env: CliDatabase, email: str) -> int:
    user_id = _user_id(env, email)
    query = select(func.count()).select_from(UserSession).where(UserSession.user_id == user_id)
    return int(_scalar(env, query))


def _outbox(env: CliDatabase) -> int:
    return int(_scalar(env, select(func.count()).select_from(OutboxMessage)))


# --- user deactivate / activate ------------------------------------------------------------


def test_deactivate_ends_sessions_and_tokens_and_login(setup, web, env):
    ws, email = _person(setup)
    user = setup.get(User, _user_id(env, email))
    set_db_scope(setup, workspace_id=ws.id, user_id=None)
    _row, api_token = tokens.create_api_token(setup, ws.id, user, "skript")
    setup.commit()
    bearer = {"Authorization": f"Bearer {api_token}"}
    assert _login(web, email).status_code == 303
    assert web.get(f"/{ws.slug}").status_code == 200
    assert web.get("/api/v1/me", headers=bearer).status_code == 200

    result = run("user", "deactivate", email.upper())
    assert result.exit_code == 0, result.output
    assert f"Deactivated {email}: ended 1 session, revoked 1 API token" in result.output

    # The open browser is signed out, the API token refused, the password no longer works.
    r = web.get(f"/{ws.slug}")
    assert r.status_code == 303 and r.headers["location"].startswith("/logg-inn")
    assert web.get("/api/v1/me", headers=bearer).status_code == 401
    refused = _login(web, email)
    assert refused.status_code == 401 and "Feil e-postadresse eller passord." in refused.text
    assert _sessions(env, email) == 0
    # Nor can they ask for a new password.
    outbox_before = _outbox(env)
    assert post(web, "/glemt-passord", {"email": email}).status_code == 303
    assert _outbox(env) == outbox_before

    again = run("user", "deactivate", email)
    assert again.exit_code == 0 and "already deactivated" in again.output

    # Activation gives back the access they had; the revoked API token stays revoked.
    back = run("user", "activate", email)
    assert back.exit_code == 0 and f"Activated {email}" in back.output
    assert _login(web, email).status_code == 303
    assert web.get(f"/{ws.slug}").status_code == 200
    assert web.get("/api/v1/me", headers=bearer).status_code == 401


def test_deactivate_reaches_tokens_in_every_workspace(setup, web, env):
    ws, email = _person(setup)
    user = setup.get(User, _user_id(env, email))
    other = create_workspace(setup, slug=_unique("ws"), county="46")
    add_member(setup, other, user, "viewer")
    headers = []
    for workspace in (ws, other):
        set_db_scope(setup, workspace_id=workspace.id, user_id=None)
        _row, token = tokens.create_api_token(setup, workspace.id, user, "skript")
        headers.append({"Authorization": f"Bearer {token}"})
    setup.commit()
    result = run("user", "deactivate", email)
    assert result.exit_code == 0 and "revoked 2 API tokens" in result.output
    for header in headers:
        assert web.get("/api/v1/me", headers=header).status_code == 401


def test_unknown_email_is_a_clear_error(env):
    for args in (
        ("user", "deactivate", "ingen@example.no"),
        ("user", "activate", "ingen@example.no"),
        ("user", "reset-password", "ingen@example.no"),
        ("user", "reset-password", "ingen@example.no", "--send"),
    ):
        result = run(*args)
        assert result.exit_code == 1, args
        assert "No user with the e-mail address 'ingen@example.no'." in result.output


# --- user reset-password -------------------------------------------------------------------


def _printed_link(output: str) -> str:
    match = re.search(r"^http://127\.0\.0\.1:8000(/nytt-passord/[A-Za-z0-9_-]+)$", output, re.M)
    assert match, output
    return match.group(1)


def test_reset_password_prints_a_one_time_link(setup, web, env):
    _ws, email = _person(setup)
    _login(web, email)
    outbox_before = _outbox(env)

    result = run("user", "reset-password", email)
    assert result.exit_code == 0, result.output
    assert f"One-time password-reset link for {email} (works once, until " in result.output
    link = _printed_link(result.output)
    assert _outbox(env) == outbox_before

    web.cookies.clear()
    page = web.get(link)
    assert page.status_code == 200 and email in page.text
    r = post(web, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/logg-inn"
    assert _sessions(env, email) == 0
    assert _login(web, email, PASSWORD).status_code == 401
    assert _login(web, email, NEW_PASSWORD).status_code == 303
    assert web.get(link).status_code == 410


def test_reset_password_send_mails_the_link(setup, web, env, smtp):
    _ws, email = _person(setup, name="Epost Mottaker")
    result = run("user", "reset-password", email, "--send")
    assert result.exit_code == 0, result.output
    assert f"Queued a password-reset mail to {email}" in result.output
    assert "nytt-passord" not in result.output  # the link goes only to the person

    mail.deliver_pending(make_sessionmaker(env.engine), get_settings())
    mine = [m for m in smtp.messages if m["To"] == email]
    assert len(mine) == 1 and mine[0]["Subject"] == "Nytt passord til Samspill"
    body = mine[0].get_body(preferencelist=("plain",)).get_content()
    assert "Hei, Epost Mottaker!" in body
    match = re.search(r"http://127\.0\.0\.1:8000(/nytt-passord/[A-Za-z0-9_-]+)", body)
    assert match, body
    r = post(web, match.group(1), {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert r.status_code == 303
    assert _login(web, email, NEW_PASSWORD).status_code == 303


def test_reset_password_refuses_deactivated_and_oidc_only_accounts(setup, env):
    _ws, email = _person(setup)
    assert run("user", "deactivate", email).exit_code == 0
    result = run("user", "reset-password", email)
    assert result.exit_code == 1
    assert f"{email} is deactivated; activate the account first" in result.output
    assert "nytt-passord" not in result.output

    eid = create_user(setup, email=f"{_unique('eid')}@example.no", password="")
    eid.oidc_subject = f"https://idp.example|{_unique('sub')}"
    eid_email = eid.email
    setup.commit()
    result = run("user", "reset-password", eid_email, "--send")
    assert result.exit_code == 1
    assert "signs in only through OpenID Connect and has no password" in result.output

    for address in (email, eid_email):
        query = select(func.count()).select_from(PasswordReset)
        assert _scalar(env, query.where(PasswordReset.user_id == _user_id(env, address))) == 0
    to_eid = select(func.count()).select_from(OutboxMessage)
    assert _scalar(env, to_eid.where(OutboxMessage.recipient == eid_email)) == 0


# --- workspace list ------------------------------------------------------------------------


def _table(output: str) -> dict[str, list[str]]:
    rows = [re.split(r"\s{2,}", line.strip()) for line in output.splitlines() if line.strip()]
    assert rows[0] == ["SLUG", "COUNTY", "NAME", "MEMBERS", "CREATED"], output
    return {row[0]: row for row in rows[1:]}


def test_workspace_list(setup):
    busy = create_workspace(setup, slug=_unique("travel"), county="50", name="Travelt fylke")
    quiet = create_workspace(setup, slug=_unique("stille"), county="46", name="Stille fylke")
    for _ in range(3):
        create_member(setup, busy, "coordinator")
    setup.commit()

    result = run("workspace", "list")
    assert result.exit_code == 0, result.output
    table = _table(result.output)
    created = today().isoformat()
    assert table[busy.slug] == [busy.slug, "50 Trøndelag", "Travelt fylke", "3", created]
    assert table[quiet.slug] == [quiet.slug, "46 Vestland", "Stille fylke", "0", created]
    slugs = list(table)
    assert slugs == sorted(slugs)


def test_workspace_list_of_an_empty_database(tmp_path, monkeypatch):
    db = _sqlite_database(tmp_path)
    monkeypatch.setenv("SAMSPILL_DATABASE_URL", db.settings.database_url)
    get_settings.cache_clear()
    try:
        result = run("workspace", "list")
    finally:
        get_settings.cache_clear()
        db.engine.dispose()
    assert result.exit_code == 0
    assert "No workspaces yet. Create one: samspill workspace create" in result.output


# --- OpenID Connect ------------------------------------------------------------------------


def test_a_deactivated_account_cannot_sign_in_with_openid_connect(oidc_client, oidc_provider, db):
    """What `samspill user deactivate` does (the service it calls) stops an eID login too,
    with a message that says why, whether the account is known by its identity or its
    address."""
    ws = create_workspace(db)
    linked = create_member(db, ws, email=f"{_unique('eid')}@example.no")
    sub = _unique("sub")
    linked.oidc_subject = f"{oidc_provider}|{sub}"
    by_email = create_member(db, ws, email=f"{_unique('adr')}@example.no")
    other_sub = _unique("sub")
    set_provider_user(oidc_provider, sub, email=linked.email)
    set_provider_user(oidc_provider, other_sub, email=by_email.email)
    deactivate_user(db, linked)
    deactivate_user(db, by_email)
    db.commit()
    for subject in (sub, other_sub):
        response = oidc_login(oidc_client, subject)
        assert response.status_code == 403
        assert "Kontoen din er deaktivert" in response.text
        assert not oidc_client.cookies.get("samspill_session")
    db.expire_all()
    assert db.scalar(select(User.oidc_subject).where(User.id == by_email.id)) is None
