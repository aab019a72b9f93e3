"""Logging: the request id (taken from X-Request-ID or made), the user and workspace on every
line of a request, one access line per request, text in development and JSON in production."""

from __future__ import annotations

import io
import json
import logging

from app import logs
from app.config import Settings
from factories import create_member, login


def _records(caplog, name="samspill.access"):
    return [r for r in caplog.records if r.name == name]


def test_access_line_carries_the_request_id_user_and_workspace(client, db, ws, caplog):
    user = create_member(db, ws, "coordinator")
    login(client, user)
    caplog.set_level(logging.INFO, logger="samspill.access")
    caplog.clear()
    r = client.get(f"/{ws.slug}/hjelp", headers={"X-Request-ID": "abc-123"})
    assert r.status_code == 200
    assert r.headers["x-request-id"] == "abc-123"
    (line,) = _records(caplog)
    assert line.request_id == "abc-123"
    assert line.user_id == user.id and line.workspace_id == ws.id
    assert line.status == 200 and line.route == "/{workspace_slug}/hjelp"
    assert line.duration_ms >= 0


def test_a_request_id_is_made_when_none_or_a_bad_one_comes(client, caplog):
    caplog.set_level(logging.INFO, logger="samspill.access")
    r = client.get("/logg-inn", headers={"X-Request-ID": "bad id\nwith newline" * 20})
    made = r.headers["x-request-id"]
    assert len(made) == 32 and made.isalnum()
    assert client.get("/logg-inn").headers["x-request-id"] != made
    assert _records(caplog)[-1].user_id is None


def test_text_in_development_and_json_in_production():
    record = logging.LogRecord("samspill.mail", logging.INFO, __file__, 1, "sent %s", ("x",), None)
    token = logs._context.set({"request_id": "r1", "user_id": 7})
    try:
        for environment in ("development", "production"):
            stream = io.StringIO()
            handler = logs.setup(Settings(environment=environment, _env_file=None), stream=stream)  # type: ignore[call-arg]
            try:
                handler.handle(record)
            finally:
                logging.getLogger().removeHandler(handler)
            out = stream.getvalue().strip()
            if environment == "production":
                data = json.loads(out)
                assert data["request_id"] == "r1" and data["user_id"] == 7
                assert data["level"] == "INFO" and data["message"] == "sent x"
            else:
                assert " INFO " in out and "samspill.mail" in out and "[request=r1 user=7]" in out
    finally:
        logs._context.reset(token)
