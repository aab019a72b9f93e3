"""The one role → action map. Views and the API ask ``require("action")``; nothing else
compares role strings."""

from __future__ import annotations

from app.i18n import lazy

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
}


def allowed(role: str, action: str) -> bool:
    try:
        return role in PERMISSIONS[action]
    except KeyError:
        raise KeyError(f"unknown action {action!r}") from None


def actions_for(role: str) -> frozenset[str]:
    return frozenset(a for a, roles in PERMISSIONS.items() if role in roles)


def roles_with(action: str) -> frozenset[str]:
    """The roles that may do ``action`` — for a service that asks "who may …?" (whom to notify,
    whom to suggest) instead of listing role names itself."""
    try:
        return PERMISSIONS[action]
    except KeyError:
        raise KeyError(f"unknown action {action!r}") from None
