import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from app import clock
from factories import create_help_request, create_member, create_workspace, login, post


def setup_request(client, db):
    ws = create_workspace(db, county="50")
    helper = create_member(db, ws, "helper", name="Henrik Hjelper")
    coordinator = create_member(db, ws, "coordinator")
    municipal = create_member(db, ws, "municipal")
    request = create_help_request(
        db, ws, municipal, category="funding", title="Søknad", description="Hjelp", on_site=True
    )
    return ws, request.number, helper, coordinator, municipal


def test_plan_report_agenda_and_calendar_feed(client, db, smtp, deliver):
    ws, number, helper, coordinator, municipal = setup_request(client, db)
    login(client, coordinator)
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    url = f"/{ws.slug}/hjelp/{number}/besok"
    r = post(
        client,
        url,
        {
            "day": tomorrow,
            "start": "10:00",
            "end": "12:00",
            "place": "Osen rådhus",
            "helpers": str(helper.id),
        },
    )
    assert r.status_code == 303
    page = client.get(f"/{ws.slug}/hjelp/{number}").text
    assert "Osen rådhus" in page and "Henrik Hjelper" in page
    # Norwegian wall-clock time in, the same out, on either database.
    assert re.search(r">\d\d\.\d\d\.\d{4} 10:00</time>–12:00", page), "visit time shifted"
    deliver()
    assert any("Besøk" in m["Subject"] and m["To"] == helper.email for m in smtp.messages)
    assert any(m["To"] == municipal.email and "Besøk" in m["Subject"] for m in smtp.messages)
    client.cookies.clear()
    login(client, helper)
    agenda = client.get(f"/{ws.slug}/besok").text
    assert "Osen rådhus" in agenda and f"HK-{number}" in agenda
    ics = client.get(f"/{ws.slug}/besok.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(ics.content).walk() if c.name == "VEVENT"]
    assert len(events) == 1 and str(events[0]["location"]) == "Osen rådhus"
    start = events[0].decoded("dtstart")
    assert start.astimezone(ZoneInfo("Europe/Oslo")).strftime("%H:%M") == "10:00"
    assert str(events[0]["summary"]).startswith(f"HK-{number}: Søknad")
    # The subscription address works without a login and stops working when replaced.
    r = post(client, f"/{ws.slug}/besok/abonnement")
    feed = re.search(r'id="feed-url">http://[^/]+(/kalender/[^<]+)<', r.text).group(1)
    client.cookies.clear()
    assert "Osen rådhus" in client.get(feed).text
    login(client, helper)
    post(client, f"/{ws.slug}/besok/abonnement")
    client.cookies.clear()
    assert client.get(feed).status_code == 404
    assert client.get("/kalender/cal_1_nonsense.ics").status_code == 404
    # A report afterwards.
    login(client, helper)
    visit_id = re.search(r"/besok/(\d+)/rapport", client.get(f"/{ws.slug}/hjelp/{number}").text)
    r = post(
        client,
        f"/{ws.slug}/hjelp/{number}/besok/{visit_id.group(1)}/rapport",
        {"report": "Gikk gjennom budsjettet."},
    )
    assert r.status_code == 303
    assert "Gikk gjennom budsjettet." in client.get(f"/{ws.slug}/hjelp/{number}").text


def test_bad_visits_are_refused(client, db):
    ws, number, _helper, coordinator, municipal = setup_request(client, db)
    login(client, coordinator)
    url = f"/{ws.slug}/hjelp/{number}/besok"
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    r = post(client, url, {"day": yesterday, "start": "10:00", "end": "11:00", "place": "Osen"})
    assert r.status_code == 422 and "fram i tid" in r.text
    r = post(client, url, {"day": tomorrow, "start": "12:00", "end": "11:00", "place": "Osen"})
    assert r.status_code == 422 and "Sluttid må være etter starttid." in r.text
    r = post(
        client,
        url,
        {
            "day": tomorrow,
            "start": "10:00",
            "end": "11:00",
            "place": "Osen",
            "helpers": str(municipal.id),
        },
    )
    assert r.status_code == 422 and "Ukjent hjelper." in r.text
    assert "Osen</" not in client.get(f"/{ws.slug}/besok?alle=true").text
    client.cookies.clear()
    login(client, municipal)
    r = post(client, url, {"day": tomorrow, "start": "10:00", "end": "11:00", "place": "Osen"})
    assert r.status_code == 403
    assert client.get(f"/{ws.slug}/besok").status_code == 403
