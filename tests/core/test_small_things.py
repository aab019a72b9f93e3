"""Small frictions found walking the journeys (issue 15, item 10), each kept fixed."""

from __future__ import annotations

import re
from pathlib import Path

from factories import (
    add_body_member,
    add_member,
    create_body,
    create_member,
    create_workspace,
    login,
    post,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
FIELD_CALL = re.compile(r"m\.(?:field|textarea|select)\([^)]*?_\(\"([^\"]*)\"\)")


def test_no_label_says_optional_twice():
    """The form macros add "(valgfritt)" to every field that is not required; a label that says
    it too reads "Hva ble gjort (valgfritt) (valgfritt)"."""
    labels = [
        (path.relative_to(TEMPLATES).as_posix(), label)
        for path in sorted(TEMPLATES.rglob("*.html"))
        for label in FIELD_CALL.findall(path.read_text(encoding="utf-8"))
    ]
    assert len(labels) > 50  # the pattern sees the form fields
    assert [x for x in labels if "valgfri" in x[1].lower()] == []


def test_long_compound_words_on_the_county_page_break_at_their_joint(client, db, ws):
    """At 360 px a figure's label is about 130 px wide: "digitaliseringsnettverk" broke
    anywhere ("digitaliseringsnettv-erk"); a soft hyphen gives it a proper place."""
    login(client, create_member(db, ws, "coordinator"))
    page = client.get(f"/{ws.slug}/oversikt")
    assert page.status_code == 200
    assert "digitaliserings\u00adnettverk" in page.text


def test_the_queue_tab_of_ones_own_requests_reads_well_in_english(client, db, ws):
    login(client, create_member(db, ws, "helper"))
    assert post(client, "/sprak", {"locale": "en", "neste": "/"}).status_code == 303
    page = client.get(f"/{ws.slug}/hjelp")
    assert page.status_code == 200
    assert ">Assigned to me</a>" in page.text
    assert ">Mine</a>" not in page.text


def test_ending_a_membership_and_archiving_a_body_ask_first(client, db, ws):
    """Both were one click (issue 15, friction 6): now each button sits behind a disclosure
    that says what will happen, and the end date is chosen there."""
    body = create_body(db, ws, "Fosen regionråd")
    add_body_member(db, ws, body, "5020")
    login(client, create_member(db, ws, "coordinator"))
    page = client.get(f"/{ws.slug}/organer/{body.id}").text
    archive = page[page.index('<details class="confirm">') :]
    assert archive.index("<summary") < archive.index(f"/organer/{body.id}/arkiver")
    assert "Ja, arkiver organet" in page and "historikken beholdes" in page
    end = page[page.index("/medlemmer/") - 400 :]
    assert '<details class="confirm"' in end and "Avslutt medlemskapet" in page


def test_switching_workspace_keeps_the_section_where_the_role_allows(client, db, ws):
    other = create_workspace(db, county="46", name="Vestland test")
    kari = create_member(db, ws, "coordinator")
    add_member(db, other, kari, "viewer")
    login(client, kari)
    page = client.get(f"/{ws.slug}/hjelp").text
    assert f'href="/{other.slug}?til=hjelp"' in page
    r = client.get(f"/{other.slug}?til=hjelp", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/{other.slug}/hjelp"
    # A section the role there may not see, or none at all, lands on the start page.
    for section in ("brukere", "finnes-ikke"):
        r = client.get(f"/{other.slug}?til={section}", follow_redirects=False)
        assert r.status_code == 200 and "<h1" in r.text


def test_api_tokens_are_not_in_a_municipal_users_main_menu(client, db, ws):
    login(client, create_member(db, ws, "municipal"))
    page = client.get(f"/{ws.slug}").text
    menu = page[page.index('class="site-nav"') : page.index("</nav>")]
    assert "api-nokler" not in menu
    footer = page[page.index("<footer") :]
    assert f'href="/{ws.slug}/api-nokler"' in footer  # still there, out of the way
    client.cookies.clear()
    login(client, create_member(db, ws, "coordinator"))
    page = client.get(f"/{ws.slug}").text
    assert "api-nokler" in page[page.index('class="site-nav"') : page.index("</nav>")]
