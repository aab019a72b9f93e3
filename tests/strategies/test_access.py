"""Who sees what in strategies: another workspace's objects answer 404 on every strategies
route (pages and API); invitees see only the rounds they were invited to, from the day they
open; a guest link works in its own workspace only. Query counts stay flat as data grows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.accounts import principal as principals
from app.clock import today
from app.strategies import measures, service
from app.strategies.consultation import comments as comment_service
from app.strategies.consultation import invitees, rounds
from app.strategies.consultation.schemas import (
    AmendmentCreate,
    CommentCreate,
    InviteeCreate,
    RoundCreate,
)
from app.strategies.models import ConsultationRound
from app.strategies.schemas import DocumentForm, MeasureForm, PublishForm, SectionCreate
from app.tenancy import scoped, set_db_scope
from factories import add_member, create_member, create_user, create_workspace, csrf, login
from factories import organisation as org_named

from .test_views import _coordinator, _open_round, _published


def _build(db, ws, coordinator, sections=2, comments=1):
    """A document with sections, a published version, an open round with an invitee, comments,
    a reply, an amendment and a measure — all through the services."""
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    actor = _coordinator(coordinator)
    doc = service.create_document(
        db, ws, actor, DocumentForm(title="Strategi", kind="innovation_strategy")
    )
    for n in range(sections):
        form = SectionCreate(heading=f"Avsnitt {n}", body=f"Tekst nummer {n}.")
        service.add_section(db, ws, actor, doc.id, form)
    service.publish(db, ws, actor, doc.id, PublishForm())
    r = rounds.create_round(
        db,
        ws,
        actor,
        doc.id,
        RoundCreate(
            version=1, title="Høring", starts_on=today(), ends_on=today() + timedelta(days=10)
        ),
    )
    inv = invitees.add_invitee(
        db, ws, r.id, InviteeCreate(kind="guest", guest_name="Gjest", guest_email="g@x.no")
    )
    guest = principals.guest(inv.id, "Gjest", "g@x.no")
    keys = [s.key for s in service.sections_of(db, ws, doc.id)]
    made = []
    for n in range(comments):
        form = CommentCreate(section_key=keys[n % len(keys)], body=f"Innspill {n}")
        made.append(comment_service.add_comment(db, ws, guest, r.id, form))
        reply = CommentCreate(section_key=keys[0], body="Svar", parent_id=made[-1].id)
        comment_service.add_comment(db, ws, guest, r.id, reply)
    from app.strategies import text

    body = service.version_sections(db, ws, r.version_id)[0].body
    amendment = AmendmentCreate(
        section_key=keys[0], proposed_text="Ny tekst.", base=text.fingerprint(body)
    )
    comment_service.add_amendment(db, ws, guest, r.id, amendment)
    m = measures.add(db, ws, doc.id, MeasureForm(title="Tiltak", owner="Fylket"))
    ids = {
        "doc_id": doc.id,
        "document_id": doc.id,
        "section_id": service.sections_of(db, ws, doc.id)[0].id,
        "number": 1,
        "round_id": r.id,
        "invitee_id": inv.id,
        "comment_id": made[0].id,
        "measure_id": m.id,
    }
    set_db_scope(db, workspace_id=None, user_id=None)
    return ids


def _strategy_routes(app):
    from tests.core.test_cross_workspace import _workspace_routes

    for method, path in _workspace_routes(app):
        if "strategi" in path or "hoering" in path or "/gjest/" in path:
            yield method, path


def test_another_workspaces_strategies_are_404_on_every_route(app, client, db):
    a = create_workspace(db, name="Fylke A")
    b = create_workspace(db, county="46", name="Fylke B")
    anne = create_member(db, a, "county_admin", name="Anne")
    bjorn = create_member(db, b, "coordinator", name="Bjørn")
    ids_b = _build(db, b, bjorn)
    # A has its own objects too, so that an id that happens to exist in A is not what we test
    db.commit()
    login(client, anne)
    routes = list(_strategy_routes(app))
    assert len(routes) >= 30
    checked = 0
    for method, path in routes:

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "workspace_slug":
                return a.slug
            if name == "token":
                return "x" * 32
            assert name in ids_b or name.endswith("_id"), f"unknown path parameter {name}"
            return str(ids_b.get(name, ids_b.get(name.replace("_id", "") + "_id", 1)))

        if "{" not in path.replace("{workspace_slug}", ""):
            continue  # lists and forms without an object: nothing of B's to ask for
        api = path.startswith("/api/")
        if api and method not in ("GET", "DELETE"):
            continue  # a JSON body is validated before the lookup; the API test covers these
        url = re.sub(r"\{(\w+)\}", fill, path)
        if path.endswith("/compare"):
            url += "?from=1&to=1"
        if method == "GET":
            r = client.get(url)
        elif api:
            r = client.request(method, url, headers={"X-CSRF-Token": csrf(client)})
        else:
            r = client.request(method, url, data={"csrf_token": csrf(client)})
        # A's admin asks for B's objects under A's own workspace: they are not there.
        assert r.status_code == 404, (method, url, r.status_code)
        checked += 1
    assert checked >= 30


def test_invitees_see_only_their_rounds_and_only_once_open(client, db):
    ws = create_workspace(db, county="50")
    kari = create_member(db, ws, "coordinator")
    ks_user = create_user(db, name="KS-rådgiver")
    add_member(db, ws, ks_user, "partner", organisation_id=org_named(db, "KS").id)
    sf_user = create_user(db, name="Statsforvalteren")
    add_member(
        db, ws, sf_user, "partner", organisation_id=org_named(db, "Statsforvalteren i Trøndelag").id
    )
    helper = create_member(db, ws, "helper")
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    actor = _coordinator(kari)
    doc, _section = _published(db, ws, actor, "Innledning", "Tekst.")
    open_round = rounds.create_round(
        db,
        ws,
        actor,
        doc.id,
        RoundCreate(
            version=1, title="Åpen høring", starts_on=today(), ends_on=today() + timedelta(days=5)
        ),
    )
    later = rounds.create_round(
        db,
        ws,
        actor,
        doc.id,
        RoundCreate(
            version=1,
            title="Senere høring",
            starts_on=today() + timedelta(days=3),
            ends_on=today() + timedelta(days=9),
        ),
    )
    ks = InviteeCreate(kind="organisation", organisation_id=org_named(db, "KS").id)
    invitees.add_invitee(db, ws, open_round.id, ks)
    invitees.add_invitee(db, ws, later.id, ks)
    set_db_scope(db, workspace_id=None, user_id=None)
    db.commit()

    login(client, ks_user)
    index = client.get(f"/{ws.slug}/strategier").text
    assert "Åpen høring" in index and "Senere høring" not in index
    assert client.get(f"/{ws.slug}/hoeringer/{open_round.id}").status_code == 200
    assert client.get(f"/{ws.slug}/hoeringer/{later.id}").status_code == 404
    assert client.get(f"/{ws.slug}/strategier/{doc.id}").status_code == 403  # no drafts
    assert client.get(f"/{ws.slug}/strategier/{doc.id}/versjoner/1").status_code == 403

    client.cookies.clear()
    login(client, sf_user)  # Statsforvalteren is not invited to either
    assert "Åpen høring" not in client.get(f"/{ws.slug}/strategier").text
    assert client.get(f"/{ws.slug}/hoeringer/{open_round.id}").status_code == 404

    client.cookies.clear()
    login(client, helper)  # reads, but neither comments nor answers
    page = client.get(f"/{ws.slug}/hoeringer/{open_round.id}").text
    assert "Åpen høring" in page and "Send kommentaren" not in page


def test_a_guest_link_works_only_in_its_own_workspace(client, db):
    a = create_workspace(db, county="50")
    b = create_workspace(db, county="46")
    kari = create_member(db, a, "coordinator")
    set_db_scope(db, workspace_id=a.id, user_id=None, county_number=a.county_number)
    actor = _coordinator(kari)
    doc, _section = _published(db, a, actor, "Innledning", "Tekst.")
    r = _open_round(db, a, actor, doc.id)
    inv = invitees.add_invitee(
        db, a, r.id, InviteeCreate(kind="guest", guest_name="Gjest", guest_email="g@x.no")
    )
    token = "kjent-token-for-testen"
    inv.token_hash = invitees.token_hash(token)
    set_db_scope(db, workspace_id=None, user_id=None)
    db.commit()
    assert client.get(f"/{a.slug}/gjest/{token}").status_code == 200
    assert client.get(f"/{b.slug}/gjest/{token}").status_code == 404
    assert client.get(f"/{a.slug}/gjest/{token}x").status_code == 404


@pytest.mark.parametrize("page", ["document", "round", "summary"])
def test_query_counts_do_not_grow_with_sections_and_comments(client, db, count_queries, page):
    counts = []
    for size in (2, 12):
        ws = create_workspace(db, county="50")
        kari = create_member(db, ws, "coordinator")
        ids = _build(db, ws, kari, sections=size, comments=size * 2)
        db.commit()
        client.cookies.clear()
        login(client, kari)
        url = {
            "document": f"/{ws.slug}/strategier/{ids['doc_id']}",
            "round": f"/{ws.slug}/hoeringer/{ids['round_id']}",
            "summary": f"/{ws.slug}/hoeringer/{ids['round_id']}/oppsummering",
        }[page]
        assert client.get(url).status_code == 200  # warm
        with count_queries() as q:
            r = client.get(url)
        assert r.status_code == 200
        if page != "document":
            assert r.text.count("Innspill ") >= size * 2
        counts.append(q.count)
    assert counts[0] == counts[1], counts


_ = ConsultationRound, scoped
