import re

import pytest

from factories import create_member, create_workspace, login, post


def _new_token(client, ws, name="Rapportverktøy"):
    r = post(client, f"/{ws.slug}/api-nokler", {"name": name})
    assert r.status_code == 201
    match = re.search(r'<code class="token" id="new-token">([^<]+)</code>', r.text)
    assert match
    return match.group(1)


def test_token_is_shown_once_and_works_for_the_api(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws, "viewer")
    login(client, user)
    token = _new_token(client, ws)
    assert token.startswith(f"sps_{ws.id}_")
    listing = client.get(f"/{ws.slug}/api-nokler")
    assert token not in listing.text and "Rapportverktøy" in listing.text

    client.cookies.clear()
    api = client.get(
        f"/api/v1/{ws.slug}/municipalities?limit=5", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 200
    body = api.json()
    assert body["total"] == 38 and len(body["items"]) == 5
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["memberships"] == [
        {"workspace": ws.slug, "workspace_name": ws.name, "role": "viewer", "roles": ["viewer"]}
    ]


def test_token_is_bound_to_its_workspace(client, db):
    a = create_workspace(db)
    b = create_workspace(db, county="46")
    user = create_member(db, a, "coordinator")
    from factories import add_member

    add_member(db, b, user, "coordinator")
    login(client, user)
    token = _new_token(client, a)
    client.cookies.clear()
    r = client.get(f"/api/v1/{b.slug}/municipalities", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def test_revoked_token_is_refused(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws)
    login(client, user)
    token = _new_token(client, ws)
    page = client.get(f"/{ws.slug}/api-nokler")
    token_id = re.search(r"/api-nokler/(\d+)/trekk-tilbake", page.text).group(1)
    assert post(client, f"/{ws.slug}/api-nokler/{token_id}/trekk-tilbake").status_code == 303
    client.cookies.clear()
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert r.json()["code"] == "not_authenticated"


def test_garbage_token_is_401_json(client, db):
    for value in ("nonsense", "sps_1_x", "sps_abc_def", ""):
        r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {value}"})
        assert r.status_code == 401
        assert set(r.json()) >= {"code", "message"}


def test_empty_token_name_is_named(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws)
    login(client, user)
    r = post(client, f"/{ws.slug}/api-nokler", {"name": ""})
    assert r.status_code == 422
    assert "Feltet må fylles ut." in r.text
    r = post(client, f"/{ws.slug}/api-nokler", {"name": "x" * 101})
    assert r.status_code == 422
    assert "for lang" in r.text


@pytest.mark.parametrize(
    "token",
    [
        "sps_99999999999999999999_abcdef",  # beyond any id: answered 404 (or 500) before
        "sps_2147483648_abcdef",
        "sps_0_abcdef",
        "sps_00000000000000000000000001_abcdef",
    ],
)
def test_a_token_with_an_impossible_workspace_number_is_401(client, db, token):
    ws = create_workspace(db)
    r = client.get(
        f"/api/v1/{ws.slug}/municipalities", headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 401
    assert r.json()["code"] == "not_authenticated"
    assert r.headers["www-authenticate"] == 'Bearer realm="samspill", error="invalid_token"'


def test_a_401_says_how_to_authenticate(client, db):
    ws = create_workspace(db)
    r = client.get(f"/api/v1/{ws.slug}/municipalities")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Bearer realm="samspill"'
