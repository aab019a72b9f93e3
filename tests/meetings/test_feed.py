"""A person's meetings as a secret calendar feed: the meetings they are invited to or whose
bodies their municipality is in, a new address replaces the old, and the address stops working
when its owner leaves."""

from __future__ import annotations

import re

from factories import (
    add_body_member,
    create_body,
    create_meeting,
    create_member,
    in_workspace,
    login,
    post,
)


def _address(page: str) -> str:
    match = re.search(r'id="feed-url">[^<]*(/kalender/moter/[^<]+\.ics)</code>', page)
    assert match, page[-2000:]
    return match.group(1)


def test_a_municipal_user_subscribes_to_their_meetings(client, db, ws):
    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5020")
    other = create_body(db, ws, "Fosen regionråd")
    add_body_member(db, ws, other, "5054")
    create_meeting(db, ws, body, "Namdal-møtet")
    create_meeting(db, ws, other, "Fosen-møtet")
    user = create_member(db, ws, "municipal")  # Osen, 5020
    login(client, user)
    page = client.get(f"/{ws.slug}/moter/kalender").text
    assert "Lag abonnementsadresse" in page and 'id="feed-url"' not in page
    r = post(client, f"/{ws.slug}/moter/kalender")
    assert r.status_code == 201
    url = _address(r.text)
    client.cookies.clear()  # a calendar program has no session
    feed = client.get(url)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert "Namdal-møtet" in feed.text and "Fosen-møtet" not in feed.text
    assert feed.headers["cache-control"] == "private, no-store"
    # a new address replaces the old one
    login(client, user)
    assert "Lag ny abonnementsadresse" in client.get(f"/{ws.slug}/moter/kalender").text
    second = _address(post(client, f"/{ws.slug}/moter/kalender").text)
    assert second != url
    assert client.get(url).status_code == 404
    assert client.get(second).status_code == 200
    assert client.get("/kalender/moter/mcal_1_gjetting.ics").status_code == 404


def test_the_address_stops_working_when_its_owner_leaves(client, db, ws):
    from app.accounts.models import Membership
    from app.tenancy import scoped

    create_meeting(db, ws, None, "Fylkets samling")
    user = create_member(db, ws, "coordinator")
    login(client, user)
    url = _address(post(client, f"/{ws.slug}/moter/kalender").text)
    assert "Fylkets samling" in client.get(url).text
    with in_workspace(db, ws):
        membership = db.scalar(scoped(Membership, ws.id).where(Membership.user_id == user.id))
        db.delete(membership)
        db.flush()
    assert client.get(url).status_code == 404
