"""Share requests: a body tree with members from another county is shared with that county's
workspace, which answers for it (accept or decline, one answer per tree); the owner sees each
county's answer. Flushes, never commits."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, bindparam, select
from sqlalchemy.orm import Session

from app.audit.service import record_event
from app.counties.models import County, Workspace
from app.db import utcnow
from app.errors import Conflict, found
from app.i18n import lazy
from app.networks.models import Body, BodyShare, share_state
from app.tenancy import scoped, scoped_by_county, workspace_param


@dataclass(frozen=True)
class ShareRequest:
    """A share addressed to this workspace's county, with what its coordinator needs to answer:
    the body's name, the workspace that asks, and how many inner bodies come along."""

    share: BodyShare
    body_name: str
    owner: str
    inner: int


@dataclass(frozen=True)
class ShareStatus:
    """How a county answered the share of one of this workspace's bodies."""

    county: str
    state: str


def _county_shares(ws: Workspace) -> Any:
    return scoped_by_county(BodyShare, ws.county_number).where(BodyShare.workspace_id != ws.id)


def share_requests(
    session: Session, ws: Workspace, *, state: str = "pending"
) -> list[ShareRequest]:
    """The shares addressed to this workspace's county in ``state`` (``pending`` by default),
    one per tree: an answer covers the body and the inner bodies shared along with it."""
    condition = {
        "pending": and_(BodyShare.accepted_at.is_(None), BodyShare.declined_at.is_(None)),
        "accepted": BodyShare.accepted_at.is_not(None),
        "declined": and_(BodyShare.accepted_at.is_(None), BodyShare.declined_at.is_not(None)),
    }[state]
    rows = session.execute(
        _county_shares(ws)
        .where(condition)
        .join(Body, Body.id == BodyShare.body_id)
        .join(Workspace, Workspace.id == BodyShare.workspace_id)
        .with_only_columns(BodyShare, Body.name, Body.parent_id, Workspace.name)
        .order_by(Workspace.name, Body.name, BodyShare.id)
    ).all()
    in_state = {share.body_id for share, *_rest in rows}
    parents = {share.body_id: parent for share, _name, parent, _owner in rows}

    def root(body_id: int) -> int:
        while parents.get(body_id) in in_state:
            body_id = parents[body_id]  # type: ignore[assignment]
        return body_id

    inner: dict[int, int] = {}
    for share, *_rest in rows:
        top = root(share.body_id)
        if top != share.body_id:
            inner[top] = inner.get(top, 0) + 1
    return [
        ShareRequest(share=share, body_name=name, owner=owner, inner=inner.get(share.body_id, 0))
        for share, name, parent, owner in rows
        if parent not in in_state
    ]


def answer_share(
    session: Session, ws: Workspace, share_id: int, *, accept: bool, user_id: int | None
) -> ShareRequest:
    """Accept (or decline) a share addressed to this workspace's county, with the shares of the
    inner bodies that came along with it. A share addressed elsewhere: 404. Answering again
    with the same answer is refused; a declined share may still be accepted, an accepted one
    declined (hidden again). Recorded in this workspace's audit log."""
    share = found(session.scalar(_county_shares(ws).where(BodyShare.id == share_id)))
    if (share.state == "accepted") == accept and share.state != "pending":
        raise Conflict(
            lazy("Delingen er allerede godtatt.")
            if accept
            else lazy("Delingen er allerede avslått.")
        )
    same_state = [
        s
        for s in session.scalars(
            _county_shares(ws).where(BodyShare.workspace_id == share.workspace_id)
        )
        if s.state == share.state
    ]
    parents = dict(
        session.execute(
            _county_shares(ws)
            .join(Body, Body.id == BodyShare.body_id)
            .where(BodyShare.id.in_([s.id for s in same_state]))
            .with_only_columns(Body.id, Body.parent_id)
        ).all()
    )
    by_body = {s.body_id: s for s in same_state}
    covered = [share]
    frontier = [share.body_id]
    while frontier:
        children = [b for b, p in parents.items() if p in frontier and b in by_body]
        children = [b for b in children if by_body[b] not in covered]
        covered += [by_body[b] for b in children]
        frontier = children
    now = utcnow()
    for s in covered:
        s.accepted_at = now if accept else None
        s.declined_at = None if accept else now
        s.answered_by_id = user_id
    session.flush()
    name = session.scalar(
        _county_shares(ws)
        .join(Body, Body.id == BodyShare.body_id)
        .where(BodyShare.id == share.id)
        .with_only_columns(Body.name)
    )
    record_event(
        session,
        ws.id,
        user_id,
        share,
        {
            "state": "accepted" if accept else "declined",
            "body": name or "",
            "bodies": len(covered),
        },
    )
    owner = session.scalar(select(Workspace.name).where(Workspace.id == share.workspace_id))
    return ShareRequest(
        share=share, body_name=name or "", owner=owner or "", inner=len(covered) - 1
    )


def share_statuses(session: Session, ws: Workspace, body: Body) -> list[ShareStatus]:
    """The counties a body of this workspace is shared with, and their answers (a body's page
    shows them on every view: the statement is made once per process)."""
    rows = session.execute(_statuses_query(), {"ws": ws.id, "body": body.id}).all()
    return [ShareStatus(name, share_state(accepted, declined)) for name, accepted, declined in rows]


@functools.cache
def _statuses_query() -> Any:
    """The statement of :func:`share_statuses`, the workspace (``ws``) and the body parameters;
    the answer's times as they decide :attr:`BodyShare.state`."""
    return (
        scoped(BodyShare, workspace_param())
        .where(BodyShare.body_id == bindparam("body", type_=Integer()))
        .join(County, County.number == BodyShare.county_number)
        .with_only_columns(County.name, BodyShare.accepted_at, BodyShare.declined_at)
        .order_by(County.name)
    )
