"""The rows of the busiest pages, now worked out once in Python (issue 16), read as people see
them: a body's members (their municipality's page, "another county", an organisation, the role,
the dates, upcoming and past) and a request's visits (the helpers, the clash with its link)."""

from __future__ import annotations

import re
from datetime import timedelta

from app import clock
from factories import (
    add_body_member,
    create_body,
    create_member,
    create_workspace,
    login,
    organisation,
)


def _row(page: str, text: str) -> str:
    """The table row of the members now that holds ``text``."""
    rows = page.split('id="members-now"', 1)[1].split("</table>", 1)[0].split("<tr>")
    found = [r for r in rows if text in r]
    assert len(found) == 1, (text, found)
    return found[0]


def test_a_bodys_members_read_as_before(client, db):
    ws = create_workspace(db)
    body = create_body(db, ws, "Namdal regionråd")
    today = clock.today()
    started = today - timedelta(days=40)
    add_body_member(db, ws, body, "5020", role="host", start=started)
    add_body_member(db, ws, body, "4005")  # Notodden, Telemark
    add_body_member(db, ws, body, organisation_id=organisation(db, "KS").id, role="secretariat")
    add_body_member(db, ws, body, "5006", start=today + timedelta(days=30))
    add_body_member(db, ws, body, "5001", start=started, end=today - timedelta(days=2))
    login(client, create_member(db, ws, "coordinator"))
    page = client.get(f"/{ws.slug}/organer/{body.id}").text
    assert "Medlemmer nå (3)" in page
    d = "%d.%m.%Y"
    osen = _row(page, f'href="/{ws.slug}/kommuner/5020"')
    assert '<td data-label="Rolle">Vertskommune</td>' in osen
    assert f'<td class="nowrap" data-label="Fra">{started:{d}}</td>' in osen
    assert "annet fylke" not in osen
    assert re.search(r"<summary>Avslutt …<span class=\"ds-sr-only\"> Osen</span>", osen)
    notodden = _row(page, f'href="/{ws.slug}/kommuner/4005"')
    assert '>Notodden</a> <span class="muted">(annet fylke)</span>' in notodden
    assert '<td class="nowrap" data-label="Fra">–</td>' in notodden
    ks = _row(page, "<td>KS</td>")  # an organisation: its name, no link
    assert '<td data-label="Rolle">Sekretariat</td>' in ks
    upcoming = page.split('id="members-coming"', 1)[1].split("</section>", 1)[0]
    assert re.search(rf'kommuner/5006">[^<]+</a> – fra {today + timedelta(days=30):{d}}', upcoming)
    past = page.split('id="members-past"', 1)[1].split("</section>", 1)[0]
    ended = today - timedelta(days=2)
    assert re.search(rf'kommuner/5001">[^<]+</a> – {started:{d}}–{ended:{d}}</li>', past)
    # A viewer reads the same rows, without the form to end a membership.
    client.cookies.clear()
    login(client, create_member(db, ws, "viewer"))
    page = client.get(f"/{ws.slug}/organer/{body.id}").text
    assert '<td data-label="Rolle">Vertskommune</td>' in _row(page, "kommuner/5020")
    assert "Avslutt …" not in page
