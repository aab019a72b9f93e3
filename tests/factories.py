"""Small helpers that create test data through the services, as the app would.

One section per domain. A feature module's services are imported inside its helpers, so that
the tests of one module do not depend on another module importing cleanly."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts import tokens
from app.accounts.models import Membership, User
from app.counties import service as counties
from app.counties.models import Organisation, Workspace
from app.counties.schemas import WorkspaceCreate
from app.tenancy import set_db_scope

if TYPE_CHECKING:
    from datetime import date

    from app.accounts.principal import Principal
    from app.helpdesk.models import HelpRequest
    from app.networks.models import Body, BodyMembership, Person
    from app.strategies.models import (
        ConsultationComment,
        ConsultationRound,
        Invitee,
        StrategyDocument,
    )

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
    extra_roles: tuple[str, ...] = (),
) -> Membership:
    """``user``'s membership of ``workspace`` in ``role`` (and ``extra_roles`` beside it)."""
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
    if extra_roles:
        accounts.set_extra_roles(db, workspace, membership.id, list(extra_roles))
    set_db_scope(db, workspace_id=None, user_id=None)
    db.flush()
    return membership


def create_member(
    db: Session, workspace: Workspace, role: str = "coordinator", **kwargs: Any
) -> User:
    user = create_user(db, **kwargs)
    add_member(db, workspace, user, role)
    return user


@contextmanager
def in_workspace(db: Session, workspace: Workspace) -> Iterator[None]:
    """Work on tenant rows of ``workspace`` directly, under its scope. What was done is
    committed (to the test's savepoint), so that a request that fails and rolls back does not
    take the set-up with it."""
    set_db_scope(db, workspace_id=workspace.id, user_id=None, county_number=workspace.county_number)
    try:
        yield
    finally:
        set_db_scope(db, workspace_id=None, user_id=None)
        db.commit()


def bearer(db: Session, workspace: Workspace, user: User, name: str = "test") -> dict[str, str]:
    """The header of an API call by ``user`` in ``workspace``, with a fresh personal token."""
    with in_workspace(db, workspace):
        _row, token = tokens.create_api_token(db, workspace.id, user, name)
    return {"Authorization": f"Bearer {token}"}


def principal_of(db: Session, workspace: Workspace, user: User) -> Principal:
    """Who ``user`` is when acting in ``workspace`` (their membership), as the app builds it for
    the services. Inside ``in_workspace`` the scope is left as it is."""
    from app.accounts import principal

    outside = db.info.get("workspace_id") != workspace.id
    if outside:
        set_db_scope(
            db, workspace_id=workspace.id, user_id=None, county_number=workspace.county_number
        )
    membership = accounts.get_membership(db, workspace.id, user.id)
    if outside:
        set_db_scope(db, workspace_id=None, user_id=None)
    assert membership is not None, f"{user.email} is not a member of {workspace.slug}"
    return principal.for_member(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role=membership.role,
        municipality_number=membership.municipality_number,
        organisation_id=membership.organisation_id,
        extra_roles=membership.extras,
    )


# --- networks ------------------------------------------------------------------------------


def create_body(
    db: Session, workspace: Workspace, name: str | None = None, kind: str = "council", **fields: Any
) -> Body:
    """A body (council, network, board, ...) of ``workspace``; ``fields`` as in BodyForm."""
    from app.networks import service as networks
    from app.networks.schemas import BodyForm

    with in_workspace(db, workspace):
        return networks.create_body(
            db, workspace, BodyForm(name=name or f"Organ {_next()}", kind=kind, **fields)
        )


def add_body_member(
    db: Session,
    workspace: Workspace,
    body: Body,
    municipality: str | None = None,
    *,
    organisation_id: int | None = None,
    role: str = "member",
    start: Any = None,
    end: Any = None,
) -> BodyMembership:
    """A municipality (or an organisation) as a member of ``body``, from ``start`` to ``end``."""
    from app.networks import service as networks
    from app.networks.schemas import MembershipForm

    form = MembershipForm(
        municipality_number=municipality,
        organisation_id=organisation_id,
        role=role,
        start_date=start,
        end_date=end,
    )
    with in_workspace(db, workspace):
        return networks.add_membership(db, workspace, body.id, form)


def accept_shares(db: Session, workspace: Workspace) -> None:
    """Accept, as a coordinator of ``workspace`` would, every body other counties' workspaces
    share with it: until then nothing of those bodies is visible there."""
    from app.networks import service as networks

    with in_workspace(db, workspace):
        for request in networks.share_requests(db, workspace):
            networks.answer_share(db, workspace, request.share.id, accept=True, user_id=None)


def create_person(
    db: Session,
    workspace: Workspace,
    name: str | None = None,
    municipality: str = "5020",
    areas: list[str] | tuple[str, ...] = (),
    **fields: Any,
) -> Person:
    """A contact person in ``municipality`` responsible for ``areas``, with an e-mail address
    from the first name unless given; ``fields`` as in PersonForm (title, email, phone)."""
    from app.networks import contacts
    from app.networks.schemas import PersonForm

    name = name or f"Kontakt {_next()}"
    fields.setdefault("email", f"{name.split()[0].lower()}@kommune.no")
    form = PersonForm(name=name, municipality_number=municipality, areas=list(areas), **fields)
    with in_workspace(db, workspace):
        return contacts.create_person(db, workspace, form)


# --- helpdesk ------------------------------------------------------------------------------


def create_help_request(
    db: Session,
    workspace: Workspace,
    requester: User | None = None,
    *,
    municipality: str = "5020",
    category: str = "funding",
    title: str | None = None,
    description: str = "Vi trenger hjelp med en søknad.",
    urgency: str = "normal",
    on_site: bool = False,
) -> HelpRequest:
    """A help request filed through the service, by ``requester`` (a member of ``workspace``) or
    by a new municipal user of ``municipality``."""
    from app.helpdesk import lifecycle
    from app.helpdesk.schemas import RequestForm

    if requester is None:
        requester = create_user(db, name="Kommune Kontakt")
        add_member(db, workspace, requester, "municipal", municipality=municipality)
    acting = principal_of(db, workspace, requester)
    form = RequestForm(
        category=category,
        title=title or f"Forespørsel {_next()}",
        description=description,
        urgency=urgency,
        on_site=on_site,
        municipality_number=municipality,
    )
    with in_workspace(db, workspace):
        return lifecycle.file_request(db, workspace, acting, form)


def set_request(db: Session, workspace: Workspace, req: HelpRequest, **values: Any) -> None:
    """Set columns of a help request directly (a state, due times), as if time had passed."""
    from sqlalchemy import inspect

    from app.helpdesk.models import HelpRequest as Request
    from app.tenancy import scoped

    columns = inspect(Request).columns
    assert all(key in columns for key in values), values  # no attribute set by a typo
    with in_workspace(db, workspace):
        row = db.scalar(scoped(Request, workspace.id).where(Request.id == req.id))
        assert row is not None
        for key, value in values.items():
            setattr(row, key, value)


def assign_request(db: Session, workspace: Workspace, req: HelpRequest, user: User) -> None:
    """``user`` on the request, which becomes "assigned" (as triage would leave it)."""
    from app.helpdesk.models import HelpRequest as Request
    from app.helpdesk.models import RequestAssignee
    from app.tenancy import scoped

    with in_workspace(db, workspace):
        db.add(RequestAssignee(workspace_id=workspace.id, request_id=req.id, user_id=user.id))
        row = db.scalar(scoped(Request, workspace.id).where(Request.id == req.id))
        assert row is not None
        row.state = "assigned"


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


# --- strategies ----------------------------------------------------------------------------


def create_document(
    db: Session,
    workspace: Workspace,
    author: User,
    title: str = "Strategi",
    kind: str = "innovation_strategy",
    sections: list[tuple[str, str]] | tuple[tuple[str, str], ...] = (("Innledning", "Tekst."),),
    publish: bool = False,
) -> StrategyDocument:
    """A strategy document with ``sections`` (heading, Markdown) in its draft, written by
    ``author`` (a coordinator of ``workspace``); with ``publish`` the draft becomes version 1."""
    from app.strategies import service as strategies
    from app.strategies.schemas import DocumentForm, PublishForm, SectionCreate

    acting = principal_of(db, workspace, author)
    with in_workspace(db, workspace):
        doc = strategies.create_document(
            db, workspace, acting, DocumentForm(title=title, kind=kind)
        )
        for heading, body in sections:
            strategies.add_section(
                db, workspace, acting, doc.id, SectionCreate(heading=heading, body=body)
            )
        if publish:
            strategies.publish(db, workspace, acting, doc.id, PublishForm())
    return doc


def create_round(
    db: Session,
    workspace: Workspace,
    author: User,
    document: StrategyDocument,
    *,
    title: str = "Høring",
    starts_on: date | None = None,
    ends_on: date | None = None,
    version: int = 1,
) -> ConsultationRound:
    """A consultation round on published ``version`` of ``document``: from today for ten days
    unless told otherwise."""
    from datetime import timedelta

    from app.clock import today
    from app.strategies.consultation import rounds
    from app.strategies.consultation.schemas import RoundCreate

    starts_on = starts_on or today()
    form = RoundCreate(
        title=title,
        starts_on=starts_on,
        ends_on=ends_on or starts_on + timedelta(days=10),
        version=version,
    )
    acting = principal_of(db, workspace, author)
    with in_workspace(db, workspace):
        return rounds.create_round(db, workspace, acting, document.id, form)


def create_invitee(
    db: Session,
    workspace: Workspace,
    consultation_round: ConsultationRound,
    kind: str = "guest",
    **fields: Any,
) -> Invitee:
    """Invite to ``consultation_round``: a guest (named "Gjest" unless ``guest_name`` and
    ``guest_email`` are given), an organisation (``organisation_id``), a municipality
    (``municipality_number``) or a body (``body_id``). In an open round the mail goes out."""
    from app.strategies.consultation import invitees
    from app.strategies.consultation.schemas import InviteeCreate

    if kind == "guest":
        fields.setdefault("guest_name", "Gjest")
        fields.setdefault("guest_email", f"gjest{_next()}@example.no")
    with in_workspace(db, workspace):
        return invitees.add_invitee(
            db, workspace, consultation_round.id, InviteeCreate(kind=kind, **fields)
        )


def create_comment(
    db: Session,
    workspace: Workspace,
    consultation_round: ConsultationRound,
    author: User | Invitee | Principal,
    body: str = "Innspill.",
    *,
    section_key: str | None = None,
    quote: str = "",
    parent: ConsultationComment | None = None,
) -> ConsultationComment:
    """A comment on a section of the round's version (the first one unless ``section_key`` is
    given), or a reply to ``parent``. ``author``: a guest invitee (through their link), an
    invited member, or staff (who may only reply)."""
    from app.accounts import principal
    from app.strategies import service as strategies
    from app.strategies.consultation import comments
    from app.strategies.consultation.schemas import CommentCreate
    from app.strategies.models import Invitee

    if isinstance(author, User):
        acting = principal_of(db, workspace, author)
    elif isinstance(author, Invitee):
        acting = principal.guest(author.id, author.guest_name or "", author.guest_email)
    else:
        acting = author
    with in_workspace(db, workspace):
        if section_key is None:
            sections = strategies.version_sections(db, workspace, consultation_round.version_id)
            section_key = sections[0].key
        form = CommentCreate(
            section_key=section_key,
            body=body,
            quote=quote,
            parent_id=parent.id if parent else None,
        )
        return comments.add_comment(db, workspace, acting, consultation_round.id, form)


# --- schemes ---------------------------------------------------------------------------------


def national_scheme(db: Session, key: str = "digifin") -> Any:
    """A national scheme of the reference catalogue (loaded by migrate)."""
    from app.schemes.models import Scheme
    from app.tenancy import scoped_national

    return db.scalar(scoped_national(Scheme).where(Scheme.key == key))


def create_scheme(db: Session, workspace: Workspace, name: str | None = None, **fields: Any) -> Any:
    """A county's own scheme; ``fields`` as in SchemeForm."""
    from app.schemes import service as schemes
    from app.schemes.schemas import SchemeForm

    with in_workspace(db, workspace):
        return schemes.create_scheme(
            db, workspace, SchemeForm(name=name or f"Fond {_next()}", **fields)
        )


def create_call(
    db: Session,
    workspace: Workspace,
    scheme: Any,
    *,
    deadline: Any = None,
    opens_on: Any = None,
    title: str | None = None,
    **fields: Any,
) -> Any:
    """A call of ``scheme`` (national or own) in ``workspace``; deadline a date (13:00 Oslo),
    30 days from today unless given."""
    from datetime import timedelta

    from app.clock import today
    from app.schemes import service as schemes
    from app.schemes.schemas import CallForm

    with in_workspace(db, workspace):
        return schemes.create_call(
            db,
            workspace,
            scheme.id,
            CallForm(
                title=title or f"Utlysning {_next()}",
                opens_on=opens_on,
                deadline_date=deadline or today() + timedelta(days=30),
                **fields,
            ),
        )


def create_participation(
    db: Session,
    workspace: Workspace,
    scheme: Any,
    lead: str = "5020",
    partners: tuple[str, ...] = (),
    *,
    year: int = 2025,
    status: str = "granted",
    **fields: Any,
) -> Any:
    """A participation record with ``lead`` and ``partners``, created as a coordinator."""
    from app.accounts.permissions import actions_for
    from app.accounts.principal import Principal
    from app.schemes import service as schemes
    from app.schemes.schemas import ParticipationForm

    staff = Principal(user_id=None, name="test", email=None, actions=actions_for("coordinator"))
    with in_workspace(db, workspace):
        return schemes.create_participation(
            db,
            workspace,
            staff,
            ParticipationForm(
                scheme_id=scheme.id,
                lead=lead,
                partners=list(partners),
                year=year,
                status=status,
                **fields,
            ),
        )


# --- innovations -------------------------------------------------------------------------------


def staff_principal(role: str = "coordinator", municipality: str | None = None) -> Principal:
    """Someone acting in ``role`` without an account of their own in the test database."""
    from app.accounts.permissions import actions_for
    from app.accounts.principal import Principal

    return Principal(
        user_id=None,
        name="test",
        email=None,
        actions=actions_for(role),
        municipality_number=municipality if role == "municipal" else None,
    )


def create_innovation(
    db: Session,
    workspace: Workspace,
    title: str | None = None,
    origin: str = "5020",
    *,
    shared: bool = False,
    **fields: Any,
) -> Any:
    """An innovation of ``workspace`` made in ``origin``; ``fields`` as in InnovationForm."""
    from app.innovations import service as innovations
    from app.innovations.schemas import InnovationForm

    with in_workspace(db, workspace):
        inn = innovations.create_innovation(
            db,
            workspace,
            InnovationForm(
                title=title or f"Løsning {_next()}", origin_municipality_number=origin, **fields
            ),
        )
        if shared:
            innovations.set_shared(db, workspace, inn.id, True)
        return inn


def adopt(
    db: Session,
    workspace: Workspace,
    innovation: Any,
    municipality: str,
    status: str = "in_use",
    **fields: Any,
) -> Any:
    """``municipality`` takes ``innovation`` into use, as recorded by ``workspace``."""
    from app.innovations import service as innovations
    from app.innovations.schemas import AdoptionForm

    with in_workspace(db, workspace):
        return innovations.record_adoption(
            db,
            workspace,
            staff_principal(),
            innovation.id,
            AdoptionForm(municipality_number=municipality, status=status, **fields),
        )


# --- meetings ------------------------------------------------------------------------------


def create_meeting(
    db: Session,
    workspace: Workspace,
    body: Body | None = None,
    title: str | None = None,
    *,
    day: date | None = None,
    start: str = "10:00",
    end: str = "12:00",
    **fields: Any,
) -> Any:
    """A meeting of ``body`` (or of the county), made by a coordinator; its members invited."""
    from datetime import timedelta

    from app import clock
    from app.meetings import service as meetings
    from app.meetings.schemas import MeetingForm

    form = MeetingForm(
        title=title or f"Møte {_next()}",
        body_id=body.id if body else None,
        day=day or clock.today() + timedelta(days=7),
        start=start,
        end=end,
        **fields,
    )
    with in_workspace(db, workspace):
        return meetings.create_meeting(db, workspace, staff_principal(), form)
