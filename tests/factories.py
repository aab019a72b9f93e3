"""Small helpers that create test data through the services, as the app would."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import Membership, User
from app.counties import service as counties
from app.counties.models import Organisation, Workspace
from app.counties.schemas import WorkspaceCreate
from app.tenancy import set_db_scope

PASSWORD = "riktig-passord-123"
_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def create_workspace(
    db: Session, slug: str | None = None, county: str = "50", name: str | None = None
) -> Workspace:
    slug = slug or f"ws{_next()}x"
    workspace = counties.create_workspace(
        db, WorkspaceCreate(slug=slug, name=name or f"Test {slug}", county_number=county)
    )
    db.flush()
    return workspace


def create_user(
    db: Session, email: str | None = None, name: str = "Test Person", password: str = PASSWORD
) -> User:
    email = email or f"person{_next()}@example.no"
    return accounts.create_user(db, email=email, name=name, password=password)


def organisation(db: Session, name: str = "KS") -> Organisation:
    org = db.scalar(select(Organisation).where(Organisation.name == name))
    assert org is not None
    return org


def add_member(
    db: Session,
    workspace: Workspace,
    user: User,
    role: str = "coordinator",
    municipality: str | None = None,
    organisation_id: int | None = None,
) -> Membership:
    if role == "municipal" and municipality is None:
        municipality = "5020" if workspace.county_number == "50" else None
    if role == "partner" and organisation_id is None:
        org = db.scalar(select(Organisation).where(Organisation.name == "KS"))
        organisation_id = org.id if org else None
    set_db_scope(db, workspace_id=workspace.id, user_id=None)
    membership = accounts.add_membership(
        db,
        workspace,
        user,
        role,
        municipality_number=municipality,
        organisation_id=organisation_id,
    )
    set_db_scope(db, workspace_id=None, user_id=None)
    db.flush()
    return membership


def create_member(
    db: Session, workspace: Workspace, role: str = "coordinator", **kwargs: Any
) -> User:
    user = create_user(db, **kwargs)
    add_member(db, workspace, user, role)
    return user


def csrf(client: TestClient) -> str:
    token = client.cookies.get("samspill_csrf")
    if not token:
        client.get("/logg-inn")
        token = client.cookies.get("samspill_csrf")
    assert token
    return token


def login(client: TestClient, user_or_email: User | str, password: str = PASSWORD) -> Any:
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    response = client.post(
        "/logg-inn", data={"email": email, "password": password, "csrf_token": csrf(client)}
    )
    assert response.status_code == 303, response.text[:500]
    return response


def post(client: TestClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """A form POST with the CSRF token, as the browser sends it."""
    payload = dict(data or {})
    payload["csrf_token"] = csrf(client)
    return client.post(url, data=payload, **kwargs)


def form_value(html: str, name: str) -> str | None:
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else None
