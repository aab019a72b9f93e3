"""Two `samspill worker` processes on one PostgreSQL database: every message is sent once and
every periodic job runs once, because each is claimed with a row lock (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.mail import service as mail
from app.modules import periodic_jobs
from app.worker import jobs
from app.worker.models import JobRun
from conftest import PG_OWNER_URL, REQUIRE_PG, _free_port, _postgres_database

MESSAGES = 60


class SlowMailbox:
    """An SMTP server that takes a tenth of a second per message, so both workers are busy at
    once."""

    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        await asyncio.sleep(0.1)
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def postgres_database():
    if not PG_OWNER_URL:
        if REQUIRE_PG:
            pytest.fail("PostgreSQL is required here but did not answer")
        pytest.skip("PostgreSQL not available")
    database, name, admin = _postgres_database()
    yield database
    database.engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_two_workers_send_each_message_once_and_run_each_job_once(
    postgres_database, tmp_path: Path
):
    from aiosmtpd.controller import Controller

    engine = postgres_database.engine
    with Session(engine) as session, session.begin():
        for n in range(MESSAGES):
            mail.enqueue(session, to=f"person{n}@kommune.no", subject=f"Melding {n}", body="Hei")

    mailbox = SlowMailbox()
    port = _free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    env = {
        **os.environ,
        "SAMSPILL_DATABASE_URL": postgres_database.settings.database_url,  # the app's role
        "SAMSPILL_ENVIRONMENT": "test",
        "SAMSPILL_MAIL_TRANSPORT": "smtp",
        "SAMSPILL_SMTP_HOST": "127.0.0.1",
        "SAMSPILL_SMTP_PORT": str(port),
        "SAMSPILL_STORAGE_DIR": str(tmp_path / "files"),
    }
    logs = [tmp_path / "worker1.log", tmp_path / "worker2.log"]
    workers = []
    try:
        for log in logs:
            with open(log, "w") as out:
                workers.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "app.cli", "worker"],
                        env=env,
                        cwd=tmp_path,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        deadline = time.monotonic() + 90
        while len(mailbox.recipients) < MESSAGES and time.monotonic() < deadline:
            assert all(w.poll() is None for w in workers), [p.read_text() for p in logs]
            time.sleep(0.2)
        time.sleep(3)  # a message sent twice would arrive in this time
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)
        smtp.stop()

    output = [p.read_text() for p in logs]
    sent_counts = Counter(mailbox.recipients)
    assert len(sent_counts) == MESSAGES, output
    assert max(sent_counts.values()) == 1, [r for r, n in sent_counts.items() if n > 1]
    with Session(engine) as session:
        session.info["tenant_scope_exempt"] = True
        assert mail.counts(session)["sent"] == MESSAGES
        runs = {r.name: r.runs for r in session.scalars(select(JobRun))}
    # Both processes did part of the sending (the claim let them work side by side).
    sent_by = [sum(int(n) for n in re.findall(r"mail: (\d+) sent", text)) for text in output]
    assert sum(sent_by) == MESSAGES and all(n > 0 for n in sent_by), sent_by
    # Every periodic job (the house's and each module's) ran exactly once, although both
    # workers started at once.
    # (A job due every few seconds, such as making waiting PDFs, runs again and again within
    # the test; it must have run, and is claimed the same way.)
    expected = {jobs.job_name(job) for job, _every in periodic_jobs()}
    once = {jobs.job_name(job) for job, every in periodic_jobs() if every >= 300}
    assert set(runs) == expected and once
    assert all(runs[name] == 1 for name in once), runs
    assert all(runs[name] >= 1 for name in expected - once), runs
    done = Counter(name for text in output for name in re.findall(r"job (\S+) done in", text))
    assert {name: done[name] for name in once} == dict.fromkeys(once, 1), done
