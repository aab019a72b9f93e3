"""Asking a module's ``for_you`` (the start page "Til deg") as the start page does: the
person's context in each workspace, the scope that lets the module's statements read the other
workspaces, and the same asked of each workspace alone to compare with."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.accounts import service as accounts
from app.accounts.deps import Context
from app.accounts.models import User
from app.counties.models import Workspace
from app.registry import NeedsYou
from app.tenancy import set_db_scope

ForYou = Callable[[Any, Sequence[Context]], Mapping[int, Sequence[NeedsYou]]]


def contexts(db: Any, user: User, workspaces: Sequence[Workspace]) -> list[Context]:
    out = []
    for ws in workspaces:
        set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
        membership = accounts.get_membership(db, ws.id, user.id)
        assert membership is not None
        out.append(Context(user=user, workspace=ws, membership=membership))
    set_db_scope(db, workspace_id=None, user_id=None)
    return out


def scope(db: Any, ctxs: Sequence[Context]) -> None:
    """The scope the start page sets while it asks the modules (app.overview.personal)."""
    current = ctxs[0].workspace
    set_db_scope(
        db,
        workspace_id=current.id,
        user_id=ctxs[0].user.id,
        county_number=current.county_number,
        read_also=[c.workspace.id for c in ctxs[1:]],
    )


def ask(
    db: Any, for_you: ForYou, ctxs: Sequence[Context], *, drop_empty: bool = False
) -> dict[int, list[NeedsYou]]:
    scope(db, ctxs)
    try:
        return {k: list(v) for k, v in for_you(db, ctxs).items() if v or not drop_empty}
    finally:
        set_db_scope(db, workspace_id=None, user_id=None)


def each_alone(
    db: Any, for_you: ForYou, ctxs: Sequence[Context], *, drop_empty: bool = False
) -> dict[int, list[NeedsYou]]:
    """What each workspace gives on its own, under its own scope (a person of one workspace)."""
    out = {c.workspace.id: ask(db, for_you, [c]).get(c.workspace.id, []) for c in ctxs}
    return {k: v for k, v in out.items() if v or not drop_empty}


def count(db: Any, count_queries: Any, for_you: ForYou, ctxs: Sequence[Context]) -> int:
    """The statements ``for_you`` makes for ``ctxs``."""
    scope(db, ctxs)
    try:
        with count_queries() as q:
            for_you(db, ctxs)
        return int(q.count)
    finally:
        set_db_scope(db, workspace_id=None, user_id=None)


def titles(items: Sequence[NeedsYou]) -> list[str]:
    return [i.title for i in items]
