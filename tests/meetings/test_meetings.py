"""Meetings: who sees and writes which, the form cycle with its refusals, the agenda,
minutes, decisions and attendance, a body shared across counties, and bounded list queries."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from app.meetings import agenda, service
from app.meetings.schemas import AgendaItemForm
from factories import (
    accept_shares,
    add_body_member,
    add_member,
    bearer,
    create_body,
    create_meeting,
    create_member,
    create_user,
    create_workspace,
    in_workspace,
    login,
    organisation,
    post,
    staff_principal,
)


def _day(days: int = 7) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


def _count(db, ws) -> int:
    with in_workspace(db, ws):
        rows, _more = service.list_meetings(
            db, ws, staff_principal(), service.MeetingFilter(), limit=200
        )
        past, _more = service.list_meetings(
            db, ws, staff_principal(), service.MeetingFilter(past=True), limit=200
        )
    return len(rows) + len(past)


def test_coordinator_creates_a_meeting_and_the_members_are_invited(client, db, ws):
    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5020")  # Osen
    add_body_member(db, ws, body, "5007")  # Namsos
    login(client, create_member(db, ws, "coordinator"))
    r = post(
        client,
        f"/{ws.slug}/moter",
        {
            "title": "Rådsmøte mars",
            "body_id": str(body.id),
            "kind": "meeting",
            "day": _day(),
            "start": "10:00",
            "end": "14:00",
            "place": "Namsos rådhus",
        },
    )
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "Rådsmøte mars" in page and "Namsos rådhus" in page
    assert "Osen" in page and "Namsos" in page  # invited
    listing = client.get(f"/{ws.slug}/moter").text
    assert "Rådsmøte mars" in listing and "Namdal regionråd" in listing
    fragment = client.get(f"/{ws.slug}/moter?organ={body.id}", headers={"HX-Request": "true"})
    assert "Rådsmøte mars" in fragment.text and "<html" not in fragment.text
    # The filter's "Alle" sends an empty body: every meeting, not an error.
    every = client.get(f"/{ws.slug}/moter?organ=&tid=kommende&q=")
    assert every.status_code == 200 and "Rådsmøte mars" in every.text


def test_an_end_before_the_start_is_refused_and_nothing_is_stored(client, db, ws):
    login(client, create_member(db, ws, "coordinator"))
    r = post(
        client,
        f"/{ws.slug}/moter",
        {"title": "Baklengs", "kind": "meeting", "day": _day(), "start": "14:00", "end": "10:00"},
    )
    assert r.status_code == 422
    assert "Møtet må slutte etter at det begynner" in r.text
    assert _count(db, ws) == 0
    api = client.post(
        f"/api/v1/{ws.slug}/meetings",
        json={"title": "Baklengs", "day": _day(), "start": "14:00", "end": "10:00"},
        headers=bearer(db, ws, create_member(db, ws, "coordinator")),
    )
    assert api.status_code == 422 and "end" in str(api.json())
    assert _count(db, ws) == 0


def test_a_decision_without_a_responsible_person_is_refused(client, db, ws):
    coordinator = create_member(db, ws, "coordinator", name="Kari Koordinator")
    meeting = create_meeting(db, ws, title="Arbeidsutvalget")
    with in_workspace(db, ws):
        item = agenda.add_item(
            db, ws, staff_principal(), meeting.id, AgendaItemForm(title="Ny sak")
        )
    login(client, coordinator)
    url = f"/{ws.slug}/moter/{meeting.id}/saker/{item.id}/vedtak"
    r = post(client, url, {"text": "Vi går for felles innkjøp."})
    assert r.status_code == 422
    assert "Vedtak" in r.text
    page = client.get(f"/{ws.slug}/moter/{meeting.id}").text
    assert "Vi går for felles innkjøp." not in page
    # with one, it is stored and shown with the person and the due date
    due = (clock.today() - timedelta(days=3)).isoformat()
    r = post(
        client,
        url,
        {
            "text": "Vi går for felles innkjøp.",
            "responsible_id": str(coordinator.id),
            "due_on": due,
        },
    )
    assert r.status_code == 303
    page = client.get(f"/{ws.slug}/moter/{meeting.id}").text
    assert "Vi går for felles innkjøp." in page and "Kari Koordinator" in page
    assert "Forfalt" in page
    # it waits for the person on the start page until followed up
    start = client.get(f"/{ws.slug}").text
    assert "Vi går for felles innkjøp." in start
    decision_id = page.split('id="vedtak-', 1)[1].split('"', 1)[0]
    r = post(
        client, f"/{ws.slug}/moter/{meeting.id}/vedtak/{decision_id}/fulgt-opp", {"ferdig": "1"}
    )
    assert r.status_code == 303
    assert "Fulgt opp" in client.get(f"/{ws.slug}/moter/{meeting.id}").text
    assert "Vi går for felles innkjøp." not in client.get(f"/{ws.slug}").text


def test_municipal_users_see_their_bodies_meetings_only(client, db, ws):
    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5020")
    other = create_body(db, ws, "Fosen regionråd")
    add_body_member(db, ws, other, "5054")
    mine = create_meeting(db, ws, body, "Namdal-møtet")
    theirs = create_meeting(db, ws, other, "Fosen-møtet")
    user = create_member(db, ws, "municipal")  # Osen, 5020
    login(client, user)
    listing = client.get(f"/{ws.slug}/moter").text
    assert "Namdal-møtet" in listing and "Fosen-møtet" not in listing
    assert client.get(f"/{ws.slug}/moter/{mine.id}").status_code == 200
    assert client.get(f"/{ws.slug}/moter/{theirs.id}").status_code == 404
    # a plain member reads but does not write
    assert client.get(f"/{ws.slug}/moter/{mine.id}/rediger").status_code == 403
    r = post(client, f"/{ws.slug}/moter/{mine.id}/saker", {"title": "Egen sak"})
    assert r.status_code == 403


def test_partners_see_meetings_they_are_invited_to(client, db, ws):
    ks = organisation(db)
    body = create_body(db, ws, "Digitaliseringsnettverket", "network")
    add_body_member(db, ws, body, organisation_id=ks.id)
    invited = create_meeting(db, ws, body, "Med KS")
    other = create_meeting(db, ws, None, "Fylkets eget")
    login(client, create_member(db, ws, "partner"))
    assert client.get(f"/{ws.slug}/moter/{invited.id}").status_code == 200
    assert client.get(f"/{ws.slug}/moter/{other.id}").status_code == 404
    assert "Fylkets eget" not in client.get(f"/{ws.slug}/moter").text


def test_a_bodys_secretariat_writes_its_meetings(client, db, ws):
    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5007", role="secretariat")  # Namsos
    add_body_member(db, ws, body, "5020")
    user = create_user(db)
    add_member(db, ws, user, "municipal", municipality="5007")
    login(client, user)
    r = post(
        client,
        f"/{ws.slug}/moter",
        {
            "title": "Sekretariatets møte",
            "body_id": str(body.id),
            "day": _day(),
            "start": "09:00",
            "end": "11:00",
        },
    )
    assert r.status_code == 303
    meeting_url = r.headers["location"]
    r = post(client, f"{meeting_url}/saker", {"title": "Status", "responsible": "Sekretariatet"})
    assert r.status_code == 303
    assert "Sak 1: Status" in client.get(meeting_url).text
    # not for the county's own meetings
    r = post(
        client,
        f"/{ws.slug}/moter",
        {"title": "Fylkets", "day": _day(), "start": "09:00", "end": "10:00"},
    )
    assert r.status_code == 403


def test_agenda_items_are_numbered_and_reordered(client, db, ws):
    meeting = create_meeting(db, ws, title="Rekkefølge")
    login(client, create_member(db, ws, "coordinator"))
    for title in ("Første", "Andre", "Tredje"):
        assert (
            post(client, f"/{ws.slug}/moter/{meeting.id}/saker", {"title": title}).status_code
            == 303
        )
    page = client.get(f"/{ws.slug}/moter/{meeting.id}").text
    item_id = page.split("Sak 3: Tredje", 1)[0].rsplit('id="sak-', 1)[1].split('"', 1)[0]
    post(client, f"/{ws.slug}/moter/{meeting.id}/saker/{item_id}/flytt", {"retning": "opp"})
    page = client.get(f"/{ws.slug}/moter/{meeting.id}").text
    assert "Sak 2: Tredje" in page and "Sak 3: Andre" in page


def test_minutes_are_sanitised_and_frozen_once_approved(client, db, ws):
    meeting = create_meeting(db, ws, title="Referatmøte", day=clock.today() - timedelta(days=14))
    with in_workspace(db, ws):
        item = agenda.add_item(db, ws, staff_principal(), meeting.id, AgendaItemForm(title="Sak"))
    login(client, create_member(db, ws, "coordinator"))
    url = f"/{ws.slug}/moter/{meeting.id}/saker/{item.id}/referat"
    post(client, url, {"minutes": "**Enige** <script>alert(1)</script>"})
    page = client.get(f"/{ws.slug}/moter/{meeting.id}").text
    assert "<strong>Enige</strong>" in page and "<script>alert(1)" not in page
    assert post(client, f"/{ws.slug}/moter/{meeting.id}/godkjenn-referat").status_code == 303
    assert "godkjent" in client.get(f"/{ws.slug}/moter/{meeting.id}").text
    assert post(client, url, {"minutes": "Endret"}).status_code == 409


def test_attendance_and_the_seldom_present(client, db, ws):
    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5020")  # Osen, small
    add_body_member(db, ws, body, "5007")  # Namsos
    login(client, create_member(db, ws, "coordinator"))
    for weeks in (2, 4):
        m = create_meeting(
            db, ws, body, f"Møte {weeks}", day=clock.today() - timedelta(weeks=weeks)
        )
        r = post(
            client,
            f"/{ws.slug}/moter/{m.id}/oppmote",
            {"status_5020": "absent", "status_5007": "present"},
        )
        assert r.status_code == 303
    r = post(
        client, f"/{ws.slug}/moter/{m.id}/oppmote", {"status_5007": "represented", "by_5007": ""}
    )
    assert r.status_code == 422 and "Skriv hvem som representerte kommunen." in r.text
    page = client.get(f"/{ws.slug}/moter?organ={body.id}&tid=tidligere").text
    osen = page.split("Oppmøte per kommune", 2)[2].split("Osen", 1)[1].split("</tr>", 1)[0]
    assert "liten kommune" in osen and "0 av 2 møter" in osen and "Sjelden til stede" in osen


def test_a_shared_body_s_meetings_are_read_only_in_the_other_county(client, db):
    buskerud = create_workspace(db, county="33", name="Buskerud test")
    telemark = create_workspace(db, county="40", name="Telemark test")
    kr = create_body(db, buskerud, "Kongsbergregionen")
    add_body_member(db, buskerud, kr, "3303")
    add_body_member(db, buskerud, kr, "4005")  # Notodden, Telemark
    meeting = create_meeting(db, buskerud, kr, "Rådmannsutvalget")
    accept_shares(db, telemark)
    login(client, create_member(db, telemark, "coordinator"))
    listing = client.get(f"/{telemark.slug}/moter").text
    assert "Rådmannsutvalget" in listing and "delt fra et annet fylke" in listing
    page = client.get(f"/{telemark.slug}/moter/{meeting.id}")
    assert page.status_code == 200 and "bare til lesing" in page.text
    assert "Ny sak" not in page.text
    assert client.get(f"/{telemark.slug}/moter/{meeting.id}/rediger").status_code == 403
    assert (
        post(client, f"/{telemark.slug}/moter/{meeting.id}/saker", {"title": "X"}).status_code
        == 403
    )
    r = post(
        client,
        f"/{telemark.slug}/moter",
        {"title": "Nytt", "body_id": str(kr.id), "day": _day(), "start": "09:00", "end": "10:00"},
    )
    assert r.status_code == 403


def test_another_workspaces_meeting_is_404(client, db, ws):
    other = create_workspace(db, county="46")
    meeting = create_meeting(db, other, title="Vestlandsmøtet")
    login(client, create_member(db, ws, "county_admin"))
    for url in (f"/{ws.slug}/moter/{meeting.id}", f"/{ws.slug}/moter/{meeting.id}/rediger"):
        assert client.get(url).status_code == 404
    assert post(client, f"/{ws.slug}/moter/{meeting.id}/saker", {"title": "X"}).status_code == 404
    assert "Vestlandsmøtet" not in client.get(f"/{ws.slug}/moter").text
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    assert (
        client.get(f"/api/v1/{ws.slug}/meetings/{meeting.id}", headers=headers).status_code == 404
    )


def test_the_api_lists_and_creates_meetings(client, db, ws):
    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5020")
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    r = client.post(
        f"/api/v1/{ws.slug}/meetings",
        json={
            "title": "API-møtet",
            "body_id": body.id,
            "day": _day(),
            "start": "10:00",
            "end": "11:30",
        },
        headers=headers,
    )
    assert r.status_code == 201, r.text
    detail = r.json()
    assert detail["body_name"] == "Namdal regionråd"
    assert [i["name"] for i in detail["invited"]] == ["Osen"]
    r = client.post(
        f"/api/v1/{ws.slug}/meetings/{detail['id']}/agenda",
        json={"title": "Sak en"},
        headers=headers,
    )
    assert r.json()["agenda"][0]["number"] == 1
    listing = client.get(f"/api/v1/{ws.slug}/meetings", headers=headers).json()
    assert [m["title"] for m in listing["items"]] == ["API-møtet"]


def test_the_meetings_list_costs_the_same_queries_for_3_and_40(client, db, ws, count_queries):
    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5020")
    for i in range(3):
        create_meeting(db, ws, body, f"Møte {i}", day=clock.today() + timedelta(days=i + 1))
    login(client, create_member(db, ws, "coordinator"))

    def measure():
        counts = {}
        for url in ("/moter", f"/moter?organ={body.id}", f"/moter?organ={body.id}&tid=tidligere"):
            client.get(f"/{ws.slug}{url}")
            with count_queries() as q:
                assert client.get(f"/{ws.slug}{url}").status_code == 200
            counts[url] = q.count
        return counts

    before = measure()
    for i in range(37):
        create_meeting(db, ws, body, f"Flere {i}", day=clock.today() + timedelta(days=i + 1))
        create_meeting(db, ws, body, f"Før {i}", day=clock.today() - timedelta(days=i + 1))
    after = measure()
    assert after == before, (before, after)
    page = client.get(f"/{ws.slug}/moter").text
    assert page.count('class="request-card"') == 30 and "Flere møter" in page


def test_a_meeting_and_a_body_s_meetings_as_icalendar(client, db, ws):
    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5020")
    meeting = create_meeting(db, ws, body, "Rådsmøte i kalenderen", place="Namsos rådhus")
    create_meeting(db, ws, body, "Neste rådsmøte", day=clock.today() + timedelta(days=40))
    other = create_body(db, ws, "Fosen regionråd")
    add_body_member(db, ws, other, "5054")
    hidden = create_meeting(db, ws, other, "Fosen-møtet")
    login(client, create_member(db, ws, "municipal"))  # Osen
    r = client.get(f"/{ws.slug}/moter/{meeting.id}.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    assert "SUMMARY:Rådsmøte i kalenderen" in r.text and "LOCATION:Namsos rådhus" in r.text
    feed = client.get(f"/{ws.slug}/moter/organ/{body.id}.ics").text
    assert feed.count("BEGIN:VEVENT") == 2 and "Neste rådsmøte" in feed
    assert client.get(f"/{ws.slug}/moter/{hidden.id}.ics").status_code == 404
    assert "BEGIN:VEVENT" not in client.get(f"/{ws.slug}/moter/organ/{other.id}.ics").text


def test_agenda_and_minutes_as_docx_and_pdf(client, db, ws):
    from io import BytesIO

    from docx import Document

    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5020")
    meeting = create_meeting(db, ws, body, "Rådsmøte for arkivet")
    with in_workspace(db, ws):
        agenda.add_item(db, ws, staff_principal(), meeting.id, AgendaItemForm(title="Budsjett"))
    login(client, create_member(db, ws, "coordinator"))
    r = client.get(f"/{ws.slug}/moter/{meeting.id}.docx")
    assert r.status_code == 200 and "wordprocessingml" in r.headers["content-type"]
    text = "\n".join(p.text for p in Document(BytesIO(r.content)).paragraphs)
    assert "Rådsmøte for arkivet" in text and "Sak 1: Budsjett" in text
    r = client.get(f"/{ws.slug}/moter/{meeting.id}.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    other = create_workspace(db, county="46")
    hidden = create_meeting(db, other, title="Vestland")
    assert client.get(f"/{ws.slug}/moter/{hidden.id}.pdf").status_code == 404
