"""The networks JSON API: bodies, memberships, contacts, and bodies shared across counties."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from app.networks import contacts, service
from app.networks.schemas import BodyForm, MembershipForm, PersonForm
from app.tenancy import set_db_scope
from factories import accept_shares, bearer, create_member, create_workspace, csrf, login


@contextmanager
def scope(db, ws) -> Iterator[None]:
    """Create tenant rows of ``ws`` directly. The set-up is committed (to the test's savepoint)
    so that a request that fails, and rolls back, does not take it with it."""
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    try:
        yield
    finally:
        set_db_scope(db, workspace_id=None, user_id=None)
        db.commit()


def make_bodies(db, ws, names, kind="council", member=None):
    with scope(db, ws):
        bodies = [service.create_body(db, ws, BodyForm(name=n, kind=kind)) for n in names]
        if member:
            for body in bodies:
                service.add_membership(db, ws, body.id, MembershipForm(municipality_number=member))
    return bodies


def test_list_bodies_is_paged_in_name_order(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws, "viewer")
    make_bodies(db, ws, ["Cerd", "Alfa", "Beta"])
    headers = bearer(db, ws, user)

    first = client.get(f"/api/v1/{ws.slug}/bodies?limit=2", headers=headers)
    assert first.status_code == 200
    page = first.json()
    assert page["total"] == 3 and page["next_cursor"]
    assert [b["name"] for b in page["items"]] == ["Alfa", "Beta"]
    assert all(b["owned"] and b["owner_workspace"] == ws.name for b in page["items"])

    rest = client.get(
        f"/api/v1/{ws.slug}/bodies",
        params={"limit": 2, "cursor": page["next_cursor"]},
        headers=headers,
    ).json()
    assert [b["name"] for b in rest["items"]] == ["Cerd"]
    assert rest["total"] == 3 and rest["next_cursor"] is None

    too_many = client.get(f"/api/v1/{ws.slug}/bodies?limit=201", headers=headers)
    assert too_many.status_code == 422
    assert "limit" in too_many.json()["errors"]


def test_list_bodies_filters_kind_at_any_depth_and_hides_archived(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws, "viewer")
    with scope(db, ws):
        council = service.create_body(db, ws, BodyForm(name="Rådet", kind="council"))
        service.create_body(db, ws, BodyForm(name="Styret", kind="board", parent_id=council.id))
        old = service.create_body(db, ws, BodyForm(name="Gammelt", kind="council"))
        service.set_archived(db, ws, old.id, True)
    headers = bearer(db, ws, user)

    boards = client.get(f"/api/v1/{ws.slug}/bodies?kind=board", headers=headers).json()
    assert [b["name"] for b in boards["items"]] == ["Styret"]
    assert boards["items"][0]["parent_id"] == council.id

    active = client.get(f"/api/v1/{ws.slug}/bodies", headers=headers).json()
    assert [b["name"] for b in active["items"]] == ["Rådet", "Styret"]
    everything = client.get(
        f"/api/v1/{ws.slug}/bodies?include_archived=true", headers=headers
    ).json()
    assert {b["name"]: b["archived"] for b in everything["items"]} == {
        "Gammelt": True,
        "Rådet": False,
        "Styret": False,
    }
    bad = client.get(f"/api/v1/{ws.slug}/bodies?kind=club", headers=headers)
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_input"


def test_another_workspaces_body_under_own_slug_is_404_json(client, db):
    mine = create_workspace(db)
    other = create_workspace(db, county="46")
    user = create_member(db, mine, "county_admin")
    (theirs,) = make_bodies(db, other, ["Vestlandsrådet"])
    headers = bearer(db, mine, user)

    for url in (
        f"/api/v1/{mine.slug}/bodies/{theirs.id}",
        f"/api/v1/{mine.slug}/bodies/{theirs.id}/memberships",
        f"/api/v1/{mine.slug}/bodies/999999",
    ):
        r = client.get(url, headers=headers)
        assert r.status_code == 404, url
        assert r.json()["code"] == "not_found"
    r = client.post(
        f"/api/v1/{mine.slug}/bodies/{theirs.id}/memberships",
        json={"municipality_number": "5020"},
        headers=headers,
    )
    assert r.status_code == 404
    listed = client.get(f"/api/v1/{mine.slug}/bodies", headers=headers).json()
    assert listed["total"] == 0


def test_coordinator_creates_a_body_and_a_viewer_may_not(client, db):
    ws = create_workspace(db)
    viewer = create_member(db, ws, "viewer")
    coordinator = create_member(db, ws, "coordinator")
    form = {"name": "Digitaliseringsnettverket", "kind": "network", "theme": "digitalisation"}

    refused = client.post(f"/api/v1/{ws.slug}/bodies", json=form, headers=bearer(db, ws, viewer))
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"

    headers = bearer(db, ws, coordinator)
    created = client.post(f"/api/v1/{ws.slug}/bodies", json=form, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["name"] == "Digitaliseringsnettverket"
    assert body["owned"] is True and body["archived"] is False
    read = client.get(f"/api/v1/{ws.slug}/bodies/{body['id']}", headers=headers).json()
    assert read == body
    listed = client.get(f"/api/v1/{ws.slug}/bodies", headers=headers).json()
    assert listed["total"] == 1  # the viewer's attempt created nothing


def test_session_cookie_post_needs_the_csrf_header(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws, "coordinator")
    login(client, user)
    form = {"name": "Regionrådet", "kind": "council"}

    without = client.post(f"/api/v1/{ws.slug}/bodies", json=form)
    assert without.status_code == 403
    assert without.json()["code"] == "csrf_failed"
    with_header = client.post(
        f"/api/v1/{ws.slug}/bodies",
        json=form,
        headers={"X-CSRF-Token": csrf(client)},  # the samspill_csrf cookie, fetched if missing
    )
    assert with_header.status_code == 201, with_header.text


def test_bad_membership_form_is_422_with_field_errors(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws, "coordinator")
    (body,) = make_bodies(db, ws, ["Rådet"])
    headers = bearer(db, ws, user)
    url = f"/api/v1/{ws.slug}/bodies/{body.id}/memberships"

    r = client.post(
        url,
        json={"municipality_number": "5020", "start_date": "2024-05-01", "end_date": "2024-01-01"},
        headers=headers,
    )
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"
    assert "Sluttdatoen kan ikke være før startdatoen." in r.json()["errors"].values()

    r = client.post(url, json={"municipality_number": "9999"}, headers=headers)
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"municipality_number"}

    r = client.post(url, json={"municipality_number": "5020", "role": "king"}, headers=headers)
    assert r.status_code == 422
    assert "role" in r.json()["errors"]

    assert client.get(url, headers=headers).json()["total"] == 0


def test_overlapping_membership_is_refused_and_nothing_is_created(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws, "coordinator")
    (body,) = make_bodies(db, ws, ["Rådet"])
    headers = bearer(db, ws, user)
    url = f"/api/v1/{ws.slug}/bodies/{body.id}/memberships"

    first = client.post(
        url,
        json={"municipality_number": "5020", "start_date": "2020-01-01", "role": "host"},
        headers=headers,
    )
    assert first.status_code == 201, first.text
    created = first.json()
    assert created["municipality_name"] == "Osen"
    assert created["body_id"] == body.id and created["role"] == "host"
    assert created["current"] is True and created["organisation_id"] is None

    overlap = client.post(
        url,
        json={"municipality_number": "5020", "start_date": "2023-01-01", "end_date": "2023-12-31"},
        headers=headers,
    )
    assert overlap.status_code == 422
    assert set(overlap.json()["errors"]) == {"start_date"}

    page = client.get(url, headers=headers).json()
    assert page["total"] == 1
    assert [m["id"] for m in page["items"]] == [created["id"]]


def test_memberships_are_paged_and_marked_current(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws, "viewer")
    (body,) = make_bodies(db, ws, ["Rådet"])
    with scope(db, ws):
        for number in ("5001", "5020"):
            service.add_membership(db, ws, body.id, MembershipForm(municipality_number=number))
        service.add_membership(
            db,
            ws,
            body.id,
            MembershipForm(
                municipality_number="5006", start_date=date(2010, 1, 1), end_date=date(2015, 1, 1)
            ),
        )
    headers = bearer(db, ws, user)
    url = f"/api/v1/{ws.slug}/bodies/{body.id}/memberships"

    page = client.get(f"{url}?limit=2", headers=headers).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    rest = client.get(url, params={"limit": 2, "cursor": page["next_cursor"]}, headers=headers)
    rest = rest.json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    items = page["items"] + rest["items"]
    assert {m["municipality_number"]: m["current"] for m in items} == {
        "5001": True,
        "5020": True,
        "5006": False,
    }
    assert {m["municipality_name"] for m in items} >= {"Trondheim", "Osen"}

    by_municipality = client.get(
        f"/api/v1/{ws.slug}/municipalities/5006/bodies", headers=headers
    ).json()["items"]
    assert [(m["body_id"], m["current"], m["end_date"]) for m in by_municipality] == [
        (body.id, False, "2015-01-01")
    ]
    assert client.get(f"/api/v1/{ws.slug}/municipalities/0000/bodies", headers=headers).json()[
        "code"
    ] == ("not_found")


def test_contacts_are_searched_and_paged(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws, "viewer")
    with scope(db, ws):
        kari = contacts.create_person(
            db,
            ws,
            PersonForm(name="Kari Nordmann", municipality_number="5020", areas=["school"]),
        )
        contacts.create_person(
            db, ws, PersonForm(name="Ola Hansen", municipality_number="5001", title="IKT-leder")
        )
    other = create_workspace(db, county="46")
    with scope(db, other):
        contacts.create_person(db, other, PersonForm(name="Kari Vest", municipality_number="4601"))
    headers = bearer(db, ws, user)
    base = f"/api/v1/{ws.slug}/contacts"

    everyone = client.get(base, headers=headers).json()
    assert everyone["total"] == 2
    assert [p["name"] for p in everyone["items"]] == ["Kari Nordmann", "Ola Hansen"]  # Osen first
    assert client.get(f"{base}?q=kari", headers=headers).json()["total"] == 1
    assert client.get(f"{base}?q=ikt", headers=headers).json()["items"][0]["name"] == "Ola Hansen"
    assert client.get(f"{base}?municipality=5001", headers=headers).json()["total"] == 1
    school = client.get(f"{base}?area=school", headers=headers).json()
    assert [p["id"] for p in school["items"]] == [kari.id]
    first = client.get(f"{base}?limit=1", headers=headers).json()
    paged = client.get(base, params={"limit": 1, "cursor": first["next_cursor"]}, headers=headers)
    paged = paged.json()
    assert (paged["total"], [p["name"] for p in paged["items"]]) == (2, ["Ola Hansen"])
    assert paged["next_cursor"] is None

    one = client.get(f"{base}/{kari.id}", headers=headers).json()
    assert one["municipality_name"] == "Osen" and one["areas"] == ["school"]
    assert client.get(f"{base}/999999", headers=headers).status_code == 404


def test_municipal_user_manages_only_their_own_municipalitys_contacts(client, db):
    ws = create_workspace(db, county="50")
    municipal = create_member(db, ws, "municipal")  # bound to 5020 Osen
    with scope(db, ws):
        trondheim = contacts.create_person(
            db, ws, PersonForm(name="Tor Trondheim", municipality_number="5001")
        )
    headers = bearer(db, ws, municipal)
    base = f"/api/v1/{ws.slug}/contacts"

    own = client.post(
        base,
        json={"name": "Ola Osen", "municipality_number": "5020", "areas": ["school", "climate"]},
        headers=headers,
    )
    assert own.status_code == 201, own.text
    person = own.json()
    assert person["municipality_name"] == "Osen"
    assert person["areas"] == ["climate", "school"]

    other = client.post(
        base, json={"name": "Trine", "municipality_number": "5001"}, headers=headers
    )
    assert other.status_code == 403
    assert other.json()["code"] == "forbidden"

    updated = client.put(
        f"{base}/{person['id']}",
        json={"name": "Ola Osen", "municipality_number": "5020", "title": "Rådgiver"},
        headers=headers,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["title"] == "Rådgiver" and updated.json()["areas"] == []

    moved = client.put(
        f"{base}/{person['id']}",
        json={"name": "Ola Osen", "municipality_number": "5001"},
        headers=headers,
    )
    assert moved.status_code == 403
    theirs = client.put(
        f"{base}/{trondheim.id}",
        json={"name": "Tor Trondheim", "municipality_number": "5020"},
        headers=headers,
    )
    assert theirs.status_code == 403

    names = [p["name"] for p in client.get(base, headers=headers).json()["items"]]
    assert names == ["Ola Osen", "Tor Trondheim"]
    assert client.get(f"{base}/{person['id']}", headers=headers).json()["title"] == "Rådgiver"


def test_coordinator_manages_any_contact_and_a_viewer_none(client, db):
    ws = create_workspace(db, county="50")
    coordinator = create_member(db, ws, "coordinator")
    viewer = create_member(db, ws, "viewer")
    base = f"/api/v1/{ws.slug}/contacts"
    form = {"name": "Trine Trondheim", "municipality_number": "5001"}

    assert client.post(base, json=form, headers=bearer(db, ws, viewer)).status_code == 403
    created = client.post(base, json=form, headers=bearer(db, ws, coordinator))
    assert created.status_code == 201
    bad = client.post(
        base,
        json={"name": "X", "municipality_number": "5001", "email": "nei", "areas": ["golf"]},
        headers=bearer(db, ws, coordinator),
    )
    assert bad.status_code == 422
    assert {"name", "email", "areas"} <= set(bad.json()["errors"])


def test_shared_body_is_readable_across_counties_but_not_changeable(client, db):
    buskerud = create_workspace(db, county="33", name="Buskerud fylkeskommune")
    telemark = create_workspace(db, county="40", name="Telemark fylkeskommune")
    reader = create_member(db, telemark, "county_admin")
    with scope(db, buskerud):
        body = service.create_body(db, buskerud, BodyForm(name="Kongsbergregionen", kind="council"))
        service.add_membership(db, buskerud, body.id, MembershipForm(municipality_number="3303"))
        service.add_membership(db, buskerud, body.id, MembershipForm(municipality_number="4005"))
    accept_shares(db, telemark)
    make_bodies(db, telemark, ["Vest-Telemarkrådet"])
    headers = bearer(db, telemark, reader)

    listed = client.get(f"/api/v1/{telemark.slug}/bodies", headers=headers).json()
    assert listed["total"] == 2
    by_name = {b["name"]: b for b in listed["items"]}
    shared = by_name["Kongsbergregionen"]
    assert shared["owned"] is False
    assert shared["owner_workspace"] == "Buskerud fylkeskommune"
    assert by_name["Vest-Telemarkrådet"]["owned"] is True

    one = client.get(f"/api/v1/{telemark.slug}/bodies/{body.id}", headers=headers)
    assert one.status_code == 200
    assert one.json()["owned"] is False and one.json()["id"] == body.id

    members = client.get(
        f"/api/v1/{telemark.slug}/bodies/{body.id}/memberships", headers=headers
    ).json()
    assert {m["municipality_name"] for m in members["items"]} == {"Kongsberg", "Notodden"}
    notodden = client.get(
        f"/api/v1/{telemark.slug}/municipalities/4005/bodies", headers=headers
    ).json()["items"]
    assert [m["body_id"] for m in notodden] == [body.id]

    refused = client.post(
        f"/api/v1/{telemark.slug}/bodies/{body.id}/memberships",
        json={"municipality_number": "4001"},
        headers=headers,
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    after = client.get(f"/api/v1/{telemark.slug}/bodies/{body.id}/memberships", headers=headers)
    assert after.json()["total"] == 2


def test_listing_bodies_costs_the_same_queries_for_3_and_30(client, db, count_queries):
    ws = create_workspace(db, county="50")
    user = create_member(db, ws, "viewer")
    headers = bearer(db, ws, user)
    url = f"/api/v1/{ws.slug}/bodies?limit=200"
    make_bodies(db, ws, [f"Organ {i:02}" for i in range(3)], member="5020")
    client.get(url, headers=headers)  # warm up anything cached per process

    with count_queries() as small:
        r = client.get(url, headers=headers)
    assert r.json()["total"] == 3

    make_bodies(db, ws, [f"Organ {i:02}" for i in range(3, 30)], member="5001")
    with count_queries() as large:
        r = client.get(url, headers=headers)
    assert r.json()["total"] == 30
    assert small.count > 0
    assert large.count == small.count


def test_coverage_api(client, db):
    from app.networks import service as networks_service
    from app.networks.schemas import BodyForm, MembershipForm
    from app.tenancy import set_db_scope
    from factories import create_member, create_workspace, login

    ws = create_workspace(db, county="50")
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    body = networks_service.create_body(db, ws, BodyForm(name="Fosen", kind="council"))
    networks_service.add_membership(db, ws, body.id, MembershipForm(municipality_number="5020"))
    set_db_scope(db, workspace_id=None, user_id=None)
    login(client, create_member(db, ws, "viewer"))
    rows = client.get(f"/api/v1/{ws.slug}/coverage").json()["items"]
    assert len(rows) == 38
    osen = next(r for r in rows if r["municipality_number"] == "5020")
    assert osen["councils"] == 1 and osen["body_ids"] == [body.id]
    small = client.get(f"/api/v1/{ws.slug}/coverage?size_class=1").json()["items"]
    assert {r["size_class"] for r in small} == {1}
