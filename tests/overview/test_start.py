"""Each person's start page ("Til deg"): what waits for them, in every workspace they belong to,
per role — and never another municipality's or another county's things. The workspace they used
last is where they land after login."""

from __future__ import annotations

from datetime import timedelta

from app.clock import at, today, utcnow
from app.helpdesk.models import Visit, VisitHelper
from app.strategies.models import FormalResponse
from factories import (
    add_member,
    assign_request,
    create_document,
    create_help_request,
    create_member,
    create_round,
    create_user,
    create_workspace,
    in_workspace,
    login,
    organisation,
    set_request,
)


def _round(db, ws, title, **kwargs):
    author = create_member(db, ws, "coordinator")
    doc = create_document(db, ws, author, title=f"Strategi {title}", publish=True)
    return create_round(db, ws, author, doc, title=title, **kwargs)


def _invite(db, ws, r, **fields):
    from factories import create_invitee

    kind = "organisation" if "organisation_id" in fields else "municipality"
    return create_invitee(db, ws, r, kind, **fields)


def test_a_municipal_user_sees_their_requests_waiting_for_them_first(client, db):
    ws = create_workspace(db)
    osen = create_user(db, name="Osen Kommunedirektør")
    add_member(db, ws, osen, "municipal", municipality="5020")
    create_help_request(db, ws, osen, title="Søknad om skjønnsmidler")
    asked = create_help_request(db, ws, osen, title="Velferdsteknologi")
    set_request(db, ws, asked, state="waiting_for_municipality")
    create_help_request(db, ws, municipality="5007", title="Namsos sin sak")
    login(client, osen)
    page = client.get(f"/{ws.slug}").text
    assert "Dette venter på deg" in page
    assert "Forespørsler til hjelpekorpset" in page
    # the question from the helper first, with its call to action
    assert page.index("Velferdsteknologi") < page.index("Søknad om skjønnsmidler")
    assert f'href="/{ws.slug}/hjelp/{asked.number}">Svar hjelpekorpset' in page
    assert "Namsos sin sak" not in page  # another municipality's request
    assert "Din rolle i" in page and "Kommune" in page


def test_consultations_across_counties_for_a_partner_with_the_state_of_their_response(client, db):
    ks = organisation(db, "KS")
    trondelag = create_workspace(db, name="Trøndelag test")
    vestland = create_workspace(db, county="46", name="Vestland test")
    other = create_workspace(db, county="18", name="Nordland test")
    adviser = create_user(db, name="KS-rådgiver")
    add_member(db, trondelag, adviser, "partner", organisation_id=ks.id)
    add_member(db, vestland, adviser, "partner", organisation_id=ks.id)
    first = _round(db, trondelag, "Høring om digitaliseringsstrategi")
    inv = _invite(db, trondelag, first, organisation_id=ks.id)
    second = _round(db, vestland, "Høring om innovasjonsstrategi", ends_on=today() + timedelta(3))
    _invite(db, vestland, second, organisation_id=ks.id)
    elsewhere = _round(db, other, "Høring i et fylke uten meg")
    _invite(db, other, elsewhere, organisation_id=ks.id)
    not_invited = _round(db, trondelag, "Høring uten KS")
    with in_workspace(db, trondelag):
        db.add(
            FormalResponse(
                workspace_id=trondelag.id, round_id=first.id, invitee_id=inv.id, body="Utkast"
            )
        )
    login(client, adviser)
    page = client.get(f"/{trondelag.slug}").text
    assert "Høring om digitaliseringsstrategi" in page and "Høringssvaret er et utkast" in page
    assert "Fortsett på utkastet" in page
    # the other county on the same page, under its name, linking into its workspace
    assert page.index("Trøndelag test") < page.index("Vestland test")
    assert f'href="/{vestland.slug}/hoeringer/{second.id}">Skriv høringssvar' in page
    assert "Høringssvaret er ikke påbegynt" in page
    assert "Høring i et fylke uten meg" not in page  # not a member there
    assert not_invited.title not in page


def test_a_helper_sees_assigned_requests_overdue_first_and_visits_this_week(client, db):
    ws = create_workspace(db)
    helper = create_member(db, ws, "helper", name="Hanne Hjelper")
    colleague = create_member(db, ws, "helper")
    fresh = create_help_request(db, ws, title="Fersk sak")
    late = create_help_request(db, ws, title="Gammel sak")
    theirs = create_help_request(db, ws, title="Kollegaens sak")
    for req in (fresh, late):
        assign_request(db, ws, req, helper)
    assign_request(db, ws, theirs, colleague)
    set_request(db, ws, fresh, resolution_due_at=utcnow() + timedelta(days=5))
    set_request(db, ws, late, resolution_due_at=utcnow() - timedelta(days=2))
    with in_workspace(db, ws):
        starts = at(today()) + timedelta(hours=23)
        visit = Visit(
            workspace_id=ws.id,
            request_id=fresh.id,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=30),
            place="Rådhuset i Osen",
        )
        db.add(visit)
        db.flush()
        db.add(VisitHelper(workspace_id=ws.id, visit_id=visit.id, user_id=helper.id))
    login(client, helper)
    page = client.get(f"/{ws.slug}").text
    assert "Tildelt deg" in page
    assert page.index("Gammel sak") < page.index("Fersk sak")  # the overdue first
    assert "forsinket" in page
    assert "Kollegaens sak" not in page
    assert "Besøk denne uka" in page and "Besøk: Rådhuset i Osen" in page


def test_a_coordinator_sees_triage_overdue_rounds_and_measures(client, db):
    ws = create_workspace(db)
    coordinator = create_member(db, ws, "coordinator")
    create_help_request(db, ws, title="Ny og ufordelt")
    late = create_help_request(db, ws, title="Forsinket sak")
    assign_request(db, ws, late, create_member(db, ws, "helper"))
    set_request(db, ws, late, resolution_due_at=utcnow() - timedelta(days=1))
    closing = _round(db, ws, "Høring som lukkes snart", ends_on=today() + timedelta(days=5))
    _round(db, ws, "Høring langt fram", ends_on=today() + timedelta(days=40))
    login(client, coordinator)
    page = client.get(f"/{ws.slug}").text
    assert "Til vurdering" in page and "Ny og ufordelt" in page and "Vurder og tildel" in page
    assert "Forsinket</h3>" in page and "Forsinket sak" in page
    assert f'href="/{ws.slug}/hoeringer/{closing.id}"' in page
    assert "Høring langt fram" not in page


def test_nothing_waiting_says_so_kindly(client, db):
    ws = create_workspace(db)
    login(client, create_member(db, ws, "viewer"))
    page = client.get(f"/{ws.slug}").text
    assert "Ingenting venter på deg nå" in page
    assert f'href="/{ws.slug}/oversikt"' in page  # the county one click away
    assert "figure__value" not in page


def test_the_workspace_used_last_is_where_one_lands(client, db):
    a = create_workspace(db, name="Fylke A")
    b = create_workspace(db, county="46", name="Fylke B")
    user = create_member(db, a, "coordinator")
    add_member(db, b, user, "coordinator")
    r = login(client, user)
    assert r.headers["location"] == "/velg"  # never used one: the picker, as before
    assert client.get(f"/{b.slug}/hjelp").status_code == 200
    client.cookies.clear()
    r = login(client, user)
    assert r.headers["location"] == f"/{b.slug}"
    assert client.get("/").headers["location"] == f"/{b.slug}"
    # a workspace one is no longer a member of is not used
    from app.accounts import service as accounts

    with in_workspace(db, b):
        membership = accounts.get_membership(db, b.id, user.id)
        accounts.remove_membership(db, b.id, membership.id)
    client.cookies.clear()
    assert login(client, user).headers["location"] == f"/{a.slug}"


def test_the_switcher_keeps_the_county_overview(client, db):
    a = create_workspace(db)
    b = create_workspace(db, county="46")
    user = create_member(db, a, "viewer")
    add_member(db, b, user, "viewer")
    login(client, user)
    page = client.get(f"/{a.slug}/oversikt").text
    assert f'href="/{b.slug}?til=oversikt"' in page
    assert client.get(f"/{b.slug}?til=oversikt").headers["location"] == f"/{b.slug}/oversikt"


def test_query_count_does_not_grow_with_the_rows(client, db, count_queries):
    ks = organisation(db, "KS")
    a = create_workspace(db)
    b = create_workspace(db, county="46")
    user = create_user(db)
    add_member(db, a, user, "coordinator")
    add_member(db, b, user, "partner", organisation_id=ks.id)
    create_help_request(db, a)
    r = _round(db, b, "Høring")
    _invite(db, b, r, organisation_id=ks.id)
    login(client, user)
    client.get(f"/{a.slug}")
    with count_queries() as small:
        assert client.get(f"/{a.slug}").status_code == 200
    for _i in range(12):
        create_help_request(db, a)
        r = _round(db, b, "Høring")
        _invite(db, b, r, organisation_id=ks.id)
    with count_queries() as large:
        page = client.get(f"/{a.slug}").text
    assert "Se alle i køen" in page
    assert large.count == small.count, large.statements


def test_a_municipal_user_sees_deadlines_in_their_own_areas(client, db):
    """The address book says what the chief executive answers for: the deadlines of schemes in
    those areas, not the others; someone not in it sees every area's."""
    from factories import create_call, create_person, create_scheme

    ws = create_workspace(db)
    osen = create_user(db, email="kd@osen.kommune.no", name="Osen Kommunedirektør")
    add_member(db, ws, osen, "municipal", municipality="5020")
    create_person(db, ws, "Osen Kommunedirektør", "5020", ["climate"], email="KD@osen.kommune.no")
    climate = create_scheme(db, ws, "Klimamidler", areas=["climate"])
    school = create_scheme(db, ws, "Skolemidler", areas=["school"])
    create_call(db, ws, climate, title="Runde klima", deadline=today() + timedelta(days=20))
    create_call(db, ws, school, title="Runde skole", deadline=today() + timedelta(days=10))
    login(client, osen)
    page = client.get(f"/{ws.slug}").text
    assert "Runde klima" in page and "Runde skole" not in page

    other = create_user(db, name="Ikke i adresseboka")
    add_member(db, ws, other, "municipal", municipality="5020")
    client.cookies.clear()
    login(client, other)
    page = client.get(f"/{ws.slug}").text
    assert "Runde klima" in page and "Runde skole" in page


def test_a_municipal_user_sees_innovations_their_councils_use(client, db):
    """What the municipalities Osen meets in its council already use, and Osen does not: the
    spread the registry is for. Not what Osen has taken up, not what only strangers use."""
    from factories import add_body_member, adopt, create_body, create_innovation

    ws = create_workspace(db)
    council = create_body(db, ws, "Namdal regionråd")
    for number in ("5020", "5007", "5044"):  # Osen, Namsos, Namsskogan
        add_body_member(db, ws, council, number)
    used_near = create_innovation(db, ws, "Digital postkasse", origin="5001")
    adopt(db, ws, used_near, "5007")
    adopt(db, ws, used_near, "5044")
    at_home = create_innovation(db, ws, "Velferdsteknologi", origin="5001")
    adopt(db, ws, at_home, "5007")
    adopt(db, ws, at_home, "5020", status="planned")
    far_away = create_innovation(db, ws, "Smart vannmåler", origin="5001")
    adopt(db, ws, far_away, "5006")  # Steinkjer is not in the council

    osen = create_user(db, name="Osen Kommunedirektør")
    add_member(db, ws, osen, "municipal", municipality="5020")
    login(client, osen)
    page = client.get(f"/{ws.slug}").text
    assert "Innovasjoner i bruk i rådene og nettverkene dine" in page
    assert "Digital postkasse" in page and "I bruk i 2 kommuner du samarbeider med" in page
    assert "Velferdsteknologi" not in page and "Smart vannmåler" not in page
