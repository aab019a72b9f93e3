"""The spread page and its API on both databases: the matrix of municipalities × innovations,
the places in use over time, the spread within a council, what never crosses from another
county, and a query count that does not grow with the adoptions."""

from __future__ import annotations

from datetime import date

import pytest

from app.clock import today
from app.errors import InvalidInput
from app.innovations import spread_service
from factories import (
    add_body_member,
    adopt,
    bearer,
    create_body,
    create_innovation,
    create_member,
    create_workspace,
    in_workspace,
    login,
)


@pytest.fixture
def vestland(db):
    return create_workspace(db, county="46", name="Vestland test")


@pytest.fixture
def data(db, ws, vestland):
    """Trøndelag's own innovation from Osen (small) in use in Oppdal and Rennebu, on the way in
    Trondheim, left in Steinkjer; Vestland's shared one from Bergen in use in Oppdal (recorded
    here), in Kinn and in Røros (both recorded by Vestland); Vestland's unshared one in Etne;
    a council of Osen, Oppdal and Holtålen."""
    own = create_innovation(db, ws, "Digital nattilsyn", origin="5020", areas=["health_care"])
    adopt(db, ws, own, "5021", in_use_on=date(2024, 3, 10))
    adopt(db, ws, own, "5022", in_use_on=date(2025, 5, 1))
    adopt(db, ws, own, "5001", status="planned")
    adopt(db, ws, own, "5006", status="abandoned", reason="For dyrt")
    shared = create_innovation(db, vestland, "Felles chatbot", origin="4601", shared=True)
    adopt(db, ws, shared, "5021", in_use_on=date(2025, 2, 1))
    adopt(db, vestland, shared, "4602", in_use_on=date(2023, 6, 1))
    adopt(db, vestland, shared, "5025", in_use_on=date(2025, 9, 1))
    secret = create_innovation(db, vestland, "Hemmelig vestlandsløsning", origin="4601")
    adopt(db, vestland, secret, "4611")
    council = create_body(db, ws, "Testrådet", kind="council")
    for number in ("5020", "5021", "5026"):
        add_body_member(db, ws, council, number)
    return {"own": own, "shared": shared, "secret": secret, "council": council}


def _spread(db, ws, **filters):
    with in_workspace(db, ws):
        councils = spread_service.council_choices(db, ws)
        f = spread_service.parse_filter(councils=councils, **filters)
        return spread_service.spread(db, ws, f, councils)


def test_the_matrix_cells_and_counts(db, ws, data):
    own, shared, secret = data["own"].id, data["shared"].id, data["secret"].id
    s = _spread(db, ws)
    # The most spread first: the shared one is in use in three places, the own in two.
    assert [(c.id, c.spread) for c in s.innovations] == [(shared, 3), (own, 2)]
    assert s.total == 2
    assert s.cells == {
        (own, "5020"): "origin",
        (own, "5021"): "in_use",
        (own, "5022"): "in_use",
        (own, "5001"): "under_way",
        (own, "5006"): "abandoned",
        (shared, "5021"): "in_use",
        (shared, "5025"): "in_use",  # recorded by Vestland, read here
    }
    column = {c.id: c for c in s.innovations}
    assert column[own].in_use == ["5021", "5022"] and column[own].own
    assert column[shared].owner == "Vestland test" and not column[shared].own
    assert secret not in column
    rows = {m.number: m for m in s.municipalities}
    assert len(rows) > 30 and "4602" not in rows  # the county's municipalities only
    assert (rows["5021"].in_use, rows["5020"].made, rows["5020"].in_use) == (2, 1, 0)
    assert (rows["5001"].under_way, rows["5006"].abandoned) == (1, 1)
    # Røros's use of the shared one was recorded by Vestland: in the matrix (cells above), not
    # in the totals, which count what this county recorded (its per-municipality tally).
    assert (rows["5025"].in_use, rows["5025"].under_way) == (0, 0)
    assert rows["5020"].small and rows["5022"].small and not rows["5021"].small
    assert s.small_limit == 3000
    # Filters: only shared; an area; a page of one.
    assert [c.id for c in _spread(db, ws, shared_only=True).innovations] == [shared]
    assert [c.id for c in _spread(db, ws, area="health_care").innovations] == [own]
    with pytest.raises(InvalidInput) as err:
        _spread(db, ws, council="999999", limit="7")
    assert set(err.value.errors) == {"council", "limit"}


def test_in_use_over_time_per_year(db, ws, data):
    own, shared = data["own"].id, data["shared"].id
    o = _spread(db, ws).over_time
    year = today().year
    assert o.periods == [str(y) for y in range(2023, year + 1)]
    counts = {s.innovation_id: dict(zip(o.periods, s.counts, strict=True)) for s in o.series}
    assert [counts[shared][p] for p in ("2023", "2024", "2025")] == [1, 1, 3]
    assert [counts[own][p] for p in ("2023", "2024", "2025")] == [0, 1, 2]
    assert counts[own][str(year)] == 2
    assert [(s.now, s.undated) for s in o.series] == [(3, 0), (2, 0)]
    # By quarter: the last eight, cumulative.
    q = _spread(db, ws, period="quarter").over_time
    assert len(q.periods) == 8 and q.periods[-1].endswith(str(year))
    assert q.series[0].counts[-1] == 3


def test_spread_within_a_council(db, ws, data):
    s = _spread(db, ws)
    council = next(c for c in s.councils if c.body_id == data["council"].id)
    # Osen made it, Oppdal uses it, Holtålen does not: 1 of the 2 others. Rennebu uses it too
    # but is not a member.
    assert (council.members, council.made, council.members_using) == (3, 1, 1)
    assert [(i.innovation_id, i.users, i.others, i.origin_name) for i in council.innovations] == [
        (data["own"].id, 1, 2, "Osen")
    ]
    # The council as the rows of the matrix.
    only = _spread(db, ws, council=str(data["council"].id))
    assert [m.number for m in only.municipalities] == ["5026", "5021", "5020"]  # by name
    assert only.council_name == "Testrådet"
    assert [c.body_id for c in only.councils] == [data["council"].id]


def test_another_countys_unshared_innovation_never_appears(client, db, ws, vestland, data):
    login(client, create_member(db, ws, "coordinator"))
    page = client.get(f"/{ws.slug}/innovasjoner/spredning?antall=200")
    assert page.status_code == 200
    assert "Hemmelig vestlandsløsning" not in page.text
    api = client.get(
        f"/api/v1/{ws.slug}/innovations/spread", headers=bearer(db, ws, create_member(db, ws))
    ).json()
    assert data["secret"].id not in {c["id"] for c in api["innovations"]}
    assert data["secret"].id not in {c["innovation_id"] for c in api["cells"]}
    # Vestland sees its own unshared one, and not Trøndelag's unshared one.
    s = _spread(db, vestland)
    assert data["secret"].id in {c.id for c in s.innovations}
    assert data["own"].id not in {c.id for c in s.innovations}


def test_the_api_gives_the_same_numbers(client, db, ws, data):
    headers = bearer(db, ws, create_member(db, ws, "municipal"))
    r = client.get(f"/api/v1/{ws.slug}/innovations/spread", headers=headers)
    assert r.status_code == 200
    body = r.json()
    s = _spread(db, ws)
    assert [(c["id"], c["spread"], c["in_use"]) for c in body["innovations"]] == [
        (c.id, c.spread, c.in_use) for c in s.innovations
    ]
    assert {(c["innovation_id"], c["municipality_number"]): c["status"] for c in body["cells"]} == (
        s.cells
    )
    assert [x["counts"] for x in body["over_time"]["series"]] == [
        x.counts for x in s.over_time.series
    ]
    council = next(c for c in body["councils"] if c["body_id"] == data["council"].id)
    assert (council["members_using"], council["innovations"][0]["users"]) == (1, 1)
    assert body["small_limit"] == 3000 and body["total"] == 2
    bad = client.get(f"/api/v1/{ws.slug}/innovations/spread?period=month", headers=headers)
    assert bad.status_code == 422


def test_the_page_with_and_without_htmx(client, db, ws, data):
    login(client, create_member(db, ws, "municipal"))
    url = f"/{ws.slug}/innovasjoner/spredning"
    page = client.get(url)
    assert page.status_code == 200
    assert "<html" in page.text and 'aria-current="page"' in page.text
    assert 'role="img"' in page.text and "Felles chatbot" in page.text
    assert "Testrådet" in page.text and "1 av 2 andre medlemmer" in page.text
    fragment = client.get(f"{url}?rad={data['council'].id}", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Medlemmene i Testrådet." in fragment.text
    bad = client.get(f"{url}?rad=abc&tid=uke")
    assert bad.status_code == 422
    assert "Velg et regionråd i listen." in bad.text and "Traceback" not in bad.text
    bad_htmx = client.get(f"{url}?rad=abc", headers={"HX-Request": "true"})
    assert bad_htmx.status_code == 200 and "Velg et regionråd i listen." in bad_htmx.text


def test_the_page_costs_the_same_queries_with_few_and_many_adoptions(
    client, db, ws, vestland, data, count_queries
):
    login(client, create_member(db, ws, "coordinator"))
    url = f"/{ws.slug}/innovasjoner/spredning"

    def measure():
        client.get(url)
        with count_queries() as q:
            assert client.get(url).status_code == 200
        return q.count

    before = measure()
    numbers = ("5001", "5006", "5007", "5014", "5021", "5022", "5025", "5026", "5027")
    for i in range(6):
        inn = create_innovation(db, ws, f"Løsning {i}", origin=numbers[i])
        for number in numbers:
            if number != numbers[i]:
                adopt(db, ws, inn, number, in_use_on=date(2020 + i, 1, 1))
    other = create_innovation(db, vestland, "Delt fra Vestland", origin="4601", shared=True)
    for number in ("4602", "4611", "5027"):
        adopt(db, vestland, other, number)
    assert measure() == before
