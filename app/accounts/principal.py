"""Who is acting: the one type services take to know whose rules apply.

Views and the API build it from the request's workspace context (``ctx.principal``); a
consultation guest's link builds one with no account (:func:`guest`). Services ask
``principal.can("helpdesk.work")`` — the same role → action table as the routes — and read the
municipality or organisation the person acts for, never a role name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.accounts.permissions import actions_for_roles


@dataclass(frozen=True)
class Principal:
    user_id: int | None  # None for a consultation guest (no account)
    name: str
    email: str | None
    actions: frozenset[str]
    municipality_number: str | None = None  # set for a municipal user: they act for it
    organisation_id: int | None = None  # set for a partner: they act for it
    guest_invitee_id: int | None = None  # set for a consultation guest's link

    def can(self, action: str) -> bool:
        return action in self.actions


def for_member(
    *,
    user_id: int,
    name: str,
    email: str | None,
    role: str,
    municipality_number: str | None,
    organisation_id: int | None,
    extra_roles: Iterable[str] = (),
) -> Principal:
    """A workspace member acting in their roles: the main ``role`` and any ``extra_roles``, with
    the union of their rights. The municipality counts only for a municipal user and the
    organisation only for a partner, as the main role binds them."""
    return Principal(
        user_id=user_id,
        name=name,
        email=email,
        actions=actions_for_roles((role, *extra_roles)),
        municipality_number=municipality_number if role == "municipal" else None,
        organisation_id=organisation_id if role == "partner" else None,
    )


def guest(invitee_id: int, name: str, email: str | None) -> Principal:
    """A consultation guest: may take part in the one round their link is for, nothing else."""
    return Principal(
        user_id=None,
        name=name,
        email=email,
        actions=frozenset({"strategies.respond"}),
        guest_invitee_id=invitee_id,
    )
