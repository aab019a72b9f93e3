"""Memberships: who belongs to which workspace in which roles (a main role bound to a
municipality or an organisation where it must be, and extra roles), who may do an action, and
the end of a membership. Re-exported by ``app.accounts.service``, where callers find them."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.orm import Session, contains_eager, selectinload

from app.accounts.models import ApiToken, Membership, User
from app.accounts.permissions import (
    EXTRA_ROLES,
    ROLE_LABELS,
    ROLES,
    actions_for_roles,
    pack_extra_roles,
    roles_with,
    unpack_extra_roles,
)
from app.counties.models import Municipality, Organisation, Workspace
from app.db import utcnow
from app.errors import InvalidInput, found
from app.i18n import _, lazy
from app.tenancy import scoped, scoped_by_user, set_db_scope, workspace_param


@dataclass(frozen=True)
class WorkspaceChoice:
    slug: str
    name: str
    role: str  # the main role
    extras: tuple[str, ...] = ()

    @property
    def roles(self) -> tuple[str, ...]:
        return (self.role, *self.extras)


def memberships_of(session: Session, user: User) -> list[WorkspaceChoice]:
    """The workspaces a user belongs to (for the picker and the switcher)."""
    set_db_scope(
        session,
        workspace_id=session.info.get("workspace_id"),
        user_id=user.id,
        county_number=session.info.get("county_number"),
    )
    rows = session.execute(
        scoped_by_user(Membership, user.id)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .with_only_columns(Workspace.slug, Workspace.name, Membership.role, Membership.extra_roles)
        .order_by(Workspace.name)
    ).all()
    return [
        WorkspaceChoice(slug=s, name=n, role=r, extras=unpack_extra_roles(x)) for s, n, r, x in rows
    ]


def remember_workspace(user: User, workspace_id: int) -> None:
    """Note the workspace whose page the person opened, for their start after login. Written
    only when it changes (switching county), not on every request; not an audited change."""
    if user.last_workspace_id != workspace_id:
        user.last_workspace_id = workspace_id


def last_workspace_slug(session: Session, user: User) -> str | None:
    """The workspace the person used last, while they are still a member of it."""
    if user.last_workspace_id is None:
        return None
    return session.scalar(
        scoped_by_user(Membership, user.id)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .where(Membership.workspace_id == user.last_workspace_id)
        .with_only_columns(Workspace.slug)
    )


def get_membership(session: Session, workspace_id: int, user_id: int) -> Membership | None:
    return session.scalar(
        scoped(Membership, workspace_id)
        .where(Membership.user_id == user_id)
        .options(selectinload(Membership.municipality), selectinload(Membership.organisation))
    )


def count_members(session: Session, workspace_id: int) -> int:
    """How many people are members of the workspace (the caller has set its scope); service
    accounts are not people."""
    query = (
        scoped(Membership, workspace_id)
        .join(User, User.id == Membership.user_id)
        .where(User.is_service.is_(False))
        .with_only_columns(func.count(Membership.id))
    )
    return int(session.scalar(query) or 0)


def list_members(session: Session, workspace_id: int) -> list[Membership]:
    """The people of the workspace (not the service accounts behind its service tokens)."""
    return list(
        session.scalars(
            scoped(Membership, workspace_id)
            .join(User, User.id == Membership.user_id)
            .where(User.is_service.is_(False))
            .order_by(User.name)
            .options(
                selectinload(Membership.user),
                selectinload(Membership.municipality),
                selectinload(Membership.organisation),
            )
        )
    )


def get_member(session: Session, workspace_id: int, membership_id: int) -> Membership:
    """One membership of the workspace with its user loaded, or 404."""
    return found(
        session.scalar(
            scoped(Membership, workspace_id)
            .where(Membership.id == membership_id)
            .options(selectinload(Membership.user))
        )
    )


def members_with(
    session: Session,
    workspace_id: int,
    action: str,
    *,
    municipality_numbers: list[str] | None = None,
    organisation_ids: list[int] | None = None,
    user_ids: list[int] | None = None,
) -> list[Membership]:
    """Active members of the workspace whose main role or one of whose extra roles may do
    ``action`` (see :func:`app.accounts.permissions.roles_with`), with their user loaded, by
    name — one query.

    ``municipality_numbers`` / ``organisation_ids`` keep the members bound to those
    municipalities or organisations (given both, a member bound to either); ``user_ids`` keeps
    those people. This is how other modules find whom to notify or suggest."""
    query = _members_query(action)
    if municipality_numbers is not None or organisation_ids is not None:
        query = query.where(
            or_(
                Membership.municipality_number.in_(municipality_numbers or []),
                Membership.organisation_id.in_(organisation_ids or []),
            )
        )
    if user_ids is not None:
        query = query.where(Membership.user_id.in_(user_ids))
    return list(session.scalars(query, {"ws": workspace_id}))


def _active_with(action: str) -> Any:
    """The active members of the workspace (parameter ``ws``) whose roles may do ``action``,
    joined to their users, by name."""
    ws = workspace_param()
    return (
        scoped(Membership, ws)
        .join(User, User.id == Membership.user_id)
        .where(
            may_do(action),
            User.is_active.is_(True),
            User.is_service.is_(False),  # a service token's account is no one to notify
        )
        .order_by(User.name, Membership.id)
    )


@functools.cache
def _members_query(action: str) -> Any:
    """The statement of :func:`members_with` (before its filters), made once per process for
    each action, with the workspace as a parameter (``ws``)."""
    return _active_with(action).options(contains_eager(Membership.user))  # one statement


@functools.cache
def _names_query(action: str) -> Any:
    """The statement of :func:`member_names_with`, made once per process for each action."""
    return _active_with(action).with_only_columns(Membership.user_id, User.name)


def member_names_with(session: Session, workspace_id: int, action: str) -> list[Any]:
    """The people of :func:`members_with` (no other filter) as plain rows of ``user_id`` and
    ``name``, by name: for a page's list to choose from (the help queue's helper filter), which
    needs no ORM object and is shown on every view."""
    return list(session.execute(_names_query(action), {"ws": workspace_id}).all())


def may_do(action: str) -> ColumnElement[bool]:
    """SQL: the membership's roles — main or extra — include one that may do ``action``."""
    roles = roles_with(action)
    return or_(
        Membership.role.in_(roles),
        *(
            Membership.extra_roles.contains(f",{r},", autoescape=True)
            for r in EXTRA_ROLES
            if r in roles
        ),
    )


def validate_binding(
    session: Session,
    role: str,
    municipality_number: str | None,
    organisation_id: int | None,
    county_number: str,
) -> dict[str, str]:
    """Check that a role carries what it must: a municipality or an organisation."""
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = lazy("Velg en gyldig rolle.")
        return errors
    if role == "municipal":
        if not municipality_number:
            errors["municipality_number"] = lazy("En kommunebruker må knyttes til én kommune.")
        else:
            municipality = session.get(Municipality, municipality_number)
            if municipality is None:
                errors["municipality_number"] = lazy("Kommunen finnes ikke.")
            elif municipality.county_number != county_number:
                errors["municipality_number"] = lazy("Kommunen ligger ikke i dette fylket.")
    if role == "partner":
        if not organisation_id:
            errors["organisation_id"] = lazy("En partner må knyttes til en organisasjon.")
        elif session.get(Organisation, organisation_id) is None:
            errors["organisation_id"] = lazy("Organisasjonen finnes ikke.")
    return errors


def add_membership(
    session: Session,
    workspace: Workspace,
    user: User,
    role: str,
    *,
    municipality_number: str | None = None,
    organisation_id: int | None = None,
    extra_roles: list[str] | None = None,
) -> Membership:
    """The user's membership of the workspace with this role (a member already gets the new
    role). ``extra_roles`` replace those the member held; ``None`` keeps those that still add
    something to the new role. The caller has checked them (:func:`validate_extra_roles`)."""
    membership = get_membership(session, workspace.id, user.id) or Membership(
        workspace_id=workspace.id, user_id=user.id
    )
    if extra_roles is None:
        extra_roles = _still_fitting(membership, role)
    membership.extra_roles = pack_extra_roles(extra_roles)
    return _bind(session, workspace, membership, role, municipality_number, organisation_id)


def change_role(
    session: Session,
    workspace: Workspace,
    membership_id: int,
    role: str,
    *,
    municipality_number: str | None = None,
    organisation_id: int | None = None,
    extra_roles: list[str] | None = None,
) -> Membership:
    """A member's main role (with its binding) and, when ``extra_roles`` is given, their extra
    roles (``[]`` takes them all away; ``None`` keeps those that still fit the new main role)."""
    membership = found(
        session.scalar(scoped(Membership, workspace.id).where(Membership.id == membership_id))
    )
    if extra_roles is None:
        extra_roles = _still_fitting(membership, role)
    errors = validate_binding(
        session, role, municipality_number, organisation_id, workspace.county_number
    ) or validate_extra_roles(role, extra_roles)
    if errors:
        raise InvalidInput(errors)
    membership.extra_roles = pack_extra_roles(extra_roles)
    return _bind(session, workspace, membership, role, municipality_number, organisation_id)


def _still_fitting(membership: Membership, role: str) -> list[str]:
    """The member's extra roles that still add a right to a new main ``role``."""
    main_rights = actions_for_roles((role,))
    return [r for r in membership.extras if not actions_for_roles((r,)) <= main_rights]


def set_extra_roles(
    session: Session, workspace: Workspace, membership_id: int, extra_roles: list[str]
) -> Membership:
    """Give a member these extra roles besides their main role (``[]``: none); their rights
    are the union from the next request on. :class:`InvalidInput` for a combination that does
    not fit, and nothing is changed then."""
    membership = found(
        session.scalar(scoped(Membership, workspace.id).where(Membership.id == membership_id))
    )
    errors = validate_extra_roles(membership.role, extra_roles)
    if errors:
        raise InvalidInput(errors)
    membership.extra_roles = pack_extra_roles(extra_roles)
    session.flush()
    return membership


def validate_extra_roles(role: str, extra_roles: list[str]) -> dict[str, str]:
    """Extra roles fit a main role when each is one of :data:`EXTRA_ROLES` (roles bound to
    nothing: a municipality or an organisation is bound by the main role alone), none is the
    main role, and each adds a right the other roles do not already give."""
    chosen = list(dict.fromkeys(extra_roles))
    for r in chosen:
        if r not in ROLES:
            return {"extra_roles": _("Velg en gyldig rolle.")}
        label = _(ROLE_LABELS[r])
        if r not in EXTRA_ROLES:
            return {
                "extra_roles": _(
                    "«{role}» kan bare være hovedrolle. Som tilleggsrolle kan du velge: {choices}."
                ).format(role=label, choices=", ".join(str(_(ROLE_LABELS[x])) for x in EXTRA_ROLES))
            }
        if r == role:
            return {"extra_roles": _("«{role}» er allerede hovedrollen.").format(role=label)}
    for r in chosen:
        others = actions_for_roles([role, *(x for x in chosen if x != r)])
        if actions_for_roles([r]) <= others:
            return {
                "extra_roles": _(
                    "«{role}» gir ingen rettigheter utover de andre rollene. Fjern den."
                ).format(role=_(ROLE_LABELS[r]))
            }
    return {}


def _bind(
    session: Session,
    workspace: Workspace,
    membership: Membership,
    role: str,
    municipality_number: str | None,
    organisation_id: int | None,
) -> Membership:
    """Give a membership its role, with the municipality or organisation the role is bound to;
    :class:`InvalidInput` when they do not fit (nothing is changed then)."""
    errors = validate_binding(
        session, role, municipality_number, organisation_id, workspace.county_number
    )
    if errors:
        raise InvalidInput(errors)
    membership.role = role
    membership.municipality_number = municipality_number if role == "municipal" else None
    membership.organisation_id = organisation_id if role == "partner" else None
    session.add(membership)
    session.flush()
    return membership


def remove_membership(session: Session, workspace_id: int, membership_id: int) -> None:
    membership = found(
        session.scalar(scoped(Membership, workspace_id).where(Membership.id == membership_id))
    )
    # Their API tokens for this workspace stop working with the membership.
    revoke_api_tokens(session, workspace_id, membership.user_id)
    session.delete(membership)
    session.flush()


def revoke_api_tokens(session: Session, workspace_id: int, user_id: int) -> int:
    """Revoke the user's API tokens of this workspace that still work (the caller has set its
    scope); how many."""
    revoked = 0
    for token in session.scalars(
        scoped(ApiToken, workspace_id).where(
            ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)
        )
    ):
        token.revoked_at = utcnow()
        revoked += 1
    return revoked
