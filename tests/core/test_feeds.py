"""The house's secret calendar feed tokens (app/feeds.py), on a real feed table (the meetings'),
on both databases: create, rotate, revoke, look up, and what a token never opens."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import feeds
from app.accounts import service as accounts_service
from app.counties.models import Workspace
from app.meetings.models import MeetingFeed
from app.tenancy import scoped, set_db_scope
from tests.factories import create_member, create_workspace

PREFIX = "mcal"


def _scope(db: Session, ws: Workspace) -> None:
    """Work on the workspace's rows as a request of it would (row-level security on PostgreSQL)."""
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)


def test_a_token_opens_its_owner_and_only_its_hash_is_kept(db: Session, ws: Workspace) -> None:
    kari = create_member(db, ws, role="coordinator")
    _scope(db, ws)
    token = feeds.create(db, MeetingFeed, PREFIX, ws, kari.id)
    assert token.startswith(f"{PREFIX}_{ws.id}_") and len(token) > 30
    stored = db.scalars(scoped(MeetingFeed, ws.id)).all()
    assert [r.token_hash for r in stored] == [accounts_service.hash_token(token)]
    assert token not in {r.token_hash for r in stored}
    assert feeds.exists(db, MeetingFeed, ws, kari.id)

    found = feeds.owner(db, MeetingFeed, PREFIX, token, "meetings.read")
    assert found is not None
    assert (found.workspace.id, found.user.id, found.membership.user_id) == (
        ws.id,
        kari.id,
        kari.id,
    )


def test_rotating_stops_the_old_token_and_revoking_stops_all(db: Session, ws: Workspace) -> None:
    kari = create_member(db, ws, role="coordinator")
    _scope(db, ws)
    old = feeds.create(db, MeetingFeed, PREFIX, ws, kari.id)
    new = feeds.rotate(db, MeetingFeed, PREFIX, ws, kari.id)
    assert new != old
    assert feeds.owner(db, MeetingFeed, PREFIX, old, "meetings.read") is None
    assert feeds.owner(db, MeetingFeed, PREFIX, new, "meetings.read") is not None
    assert len(db.scalars(scoped(MeetingFeed, ws.id)).all()) == 1

    assert feeds.revoke(db, MeetingFeed, ws, kari.id) == 1
    assert not feeds.exists(db, MeetingFeed, ws, kari.id)
    assert feeds.owner(db, MeetingFeed, PREFIX, new, "meetings.read") is None
    assert feeds.revoke(db, MeetingFeed, ws, kari.id) == 0


def test_what_a_token_never_opens(db: Session, ws: Workspace) -> None:
    kari = create_member(db, ws, role="viewer")
    other = create_workspace(db, county="46")
    _scope(db, ws)
    token = feeds.create(db, MeetingFeed, PREFIX, ws, kari.id)
    _, ws_id, secret = token.split("_", 2)
    for bad in (
        "",
        "mcal",
        f"cal_{ws_id}_{secret}",  # another feed's prefix
        f"{PREFIX}_x{ws_id}_{secret}",
        f"{PREFIX}_{ws_id}_",
        f"{PREFIX}_{other.id}_{secret}",  # the same secret in another workspace
        f"{PREFIX}_999999_{secret}",  # no such workspace
        f"{PREFIX}_{ws_id}_{secret}x",
        token + "x" * 200,  # too long: refused before any query
    ):
        assert feeds.owner(db, MeetingFeed, PREFIX, bad, "meetings.read") is None, bad
    # an action the owner's role does not allow, and an owner no longer active
    assert feeds.owner(db, MeetingFeed, PREFIX, token, "helpdesk.work") is None
    kari.is_active = False
    db.flush()
    assert feeds.owner(db, MeetingFeed, PREFIX, token, "meetings.read") is None
    assert feeds.exists(db, MeetingFeed, ws, kari.id)  # kept, but it opens nothing
