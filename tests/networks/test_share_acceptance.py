"""A county that puts another county's municipality in one of its bodies shares the body with
that county's workspace only once a coordinator there accepts it (issue 14, finding 11)."""

from sqlalchemy import func

from app.audit.models import AuditEvent
from app.networks import contacts
from app.networks.models import BodyShare
from app.tenancy import scoped, scoped_by_county
from factories import (
    add_body_member,
    bearer,
    create_body,
    create_member,
    create_person,
    create_workspace,
    in_workspace,
    login,
    post,
)


def kongsbergregionen(db):
    """Buskerud's council with Kongsberg (Buskerud) and Notodden (Telemark), an inner body, and
    Buskerud's contact person in Notodden, its representative there."""
    buskerud = create_workspace(db, county="33", name="Buskerud test")
    telemark = create_workspace(db, county="40", name="Telemark test")
    kr = create_body(db, buskerud, "Kongsbergregionen")
    add_body_member(db, buskerud, kr, "3303")
    add_body_member(db, buskerud, kr, "4005")  # Notodden, Telemark
    inner = create_body(db, buskerud, "SuksIT", "network", theme="digitalisation", parent_id=kr.id)
    person = create_person(db, buskerud, "Nils Notodden", "4005", ["digitalisation"])
    with in_workspace(db, buskerud):
        contacts.add_representative(db, buskerud, kr.id, person.id)
    return buskerud, telemark, kr, inner


def shares(db, telemark):
    """(state, answered_by_id) of every share addressed to Telemark, by body id."""
    with in_workspace(db, telemark):
        rows = db.scalars(scoped_by_county(BodyShare, telemark.county_number))
        return {s.body_id: (s.state, s.answered_by_id) for s in rows}


def audit_count(db, ws):
    with in_workspace(db, ws):
        return db.scalar(
            scoped(AuditEvent, ws.id)
            .where(AuditEvent.object_type == "body_share")
            .with_only_columns(func.count())
        )


def assert_nothing_visible(client, telemark, headers, kr, inner):
    for url in (f"/{telemark.slug}/organer", f"/{telemark.slug}/kommuner/4005"):
        page = client.get(url)
        assert page.status_code == 200 and "Kongsbergregionen" not in page.text
    assert client.get(f"/{telemark.slug}/organer/{kr.id}").status_code == 404
    assert client.get(f"/{telemark.slug}/organer/{inner.id}").status_code == 404
    assert "Kongsbergregionen" not in client.get(f"/{telemark.slug}/dekning").text
    api = f"/api/v1/{telemark.slug}"
    assert client.get(f"{api}/bodies", headers=headers).json()["items"] == []
    assert client.get(f"{api}/bodies/{kr.id}", headers=headers).status_code == 404
    assert client.get(f"{api}/bodies/{kr.id}/memberships", headers=headers).status_code == 404
    notodden = client.get(f"{api}/municipalities/4005/bodies", headers=headers).json()
    assert notodden["items"] == []
    coverage = client.get(f"{api}/coverage", headers=headers).json()["items"]
    row = next(r for r in coverage if r["municipality_number"] == "4005")
    assert row["body_ids"] == []


def assert_contacts_stay_home(client, telemark, headers):
    """Buskerud's contact person in Notodden is Buskerud's: never shown in Telemark."""
    assert "Nils Notodden" not in client.get(f"/{telemark.slug}/kontakter?kommune=4005").text
    assert "Nils Notodden" not in client.get(f"/{telemark.slug}/kommuner/4005").text
    found = client.get(f"/api/v1/{telemark.slug}/contacts", headers=headers).json()["items"]
    assert found == []


def test_nothing_is_visible_in_the_other_county_until_its_coordinator_accepts(client, db):
    buskerud, telemark, kr, inner = kongsbergregionen(db)
    viewer = create_member(db, telemark, "viewer")
    coordinator = create_member(db, telemark, "coordinator")
    headers = bearer(db, telemark, viewer)

    login(client, viewer)
    assert_nothing_visible(client, telemark, headers, kr, inner)
    assert_contacts_stay_home(client, telemark, headers)
    assert "Forespørsler om deling" not in client.get(f"/{telemark.slug}/organer").text

    # Buskerud sees that Telemark has not answered.
    client.cookies.clear()
    login(client, create_member(db, buskerud, "coordinator"))
    assert "venter på godkjenning" in client.get(f"/{buskerud.slug}/organer/{kr.id}").text

    # Telemark's coordinator sees one request for the tree, and accepts it.
    client.cookies.clear()
    login(client, coordinator)
    listing = client.get(f"/{telemark.slug}/organer").text
    section = listing.split("Forespørsler om deling", 1)[1].split("</section>", 1)[0]
    assert "Kongsbergregionen" in section and "fra Buskerud test" in section
    assert "1 underorgan" in section and "SuksIT" not in section
    share_id = next(
        s.id for s in db.scalars(scoped(BodyShare, buskerud.id).where(BodyShare.body_id == kr.id))
    )
    assert f"/organer/delinger/{share_id}/godta" in section
    r = post(client, f"/{telemark.slug}/organer/delinger/{share_id}/godta")
    assert r.status_code == 303
    assert shares(db, telemark) == {
        kr.id: ("accepted", coordinator.id),
        inner.id: ("accepted", coordinator.id),
    }
    assert audit_count(db, telemark) == 1 and audit_count(db, buskerud) == 0

    # Now visible, read-only, as before; contacts still stay in Buskerud.
    client.cookies.clear()
    login(client, viewer)
    listing = client.get(f"/{telemark.slug}/organer").text
    assert "Kongsbergregionen" in listing and "delt fra Buskerud test" in listing
    page = client.get(f"/{telemark.slug}/organer/{kr.id}")
    assert page.status_code == 200 and "Notodden" in page.text
    assert client.get(f"/{telemark.slug}/organer/{inner.id}").status_code == 200
    assert "Kongsbergregionen" in client.get(f"/{telemark.slug}/dekning").text
    api = f"/api/v1/{telemark.slug}"
    names = [b["name"] for b in client.get(f"{api}/bodies", headers=headers).json()["items"]]
    assert names == ["Kongsbergregionen", "SuksIT"]
    members = client.get(f"{api}/bodies/{kr.id}/memberships", headers=headers).json()["items"]
    assert {m["municipality_name"] for m in members} == {"Kongsberg", "Notodden"}
    assert_contacts_stay_home(client, telemark, headers)

    # An inner body added later comes along with the accepted tree.
    later = create_body(db, buskerud, "Rådmannsutvalget", "ceo_committee", parent_id=kr.id)
    assert client.get(f"/{telemark.slug}/organer/{later.id}").status_code == 200

    client.cookies.clear()
    login(client, create_member(db, buskerud, "coordinator"))
    assert "godtatt" in client.get(f"/{buskerud.slug}/organer/{kr.id}").text


def test_declining_keeps_it_hidden_and_the_owner_sees_it(client, db):
    buskerud, telemark, kr, inner = kongsbergregionen(db)
    coordinator = bearer(db, telemark, create_member(db, telemark, "coordinator"))
    api = f"/api/v1/{telemark.slug}"
    pending = client.get(f"{api}/body-shares", headers=coordinator).json()["items"]
    assert [
        (p["body_name"], p["owner_workspace"], p["inner_bodies"], p["state"]) for p in pending
    ] == [("Kongsbergregionen", "Buskerud test", 1, "pending")]
    r = client.post(f"{api}/body-shares/{pending[0]['id']}/decline", headers=coordinator)
    assert r.status_code == 200 and r.json()["state"] == "declined"
    assert {state for state, _by in shares(db, telemark).values()} == {"declined"}
    assert audit_count(db, telemark) == 1
    assert client.get(f"{api}/body-shares", headers=coordinator).json()["items"] == []
    declined = client.get(f"{api}/body-shares?state=declined", headers=coordinator).json()
    assert [d["body_id"] for d in declined["items"]] == [kr.id]
    again = client.post(f"{api}/body-shares/{pending[0]['id']}/decline", headers=coordinator)
    assert again.status_code == 409 and again.json()["code"] == "conflict"

    viewer = create_member(db, telemark, "viewer")
    login(client, viewer)
    assert_nothing_visible(client, telemark, bearer(db, telemark, viewer), kr, inner)

    owner = bearer(db, buskerud, create_member(db, buskerud, "coordinator"))
    states = client.get(f"/api/v1/{buskerud.slug}/bodies/{kr.id}/shares", headers=owner).json()
    assert states["items"] == [{"county": "Telemark", "state": "declined"}]
    client.cookies.clear()
    login(client, create_member(db, buskerud, "coordinator"))
    assert "avslått" in client.get(f"/{buskerud.slug}/organer/{kr.id}").text


def test_only_the_other_countys_coordinator_may_answer(client, db):
    buskerud, telemark, kr, _inner = kongsbergregionen(db)
    vestland = create_workspace(db, county="46", name="Vestland test")
    with in_workspace(db, buskerud):
        share_id = db.scalar(
            scoped(BodyShare, buskerud.id)
            .where(BodyShare.body_id == kr.id)
            .with_only_columns(BodyShare.id)
        )
    before = shares(db, telemark)
    # Everyone first: a refused request leaves the test's session as the app left it.
    viewer = bearer(db, telemark, create_member(db, telemark, "viewer"))
    partner = create_member(db, telemark, "partner")
    others = {
        ws.slug: bearer(db, ws, create_member(db, ws, "coordinator")) for ws in (buskerud, vestland)
    }
    coordinator_user = create_member(db, telemark, "coordinator")
    coordinator = bearer(db, telemark, coordinator_user)

    r = client.post(f"/api/v1/{telemark.slug}/body-shares/{share_id}/accept", headers=viewer)
    assert r.status_code == 403
    assert client.get(f"/api/v1/{telemark.slug}/body-shares", headers=viewer).status_code == 403
    login(client, partner)
    assert post(client, f"/{telemark.slug}/organer/delinger/{share_id}/godta").status_code == 403
    client.cookies.clear()

    # The owner cannot accept its own share, nor may a third county: not theirs to see.
    for ws in (buskerud, vestland):
        headers = others[ws.slug]
        r = client.post(f"/api/v1/{ws.slug}/body-shares/{share_id}/accept", headers=headers)
        assert r.status_code == 404 and r.json()["code"] == "not_found"
        # Nor in Telemark's workspace, where they are not members.
        r = client.post(f"/api/v1/{telemark.slug}/body-shares/{share_id}/accept", headers=headers)
        assert r.status_code in (401, 403, 404)

    missing = client.post(f"/api/v1/{telemark.slug}/body-shares/999999/accept", headers=coordinator)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    bad = client.post(f"/api/v1/{telemark.slug}/body-shares/abc/accept", headers=coordinator)
    assert bad.status_code == 422
    bad_state = client.get(f"/api/v1/{telemark.slug}/body-shares?state=maybe", headers=coordinator)
    assert bad_state.status_code == 422 and "state" in bad_state.json()["errors"]
    login(client, coordinator_user)
    assert post(client, f"/{telemark.slug}/organer/delinger/999999/avsla").status_code == 404

    assert shares(db, telemark) == before
    assert {state for state, _by in before.values()} == {"pending"}
    assert audit_count(db, telemark) == 0


def test_the_demo_share_of_kongsbergregionen_is_accepted(db):
    from app.networks import demo, service
    from app.networks.models import Body

    workspaces = {
        key: create_workspace(db, county=county)
        for key, county in (("trondelag", "50"), ("buskerud", "33"), ("telemark", "40"))
    }
    workspaces["vestland"] = create_workspace(db, county="46")
    demo.load(db, workspaces)
    telemark = workspaces["telemark"]
    with in_workspace(db, telemark):
        names = set(db.scalars(service.visible_bodies(telemark).with_only_columns(Body.name)))
        assert {"Kongsbergregionen", "SuksIT"} <= names
        assert service.share_requests(db, telemark) == []


def _share_at_upgrade(engine):
    """A share made before revision 0013 is accepted after it: it was visible already."""
    from sqlalchemy import JSON, Integer, MetaData, String, Text, insert, select

    from app.migrate import downgrade, upgrade

    upgrade(engine, "0012")
    meta = MetaData()
    with engine.connect() as conn:
        meta.reflect(conn, only=["county", "workspace", "body", "body_share"])

    def add(conn, table_name, **values):
        """A row with the given values; other required columns get an empty value."""
        table = meta.tables[table_name]
        for column in table.columns:
            if column.name in values or column.nullable or column.server_default is not None:
                continue
            if column.primary_key and isinstance(column.type, Integer):
                continue
            kind = column.type
            assert isinstance(kind, JSON | Integer | String | Text), column
            values[column.name] = (
                {} if isinstance(kind, JSON) else 0 if isinstance(kind, Integer) else ""
            )
        conn.execute(insert(table).values(**values))

    county = meta.tables["county"]
    with engine.begin() as conn:
        for number in ("33", "40"):
            if conn.execute(select(county.c.number).where(county.c.number == number)).first():
                continue
            add(conn, "county", number=number, name=f"Fylke {number}")
        add(conn, "workspace", id=901, slug="ws-901", name="B", county_number="33", settings={})
        add(conn, "body", id=901, workspace_id=901, name="Kongsbergregionen", kind="council")
        add(conn, "body_share", id=901, workspace_id=901, body_id=901, county_number="40")
    upgrade(engine)
    with engine.connect() as conn:
        share = MetaData()
        share.reflect(conn, only=["body_share"])
        table = share.tables["body_share"]
        row = conn.execute(select(table).where(table.c.id == 901)).mappings().one()
    assert row["accepted_at"] is not None and row["declined_at"] is None
    downgrade(engine, "0012")
    upgrade(engine)


def test_existing_shares_are_accepted_at_upgrade_sqlite(tmp_path):
    from app.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'share.db'}")
    _share_at_upgrade(engine)
    engine.dispose()


def test_existing_shares_are_accepted_at_upgrade_postgres():
    import uuid

    import pytest
    from sqlalchemy import create_engine, make_url, text

    from app.db import make_engine
    from conftest import PG_OWNER_URL

    if not PG_OWNER_URL:
        pytest.skip("PostgreSQL not available")
    name = f"samspill_share_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_OWNER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(PG_OWNER_URL).set(database=name).render_as_string(False))
    try:
        _share_at_upgrade(engine)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
