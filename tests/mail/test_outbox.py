from sqlalchemy import select

from app.mail import service as mail
from app.mail.models import OutboxMessage
from factories import create_member, create_workspace, login, post


def test_mail_waits_while_smtp_is_down_and_arrives_once_when_it_is_back(client, db, smtp, deliver):
    ws = create_workspace(db)
    admin = create_member(db, ws, "county_admin")
    login(client, admin)
    smtp.stop()
    for n in range(3):
        r = post(
            client,
            f"/{ws.slug}/brukere/inviter",
            {"email": f"person{n}@kommune.no", "role": "viewer"},
        )
        assert r.status_code == 303  # acknowledged although SMTP is down
    assert deliver() == 0
    pending = list(db.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))))
    assert len(pending) == 3 and all(m.attempts == 1 and m.last_error for m in pending)
    smtp.start()
    for m in pending:  # the retry is due
        m.next_attempt_at = m.created_at
    db.flush()
    assert deliver() == 3
    assert deliver() == 0
    assert sorted(m["To"] for m in smtp.messages) == [
        "person0@kommune.no",
        "person1@kommune.no",
        "person2@kommune.no",
    ]
    assert len({m["Message-ID"] for m in smtp.messages}) == 3


def test_thread_headers_are_kept(db, smtp, deliver):
    mail.enqueue(
        db,
        to="a@b.no",
        subject="Sak 1",
        body="Hei",
        headers={
            "Message-ID": "<sak-1@samspill>",
            "In-Reply-To": "<sak-0@samspill>",
            "References": "<sak-0@samspill>",
        },
    )
    assert deliver() == 1
    msg = smtp.messages[0]
    assert msg["Message-ID"] == "<sak-1@samspill>"
    assert msg["In-Reply-To"] == "<sak-0@samspill>"
    assert "Hei" in msg.get_body().get_content()
