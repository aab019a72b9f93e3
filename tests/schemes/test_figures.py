"""Participation in figures (/{county}/virkemidler/deltakelse, its spreadsheet and its JSON twin):
the numbers of a small hand-made set of records, the period, scheme and status filters, the
municipalities that took part in nothing with their contact person, another workspace's records
never counted, bad filters refused in Norwegian, and a bounded number of queries."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.clock import today
from app.counties.models import Municipality
from app.schemes import figures_service
from factories import (
    bearer,
    create_member,
    create_participation,
    create_person,
    create_scheme,
    create_workspace,
    in_workspace,
    login,
    national_scheme,
)

THIS = today().year
LAST = THIS - 1
BEFORE = THIS - 2
OLD = THIS - 6  # outside the default period (this year and the two before)

# Trøndelag (county 50) in the default size classes (<1,500, <3,000, <10,000, <20,000, more):
# class 1 has 8 municipalities, class 2 has 7, class 5 (20,000 and more) has 4.
TRONDHEIM, STEINKJER = "5001", "5006"  # class 5
OSEN, TYDAL, LEKA, ROYRVIK = "5020", "5033", "5052", "5043"  # class 1 (small)
RENNEBU = "5022"  # class 2 (small)
BERGEN = "4601"  # Vestland: a partner from another county


def populations(db: Any) -> dict[str, int]:
    rows = db.execute(
        select(Municipality.number, Municipality.population).where(
            Municipality.county_number == "50"
        )
    )
    return dict(rows.all())


def class_population(db: Any, low: int | None, high: int | None) -> int:
    return sum(
        p
        for p in populations(db).values()
        if (low is None or p >= low) and (high is None or p < high)
    )


@pytest.fixture
def known(db, ws):
    """Five records of the workspace and one of another Trøndelag workspace:

    1. DigiFin, last year, granted 300,000: Trondheim lead; Osen, Tydal and Bergen partners
       (75,000 each).
    2. DigiFin, last year, granted 90,000: Osen alone as lead (Osen counts once that year).
    3. The county's own climate fund, the year before, applying: Steinkjer lead, Rennebu partner.
    4. DigiFin, last year, an idea: Røyrvik lead (not counted by default).
    5. DigiFin, six years ago, granted 50,000: Leka lead (outside the default period).
    6. In another workspace: DigiFin, last year, granted 1,000,000, Leka lead (never counted).
    """
    digifin = national_scheme(db, "digifin")
    fund = create_scheme(db, ws, "Trøndelags klimafond", areas=["climate"])
    create_participation(
        db, ws, digifin, TRONDHEIM, (OSEN, TYDAL, BERGEN), year=LAST, amount_granted=300_000
    )
    create_participation(db, ws, digifin, OSEN, year=LAST, amount_granted=90_000)
    create_participation(db, ws, fund, STEINKJER, (RENNEBU,), year=BEFORE, status="applying")
    create_participation(db, ws, digifin, ROYRVIK, year=LAST, status="idea")
    create_participation(db, ws, digifin, LEKA, year=OLD, amount_granted=50_000)
    other = create_workspace(db, county="50", name="Trøndelag annen")
    create_participation(db, other, digifin, LEKA, year=LAST, amount_granted=1_000_000)
    create_person(db, ws, "Lise Leka", LEKA, ["innovation"], title="Innovasjonsleder")
    create_person(db, ws, "Sture Skole", LEKA, ["school"])
    create_person(db, ws, "Frida Frosta", "5036", ["climate"])
    create_person(db, other, "Annen Arbeidsplass", LEKA, ["innovation"])
    return {"digifin": digifin, "fund": fund, "other": other}


def compute(db: Any, ws: Any, **raw: Any) -> figures_service.Figures:
    with in_workspace(db, ws):
        f = figures_service.parse_filter(db, ws, **raw)
        return figures_service.figures(db, ws, f)


def by_index(rows: list[Any]) -> dict[Any, Any]:
    return {r.index: r for r in rows}


def test_the_default_figures_are_exactly_right(db, ws, known):
    fig = compute(db, ws)
    f = fig.filter
    assert (f.from_year, f.to_year, f.scheme_id) == (THIS - 2, THIS, None)
    assert f.statuses == ("applying", "granted", "rejected", "completed")
    assert fig.records == 3  # records 1–3; the idea, the old one and the other county's left out
    assert fig.municipalities == 38
    classes = by_index(fig.classes)
    assert [(c.municipalities, c.took_part) for c in fig.classes] == [
        (8, 2),  # Osen, Tydal
        (7, 1),  # Rennebu
        (classes[3].municipalities, 0),
        (classes[4].municipalities, 0),
        (4, 2),  # Trondheim, Steinkjer
    ]
    assert classes[1].share == pytest.approx(2 / 8)
    assert [c.small for c in fig.classes] == [True, True, False, False, False]
    assert fig.took_part == 5 and fig.small_took_part == 3

    # Lead or partner: small ones led once (Osen) and were partners three times (Osen, Tydal,
    # Rennebu); the others led twice (Trondheim, Steinkjer) and were never partners. Bergen is
    # of another county and not counted.
    small, others, everyone = fig.roles
    assert (small.group, small.municipalities, small.lead, small.partner) == ("small", 15, 1, 3)
    assert small.lead_share == pytest.approx(0.25) and small.partner_share == pytest.approx(0.75)
    assert (others.group, others.municipalities, others.lead, others.partner) == ("other", 23, 2, 0)
    assert others.lead_share == 1.0 and others.partner_share == 0.0
    assert (everyone.lead, everyone.partner) == (3, 3)

    # Granted: 300,000 split in four (75,000 each for Trondheim, Osen, Tydal and Bergen), and
    # 90,000 to Osen: class 1 got 75,000 + 90,000 + 75,000, class 5 got 75,000.
    grants = by_index(fig.grants)
    assert grants[1].granted == pytest.approx(240_000)
    assert grants[1].population == class_population(db, None, 1500)
    assert grants[1].per_inhabitant == pytest.approx(240_000 / class_population(db, None, 1500))
    assert grants[2].granted == 0 and grants[2].per_inhabitant == 0
    assert grants[5].granted == pytest.approx(75_000)
    assert grants[5].per_inhabitant == pytest.approx(75_000 / class_population(db, 20000, None))
    assert grants[None].granted == pytest.approx(315_000)  # Bergen's share is not Trøndelag's
    assert grants[None].population == sum(populations(db).values())


def test_per_scheme_and_year_counts_each_municipality_once(db, ws, known):
    fig = compute(db, ws)
    digifin, fund = known["digifin"].id, known["fund"].id
    cells = {(r.scheme_id, r.year): (r.by_class, r.total) for r in fig.by_scheme_year}
    assert set(cells) == {(s, y) for s in (digifin, fund) for y in (BEFORE, LAST, THIS)}
    assert cells[(digifin, LAST)] == ({1: 2, 2: 0, 3: 0, 4: 0, 5: 1}, 3)  # Osen once
    assert cells[(digifin, BEFORE)][1] == 0
    assert cells[(fund, BEFORE)] == ({1: 0, 2: 1, 3: 0, 4: 0, 5: 1}, 2)
    period = {r.scheme_id: (r.by_class, r.total) for r in fig.by_scheme}
    assert period == {digifin: cells[(digifin, LAST)], fund: cells[(fund, BEFORE)]}
    assert [(r.year, r.total) for r in fig.by_year] == [(BEFORE, 2), (LAST, 3), (THIS, 0)]


def test_the_period_scheme_and_status_filters(db, ws, known):
    wide = compute(db, ws, from_year=str(OLD), to_year=str(THIS))
    assert wide.records == 4  # record 5 (Leka, six years ago) comes in
    assert by_index(wide.classes)[1].took_part == 3
    assert by_index(wide.grants)[1].granted == pytest.approx(290_000)
    assert LEKA not in {m.number for m in wide.absent}

    old_only = compute(db, ws, from_year=str(OLD), to_year=str(OLD))
    assert (old_only.records, old_only.took_part) == (1, 1)
    assert [r.year for r in old_only.by_year] == [OLD]

    fund = compute(db, ws, scheme=str(known["fund"].id))
    assert fund.filter.scheme_id == known["fund"].id
    assert fund.records == 1 and fund.took_part == 2
    assert [r.scheme_id for r in fund.by_scheme] == [known["fund"].id]
    assert (fund.roles[0].lead, fund.roles[0].partner) == (0, 1)  # Rennebu as partner
    assert by_index(fund.grants)[None].granted == 0

    ideas = compute(db, ws, statuses=["idea"])
    assert ideas.filter.statuses == ("idea",)
    assert ideas.records == 1
    assert [m.number for m in ideas.absent if m.number == ROYRVIK] == []
    assert ROYRVIK in {m.number for m in compute(db, ws).absent}


def test_the_municipalities_not_taking_part_with_their_contacts(db, ws, known):
    fig = compute(db, ws)
    absent = {m.number: m for m in fig.absent}
    assert len(absent) == 38 - 5
    assert not {TRONDHEIM, STEINKJER, OSEN, TYDAL, RENNEBU} & set(absent)
    leka = absent[LEKA]  # a record only six years ago, and one in another workspace
    assert leka.small and leka.size_class == 1
    assert [(c.name, c.title, c.areas) for c in leka.contacts] == [
        ("Lise Leka", "Innovasjonsleder", ["innovation"])
    ]
    assert fig.contact_areas == ("innovation", "digitalisation")
    assert not fig.areas_from_scheme
    assert absent["5036"].contacts == []  # Frosta's contact is for climate only
    populations_in_order = [m.population for m in fig.absent]
    assert populations_in_order == sorted(populations_in_order)  # smallest first

    fund = compute(db, ws, scheme=str(known["fund"].id))
    assert fund.contact_areas == ("climate",) and fund.areas_from_scheme
    absent = {m.number: m for m in fund.absent}
    assert [c.name for c in absent["5036"].contacts] == ["Frida Frosta"]
    assert absent[LEKA].contacts == []
    assert OSEN in absent  # took part in DigiFin, not in the climate fund


def test_the_page_shows_the_figures_to_a_municipality(client, db, ws, known):
    login(client, create_member(db, ws, "municipal"))
    response = client.get(f"/{ws.slug}/virkemidler/deltakelse")
    assert response.status_code == 200
    html = response.text
    assert "<html" in html and 'aria-current="page"' in html
    assert f"Deltakelse i alle virkemidler, {THIS - 2}–{THIS}." in html
    assert "alle statuser unntatt idé og trukket" in html
    assert html.count("<svg") == 4 and "chart-reached-title" in html
    # The reach table: class 1 took part 2 of 8 (25 %), marked as small in words.
    row = re.search(
        r"<tr class=\"small-municipality\"><td class=\"name\">under 1\xa0500.*?</tr>", html
    )
    assert row is not None
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(0))
    assert cells == ["8", "2", "25\xa0%"]
    assert ">små</span>" in html
    # Lead or partner: small ones 1 and 3, 25 % and 75 %.
    assert re.search(
        r"Små kommuner.*?<td class=\"num\">1</td><td class=\"num\">3</td>"
        r"<td class=\"num\">25\xa0%</td><td class=\"num\">75\xa0%</td>",
        html,
        re.S,
    )
    # Granted: the county 315,000 in all.
    assert "315\xa0000" in html
    assert "Lise Leka" in html and "Sture Skole" not in html and "Annen Arbeidsplass" not in html
    assert "deltakelse.xlsx?fra=" in html

    fragment = client.get(
        f"/{ws.slug}/virkemidler/deltakelse",
        params={"virkemiddel": known["fund"].id},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "Deltakelse i Trøndelags klimafond" in fragment.text
    assert "Frida Frosta" in fragment.text and "Lise Leka" not in fragment.text


def test_bad_filters_get_a_norwegian_message(client, db, ws, known):
    login(client, create_member(db, ws, "coordinator"))
    page = f"/{ws.slug}/virkemidler/deltakelse"
    response = client.get(page, params={"fra": "tjue", "til": str(THIS)})
    assert response.status_code == 422
    assert "Skriv et årstall mellom 1990 og 2100." in response.text
    assert 'id="f-fra" name="fra"' in response.text and 'aria-invalid="true"' in response.text
    assert "<svg" not in response.text

    reversed_years = client.get(page, params={"fra": str(THIS), "til": str(THIS - 3)})
    assert reversed_years.status_code == 422
    assert "Til-året kan ikke være før fra-året." in reversed_years.text

    # A scheme of another county is unknown here, exactly like one that does not exist.
    theirs = create_scheme(db, create_workspace(db, county="46"), "Vestlands fond")
    for value in (str(theirs.id), "999999", "x"):
        refused = client.get(page, params={"virkemiddel": value})
        assert refused.status_code == 422, value
        assert "Velg et virkemiddel fra listen." in refused.text

    htmx = client.get(page, params={"status": "godkjent"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 200  # htmx swaps no 4xx: the message comes as a fragment
    assert "Ukjent status: godkjent." in htmx.text

    api = client.get(f"/api/v1/{ws.slug}/participations/figures", params={"from_year": "1800"})
    assert api.status_code == 422
    assert api.json()["code"] == "invalid_input"
    assert api.json()["errors"] == {"from_year": "Skriv et årstall mellom 1990 og 2100."}
    xlsx = client.get(f"{page}.xlsx", params={"til": "19999"})
    assert xlsx.status_code == 422


def test_the_api_returns_the_same_numbers(client, db, ws, known):
    user = create_member(db, ws, "municipal")
    headers = bearer(db, ws, user)
    url = f"/api/v1/{ws.slug}/participations/figures"
    body = client.get(url, headers=headers).json()
    assert body["filter"] == {
        "scheme_id": None,
        "from_year": THIS - 2,
        "to_year": THIS,
        "statuses": ["applying", "granted", "rejected", "completed"],
    }
    assert body["records"] == 3 and body["took_part"] == 5 and body["small_took_part"] == 3
    assert [(c["index"], c["municipalities"], c["took_part"]) for c in body["classes"]][:2] == [
        (1, 8, 2),
        (2, 7, 1),
    ]
    small = body["roles"][0]
    assert (small["lead"], small["partner"], small["lead_share"]) == (1, 3, 0.25)
    grants = {g["index"]: g for g in body["grants"]}
    assert grants[1]["granted"] == pytest.approx(240_000)
    assert grants[None]["label"] == "Hele fylket" and grants[None]["granted"] == pytest.approx(
        315_000
    )
    digifin = known["digifin"].id
    row = next(r for r in body["by_scheme_year"] if r["scheme_id"] == digifin and r["year"] == LAST)
    assert row["by_class"] == {"1": 2, "2": 0, "3": 0, "4": 0, "5": 1} and row["total"] == 3
    leka = next(m for m in body["absent"] if m["number"] == LEKA)
    assert [c["name"] for c in leka["contacts"]] == ["Lise Leka"]
    assert body["contact_areas"] == ["innovation", "digitalisation"]

    filtered = client.get(
        url,
        headers=headers,
        params={"from_year": OLD, "to_year": THIS, "status": ["granted"]},
    ).json()
    assert filtered["filter"]["statuses"] == ["granted"]
    assert filtered["records"] == 3  # records 1, 2 and 5 (3 is applying, 4 an idea)


def test_the_spreadsheet_holds_the_same_numbers(client, db, ws, known):
    login(client, create_member(db, ws, "coordinator"))
    response = client.get(f"/{ws.slug}/virkemidler/deltakelse.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["content-disposition"].endswith(f'-{THIS - 2}-{THIS}.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Utvalg",
        "Størrelse",
        "Per virkemiddel og år",
        "Per virkemiddel",
        "Per år",
        "Søker og partner",
        "Kroner per innbygger",
        "Ikke deltatt",
    ]
    sizes = list(book["Størrelse"].iter_rows(min_row=2, values_only=True))
    assert sizes[0][2:] == (8, class_population(db, None, 1500), 2, 0.25)
    roles = list(book["Søker og partner"].iter_rows(min_row=2, values_only=True))
    assert roles[0] == ("Små kommuner", 15, 1, 3, 4, 0.25, 0.75)
    grants = list(book["Kroner per innbygger"].iter_rows(min_row=2, values_only=True))
    assert grants[0][3] == pytest.approx(240_000)
    assert grants[-1][0] == "Hele fylket" and grants[-1][3] == pytest.approx(315_000)
    per_year = {
        (row[0], row[1]): row[2:]
        for row in book["Per virkemiddel og år"].iter_rows(min_row=2, values_only=True)
    }
    assert per_year[(known["digifin"].name, LAST)] == (2, 0, 0, 0, 1, 3)
    absent = list(book["Ikke deltatt"].iter_rows(min_row=2, values_only=True))
    assert ("5052", "Leka") in {(r[0], r[1]) for r in absent}
    assert next(r for r in absent if r[0] == LEKA)[4] == "Lise Leka"
    assert len({r[0] for r in absent}) == 33

    only_fund = client.get(
        f"/{ws.slug}/virkemidler/deltakelse.xlsx", params={"virkemiddel": known["fund"].id}
    )
    book = load_workbook(io.BytesIO(only_fund.content))
    schemes = [r[0] for r in book["Per virkemiddel"].iter_rows(min_row=2, values_only=True)]
    assert schemes == ["Trøndelags klimafond"]


def test_another_workspace_never_counts(client, db, ws, known):
    other = known["other"]
    fig = compute(db, other)
    assert fig.records == 1 and fig.took_part == 1  # only its own Leka record
    assert by_index(fig.grants)[None].granted == pytest.approx(1_000_000)
    assert [c.name for c in next(m for m in fig.absent if m.number == OSEN).contacts] == []

    # Its people see their own figures through the app, never ours.
    theirs = create_member(db, other, "coordinator")
    body = client.get(
        f"/api/v1/{other.slug}/participations/figures", headers=bearer(db, other, theirs)
    ).json()
    assert body["records"] == 1 and body["took_part"] == 1
    assert (
        client.get(
            f"/api/v1/{ws.slug}/participations/figures", headers=bearer(db, other, theirs)
        ).status_code
        == 404
    )
    login(client, theirs)
    page = client.get(f"/{other.slug}/virkemidler/deltakelse")
    assert page.status_code == 200 and "Lise Leka" not in page.text
    assert client.get(f"/{ws.slug}/virkemidler/deltakelse").status_code == 404
    assert client.get(f"/{ws.slug}/virkemidler/deltakelse.xlsx").status_code == 404


def test_queries_do_not_grow_with_the_number_of_records(client, db, ws, count_queries):
    login(client, create_member(db, ws, "coordinator"))
    digifin = national_scheme(db, "digifin")
    fund = create_scheme(db, ws, "Fond for tellingen", areas=["climate", "innovation"])
    create_person(db, ws, "Kari Kontakt", LEKA, ["innovation", "climate"])
    numbers = sorted(populations(db))

    def add(start: int, n: int) -> None:
        for i in range(start, start + n):
            create_participation(
                db,
                ws,
                (digifin, fund)[i % 2],
                numbers[i % len(numbers)],
                (numbers[(i + 7) % len(numbers)],) if i % 3 else (),
                year=THIS - i % 3,
                status=("granted", "applying", "completed")[i % 3],
                amount_granted=10_000 * (i + 1) if i % 3 != 1 else None,
            )

    add(0, 3)
    page = f"/{ws.slug}/virkemidler/deltakelse"
    api = f"/api/v1/{ws.slug}/participations/figures"
    params = {"virkemiddel": fund.id}
    client.get(page)  # warm up anything cached per process
    counts: dict[str, list[int]] = {"page": [], "scheme": [], "api": []}
    for size in (3, 30):
        if size == 30:
            add(3, 27)
        with count_queries() as q:
            assert client.get(page).status_code == 200
        counts["page"].append(q.count)
        with count_queries() as q:
            assert client.get(page, params=params).status_code == 200
        counts["scheme"].append(q.count)
        with count_queries() as q:
            assert client.get(api).json()["records"] == size
        counts["api"].append(q.count)
        last = q.statements
    for key, (small, large) in counts.items():
        assert 0 < small == large, (key, small, large)
    # The figures themselves: one grouped query of the tally, never of the records.
    assert not [s for s in last if "participation_member" in s], last
    grouped = [s for s in last if "participation_tally" in s]
    assert len(grouped) == 1, grouped
