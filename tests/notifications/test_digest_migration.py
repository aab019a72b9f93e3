"""Migration 0026: the old per-membership consultation digest (membership.strategy_digest)
becomes the "digest" notification preference for the consultations' kinds, and the column goes;
on a real SQLite file and (where it answers) a real PostgreSQL database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, inspect, make_url, text
from sqlalchemy.orm import Session

from app.db import make_engine
from app.migrate import downgrade, migrate, upgrade
from app.notifications import kinds
from conftest import PG_OWNER_URL
from factories import add_member, create_user, create_workspace


@pytest.fixture(params=["sqlite", "postgresql"])
def owner_engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'digest.db'}"
        migrate(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()
        return
    if not PG_OWNER_URL:
        pytest.skip("PostgreSQL not available")
    name = f"samspill_dg_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_OWNER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_OWNER_URL).set(database=name).render_as_string(False)
    migrate(url)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _prefs(engine: Engine) -> set[tuple[int, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT user_id, kind, channel FROM notification_preference"))
        return {(r[0], r[1], r[2]) for r in rows}


def test_the_old_digest_becomes_the_per_kind_choice(owner_engine: Engine) -> None:
    with Session(owner_engine) as session, session.begin():
        ws = create_workspace(session, county="50")
        other = create_workspace(session, county="46")
        per, kari, ola = (create_user(session, name=n) for n in ("Per", "Kari", "Ola"))
        add_member(session, ws, per, "county_admin")
        add_member(session, ws, kari, "coordinator")
        add_member(session, other, kari, "coordinator")
        add_member(session, ws, ola, "helper")
        ids = (per.id, kari.id, ola.id)
        ws_id = ws.id
    downgrade(owner_engine, "0025")
    assert "strategy_digest" in {c["name"] for c in inspect(owner_engine).get_columns("membership")}
    per_id, kari_id, ola_id = ids
    with owner_engine.begin() as conn:
        # Per asked for the digest; Kari in one of her two workspaces, having chosen mail at
        # once for comments and the app only for replies in her helpdesk; Ola never did.
        conn.execute(
            text("UPDATE membership SET strategy_digest = :yes WHERE user_id IN (:p, :k)"),
            {"yes": True, "p": per_id, "k": kari_id},
        )
        conn.execute(
            text(
                "UPDATE membership SET strategy_digest = :no"
                " WHERE user_id = :k AND workspace_id = :w"
            ),
            {"no": False, "k": kari_id, "w": ws_id},
        )
        conn.execute(text("DELETE FROM notification_preference"))
        conn.execute(
            text(
                "INSERT INTO notification_preference (user_id, kind, channel) VALUES "
                "(:k, 'comment', 'email'), (:k, 'reply', 'app'), (:o, 'comment', 'email')"
            ),
            {"k": kari_id, "o": ola_id},
        )
    upgrade(owner_engine)

    assert "strategy_digest" not in {
        c["name"] for c in inspect(owner_engine).get_columns("membership")
    }
    assert _prefs(owner_engine) == {
        (per_id, kinds.ANSWER, kinds.DIGEST),
        (per_id, kinds.COMMENT, kinds.DIGEST),
        (kari_id, kinds.ANSWER, kinds.DIGEST),
        (kari_id, kinds.COMMENT, kinds.DIGEST),  # the old digest won: what she had in effect
        (kari_id, kinds.REPLY, kinds.APP),  # another kind: untouched
        (ola_id, kinds.COMMENT, kinds.EMAIL),
    }
    with owner_engine.connect() as conn:
        memberships = conn.execute(text("SELECT count(*) FROM membership")).scalar_one()
    assert memberships == 4  # rebuilding the table kept every membership

    # Down again, the column comes back set for those who chose the digest for comments.
    downgrade(owner_engine, "0025")
    with owner_engine.connect() as conn:
        chosen = conn.execute(
            text("SELECT DISTINCT user_id FROM membership WHERE strategy_digest")
        ).scalars()
        assert set(chosen) == {per_id, kari_id}
    upgrade(owner_engine)
