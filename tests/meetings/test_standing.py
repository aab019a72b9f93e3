"""Standing items: a body sets them once and every meeting shows them filled from Samspill —
deadlines in the next two months in the body's areas, shared innovations not yet in use among
its members, open help requests from its members."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from factories import (
    add_body_member,
    adopt,
    create_body,
    create_call,
    create_help_request,
    create_innovation,
    create_meeting,
    create_member,
    create_scheme,
    create_workspace,
    login,
    post,
)


def _section(page: str, heading: str) -> str:
    return page.split(heading, 1)[1].split("</section>", 1)[0]


def test_standing_items_are_filled_from_samspill(client, db, ws):
    body = create_body(db, ws, "DigiNamdal", "network", theme="digitalisation")
    add_body_member(db, ws, body, "5020")  # Osen
    add_body_member(db, ws, body, "5007")  # Namsos
    digital = create_scheme(db, ws, "Digitaliseringsfondet", areas=["digitalisation"])
    school = create_scheme(db, ws, "Skolefondet", areas=["school"])
    soon = clock.today() + timedelta(days=20)
    create_call(db, ws, digital, title="Vårutlysning", deadline=soon)
    create_call(
        db, ws, digital, title="Høstutlysning", deadline=clock.today() + timedelta(days=120)
    )
    create_call(db, ws, school, title="Skoleutlysning", deadline=soon)
    other = create_workspace(db, county="46")
    spread = create_innovation(db, other, "Digitalt nattilsyn", origin="4601", shared=True)
    everywhere = create_innovation(db, other, "Felles chat", origin="4601", shared=True)
    create_innovation(db, other, "Ikke delt", origin="4601")
    adopt(db, ws, spread, "5020")
    adopt(db, ws, everywhere, "5020")
    adopt(db, ws, everywhere, "5007")
    create_help_request(db, ws, municipality="5020", title="Hjelp med DigiFin")
    create_help_request(db, ws, municipality="5054", title="Ikke medlem")
    meeting = create_meeting(db, ws, body, "Nettverksmøte", day=clock.today() + timedelta(days=5))
    login(client, create_member(db, ws, "coordinator"))
    r = post(
        client,
        f"/{ws.slug}/moter/organ/{body.id}/faste-saker",
        {"fast_scheme_deadlines": "1", "fast_innovations": "1", "fast_help_requests": "1"},
    )
    assert r.status_code == 303
    page = client.get(f"/{ws.slug}/moter/{meeting.id}").text
    deadlines = _section(page, "Nye søknadsfrister")
    assert "Vårutlysning" in deadlines  # in the body's area, within two months
    assert "Høstutlysning" not in deadlines  # too far ahead
    assert "Skoleutlysning" not in deadlines  # another area
    innovations = _section(page, "Innovasjoner å spre")
    assert "Digitalt nattilsyn" in innovations and "i bruk hos 1 av 2 medlemmer" in innovations
    assert "Felles chat" not in innovations  # in use everywhere already
    assert "Ikke delt" not in innovations
    requests = _section(page, "Saker til hjelpekorpset")
    assert "Hjelp med DigiFin" in requests and "Ikke medlem" not in requests


def test_standing_items_are_set_by_the_body_s_writers_only(client, db, ws):
    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5020")
    meeting = create_meeting(db, ws, body, "Rådsmøte")
    login(client, create_member(db, ws, "municipal"))
    r = post(client, f"/{ws.slug}/moter/organ/{body.id}/faste-saker", {"fast_innovations": "1"})
    assert r.status_code == 403
    assert "Innovasjoner å spre" not in client.get(f"/{ws.slug}/moter/{meeting.id}").text
