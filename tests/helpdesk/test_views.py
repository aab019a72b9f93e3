import re

from sqlalchemy import func

from app import clock
from app.helpdesk import due
from app.helpdesk.models import HelpRequest, RequestMessage
from app.tenancy import scoped, set_db_scope
from factories import add_member, create_member, create_user, csrf, login, post


def file(client, ws, **extra):
    data = {
        "category": "funding",
        "title": "Søknad til Forkommune",
        "description": "Vi trenger hjelp med en søknad.",
        "urgency": "normal",
    }
    data.update(extra)
    r = post(client, f"/{ws.slug}/hjelp", data)
    assert r.status_code == 303, r.text[:400]
    return int(r.headers["location"].rsplit("/", 1)[1])


def count(db, ws, model, *where):
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    n = db.scalar(scoped(model, ws.id).where(*where).with_only_columns(func.count()))
    set_db_scope(db, workspace_id=None, user_id=None)
    return n


def test_municipal_user_files_and_follows_a_request(client, db, ws, smtp, deliver):
    create_member(db, ws, "coordinator", email="koord@fylke.no")
    osen = create_member(db, ws, "municipal", email="direktor@osen.no")  # Osen
    login(client, osen)
    number = file(client, ws, on_site="on")
    page = client.get(f"/{ws.slug}/hjelp/{number}").text
    assert "Søknad til Forkommune" in page and "Osen" in page and "på stedet" in page
    assert "Ny" in page
    queue = client.get(f"/{ws.slug}/hjelp").text
    assert f"HK-{number}" in queue
    # The coordinator and the requester get mail, in one thread.
    assert deliver() == 2
    to = sorted(m["To"] for m in smtp.messages)
    assert to == ["direktor@osen.no", "koord@fylke.no"]
    thread = f"<hjelp-{ws.slug}-{number}@samspill>"
    by_to = {m["To"]: m for m in smtp.messages}
    assert by_to["koord@fylke.no"]["Message-ID"] == thread
    receipt = by_to["direktor@osen.no"]
    assert receipt["Message-ID"] != thread and receipt["In-Reply-To"] == thread
    assert receipt["References"] == thread


def test_filing_validates_and_changes_nothing(client, db, ws):
    login(client, create_member(db, ws, "municipal"))
    r = post(client, f"/{ws.slug}/hjelp", {"category": "", "title": "x" * 201, "description": ""})
    assert r.status_code == 422
    assert "Teksten er for lang" in r.text and "Feltet må fylles ut." in r.text
    # A municipal user cannot file for another municipality.
    r = post(
        client,
        f"/{ws.slug}/hjelp",
        {"category": "other", "title": "Hjelp", "description": "x", "municipality_number": "5001"},
    )
    assert r.status_code == 403
    assert count(db, ws, HelpRequest) == 0


def test_municipal_users_never_see_other_municipalities_or_internal_notes(client, db, ws):
    coordinator = create_member(db, ws, "coordinator")
    osen = create_member(db, ws, "municipal")  # 5020 Osen
    namsos = create_user(db)
    add_member(db, ws, namsos, "municipal", municipality="5007")
    login(client, osen)
    osen_number = file(client, ws, title="Osen trenger hjelp")
    client.cookies.clear()
    login(client, namsos)
    namsos_number = file(client, ws, title="Namsos trenger hjelp")
    assert client.get(f"/{ws.slug}/hjelp/{osen_number}").status_code == 404
    valid = {  # valid forms, so that the 404 comes from loading the request, not from parsing
        "svar": {"body": "x"},
        "status": {"state": "triaged"},
        "vurdering": {"category": "funding", "priority": "high"},
        "tilbakemelding": {"rating": "5"},
        "besok": {"day": "2099-01-01", "start": "10:00", "end": "11:00", "place": "Osen"},
        "steg": {"step_title": "Et steg"},
        "steg/1": {"done": "1"},
        "steg/1/slett": {},
        "lenker": {"other": str(namsos_number)},
        "lenker/1/slett": {},
        "tid": {"worked_on": "2026-01-05", "hours": "1"},
        "tid/1/slett": {},
    }
    for action, data in valid.items():
        r = post(client, f"/{ws.slug}/hjelp/{osen_number}/{action}", data)
        assert r.status_code == 404, action
    assert client.get(f"/{ws.slug}/hjelp/{osen_number}/vedlegg/1").status_code == 404
    assert "Osen trenger hjelp" not in client.get(f"/{ws.slug}/hjelp").text
    assert (
        "Osen trenger hjelp" not in client.get(f"/{ws.slug}/hjelp?visning=alle&kommune=5020").text
    )
    # The help corps writes a note and a reply; the municipality sees only the reply.
    client.cookies.clear()
    login(client, coordinator)
    post(
        client,
        f"/{ws.slug}/hjelp/{namsos_number}/svar",
        {"body": "Hemmelig notat", "internal": "on"},
    )
    post(client, f"/{ws.slug}/hjelp/{namsos_number}/svar", {"body": "Vi ser på det"})
    assert "Hemmelig notat" in client.get(f"/{ws.slug}/hjelp/{namsos_number}").text
    client.cookies.clear()
    login(client, namsos)
    page = client.get(f"/{ws.slug}/hjelp/{namsos_number}").text
    assert "Vi ser på det" in page and "Hemmelig notat" not in page
    # Nor can the municipality write internal notes.
    r = post(client, f"/{ws.slug}/hjelp/{namsos_number}/svar", {"body": "x", "internal": "on"})
    assert r.status_code == 403
    assert count(db, ws, RequestMessage, RequestMessage.internal.is_(True)) == 1


def test_triage_assigns_and_the_state_machine_holds(client, db, ws):
    coordinator = create_member(db, ws, "coordinator")
    helper = create_member(db, ws, "helper", name="Henrik Hjelper")
    login(client, create_member(db, ws, "municipal"))
    number = file(client, ws)
    client.cookies.clear()
    login(client, coordinator)
    url = f"/{ws.slug}/hjelp/{number}"
    # An illegal jump says which are allowed, and changes nothing.
    r = post(client, f"{url}/status", {"state": "resolved"})
    assert r.status_code == 422
    assert "Kan ikke gå fra «Ny» til «Løst». Tillatt herfra: «Vurdert»." in r.text
    assert "Henrik Hjelper" in client.get(url).text  # suggested
    r = post(
        client,
        f"{url}/vurdering",
        {"category": "funding", "priority": "high", "assignees": str(helper.id)},
    )
    assert r.status_code == 303
    page = client.get(url).text
    assert "Tildelt" in page and "Høy" in page
    assert f"HK-{number}" in client.get(f"/{ws.slug}/hjelp?visning=alle").text
    assert f"HK-{number}" not in client.get(f"/{ws.slug}/hjelp?visning=ufordelt").text
    client.cookies.clear()
    login(client, helper)
    assert f"HK-{number}" in client.get(f"/{ws.slug}/hjelp?visning=mine").text
    for state in ("in_progress", "waiting_for_municipality", "in_progress", "resolved", "closed"):
        form = {"state": state, "message": "Ferdig." if state == "resolved" else ""}
        assert post(client, f"{url}/status", form).status_code == 303, state
    # A closed request takes no reply until it is reopened.
    r = post(client, f"{url}/svar", {"body": "Et svar til"})
    assert r.status_code == 422 and "lukket" in r.text
    assert post(client, f"{url}/status", {"state": "in_progress"}).status_code == 303
    assert post(client, f"{url}/svar", {"body": "Et svar til"}).status_code == 303
    history = client.get(url).text
    assert history.count("→") >= 8


def test_unknown_helper_and_bad_rating_are_refused(client, db, ws):
    coordinator = create_member(db, ws, "coordinator")
    municipal = create_member(db, ws, "municipal")
    viewer = create_member(db, ws, "viewer")
    login(client, municipal)
    number = file(client, ws)
    client.cookies.clear()
    login(client, coordinator)
    url = f"/{ws.slug}/hjelp/{number}"
    r = post(
        client,
        f"{url}/vurdering",
        {"category": "funding", "priority": "normal", "assignees": str(viewer.id)},
    )
    assert r.status_code == 422 and "Ukjent hjelper." in r.text
    client.cookies.clear()
    login(client, municipal)
    r = post(client, f"{url}/tilbakemelding", {"rating": "4"})
    assert r.status_code == 422 and "når forespørselen er løst" in r.text
    r = post(client, f"{url}/tilbakemelding", {"rating": "9"})
    assert r.status_code == 422


def test_queue_query_count_is_bounded(client, db, ws, count_queries):
    coordinator = create_member(db, ws, "coordinator")
    municipal = create_member(db, ws, "municipal")
    login(client, municipal)
    for i in range(3):
        file(client, ws, title=f"Sak {i}")
    client.cookies.clear()
    login(client, coordinator)
    post(client, f"/{ws.slug}/hjelp/1/svar", {"body": "første svar"})  # eager loads run from here

    def work_on_request_one(n):
        """Steps, links, time and attachments on request 1: one of each, then more."""
        today = clock.today().isoformat()
        for i in range(n):
            post(client, f"/{ws.slug}/hjelp/1/steg", {"step_title": f"Steg {i}"})
            post(client, f"/{ws.slug}/hjelp/1/tid", {"worked_on": today, "hours": "1"})
            post(client, f"/{ws.slug}/hjelp/1/lenker", {"other": str(i + 2)})
            r = client.post(
                f"/{ws.slug}/hjelp/1/svar",
                data={"body": f"vedlegg {i}", "csrf_token": csrf(client)},
                files=[("attachments", (f"notat{i}.txt", b"tekst", "text/plain"))],
            )
            assert r.status_code == 303

    work_on_request_one(1)

    def measure():
        out = {}
        for url in ("/hjelp?visning=alle", "/hjelp?visning=ufordelt", "/hjelp/1"):
            client.get(f"/{ws.slug}{url}")
            with count_queries() as q:
                assert client.get(f"/{ws.slug}{url}").status_code == 200
            out[url] = q.count
        return out

    before = measure()
    client.cookies.clear()
    login(client, municipal)
    for i in range(30):
        file(client, ws, title=f"Flere {i}")
    post(client, f"/{ws.slug}/hjelp/1/svar", {"body": "svar"})
    client.cookies.clear()
    login(client, coordinator)
    work_on_request_one(12)
    assert measure() == before


def test_htmx_queue_fragment_and_keyset_pages(client, db, ws):
    login(client, create_member(db, ws, "coordinator"))
    for i in range(55):
        file(client, ws, title=f"Sak nummer {i}", municipality_number="5020")
    page = client.get(f"/{ws.slug}/hjelp?visning=alle").text
    assert page.count('class="request-card ') == 50
    older = re.search(r'før=(\d+)"', page).group(1)
    rest = client.get(f"/{ws.slug}/hjelp?visning=alle&før={older}").text
    assert rest.count('class="request-card ') == 5
    fragment = client.get(
        f"/{ws.slug}/hjelp?visning=alle&q=nummer 54", headers={"HX-Request": "true"}
    )
    assert (
        "<html" not in fragment.text and "HK-55" in fragment.text and "HK-54:" not in fragment.text
    )


def test_queue_rows_name_their_helpers(client, db, ws):
    """A queue row shows the request's municipality and its helpers' names, in the order they
    were assigned; a row without helpers names none."""
    coordinator = create_member(db, ws, "coordinator", name="Kari Koordinator")
    create_member(db, ws, "helper", name="Åse Hjelper")
    create_member(db, ws, "helper", name="Bjørn Hjelper")
    login(client, coordinator)
    taken = file(client, ws, title="Med hjelpere", municipality_number="5020")
    alone = file(client, ws, title="Uten hjelpere", municipality_number="5020")
    page = client.get(f"/{ws.slug}/hjelp/{taken}").text
    ids = dict(
        (name, uid)
        for uid, name in re.findall(r'value="(\d+)" [^>]*><label[^>]*>([^<]+?) <span', page)
    )
    r = post(
        client,
        f"/{ws.slug}/hjelp/{taken}/vurdering",
        {
            "category": "funding",
            "priority": "normal",
            "assignees": [ids["Bjørn Hjelper"], ids["Åse Hjelper"]],
        },
    )
    assert r.status_code == 303, r.text[:400]
    queue = client.get(f"/{ws.slug}/hjelp?visning=alle").text
    cards = {
        m.group(1): m.group(2) for m in re.finditer(r"HK-(\d+):.*?</p>(.*?)</li>", queue, re.S)
    }
    assert "Hjelper: Åse Hjelper, Bjørn Hjelper" in cards[str(taken)]  # as assigned
    assert "Hjelper:" not in cards[str(alone)]
    assert "Osen" in cards[str(taken)] and "Osen" in cards[str(alone)]


def test_overdue_requests_are_surfaced(client, db, ws):
    from datetime import timedelta

    from app.db import utcnow

    coordinator = create_member(db, ws, "coordinator")
    login(client, coordinator)
    old = file(client, ws, title="Gammel og haster", urgency="urgent", municipality_number="5020")
    fresh = file(client, ws, title="Ny og rolig", urgency="low", municipality_number="5020")
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    req = db.scalar(scoped(HelpRequest, ws.id).where(HelpRequest.number == old))
    req.created_at = utcnow() - timedelta(days=10)
    due.refresh_due(db, ws, [req])
    db.flush()
    set_db_scope(db, workspace_id=None, user_id=None)
    queue = client.get(f"/{ws.slug}/hjelp?visning=alle").text
    cards = {
        m.group(1): m.group(2) for m in re.finditer(r"HK-(\d+):.*?</p>(.*?)</li>", queue, re.S)
    }
    assert "Forsinket" in cards[str(old)] and "Forsinket" not in cards[str(fresh)]
    page = client.get(f"/{ws.slug}/hjelp/{old}").text
    assert "Første svar innen" in page and "Forsinket" in page


def test_key_figures_join_the_overview(client, db, ws):
    login(client, create_member(db, ws, "municipal"))
    file(client, ws, title="Første")
    file(client, ws, title="Andre")
    client.cookies.clear()
    login(client, create_member(db, ws, "coordinator"))
    page = client.get(f"/{ws.slug}/oversikt").text
    figures = re.findall(r'figure__value">(\d+)</span><span class="figure__label">([^<]+)<', page)
    found = {label: int(n) for n, label in figures}
    assert found["åpne forespørsler til hjelpekorpset"] == 2
    assert found["ikke tildelt"] == 2
    # A municipal user does not get the county's figures.
    client.cookies.clear()
    login(client, create_member(db, ws, "municipal"))
    assert "åpne forespørsler til hjelpekorpset" not in client.get(f"/{ws.slug}/oversikt").text


def test_follow_up_date_brings_a_resolved_request_back(client, db, ws):
    from datetime import timedelta

    coordinator = create_member(db, ws, "coordinator")
    login(client, coordinator)
    number = file(client, ws, municipality_number="5020")
    url = f"/{ws.slug}/hjelp/{number}"
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    r = post(client, f"{url}/oppfolging", {"follow_up_on": tomorrow})
    assert r.status_code == 422 and "når forespørselen er løst" in r.text
    helper = create_member(db, ws, "helper")
    post(
        client,
        f"{url}/vurdering",
        {"category": "funding", "priority": "normal", "assignees": str(helper.id)},
    )
    for state in ("in_progress", "resolved"):
        form = {"state": state, "message": "Ferdig."}
        assert post(client, f"{url}/status", form).status_code == 303
    r = post(client, f"{url}/oppfolging", {"follow_up_on": clock.today().isoformat()})
    assert r.status_code == 422 and "fram i tid" in r.text
    assert post(client, f"{url}/oppfolging", {"follow_up_on": tomorrow}).status_code == 303
    assert f"HK-{number}" not in client.get(f"/{ws.slug}/hjelp?visning=oppfolging").text
    # When the day comes, it is back for the coordinators.
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    req = db.scalar(scoped(HelpRequest, ws.id).where(HelpRequest.number == number))
    req.follow_up_on = clock.today()
    db.flush()
    set_db_scope(db, workspace_id=None, user_id=None)
    assert f"HK-{number}" in client.get(f"/{ws.slug}/hjelp?visning=oppfolging").text
