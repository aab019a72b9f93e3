"""A user of workspace A gets 404 for every page and API route of workspace B, exactly as for
a workspace that does not exist; A's lists never show B's rows."""

import re

import pytest
from fastapi.routing import APIRoute

from app.accounts import invitations
from app.accounts.tokens import create_api_token
from app.tenancy import set_db_scope
from factories import bearer, create_member, create_workspace, csrf, login

DUMMY = {"token": "x" * 43}


def all_routes(app):
    """(method, path) of every route, including those of included routers."""
    for route in app.routes:
        if isinstance(route, APIRoute):
            contexts = [route]
        elif hasattr(route, "effective_route_contexts"):
            contexts = list(route.effective_route_contexts())
        else:
            continue
        for ctx in contexts:
            for method in sorted(set(ctx.methods) - {"HEAD"}):
                yield method, ctx.path


def _workspace_routes(app):
    return [(m, p) for m, p in all_routes(app) if "{workspace_slug}" in p]


def _fill(path, slug):
    path = path.replace("{workspace_slug}", slug)
    return re.sub(r"\{(\w+)\}", lambda m: DUMMY.get(m.group(1), "1"), path)


@pytest.fixture
def two_workspaces(db):
    a = create_workspace(db, name="Workspace A")
    b = create_workspace(db, county="46", name="Workspace B")
    user_a = create_member(db, a, "county_admin", name="Anne A")
    user_b = create_member(db, b, "county_admin", name="Bjørn B")
    return a, b, user_a, user_b


def test_every_route_of_another_workspace_is_404(app, client, db, two_workspaces):
    _a, b, user_a, _user_b = two_workspaces
    login(client, user_a)
    routes = list(_workspace_routes(app))
    assert len(routes) >= 12  # guards against the route listing silently finding nothing
    checked = 0
    for method, path in routes:
        if "/invitasjon/" in path:
            continue  # the invitation link is public by design: tested below
        for slug in (b.slug, "finnes-ikke"):
            url = _fill(path, slug)
            if method == "GET":
                r = client.get(url)
            else:
                r = client.request(method, url, data={"csrf_token": csrf(client)})
            assert r.status_code == 404, (method, url, r.status_code)
            checked += 1
    assert checked >= 24


def test_api_routes_of_another_workspace_are_404_json(app, client, db, two_workspaces):
    a, b, user_a, _ = two_workspaces
    headers = bearer(db, a, user_a)
    for method, path in _workspace_routes(app):
        if not path.startswith("/api/"):
            continue
        r = client.request(method, _fill(path, b.slug), headers=headers)
        assert r.status_code == 404
        assert r.json()["code"] == "not_found"


def test_invitation_link_of_another_workspace_reveals_nothing(client, db, two_workspaces):
    _a, b, user_a, _ = two_workspaces
    login(client, user_a)
    r = client.get(f"/{b.slug}/invitasjon/{'y' * 43}")
    assert r.status_code == 410
    assert "finnes ikke" in r.text


def test_lists_never_show_the_other_workspace(client, db, two_workspaces):
    a, _b, user_a, _user_b = two_workspaces
    login(client, user_a)
    users = client.get(f"/{a.slug}/brukere").text
    assert "Anne A" in users and "Bjørn B" not in users
    log = client.get(f"/{a.slug}/logg").text
    assert "Bjørn B" not in log
    me = client.get("/api/v1/me").json()
    assert [m["workspace"] for m in me["memberships"]] == [a.slug]
    # The county page lists only the county's own municipalities.
    start = client.get(f"/{a.slug}/oversikt").text
    assert "Osen" in start and "Bergen" not in start


def test_own_slug_with_another_workspaces_object_ids_is_404(client, db, two_workspaces):
    """The object is loaded through the scoped query: B's ids under A's slug are not found."""
    from app.accounts.models import Membership
    from app.config import get_settings
    from app.tenancy import scoped

    a, b, user_a, user_b = two_workspaces
    set_db_scope(db, workspace_id=b.id, user_id=None)
    b_member = db.scalar(scoped(Membership, b.id).where(Membership.user_id == user_b.id))
    token_b, _secret = create_api_token(db, b.id, user_b, "B sin nøkkel")
    invitation_b, _t = invitations.create_invitation(
        db,
        b,
        email="x@b.no",
        role="viewer",
        municipality_number=None,
        organisation_id=None,
        invited_by=user_b,
        settings=get_settings(),
    )
    ids = (b_member.id, token_b.id, invitation_b.id)
    set_db_scope(db, workspace_id=None, user_id=None)
    login(client, user_a)
    for url in (
        f"/{a.slug}/brukere/{b_member.id}/fjern",
        f"/{a.slug}/brukere/{b_member.id}/rolle",
        f"/{a.slug}/api-nokler/{token_b.id}/trekk-tilbake",
        f"/{a.slug}/invitasjoner/{invitation_b.id}/trekk-tilbake",
    ):
        r = client.post(url, data={"csrf_token": csrf(client), "role": "viewer"})
        assert r.status_code == 404, url
    # Nothing of B's changed.
    set_db_scope(db, workspace_id=b.id, user_id=None)
    assert db.scalar(scoped(Membership, b.id).where(Membership.id == ids[0])).role == "county_admin"
    from app.accounts.models import ApiToken, Invitation

    assert db.scalar(scoped(ApiToken, b.id).where(ApiToken.id == ids[1])).revoked_at is None
    assert db.scalar(scoped(Invitation, b.id).where(Invitation.id == ids[2])).revoked_at is None


def test_the_change_log_shows_only_this_workspaces_events(client, db, two_workspaces):
    from app.audit.models import AuditEvent
    from app.tenancy import scoped

    a, b, user_a, user_b = two_workspaces
    set_db_scope(db, workspace_id=b.id, user_id=None)
    create_api_token(db, b.id, user_b, "B-hemmelighet")
    db.flush()
    b_events = db.scalars(scoped(AuditEvent, b.id)).all()
    assert b_events
    set_db_scope(db, workspace_id=None, user_id=None)
    login(client, user_a)
    log = client.get(f"/{a.slug}/logg").text
    assert "B-hemmelighet" not in log
    assert "api-nøkkel #" not in log  # A has no API key events at all
