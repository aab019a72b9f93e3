from sqlalchemy import select

from app.mail import service as mail
from app.mail.models import OutboxMessage
from factories import create_member, create_workspace, in_workspace, login, post


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


# --- failed mail is kept, shown and retried ---------------------------------------------------


def _fail_every_attempt(db, deliver, message):
    """Run delivery rounds, each with the retry made due at once, until the message gives up.
    The test looks at the outbox as the worker does (system scope: every workspace's mail)."""
    from app.tenancy import set_system_scope

    set_system_scope(db)
    for _ in range(mail.MAX_ATTEMPTS):
        db.refresh(message)
        if message.failed_at is not None:
            break
        message.next_attempt_at = message.created_at
        db.flush()
        assert deliver() == 0
    db.refresh(message)


def test_mail_that_fails_every_retry_is_kept_shown_and_sent_when_retried(client, db, smtp, deliver):
    ws = create_workspace(db)
    other = create_workspace(db)
    admin = create_member(db, ws, "county_admin")
    coordinator = create_member(db, ws, "coordinator")
    with in_workspace(db, ws):
        message = mail.enqueue(db, to="borte@kommune.no", subject="Invitasjon", body="x")
    with in_workspace(db, other):
        theirs = mail.enqueue(db, to="x@y.no", subject="Deres", body="x")
    smtp.stop()
    _fail_every_attempt(db, deliver, message)
    assert message.failed_at is not None and message.sent_at is None
    assert message.attempts == mail.MAX_ATTEMPTS and "ConnectionRefused" in message.last_error
    assert deliver() == 0  # kept, and no longer tried on its own
    assert mail.counts(db, ws.id)["failed"] == 1

    login(client, admin)
    page = client.get(f"/{ws.slug}/e-post?status=failed")
    assert page.status_code == 200
    assert "borte@kommune.no" in page.text and "ConnectionRefused" in page.text
    assert "Deres" not in page.text  # another workspace's mail is not shown
    # Another workspace's message cannot be retried from here.
    assert post(client, f"/{ws.slug}/e-post/{theirs.id}/prov-igjen").status_code == 404

    smtp.start()
    r = post(client, f"/{ws.slug}/e-post/{message.id}/prov-igjen")
    assert r.status_code == 303
    row = db.get(OutboxMessage, message.id)
    assert row.failed_at is None and row.attempts == 0
    assert deliver() >= 1
    # The server answers again: the other workspace's mail, waiting since the outage, goes too.
    assert sorted(m["To"] for m in smtp.messages) == ["borte@kommune.no", "x@y.no"]
    assert db.get(OutboxMessage, message.id).sent_at is not None
    sent_page = client.get(f"/{ws.slug}/e-post?status=sent")
    assert "borte@kommune.no" in sent_page.text

    # Only the county admin sees the outbox.
    client.cookies.clear()
    login(client, coordinator)
    assert client.get(f"/{ws.slug}/e-post").status_code == 403


def test_mail_cli_reports_and_retries_failed_mail(tmp_path, monkeypatch):
    """`samspill mail status` and `mail retry` on a database of their own (the CLI opens its own
    connection, so it cannot see the test's rolled-back transaction)."""
    from sqlalchemy.orm import Session
    from typer.testing import CliRunner

    from app.cli import cli
    from app.config import get_settings
    from app.db import make_engine, utcnow

    url = f"sqlite:///{tmp_path / 'mail.db'}"
    monkeypatch.setenv("SAMSPILL_DATABASE_URL", url)
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        failed = mail.enqueue(session, to="borte@kommune.no", subject="Varsel", body="x")
        failed.attempts, failed.failed_at = mail.MAX_ATTEMPTS, utcnow()
        failed.last_error = "ConnectionRefusedError: [Errno 111] Connection refused"
        mail.enqueue(session, to="venter@kommune.no", subject="Ny", body="x")
        failed_id = failed.id
    status = runner.invoke(cli, ["mail", "status"])
    assert status.exit_code == 0, status.output
    assert "queued: 1, retrying: 0, failed: 1, sent: 0" in status.output
    assert f"#{failed_id} failed to borte@kommune.no (20 attempts)" in status.output
    assert "Connection refused" in status.output
    retried = runner.invoke(cli, ["mail", "retry", "--id", str(failed_id)])
    assert retried.exit_code == 0 and "1 message(s)" in retried.output
    assert "failed: 0" in runner.invoke(cli, ["mail", "status"]).output
    with Session(engine) as session:
        row = session.get(OutboxMessage, failed_id)
        assert row is not None and row.failed_at is None and row.attempts == 0
    unknown = runner.invoke(cli, ["mail", "retry", "--id", "999"])
    assert "1 of the given messages are sent already or unknown" in unknown.output
    engine.dispose()
    get_settings.cache_clear()


# --- the development mailbox ------------------------------------------------------------------


def test_in_development_mail_lands_in_the_mailbox_page_not_smtp(database, db, monkeypatch, deliver):
    from fastapi.testclient import TestClient

    from app.config import get_settings
    from app.main import create_app

    monkeypatch.setenv("SAMSPILL_MAIL_TRANSPORT", "mailbox")
    get_settings.cache_clear()
    mail.enqueue(
        db,
        to="ny@kommune.no",
        subject="Invitasjon til Samspill",
        body="Trykk her: http://127.0.0.1:8000/invitasjon/abc",
    )
    assert deliver() == 1  # "sent" without any SMTP server
    db.commit()
    app = create_app(get_settings(), engine=database.engine)
    from app.db import get_session

    def test_session():
        yield db

    app.dependency_overrides[get_session] = test_session
    with TestClient(app, follow_redirects=False) as browser:
        page = browser.get("/dev/post")
    assert page.status_code == 200
    assert "Invitasjon til Samspill" in page.text and "/invitasjon/abc" in page.text
    # Not from this machine: not found.
    with TestClient(app, client=("198.51.100.7", 5000)) as outsider:
        assert outsider.get("/dev/post").status_code == 404
    # With SMTP as the transport, the page does not exist at all.
    monkeypatch.setenv("SAMSPILL_MAIL_TRANSPORT", "smtp")
    get_settings.cache_clear()
    smtp_app = create_app(get_settings(), engine=database.engine)
    with TestClient(smtp_app) as browser:
        assert browser.get("/dev/post").status_code == 404
    get_settings.cache_clear()


def test_a_title_with_a_line_break_still_gives_a_mail_with_a_one_line_subject(db, smtp, deliver):
    """A header cannot carry a line break: before, such a message failed on every attempt."""
    message = mail.enqueue(
        db, to="a@kommune.no", subject="Invitasjon til høring:\r\nRegional plan\n  2027", body="x"
    )
    assert message.subject == "Invitasjon til høring: Regional plan 2027"
    assert deliver() == 1
    assert smtp.messages[0]["Subject"] == "Invitasjon til høring: Regional plan 2027"
    long = mail.enqueue(db, to="a@kommune.no", subject="x" * 400, body="x")
    assert len(long.subject) == 300 and long.subject.endswith("…")
