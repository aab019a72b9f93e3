"""«Send invitasjon»: the people of the invited municipalities get a mail with the agenda and
the .ics link and a notification in the bell; only writers may send it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text

from app.mail.models import OutboxMessage
from app.meetings import agenda
from app.meetings.schemas import AgendaItemForm
from app.tenancy import set_db_scope, set_system_scope
from factories import (
    add_body_member,
    add_member,
    create_body,
    create_meeting,
    create_member,
    create_user,
    in_workspace,
    login,
    post,
    staff_principal,
)


def _outbox(db: Any) -> list[OutboxMessage]:
    db.expire_all()
    set_system_scope(db)
    rows = list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    db.info.pop("tenant_scope_exempt", None)
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT set_config('app.system', '', true)"))
    set_db_scope(db, workspace_id=None, user_id=None)
    return rows


def test_send_invitation_mails_the_invited_people_the_agenda(client, db, ws):
    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5020")  # Osen
    other = create_body(db, ws, "Fosen regionråd")
    add_body_member(db, ws, other, "5054")
    meeting = create_meeting(db, ws, body, "Rådsmøte mai", place="Namsos rådhus")
    with in_workspace(db, ws):
        agenda.add_item(
            db, ws, staff_principal(), meeting.id, AgendaItemForm(title="Felles anskaffelse")
        )
    osen = create_member(db, ws, "municipal", email="ordforer@osen.test")  # bound to 5020
    outsider = create_user(db, email="x@fosen.test")
    add_member(db, ws, outsider, "municipal", municipality="5054")  # Fosen only
    coordinator = create_member(db, ws, "coordinator")
    login(client, coordinator)
    page = client.get(f"/{ws.slug}/moter/{meeting.id}").text
    assert "Send invitasjon" in page
    r = post(client, f"/{ws.slug}/moter/{meeting.id}/inviter", follow_redirects=True)
    assert "Invitasjonen er sendt til 1 person." in r.text
    mails = [x for x in _outbox(db) if x.recipient in {osen.email, outsider.email}]
    assert [x.recipient for x in mails] == [osen.email]
    mail = mails[0]
    assert "Rådsmøte mai" in mail.subject
    assert "1. Felles anskaffelse" in mail.body and "Namsos rådhus" in mail.body
    assert f"/{ws.slug}/moter/{meeting.id}.ics" in mail.body
    # and in the bell
    client.cookies.clear()
    login(client, osen)
    assert "Rådsmøte mai" in client.get("/varsler").text
    # sent once per press: a second press sends again, once
    login(client, coordinator)
    post(client, f"/{ws.slug}/moter/{meeting.id}/inviter")
    assert len([x for x in _outbox(db) if x.recipient == osen.email]) == 2


def test_a_reader_may_not_send_the_invitation(client, db, ws):
    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5020")
    meeting = create_meeting(db, ws, body, "Rådsmøte")
    user = create_member(db, ws, "municipal")
    login(client, user)
    assert "Send invitasjon" not in client.get(f"/{ws.slug}/moter/{meeting.id}").text
    assert post(client, f"/{ws.slug}/moter/{meeting.id}/inviter").status_code == 403
    assert not [x for x in _outbox(db) if x.recipient == user.email]
