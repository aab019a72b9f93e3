"""A person may hold more than one role in a workspace — a main role and extra roles — with the
union of their rights, shown on the users page, the picker and the header (issue 15)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.accounts import service as accounts
from app.accounts.models import Membership
from app.audit.models import AuditEvent
from app.tenancy import scoped, set_db_scope
from factories import (
    add_member,
    bearer,
    create_help_request,
    create_member,
    create_user,
    create_workspace,
    csrf,
    in_workspace,
    login,
    post,
)

INDEROY = "5053"
OSEN = "5020"


def _membership(db, ws, user) -> Membership:
    with in_workspace(db, ws):
        m = accounts.get_membership(db, ws.id, user.id)
    assert m is not None
    return m


def _stored_extras(db, ws, user) -> str:
    with in_workspace(db, ws):
        value = db.scalar(
            scoped(Membership, ws.id)
            .where(Membership.user_id == user.id)
            .with_only_columns(Membership.extra_roles)
        )
    return str(value)


def _mentor(db, ws, *, extra: tuple[str, ...] = ("helper",)):
    """Inderøy's chief executive: municipal for Inderøy, helper besides (unless ``extra=()``)."""
    user = create_user(db, name="Ingrid Inderøy")
    add_member(db, ws, user, "municipal", municipality=INDEROY, extra_roles=extra)
    return user


# --- the union of rights ---------------------------------------------------------------------


def test_municipal_helper_opens_and_works_another_municipality_s_request(client, db, ws):
    req = create_help_request(db, ws, municipality=OSEN, title="Søknad fra Osen")
    mentor = _mentor(db, ws)
    login(client, mentor)

    page = client.get(f"/{ws.slug}/hjelp/{req.number}")
    assert page.status_code == 200
    assert "Søknad fra Osen" in page.text

    queue = client.get(f"/{ws.slug}/hjelp?visning=alle")
    assert "Søknad fra Osen" in queue.text  # the whole queue, like a helper

    taken = post(client, f"/{ws.slug}/hjelp/{req.number}/ta")
    assert taken.status_code == 303
    reply = post(
        client, f"/{ws.slug}/hjelp/{req.number}/svar", {"body": "Vi ser på søknaden i morgen."}
    )
    assert reply.status_code == 303, reply.text[:500]
    page = client.get(f"/{ws.slug}/hjelp/{req.number}")
    assert "Vi ser på søknaden i morgen." in page.text
    assert "Ingrid Inderøy" in page.text  # assigned to her


def test_municipal_user_without_the_extra_role_sees_only_their_own(client, db, ws):
    req = create_help_request(db, ws, municipality=OSEN, title="Søknad fra Osen")
    plain = _mentor(db, ws, extra=())
    login(client, plain)
    assert client.get(f"/{ws.slug}/hjelp/{req.number}").status_code == 404
    assert post(client, f"/{ws.slug}/hjelp/{req.number}/ta").status_code == 404
    assert "Søknad fra Osen" not in client.get(f"/{ws.slug}/hjelp").text


def test_municipal_helper_still_acts_for_their_own_municipality(client, db, ws):
    """The main role keeps its binding: the mentor files for Inderøy, not for others."""
    mentor = _mentor(db, ws)
    login(client, mentor)
    filed = post(
        client,
        f"/{ws.slug}/hjelp",
        {
            "category": "funding",
            "title": "Inderøy trenger hjelp",
            "description": "Om en søknad.",
            "urgency": "normal",
        },
    )
    assert filed.status_code == 303, filed.text[:800]
    number = int(filed.headers["location"].rsplit("/", 1)[1])
    with in_workspace(db, ws):
        from app.helpdesk.models import HelpRequest

        req = db.scalar(scoped(HelpRequest, ws.id).where(HelpRequest.number == number))
    assert req is not None and req.municipality_number == INDEROY


def test_members_with_finds_a_person_through_an_extra_role_in_one_query(db, ws, count_queries):
    helper = create_member(db, ws, "helper", name="Henrik Hjelper")
    mentor = _mentor(db, ws)
    _mentor(db, ws, extra=())  # a plain municipal user is no helper
    viewer_extra = _mentor(db, ws, extra=("viewer",))
    with in_workspace(db, ws):
        with count_queries() as q:
            workers = accounts.members_with(db, ws.id, "helpdesk.work")
        readers = accounts.members_with(db, ws.id, "helpdesk.see_all")
        own = accounts.members_with(db, ws.id, "helpdesk.work", municipality_numbers=[INDEROY])
    assert {m.user_id for m in workers} == {helper.id, mentor.id}
    assert q.count == 1  # the members joined to their users
    assert {m.user_id for m in readers} == {helper.id, mentor.id, viewer_extra.id}
    assert {m.user_id for m in own} == {mentor.id}


def test_principal_has_the_union_and_keeps_the_binding(db, ws):
    from factories import principal_of

    mentor = _mentor(db, ws)
    p = principal_of(db, ws, mentor)
    assert p.can("helpdesk.work") and p.can("helpdesk.file") and p.can("contacts.manage_own")
    assert p.municipality_number == INDEROY
    assert not p.can("helpdesk.triage") and not p.can("users.read")


# --- the users page ---------------------------------------------------------------------------


def test_users_page_shows_roles_and_a_coordinator_adds_and_removes_an_extra_role(client, db, ws):
    req = create_help_request(db, ws, municipality=OSEN, title="Søknad fra Osen")
    coordinator = create_member(db, ws, "coordinator")
    mentor = _mentor(db, ws, extra=())
    m = _membership(db, ws, mentor)
    login(client, coordinator)

    page = client.get(f"/{ws.slug}/brukere")
    assert "Kommune (Inderøy)" in page.text
    assert f'action="/{ws.slug}/brukere/{m.id}/tilleggsroller"' in page.text
    assert f'action="/{ws.slug}/brukere/{m.id}/rolle"' not in page.text  # the main role: admin

    for hx in (False, True):
        headers = {"HX-Request": "true"} if hx else {}
        given = post(
            client,
            f"/{ws.slug}/brukere/{m.id}/tilleggsroller",
            {"extra_roles": "helper"},
            headers=headers,
        )
        assert given.status_code == (204 if hx else 303), given.text[:800]
        if hx:
            assert given.headers["HX-Redirect"] == f"/{ws.slug}/brukere"
    page = client.get(f"/{ws.slug}/brukere")
    assert "Kommune (Inderøy) + Hjelper i hjelpekorpset" in page.text
    assert _stored_extras(db, ws, mentor) == ",helper,"

    # Rights at once, in the mentor's next request.
    mentor_client = client.__class__(client.app, base_url="http://testserver")
    mentor_client.follow_redirects = False
    login(mentor_client, mentor)
    assert mentor_client.get(f"/{ws.slug}/hjelp/{req.number}").status_code == 200
    header = mentor_client.get(f"/{ws.slug}/hjelp").text
    assert "Kommune (Inderøy) + Hjelper i hjelpekorpset" in header

    # No box checked: the extra role is gone, and the rights with it, at once.
    removed = post(client, f"/{ws.slug}/brukere/{m.id}/tilleggsroller", {})
    assert removed.status_code == 303
    assert _stored_extras(db, ws, mentor) == ""
    assert mentor_client.get(f"/{ws.slug}/hjelp/{req.number}").status_code == 404


@pytest.mark.parametrize(
    ("main", "extra", "message"),
    [
        ("municipal", "municipal", "kan bare være hovedrolle"),
        ("municipal", "coordinator", "kan bare være hovedrolle"),
        ("helper", "helper", "er allerede hovedrollen"),
        ("helper", "viewer", "gir ingen rettigheter utover"),
        ("municipal", "nonsense", "Velg en gyldig rolle"),
    ],
)
def test_an_invalid_combination_is_refused_with_422_and_nothing_is_stored(
    client, db, ws, main, extra, message
):
    admin = create_member(db, ws, "county_admin")
    member = create_user(db)
    m = add_member(db, ws, member, main)
    login(client, admin)
    r = post(client, f"/{ws.slug}/brukere/{m.id}/tilleggsroller", {"extra_roles": extra})
    assert r.status_code == 422
    assert message in r.text
    assert 'class="member-edit" open' in r.text  # the form comes back open, the message by it
    assert _stored_extras(db, ws, member) == ""


def test_helper_and_viewer_together_is_refused(client, db, ws):
    admin = create_member(db, ws, "county_admin")
    mentor = _mentor(db, ws, extra=())
    m = _membership(db, ws, mentor)
    login(client, admin)
    r = client.post(
        f"/{ws.slug}/brukere/{m.id}/tilleggsroller",
        data={"extra_roles": ["helper", "viewer"], "csrf_token": csrf(client)},
    )
    assert r.status_code == 422
    assert "«Lesetilgang» gir ingen rettigheter utover de andre rollene" in r.text
    assert _stored_extras(db, ws, mentor) == ""


def test_only_staff_give_extra_roles_and_never_to_themselves(client, db, ws):
    helper = create_member(db, ws, "helper")
    mentor = _mentor(db, ws, extra=())
    coordinator = create_member(db, ws, "coordinator")
    m = _membership(db, ws, mentor)
    own = _membership(db, ws, coordinator)
    login(client, helper)
    r = post(client, f"/{ws.slug}/brukere/{m.id}/tilleggsroller", {"extra_roles": "helper"})
    assert r.status_code == 403
    client.cookies.clear()
    login(client, coordinator)
    r = post(client, f"/{ws.slug}/brukere/{own.id}/tilleggsroller", {"extra_roles": "viewer"})
    assert r.status_code == 422
    assert _stored_extras(db, ws, mentor) == "" and _stored_extras(db, ws, coordinator) == ""


def test_changing_the_main_role_keeps_the_extra_roles_that_still_add_something(client, db, ws):
    admin = create_member(db, ws, "county_admin")
    mentor = _mentor(db, ws)
    m = _membership(db, ws, mentor)
    login(client, admin)
    r = post(
        client,
        f"/{ws.slug}/brukere/{m.id}/rolle",
        {"role": "municipal", "municipality_number": OSEN},
    )
    assert r.status_code == 303
    assert _stored_extras(db, ws, mentor) == ",helper,"
    r = post(client, f"/{ws.slug}/brukere/{m.id}/rolle", {"role": "coordinator"})
    assert r.status_code == 303
    assert _stored_extras(db, ws, mentor) == ""  # a coordinator already has every helper right


def test_the_change_is_in_the_change_log(client, db, ws):
    admin = create_member(db, ws, "county_admin")
    mentor = _mentor(db, ws, extra=())
    m = _membership(db, ws, mentor)
    login(client, admin)
    post(client, f"/{ws.slug}/brukere/{m.id}/tilleggsroller", {"extra_roles": "helper"})
    with in_workspace(db, ws):
        events = list(
            db.scalars(
                scoped(AuditEvent, ws.id).where(
                    AuditEvent.object_type == "membership",
                    AuditEvent.object_id == str(m.id),
                    AuditEvent.action == "update",
                )
            )
        )
    assert [e.actor_id for e in events] == [admin.id]
    assert "extra_roles" in events[0].changes


def test_picker_shows_every_role(client, db, ws):
    other = create_workspace(db, name="Vestland test", county="46")
    mentor = _mentor(db, ws)
    add_member(db, other, mentor, "viewer")
    login(client, mentor)
    page = client.get("/velg")
    assert page.status_code == 200
    assert "Kommune + Hjelper i hjelpekorpset" in page.text
    assert "Lesetilgang" in page.text


# --- the database keeps it honest --------------------------------------------------------------


@pytest.mark.parametrize("stored", [",municipal,", ",helper,nonsense,", "helper"])
def test_the_database_refuses_unknown_or_bound_extra_roles(db, ws, stored):
    mentor = _mentor(db, ws, extra=())
    _refused(db, ws, mentor, stored)


def _refused(db, ws, user, stored: str) -> None:
    with in_workspace(db, ws):
        with pytest.raises(IntegrityError), db.begin_nested():
            m = accounts.get_membership(db, ws.id, user.id)
            assert m is not None
            m.extra_roles = stored
            db.flush()
        db.expire_all()


def test_the_database_refuses_an_extra_role_equal_to_the_main_role(db, ws):
    helper = create_member(db, ws, "helper")
    _refused(db, ws, helper, ",helper,")
    assert _stored_extras(db, ws, helper) == ""


# --- API ---------------------------------------------------------------------------------------


def test_api_reads_roles_and_sets_extra_roles(client, db, ws):
    mentor = _mentor(db, ws)
    me = client.get("/api/v1/me", headers=bearer(db, ws, mentor)).json()
    assert me["memberships"] == [
        {
            "workspace": ws.slug,
            "workspace_name": ws.name,
            "role": "municipal",
            "roles": ["municipal", "helper"],
        }
    ]

    admin = create_member(db, ws, "coordinator")
    auth = bearer(db, ws, admin)
    members = client.get(f"/api/v1/{ws.slug}/members", headers=auth).json()["items"]
    row = next(r for r in members if r["user_id"] == mentor.id)
    assert row["role"] == "municipal" and row["roles"] == ["municipal", "helper"]
    assert row["municipality_number"] == INDEROY

    url = f"/api/v1/{ws.slug}/members/{row['id']}/extra-roles"
    r = client.put(url, json={"extra_roles": ["viewer"]}, headers=auth)
    assert r.status_code == 200 and r.json()["roles"] == ["municipal", "viewer"]
    r = client.put(url, json={"extra_roles": ["partner"]}, headers=auth)
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"
    assert "kan bare være hovedrolle" in r.text
    assert _stored_extras(db, ws, mentor) == ",viewer,"
    r = client.put(url, json={"extra_roles": []}, headers=auth)
    assert r.status_code == 200 and r.json()["roles"] == ["municipal"]


def test_api_extra_roles_need_staff(client, db, ws):
    mentor = _mentor(db, ws, extra=())
    helper = create_member(db, ws, "helper")
    m = _membership(db, ws, mentor)
    auth = bearer(db, ws, helper)
    assert client.get(f"/api/v1/{ws.slug}/members", headers=auth).status_code == 403
    r = client.put(
        f"/api/v1/{ws.slug}/members/{m.id}/extra-roles",
        json={"extra_roles": ["helper"]},
        headers=auth,
    )
    assert r.status_code == 403
    assert _stored_extras(db, ws, mentor) == ""


# --- cross-workspace ---------------------------------------------------------------------------


def test_an_extra_role_in_one_workspace_gives_nothing_in_another(client, db, ws):
    other = create_workspace(db, county="50", name="Trøndelag B")
    req_b = create_help_request(db, other, municipality=OSEN, title="Osen i B")
    mentor = _mentor(db, ws)  # helper in A
    add_member(db, other, mentor, "municipal", municipality=INDEROY)  # no extras in B
    m_b = _membership(db, other, mentor)
    login(client, mentor)
    assert client.get(f"/{other.slug}/hjelp/{req_b.number}").status_code == 404
    assert post(client, f"/{other.slug}/hjelp/{req_b.number}/ta").status_code == 404
    with in_workspace(db, other):
        assert mentor.id not in {
            m.user_id for m in accounts.members_with(db, other.id, "helpdesk.work")
        }

    # A's coordinator cannot reach B's membership, on the page or the API.
    coordinator = create_member(db, ws, "coordinator")
    client.cookies.clear()
    login(client, coordinator)
    r = post(client, f"/{ws.slug}/brukere/{m_b.id}/tilleggsroller", {"extra_roles": "helper"})
    assert r.status_code == 404
    r = client.put(
        f"/api/v1/{ws.slug}/members/{m_b.id}/extra-roles",
        json={"extra_roles": ["helper"]},
        headers=bearer(db, ws, coordinator),
    )
    assert r.status_code == 404
    assert _stored_extras(db, other, mentor) == ""


@pytest.mark.postgres_only
def test_extra_roles_of_another_workspace_are_invisible_under_rls(db, backend):
    """On PostgreSQL, as the app's role: another workspace's memberships — and so their extra
    roles — are no rows at all, and none can be given there."""
    a = create_workspace(db, county="46")
    b = create_workspace(db)
    mentor = _mentor(db, b)
    sql = text("SELECT extra_roles FROM membership WHERE user_id = :u")
    set_db_scope(db, workspace_id=b.id, user_id=None)
    assert db.execute(sql, {"u": mentor.id}).scalars().all() == [",helper,"]
    set_db_scope(db, workspace_id=a.id, user_id=None)
    assert db.execute(sql, {"u": mentor.id}).scalars().all() == []
    changed = db.execute(
        text("UPDATE membership SET extra_roles = ',viewer,' WHERE user_id = :u"),
        {"u": mentor.id},
    )
    assert changed.rowcount == 0
    set_db_scope(db, workspace_id=None, user_id=None)
    assert _stored_extras(db, b, mentor) == ",helper,"


# --- invitations -------------------------------------------------------------------------------


def test_an_invitation_carries_extra_roles(client, db, ws, smtp, deliver):
    import re

    from app.accounts.models import Invitation, User

    admin = create_member(db, ws, "county_admin")
    login(client, admin)
    r = client.post(
        f"/{ws.slug}/brukere/inviter",
        data={
            "email": "kd@inderoy.kommune.no",
            "role": "municipal",
            "municipality_number": INDEROY,
            "extra_roles": ["helper"],
            "csrf_token": csrf(client),
        },
    )
    assert r.status_code == 303, r.text[:1500]
    assert "Kommune + Hjelper i hjelpekorpset" in client.get(f"/{ws.slug}/brukere").text
    assert deliver() == 1
    body = smtp.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "som kommune + hjelper i hjelpekorpset" in body
    link = re.search(r"http://\S+/invitasjon/\S+", body).group(0)
    link = link.replace("http://127.0.0.1:8000", "")

    client.cookies.clear()
    r = post(client, link, {"name": "Ingrid Inderøy", "password": "et-godt-passord"})
    assert r.status_code == 303
    with in_workspace(db, ws):
        user = db.scalar(
            scoped(Invitation, ws.id)
            .where(Invitation.email == "kd@inderoy.kommune.no")
            .with_only_columns(Invitation.accepted_by_id)
        )
    new = db.get(User, user)
    assert _stored_extras(db, ws, new) == ",helper,"
    # ... and works as a helper straight away.
    req = create_help_request(db, ws, municipality=OSEN, title="Søknad fra Osen")
    assert client.get(f"/{ws.slug}/hjelp/{req.number}").status_code == 200


def test_an_invitation_with_a_bad_combination_is_refused(client, db, ws):
    from app.accounts.models import Invitation

    admin = create_member(db, ws, "county_admin")
    login(client, admin)
    r = client.post(
        f"/{ws.slug}/brukere/inviter",
        data={
            "email": "ny@kommune.no",
            "role": "helper",
            "extra_roles": ["viewer"],
            "csrf_token": csrf(client),
        },
    )
    assert r.status_code == 422
    assert "gir ingen rettigheter utover" in r.text
    assert 'href="#f-extra_roles"' in r.text  # the summary links to the field
    with in_workspace(db, ws):
        assert db.scalars(scoped(Invitation, ws.id)).all() == []
