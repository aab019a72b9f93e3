"""The personal start page ("Til deg"): what waits for the person looking, in every workspace
they are a member of, the current workspace first: each feature module (``Module.for_you``) is
asked once for all of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.accounts.deps import Context, member_workspaces
from app.accounts.models import Membership
from app.accounts.permissions import ROLE_LABELS
from app.i18n import _
from app.registry import Module, NeedsYou
from app.tenancy import restoring, set_db_scope


@dataclass(frozen=True)
class Group:
    label: str
    items: list[NeedsYou]


@dataclass(frozen=True)
class WorkspaceItems:
    """One workspace's part of the page: its name, the person's role(s) there, the items."""

    slug: str
    name: str
    roles: list[str]  # the role labels, translated
    groups: list[Group]
    current: bool

    @property
    def count(self) -> int:
        return sum(len(g.items) for g in self.groups)


def role_labels(membership: Membership) -> list[str]:
    """The person's role(s) in a workspace, as people read them (a membership with several
    roles, when it has them, shows each)."""
    roles = membership.roles
    return [str(_(ROLE_LABELS[r])) if r in ROLE_LABELS else r for r in roles]


def _grouped(items: Sequence[NeedsYou]) -> list[Group]:
    """Items under their group's heading: the groups with something to answer or overdue first,
    else in the order the modules gave them; in each group the urgent first, then the soonest
    due, then as given."""
    order: dict[str, list[NeedsYou]] = {}
    seen: set[str] = set()
    for item in items:
        if item.path + item.title in seen:
            continue  # two of a person's roles may find the same thing
        seen.add(item.path + item.title)
        order.setdefault(item.group or str(_("Annet")), []).append(item)
    groups = [
        Group(
            label,
            sorted(group, key=lambda i: (not i.urgent, i.due or date.max)),
        )
        for label, group in order.items()
    ]
    # the groups with something to answer or overdue first, then in the order of the menu
    return sorted(groups, key=lambda g: not any(i.urgent or i.action for i in g.items))


def for_you(session: Session, modules: Sequence[Module], ctx: Context) -> list[WorkspaceItems]:
    """What waits for ``ctx.user`` in each of their workspaces: ``ctx``'s first, then the others
    by name. Each module is asked once for all of them (``Module.for_you``), so the page costs
    the same number of statements in one workspace as in ten. On PostgreSQL the scope lets
    those statements read the person's other workspaces too, and is set back to this workspace
    alone straight after."""
    user = ctx.user
    rows = ctx.member_of or member_workspaces(session, user)
    contexts = [ctx] + [
        Context(user=user, workspace=workspace, membership=membership)
        for membership, workspace in rows
        if workspace.id != ctx.workspace.id
    ]
    others = [c.workspace.id for c in contexts[1:]]

    def scope(read_also: Sequence[int]) -> None:
        set_db_scope(
            session,
            workspace_id=ctx.workspace.id,
            user_id=user.id,
            county_number=ctx.workspace.county_number,
            read_also=read_also,
        )

    found: dict[int, list[NeedsYou]] = {c.workspace.id: [] for c in contexts}
    if others:
        scope(others)
    with restoring(lambda: scope(()) if others else None):
        for module in modules:
            if module.for_you is None:
                continue
            for workspace_id, items in module.for_you(session, contexts).items():
                found[workspace_id].extend(items)
    return [
        WorkspaceItems(
            c.workspace.slug,
            c.workspace.name,
            role_labels(c.membership),
            _grouped(found[c.workspace.id]),
            current=c is ctx,
        )
        for c in contexts
    ]
