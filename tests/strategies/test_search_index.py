"""Strategies search uses its full-text indexes under row-level security (PostgreSQL): the
match operator is declared LEAKPROOF by migration 0025, so the planner may put it in a GIN
index scan below the workspace policy instead of testing every row of the workspace."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.strategies import search
from app.tenancy import set_db_scope
from factories import create_comment, create_document, create_invitee, create_member, create_round


@pytest.mark.postgres_only
def test_the_match_may_use_the_gin_indexes_under_the_policy(db: Session, ws: Any) -> None:
    kari = create_member(db, ws, "coordinator")
    doc = create_document(db, ws, kari, sections=(("Mål", "Reindrift i fjellet."),), publish=True)
    r = create_round(db, ws, kari, doc)
    create_comment(db, ws, r, create_invitee(db, ws, r), "Reindrift trenger beiteland.")
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    assert not db.scalar(
        text("SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = current_user")
    )
    # the planner may then put the match in the GIN index scan below the workspace policy
    # (bench/search.py shows the plan and the time at 200,000 comments)
    leakproof = db.scalar(
        text("SELECT proleakproof FROM pg_proc WHERE oid = 'pg_catalog.ts_match_vq'::regproc")
    )
    assert leakproof is True
    hits = search.search(db, ws, "reindrift")
    assert {h.kind for h in hits} == {"comment", "section"}
    set_db_scope(db, workspace_id=None, user_id=None)
