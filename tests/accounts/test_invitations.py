import re
from datetime import timedelta

from sqlalchemy import func, select

from app.accounts.models import Invitation, Membership, User
from app.db import utcnow
from app.mail.models import OutboxMessage
from app.tenancy import scoped, set_db_scope
from factories import create_member, create_workspace, login, post


def _invite(client, ws, **data):
    payload = {"email": "ny.person@kommune.no", "role": "coordinator"}
    payload.update(data)
    return post(client, f"/{ws.slug}/brukere/inviter", payload)


def _link(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"http://\S+/invitasjon/\S+", body)
    assert match, body
    return match.group(0).replace("http://127.0.0.1:8000", "")


def test_admin_invites_mail_arrives_and_link_creates_account(client, db, smtp, deliver):
    ws = create_workspace(db, name="Trøndelag test")
    admin = create_member(db, ws, "county_admin")
    login(client, admin)
    r = _invite(client, ws, role="municipal", municipality_number="5020")
    assert r.status_code == 303
    assert deliver() == 1
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "ny.person@kommune.no"
    assert "Trøndelag test" in message["Subject"]
    link = _link(message)

    client.cookies.clear()
    page = client.get(link)
    assert page.status_code == 200
    assert "ny.person@kommune.no" in page.text
    r = post(client, link, {"name": "Ny Person", "password": "et-godt-passord"})
    assert r.status_code == 303 and r.headers["location"] == f"/{ws.slug}"
    user = db.scalar(select(User).where(User.email == "ny.person@kommune.no"))
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    membership = db.scalar(scoped(Membership, ws.id).where(Membership.user_id == user.id))
    assert membership.role == "municipal" and membership.municipality_number == "5020"
    # Signed in straight away.
    assert client.get(f"/{ws.slug}").status_code == 200

    # The link works once.
    client.cookies.clear()
    again = client.get(link)
    assert again.status_code == 410
    assert "allerede brukt" in again.text


def test_expired_invitation_is_refused_and_changes_nothing(client, db, smtp, deliver):
    ws = create_workspace(db)
    admin = create_member(db, ws, "county_admin")
    login(client, admin)
    _invite(client, ws)
    deliver()
    link = _link(smtp.messages[0])
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    invitation = db.scalar(scoped(Invitation, ws.id))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.flush()
    client.cookies.clear()
    r = post(client, link, {"name": "Sen Person", "password": "et-godt-passord"})
    assert r.status_code == 410
    assert "utløpt" in r.text
    assert db.scalar(select(User).where(User.email == "ny.person@kommune.no")) is None


def test_municipal_invitation_needs_a_municipality(client, db):
    ws = create_workspace(db)
    admin = create_member(db, ws, "county_admin")
    login(client, admin)
    r = _invite(client, ws, role="municipal")
    assert r.status_code == 422
    assert "En kommunebruker må knyttes til én kommune." in r.text
    # HTMX gets only the form back.
    r = post(
        client,
        f"/{ws.slug}/brukere/inviter",
        {"email": "p@ks.no", "role": "partner"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 422
    assert "<html" not in r.text and "En partner må knyttes til en organisasjon." in r.text
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    assert db.scalar(scoped(Invitation, ws.id).with_only_columns(func.count())) == 0
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_bad_email_is_named(client, db):
    ws = create_workspace(db)
    admin = create_member(db, ws, "county_admin")
    login(client, admin)
    r = _invite(client, ws, email="ikke-en-adresse")
    assert r.status_code == 422
    assert "Skriv en gyldig e-postadresse." in r.text


def test_coordinator_may_see_users_but_not_invite(client, db):
    ws = create_workspace(db)
    coordinator = create_member(db, ws, "coordinator")
    login(client, coordinator)
    assert client.get(f"/{ws.slug}/brukere").status_code == 200
    r = _invite(client, ws)
    assert r.status_code == 403
    assert "ikke tilgang" in r.text


def test_existing_user_accepts_after_logging_in(client, db, smtp, deliver):
    ws = create_workspace(db)
    other = create_workspace(db, county="46")
    admin = create_member(db, ws, "county_admin")
    person = create_member(db, other, "coordinator", email="finnes@example.no")
    login(client, admin)
    _invite(client, ws, email="finnes@example.no", role="viewer")
    deliver()
    link = _link(smtp.messages[0])
    client.cookies.clear()
    r = post(client, link, {})
    assert r.status_code == 303 and r.headers["location"].startswith("/logg-inn?neste=")
    login(client, person)
    r = post(client, link, {})
    assert r.status_code == 303 and r.headers["location"] == f"/{ws.slug}"
    assert client.get(f"/{ws.slug}").status_code == 200


def test_revoked_invitation_cannot_be_used(client, db, smtp, deliver):
    ws = create_workspace(db)
    admin = create_member(db, ws, "county_admin")
    login(client, admin)
    _invite(client, ws)
    deliver()
    link = _link(smtp.messages[0])
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    invitation = db.scalar(scoped(Invitation, ws.id))
    r = post(client, f"/{ws.slug}/invitasjoner/{invitation.id}/trekk-tilbake")
    assert r.status_code == 303
    client.cookies.clear()
    assert client.get(link).status_code == 410


def test_admin_changes_a_members_role(client, db):
    ws = create_workspace(db)
    admin = create_member(db, ws, "county_admin")
    person = create_member(db, ws, "viewer", name="Per Person")
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    membership = db.scalar(scoped(Membership, ws.id).where(Membership.user_id == person.id))
    login(client, admin)
    url = f"/{ws.slug}/brukere/{membership.id}/rolle"
    r = post(client, url, {"role": "municipal"})
    assert r.status_code == 422 and "En kommunebruker må knyttes til én kommune." in r.text
    r = post(client, url, {"role": "municipal", "municipality_number": "4601"})  # Bergen
    assert r.status_code == 422 and "Kommunen ligger ikke i dette fylket." in r.text
    r = post(client, url, {"role": "municipal", "municipality_number": "5020"})
    assert r.status_code == 303
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    changed = db.scalar(scoped(Membership, ws.id).where(Membership.id == membership.id))
    assert (changed.role, changed.municipality_number) == ("municipal", "5020")
    page = client.get(f"/{ws.slug}/brukere").text
    assert "Per Person" in page and "Osen" in page
    # Nobody changes their own role (the last admin cannot lock the workspace).
    own = db.scalar(scoped(Membership, ws.id).where(Membership.user_id == admin.id))
    r = post(client, f"/{ws.slug}/brukere/{own.id}/rolle", {"role": "viewer"})
    assert r.status_code == 422


def test_only_admins_change_roles(client, db):
    ws = create_workspace(db)
    coordinator = create_member(db, ws, "coordinator")
    person = create_member(db, ws, "viewer")
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    membership = db.scalar(scoped(Membership, ws.id).where(Membership.user_id == person.id))
    login(client, coordinator)
    r = post(client, f"/{ws.slug}/brukere/{membership.id}/rolle", {"role": "county_admin"})
    assert r.status_code == 403


def test_new_account_form_keeps_the_name_and_names_the_short_password(client, db, smtp, deliver):
    ws = create_workspace(db)
    login(client, create_member(db, ws, "county_admin"))
    r = post(
        client,
        f"/{ws.slug}/brukere/inviter",
        {"email": "kort@kommune.no", "role": "viewer"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 204 and r.headers["HX-Redirect"] == f"/{ws.slug}/brukere"
    deliver()
    link = _link(smtp.messages[0])
    client.cookies.clear()
    for headers in ({}, {"HX-Request": "true"}):
        r = post(client, link, {"name": "Kari Kort", "password": "kort"}, headers=headers)
        assert r.status_code == 422
        assert 'value="Kari Kort"' in r.text
        assert "kort@kommune.no" in r.text
    assert db.scalar(select(User).where(User.email == "kort@kommune.no")) is None
    r = post(client, link, {"name": "Kari Kort", "password": "et-godt-passord"})
    assert r.status_code == 303 and r.headers["location"] == f"/{ws.slug}"
    assert client.get(f"/{ws.slug}").status_code == 200
