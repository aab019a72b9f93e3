"""The queue's page reads its rows through a statement made once per process for each shape of
filter, and the helpers' names through another (issue 16): the workspace, the person, the clock
and the page's start are parameters, so each person gets their own requests from the same
statement, and the overdue view follows each view's own time."""

import re
from datetime import UTC, timedelta

from app import clock
from app.helpdesk import queue
from factories import (
    add_member,
    assign_request,
    create_help_request,
    create_member,
    create_user,
    create_workspace,
    login,
    set_request,
)


def titles(client, ws, query=""):
    """The titles of the queue's rows, in the page's order, and its "older" link if any."""
    r = client.get(f"/{ws.slug}/hjelp{query}")
    assert r.status_code == 200, r.text[:300]
    found = re.findall(r'href="/[^/]+/hjelp/\d+">HK-\d+: ([^<]*)</a>', r.text)
    older = re.search(r'href="\?([^"]*før=\d+)"', r.text)
    return found, older.group(1).replace("&amp;", "&") if older else None


def made():
    return queue._page_query.cache_info().misses


def test_one_statement_serves_each_helper_their_own_requests(client, db, ws):
    kari = create_member(db, ws, "helper", name="Kari Hjelper")
    per = create_member(db, ws, "helper", name="Per Hjelper")
    karis = create_help_request(db, ws, title="Karis sak")
    pers = create_help_request(db, ws, title="Pers sak")
    create_help_request(db, ws, title="Ingens sak")
    assign_request(db, ws, karis, kari)
    assign_request(db, ws, pers, per)
    # Another workspace, a helper there with a request of the same number as Kari's
    other = create_workspace(db, name="Trøndelag annen")
    ola = create_member(db, other, "helper", name="Ola Hjelper")
    olas = create_help_request(db, other, title="Olas sak")
    assign_request(db, other, olas, ola)

    login(client, kari)
    assert titles(client, ws, "?visning=mine") == (["Karis sak"], None)
    before = made()
    client.cookies.clear()
    login(client, per)
    assert titles(client, ws, "?visning=mine") == (["Pers sak"], None)
    client.cookies.clear()
    login(client, ola)
    assert titles(client, other, "?visning=mine") == (["Olas sak"], None)
    assert made() == before  # Kari's statement, for Per and for Ola in his workspace
    page = client.get(f"/{other.slug}/hjelp?visning=mine").text
    assert "Hjelper: Ola Hjelper" in page and "Kari Hjelper" not in page


def test_one_statement_serves_each_municipality_its_own(client, db, ws):
    osen = create_member(db, ws, "municipal", name="Osen Kontakt")
    namsos = create_user(db, name="Namsos Kontakt")
    add_member(db, ws, namsos, "municipal", municipality="5007")
    create_help_request(db, ws, osen, title="Fra Osen")
    create_help_request(db, ws, namsos, municipality="5007", title="Fra Namsos")
    login(client, osen)
    assert titles(client, ws) == (["Fra Osen"], None)
    before = made()
    client.cookies.clear()
    login(client, namsos)
    assert titles(client, ws) == (["Fra Namsos"], None)
    assert made() == before


def test_the_overdue_and_follow_up_views_follow_each_views_time(client, db, ws, monkeypatch):
    coordinator = create_member(db, ws, "coordinator")
    soon = create_help_request(db, ws, title="Frist om to dager")
    later = create_help_request(db, ws, title="Frist om ti dager")
    now = clock.utcnow()
    for req, days in ((soon, 2), (later, 10)):
        due = now + timedelta(days=days)
        set_request(
            db, ws, req, first_response_due_at=due, resolution_due_at=due, follow_up_on=None
        )
    set_request(db, ws, later, follow_up_on=clock.today() + timedelta(days=3))
    login(client, coordinator)
    assert titles(client, ws, "?visning=forsinket") == ([], None)
    assert titles(client, ws, "?visning=oppfolging") == ([], None)
    before = queue._page_query.cache_info()
    five_days_on = clock.now() + timedelta(days=5)
    monkeypatch.setattr(clock, "now", lambda: five_days_on)
    monkeypatch.setattr(clock, "utcnow", lambda: five_days_on.astimezone(UTC))
    assert titles(client, ws, "?visning=forsinket") == (["Frist om to dager"], None)
    assert titles(client, ws, "?visning=oppfolging") == (["Frist om ti dager"], None)
    after = queue._page_query.cache_info()
    assert after.hits == before.hits + 2 and after.misses == before.misses


def test_pages_of_the_queue_follow_on_from_the_same_statement(client, db, ws):
    coordinator = create_member(db, ws, "coordinator")
    for n in range(1, 56):
        create_help_request(db, ws, title=f"Sak {n:02}")
    login(client, coordinator)
    queue._page_query.cache_clear()  # so that a filter's first use makes its statement
    first, older = titles(client, ws, "?visning=alle")
    assert first == [f"Sak {n:02}" for n in range(55, 5, -1)]  # newest first, fifty
    assert older is not None and "visning=alle" in older
    second, more = titles(client, ws, f"?{older}")
    assert second == [f"Sak {n:02}" for n in range(5, 0, -1)] and more is None
    before = made()  # the first page's statement, and the next pages'
    assert titles(client, ws, "?visning=alle") == (first, older)
    assert titles(client, ws, f"?{older}") == (second, None)
    assert made() == before
    third, _ = titles(client, ws, f"?{older}&status=new")  # another filter: its own statement
    assert third == second
    assert made() == before + 1
