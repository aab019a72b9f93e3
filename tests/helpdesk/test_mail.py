"""Hjelpekorps e-mail survives an SMTP outage: every change is acknowledged while the server
is down, and each mail arrives exactly once when it is back."""

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.config import get_settings
from app.mail.models import OutboxMessage
from factories import create_member, create_workspace, login, post


def test_helpdesk_mail_waits_for_smtp_and_arrives_once(client, db, smtp, deliver, monkeypatch):
    # Every mail on its own here (tests/mail/test_digests.py collects a flood into a digest).
    monkeypatch.setenv("SAMSPILL_NOTIFICATION_DIGEST_AFTER", "100")
    get_settings.cache_clear()
    ws = create_workspace(db, county="50", name="Trøndelag test")
    coordinator = create_member(db, ws, "coordinator", email="koord@fylke.no")
    helper = create_member(db, ws, "helper", email="hjelper@fylke.no")
    osen = create_member(db, ws, "municipal", email="direktor@osen.no")
    smtp.stop()

    login(client, osen)
    r = post(
        client,
        f"/{ws.slug}/hjelp",
        {"category": "funding", "title": "Søknad", "description": "Hjelp oss", "urgency": "high"},
    )
    assert r.status_code == 303  # acknowledged although SMTP is down
    number = int(r.headers["location"].rsplit("/", 1)[1])
    client.cookies.clear()
    login(client, coordinator)
    base = f"/{ws.slug}/hjelp/{number}"
    steps = [
        ("vurdering", {"category": "funding", "priority": "high", "assignees": str(helper.id)}),
        ("svar", {"body": "Vi tar den."}),
        ("status", {"state": "in_progress"}),
        (
            "besok",
            {
                "day": (clock.today() + timedelta(days=3)).isoformat(),
                "start": "10:00",
                "end": "11:00",
                "place": "Osen rådhus",
                "helpers": str(helper.id),
            },
        ),
    ]
    for action, data in steps:
        r = post(client, f"{base}/{action}", data)
        assert r.status_code == 303, (action, r.text[:300])

    assert deliver() == 0
    pending = list(db.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))))
    expected = Counter(m.recipient for m in pending)
    # New request (coordinator + receipt), assignment, reply, state changes, visit.
    assert expected["direktor@osen.no"] >= 4 and expected["hjelper@fylke.no"] >= 2
    assert expected["koord@fylke.no"] >= 1
    assert all(m.attempts == 1 and m.last_error for m in pending)

    smtp.start()
    for m in pending:  # the retry is due
        m.next_attempt_at = m.created_at
    db.flush()
    assert deliver() == len(pending)
    assert deliver() == 0
    arrived = Counter(m["To"] for m in smtp.messages)
    assert arrived == expected
    assert len({m["Message-ID"] for m in smtp.messages}) == len(pending)
    thread = f"<hjelp-{ws.slug}-{number}@samspill>"
    assert all(m["Message-ID"] == thread or m["In-Reply-To"] == thread for m in smtp.messages)
