"""Triage: who may be assigned, the coordinators' assessment (category, priority, assignees),
and the helpers suggested for a request — by competence, then load, then nearness: a helper
from the same municipality, or from one in the same regional council, including councils
shared with this county from another. Flushes, never commits."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Integer, String, cast, func, null
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import Membership
from app.accounts.principal import Principal
from app.counties.models import Municipality, Workspace
from app.db import utcnow
from app.errors import InvalidInput
from app.helpdesk import notifications
from app.helpdesk.due import refresh_due
from app.helpdesk.labels import CATEGORY_LABELS
from app.helpdesk.lifecycle import apply_transition, record_event
from app.helpdesk.models import HelperProfile, HelpRequest, RequestAssignee
from app.helpdesk.queue import acting_user, get_request
from app.helpdesk.schemas import TriageForm
from app.i18n import _, lazy, ngettext
from app.networks import service as networks_service
from app.tenancy import SCOPE_OPTION, scoped, scoped_union, workspace_param


def eligible_helpers(session: Session, ws: Workspace) -> list[Membership]:
    """The members who may be assigned (those who work requests), with their users, by name."""
    return accounts_service.members_with(session, ws.id, "helpdesk.work")


def helper_choices(session: Session, ws: Workspace) -> list[Any]:
    """:func:`eligible_helpers` as plain rows of ``user_id`` and ``name``, by name: the queue's
    helper filter."""
    return accounts_service.member_names_with(session, ws.id, "helpdesk.work")


def triage(
    session: Session, ws: Workspace, p: Principal, number: int, data: TriageForm
) -> HelpRequest:
    """Set category, priority and assignees. A new request becomes triaged, and assigned once
    someone is on it; the people newly assigned get mail."""
    req = get_request(session, ws, p, number, may="helpdesk.triage")
    user_id = acting_user(p)
    if req.state in ("resolved", "closed"):
        raise InvalidInput(
            {"state": lazy("En løst eller lukket forespørsel vurderes ikke på nytt.")}
        )
    eligible = {m.user_id: m.user for m in eligible_helpers(session, ws)}
    if any(uid not in eligible for uid in data.assignees):
        raise InvalidInput({"assignees": lazy("Ukjent hjelper.")})
    changes: dict[str, Any] = {}
    if req.category != data.category:
        changes["category"] = [req.category, data.category]
        req.category = data.category
    if req.priority != data.priority:
        changes["priority"] = [req.priority, data.priority]
        req.priority = data.priority
    current = {a.user_id for a in req.assignees}
    wanted = set(data.assignees)
    for a in list(req.assignees):
        if a.user_id not in wanted:
            req.assignees.remove(a)
    added = sorted(wanted - current)
    for uid in added:
        req.assignees.append(RequestAssignee(workspace_id=ws.id, user_id=uid, assigned_at=utcnow()))
    session.flush()
    if changes or added or (current - wanted):
        record_event(session, ws, req, user_id, "triage", **changes, assignees=sorted(wanted))
    if "priority" in changes:
        refresh_due(session, ws, [req])
    if req.state == "new":
        apply_transition(session, ws, req, user_id, "triaged")
    if wanted and req.state == "triaged":
        apply_transition(session, ws, req, user_id, "assigned")
    if not wanted and req.state == "assigned":
        apply_transition(session, ws, req, user_id, "triaged")
    notifications.notify_assigned(session, ws, req, [eligible[uid] for uid in added])
    return req


# --- helper suggestions --------------------------------------------------------------------


@dataclass
class Suggestion:
    user_id: int
    name: str
    score: tuple[int, int, int]
    reasons: list[str]

    @property
    def reasons_text(self) -> str:
        return ", ".join(self.reasons)


def _councils_by_municipality(session: Session, ws: Workspace) -> dict[str, set[int]]:
    """The regional councils each municipality is in today, shared councils included."""
    councils: dict[str, set[int]] = defaultdict(set)
    for member in networks_service.current_members(session, ws, kind="council"):
        if member.municipality_number:
            councils[member.municipality_number].add(member.body_id)
    return councils


def suggest_helpers(
    session: Session, ws: Workspace, req: HelpRequest, members: list[Any] | None = None
) -> list[Suggestion]:
    """Helpers ranked by matching competence, then load, then nearness (same municipality or
    same regional council). ``members``: :func:`helper_choices` (rows of ``user_id`` and
    ``name``), when the caller has them."""
    if members is None:
        members = helper_choices(session, ws)
    profiles, loads = _profiles_and_loads(session, ws)
    councils_of = _councils_by_municipality(session, ws)
    target_councils = councils_of.get(req.municipality_number, set())
    category = _(CATEGORY_LABELS[req.category]).lower()
    out = []
    for m in members:
        competences, home, home_name = profiles.get(m.user_id, ((), None, None))
        match = 1 if req.category in competences else 0
        load = loads.get(m.user_id, 0)
        near = (
            1
            if home
            and (home == req.municipality_number or councils_of.get(home, set()) & target_councils)
            else 0
        )
        reasons = []
        if match:
            reasons.append(_("kan {category}").format(category=category))
        reasons.append(load_text(load))
        if near and home_name:
            reasons.append(_("hører til {place}, i samme regionråd").format(place=home_name))
        out.append(Suggestion(m.user_id, m.name, score=(-match, load, -near), reasons=reasons))
    out.sort(key=lambda s: (s.score, s.name))
    return out


@functools.cache
def _profiles_and_loads_query() -> Any:
    """The statement of :func:`_profiles_and_loads`, made once per process with the workspace
    as a parameter (``ws``): building the union cost more than running it."""
    ws = workspace_param()
    profiles = (
        scoped(HelperProfile, ws)
        .outerjoin(Municipality, Municipality.number == HelperProfile.home_municipality_number)
        .with_only_columns(
            HelperProfile.user_id,
            HelperProfile.competences,
            HelperProfile.home_municipality_number,
            Municipality.name,
            cast(null(), Integer),
        )
    )
    loads = (
        scoped(RequestAssignee, ws)
        .where(RequestAssignee.request_open)
        .with_only_columns(
            RequestAssignee.user_id,
            cast(null(), JSON),
            cast(null(), String),
            cast(null(), String),
            func.count(),
        )
        .group_by(RequestAssignee.user_id)
    )
    return scoped_union(profiles, loads)


def _profiles_and_loads(
    session: Session, ws: Workspace
) -> tuple[dict[int, tuple[Any, str | None, str | None]], dict[int, int]]:
    """Each helper's competences, home municipality (number and name), and each assigned
    user's open requests (as :func:`open_loads`): one statement, the profiles and the loads
    as the two halves of a ``UNION ALL``."""
    rows = session.execute(
        _profiles_and_loads_query(),
        {"ws": ws.id},
        # the statement's scope, with this workspace's id (it was made with a parameter)
        execution_options={SCOPE_OPTION: ("workspace", ws.id)},
    )
    found: dict[int, tuple[Any, str | None, str | None]] = {}
    counts: dict[int, int] = {}
    for user_id, competences, home, home_name, n in rows:
        if n is None:
            found[user_id] = (competences or (), home, home_name)
        else:
            counts[user_id] = n
    return found, counts


def open_loads(session: Session, ws: Workspace) -> dict[int, int]:
    """Open requests per assigned user, in one query."""
    loads: dict[int, int] = defaultdict(int)
    # The flag, not a join to help_request: an index-only count however long the history is.
    for user_id, n in session.execute(
        scoped(RequestAssignee, ws.id)
        .where(RequestAssignee.request_open)
        .with_only_columns(RequestAssignee.user_id, func.count())
        .group_by(RequestAssignee.user_id)
    ):
        loads[user_id] = n
    return loads


def load_text(load: int) -> str:
    """A helper's load as people read it: "2 åpne saker"."""
    return ngettext("%(num)d åpen sak", "%(num)d åpne saker", load) % {"num": load}
