from app.audit.models import AuditEvent
from app.tenancy import scoped, set_db_scope
from factories import create_member, create_workspace, login, post


def _events(db, ws):
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    return list(db.scalars(scoped(AuditEvent, ws.id).order_by(AuditEvent.id)))


def test_a_write_records_who_when_what_and_how(client, db):
    ws = create_workspace(db)
    admin = create_member(db, ws, "county_admin", name="Anne Admin")
    login(client, admin)
    before = len(_events(db, ws))
    post(
        client,
        f"/{ws.slug}/innstillinger",
        {
            "threshold_0": "1000",
            "threshold_1": "3000",
            "threshold_2": "10000",
            "threshold_3": "20000",
        },
    )
    events = _events(db, ws)[before:]
    change = next(e for e in events if e.object_type == "workspace")
    assert change.action == "update" and change.actor_id == admin.id
    assert change.object_id == str(ws.id)
    assert change.changes["settings"][0]["size_thresholds"][0] == 1500
    assert change.changes["settings"][1]["size_thresholds"][0] == 1000
    assert change.created_at is not None


def test_secrets_are_never_written_to_the_log(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws)
    login(client, user)
    r = post(client, f"/{ws.slug}/api-nokler", {"name": "hemmelig"})
    token = r.text.split('id="new-token">', 1)[1].split("<", 1)[0]
    created = next(e for e in _events(db, ws) if e.object_type == "api_token")
    assert created.object_id.isdigit()
    assert created.changes["token_hash"] == "***"
    assert token not in str(created.changes)


def test_admin_reads_and_filters_the_log(client, db):
    ws = create_workspace(db)
    admin = create_member(db, ws, "county_admin", name="Anne Admin")
    other = create_member(db, ws, "coordinator", name="Ola Koordinator")
    login(client, other)
    post(client, f"/{ws.slug}/api-nokler", {"name": "olas nøkkel"})
    client.cookies.clear()
    login(client, admin)
    page = client.get(f"/{ws.slug}/logg")
    assert page.status_code == 200
    assert "Ola Koordinator" in page.text and "opprettet api-nøkkel #" in page.text
    assert "#?" not in page.text
    only_admin = client.get(f"/{ws.slug}/logg?bruker={admin.id}").text
    assert "olas nøkkel" not in only_admin
    only_tokens = client.get(f"/{ws.slug}/logg?objekt=api_token").text
    assert "olas nøkkel" in only_tokens and "medlemskap" not in only_tokens.split('id="events"')[1]
    future = client.get(f"/{ws.slug}/logg?fra=2999-01-01").text
    assert "Ingen endringer passer med filteret." in future
    fragment = client.get(f"/{ws.slug}/logg?objekt=api_token", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="events">')


def test_only_admins_read_the_log(client, db):
    ws = create_workspace(db)
    login(client, create_member(db, ws, "coordinator"))
    r = client.get(f"/{ws.slug}/logg")
    assert r.status_code == 403


def test_log_page_query_count_is_bounded(client, db, count_queries):
    ws = create_workspace(db)
    admin = create_member(db, ws, "county_admin")
    login(client, admin)
    for i in range(3):
        post(client, f"/{ws.slug}/api-nokler", {"name": f"n{i}"})
    client.get(f"/{ws.slug}/logg")
    with count_queries() as q:
        client.get(f"/{ws.slug}/logg")
    few = q.count
    for i in range(60):
        post(client, f"/{ws.slug}/api-nokler", {"name": f"m{i}"})
    with count_queries() as q:
        page = client.get(f"/{ws.slug}/logg")
    assert "Eldre endringer" in page.text
    assert q.count == few


def test_the_demo_change_log_of_a_county_lists_only_people_created_there(db):
    """Telemark's log listed "created user koordinator@trondelag.demo": people created for
    one county belong to that county's log."""
    from sqlalchemy import select

    from app import demo
    from app.accounts.models import User
    from app.audit.models import AuditEvent
    from app.counties.models import Workspace
    from app.tenancy import scoped, set_db_scope

    demo.load_demo(db)
    db.flush()
    users = {u.id: u.email for u in db.scalars(select(User))}

    def people_created_in(slug: str) -> set[str]:
        ws = db.scalar(select(Workspace).where(Workspace.slug == slug))
        set_db_scope(db, workspace_id=ws.id, user_id=None)
        events = db.scalars(
            scoped(AuditEvent, ws.id).where(
                AuditEvent.object_type == "user_account", AuditEvent.action == "create"
            )
        )
        return {users[int(e.object_id)] for e in events}

    assert "koordinator@trondelag.demo" in people_created_in("trondelag")
    assert people_created_in("telemark") == set()  # the admin was created in Trøndelag
    assert people_created_in("vestland") == {"koordinator@vestland.demo"}
