"""Titles and names are one line (issue 14, finding 5): a line break in a title or a name is
refused with the message next to the field, on the pages and in the JSON API, and nothing is
saved. The same input on one line goes through, so it is the line break that is refused. A
title stored with a line break before this rule still gets its invitation mail out."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from app.accounts.models import ApiToken, User
from app.clock import today
from app.helpdesk.models import HelpRequest, RequestStep, Visit
from app.networks.models import Body, Person
from app.strategies.models import (
    ConsultationRound,
    Invitee,
    Measure,
    StrategyDocument,
    StrategySection,
)
from app.tenancy import scoped
from factories import (
    bearer,
    create_document,
    create_help_request,
    create_member,
    create_round,
    in_workspace,
    login,
    post,
)

BROKEN = "Linje 1\nLinje 2"
BROKEN_CR = "Linje 1\r\nLinje 2"
WHOLE = "Linje 1 Linje 2"

TITLE = "Tittelen må stå på én linje."
NAME = "Navnet må stå på én linje."
HEADING = "Overskriften må stå på én linje."
OWNER = "Eieren må stå på én linje."
TEXT = "Teksten må stå på én linje."


def count(db, ws, model: Any) -> int:
    """Rows of ``model`` in ``ws``, as the database holds them."""
    with in_workspace(db, ws):
        return int(db.scalar(select(func.count()).select_from(scoped(model, ws.id).subquery())))


@dataclass
class World:
    """What the cases post into: a workspace with a coordinator, a help request, a published
    strategy document and an open consultation round."""

    db: Any
    ws: Any
    coordinator: Any
    _request: int | None = None
    _document: int | None = None
    _round: int | None = None

    @property
    def request_number(self) -> int:
        if self._request is None:
            self._request = create_help_request(self.db, self.ws).number
        return self._request

    @property
    def document_id(self) -> int:
        if self._document is None:
            doc = create_document(self.db, self.ws, self.coordinator, publish=True)
            self._document = doc.id
        return self._document

    @property
    def round_id(self) -> int:
        if self._round is None:
            doc = create_document(self.db, self.ws, self.coordinator, publish=True)
            self._round = create_round(self.db, self.ws, self.coordinator, doc).id
        return self._round


@dataclass
class Case:
    """One form or API body: where it goes, what it sends (``{}`` is the text under test),
    which field carries the text, its message, and the table a saved row would land in."""

    id: str
    url: Callable[[World], str]
    data: Callable[[World, str], dict[str, Any]]
    field: str
    message: str
    model: Any


def _in_days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def _round(w: World, title: str) -> dict[str, Any]:
    return {"version": 1, "title": title, "starts_on": _in_days(0), "ends_on": _in_days(14)}


API_CASES = [
    Case(
        "body name",
        lambda w: f"/api/v1/{w.ws.slug}/bodies",
        lambda w, t: {"name": t, "kind": "council"},
        "name",
        NAME,
        Body,
    ),
    Case(
        "body contact name",
        lambda w: f"/api/v1/{w.ws.slug}/bodies",
        lambda w, t: {"name": "Digitaliseringsnettverket", "kind": "network", "contact_name": t},
        "contact_name",
        NAME,
        Body,
    ),
    Case(
        "contact person name",
        lambda w: f"/api/v1/{w.ws.slug}/contacts",
        lambda w, t: {"name": t, "municipality_number": "5020"},
        "name",
        NAME,
        Person,
    ),
    Case(
        "contact person title",
        lambda w: f"/api/v1/{w.ws.slug}/contacts",
        lambda w, t: {"name": "Kari Nordmann", "municipality_number": "5020", "title": t},
        "title",
        TITLE,
        Person,
    ),
    Case(
        "strategy document title",
        lambda w: f"/api/v1/{w.ws.slug}/strategies/documents",
        lambda w, t: {"title": t, "kind": "innovation_strategy"},
        "title",
        TITLE,
        StrategyDocument,
    ),
    Case(
        "section heading",
        lambda w: f"/api/v1/{w.ws.slug}/strategies/documents/{w.document_id}/sections",
        lambda w, t: {"heading": t, "body": "Kommunene samarbeider."},
        "heading",
        HEADING,
        StrategySection,
    ),
    Case(
        "measure title",
        lambda w: f"/api/v1/{w.ws.slug}/strategies/documents/{w.document_id}/measures",
        lambda w, t: {"title": t, "owner": "Fylkeskommunen"},
        "title",
        TITLE,
        Measure,
    ),
    Case(
        "measure owner",
        lambda w: f"/api/v1/{w.ws.slug}/strategies/documents/{w.document_id}/measures",
        lambda w, t: {"title": "Felles innbyggerdialog", "owner": t},
        "owner",
        OWNER,
        Measure,
    ),
    Case(
        "consultation round title",
        lambda w: f"/api/v1/{w.ws.slug}/strategies/documents/{w.document_id}/rounds",
        _round,
        "title",
        TITLE,
        ConsultationRound,
    ),
    Case(
        "guest invitee name",
        lambda w: f"/api/v1/{w.ws.slug}/strategies/rounds/{w.round_id}/invitees",
        lambda w, t: {"kind": "guest", "guest_name": t, "guest_email": "post@forskning.example"},
        "guest_name",
        NAME,
        Invitee,
    ),
    Case(
        "help request plan step",
        lambda w: f"/api/v1/{w.ws.slug}/helpdesk/requests/{w.request_number}/steps",
        lambda w, t: {"step_title": t},
        "step_title",
        TITLE,
        RequestStep,
    ),
    Case(
        "help request visit place",
        lambda w: f"/api/v1/{w.ws.slug}/helpdesk/requests/{w.request_number}/visits",
        lambda w, t: {"day": _in_days(7), "start": "10:00", "end": "11:30", "place": t},
        "place",
        TEXT,
        Visit,
    ),
]


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.id)
def test_api_refuses_a_line_break_and_saves_nothing(client, db, ws, case: Case):
    coordinator = create_member(db, ws, "coordinator", name="Kari Koordinator")
    world = World(db, ws, coordinator)
    url = case.url(world)
    headers = bearer(db, ws, coordinator)
    before = count(db, ws, case.model)

    for broken in (BROKEN, BROKEN_CR):
        r = client.post(url, json=case.data(world, broken), headers=headers)
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["code"] == "invalid_input"
        assert body["errors"] == {case.field: case.message}
    assert count(db, ws, case.model) == before

    r = client.post(url, json=case.data(world, WHOLE), headers=headers)
    assert r.status_code == 201, r.text
    assert count(db, ws, case.model) == before + 1


def test_api_help_request_title_is_one_line(client, db, ws):
    osen = create_member(db, ws, "municipal")  # 5020 Osen
    headers = bearer(db, ws, osen)
    url = f"/api/v1/{ws.slug}/helpdesk/requests"
    data = {"category": "funding", "description": "Vi trenger hjelp med en søknad."}
    r = client.post(url, json={**data, "title": BROKEN}, headers=headers)
    assert r.status_code == 422
    assert r.json()["errors"] == {"title": "Overskriften må stå på én linje."}
    assert count(db, ws, HelpRequest) == 0
    assert client.post(url, json={**data, "title": WHOLE}, headers=headers).status_code == 201
    assert count(db, ws, HelpRequest) == 1


def test_api_update_with_a_line_break_keeps_the_title(client, db, ws):
    coordinator = create_member(db, ws, "coordinator")
    doc = create_document(db, ws, coordinator, title="Digitaliseringsstrategi")
    headers = bearer(db, ws, coordinator)
    url = f"/api/v1/{ws.slug}/strategies/documents/{doc.id}"
    r = client.put(url, json={"title": BROKEN, "kind": "innovation_strategy"}, headers=headers)
    assert r.status_code == 422 and r.json()["errors"] == {"title": TITLE}
    assert client.get(url, headers=headers).json()["title"] == "Digitaliseringsstrategi"


# --- the pages -------------------------------------------------------------------------------

PAGE_CASES = [
    Case(
        "new strategy document",
        lambda w: f"/{w.ws.slug}/strategier/ny",
        lambda w, t: {"title": t, "kind": "innovation_strategy"},
        "title",
        TITLE,
        StrategyDocument,
    ),
    Case(
        "new consultation round",
        lambda w: f"/{w.ws.slug}/strategier/{w.document_id}/hoeringer/ny",
        lambda w, t: {**_round(w, t), "version": "1", "reminder_days": "3"},
        "title",
        TITLE,
        ConsultationRound,
    ),
    Case(
        "new measure",
        lambda w: f"/{w.ws.slug}/strategier/{w.document_id}/tiltak",
        lambda w, t: {"title": t, "owner": "Fylkeskommunen", "status": "planned"},
        "title",
        TITLE,
        Measure,
    ),
    Case(
        "new body",
        lambda w: f"/{w.ws.slug}/organer",
        lambda w, t: {"name": t, "kind": "council"},
        "name",
        NAME,
        Body,
    ),
    Case(
        "new contact person",
        lambda w: f"/{w.ws.slug}/kontakter",
        lambda w, t: {"name": "Kari Nordmann", "municipality_number": "5020", "title": t},
        "title",
        TITLE,
        Person,
    ),
    Case(
        "plan step of a help request",
        lambda w: f"/{w.ws.slug}/hjelp/{w.request_number}/steg",
        lambda w, t: {"step_title": t},
        "step_title",
        TITLE,
        RequestStep,
    ),
    Case(
        "API token",
        lambda w: f"/{w.ws.slug}/api-nokler",
        lambda w, t: {"name": t},
        "name",
        NAME,
        ApiToken,
    ),
]


@pytest.mark.parametrize("hx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("case", PAGE_CASES, ids=lambda c: c.id)
def test_page_form_refuses_a_line_break_next_to_the_field(client, db, ws, case: Case, hx: bool):
    coordinator = create_member(db, ws, "coordinator", name="Kari Koordinator")
    world = World(db, ws, coordinator)
    url = case.url(world)
    before = count(db, ws, case.model)
    login(client, coordinator)
    headers = {"HX-Request": "true"} if hx else {}

    r = post(client, url, case.data(world, BROKEN), headers=headers)
    assert r.status_code == 422, r.text[:500]
    error = re.search(rf'id="f-{case.field}-error"[^>]*>([^<]*)<', r.text)
    assert error is not None and error.group(1) == case.message, r.text[:2000]
    assert count(db, ws, case.model) == before

    r = post(client, url, case.data(world, WHOLE), headers=headers)
    assert r.status_code < 400, r.text[:500]
    assert count(db, ws, case.model) == before + 1


def _invitation_link(message: Any) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"http://\S+/invitasjon/\S+", body)
    assert match, body
    return match.group(0).replace("http://127.0.0.1:8000", "")


def test_a_new_account_name_is_one_line(client, db, ws, smtp, deliver):
    admin = create_member(db, ws, "county_admin")
    login(client, admin)
    invited = {"email": "ny.person@kommune.no", "role": "coordinator"}
    assert post(client, f"/{ws.slug}/brukere/inviter", invited).status_code == 303
    deliver()
    link = _invitation_link(smtp.messages[-1])
    client.cookies.clear()

    r = post(client, link, {"name": "Ny\nPerson", "password": "et-godt-passord"})
    assert r.status_code == 422
    assert re.search(rf'id="f-name-error"[^>]*>{NAME}<', r.text)
    assert db.scalar(select(User).where(User.email == "ny.person@kommune.no")) is None

    r = post(client, link, {"name": "Ny Person", "password": "et-godt-passord"})
    assert r.status_code == 303
    user = db.scalar(select(User).where(User.email == "ny.person@kommune.no"))
    assert user is not None and user.name == "Ny Person"


# --- a title stored before the rule ----------------------------------------------------------


def test_a_round_title_stored_with_a_line_break_still_sends_its_invitation(
    client, db, ws, smtp, deliver
):
    coordinator = create_member(db, ws, "coordinator", name="Kari Koordinator")
    doc = create_document(db, ws, coordinator, publish=True)
    consultation = create_round(db, ws, coordinator, doc, title="Høring")
    with in_workspace(db, ws):  # as an older version of the app could store it
        db.execute(
            text("UPDATE consultation_round SET title = :title WHERE id = :id"),
            {"title": "Høring om\r\ndigitaliseringsstrategien", "id": consultation.id},
        )

    login(client, coordinator)
    r = post(
        client,
        f"/{ws.slug}/hoeringer/{consultation.id}/inviterte",
        {"kind": "guest", "guest_name": "Forskningsinstituttet", "guest_email": "post@f.example"},
    )
    assert r.status_code == 303, r.text[:500]
    assert deliver() == 1
    [mail] = [m for m in smtp.messages if m["To"] == "post@f.example"]
    assert mail["Subject"] == "Invitasjon til høring: Høring om digitaliseringsstrategien"
