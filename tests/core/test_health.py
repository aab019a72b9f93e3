"""/healthz (liveness) and /readyz (readiness: database, a rendered template, the storage
folder), on both databases, without a login."""

from pathlib import Path

import jinja2
import pytest
from fastapi.testclient import TestClient

from app.config import get_settings
from app.web import templates


def test_healthz_answers_while_the_process_is_up(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.text == "ok"
    assert r.headers["cache-control"] == "no-store"


def test_ready_when_database_templates_and_storage_work(client, storage_dir):
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {
        "status": "ready",
        "checks": {"database": "ok", "templates": "ok", "storage": "ok"},
    }
    assert r.headers["cache-control"] == "no-store"
    # the app made the storage folder at start; the check left nothing in it
    assert storage_dir.is_dir() and list(storage_dir.iterdir()) == []


def _use_storage(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setenv("SAMSPILL_STORAGE_DIR", str(path))
    get_settings.cache_clear()


def test_not_ready_when_the_storage_folder_is_a_file(client, tmp_path, monkeypatch):
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    _use_storage(monkeypatch, a_file)
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json() == {
        "status": "unavailable",
        "failed": ["storage"],
        "checks": {"database": "ok", "templates": "ok", "storage": "failed"},
    }
    assert r.headers["cache-control"] == "no-store"
    assert client.get("/healthz").status_code == 200


def test_not_ready_when_the_storage_folder_is_missing(client, tmp_path, monkeypatch):
    _use_storage(monkeypatch, tmp_path / "gone" / "storage")
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json()["failed"] == ["storage"]
    assert not (tmp_path / "gone").exists()  # a GET changes nothing


def test_not_ready_when_the_templates_are_not_installed(client, tmp_path, monkeypatch):
    monkeypatch.setattr(templates.env, "loader", jinja2.FileSystemLoader(str(tmp_path)))
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json()["failed"] == ["templates"]


def test_not_ready_when_the_database_does_not_answer(database):
    from app.db import make_engine
    from app.main import create_app

    broken = create_app(
        database.settings, engine=make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    )
    with TestClient(broken) as c:
        assert c.get("/healthz").status_code == 200
        r = c.get("/readyz")
        assert r.status_code == 503
        assert r.json() == {
            "status": "unavailable",
            "failed": ["database"],
            "checks": {"database": "failed", "templates": "ok", "storage": "ok"},
        }
        assert "nobody" not in r.text  # the reason is logged, not sent
