"""Webinar series: a coordinator makes a series and its next sessions from the cadence; the
archive shows the sessions held, newest first, with recordings and slides, searchable in a
bounded number of queries; who may write; the JSON API."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from app import clock
from app.meetings import series as series_service
from app.meetings.schemas import SeriesForm
from factories import (
    add_body_member,
    bearer,
    create_body,
    create_meeting,
    create_member,
    in_workspace,
    login,
    post,
    staff_principal,
)


def _series(db, ws, body=None, title="Digitaliseringswebinar", cadence=14):
    with in_workspace(db, ws):
        return series_service.create_series(
            db,
            ws,
            staff_principal(),
            SeriesForm(
                title=title, theme="Erfaringer", cadence_days=cadence, body_id=body and body.id
            ),
        )


def _held(db, ws, s, title, days_ago, body=None, **fields):
    m = create_meeting(
        db, ws, body, title, day=clock.today() - timedelta(days=days_ago), kind="webinar", **fields
    )
    with in_workspace(db, ws):
        m.series_id = s.id
        db.flush()
    return m


def test_a_coordinator_makes_a_series_and_its_next_sessions_every_14_days(client, db, ws):
    body = create_body(db, ws, "DigiTrøndelag", "network")
    add_body_member(db, ws, body, "5020")
    login(client, create_member(db, ws, "coordinator"))
    r = post(
        client,
        f"/{ws.slug}/moter/serier",
        {
            "title": "Digiwebinar",
            "theme": "KI i kommunene",
            "cadence_days": "14",
            "body_id": str(body.id),
        },
    )
    assert r.status_code == 303
    archive = r.headers["location"]
    page = client.get(archive).text
    assert "Digiwebinar" in page and "KI i kommunene" in page and "hver 14. dag" in page
    first = clock.today() + timedelta(days=3)
    r = post(
        client,
        f"{archive}/okter",
        {"count": "3", "day": first.isoformat(), "start": "14:00", "end": "15:00"},
    )
    assert r.status_code == 303
    page = client.get(archive).text
    for n in (1, 2, 3):
        assert f"Digiwebinar {n}" in page
    # two more, on from the last one at the same time of day
    assert post(client, f"{archive}/okter", {"count": "2"}).status_code == 303
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    sid = archive.rsplit("/", 1)[1]
    detail = client.get(f"/api/v1/{ws.slug}/meetings/series/{sid}", headers=headers).json()
    upcoming = detail["upcoming"]
    assert [m["title"] for m in upcoming] == [f"Digiwebinar {n}" for n in range(1, 6)]
    starts = [m["starts_at"] for m in upcoming]
    days = [clock.local(datetime.fromisoformat(s)) for s in starts]
    assert all(b.date() - a.date() == timedelta(days=14) for a, b in pairwise(days))
    assert all(d.hour == 14 for d in days)
    assert all(m["kind"] == "webinar" and m["body_id"] == body.id for m in upcoming)
    # the sessions are meetings: the body's members are invited
    meeting = client.get(f"/api/v1/{ws.slug}/meetings/{upcoming[0]['id']}", headers=headers)
    assert [i["municipality_number"] for i in meeting.json()["invited"]] == ["5020"]


def test_the_first_sessions_need_a_day_and_nothing_is_stored_without_it(client, db, ws):
    s = _series(db, ws)
    login(client, create_member(db, ws, "coordinator"))
    r = post(client, f"/{ws.slug}/moter/serier/{s.id}/okter", {"count": "3"})
    assert r.status_code == 422
    assert "Velg datoen for den første økten" in r.text
    r = post(client, f"/{ws.slug}/moter/serier", {"title": "X", "cadence_days": "0"})
    assert r.status_code == 422 and "Tittelen må ha 3–200 tegn" in r.text
    assert "Ingen økter er holdt ennå" in client.get(f"/{ws.slug}/moter/serier/{s.id}").text


def test_the_archive_shows_sessions_held_newest_first_with_recordings_and_search(client, db, ws):
    s = _series(db, ws)
    _held(db, ws, s, "Webinar om skyløsninger", 30, recording_url="https://video.example.no/1")
    _held(
        db,
        ws,
        s,
        "Webinar om personvern",
        16,
        recording_url="https://video.example.no/2",
        slides_url="https://example.no/2.pdf",
        description="Om DPIA og skytjenester",
    )
    _held(db, ws, s, "Webinar om anskaffelser", 2)
    create_meeting(db, ws, None, "Kommende økt", kind="webinar")  # not in the series
    login(client, create_member(db, ws, "viewer"))
    page = client.get(f"/{ws.slug}/moter/serier/{s.id}").text
    assert page.index("anskaffelser") < page.index("personvern") < page.index("skyløsninger")
    assert 'href="https://video.example.no/2"' in page and 'href="https://example.no/2.pdf"' in page
    assert "Kommende økt" not in page
    assert "Lag de neste øktene" not in page  # a viewer reads only
    found = client.get(f"/{ws.slug}/moter/serier/{s.id}?q=sky", headers={"HX-Request": "true"})
    assert "<html" not in found.text
    assert "skyløsninger" in found.text and "personvern" in found.text  # title or description
    assert "anskaffelser" not in found.text
    listing = client.get(f"/{ws.slug}/moter/serier").text
    assert "Digitaliseringswebinar" in listing and "Ny webinarserie" not in listing


def test_the_archive_costs_the_same_queries_for_3_and_40_sessions(client, db, ws, count_queries):
    s = _series(db, ws)
    for i in range(3):
        _held(db, ws, s, f"Økt {i}", i + 1)
    login(client, create_member(db, ws, "coordinator"))
    urls = (f"/{ws.slug}/moter/serier/{s.id}", f"/{ws.slug}/moter/serier/{s.id}?q=Økt")

    def measure():
        counts = {}
        for url in urls:
            client.get(url)
            with count_queries() as q:
                assert client.get(url).status_code == 200
            counts[url] = q.count
        return counts

    before = measure()
    for i in range(37):
        _held(db, ws, s, f"Flere {i}", i + 5)
    after = measure()
    assert after == before, (before, after)
    page = client.get(urls[0]).text
    assert page.count('class="request-card"') == 30 and "Eldre økter" in page


def test_only_coordinators_and_the_secretariat_write_series(client, db, ws):
    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5020", role="secretariat")
    other = create_body(db, ws, "Fosen regionråd")
    add_body_member(db, ws, other, "5054")
    mine = _series(db, ws, body, "Namdalswebinar")
    theirs = _series(db, ws, other, "Fosenwebinar")
    login(client, create_member(db, ws, "municipal"))  # Osen, 5020: Namdal's secretariat
    listing = client.get(f"/{ws.slug}/moter/serier").text
    assert "Namdalswebinar" in listing and "Fosenwebinar" not in listing
    assert client.get(f"/{ws.slug}/moter/serier/{theirs.id}").status_code == 404
    day = (clock.today() + timedelta(days=2)).isoformat()
    r = post(client, f"/{ws.slug}/moter/serier/{mine.id}/okter", {"count": "1", "day": day})
    assert r.status_code == 303
    assert "Namdalswebinar 1" in client.get(f"/{ws.slug}/moter/serier/{mine.id}").text
    r = post(client, f"/{ws.slug}/moter/serier", {"title": "Fylkets egen", "cadence_days": "7"})
    assert r.status_code == 403


def test_a_plain_member_may_not_add_sessions(client, db, ws):
    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5020")
    s = _series(db, ws, body)
    login(client, create_member(db, ws, "municipal"))
    assert client.get(f"/{ws.slug}/moter/serier/{s.id}").status_code == 200
    day = (clock.today() + timedelta(days=2)).isoformat()
    r = post(client, f"/{ws.slug}/moter/serier/{s.id}/okter", {"count": "1", "day": day})
    assert r.status_code == 403


def test_series_through_the_api(client, db, ws):
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    r = client.post(
        f"/api/v1/{ws.slug}/meetings/series",
        json={"title": "API-serien", "theme": "Data", "cadence_days": 7},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    assert r.json()["sessions"] == [] and r.json()["cadence_days"] == 7
    r = client.post(
        f"/api/v1/{ws.slug}/meetings/series/{sid}/sessions",
        json={"count": 2, "day": (clock.today() + timedelta(days=1)).isoformat()},
        headers=headers,
    )
    assert [m["title"] for m in r.json()["upcoming"]] == ["API-serien 1", "API-serien 2"]
    listing = client.get(f"/api/v1/{ws.slug}/meetings/series", headers=headers).json()
    assert listing["total"] == 1 and listing["items"][0]["title"] == "API-serien"
    assert listing["next_cursor"] is None
    bad = client.post(
        f"/api/v1/{ws.slug}/meetings/series",
        json={"title": "Ugyldig", "cadence_days": 0},
        headers=headers,
    )
    assert bad.status_code == 422
    listing = client.get(f"/api/v1/{ws.slug}/meetings/series", headers=headers).json()
    assert listing["total"] == 1
