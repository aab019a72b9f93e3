"""What an operator relies on: production settings are checked at start, /metrics shows what
the app is doing (and only to whom it should), periodic jobs are claimed so that they run once,
`samspill purge` and `samspill check` do what they say."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.cli import cli
from app.config import ConfigurationError, Settings, get_settings, production_problems
from app.db import make_engine, utcnow
from app.mail import service as mail
from app.main import create_app
from app.worker import jobs
from app.worker.models import JobRun

GOOD_PRODUCTION = {
    "environment": "production",
    "database_url": "postgresql+psycopg://samspill_app@db/samspill",
    "base_url": "https://samspill.trondelagfylke.no",
    "smtp_host": "smtp.trondelagfylke.no",
    "secret_key": "k" * 12 + "Qz8vN1xT4pLm0sRa7wEc",
}


def _settings(**overrides: object) -> Settings:
    return Settings(_env_file=None, **{**GOOD_PRODUCTION, **overrides})  # type: ignore[arg-type]


# --- production settings ----------------------------------------------------------------------


def test_a_complete_production_configuration_passes():
    assert production_problems(_settings()) == []


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"database_url": "sqlite:///var/samspill.db"}, "SAMSPILL_ALLOW_SQLITE_IN_PRODUCTION"),
        ({"base_url": "http://samspill.trondelagfylke.no"}, "must start with https://"),
        ({"base_url": "https://localhost:8000"}, "points at this machine"),
        ({"base_url": "https://127.0.0.1"}, "points at this machine"),
        ({"smtp_host": None}, "SAMSPILL_SMTP_HOST"),
        ({"mail_transport": "mailbox"}, "development only"),
        ({"secret_key": None}, "SAMSPILL_SECRET_KEY is not set"),
        ({"secret_key": "change-me"}, "too short or an example"),
        ({"storage_backend": "s3"}, "SAMSPILL_S3_BUCKET"),
    ],
)
def test_each_unsafe_production_setting_is_refused_with_what_to_set(overrides, names):
    problems = production_problems(_settings(**overrides))
    assert len(problems) == 1, problems
    assert names in problems[0]
    with pytest.raises(ConfigurationError):
        create_app(_settings(**overrides), engine=make_engine("sqlite://"))


def test_sqlite_in_production_only_when_explicitly_allowed():
    allowed = _settings(database_url="sqlite:///var/x.db", allow_sqlite_in_production=True)
    assert production_problems(allowed) == []


def test_development_and_test_are_not_checked():
    assert production_problems(Settings(_env_file=None)) == []  # type: ignore[call-arg]


def test_serve_refuses_to_start_in_production_and_says_what_to_set(tmp_path):
    env = {
        **os.environ,
        "SAMSPILL_ENVIRONMENT": "production",
        "SAMSPILL_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "SAMSPILL_BASE_URL": "http://localhost:8000",
    }
    for key in ("SAMSPILL_SECRET_KEY", "SAMSPILL_SMTP_HOST", "SAMSPILL_MAIL_TRANSPORT"):
        env.pop(key, None)
    for command in (["serve", "--port", "1"], ["worker"]):
        run = subprocess.run(
            [sys.executable, "-m", "app.cli", *command],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 1
        assert "will not start in production" in run.stderr
        for name in (
            "SAMSPILL_DATABASE_URL",
            "SAMSPILL_BASE_URL",
            "SAMSPILL_SMTP_HOST",
            "SAMSPILL_SECRET_KEY",
        ):
            assert name in run.stderr
        assert "Traceback" not in run.stderr


# --- a database of the test's own, committed (what separate processes would see) ---------------


@pytest.fixture
def own_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    monkeypatch.setenv("SAMSPILL_DATABASE_URL", url)
    monkeypatch.setenv("SAMSPILL_ENVIRONMENT", "test")
    get_settings.cache_clear()
    assert CliRunner().invoke(cli, ["migrate"]).exit_code == 0
    engine = make_engine(url)
    yield engine
    engine.dispose()
    get_settings.cache_clear()


def _scrape(app, **client) -> str:
    with TestClient(app, **client) as c:
        r = c.get("/metrics")
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/plain")
        return r.text


def _value(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_show_a_request_just_made_the_outbox_and_the_jobs(own_database, monkeypatch):
    factory = sessionmaker(own_database)
    with factory() as session, session.begin():
        failed = mail.enqueue(session, to="a@kommune.no", subject="x", body="x")
        failed.failed_at, failed.last_error = utcnow(), "SMTPRecipientsRefused"
        mail.enqueue(session, to="b@kommune.no", subject="y", body="y")

    def nightly(_factory: sessionmaker[Session]) -> dict[str, int]:
        return {"done": 1}

    assert jobs.run_due(factory, [(nightly, 3600.0)]) == [jobs.job_name(nightly)]

    app = create_app(get_settings(), engine=own_database)
    local = {"client": ("127.0.0.1", 40000)}
    series = 'samspill_http_requests_total{method="GET",route="/logg-inn",status="200"}'
    before = _value(_scrape(app, **local), series)
    with TestClient(app) as browser:
        assert browser.get("/logg-inn").status_code == 200
    text = _scrape(app, **local)
    assert _value(text, series) == before + 1
    assert 'samspill_http_request_duration_seconds_count{method="GET",route="/logg-inn"}' in text
    # a method no browser sends is counted as "other": clients cannot make series at will
    with TestClient(app) as browser:
        browser.request("BREW", "/logg-inn")
    text = _scrape(app, **local)
    assert 'method="BREW"' not in text
    assert 'samspill_http_requests_total{method="other",route="/logg-inn"' in text
    assert _value(text, 'samspill_mail_outbox_messages{state="failed"}') == 1.0
    assert _value(text, 'samspill_mail_outbox_messages{state="queued"}') == 1.0
    name = jobs.job_name(nightly)
    assert _value(text, f'samspill_job_runs_total{{job="{name}"}}') == 1.0
    assert _value(text, f'samspill_job_last_success{{job="{name}"}}') == 1.0
    assert _value(text, f'samspill_job_last_run_timestamp_seconds{{job="{name}"}}') > 0
    assert "samspill_db_pool_checked_out" in text
    # A path no route matches is counted under one label, not its own.
    with TestClient(app) as browser:
        browser.get("/no/such/page/x1")
    assert 'route="unmatched"' in _scrape(app, **local)
    assert "/no/such/page" not in _scrape(app, **local)


def test_metrics_are_only_for_allowed_addresses_or_the_token(own_database, monkeypatch):
    app = create_app(get_settings(), engine=own_database)
    with TestClient(app, client=("198.51.100.7", 40000)) as outsider:
        assert outsider.get("/metrics").status_code == 404
        assert outsider.get("/metrics", headers={"Authorization": "Bearer x"}).status_code == 404
    monkeypatch.setenv("SAMSPILL_METRICS_TOKEN", "scrape-token-0123456789")
    monkeypatch.setenv("SAMSPILL_METRICS_ALLOWED_IPS", "10.0.0.0/8")
    get_settings.cache_clear()
    app = create_app(get_settings(), engine=own_database)
    with TestClient(app, client=("198.51.100.7", 40000)) as outsider:
        assert outsider.get("/metrics").status_code == 404
        wrong = outsider.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 404
        right = outsider.get(
            "/metrics", headers={"Authorization": "Bearer scrape-token-0123456789"}
        )
        assert right.status_code == 200 and "samspill_http_requests_total" in right.text
    with TestClient(app, client=("10.1.2.3", 40000)) as prometheus:
        assert prometheus.get("/metrics").status_code == 200
    with TestClient(app, client=("127.0.0.1", 40000)) as local:
        assert local.get("/metrics").status_code == 404  # loopback is no longer in the list


# --- periodic jobs: claimed, recorded -------------------------------------------------------------


def test_a_job_runs_once_per_period_and_its_failure_is_recorded(own_database):
    factory = sessionmaker(own_database)
    calls: list[str] = []

    def hourly(_factory: sessionmaker[Session]) -> None:
        calls.append("ran")

    def broken(_factory: sessionmaker[Session]) -> None:
        raise RuntimeError("the SMTP server said no")

    periodic = [(hourly, 3600.0), (broken, 3600.0)]
    assert jobs.run_due(factory, periodic) == [jobs.job_name(hourly), jobs.job_name(broken)]
    assert jobs.run_due(factory, periodic) == []  # not due again for an hour
    assert calls == ["ran"]
    with factory() as session:
        rows = {r.name: r for r in session.scalars(select(JobRun))}
        ok, bad = rows[jobs.job_name(hourly)], rows[jobs.job_name(broken)]
        assert ok.runs == 1 and ok.last_ok and ok.failures == 0
        assert ok.next_due_at > utcnow() + timedelta(minutes=59)
        assert bad.runs == 1 and bad.failures == 1 and bad.last_ok is False
        assert "the SMTP server said no" in (bad.last_error or "")
        # Due again: it runs again.
        ok.next_due_at = utcnow() - timedelta(seconds=1)
        session.commit()
    assert jobs.run_due(factory, periodic) == [jobs.job_name(hourly)]
    assert calls == ["ran", "ran"]


# --- purge and check ------------------------------------------------------------------------


def test_purge_removes_what_has_ended_and_keeps_what_is_live(own_database):
    from app.accounts.models import LoginAttempt, User, UserSession
    from app.mail.models import OutboxMessage

    factory = sessionmaker(own_database)
    now = utcnow()
    with factory() as session, session.begin():
        user = User(email="p@kommune.no", name="P", password_hash="x")
        session.add(user)
        session.flush()
        session.add_all(
            [
                UserSession(
                    token_hash="a" * 64, user_id=user.id, expires_at=now - timedelta(hours=1)
                ),
                UserSession(
                    token_hash="b" * 64,
                    user_id=user.id,
                    expires_at=now + timedelta(days=1),
                    last_seen_at=now - timedelta(days=2),
                ),
                UserSession(
                    token_hash="c" * 64,
                    user_id=user.id,
                    expires_at=now + timedelta(days=1),
                    last_seen_at=now,
                ),
                LoginAttempt(
                    email="p@kommune.no", succeeded=False, created_at=now - timedelta(days=3)
                ),
                LoginAttempt(email="p@kommune.no", succeeded=False, created_at=now),
            ]
        )
        old = mail.enqueue(session, to="a@b.no", subject="gammel", body="")
        old.sent_at = now - timedelta(days=40)
        recent = mail.enqueue(session, to="a@b.no", subject="ny", body="")
        recent.sent_at = now - timedelta(days=1)
        unsent = mail.enqueue(session, to="a@b.no", subject="venter", body="x")
        unsent.created_at = now - timedelta(days=90)
    run = CliRunner().invoke(cli, ["purge"])
    assert run.exit_code == 0, run.output
    assert "2 sessions, 1 login attempts" in run.output and "1 sent mail" in run.output
    with factory() as session:
        assert [s.token_hash[0] for s in session.scalars(select(UserSession))] == ["c"]
        assert session.scalar(select(LoginAttempt.created_at)) is not None
        subjects = sorted(session.scalars(select(OutboxMessage.subject)))
        assert subjects == ["ny", "venter"]  # unsent mail is never purged


def test_check_says_what_works_and_fails_on_what_does_not(
    own_database, smtp, tmp_path, monkeypatch
):
    monkeypatch.setenv("SAMSPILL_STORAGE_DIR", str(tmp_path / "files"))
    (tmp_path / "files").mkdir()
    get_settings.cache_clear()
    run = CliRunner().invoke(cli, ["check"])
    assert run.exit_code == 0, run.output
    lines = run.output.splitlines()
    assert lines[0].startswith("settings  ok")
    assert lines[1].startswith("database  ok") and "sqlite, schema" in lines[1]
    assert lines[2].startswith("smtp      ok") and str(smtp.port) in lines[2]
    assert lines[3].startswith("storage   ok")
    smtp.stop()
    run = CliRunner().invoke(cli, ["check"])
    assert run.exit_code == 1
    assert "smtp      FAILED" in run.output and "database  ok" in run.output


def test_send_test_mail_reaches_the_smtp_server_or_says_why_not(smtp, monkeypatch):
    run = CliRunner().invoke(cli, ["send-test-mail", "drift@trondelagfylke.no"])
    assert run.exit_code == 0, run.output
    assert [m["To"] for m in smtp.messages] == ["drift@trondelagfylke.no"]
    assert "testmelding" in smtp.messages[0]["Subject"]
    bad = CliRunner().invoke(cli, ["send-test-mail", "ikke-en-adresse"])
    assert bad.exit_code == 1 and "Not an e-mail address" in bad.output
    smtp.stop()
    down = CliRunner().invoke(cli, ["send-test-mail", "drift@trondelagfylke.no"])
    assert down.exit_code == 1 and "failed" in down.output and "Connection" in down.output
