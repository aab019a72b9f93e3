"""A consultation closed before its deadline, and comments answered while it runs
(issue 15, friction 2)."""

from __future__ import annotations

import re
from datetime import timedelta

from app.clock import today
from app.strategies import service
from app.strategies.models import ConsultationComment, ConsultationRound, Invitee
from app.tenancy import scoped
from factories import (
    add_member,
    bearer,
    create_member,
    create_user,
    create_workspace,
    in_workspace,
    login,
    post,
)


def _round_row(db, ws, round_id):
    with in_workspace(db, ws):
        db.expire_all()
        return db.scalar(scoped(ConsultationRound, ws.id).where(ConsultationRound.id == round_id))


def _consultation(client, db, ws, coordinator):
    """A document with one section, published, and a round open today for twenty days; Osen
    invited with a later deadline of its own."""
    login(client, coordinator)
    r = post(
        client, f"/{ws.slug}/strategier/ny", {"title": "Strategi", "kind": "innovation_strategy"}
    )
    doc_id = int(r.headers["location"].rsplit("/", 1)[1])
    post(
        client, f"/{ws.slug}/strategier/{doc_id}/avsnitt", {"heading": "Mål", "body": "Samarbeid."}
    )
    post(client, f"/{ws.slug}/strategier/{doc_id}/publiser", {})
    r = post(
        client,
        f"/{ws.slug}/strategier/{doc_id}/hoeringer/ny",
        {
            "version": "1",
            "title": "Høring om strategien",
            "starts_on": today().isoformat(),
            "ends_on": (today() + timedelta(days=20)).isoformat(),
            "reminder_days": "3",
        },
    )
    assert r.status_code == 303, r.text
    round_id = int(re.search(r"/hoeringer/(\d+)", r.headers["location"]).group(1))
    base = f"/{ws.slug}/hoeringer/{round_id}"
    later = (today() + timedelta(days=30)).isoformat()
    r = post(
        client,
        f"{base}/inviterte",
        {"kind": "municipality", "municipality_number": "5020", "deadline": later},
    )
    assert r.status_code == 303, r.text
    with in_workspace(db, ws):
        key = service.sections_of(db, ws, doc_id)[0].key
    return base, round_id, key


def test_answers_while_open_stay_hidden_until_published(client, db, ws):
    kari = create_member(db, ws, "coordinator")
    osen = create_user(db)
    add_member(db, ws, osen, "municipal", municipality="5020")
    base, _round_id, key = _consultation(client, db, ws, kari)

    client.cookies.clear()
    login(client, osen)
    assert (
        post(client, f"{base}/kommentarer", {"section_key": key, "body": "Mer tid."}).status_code
        == 303
    )

    # The coordinator answers at once, while the round is open.
    client.cookies.clear()
    login(client, kari)
    with in_workspace(db, ws):
        comment = db.scalar(scoped(ConsultationComment, ws.id))
    page = client.get(base).text
    assert f"/kommentarer/{comment.id}/svar" in page  # the answer form is there while open
    r = post(
        client,
        f"{base}/kommentarer/{comment.id}/svar",
        {"answer": "partly", "reason": "Fristen forlenges for de minste."},
    )
    assert r.status_code == 303, r.text
    # ... but not published: the round is still open.
    r = post(client, f"{base}/publiser-svar")
    assert r.status_code == 422 and "etter den siste fristen" in r.text

    client.cookies.clear()
    login(client, osen)
    page = client.get(base).text
    assert "Mer tid." in page and "Fristen forlenges for de minste." not in page


def test_the_coordinator_closes_a_round_early_after_confirming(client, db, ws):
    kari = create_member(db, ws, "coordinator")
    osen = create_user(db)
    add_member(db, ws, osen, "municipal", municipality="5020")
    partner = create_member(db, ws, "partner")
    base, round_id, key = _consultation(client, db, ws, kari)
    other = create_workspace(db, county="46")
    visitor = create_member(db, other, "coordinator")

    client.cookies.clear()
    login(client, osen)
    assert (
        post(client, f"{base}/kommentarer", {"section_key": key, "body": "Tidlig."}).status_code
        == 303
    )
    # Nobody but the coordinator closes it; another county does not see it at all.
    assert post(client, f"{base}/avslutt", {"confirm": "yes"}).status_code == 403
    client.cookies.clear()
    login(client, partner)
    assert post(client, f"{base}/avslutt", {"confirm": "yes"}).status_code in (403, 404)
    client.cookies.clear()
    login(client, visitor)
    assert (
        post(client, f"/{ws.slug}/hoeringer/{round_id}/avslutt", {"confirm": "yes"}).status_code
        == 404
    )
    assert _round_row(db, ws, round_id).closed_at is None

    client.cookies.clear()
    login(client, kari)
    page = client.get(base).text
    assert "Avslutt høringen nå" in page
    # One click without the confirmation changes nothing.
    r = post(client, f"{base}/avslutt", {})
    assert r.status_code == 422 and "Kryss av for å bekrefte" in r.text
    assert _round_row(db, ws, round_id).closed_at is None
    r = post(client, f"{base}/avslutt", {"confirm": "yes"})
    assert r.status_code == 303, r.text
    closed = _round_row(db, ws, round_id)
    assert closed.closed_at is not None and closed.closed_by_id == kari.id
    page = client.get(base).text
    assert "Avsluttet" in page and "avsluttet før fristen" in page
    assert "Avslutt høringen nå" not in page
    assert post(client, f"{base}/avslutt", {"confirm": "yes"}).status_code == 422  # already

    # Osen's own later deadline does not keep it open.
    client.cookies.clear()
    login(client, osen)
    r = post(client, f"{base}/kommentarer", {"section_key": key, "body": "For sent."})
    assert r.status_code == 409 and "Høringen ble avsluttet" in r.text
    with in_workspace(db, ws):
        bodies = [c.body for c in db.scalars(scoped(ConsultationComment, ws.id))]
        assert bodies == ["Tidlig."]
        assert db.scalar(scoped(Invitee, ws.id)).deadline is not None  # kept, for the record

    # The answers can be published at once, without waiting for the deadlines.
    client.cookies.clear()
    login(client, kari)
    with in_workspace(db, ws):
        comment = db.scalar(scoped(ConsultationComment, ws.id))
    r = post(client, f"{base}/kommentarer/{comment.id}/svar", {"answer": "noted", "reason": ""})
    assert r.status_code == 303, r.text
    assert post(client, f"{base}/publiser-svar").status_code == 303
    assert _round_row(db, ws, round_id).answers_published_at is not None
    # Those who took part find the summary from the round (issue 15, friction 8).
    client.cookies.clear()
    login(client, osen)
    page = client.get(base).text
    assert f'href="{base}/oppsummering">Se høringsoppsummeringen</a>' in page
    assert client.get(f"{base}/oppsummering").status_code == 200


def test_a_round_is_closed_early_through_the_api(client, db, ws):
    kari = create_member(db, ws, "coordinator")
    osen = create_user(db)
    add_member(db, ws, osen, "municipal", municipality="5020")
    _base, round_id, key = _consultation(client, db, ws, kari)
    h_kari, h_osen = bearer(db, ws, kari), bearer(db, ws, osen)
    url = f"/api/v1/{ws.slug}/strategies/rounds/{round_id}"

    assert client.post(f"{url}/close", headers=h_osen).status_code == 403
    assert _round_row(db, ws, round_id).closed_at is None
    r = client.post(f"{url}/close", headers=h_kari)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "closed" and r.json()["closed_at"] is not None
    r = client.post(f"{url}/close", headers=h_kari)
    assert r.status_code == 422 and "allerede avsluttet" in r.json()["errors"]["form"]
    r = client.post(f"{url}/comments", json={"section_key": key, "body": "Sent."}, headers=h_osen)
    assert r.status_code == 409 and r.json()["code"] == "round_closed"
