"""The demo: four county workspaces and a user for every role. Demo content says it is demo
content; the demo password exists only here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.counties import service as counties
from app.counties.models import Organisation, Workspace
from app.counties.schemas import WorkspaceCreate
from app.modules import MODULES
from app.registry import in_dependency_order
from app.tenancy import set_db_scope

DEMO_PASSWORD = "demo-passord"  # noqa: S105  (the documented demo password)

WORKSPACES = [
    ("trondelag", "Trøndelag fylkeskommune (demo)", "50"),
    ("vestland", "Vestland fylkeskommune (demo)", "46"),
    ("buskerud", "Buskerud fylkeskommune (demo)", "33"),
    ("telemark", "Telemark fylkeskommune (demo)", "40"),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    memberships: tuple[tuple[str, str, str | None, str | None], ...]
    # (workspace slug, role, municipality number, organisation name)
    extra_roles: tuple[tuple[str, str], ...] = ()  # (workspace slug, extra role)


USERS = [
    DemoUser(
        "admin@samspill.demo",
        "Ada Administrator (demo)",
        tuple((slug, "county_admin", None, None) for slug, _n, _c in WORKSPACES),
    ),
    DemoUser(
        "koordinator@trondelag.demo",
        "Kari Koordinator (demo)",
        (("trondelag", "coordinator", None, None),),
    ),
    DemoUser(
        "hjelper@trondelag.demo", "Henrik Hjelper (demo)", (("trondelag", "helper", None, None),)
    ),
    DemoUser(
        "kommunedirektor@osen.demo",
        "Kristin Kommunedirektør, Osen (demo)",
        (("trondelag", "municipal", "5020", None),),
    ),
    DemoUser(
        "radgiver@statsforvalteren.demo",
        "Sigurd Rådgiver, Statsforvalteren (demo)",
        (("trondelag", "partner", None, "Statsforvalteren i Trøndelag"),),
    ),
    DemoUser(
        "radgiver@ks.demo",
        "Kjersti Rådgiver, KS (demo)",
        tuple((slug, "partner", None, "KS") for slug in ("trondelag", "vestland", "buskerud")),
    ),
    DemoUser(
        "koordinator@vestland.demo",
        "Vegard Koordinator (demo)",
        (("vestland", "coordinator", None, None),),
    ),
    # Two roles in one workspace: Inderøy mentors smaller municipalities, so its chief
    # executive is in the help corps as well (the union of a municipal user's and a helper's
    # rights).
    DemoUser(
        "kommunedirektor@inderoy.demo",
        "Ingrid Kommunedirektør, Inderøy (demo)",
        (("trondelag", "municipal", "5053", None),),
        extra_roles=(("trondelag", "helper"),),
    ),
]


def is_empty(session: Session) -> bool:
    return session.scalar(select(Workspace.id).limit(1)) is None


def load_demo(session: Session) -> list[DemoUser]:
    """Load the demo into an empty database (reference data must be loaded)."""
    workspaces: dict[str, Workspace] = {}
    for slug, name, county in WORKSPACES:
        workspaces[slug] = counties.create_workspace(
            session, WorkspaceCreate(slug=slug, name=name, county_number=county)
        )
    organisations = {o.name: o for o in session.scalars(select(Organisation))}
    for demo in USERS:
        # The person is created where they belong (their first workspace): the change log of
        # another county must not list them (it would, under the scope the last loop left).
        first = workspaces[demo.memberships[0][0]]
        set_db_scope(session, workspace_id=first.id, user_id=None)
        user = accounts.get_user_by_email(session, demo.email) or accounts.create_user(
            session, email=demo.email, name=demo.name, password=DEMO_PASSWORD
        )
        for slug, role, municipality, organisation in demo.memberships:
            workspace = workspaces[slug]
            set_db_scope(session, workspace_id=workspace.id, user_id=None)
            accounts.add_membership(
                session,
                workspace,
                user,
                role,
                municipality_number=municipality,
                organisation_id=organisations[organisation].id if organisation else None,
            )
        for slug, extra in demo.extra_roles:
            workspace = workspaces[slug]
            set_db_scope(session, workspace_id=workspace.id, user_id=None)
            membership = accounts.get_membership(session, workspace.id, user.id)
            assert membership is not None
            accounts.set_extra_roles(session, workspace, membership.id, [extra])
    for module in in_dependency_order(MODULES):
        if module.demo is not None:
            module.demo(session, workspaces)
    set_db_scope(session, workspace_id=None, user_id=None)
    session.flush()
    return USERS


def demo_user_lines() -> list[str]:
    lines = []
    for demo in USERS:
        roles = ", ".join(
            "+".join([role, *(x for s, x in demo.extra_roles if s == slug)]) + f" i {slug}"
            for slug, role, _m, _o in demo.memberships
        )
        lines.append(f"  {demo.email:<34} {roles}")
    return lines
