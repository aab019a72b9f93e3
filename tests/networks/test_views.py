import re
from datetime import timedelta

import pytest
from sqlalchemy import func

from app import clock
from app.networks import service
from app.networks.models import Body, BodyMembership, Person, Representative
from app.networks.schemas import BodyForm
from app.tenancy import scoped, set_db_scope
from factories import (
    accept_shares,
    add_body_member,
    create_body,
    create_member,
    create_person,
    create_workspace,
    login,
    post,
)


def scope(db, ws):
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)


def unscope(db):
    set_db_scope(db, workspace_id=None, user_id=None)


def count(db, ws, model):
    scope(db, ws)
    n = db.scalar(scoped(model, ws.id).with_only_columns(func.count()))
    unscope(db)
    return n


def test_coordinator_creates_a_body_with_an_inner_body(client, db, ws):
    login(client, create_member(db, ws, "coordinator"))
    r = post(
        client,
        f"/{ws.slug}/organer",
        {
            "name": "DigiTrøndelag",
            "kind": "network",
            "theme": "digitalisation",
            "purpose": "Felles digitalisering",
        },
    )
    assert r.status_code == 303
    body_url = r.headers["location"]
    body_id = int(body_url.rsplit("/", 1)[1])
    r = post(
        client,
        f"/{ws.slug}/organer",
        {
            "name": "DigiTrøndelag arbeidsutvalg",
            "kind": "working_committee",
            "parent_id": str(body_id),
        },
    )
    assert r.status_code == 303
    page = client.get(body_url).text
    assert "DigiTrøndelag arbeidsutvalg" in page and "Felles digitalisering" in page
    tree = client.get(f"/{ws.slug}/organer").text
    assert "body-tree__item--d1" in tree


def test_a_body_cannot_be_its_own_ancestor(client, db, ws):
    top = create_body(db, ws, "Toppen", "network")
    child = create_body(db, ws, "Barnet", "working_committee", parent_id=top.id)
    login(client, create_member(db, ws, "coordinator"))
    r = post(
        client,
        f"/{ws.slug}/organer/{top.id}/rediger",
        {"name": "Toppen", "kind": "network", "parent_id": str(child.id)},
    )
    assert r.status_code == 422
    assert "kan ikke ligge under seg selv" in r.text
    r = post(
        client,
        f"/{ws.slug}/organer/{top.id}/rediger",
        {"name": "Toppen", "kind": "network", "parent_id": str(top.id)},
    )
    assert r.status_code == 422
    scope(db, ws)
    assert db.scalar(scoped(Body, ws.id).where(Body.id == top.id)).parent_id is None


def test_duplicate_name_and_bad_email_are_named(client, db, ws):
    create_body(db, ws, "Fosen regionråd")
    login(client, create_member(db, ws, "coordinator"))
    r = post(
        client,
        f"/{ws.slug}/organer",
        {"name": "fosen regionråd", "kind": "council", "contact_email": "ikke-epost"},
    )
    assert r.status_code == 422
    assert "Skriv en gyldig e-postadresse." in r.text
    r = post(client, f"/{ws.slug}/organer", {"name": "Fosen regionråd", "kind": "council"})
    assert r.status_code == 422 and "finnes allerede" in r.text
    assert count(db, ws, Body) == 1


def test_membership_over_time(client, db, ws):
    body = create_body(db, ws, "Namdal regionråd")
    login(client, create_member(db, ws, "coordinator"))
    url = f"/{ws.slug}/organer/{body.id}/medlemmer"
    r = post(
        client, url, {"municipality_number": "5020", "role": "member", "start_date": "2018-01-01"}
    )
    assert r.status_code == 303
    # Overlapping period for the same municipality: refused, nothing added.
    r = post(
        client, url, {"municipality_number": "5020", "role": "member", "start_date": "2020-01-01"}
    )
    assert r.status_code == 422 and "overlapper" in r.text
    # End before start: refused.
    r = post(
        client,
        url,
        {"municipality_number": "5049", "start_date": "2020-01-01", "end_date": "2019-01-01"},
    )
    assert r.status_code == 422 and "Sluttdatoen kan ikke være før startdatoen." in r.text
    assert count(db, ws, BodyMembership) == 1
    # Osen leaves; it shows among past members, and may rejoin later.
    scope(db, ws)
    membership = db.scalar(scoped(BodyMembership, ws.id))
    unscope(db)
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    r = post(client, f"{url}/{membership.id}/avslutt", {"end_date": "2017-01-01"})
    assert r.status_code == 422
    r = post(client, f"{url}/{membership.id}/avslutt", {"end_date": yesterday})
    assert r.status_code == 303
    page = client.get(f"/{ws.slug}/organer/{body.id}").text
    assert "Tidligere medlemmer" in page and "Ingen medlemmer nå." in page
    r = post(client, url, {"municipality_number": "5020", "start_date": clock.today().isoformat()})
    assert r.status_code == 303
    municipality = client.get(f"/{ws.slug}/kommuner/5020").text
    assert "Med i nå" in municipality and "Namdal regionråd" in municipality
    assert "Var med før" in municipality


def test_future_member_is_listed_as_joining(client, db, ws):
    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5020", start=clock.today() + timedelta(days=30))
    login(client, create_member(db, ws, "viewer"))
    page = client.get(f"/{ws.slug}/organer/{body.id}").text
    assert "Blir med" in page


def test_viewer_reads_but_does_not_change(client, db, ws):
    body = create_body(db, ws, "Namdal regionråd")
    login(client, create_member(db, ws, "viewer"))
    assert client.get(f"/{ws.slug}/organer/{body.id}").status_code == 200
    assert "Legg til medlem" not in client.get(f"/{ws.slug}/organer/{body.id}").text
    r = post(client, f"/{ws.slug}/organer/{body.id}/medlemmer", {"municipality_number": "5020"})
    assert r.status_code == 403
    assert client.get(f"/{ws.slug}/organer/ny").status_code == 403


def test_shared_body_is_read_only_for_the_other_county(client, db):
    buskerud = create_workspace(db, county="33", name="Buskerud test")
    telemark = create_workspace(db, county="40", name="Telemark test")
    vestland = create_workspace(db, county="46", name="Vestland test")
    kr = create_body(db, buskerud, "Kongsbergregionen")
    add_body_member(db, buskerud, kr, "3303")
    add_body_member(db, buskerud, kr, "4005")  # Notodden, Telemark
    inner = create_body(db, buskerud, "SuksIT", "network", theme="digitalisation", parent_id=kr.id)
    accept_shares(db, telemark)
    user = create_member(db, telemark, "coordinator")
    login(client, user)
    listing = client.get(f"/{telemark.slug}/organer").text
    assert "Kongsbergregionen" in listing and "delt fra Buskerud test" in listing
    page = client.get(f"/{telemark.slug}/organer/{kr.id}")
    assert page.status_code == 200
    assert "eies av Buskerud test" in page.text and "Notodden" in page.text
    assert "Legg til medlem" not in page.text
    assert client.get(f"/{telemark.slug}/organer/{inner.id}").status_code == 200
    r = post(client, f"/{telemark.slug}/organer/{kr.id}/medlemmer", {"municipality_number": "4005"})
    assert r.status_code == 403
    assert client.get(f"/{telemark.slug}/organer/{kr.id}/rediger").status_code == 403
    # Coverage in Telemark counts Notodden as a council member.
    coverage = client.get(f"/{telemark.slug}/dekning").text
    assert "Kongsbergregionen" in coverage
    table = coverage.split('id="table-h"', 1)[1]
    notodden = re.search(r"Notodden</a>.*?</td>(.*?)</tr>", table, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]+)</td>', notodden)[1:] == ["1", "0", "1"]
    # A county with no members in it does not see it at all.
    client.cookies.clear()
    login(client, create_member(db, vestland, "coordinator"))
    assert client.get(f"/{vestland.slug}/organer/{kr.id}").status_code == 404
    assert "Kongsbergregionen" not in client.get(f"/{vestland.slug}/organer").text


def test_sharing_ends_when_the_last_member_of_that_county_is_removed(client, db):
    buskerud = create_workspace(db, county="33")
    telemark = create_workspace(db, county="40")
    kr = create_body(db, buskerud, "Kongsbergregionen")
    m = add_body_member(db, buskerud, kr, "4005")
    scope(db, buskerud)
    service.delete_membership(db, buskerud, kr.id, m.id)
    unscope(db)
    login(client, create_member(db, telemark, "viewer"))
    assert client.get(f"/{telemark.slug}/organer/{kr.id}").status_code == 404


def test_who_in_osen_is_responsible_for_digitalisation(client, db, ws):
    create_person(db, ws, "Siri Strand", "5020", ["digitalisation"])
    create_person(db, ws, "Ola Osen", "5020", ["school"])
    create_person(db, ws, "Nina Namsos", "5007", ["digitalisation"])
    login(client, create_member(db, ws, "partner"))
    # Click 1: the municipality (from the start page); click 2: the area on its page.
    start = client.get(f"/{ws.slug}/oversikt").text
    assert f'href="/{ws.slug}/kommuner/5020"' in start
    page = client.get(f"/{ws.slug}/kommuner/5020").text
    section = page.split('id="omrade-digitalisation"', 1)[1].split("</li>\n    \n", 1)[0]
    assert "Siri Strand" in section and "Ola Osen" not in section
    # And by search.
    found = client.get(f"/{ws.slug}/kontakter?kommune=5020&omrade=digitalisation").text
    assert "Siri Strand" in found and "Ola Osen" not in found and "Nina Namsos" not in found
    by_text = client.get(f"/{ws.slug}/kontakter?q=osen").text
    assert "Siri Strand" in by_text and "Ola Osen" in by_text and "Nina Namsos" not in by_text
    fragment = client.get(f"/{ws.slug}/kontakter?q=nina", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Nina Namsos" in fragment.text


def test_municipal_user_keeps_own_contacts_only(client, db, ws):
    own = create_person(db, ws, "Siri Strand", "5020", ["digitalisation"])
    other = create_person(db, ws, "Nina Namsos", "5007", ["digitalisation"])
    login(client, create_member(db, ws, "municipal"))  # bound to Osen (5020)
    r = post(
        client,
        f"/{ws.slug}/kontakter/{own.id}",
        {
            "name": "Siri Strand",
            "municipality_number": "5020",
            "phone": "+47 400 00 009",
            "areas": "digitalisation",
        },
    )
    assert r.status_code == 303
    scope(db, ws)
    assert db.scalar(scoped(Person, ws.id).where(Person.id == own.id)).phone == "+47 400 00 009"
    unscope(db)
    assert client.get(f"/{ws.slug}/kontakter/{other.id}").status_code == 403
    r = post(
        client,
        f"/{ws.slug}/kontakter/{other.id}",
        {"name": "Hacked", "municipality_number": "5007"},
    )
    assert r.status_code == 403
    r = post(
        client,
        f"/{ws.slug}/kontakter",
        {"name": "Ny i Namsos", "municipality_number": "5007"},
    )
    assert r.status_code == 403
    r = post(
        client,
        f"/{ws.slug}/kontakter",
        {"name": "Ny i Osen", "municipality_number": "5020", "email": "feil"},
    )
    assert r.status_code == 422 and "Skriv en gyldig e-postadresse." in r.text
    assert count(db, ws, Person) == 2


def test_coordinator_adds_a_representative(client, db, ws):
    body = create_body(db, ws, "DigiTrøndelag arbeidsutvalg", "working_committee")
    person = create_person(db, ws, "Siri Strand", "5020", ["digitalisation"])
    login(client, create_member(db, ws, "coordinator"))
    chooser = client.get(f"/{ws.slug}/organer/{body.id}").text
    assert f'<option value="{person.id}">Osen: Siri Strand</option>' in chooser
    r = post(client, f"/{ws.slug}/organer/{body.id}/representanter", {"person_id": str(person.id)})
    assert r.status_code == 303
    page = client.get(f"/{ws.slug}/organer/{body.id}").text
    assert re.search(r"Osen</a>: Siri Strand", page)
    municipality = client.get(f"/{ws.slug}/kommuner/5020").text
    assert "Representerer kommunen i:" in municipality
    assert "DigiTrøndelag arbeidsutvalg</a>" in municipality
    r = post(client, f"/{ws.slug}/organer/{body.id}/representanter", {"person_id": str(person.id)})
    assert r.status_code == 409


def test_coverage_shows_gaps_and_the_matrix(client, db, ws):
    council = create_body(db, ws, "Fosen regionråd")
    digi = create_body(db, ws, "DigiTrøndelag", "network", theme="digitalisation")
    add_body_member(db, ws, council, "5020")
    add_body_member(db, ws, digi, "5020")
    add_body_member(db, ws, digi, "5001")
    login(client, create_member(db, ws, "viewer"))
    page = client.get(f"/{ws.slug}/dekning").text
    no_council = page.split('id="no-council"', 1)[1].split("</section>", 1)[0]
    assert "Trondheim" in no_council and "Osen" not in no_council
    no_digi = page.split('id="no-digi"', 1)[1].split("</section>", 1)[0]
    assert "Røyrvik" in no_digi and "Osen" not in no_digi
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in page
    assert '<title id="cov-title">' in page and "matrix__cell--on" in page
    small = client.get(f"/{ws.slug}/dekning?klasse=1").text
    assert "Røyrvik" in small and "Trondheim" not in small.split('id="table-h"')[1]


def test_coverage_and_body_list_query_counts_are_bounded(client, db, ws, count_queries):
    login(client, create_member(db, ws, "coordinator"))
    body = create_body(db, ws, "Råd 0")
    add_body_member(db, ws, body, "5020")
    create_person(db, ws, "Person 0", "5020", ["digitalisation"])  # eager loads run from here

    def measure():
        counts = {}
        for url in ("/organer", "/dekning", f"/organer/{body.id}", "", "/kommuner/5020"):
            client.get(f"/{ws.slug}{url}")
            with count_queries() as q:
                assert client.get(f"/{ws.slug}{url}").status_code == 200
            counts[url] = q.count
        return counts

    before = measure()
    numbers = ["5001", "5006", "5007", "5014", "5021", "5022", "5025", "5026"]
    for i in range(1, 12):
        b = create_body(db, ws, f"Råd {i}")
        for n in numbers[: i % len(numbers) + 1]:
            add_body_member(db, ws, b, n)
        add_body_member(db, ws, body, numbers[i % len(numbers)]) if i < len(numbers) else None
        create_person(db, ws, f"Person {i}", "5020", ["digitalisation", "school"])
    after = measure()
    assert after == before, (before, after)


def test_another_workspaces_bodies_and_contacts_are_404_under_own_slug(client, db, ws):
    vestland = create_workspace(db, county="46", name="Vestland test")
    their_body = create_body(db, vestland, "DigiVestland", "network")
    their_member = add_body_member(db, vestland, their_body, "4601")
    their_person = create_person(db, vestland, "Berit Bergen", "4601", ["digitalisation"])
    own = create_member(db, ws, "county_admin")
    login(client, own)
    slug = ws.slug
    b, m, p = their_body.id, their_member.id, their_person.id
    for url in (f"/{slug}/organer/{b}", f"/{slug}/organer/{b}/rediger", f"/{slug}/kontakter/{p}"):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (f"/{slug}/organer/{b}/rediger", {"name": "x", "kind": "network"}),
        (f"/{slug}/organer/{b}/arkiver", {}),
        (f"/{slug}/organer/{b}/medlemmer", {"municipality_number": "5020"}),
        (f"/{slug}/organer/{b}/medlemmer/{m}/avslutt", {"end_date": "2030-01-01"}),
        (f"/{slug}/organer/{b}/medlemmer/{m}/slett", {}),
        (f"/{slug}/kontakter/{p}", {"name": "x", "municipality_number": "5020"}),
        (f"/{slug}/kontakter/{p}/slett", {}),
    ):
        assert post(client, url, data).status_code == 404, url
    # Their rows never show in our lists.
    assert "DigiVestland" not in client.get(f"/{slug}/organer").text
    assert "Berit Bergen" not in client.get(f"/{slug}/kontakter?q=berit").text
    assert "DigiVestland" not in client.get(f"/{slug}/kommuner/4601").text
    # And nothing of theirs changed.
    assert count(db, vestland, BodyMembership) == 1 and count(db, vestland, Person) == 1


def test_pages_with_and_without_htmx(client, db, ws):
    body = create_body(db, ws, "Namdal regionråd")
    login(client, create_member(db, ws, "coordinator"))
    r = post(
        client,
        f"/{ws.slug}/organer/{body.id}/medlemmer",
        {"municipality_number": "5020"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 204 and r.headers["HX-Redirect"] == f"/{ws.slug}/organer/{body.id}"
    r = post(client, f"/{ws.slug}/organer/{body.id}/medlemmer", {"municipality_number": "5020"})
    assert r.status_code == 422  # the same period again: overlap, also without HTMX


def test_moving_a_body_out_of_a_shared_tree_ends_the_sharing(client, db):
    buskerud = create_workspace(db, county="33")
    telemark = create_workspace(db, county="40")
    kr = create_body(db, buskerud, "Kongsbergregionen")
    other = create_body(db, buskerud, "Midt-Buskerud")
    inner = create_body(db, buskerud, "SuksIT", "network", parent_id=kr.id)
    add_body_member(db, buskerud, inner, "4005")  # Notodden in the inner body shares the whole tree
    accept_shares(db, telemark)
    login(client, create_member(db, telemark, "viewer"))
    assert client.get(f"/{telemark.slug}/organer/{kr.id}").status_code == 200
    scope(db, buskerud)
    service.update_body(
        db, buskerud, inner.id, BodyForm(name="SuksIT", kind="network", parent_id=other.id)
    )
    unscope(db)
    assert client.get(f"/{telemark.slug}/organer/{kr.id}").status_code == 404
    # The tree it moved into is another body: Telemark answers for that one anew.
    assert client.get(f"/{telemark.slug}/organer/{other.id}").status_code == 404
    accept_shares(db, telemark)
    assert client.get(f"/{telemark.slug}/organer/{other.id}").status_code == 200


def test_body_names_are_unique_ignoring_case_with_norwegian_letters(db, ws):
    create_body(db, ws, "Ørland og omegn")
    scope(db, ws)
    from app.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        service.create_body(db, ws, BodyForm(name="ØRLAND OG OMEGN", kind="council"))
    assert "finnes allerede" in refused.value.errors["name"]


def test_a_representative_needs_a_person(client, db, ws):
    body = create_body(db, ws, "DigiTrøndelag arbeidsutvalg", "working_committee")
    login(client, create_member(db, ws, "coordinator"))
    url = f"/{ws.slug}/organer/{body.id}/representanter"
    for headers in ({}, {"HX-Request": "true"}):
        r = post(client, url, {"person_id": ""}, headers=headers)
        assert r.status_code == 422
        assert "Velg en person." in r.text
    assert count(db, ws, Representative) == 0
