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
    assert "lagt ved som kalenderhendelse" in mail.body
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


def test_the_invitation_arrives_with_the_meeting_as_a_calendar_event(client, db, ws, smtp, deliver):
    """Over a real SMTP server on loopback: the mail has a text/calendar part (METHOD:REQUEST)
    that parses, with the meeting's UID and start; it is never merged into a digest, and the
    one who chose the daily digest gets no mail now and the link later."""
    from icalendar import Calendar

    from app.notifications.kinds import DIGEST, MEETING_INVITATION
    from app.notifications.models import NotificationPreference

    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5020")
    meeting = create_meeting(db, ws, body, "Rådsmøte juni", place="Namsos rådhus")
    osen = create_member(db, ws, "municipal", email="ordforer@osen.test")
    digest_reader = create_member(db, ws, "municipal", email="radmann@osen.test")
    db.add(
        NotificationPreference(user_id=digest_reader.id, kind=MEETING_INVITATION, channel=DIGEST)
    )
    db.flush()
    # many notifications just before: a plain one would now go into a digest
    from app.mail import service as mail

    with in_workspace(db, ws):
        for n in range(10):
            mail.enqueue(
                db,
                to=osen.email,
                subject=f"Varsel {n}",
                body="x",
                workspace_id=ws.id,
                notification=True,
            )
    login(client, create_member(db, ws, "coordinator"))
    r = post(client, f"/{ws.slug}/moter/{meeting.id}/inviter", follow_redirects=True)
    assert "Invitasjonen er sendt til 2 personer." in r.text
    rows = [x for x in _outbox(db) if x.recipient == osen.email and "Rådsmøte juni" in x.subject]
    assert len(rows) == 1 and rows[0].kind == "notification"
    set_system_scope(db)
    deliver()
    got = [m for m in smtp.messages if "Rådsmøte juni" in str(m["Subject"])]
    assert [str(m["To"]) for m in got] == [osen.email]
    parts = [p for p in got[0].iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") == "REQUEST"
    assert parts[0].get_filename() == f"mote-{meeting.id}.ics"
    cal = Calendar.from_ical(parts[0].get_payload(decode=True))
    assert str(cal["method"]) == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["uid"]) == f"meeting-{ws.id}-{meeting.id}@samspill"
    assert event.decoded("dtstart") == meeting.starts_at
    assert str(event["summary"]) == "Rådsmøte juni"
    assert str(event["organizer"]).startswith("mailto:")
    assert "Møtet i Samspill" in got[0].get_body(("plain",)).get_content()
