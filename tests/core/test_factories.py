"""The test factories make what they say, in the workspace they are given, through the
services: so that a test built on them tests the app, and a new module has a pattern to copy."""

from __future__ import annotations

from app.helpdesk import queue
from app.networks import contacts
from app.networks.body_detail import body_detail
from app.strategies import service as strategies
from app.strategies.consultation import invitees
from app.strategies.models import ConsultationComment
from app.tenancy import scoped
from factories import (
    add_body_member,
    bearer,
    create_body,
    create_comment,
    create_document,
    create_help_request,
    create_invitee,
    create_member,
    create_person,
    create_round,
    create_workspace,
    in_workspace,
    principal_of,
)


def test_bearer_signs_api_calls_in_its_own_workspace_only(client, db, ws):
    user = create_member(db, ws, "viewer")
    other = create_workspace(db, county="46")
    headers = bearer(db, ws, user)
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json()["email"] == user.email
    assert client.get(f"/api/v1/{ws.slug}/municipalities", headers=headers).status_code == 200
    assert client.get(f"/api/v1/{other.slug}/municipalities", headers=headers).status_code == 404


def test_network_factories(db, ws):
    council = create_body(db, ws, "Namdal regionråd")
    create_body(db, ws, "Styret", "board", parent_id=council.id)
    add_body_member(db, ws, council, "5020")
    kari = create_person(db, ws, "Kari Nordmann", "5020", ["school"])
    with in_workspace(db, ws):
        detail = body_detail(db, ws, council.id)
        person = contacts.get_person(db, ws, kari.id)
    assert detail.body.name == "Namdal regionråd"
    assert [c.name for c in detail.children] == ["Styret"]
    assert [m.municipality_number for m in detail.current] == ["5020"]
    assert (person.name, person.municipality_number) == ("Kari Nordmann", "5020")
    assert person.email == "kari@kommune.no"
    assert [r.area for r in person.responsibilities] == ["school"]


def test_helpdesk_factory_files_as_a_municipal_user(db, ws):
    filed = create_help_request(db, ws, title="Søknad om midler", on_site=True)
    coordinator = create_member(db, ws, "coordinator")
    with in_workspace(db, ws):
        found = queue.get_request(db, ws, principal_of(db, ws, coordinator), filed.number)
    assert (found.title, found.state, found.on_site) == ("Søknad om midler", "new", True)
    assert found.municipality_number == "5020"


def test_strategy_factories_build_a_round_with_a_thread(db, ws):
    coordinator = create_member(db, ws, "coordinator")
    doc = create_document(
        db, ws, coordinator, sections=[("Mål", "Fylket vil."), ("Tiltak", "Vi gjør.")], publish=True
    )
    r = create_round(db, ws, coordinator, doc)
    guest = create_invitee(db, ws, r)
    first = create_comment(db, ws, r, guest, "Et innspill.")
    reply = create_comment(db, ws, r, coordinator, "Et svar.", parent=first)
    with in_workspace(db, ws):
        assert [s.heading for s in strategies.sections_of(db, ws, doc.id)] == ["Mål", "Tiltak"]
        assert [v.number for v in strategies.versions_of(db, ws, doc.id)] == [1]
        assert [i.id for i in invitees.invitees_of(db, ws, r.id)] == [guest.id]
        thread = db.scalars(
            scoped(ConsultationComment, ws.id)
            .where(ConsultationComment.round_id == r.id)
            .order_by(ConsultationComment.id)
        ).all()
    assert [(c.body, c.parent_id) for c in thread] == [
        ("Et innspill.", None),
        ("Et svar.", first.id),
    ]
    assert reply.id == thread[1].id
