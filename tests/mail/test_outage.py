"""Mail after an SMTP outage: when the server answers again, the backlog and new mail go in
one worker round, each message exactly once, new mail first; a message the server refused
for itself keeps its delay, and one that fails every attempt stays failed (test_outbox.py)."""

from datetime import timedelta

from sqlalchemy import select

from app.clock import utcnow
from app.mail import service as mail
from app.mail.models import OutboxMessage
from app.tenancy import set_system_scope
from factories import create_workspace, in_workspace

BACKLOG = 60  # more than one batch of deliver_pending


def _pending(db):
    return list(db.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))))


def test_after_an_outage_one_round_sends_the_backlog_and_new_mail_once_new_first(db, smtp, deliver):
    ws = create_workspace(db)
    smtp.stop()
    with in_workspace(db, ws):
        for n in range(BACKLOG):
            mail.enqueue(db, to=f"venter{n}@kommune.no", subject=f"Venter {n}", body="x")
        refused = mail.enqueue(db, to="full@kommune.no", subject="Full postkasse", body="x")
    db.flush()
    set_system_scope(db)
    # Several rounds while the server is down: every message is tried, fails and waits longer.
    for _ in range(4):
        assert deliver() == 0 and deliver() == 0  # a round stops after a batch that sent none
        for row in _pending(db):
            db.refresh(row)
            row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.flush()
    rows = _pending(db)
    assert len(rows) == BACKLOG + 1
    assert all(r.attempts == 4 and "ConnectionRefused" in (r.last_error or "") for r in rows)
    # As the worker leaves them after the outage: the next attempt far ahead (up to an hour).
    later = utcnow() + timedelta(minutes=50)
    for row in rows:
        row.next_attempt_at = later
    # One the server refused for itself, not for being down: it keeps its delay.
    refused.last_error = "SMTPRecipientsRefused: {'full@kommune.no': (452, b'mailbox full')}"
    db.flush()

    smtp.start()
    with in_workspace(db, ws):
        mail.enqueue(db, to="ny@kommune.no", subject="Ny invitasjon", body="x")
    db.flush()
    set_system_scope(db)

    assert deliver() == BACKLOG + 1  # one round: the new mail and the whole backlog
    recipients = [m["To"] for m in smtp.messages]
    assert recipients[0] == "ny@kommune.no"  # new mail did not wait behind the backlog
    assert sorted(recipients) == sorted(
        ["ny@kommune.no", *(f"venter{n}@kommune.no" for n in range(BACKLOG))]
    )
    assert len(recipients) == len(set(recipients))  # each exactly once
    assert deliver() == 0
    assert len(smtp.messages) == BACKLOG + 1
    db.refresh(refused)
    assert refused.sent_at is None and refused.failed_at is None
    assert refused.next_attempt_at == later  # still waiting for its own retry
    assert mail.state_of(refused) == "retrying"


def test_a_claimed_message_is_not_made_due_by_another_success(db, smtp, deliver):
    """A message a worker is sending (claimed, lease running) is not handed to another worker
    when some other message goes through meanwhile."""
    ws = create_workspace(db)
    with in_workspace(db, ws):
        claimed = mail.enqueue(db, to="sendes@kommune.no", subject="Sendes nå", body="x")
        other = mail.enqueue(db, to="annen@kommune.no", subject="Annen", body="x")
    set_system_scope(db)
    # As _deliver_one leaves a message while it talks to the server.
    lease_end = utcnow() + timedelta(minutes=2)
    claimed.attempts, claimed.next_attempt_at, claimed.last_error = 2, lease_end, None
    db.flush()
    assert deliver() == 1
    db.refresh(claimed)
    db.refresh(other)
    assert other.sent_at is not None
    assert claimed.sent_at is None and claimed.next_attempt_at == lease_end
    assert [m["To"] for m in smtp.messages] == ["annen@kommune.no"]
