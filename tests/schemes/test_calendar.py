"""The deadline calendar: the page, the iCalendar download, the secret feed and the API's
calendar, on both databases."""

from __future__ import annotations

import re
from datetime import timedelta

from icalendar import Calendar

from app.accounts import service as accounts_service
from app.clock import at, local_date, today, utcnow
from app.schemes.reminder_text import deadline_text, month_text
from factories import (
    add_member,
    bearer,
    create_call,
    create_member,
    create_scheme,
    create_user,
    create_workspace,
    in_workspace,
    login,
    national_scheme,
    post,
)


def events(body: bytes) -> list:
    return [c for c in Calendar.from_ical(body).walk() if c.name == "VEVENT"]


def feed_path(html: str) -> str:
    match = re.search(r'id="feed-url">http://[^/]+(/frister/[^<]+)<', html)
    assert match, "the feed address is not on the page"
    return match.group(1)


def test_page_lists_deadlines_by_month_in_norwegian_time(client, db, ws):
    digifin = national_scheme(db, "digifin")
    soon = create_call(
        db,
        ws,
        digifin,
        title="DigiFin runde 1",
        deadline=today() + timedelta(days=12),
        url="https://www.ks.no/digifin-runde-1",
    )
    later = create_call(
        db, ws, digifin, title="DigiFin runde 2", deadline=today() + timedelta(days=75)
    )
    recent = create_call(
        db, ws, digifin, title="Nylig lukket", deadline=today() - timedelta(days=10)
    )
    old = create_call(db, ws, digifin, title="Gammel runde", deadline=today() - timedelta(days=45))
    login(client, create_member(db, ws, "municipal"))

    r = client.get(f"/{ws.slug}/virkemidler/frister")
    assert r.status_code == 200
    page = r.text
    assert 'aria-current="page">Frister</a>' in page  # the module's own tab menu
    # Deadline written the Norwegian way, at 13:00 Norwegian time on either database.
    assert deadline_text(soon.deadline, "nb") in page
    assert re.search(r"\w+\. \d{1,2}\. \w+ \d{4} kl\. 13\.00", page)
    assert "om 12 dager" in page
    # Soonest first, each under its month, with the links to the scheme and the call.
    assert page.index("DigiFin runde 1") < page.index("DigiFin runde 2")
    assert month_text(local_date(soon.deadline), "nb") in page
    assert month_text(local_date(later.deadline), "nb") in page
    assert f'href="/{ws.slug}/virkemidler/{digifin.id}"' in page
    assert 'href="https://www.ks.no/digifin-runde-1"' in page
    assert f'href="{digifin.url}"' in page  # the second call has no page of its own
    assert ">Åpen</span>" in page
    assert "Nylig lukket" not in page and "Gammel runde" not in page

    past = client.get(f"/{ws.slug}/virkemidler/frister?tidligere=true").text
    assert "Nylig lukket" in past and ">Stengt</span>" in past and "fristen er ute" in past
    assert "Gammel runde" not in past  # older than a month
    assert recent.id and old.id

    # An HTMX request gets the page too (the filter form is a plain GET form).
    r = client.get(f"/{ws.slug}/virkemidler/frister", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "DigiFin runde 1" in r.text


def test_area_filter_and_a_bad_area(client, db, ws):
    climate = create_scheme(db, ws, "Klimafondet i Trøndelag", areas=["climate"])
    create_call(db, ws, climate, title="Klimarunde")
    create_call(db, ws, national_scheme(db, "digifin"), title="Digirunde")
    login(client, create_member(db, ws, "coordinator"))

    page = client.get(f"/{ws.slug}/virkemidler/frister?omrade=climate").text
    assert "Klimarunde" in page and "Digirunde" not in page
    assert '<option value="climate" selected>' in page
    assert f'href="/{ws.slug}/virkemidler/frister.ics?omrade=climate"' in page
    ics = client.get(f"/{ws.slug}/virkemidler/frister.ics?omrade=climate")
    assert [str(e["summary"]) for e in events(ics.content)] == [
        "Frist: Klimafondet i Trøndelag – Klimarunde"
    ]

    r = client.get(f"/{ws.slug}/virkemidler/frister?omrade=tull")
    assert r.status_code == 422 and "Ukjent område." in r.text
    assert "Traceback" not in r.text


def test_ics_download_parses_and_holds_the_call(client, db, ws):
    digifin = national_scheme(db, "digifin")
    call = create_call(
        db, ws, digifin, title="Søknadsrunde 2027", url="https://www.ks.no/runde-2027"
    )
    login(client, create_member(db, ws, "viewer"))

    r = client.get(f"/{ws.slug}/virkemidler/frister.ics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    assert "attachment" in r.headers["content-disposition"]
    (event,) = events(r.content)
    assert str(event["uid"]) == f"scheme-call-{call.id}@samspill"
    assert event.decoded("dtstart") == call.deadline
    assert event.decoded("duration") == timedelta(minutes=15)
    assert str(event["summary"]) == f"Frist: {digifin.name} – Søknadsrunde 2027"
    description = str(event["description"])
    assert "https://www.ks.no/runde-2027" in description
    assert f"/{ws.slug}/virkemidler/{digifin.id}" in description
    # The UID does not change from one download to the next (the calendar updates the event).
    again = events(client.get(f"/{ws.slug}/virkemidler/frister.ics").content)
    assert str(again[0]["uid"]) == str(event["uid"])


def test_feed_works_with_its_token_until_replaced_or_membership_ends(client, db, ws):
    klimasats = national_scheme(db, "klimasats")
    create_call(db, ws, klimasats, title="Klimasats 2027")
    user = create_user(db)
    membership = add_member(db, ws, user, "municipal")
    login(client, user)

    r = post(client, f"/{ws.slug}/virkemidler/frister/abonnement")
    assert r.status_code == 201
    first = feed_path(r.text)
    client.cookies.clear()
    r = client.get(first)
    assert r.status_code == 200
    assert r.headers["cache-control"] == "private, no-store"
    assert [str(e["summary"]) for e in events(r.content)] == [
        f"Frist: {klimasats.name} – Klimasats 2027"
    ]

    # A new address replaces the old one.
    login(client, user)
    second = feed_path(post(client, f"/{ws.slug}/virkemidler/frister/abonnement").text)
    client.cookies.clear()
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200

    # Nonsense and near misses answer 404 like any missing page.
    for bad in ("/frister/tull.ics", "/frister/frist_1_x.ics", second.replace("_", "-")):
        assert client.get(bad).status_code == 404

    # Out of the workspace: the address stops working.
    with in_workspace(db, ws):
        accounts_service.remove_membership(db, ws.id, membership.id)
    assert client.get(second).status_code == 404


def test_feed_stops_when_the_user_is_deactivated(client, db, ws):
    create_call(db, ws, national_scheme(db, "digifin"))
    user = create_member(db, ws, "coordinator")
    login(client, user)
    path = feed_path(post(client, f"/{ws.slug}/virkemidler/frister/abonnement").text)
    client.cookies.clear()
    assert client.get(path).status_code == 200
    stored = accounts_service.get_user_by_email(db, user.email)
    assert stored is not None
    stored.is_active = False
    db.commit()
    assert client.get(path).status_code == 404


def test_another_workspaces_calls_never_appear(client, db, ws):
    other = create_workspace(db, county="46", name="Vestland test")
    digifin = national_scheme(db, "digifin")
    create_call(db, ws, digifin, title="Trøndelag-runden")
    create_call(db, other, digifin, title="Vestland-runden")
    own = create_scheme(db, other, "Vestlandsfondet", areas=["innovation"])
    create_call(db, other, own, title="Vestlandsfondet 2027")
    user = create_member(db, ws, "coordinator")
    login(client, user)

    page = client.get(f"/{ws.slug}/virkemidler/frister?tidligere=true").text
    assert "Trøndelag-runden" in page
    assert "Vestland" not in page
    ics = client.get(f"/{ws.slug}/virkemidler/frister.ics").content
    assert [str(e["summary"]) for e in events(ics)] == [f"Frist: {digifin.name} – Trøndelag-runden"]
    feed = client.get(feed_path(post(client, f"/{ws.slug}/virkemidler/frister/abonnement").text))
    assert b"Vestland" not in feed.content and b"Tr" in feed.content
    headers = bearer(db, ws, user)
    api = client.get(f"/api/v1/{ws.slug}/calls/calendar.ics", headers=headers)
    assert b"Vestland" not in api.content

    # The other workspace's pages and calendars are not there at all for this user.
    for url in (
        f"/{other.slug}/virkemidler/frister",
        f"/{other.slug}/virkemidler/frister.ics",
    ):
        assert client.get(url).status_code == 404
    assert post(client, f"/{other.slug}/virkemidler/frister/abonnement").status_code == 404
    r = client.get(f"/api/v1/{other.slug}/calls/calendar.ics", headers=headers)
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_api_calendar_with_a_token(client, db, ws):
    digifin = national_scheme(db, "digifin")
    call = create_call(db, ws, digifin, title="API-runden")
    create_call(db, ws, national_scheme(db, "klimasats"), title="Klimarunden")
    headers = bearer(db, ws, create_member(db, ws, "partner"))

    r = client.get(f"/api/v1/{ws.slug}/calls/calendar.ics", headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    uids = {str(e["uid"]) for e in events(r.content)}
    assert f"scheme-call-{call.id}@samspill" in uids and len(uids) == 2
    r = client.get(f"/api/v1/{ws.slug}/calls/calendar.ics?area=health_care", headers=headers)
    assert events(r.content) == []  # neither scheme is about health care
    r = client.get(f"/api/v1/{ws.slug}/calls/calendar.ics?area=tull", headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    assert client.get(f"/api/v1/{ws.slug}/calls/calendar.ics").status_code == 401


def test_the_page_costs_the_same_queries_for_2_and_12_calls(client, db, ws, count_queries):
    schemes = [national_scheme(db, "digifin"), national_scheme(db, "klimasats")]
    own = create_scheme(db, ws, "Eget fond", areas=["school"])
    for i in range(2):
        create_call(db, ws, schemes[i], deadline=today() + timedelta(days=5 + i))
    login(client, create_member(db, ws, "coordinator"))
    url = f"/{ws.slug}/virkemidler/frister"
    client.get(url)  # warm up anything cached per process

    with count_queries() as small:
        assert client.get(url).status_code == 200
    for i in range(10):
        create_call(db, ws, [*schemes, own][i % 3], deadline=today() + timedelta(days=20 + 9 * i))
    with count_queries() as large:
        page = client.get(url).text
    assert page.count('class="request-card') == 12
    assert small.count > 0
    assert large.count == small.count


def test_deadline_today_that_has_passed_still_shows_as_closed(client, db, ws):
    call = create_call(db, ws, national_scheme(db, "digifin"), title="Dagens frist")
    with in_workspace(db, ws):
        # A minute ago, or midnight if the day is younger than that: today, and passed.
        call.deadline = max(utcnow() - timedelta(minutes=1), at(today()))
    login(client, create_member(db, ws, "viewer"))
    page = client.get(f"/{ws.slug}/virkemidler/frister").text
    assert "Dagens frist" in page and "fristen er ute" in page and ">Stengt</span>" in page
