"""The members of the hjelpekorps: their profiles (competences, home municipality, organisation)
and current load. The helper suggestions (``triage.suggest_helpers``) read the same profiles.
Flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts import service as accounts_service
from app.accounts.models import Membership, User
from app.accounts.permissions import allowed
from app.accounts.principal import Principal
from app.counties.models import County, Municipality, Workspace
from app.errors import Forbidden, InvalidInput, NotFound
from app.helpdesk.helpers.schemas import HelperProfileUpdate
from app.helpdesk.models import CATEGORIES, HelperProfile
from app.helpdesk.triage import eligible_helpers, open_loads
from app.i18n import lazy
from app.tenancy import scoped


@dataclass
class HelperRow:
    user: User
    role: str
    profile: HelperProfile | None  # with home_municipality loaded
    load: int  # open requests assigned to the helper
    eligible: bool = True  # may be assigned (triage.eligible_helpers)
    home_county_name: str | None = None  # set when the home municipality lies in another county
    extras: tuple[str, ...] = ()  # extra roles beside the main role (a municipal helper)

    @property
    def roles(self) -> tuple[str, ...]:
        return (self.role, *self.extras)

    @property
    def competences(self) -> list[str]:
        """The categories, in the usual order."""
        have = set(self.profile.competences if self.profile else [])
        return [c for c in CATEGORIES if c in have]

    @property
    def tags(self) -> list[str]:
        have = self.profile.competences if self.profile else []
        return [c for c in have if c not in CATEGORIES]

    @property
    def home_municipality(self) -> Municipality | None:
        return self.profile.home_municipality if self.profile else None

    @property
    def organisation(self) -> str:
        return self.profile.organisation if self.profile else ""


def may_edit(p: Principal, user_id: int) -> bool:
    """Coordinators and admins edit anyone's profile; a helper edits only their own."""
    return p.can("helpdesk.triage") or (p.can("helpdesk.work") and p.user_id == user_id)


def _profiles(session: Session, ws: Workspace, user_ids: list[int]) -> dict[int, HelperProfile]:
    if not user_ids:
        return {}
    return {
        p.user_id: p
        for p in session.scalars(
            scoped(HelperProfile, ws.id)
            .where(HelperProfile.user_id.in_(user_ids))
            .options(selectinload(HelperProfile.home_municipality))
        )
    }


def _mark_other_counties(session: Session, ws: Workspace, rows: list[HelperRow]) -> None:
    elsewhere = {
        r.home_municipality.county_number
        for r in rows
        if r.home_municipality and r.home_municipality.county_number != ws.county_number
    }
    if not elsewhere:
        return
    names: dict[str, str] = {
        number: name
        for number, name in session.execute(
            select(County.number, County.name).where(County.number.in_(elsewhere))
        )
    }
    for r in rows:
        mu = r.home_municipality
        if mu and mu.county_number != ws.county_number:
            r.home_county_name = names.get(mu.county_number)


def list_helpers(session: Session, ws: Workspace) -> list[HelperRow]:
    """Everyone who may be assigned, by name, with profile and load — a fixed number of
    queries whatever the number of helpers."""
    members = eligible_helpers(session, ws)
    profiles = _profiles(session, ws, [m.user_id for m in members])
    load = open_loads(session, ws)
    rows = [
        HelperRow(
            user=m.user,
            role=m.role,
            extras=m.extras,
            profile=profiles.get(m.user_id),
            load=load.get(m.user_id, 0),
        )
        for m in members
    ]
    _mark_other_counties(session, ws, rows)
    return rows


def _membership(session: Session, ws: Workspace, user_id: int) -> Membership:
    """This workspace's member, or 404 (another workspace's user looks like no user at all)."""
    found = accounts_service.members_with(session, ws.id, "workspace.read", user_ids=[user_id])
    if not found:
        raise NotFound()
    return found[0]


def _in_help_corps(membership: Membership) -> bool:
    """May be assigned requests (as :func:`triage.eligible_helpers` lists them)."""
    return allowed(membership.roles, "helpdesk.work")


def get_helper(
    session: Session,
    ws: Workspace,
    p: Principal,
    user_id: int,
    *,
    eligible_only: bool = True,
) -> HelperRow:
    """One member's profile for editing: 404 for no member of this workspace (and, with
    ``eligible_only``, for a member who is not in the help corps), 403 if the viewer may not
    edit it."""
    membership = _membership(session, ws, user_id)
    if not may_edit(p, user_id):
        raise Forbidden()
    eligible = _in_help_corps(membership)
    if eligible_only and not eligible:
        raise NotFound()
    row = HelperRow(
        user=membership.user,
        role=membership.role,
        extras=membership.extras,
        profile=_profiles(session, ws, [user_id]).get(user_id),
        load=open_loads(session, ws).get(user_id, 0),
        eligible=eligible,
    )
    _mark_other_counties(session, ws, [row])
    return row


def save_profile(
    session: Session,
    ws: Workspace,
    p: Principal,
    user_id: int,
    form: HelperProfileUpdate,
) -> HelperProfile:
    """Create or update a helper's profile. The change is recorded in the workspace's log by
    the audit hook."""
    membership = _membership(session, ws, user_id)  # 404 before any 403
    if not may_edit(p, user_id):
        raise Forbidden()
    if not _in_help_corps(membership):
        raise InvalidInput({"user_id": lazy("Ukjent hjelper.")})
    number = form.home_municipality_number
    home = session.get(Municipality, number) if number is not None else None
    if number is not None and home is None:
        raise InvalidInput({"home_municipality_number": lazy("Ukjent kommunenummer.")})
    # A free tag spelt like a category key is that category; categories first, in order.
    chosen = set(form.competences) | {t for t in form.tags if t in CATEGORIES}
    competences = [c for c in CATEGORIES if c in chosen]
    competences += [t for t in form.tags if t not in CATEGORIES]
    profile = _profiles(session, ws, [user_id]).get(user_id)
    if profile is None:
        profile = HelperProfile(workspace_id=ws.id, user_id=user_id, competences=[])
        session.add(profile)
    if list(profile.competences or []) != competences:
        profile.competences = competences  # a new list: the JSON column sees the change
    profile.home_municipality_number = number
    profile.home_municipality = home
    profile.organisation = form.organisation
    session.flush()
    return profile


# --- the form's choice of municipality -----------------------------------------------------


@dataclass
class MunicipalityGroup:
    county_name: str
    own: bool  # the workspace's county
    municipalities: list[Municipality] = field(default_factory=list)


def municipality_groups(session: Session, ws: Workspace) -> list[MunicipalityGroup]:
    """Every municipality grouped by county: the workspace's county first, then the others by
    name (a helper may come from a mentor municipality in a neighbouring county)."""
    groups: dict[str, MunicipalityGroup] = {}
    for mu, county_name in session.execute(
        select(Municipality, County.name)
        .join(County, County.number == Municipality.county_number)
        .order_by(Municipality.name)
    ):
        group = groups.get(mu.county_number)
        if group is None:
            group = groups[mu.county_number] = MunicipalityGroup(
                county_name, mu.county_number == ws.county_number
            )
        group.municipalities.append(mu)
    return sorted(groups.values(), key=lambda g: (not g.own, g.county_name))
