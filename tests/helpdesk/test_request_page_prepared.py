"""A request's page reads its record through statements made once per process with the values as
parameters, and gets its history, plan and visits as lines already worded (issue 16): each
reader still sees only what is theirs, in any workspace, and the words, times and escaping are
those the page has always shown."""

import re
from datetime import UTC, time, timedelta

from app import clock
from app.helpdesk import queue
from factories import (
    add_member,
    create_help_request,
    create_member,
    create_user,
    create_workspace,
    login,
    post,
)

HTML_TITLE = "Sjekk <b>&\"' nå"
ESCAPED = "Sjekk &lt;b&gt;&amp;&#34;&#39; nå"


def page(client, ws, number):
    r = client.get(f"/{ws.slug}/hjelp/{number}")
    assert r.status_code == 200, r.text[:300]
    return r.text


def part(html, name):
    """One part of the page: from its wrapper to the next part's."""
    return html.split(f'id="{name}"', 1)[1].split('<div id="', 1)[0]


def test_the_same_statements_serve_every_reader_and_workspace(client, db, ws, database):
    """The record's statement is made once per kind of reader and bound to the request, the
    workspace and the reader's municipality on each use: what one reader saw first is never
    what the next one gets."""
    coordinator = create_member(db, ws, "coordinator", name="Kari Koordinator")
    osen = create_member(db, ws, "municipal", name="Osen Kontakt")
    namsos = create_user(db, name="Namsos Kontakt")
    add_member(db, ws, namsos, "municipal", municipality="5007")
    ours = create_help_request(db, ws, osen, title="Velferdsteknologi i Osen")
    theirs = create_help_request(
        db, ws, namsos, municipality="5007", title="Velferdsteknologi i Namsos"
    )
    login(client, coordinator)
    url = f"/{ws.slug}/hjelp/{ours.number}"
    assert (
        post(client, f"{url}/svar", {"body": "Et internt notat", "internal": "on"}).status_code
        == 303
    )
    assert post(client, f"{url}/svar", {"body": "Et svar til Osen"}).status_code == 303
    assert post(client, f"{url}/lenker", {"other": f"HK-{theirs.number}"}).status_code == 303
    assert (
        post(
            client, f"{url}/tid", {"worked_on": clock.today().isoformat(), "hours": "2"}
        ).status_code
        == 303
    )
    # Another workspace of the same county, with a request of the same number.
    ws2 = create_workspace(db, county="50", name="Trøndelag annen")
    other = create_member(db, ws2, "coordinator", name="Vera Vestland")
    elsewhere = create_help_request(db, ws2, title="Noe helt annet")
    assert elsewhere.number == ours.number

    html = page(client, ws, ours.number)  # the coordinator: notes, time, every link
    assert "Et internt notat" in html and "Et svar til Osen" in html
    assert "Velferdsteknologi i Namsos" in html and "2 t" in part(html, "tid")

    client.cookies.clear()
    login(client, osen)  # the municipality: no notes, no time, only its own requests' links
    html = page(client, ws, ours.number)
    assert "Et svar til Osen" in html and "Et internt notat" not in html
    assert "Velferdsteknologi i Namsos" not in html and "Tidsbruk" not in html

    client.cookies.clear()
    login(client, namsos)  # sees its own request, and the link back to Osen's is not theirs
    html = page(client, ws, theirs.number)
    assert "Velferdsteknologi i Osen" not in html
    # the request's own statement, made for Osen's user, is Namsos' too: Osen's request is not
    made = queue._request_query.cache_info().misses
    assert client.get(f"/{ws.slug}/hjelp/{ours.number}").status_code == 404
    assert queue._request_query.cache_info().misses == made

    client.cookies.clear()
    login(client, other)  # the same number in another workspace: that workspace's request
    html = page(client, ws2, elsewhere.number)
    assert "Noe helt annet" in html
    assert "Et svar til Osen" not in html and "Velferdsteknologi" not in html


def test_history_plan_and_visits_read_as_before(client, db, ws):
    """The lines the page gets ready-made: escaped once, in the words and times it has always
    shown, overdue steps and clashing visits marked, and in the reader's language."""
    coordinator = create_member(db, ws, "coordinator", name="Kari Koordinator")
    helper = create_member(db, ws, "helper", name="Henrik <Hjelper>")
    req = create_help_request(db, ws, title="Søknad")
    other = create_help_request(db, ws, title="En annen sak")
    login(client, coordinator)
    url = f"/{ws.slug}/hjelp/{req.number}"
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    later = clock.today() + timedelta(days=9)
    form = {"category": "funding", "priority": "high", "assignees": str(helper.id)}
    assert post(client, f"{url}/vurdering", form).status_code == 303
    assert (
        post(client, f"{url}/steg", {"step_title": HTML_TITLE, "due_on": yesterday}).status_code
        == 303
    )
    assert (
        post(
            client, f"{url}/steg", {"step_title": "Senere", "due_on": later.isoformat()}
        ).status_code
        == 303
    )
    day = (clock.today() + timedelta(days=2)).isoformat()
    visit = {
        "day": day,
        "start": "10:00",
        "end": "12:00",
        "place": "Rådhuset & co",
        "helpers": [str(helper.id)],
    }
    assert post(client, f"{url}/besok", visit).status_code == 303
    clash = {
        **visit,
        "start": "11:00",
        "end": "13:00",
        "place": "Kontoret",
        "despite_clash": "true",
    }
    assert post(client, f"/{ws.slug}/hjelp/{other.number}/besok", clash).status_code == 303

    html = page(client, ws, req.number)
    plan = part(html, "plan")
    # the title is escaped once, not raw or twice
    assert f'<span class="step__text">{ESCAPED} <span class="muted">' in plan
    assert "&amp;lt;" not in plan
    assert '<span class="ds-sr-only">' not in plan  # nothing is done yet
    assert f'aria-label="Merk «{ESCAPED}» som gjort"' in plan
    assert f'aria-label="Fjern steget «{ESCAPED}»"' in plan
    assert "0 av 2 gjort" in plan
    overdue = '</span> <span class="ds-tag" data-color="danger">Forfalt'
    assert f"innen {clock.today() - timedelta(days=1):%d.%m.%Y}{overdue}" in plan
    assert plan.count("Forfalt") == 1  # the later step is not overdue
    assert f"innen {later:%d.%m.%Y}" in plan

    visits = part(html, "besok")
    starts = clock.at(clock.today() + timedelta(days=2), time(10, 0))
    assert f'<time datetime="{starts.astimezone(UTC).isoformat()}">' in visits
    line = "10:00</time>–12:00</strong> · Rådhuset &amp; co · Henrik &lt;Hjelper&gt;"
    assert f"{starts:%d.%m.%Y} {line}" in visits
    assert "Kolliderer med:" in visits
    assert f'href="/{ws.slug}/hjelp/{other.number}">Henrik &lt;Hjelper&gt; har besøk' in visits

    history = part(html, "historikk")
    lines = re.findall(r"<li><time datetime=\"[^\"]+\">[\d.: ]+</time> · ([^<]*)</li>", history)
    assert lines[0] == "Kari Koordinator: planla besøk"  # newest first
    assert f"Kari Koordinator: la til steget «{ESCAPED}»" in lines
    assert "Kari Koordinator: vurdert og tildelt" in lines
    assert "Kari Koordinator: Ny → Vurdert" in lines
    assert "Kari Koordinator: Vurdert → Tildelt" in lines
    assert lines[-1].endswith(": meldt inn")

    client.cookies.set("samspill_lang", "en")
    html = page(client, ws, req.number)
    assert f"added the step “{ESCAPED}”" in part(html, "historikk")
    assert f'aria-label="Mark “{ESCAPED}” as done"' in part(html, "plan")
