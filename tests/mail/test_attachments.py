"""Attachments on outbox mail: sent over SMTP as parts of their own type, never merged into a
digest, named on the admin's outbox page and in the development mailbox, removed with the
message."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.db import utcnow
from app.mail import service as mail
from app.mail.attachments import CALENDAR_INVITATION, Attachment
from app.mail.models import OutboxAttachment, OutboxMessage
from app.tenancy import set_system_scope
from factories import create_member, create_workspace, in_workspace, login

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def test_a_message_with_an_attachment_arrives_with_it_and_skips_the_digest(db, smtp, deliver):
    ws = create_workspace(db)
    with in_workspace(db, ws):
        for n in range(12):  # past the digest threshold: plain notifications are collected now
            mail.enqueue(db, to="a@kommune.no", subject=f"Varsel {n}", body="x", notification=True)
        message = mail.enqueue(
            db,
            to="a@kommune.no",
            subject="Invitasjon",
            body="Se vedlegget.",
            notification=True,
            attachments=[
                Attachment("mote.ics", CALENDAR_INVITATION, ICS),
                Attachment("notat.txt", "text/plain; charset=utf-8", "Hei på deg".encode()),
            ],
        )
    assert message.kind == "notification" and message.subject == "Invitasjon"
    set_system_scope(db)
    kinds = db.scalars(select(OutboxMessage.kind).where(OutboxMessage.recipient == "a@kommune.no"))
    assert "digest" in set(kinds)  # the plain ones past the threshold were collected
    set_system_scope(db)
    deliver()
    [got] = [m for m in smtp.messages if m["Subject"] == "Invitasjon"]
    assert got.get_body(("plain",)).get_content().strip() == "Se vedlegget."
    parts = list(got.iter_attachments())
    assert [(p.get_filename(), p.get_content_type()) for p in parts] == [
        ("mote.ics", "text/calendar"),
        ("notat.txt", "text/plain"),
    ]
    assert parts[0].get_param("method") == "REQUEST"
    assert parts[0].get_payload(decode=True) == ICS
    assert parts[1].get_payload(decode=True).decode() == "Hei på deg"


def test_the_outbox_page_and_the_mailbox_name_the_attachment(client, db, database, monkeypatch):
    ws = create_workspace(db)
    other = create_workspace(db)
    with in_workspace(db, ws):
        mine = mail.enqueue(
            db,
            to="b@kommune.no",
            subject="Med kalender",
            body="x",
            attachments=[Attachment("mote-7.ics", CALENDAR_INVITATION, ICS)],
        )
    with in_workspace(db, other):
        mail.enqueue(
            db,
            to="c@kommune.no",
            subject="Annet fylke",
            body="x",
            attachments=[Attachment("hemmelig.ics", CALENDAR_INVITATION, ICS)],
        )
    login(client, create_member(db, ws, "county_admin"))
    page = client.get(f"/{ws.slug}/e-post").text
    assert "Med kalender" in page and "Vedlegg: mote-7.ics" in page
    assert "hemmelig.ics" not in page
    # the development mailbox (mail to the mailbox, from this machine)
    from fastapi.testclient import TestClient

    from app.config import get_settings
    from app.db import get_session
    from app.main import create_app

    monkeypatch.setenv("SAMSPILL_MAIL_TRANSPORT", "mailbox")
    get_settings.cache_clear()
    app = create_app(get_settings(), engine=database.engine)

    def test_session():
        yield db

    app.dependency_overrides[get_session] = test_session
    with TestClient(app, follow_redirects=False) as browser:
        box = browser.get("/dev/post")
    assert box.status_code == 200 and "Vedlegg: mote-7.ics" in box.text
    get_settings.cache_clear()
    # purged with its message
    set_system_scope(db)
    db.execute(
        OutboxMessage.__table__.update()
        .where(OutboxMessage.id == mine.id)
        .values(sent_at=utcnow() - timedelta(days=100))
    )
    assert mail.purge_sent(db, utcnow() - timedelta(days=30)) == 1
    left = db.scalar(
        select(func.count())
        .select_from(OutboxAttachment)
        .where(OutboxAttachment.message_id == mine.id)
    )
    assert left == 0
