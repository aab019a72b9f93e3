"""API tokens with an expiry and a read-only scope, and service tokens owned by the workspace
(issue 14)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from app import clock
from app.accounts import service as accounts
from app.accounts.deps import api_user
from app.accounts.models import ApiToken, User
from app.audit.models import AuditEvent
from app.config import get_settings
from app.db import utcnow
from app.mail.models import OutboxMessage
from app.tenancy import scoped
from factories import (
    add_member,
    create_document,
    create_invitee,
    create_member,
    create_round,
    create_workspace,
    in_workspace,
    login,
    post,
)

EXPIRED_HEADER = 'Bearer realm="samspill", error="invalid_token"'


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _new_token(client, ws, **fields) -> str:
    r = post(client, f"/{ws.slug}/api-nokler", {"name": "Rapportverktøy", **fields})
    assert r.status_code == 201, r.text[:2000]
    match = re.search(r'<code class="token" id="new-token">([^<]+)</code>', r.text)
    assert match
    return match.group(1)


def _new_service_token(client, ws, **fields) -> str:
    r = post(client, f"/{ws.slug}/brukere/tjenestenokler", {"name": "Saksbehandling", **fields})
    assert r.status_code == 201, r.text[:3000]
    match = re.search(r'<code class="token" id="new-service-token">([^<]+)</code>', r.text)
    assert match
    return match.group(1)


def _tokens_of(db, ws) -> list[ApiToken]:
    with in_workspace(db, ws):
        return list(db.scalars(scoped(ApiToken, ws.id).order_by(ApiToken.id)))


def _service_accounts(db) -> int:
    return int(db.scalar(select(func.count(User.id)).where(User.is_service.is_(True))) or 0)


# --- expiry ----------------------------------------------------------------------------------


def test_a_token_with_an_expiry_works_until_then_and_answers_401_after(client, db, ws):
    user = create_member(db, ws, "viewer")
    login(client, user)
    expires_on = clock.today() + timedelta(days=30)
    token = _new_token(client, ws, expires_on=expires_on.isoformat())
    listing = client.get(f"/{ws.slug}/api-nokler").text
    assert f"{expires_on:%d.%m.%Y}" in listing or expires_on.isoformat() in listing
    assert "Utløpt" not in listing

    client.cookies.clear()
    assert client.get(f"/api/v1/{ws.slug}/municipalities", headers=_auth(token)).status_code == 200

    (row,) = _tokens_of(db, ws)
    assert row.expires_at == clock.at(expires_on)
    with in_workspace(db, ws):
        row.expires_at = utcnow() - timedelta(minutes=1)
    r = client.get(f"/api/v1/{ws.slug}/municipalities", headers=_auth(token))
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == EXPIRED_HEADER
    assert r.json()["code"] == "not_authenticated"
    assert r.json()["message"] == "API-nøkkelen har gått ut."
    assert client.get("/api/v1/me", headers=_auth(token)).status_code == 401

    login(client, user)
    assert "Utløpt" in client.get(f"/{ws.slug}/api-nokler").text


def test_a_token_without_an_expiry_never_expires(client, db, ws):
    user = create_member(db, ws, "viewer")
    login(client, user)
    token = _new_token(client, ws)
    (row,) = _tokens_of(db, ws)
    assert row.expires_at is None and row.read_only is False
    assert "Aldri" in client.get(f"/{ws.slug}/api-nokler").text
    client.cookies.clear()
    assert client.get("/api/v1/me", headers=_auth(token)).status_code == 200


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", "Skriv en gyldig dato (åååå-mm-dd)."),
        ("2026-13-45", "Skriv en gyldig dato (åååå-mm-dd)."),
        ("1700000000", "Skriv en gyldig dato (åååå-mm-dd)."),
        ("past", "Utløpsdatoen må være etter i dag."),
        ("today", "Utløpsdatoen må være etter i dag."),
        ("far", "Utløpsdatoen kan være høyst tre år fram i tid."),
    ],
)
def test_a_bad_expiry_is_a_clear_422_and_nothing_is_stored(client, db, ws, value, message):
    today = clock.today()
    value = {
        "past": (today - timedelta(days=1)).isoformat(),
        "today": today.isoformat(),
        "far": (today + timedelta(days=4 * 365)).isoformat(),
    }.get(value, value)
    admin = create_member(db, ws, "county_admin")
    login(client, admin)
    accounts_before = _service_accounts(db)

    r = post(client, f"/{ws.slug}/api-nokler", {"name": "Skript", "expires_on": value})
    assert r.status_code == 422
    assert message in r.text
    assert 'id="new-token"' not in r.text

    r = post(
        client,
        f"/{ws.slug}/brukere/tjenestenokler",
        {"name": "Saksbehandling", "role": "viewer", "expires_on": value},
    )
    assert r.status_code == 422
    assert message in r.text
    assert 'id="new-service-token"' not in r.text

    assert _tokens_of(db, ws) == []
    assert _service_accounts(db) == accounts_before


# --- read-only -------------------------------------------------------------------------------


def test_a_read_only_token_reads_and_every_write_is_403_with_nothing_changed(client, db, ws):
    coordinator = create_member(db, ws, "coordinator", name="Kari Koordinator")
    osen = create_member(db, ws, "municipal", name="Olga Osen")  # 5020 Osen
    doc = create_document(db, ws, coordinator, sections=(("Mål", "Alle kommunene."),), publish=True)
    consultation = create_round(db, ws, coordinator, doc)
    create_invitee(db, ws, consultation, "municipality", municipality_number="5020")

    login(client, coordinator)
    coordinator_ro = _auth(_new_token(client, ws, read_only="true"))
    coordinator_rw = _auth(_new_token(client, ws))
    assert "Bare lesing" in client.get(f"/{ws.slug}/api-nokler").text
    client.cookies.clear()
    login(client, osen)
    osen_ro = _auth(_new_token(client, ws, read_only="true"))
    osen_rw = _auth(_new_token(client, ws))
    client.cookies.clear()

    base = f"/api/v1/{ws.slug}"
    strategies = f"{base}/strategies"
    page = client.get(f"{strategies}/rounds/{consultation.id}", headers=osen_ro)
    assert page.status_code == 200
    section_key = page.json()["sections"][0]["key"]
    document = client.get(f"{strategies}/documents/{doc.id}", headers=coordinator_ro)
    assert document.status_code == 200
    section_id = document.json()["sections"][0]["id"]
    assert client.get(f"{base}/bodies", headers=coordinator_ro).status_code == 200
    assert client.get(f"{base}/helpdesk/requests", headers=osen_ro).status_code == 200
    assert client.get("/api/v1/me", headers=osen_ro).status_code == 200

    writes = [
        (
            "POST",
            f"{base}/helpdesk/requests",
            {"category": "funding", "title": "Søknad", "description": "Hjelp oss."},
            osen_ro,
        ),
        (
            "POST",
            f"{strategies}/rounds/{consultation.id}/comments",
            {"section_key": section_key, "body": "Bra mål."},
            osen_ro,
        ),
        (
            "POST",
            f"{base}/bodies",
            {"name": "Digitaliseringsnettverket", "kind": "network", "theme": "digitalisation"},
            coordinator_ro,
        ),
        (
            "PUT",
            f"{strategies}/documents/{doc.id}/sections/{section_id}",
            {"heading": "Mål", "body": "Overskrevet.", "revision": 1},
            coordinator_ro,
        ),
        ("DELETE", f"{strategies}/documents/{doc.id}/sections/{section_id}", None, coordinator_ro),
    ]
    for method, url, body, headers in writes:
        r = client.request(method, url, json=body, headers=headers)
        assert r.status_code == 403, (method, url, r.text)
        assert r.json()["code"] == "read_only_token"
        assert "bare lesetilgang" in r.json()["message"]

    # Nothing changed.
    assert client.get(f"{base}/helpdesk/requests", headers=osen_rw).json()["items"] == []
    assert client.get(f"{base}/bodies", headers=coordinator_rw).json()["total"] == 0
    sections = client.get(f"{strategies}/documents/{doc.id}", headers=coordinator_rw).json()[
        "sections"
    ]
    assert [(s["id"], s["body"]) for s in sections] == [(section_id, "Alle kommunene.")]
    threads = client.get(f"{strategies}/rounds/{consultation.id}", headers=osen_rw).json()
    assert threads["sections"][0]["threads"] == []

    # The same writes with a token that may write go through: the role was never the obstacle.
    rw = {id(coordinator_ro): coordinator_rw, id(osen_ro): osen_rw}
    for method, url, body, headers in writes[:3]:
        r = client.request(method, url, json=body, headers=rw[id(headers)])
        assert r.status_code == 201, (method, url, r.text)


def test_every_api_write_passes_the_bearer_dependency():
    """The read-only rule lives in one place, ``api_user``: every write route of the API must
    depend on it (directly or through ``api_require``), or a read-only token could write."""
    from app.main import create_app

    def calls(dependant):
        for dep in dependant.dependencies:
            yield dep.call
            yield from calls(dep)

    app = create_app(get_settings())
    writes = []
    for route in app.routes:
        if isinstance(route, APIRoute):
            contexts = [route]
        elif hasattr(route, "effective_route_contexts"):  # included routers
            contexts = list(route.effective_route_contexts())
        else:
            continue
        writes += [
            ctx
            for ctx in contexts
            if ctx.path.startswith("/api/v1/")
            and set(ctx.methods) & {"POST", "PUT", "PATCH", "DELETE"}
        ]
    assert len(writes) > 20
    missing = [route.path for route in writes if api_user not in set(calls(route.dependant))]
    assert missing == []


# --- service tokens --------------------------------------------------------------------------


def test_a_service_token_outlives_its_maker_is_bounded_by_its_role_and_is_revoked(client, db, ws):
    maker = create_member(db, ws, "county_admin", name="Anne Admin")
    other_admin = create_member(db, ws, "county_admin", name="Berit Admin")
    login(client, maker)
    token = _new_service_token(client, ws, role="coordinator")
    viewer_token = _new_service_token(client, ws, name="Arkiv", role="viewer")
    page = client.get(f"/{ws.slug}/brukere").text
    assert "Tjenestenøkler" in page
    members_part, service_part = page.split('id="tjenestenokler"')
    assert "Saksbehandling" in service_part and "Arkiv" in service_part
    # Not a member anyone sees as a person.
    assert "Saksbehandling" not in members_part and "tjeneste.samspill.invalid" not in page
    with in_workspace(db, ws):
        assert [m.user.name for m in accounts.list_members(db, ws.id)] == [
            "Anne Admin",
            "Berit Admin",
        ]
        assert accounts.count_members(db, ws.id) == 2
        assert "Saksbehandling" not in {
            m.user.name for m in accounts.members_with(db, ws.id, "networks.read")
        }
        # Audited: who made which token.
        events = list(
            db.scalars(
                scoped(AuditEvent, ws.id).where(
                    AuditEvent.object_type == "api_token", AuditEvent.action == "create"
                )
            )
        )
        assert len(events) == 2 and {e.actor_id for e in events} == {maker.id}

    # The maker leaves the workspace; the service token works on, in its role.
    client.cookies.clear()
    login(client, other_admin)
    with in_workspace(db, ws):
        maker_membership = accounts.get_membership(db, ws.id, maker.id)
    r = post(client, f"/{ws.slug}/brukere/{maker_membership.id}/fjern")
    assert r.status_code == 303
    client.cookies.clear()

    me = client.get("/api/v1/me", headers=_auth(token)).json()
    assert me["name"] == "Saksbehandling"
    assert me["memberships"] == [
        {
            "workspace": ws.slug,
            "workspace_name": ws.name,
            "role": "coordinator",
            "roles": ["coordinator"],
        }
    ]
    body = {"name": "Digitaliseringsnettverket", "kind": "network", "theme": "digitalisation"}
    r = client.post(f"/api/v1/{ws.slug}/bodies", json=body, headers=_auth(token))
    assert r.status_code == 201, r.text
    request = {"category": "funding", "title": "Fra saksbehandlingen", "description": "Hjelp."}
    r = client.post(
        f"/api/v1/{ws.slug}/helpdesk/requests",
        json={**request, "municipality_number": "5020"},
        headers=_auth(token),
    )
    assert r.status_code == 201, r.text
    with in_workspace(db, ws):
        recipients = set(
            db.scalars(scoped(OutboxMessage, ws.id).with_only_columns(OutboxMessage.recipient))
        )
    assert recipients and not any(a.endswith(".invalid") for a in recipients)  # no receipt to it
    # Bounded by its role: a viewer's token reads, but may not do what a viewer may not.
    assert client.get(f"/api/v1/{ws.slug}/bodies", headers=_auth(viewer_token)).status_code == 200
    r = client.post(
        f"/api/v1/{ws.slug}/bodies", json={**body, "name": "Annet"}, headers=_auth(viewer_token)
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    # Nor may it make service tokens (an admin's job) — it is no admin.
    assert (
        client.get(f"/{ws.slug}/brukere", headers=_auth(token)).status_code == 303
    )  # the pages know no bearer tokens

    # The admin revokes it: it stops working at once.
    login(client, other_admin)
    page = client.get(f"/{ws.slug}/brukere").text
    token_id = re.search(
        r"/brukere/tjenestenokler/(\d+)/trekk-tilbake\">\s*<input[^>]*>\s*<button[^>]*>"
        r"Trekk tilbake<span class=\"ds-sr-only\"> Saksbehandling",
        page,
    ).group(1)
    r = post(client, f"/{ws.slug}/brukere/tjenestenokler/{token_id}/trekk-tilbake")
    assert r.status_code == 303
    assert "Trukket tilbake" in client.get(f"/{ws.slug}/brukere").text
    client.cookies.clear()
    r = client.get("/api/v1/me", headers=_auth(token))
    assert r.status_code == 401
    assert client.get("/api/v1/me", headers=_auth(viewer_token)).status_code == 200


def test_a_service_token_cannot_be_used_to_log_in(client, db, ws):
    admin = create_member(db, ws, "county_admin")
    login(client, admin)
    token = _new_service_token(client, ws, role="county_admin")
    client.cookies.clear()
    account = db.scalar(select(User).where(User.is_service.is_(True)))
    assert account is not None and account.password_hash is None

    # The pages take no bearer token: to them the caller is not signed in.
    r = client.get(f"/{ws.slug}", headers=_auth(token))
    assert r.status_code == 303 and r.headers["location"].startswith("/logg-inn")
    # Its account has no password to sign in with, whatever is typed, nor a reset link.
    for password in ("", token, "riktig-passord-123"):
        r = post(client, "/logg-inn", {"email": account.email, "password": password})
        assert r.status_code in (401, 422)
    assert client.cookies.get("samspill_session") is None
    # Even a password set on it by hand does not let it in, nor does a session made for it.
    accounts.set_password(account, "riktig-passord-123")
    db.flush()
    r = post(client, "/logg-inn", {"email": account.email, "password": "riktig-passord-123"})
    assert r.status_code == 401
    cookie = accounts.start_session(db, account, get_settings())
    db.commit()
    assert accounts.resolve_session(db, cookie, get_settings()) is None


def test_only_a_county_admin_makes_or_revokes_service_tokens(client, db, ws):
    coordinator = create_member(db, ws, "coordinator")
    admin = create_member(db, ws, "county_admin")
    accounts_before = _service_accounts(db)

    login(client, coordinator)
    assert 'id="tjenestenokler"' not in client.get(f"/{ws.slug}/brukere").text
    r = post(
        client, f"/{ws.slug}/brukere/tjenestenokler", {"name": "Snarvei", "role": "county_admin"}
    )
    assert r.status_code == 403
    assert _tokens_of(db, ws) == [] and _service_accounts(db) == accounts_before

    client.cookies.clear()
    login(client, admin)
    _new_service_token(client, ws, role="viewer")
    (row,) = _tokens_of(db, ws)
    client.cookies.clear()
    login(client, coordinator)
    r = post(client, f"/{ws.slug}/brukere/tjenestenokler/{row.id}/trekk-tilbake")
    assert r.status_code == 403
    db.expire_all()
    (row,) = _tokens_of(db, ws)
    assert row.revoked_at is None


def test_a_service_token_needs_a_valid_role_and_its_binding(client, db, ws):
    admin = create_member(db, ws, "county_admin")
    login(client, admin)
    accounts_before = _service_accounts(db)
    for fields, field, message in (
        ({"role": "superuser"}, "role", "Velg en gyldig rolle."),
        (
            {"role": "municipal"},
            "municipality_number",
            "En kommunebruker må knyttes til én kommune.",
        ),
        ({}, "role", "Feltet må fylles ut."),
    ):
        r = post(client, f"/{ws.slug}/brukere/tjenestenokler", {"name": "Sak", **fields})
        assert r.status_code == 422, fields
        # Said at the field, which keeps what was typed.
        assert f'id="svc-{field}-error">{message}</p>' in r.text
        assert (
            'id="svc-name" name="name" type="text" required maxlength="100" value="Sak"' in r.text
        )
    assert _tokens_of(db, ws) == [] and _service_accounts(db) == accounts_before

    token = _new_service_token(client, ws, role="municipal", municipality_number="5020")
    client.cookies.clear()
    me = client.get("/api/v1/me", headers=_auth(token)).json()
    assert me["memberships"][0]["role"] == "municipal"


def test_a_read_only_service_token_may_not_write(client, db, ws):
    admin = create_member(db, ws, "county_admin")
    login(client, admin)
    token = _new_service_token(client, ws, role="coordinator", read_only="true")
    client.cookies.clear()
    body = {"name": "Nettverk", "kind": "network", "theme": "digitalisation"}
    r = client.post(f"/api/v1/{ws.slug}/bodies", json=body, headers=_auth(token))
    assert r.status_code == 403 and r.json()["code"] == "read_only_token"
    assert client.get(f"/api/v1/{ws.slug}/bodies", headers=_auth(token)).json()["total"] == 0


def test_a_personal_token_still_ends_with_its_owners_membership(client, db):
    """The service tokens' way of outliving their maker is not a loophole for personal ones."""
    ws = create_workspace(db)
    admin = create_member(db, ws, "county_admin")
    person = create_member(db, ws, "coordinator")
    login(client, person)
    token = _new_token(client, ws)
    client.cookies.clear()
    login(client, admin)
    with in_workspace(db, ws):
        membership = accounts.get_membership(db, ws.id, person.id)
    assert post(client, f"/{ws.slug}/brukere/{membership.id}/fjern").status_code == 303
    client.cookies.clear()
    assert client.get("/api/v1/me", headers=_auth(token)).status_code == 401
    add_member(db, ws, person, "coordinator")
    assert client.get("/api/v1/me", headers=_auth(token)).status_code == 401
