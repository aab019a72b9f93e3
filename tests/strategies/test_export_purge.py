"""`samspill purge` removes finished summary exports older than SAMSPILL_PURGE_EXPORTS_DAYS, the
job and its file; newer ones, and waiting or working ones whatever their age, stay. On both
databases (on PostgreSQL the system scope may only read the jobs: they are removed in each
one's own workspace scope), and through the command on a database of its own."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.db import make_engine, utcnow
from app.storage import get_storage
from app.strategies.exports import background
from app.strategies.exports.models import ExportJob
from app.tenancy import scoped, set_db_scope
from factories import create_document, create_member, create_round, create_workspace, in_workspace


def _jobs(db: Session, ws: Any) -> dict[str, ExportJob]:
    """Five jobs of one round: old and new done ones with files, an old failed one, and old
    waiting and working ones (never finished)."""
    kari = create_member(db, ws, "coordinator")
    doc = create_document(db, ws, kari, publish=True)
    r = create_round(db, ws, kari, doc)
    now = utcnow()
    storage = get_storage()
    made: dict[str, ExportJob] = {}
    with in_workspace(db, ws):
        for name, status, days in (
            ("old", "done", 8),
            ("new", "done", 6),
            ("failed", "failed", 30),
            ("waiting", "waiting", 30),
            ("working", "working", 30),
        ):
            key = f"exports/{name}-{ws.id}.pdf" if status == "done" else None
            if key:
                storage.put(key, b"%PDF-1.7 " + name.encode())
            finished = now - timedelta(days=days) if status in ("done", "failed") else None
            made[name] = job = ExportJob(
                workspace_id=ws.id,
                round_id=r.id,
                requested_by_id=kari.id,
                status=status,
                storage_key=key,
                created_at=now - timedelta(days=days),
                started_at=None if status == "waiting" else now - timedelta(days=days),
                finished_at=finished,
            )
            db.add(job)
        db.flush()
    return made


def test_old_finished_exports_go_and_new_or_unfinished_ones_stay(db: Session, ws: Any) -> None:
    other = create_workspace(db, county="46", name="Vestland test")
    mine, theirs = _jobs(db, ws), _jobs(db, other)
    removed, keys = background.purge_finished(db, utcnow() - timedelta(days=7))
    assert removed == 4  # old and failed, in both workspaces
    assert sorted(keys) == sorted(
        [f"exports/old-{ws.id}.pdf", f"exports/old-{other.id}.pdf"]
    )  # failed ones had no file
    for workspace, made in ((ws, mine), (other, theirs)):
        set_db_scope(db, workspace_id=workspace.id, user_id=None)
        left = {j.id for j in db.scalars(scoped(ExportJob, workspace.id))}
        assert left == {made[n].id for n in ("new", "waiting", "working")}
    set_db_scope(db, workspace_id=None, user_id=None)


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


def test_samspill_purge_removes_an_old_export_and_its_file(own_database, storage_dir, monkeypatch):
    monkeypatch.setenv("SAMSPILL_PURGE_EXPORTS_DAYS", "7")
    get_settings.cache_clear()
    factory = sessionmaker(own_database)
    with factory() as session:  # the factories commit as they go
        ws = create_workspace(session, county="50", name="Trøndelag test")
        made = _jobs(session, ws)
        ids = {name: job.id for name, job in made.items()}
        ws_id = ws.id
        session.commit()
    old_file = storage_dir / "exports" / f"old-{ws_id}.pdf"
    new_file = storage_dir / "exports" / f"new-{ws_id}.pdf"
    assert old_file.is_file() and new_file.is_file()
    run = CliRunner().invoke(cli, ["purge"])
    assert run.exit_code == 0, run.output
    assert "2 finished exports" in run.output
    assert not old_file.exists() and new_file.read_bytes() == b"%PDF-1.7 new"
    with factory() as session:
        set_db_scope(session, workspace_id=ws_id, user_id=None)
        left = set(session.scalars(scoped(ExportJob, ws_id).with_only_columns(ExportJob.id)))
    assert left == {ids["new"], ids["waiting"], ids["working"]}
