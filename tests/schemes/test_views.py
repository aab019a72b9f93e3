"""The schemes pages and API: catalogue, a scheme and its calls, the county's note, "help us
apply", participation records — roles, cross-workspace 404, bad input, query counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.clock import today
from app.helpdesk.models import HelpRequest
from app.schemes.models import CallHelpRequest, Participation, SchemeCall, SchemeNote
from app.tenancy import scoped
from factories import (
    bearer,
    create_call,
    create_member,
    create_participation,
    create_scheme,
    create_workspace,
    in_workspace,
    login,
    national_scheme,
    post,
)


def _count(db, ws, model) -> int:
    with in_workspace(db, ws):
        return len(db.scalars(scoped(model, ws.id)).all())


@pytest.mark.parametrize("role", ["coordinator", "helper", "municipal", "partner", "viewer"])
def test_every_role_sees_the_catalogue_with_the_national_schemes(client, db, ws, role):
    login(client, create_member(db, ws, role))
    page = client.get(f"/{ws.slug}/virkemidler")
    assert page.status_code == 200
    for name in ("Klimasats", "Digifin", "Regionale forskningsfond"):
        assert name.lower() in page.text.lower()
    scheme = national_scheme(db, "klimasats")
    assert client.get(f"/{ws.slug}/virkemidler/{scheme.id}").status_code == 200


def test_catalogue_filters_and_fragment(client, db, ws):
    login(client, create_member(db, ws, "coordinator"))
    own = create_scheme(db, ws, "Fylkets klimafond", areas=["climate"], owner="Trøndelag fk")
    create_call(db, ws, own, opens_on=today() - timedelta(days=3))
    page = client.get(f"/{ws.slug}/virkemidler?omrade=climate")
    assert "Fylkets klimafond" in page.text and "Digifin" not in page.text
    page = client.get(f"/{ws.slug}/virkemidler?apen=true", headers={"HX-Request": "true"})
    assert "<html" not in page.text
    assert "Fylkets klimafond" in page.text and "Klimasats" not in page.text
    page = client.get(f"/{ws.slug}/virkemidler?eier=Trøndelag+fk&q=klima")
    assert "Fylkets klimafond" in page.text and "Klimasats" not in page.text
    # The deadline shows among the next 30 days, and on the county overview.
    start = client.get(f"/{ws.slug}/oversikt")
    assert "Fylkets klimafond" in start.text


def test_a_coordinator_creates_and_edits_a_county_scheme_but_no_national_one(client, db, ws):
    login(client, create_member(db, ws, "coordinator"))
    r = post(
        client,
        f"/{ws.slug}/virkemidler",
        {
            "name": "Omstillingsmidler",
            "level": "regional",
            "areas": ["innovation"],
            "reminder_days": "30, 10",
            "url": "https://example.no/sok",
        },
    )
    assert r.status_code == 303, r.text[:400]
    scheme_url = r.headers["location"]
    page = client.get(scheme_url)
    assert "Omstillingsmidler" in page.text and "30, 10 dager" in page.text
    bad = post(client, f"/{ws.slug}/virkemidler", {"name": "X", "url": "ftp://x"})
    assert bad.status_code == 422 and "https://" in bad.text
    digifin = national_scheme(db)
    assert client.get(f"/{ws.slug}/virkemidler/{digifin.id}/rediger").status_code == 403
    r = post(client, f"/{ws.slug}/virkemidler/{digifin.id}/rediger", {"name": "Endret"})
    assert r.status_code == 403
    assert national_scheme(db).name != "Endret"
    # The county's note on a national scheme is its own.
    r = post(
        client,
        f"/{ws.slug}/virkemidler/{digifin.id}/merknad",
        {
            "note_contact_name": "Kari Kontakt",
            "note_advice": "Søk sammen",
            "note_reminder_days": "14",
        },
    )
    assert r.status_code == 303
    assert "Kari Kontakt" in client.get(f"/{ws.slug}/virkemidler/{digifin.id}").text
    r = post(client, f"/{ws.slug}/virkemidler/{digifin.id}/merknad", {"note_contact_email": "nei"})
    assert r.status_code == 422 and "e-post" in r.text.lower()


@pytest.mark.parametrize("role", ["helper", "municipal", "partner", "viewer"])
def test_only_coordinators_manage_schemes_and_calls(client, db, ws, role):
    scheme = create_scheme(db, ws)
    call = create_call(db, ws, scheme)
    login(client, create_member(db, ws, role))
    assert post(client, f"/{ws.slug}/virkemidler", {"name": "Nytt fond"}).status_code == 403
    assert client.get(f"/{ws.slug}/virkemidler/{scheme.id}/utlysninger/ny").status_code == 403
    assert post(client, f"/{ws.slug}/virkemidler/utlysninger/{call.id}/slett").status_code == 403
    assert _count(db, ws, SchemeCall) == 1


def test_calls_deadline_before_opening_is_refused_and_nothing_stored(client, db, ws):
    login(client, create_member(db, ws, "coordinator"))
    digifin = national_scheme(db)
    r = post(
        client,
        f"/{ws.slug}/virkemidler/{digifin.id}/utlysninger",
        {
            "title": "Utlysning 2027",
            "opens_on": "2027-03-01",
            "deadline_date": "2027-02-01",
            "deadline_time": "13:00",
        },
    )
    assert r.status_code == 422 and "Fristen kan ikke være før" in r.text
    r = post(
        client,
        f"/{ws.slug}/virkemidler/{digifin.id}/utlysninger",
        {"title": "Utlysning 2027", "deadline_date": "2027-02-01", "budget": "-5"},
    )
    assert r.status_code == 422 and "negativt" in r.text
    assert _count(db, ws, SchemeCall) == 0
    r = post(
        client,
        f"/{ws.slug}/virkemidler/{digifin.id}/utlysninger",
        {
            "title": "Utlysning 2027",
            "opens_on": "2027-01-05",
            "deadline_date": "2027-02-01",
            "deadline_time": "12:00",
            "budget": "5000000",
        },
    )
    assert r.status_code == 303
    page = client.get(f"/{ws.slug}/virkemidler/{digifin.id}")
    assert "01.02.2027 12:00" in page.text
    with in_workspace(db, ws):
        call = db.scalars(scoped(SchemeCall, ws.id)).one()
    r = post(client, f"/{ws.slug}/virkemidler/utlysninger/{call.id}/kopier")
    assert r.status_code == 303 and "/rediger" in r.headers["location"]
    assert "01.02.2028 12:00" in client.get(f"/{ws.slug}/virkemidler/{digifin.id}").text


def test_another_workspaces_objects_answer_404(client, db, ws):
    other = create_workspace(db, county="46", name="Vestland test")
    scheme = create_scheme(db, other)
    call = create_call(db, other, national_scheme(db))
    record = create_participation(db, other, national_scheme(db), "4601")
    login(client, create_member(db, ws, "coordinator"))
    base = f"/{ws.slug}/virkemidler"
    for url in (
        f"{base}/{scheme.id}",
        f"{base}/{scheme.id}/rediger",
        f"{base}/{scheme.id}/utlysninger/ny",
        f"{base}/utlysninger/{call.id}/rediger",
        f"{base}/soknader/{record.id}",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"{base}/{scheme.id}/rediger",
        f"{base}/{scheme.id}/merknad",
        f"{base}/{scheme.id}/arkiver",
        f"{base}/{scheme.id}/utlysninger",
        f"{base}/utlysninger/{call.id}/rediger",
        f"{base}/utlysninger/{call.id}/slett",
        f"{base}/utlysninger/{call.id}/kopier",
        f"{base}/soknader/{record.id}",
        f"{base}/soknader/{record.id}/slett",
    ):
        assert post(client, url, {"name": "x", "title": "x"}).status_code == 404, url
    assert _count(db, other, SchemeNote) == 0
    assert _count(db, other, SchemeCall) == 1
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    api = f"/api/v1/{ws.slug}"
    for url in (
        f"{api}/schemes/{scheme.id}",
        f"{api}/calls/{call.id}",
        f"{api}/participations/{record.id}",
    ):
        assert client.get(url, headers=headers).status_code == 404, url
    r = client.put(
        f"{api}/participations/{record.id}",
        headers=headers,
        json={"scheme_id": record.scheme_id, "year": 2025, "lead": "5020"},
    )
    assert r.status_code == 404


def test_municipal_user_asks_for_help_with_an_application_in_one_click(client, db, ws):
    digifin = national_scheme(db)
    call = create_call(db, ws, digifin, title="Utlysning 2027")
    login(client, create_member(db, ws, "municipal"))
    page = client.get(f"/{ws.slug}/virkemidler/{digifin.id}")
    assert "Be hjelpekorpset om hjelp med søknaden" in page.text
    r = post(client, f"/{ws.slug}/virkemidler/utlysninger/{call.id}/be-om-hjelp")
    assert r.status_code == 303
    with in_workspace(db, ws):
        req = db.scalars(scoped(HelpRequest, ws.id)).one()
    assert req.category == "funding" and req.municipality_number == "5020"
    assert "Utlysning 2027" in req.title and digifin.name in req.description
    assert r.headers["location"] == f"/{ws.slug}/hjelp/{req.number}"
    # Asking again leads to the same request; the page says it was asked.
    r = post(client, f"/{ws.slug}/virkemidler/utlysninger/{call.id}/be-om-hjelp")
    assert r.headers["location"] == f"/{ws.slug}/hjelp/{req.number}"
    assert _count(db, ws, HelpRequest) == 1 and _count(db, ws, CallHelpRequest) == 1
    assert f"HK-{req.number}" in client.get(f"/{ws.slug}/virkemidler/{digifin.id}").text
    closed = create_call(db, ws, digifin, deadline=today() - timedelta(days=1))
    r = post(client, f"/{ws.slug}/virkemidler/utlysninger/{closed.id}/be-om-hjelp")
    assert r.status_code == 409
    assert _count(db, ws, HelpRequest) == 1


def test_participation_by_role(client, db, ws):
    digifin = national_scheme(db)
    mine = create_participation(db, ws, digifin, "5021", ("5020",), title="Felles")
    theirs = create_participation(db, ws, digifin, "5001", title="Trondheims")
    login(client, create_member(db, ws, "municipal"))  # Osen, 5020
    base = f"/{ws.slug}/virkemidler/soknader"
    form = {
        "scheme_id": digifin.id,
        "year": "2026",
        "status": "applying",
        "lead": "5020",
        "title": "Osens søknad",
        "amount_applied": "400000",
    }
    r = post(client, base, form)
    assert r.status_code == 303, r.text[:300]
    # Not for another municipality alone.
    r = post(client, base, {**form, "lead": "5001", "title": "Ikke min"})
    assert r.status_code == 422 and "Din kommune" in r.text
    assert 'name="title"' in client.get(f"{base}/{mine.id}").text  # editable: a form
    assert 'name="title"' not in client.get(f"{base}/{theirs.id}").text  # read only
    assert post(client, f"{base}/{theirs.id}", {**form, "lead": "5001"}).status_code == 403
    assert post(client, f"{base}/{theirs.id}/slett").status_code == 403
    with in_workspace(db, ws):
        titles = set(
            db.scalars(scoped(Participation, ws.id).with_only_columns(Participation.title))
        )
    assert titles == {"Felles", "Trondheims", "Osens søknad"}


@pytest.mark.parametrize("role", ["partner", "viewer"])
def test_partners_and_viewers_read_participation(client, db, ws, role):
    record = create_participation(db, ws, national_scheme(db), title="Synlig")
    login(client, create_member(db, ws, role))
    assert "Synlig" in client.get(f"/{ws.slug}/virkemidler/soknader").text
    assert client.get(f"/{ws.slug}/virkemidler/soknader/ny").status_code == 403
    r = post(
        client,
        f"/{ws.slug}/virkemidler/soknader",
        {"scheme_id": record.scheme_id, "year": "2025", "lead": "5020"},
    )
    assert r.status_code == 403


def test_participation_bad_input_stores_nothing(client, db, ws):
    login(client, create_member(db, ws, "helper"))
    digifin = national_scheme(db)
    base = f"/{ws.slug}/virkemidler/soknader"
    good = {"scheme_id": digifin.id, "year": "2025", "status": "granted", "lead": "5020"}
    for bad, field_text in (
        ({"amount_granted": "-100"}, "negativt"),
        ({"lead": "9998"}, "Ukjent kommunenummer"),
        ({"partners": ["5021", "9997"]}, "9997"),
        ({"year": "1850"}, "Verdien er ikke gyldig"),
        ({"status": "applying", "amount_granted": "5"}, "Innvilget beløp"),
    ):
        r = post(client, base, {**good, **bad})
        assert r.status_code == 422, bad
        assert field_text in r.text, bad
    assert _count(db, ws, Participation) == 0
    r = post(client, base, {**good, "partners": ["5021", "5020"], "amount_granted": "250000"})
    assert r.status_code == 303
    with in_workspace(db, ws):
        db.scalars(scoped(Participation, ws.id)).one()
    page = client.get(f"{base}?kommune=5021")
    assert "250 000" in page.text.replace("\xa0", " ")


def test_list_pages_cost_a_bounded_number_of_queries(client, db, ws, count_queries):
    login(client, create_member(db, ws, "coordinator"))
    schemes = [national_scheme(db, k) for k in ("digifin", "klimasats")]
    create_participation(db, ws, schemes[0], "5020", ("5021",))
    create_call(db, ws, schemes[0])

    def measure():
        counts = {}
        for url in ("/virkemidler", "/virkemidler/soknader", f"/virkemidler/{schemes[0].id}", ""):
            client.get(f"/{ws.slug}{url}")
            with count_queries() as q:
                assert client.get(f"/{ws.slug}{url}").status_code == 200
            counts[url] = q.count
        return counts

    before = measure()
    for i in range(12):
        create_participation(
            db, ws, schemes[i % 2], ("5001", "5006", "5007")[i % 3], ("5020", "5021")
        )
        create_call(db, ws, schemes[i % 2], deadline=today() + timedelta(days=i + 1))
        create_scheme(db, ws)
    assert measure() == before


def test_api_schemes_calls_and_participation(client, db, ws):
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    api = f"/api/v1/{ws.slug}"
    items = client.get(f"{api}/schemes", headers=headers).json()["items"]
    assert {"digifin", "klimasats"} <= {i["key"] for i in items}
    digifin = next(i for i in items if i["key"] == "digifin")
    assert digifin["national"] is True
    r = client.put(f"{api}/schemes/{digifin['id']}", headers=headers, json={"name": "Endret"})
    assert r.status_code == 403
    r = client.put(
        f"{api}/schemes/{digifin['id']}/note",
        headers=headers,
        json={"advice": "Ring oss", "reminder_days": [10]},
    )
    assert r.status_code == 200 and r.json()["reminder_days"] == [10]
    r = client.post(
        f"{api}/schemes",
        headers=headers,
        json={"name": "Eget fond", "areas": ["climate"], "reminder_days": "14, 3"},
    )
    assert r.status_code == 201 and r.json()["reminder_days"] == [14, 3]
    r = client.post(
        f"{api}/calls",
        headers=headers,
        json={
            "scheme_id": digifin["id"],
            "title": "2027",
            "opens_on": "2027-02-01",
            "deadline_date": "2027-01-15",
        },
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    r = client.post(
        f"{api}/calls",
        headers=headers,
        json={
            "scheme_id": digifin["id"],
            "title": "Utlysning 2027",
            "deadline_date": str(date(2027, 1, 15)),
            "deadline_time": "12:00",
        },
    )
    assert r.status_code == 201
    call = r.json()
    assert call["deadline"].startswith("2027-01-15T11:00")  # 12:00 in Oslo, winter time
    assert any(
        c["id"] == call["id"] for c in client.get(f"{api}/calls", headers=headers).json()["items"]
    )
    r = client.post(f"{api}/calls/{call['id']}/copy", headers=headers)
    assert r.status_code == 201 and r.json()["title"] == "Utlysning 2028"
    body = {
        "scheme_id": digifin["id"],
        "call_id": call["id"],
        "year": 2027,
        "lead": "5020",
        "partners": ["5021"],
        "status": "granted",
        "amount_applied": 900000,
        "amount_granted": 600000,
    }
    r = client.post(f"{api}/participations", headers=headers, json=body)
    assert r.status_code == 201, r.text
    record = r.json()
    assert {(m["municipality_number"], m["role"]) for m in record["members"]} == {
        ("5020", "lead"),
        ("5021", "partner"),
    }
    r = client.post(f"{api}/participations", headers=headers, json={**body, "amount_applied": -1})
    assert r.status_code == 422
    page = client.get(
        f"{api}/participations?municipality=5021&role=partner", headers=headers
    ).json()
    assert page["total"] == 1 and page["items"][0]["id"] == record["id"]
    r = client.put(
        f"{api}/participations/{record['id']}",
        headers=headers,
        json={**body, "partners": [], "status": "completed"},
    )
    assert r.status_code == 200 and len(r.json()["members"]) == 1
    assert client.delete(f"{api}/participations/{record['id']}", headers=headers).status_code == 204
    assert client.get(f"{api}/participations/{record['id']}", headers=headers).status_code == 404
