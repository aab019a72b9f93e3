"""OpenID Connect login against a real (mock) provider running in a thread.

The provider side of the dance (authorization form, code issue) is driven with httpx; the
app side with the TestClient. The provider exchanges the code and serves the JWKS for real,
so the id_token is signed, and iss, aud, exp, nonce and acr are verified by the app."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from oidc_provider_mock import run_server_in_thread
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import invitations, oidc
from app.accounts.deps import SESSION_COOKIE
from app.accounts.models import Invitation, Membership, OidcLogin, User
from app.config import get_settings
from app.counties.models import Workspace
from app.tenancy import scoped, set_db_scope
from factories import create_member, create_workspace, post

CLIENT_ID = "samspill-test"
CLIENT_SECRET = "hemmelig-klient"
CALLBACK = "http://testserver/oidc/callback"


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[str]:
    """The provider's issuer, exactly as its discovery document states it."""
    with run_server_in_thread(port=0, require_nonce=True) as server:
        base = f"http://localhost:{server.server_port}"
        issuer = httpx.get(f"{base}/.well-known/openid-configuration").json()["issuer"]
        assert issuer == base
        yield issuer


@pytest.fixture
def oidc_acr() -> str | None:
    """Overridden with ``@pytest.mark.parametrize("oidc_acr", [...])``."""
    return None


@pytest.fixture
def oidc_client(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    oidc_provider: str,
    oidc_acr: str | None,
) -> Iterator[TestClient]:
    monkeypatch.setenv("SAMSPILL_OIDC_ISSUER", oidc_provider)
    monkeypatch.setenv("SAMSPILL_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SAMSPILL_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("SAMSPILL_BASE_URL", "http://testserver")
    if oidc_acr:
        monkeypatch.setenv("SAMSPILL_OIDC_ACR", oidc_acr)
    else:
        monkeypatch.delenv("SAMSPILL_OIDC_ACR", raising=False)
    oidc._metadata_cache.clear()
    client: TestClient = request.getfixturevalue("client")
    settings = get_settings()
    assert settings.oidc_issuer == oidc_provider and settings.oidc_acr == oidc_acr
    yield client
    oidc._metadata_cache.clear()


# --- helpers -----------------------------------------------------------------------------


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def set_provider_user(issuer: str, sub: str, **claims: Any) -> None:
    claims.setdefault("email_verified", True)
    response = httpx.put(f"{issuer}/users/{sub}", json=claims)
    assert response.status_code == 204, response.text


def start(client: TestClient, neste: str | None = None) -> str:
    """POST /oidc/start; returns the provider's authorization URL after checking it."""
    response = post(client, "/oidc/start", {"neste": neste} if neste else {})
    assert response.status_code == 303, response.text[:500]
    url = response.headers["location"]
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert params["response_type"] == "code"
    assert params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == CALLBACK
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) >= 43
    assert params["nonce"]
    assert params["state"] == client.cookies.get(oidc.STATE_COOKIE)
    return url


def authorize(authorization_url: str, sub: str) -> str:
    """Act as the person at the provider; returns the callback path and query."""
    form = httpx.get(authorization_url)
    assert form.status_code == 200, form.text[:500]
    issued = httpx.post(authorization_url, data={"sub": sub}, follow_redirects=False)
    assert issued.status_code in (302, 303), issued.text[:500]
    location = issued.headers["location"]
    assert location.startswith(f"{CALLBACK}?"), location
    parts = urlsplit(location)
    query = parse_qs(parts.query)
    assert query["code"] and query["state"]
    return f"{parts.path}?{parts.query}"


def oidc_login(client: TestClient, sub: str, neste: str | None = None) -> Any:
    return client.get(authorize(start(client, neste), sub))


def assert_signed_in(client: TestClient, response: Any, slug: str) -> None:
    assert response.status_code == 303, response.text[:1000]
    assert response.headers["location"] == f"/{slug}"
    assert client.cookies.get(SESSION_COOKIE)
    page = client.get(f"/{slug}")
    assert page.status_code == 200, page.text[:500]


def assert_not_signed_in(client: TestClient, response: Any, slug: str | None = None) -> None:
    assert SESSION_COOKIE not in response.cookies
    assert not client.cookies.get(SESSION_COOKIE)
    if slug:
        assert client.get(f"/{slug}").status_code != 200


def invite(db: Session, workspace: Workspace, email: str, role: str = "coordinator") -> int:
    admin = create_member(db, workspace, "county_admin")
    set_db_scope(db, workspace_id=workspace.id, user_id=None)
    invitation, _token = invitations.create_invitation(
        db,
        workspace,
        email=email,
        role=role,
        municipality_number=None,
        organisation_id=None,
        invited_by=admin,
        settings=get_settings(),
    )
    set_db_scope(db, workspace_id=None, user_id=None)
    db.flush()
    return invitation.id


def user_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == email))


def membership(db: Session, workspace_id: int, user_id: int) -> Membership | None:
    set_db_scope(db, workspace_id=workspace_id, user_id=None)
    try:
        return db.scalar(scoped(Membership, workspace_id).where(Membership.user_id == user_id))
    finally:
        set_db_scope(db, workspace_id=None, user_id=None)


def invitation_row(db: Session, workspace_id: int, invitation_id: int) -> Invitation:
    set_db_scope(db, workspace_id=workspace_id, user_id=None)
    try:
        row = db.scalar(scoped(Invitation, workspace_id).where(Invitation.id == invitation_id))
    finally:
        set_db_scope(db, workspace_id=None, user_id=None)
    assert row is not None
    return row


# --- tests -------------------------------------------------------------------------------


def test_first_login_with_invitation_joins_the_workspace(
    oidc_client: TestClient, oidc_provider: str, db: Session
) -> None:
    ws = create_workspace(db)
    slug, ws_id = ws.slug, ws.id
    email = f"{_unique('ny')}@example.no"
    invitation_id = invite(db, ws, email.upper())  # e-mail case does not matter
    sub = _unique("sub")
    set_provider_user(oidc_provider, sub, email=email, name="Kari Nordmann")

    url = start(oidc_client)
    state = oidc_client.cookies.get(oidc.STATE_COOKIE)
    assert db.get(OidcLogin, state) is not None
    response = oidc_client.get(authorize(url, sub))

    assert_signed_in(oidc_client, response, slug)
    user = user_by_email(db, email)
    assert user is not None
    assert user.name == "Kari Nordmann"
    assert user.oidc_subject == f"{oidc_provider}|{sub}"
    assert user.password_hash is None
    member = membership(db, ws_id, user.id)
    assert member is not None and member.role == "coordinator"
    invitation = invitation_row(db, ws_id, invitation_id)
    assert invitation.accepted_at is not None
    assert invitation.accepted_by_id == user.id
    # The login attempt is used up.
    db.expunge_all()
    assert db.get(OidcLogin, state) is None


def test_first_login_keeps_a_local_next_url(
    oidc_client: TestClient, oidc_provider: str, db: Session
) -> None:
    ws = create_workspace(db)
    email = f"{_unique('neste')}@example.no"
    invite(db, ws, email)
    sub = _unique("sub")
    set_provider_user(oidc_provider, sub, email=email, name="Neste Person")

    response = oidc_login(oidc_client, sub, neste=f"/{ws.slug}?side=2")

    assert response.status_code == 303, response.text[:500]
    assert response.headers["location"] == f"/{ws.slug}?side=2"


def test_first_login_without_invitation_is_refused(
    oidc_client: TestClient, oidc_provider: str, db: Session
) -> None:
    ws = create_workspace(db)
    invite(db, ws, f"{_unique('noen-andre')}@example.no")  # someone else's invitation
    email = f"{_unique('uinvitert')}@example.no"
    sub = _unique("sub")
    set_provider_user(oidc_provider, sub, email=email, name="Uten Invitasjon")

    response = oidc_login(oidc_client, sub)

    assert response.status_code == 403, response.text[:500]
    assert "Du har ikke tilgang ennå" in response.text
    assert email in response.text
    assert_not_signed_in(oidc_client, response, ws.slug)
    assert user_by_email(db, email) is None
    assert db.scalar(select(User).where(User.oidc_subject == f"{oidc_provider}|{sub}")) is None


def test_callback_without_matching_state_is_refused(
    oidc_client: TestClient, oidc_provider: str, db: Session
) -> None:
    ws = create_workspace(db)
    email = f"{_unique('state')}@example.no"
    invite(db, ws, email)
    sub = _unique("sub")
    set_provider_user(oidc_provider, sub, email=email, name="State Person")
    callback = authorize(start(oidc_client), sub)
    real_state = oidc_client.cookies.get(oidc.STATE_COOKIE)
    assert real_state

    # A different state in the URL than in the cookie.
    tampered = callback.replace(f"state={real_state}", f"state={real_state[:-4]}AAAA")
    assert tampered != callback
    response = oidc_client.get(tampered)
    assert response.status_code == 400, response.text[:500]
    assert "Innloggingen mislyktes" in response.text
    assert_not_signed_in(oidc_client, response)

    # The right state in the URL, but no cookie: the flow was started in another browser.
    oidc_client.cookies.delete(oidc.STATE_COOKIE)
    response = oidc_client.get(callback)
    assert response.status_code == 400, response.text[:500]
    assert_not_signed_in(oidc_client, response)

    # No state at all.
    oidc_client.cookies.set(oidc.STATE_COOKIE, real_state, path="/oidc")
    response = oidc_client.get(callback.replace(f"state={real_state}", "state="))
    assert response.status_code == 400, response.text[:500]
    assert_not_signed_in(oidc_client, response)

    # A forged state in both cookie and URL that the app never issued.
    forged = "x" * 43
    oidc_client.cookies.set(oidc.STATE_COOKIE, forged, path="/oidc")
    response = oidc_client.get(callback.replace(f"state={real_state}", f"state={forged}"))
    assert response.status_code == 400, response.text[:500]
    assert_not_signed_in(oidc_client, response, ws.slug)
    assert user_by_email(db, email) is None


@pytest.mark.parametrize("oidc_acr", ["idporten-loa-high"])
def test_acr_is_enforced(
    oidc_client: TestClient, oidc_provider: str, db: Session, oidc_acr: str
) -> None:
    ws = create_workspace(db)
    email = f"{_unique('acr')}@example.no"
    invite(db, ws, email)
    sub = _unique("sub")

    set_provider_user(
        oidc_provider, sub, email=email, name="Acr Person", acr="idporten-loa-substantial"
    )
    url = start(oidc_client)
    assert parse_qs(urlsplit(url).query)["acr_values"] == [oidc_acr]
    response = oidc_client.get(authorize(url, sub))
    assert response.status_code == 400, response.text[:500]
    assert_not_signed_in(oidc_client, response, ws.slug)
    assert user_by_email(db, email) is None

    # Without any acr claim at all: refused too.
    set_provider_user(oidc_provider, sub, email=email, name="Acr Person")
    response = oidc_login(oidc_client, sub)
    assert response.status_code == 400, response.text[:500]
    assert_not_signed_in(oidc_client, response)

    set_provider_user(oidc_provider, sub, email=email, name="Acr Person", acr=oidc_acr)
    response = oidc_login(oidc_client, sub)
    assert_signed_in(oidc_client, response, ws.slug)


def test_returning_user_is_found_by_subject(
    oidc_client: TestClient, oidc_provider: str, db: Session
) -> None:
    ws = create_workspace(db)
    email = f"{_unique('tilbake')}@example.no"
    invitation_id = invite(db, ws, email)
    sub = _unique("sub")
    set_provider_user(oidc_provider, sub, email=email, name="Tilbake Person")
    assert_signed_in(oidc_client, oidc_login(oidc_client, sub), ws.slug)
    first = user_by_email(db, email)
    assert first is not None
    first_id = first.id
    assert invitation_row(db, ws.id, invitation_id).accepted_at is not None

    # Signed out; the invitation is used up, and the provider now reports a new address:
    # the person is found by subject, not by e-mail or invitation.
    oidc_client.cookies.clear()
    new_email = f"{_unique('ny-adresse')}@example.no"
    set_provider_user(oidc_provider, sub, email=new_email, name="Tilbake Person")
    response = oidc_login(oidc_client, sub)

    assert_signed_in(oidc_client, response, ws.slug)
    assert user_by_email(db, new_email) is None
    users = db.scalars(select(User).where(User.oidc_subject == f"{oidc_provider}|{sub}")).all()
    assert [u.id for u in users] == [first_id]


def test_returning_user_created_earlier_logs_in_without_invitation(
    oidc_client: TestClient, oidc_provider: str, db: Session
) -> None:
    ws = create_workspace(db)
    sub = _unique("sub")
    user = create_member(db, ws, "helper", email=f"{_unique('kjent')}@example.no")
    user.oidc_subject = f"{oidc_provider}|{sub}"
    db.flush()
    # No e-mail from the provider at all: only the subject can find this person.
    set_provider_user(oidc_provider, sub, name="Kjent Person")

    response = oidc_login(oidc_client, sub)

    assert_signed_in(oidc_client, response, ws.slug)


def test_state_cannot_be_replayed(oidc_client: TestClient, oidc_provider: str, db: Session) -> None:
    ws = create_workspace(db)
    email = f"{_unique('replay')}@example.no"
    invite(db, ws, email)
    sub = _unique("sub")
    set_provider_user(oidc_provider, sub, email=email, name="Replay Person")
    url = start(oidc_client)
    state = oidc_client.cookies.get(oidc.STATE_COOKIE)
    assert state
    callback = authorize(url, sub)
    assert_signed_in(oidc_client, oidc_client.get(callback), ws.slug)
    # The successful callback removes the state cookie.
    assert not oidc_client.cookies.get(oidc.STATE_COOKIE)

    # The very same callback URL again, even with the state cookie put back.
    oidc_client.cookies.clear()
    oidc_client.cookies.set(oidc.STATE_COOKIE, state, path="/oidc")
    response = oidc_client.get(callback)
    assert response.status_code == 400, response.text[:500]
    assert_not_signed_in(oidc_client, response, ws.slug)

    # A fresh code from the provider for the same (used) state is refused as well.
    oidc_client.cookies.clear()
    oidc_client.cookies.set(oidc.STATE_COOKIE, state, path="/oidc")
    second = authorize(url, sub)
    assert second != callback
    response = oidc_client.get(second)
    assert response.status_code == 400, response.text[:500]
    assert_not_signed_in(oidc_client, response, ws.slug)


def test_unverified_email_links_to_nothing(
    oidc_client: TestClient, oidc_provider: str, db: Session
) -> None:
    ws = create_workspace(db)
    email = f"{_unique('uverifisert')}@example.no"
    invite(db, ws, email)
    local = create_member(db, ws, "county_admin", email=f"{_unique('sjef')}@example.no")
    for claims in ({"email_verified": False}, {"email_verified": None}, {"email_verified": "true"}):
        sub = _unique("sub")
        set_provider_user(oidc_provider, sub, email=email, name="Uverifisert", **claims)
        response = oidc_login(oidc_client, sub)
        assert response.status_code == 403, claims
        assert_not_signed_in(oidc_client, response, ws.slug)
        # Nor can an unverified address take over an existing local account.
        sub = _unique("sub")
        set_provider_user(oidc_provider, sub, email=local.email, name="Kaprer", **claims)
        response = oidc_login(oidc_client, sub)
        assert response.status_code == 403, claims
        assert_not_signed_in(oidc_client, response, ws.slug)
    assert user_by_email(db, email) is None
    assert db.get(User, local.id).oidc_subject is None


def test_an_account_linked_to_one_identity_is_not_taken_by_another(
    oidc_client: TestClient, oidc_provider: str, db: Session
) -> None:
    ws = create_workspace(db)
    email = f"{_unique('lenket')}@example.no"
    invite(db, ws, email)
    first_sub = _unique("sub")
    set_provider_user(oidc_provider, first_sub, email=email, name="Første")
    assert_signed_in(oidc_client, oidc_login(oidc_client, first_sub), ws.slug)
    oidc_client.cookies.clear()
    other_sub = _unique("sub")
    set_provider_user(oidc_provider, other_sub, email=email, name="Andre")
    response = oidc_login(oidc_client, other_sub)
    assert response.status_code == 403
    assert user_by_email(db, email).oidc_subject == f"{oidc_provider}|{first_sub}"
