"""The one role → action map. Views and the API ask ``require("action")``; nothing else
compares role strings.

A member has one main role (``Membership.role``, which binds a municipality or an
organisation) and may hold extra roles (``Membership.extra_roles``): their rights are the union
of all their roles. Every helper here takes one role or several."""

from __future__ import annotations

from collections.abc import Iterable

from app.i18n import _, lazy

ROLES: tuple[str, ...] = (
    "county_admin",
    "coordinator",
    "helper",
    "municipal",
    "partner",
    "viewer",
)

ROLE_LABELS = {
    "county_admin": lazy("Fylkesadministrator"),
    "coordinator": lazy("Koordinator"),
    "helper": lazy("Hjelper i hjelpekorpset"),
    "municipal": lazy("Kommune"),
    "partner": lazy("Partner"),
    "viewer": lazy("Lesetilgang"),
}

# The roles a member may hold besides their main role: those bound to nothing (a municipal or a
# partner role binds the membership, so it can only be the main role), and not the county's own
# staff roles, which are a person's job rather than an extra hat (and already include every
# right of these two). A mentor municipality's chief executive helps others as a helper; a KS
# adviser helps as a helper; a municipal user may be given read access to every request.
EXTRA_ROLES: tuple[str, ...] = ("helper", "viewer")

ALL = frozenset(ROLES)
STAFF = frozenset({"county_admin", "coordinator"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "workspace.read": ALL,
    "municipalities.read": ALL,
    "tokens.manage_own": ALL,
    # service tokens: owned by the workspace, for integrations (a case system); a role each
    "tokens.manage_service": frozenset({"county_admin"}),
    "workspace.settings": frozenset({"county_admin"}),
    "users.read": STAFF,
    "users.manage": frozenset({"county_admin"}),
    # give a member extra roles (helper, viewer) besides their main role: the coordinators run
    # the help corps, so they may add a mentor municipality's chief executive to it
    "users.extra_roles": STAFF,
    "invitations.manage": frozenset({"county_admin"}),
    "audit.read": frozenset({"county_admin"}),
    # the workspace's e-mail outbox: what was sent, what failed and why; retry
    "mail.manage": frozenset({"county_admin"}),
    # networks: bodies, memberships, contacts, coverage
    "networks.read": ALL,
    "networks.manage": STAFF,
    "contacts.read": ALL,
    "contacts.manage": STAFF,
    # a municipal user keeps the contacts of their own municipality current
    "contacts.manage_own": frozenset({"municipal"}),
    # hjelpekorps
    "helpdesk.read": frozenset({"county_admin", "coordinator", "helper", "municipal", "viewer"}),
    "helpdesk.see_all": frozenset({"county_admin", "coordinator", "helper", "viewer"}),
    "helpdesk.file": frozenset({"county_admin", "coordinator", "municipal"}),
    "helpdesk.work": frozenset({"county_admin", "coordinator", "helper"}),
    "helpdesk.note": frozenset({"county_admin", "coordinator", "helper"}),
    "helpdesk.triage": STAFF,
    # strategies: everyone opens the module; municipal and partner users see only the rounds
    # they are invited to (app.strategies.consultation.access)
    "strategies.read": ALL,
    "strategies.read_drafts": frozenset({"county_admin", "coordinator", "helper", "viewer"}),
    "strategies.edit": STAFF,
    "strategies.consult": STAFF,
    # takes part in a consultation for their municipality or organisation when it is invited
    "strategies.respond": frozenset({"municipal", "partner"}),
    # schemes: the catalogue, calls and deadlines, participation, figures
    "schemes.read": ALL,
    "schemes.manage": STAFF,
    "participation.edit": frozenset({"county_admin", "coordinator", "helper"}),
    # a municipal user keeps their own municipality's participation records
    "participation.edit_own": frozenset({"municipal"}),
    # innovations: the registry, adoptions, the spread plan, benefits realisation
    "innovations.read": ALL,
    "innovations.edit": frozenset({"county_admin", "coordinator", "helper"}),
    # a municipal user records their own municipality's adoptions and benefits plan
    "adoptions.edit_own": frozenset({"municipal"}),
    "benefits.edit": frozenset({"county_admin", "coordinator", "helper"}),
    "benefits.edit_own": frozenset({"municipal"}),
    # meetings: everyone opens the module; municipal and partner users see only the meetings
    # of their bodies and those they are invited to (app.meetings.access)
    "meetings.read": ALL,
    "meetings.see_all": frozenset({"county_admin", "coordinator", "helper", "viewer"}),
    "meetings.edit": STAFF,
    # a body's secretariat (a municipality or organisation with the secretariat role in it)
    # writes that body's meetings, agendas and minutes
    "meetings.edit_secretariat": frozenset({"municipal", "partner"}),
}


def _roles(role: str | Iterable[str]) -> frozenset[str]:
    return frozenset((role,) if isinstance(role, str) else role)


def allowed(role: str | Iterable[str], action: str) -> bool:
    """May a member with this role — or these roles, together — do ``action``?"""
    try:
        return not PERMISSIONS[action].isdisjoint(_roles(role))
    except KeyError:
        raise KeyError(f"unknown action {action!r}") from None


def actions_for(role: str | Iterable[str]) -> frozenset[str]:
    """What a member with this role (or these roles: the union of their rights) may do."""
    roles = _roles(role)
    return frozenset(a for a, holders in PERMISSIONS.items() if not holders.isdisjoint(roles))


def actions_for_roles(roles: Iterable[str]) -> frozenset[str]:
    """The union of the rights of several roles (a main role and its extras)."""
    return actions_for(frozenset(roles))


def roles_with(action: str) -> frozenset[str]:
    """The roles that may do ``action`` — for a service that asks "who may …?" (whom to notify,
    whom to suggest) instead of listing role names itself."""
    try:
        return PERMISSIONS[action]
    except KeyError:
        raise KeyError(f"unknown action {action!r}") from None


def pack_extra_roles(roles: Iterable[str]) -> str:
    """Extra roles as ``Membership.extra_roles`` stores them: ``",helper,viewer,"`` (each role
    between commas, so that one ``LIKE '%,helper,%'`` finds it), or ``""`` for none. Known extra
    roles only, in :data:`EXTRA_ROLES` order, each once."""
    chosen = set(roles)
    kept = [r for r in EXTRA_ROLES if r in chosen]
    return f",{','.join(kept)}," if kept else ""


def unpack_extra_roles(stored: str | None) -> tuple[str, ...]:
    return tuple(r for r in (stored or "").split(",") if r)


def describe_roles(roles: Iterable[str], bound_to: str | None = None) -> str:
    """A person's roles as shown to people: the main role first with the municipality or
    organisation it binds in brackets, then the extra roles — "Partner (KS) + Hjelper i
    hjelpekorpset". Translated in the current language."""
    names = [str(_(ROLE_LABELS[r])) for r in roles]
    if names and bound_to:
        names[0] = f"{names[0]} ({bound_to})"
    return " + ".join(names)
