"""The hjelpekorps dashboard (/{county}/hjelp/tall and its JSON twin): figures for a known set of
requests, small municipalities marked, the SVG charts with their text alternatives, who may see
it, another workspace's requests never counted, and a bounded number of queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.clock import OSLO
from app.helpdesk.due import working_minutes
from app.helpdesk.models import HelpRequest
from app.tenancy import set_db_scope
from factories import add_member, create_member, create_user, create_workspace, login

TRONDELAG_MUNICIPALITIES = 38
_numbers: dict[int, int] = {}


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO)


def make_request(
    db: Any,
    ws: Any,
    municipality: str,
    category: str,
    state: str,
    created: datetime,
    first: datetime | None = None,
    resolved: datetime | None = None,
    rating: int | None = None,
) -> None:
    """A request with exactly these timestamps (filing through the service would stamp now),
    stored in UTC as the app stores them (SQLite would keep the wall-clock time otherwise)."""

    def utc(value: datetime | None) -> datetime | None:
        return value.astimezone(UTC) if value else None

    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    _numbers[ws.id] = _numbers.get(ws.id, 0) + 1
    db.add(
        HelpRequest(
            workspace_id=ws.id,
            number=_numbers[ws.id],
            municipality_number=municipality,
            title=f"Forespørsel {_numbers[ws.id]}",
            description="Til dashbordet.",
            category=category,
            urgency="normal",
            priority="normal",
            state=state,
            created_at=utc(created),
            first_response_at=utc(first),
            resolved_at=utc(resolved),
            # What the service stores when the answer and the resolution happen.
            first_response_minutes=working_minutes(ws, created, first) if first else None,
            resolution_minutes=working_minutes(ws, created, resolved) if resolved else None,
            closed_at=utc(resolved) if state == "closed" else None,
            rating=rating,
            assignees=[],
        )
    )
    db.flush()
    set_db_scope(db, workspace_id=None, user_id=None)


@pytest.fixture
def known(db, ws):
    """Five requests in the week of Monday 3 November 2025 (no public holidays), working day
    08:00–15:30. First responses after 60, 30, 360 and 60 working minutes (median 60);
    resolutions after 450, 180 and 480 (median 450). Ratings 5, 4 and 2."""
    # Osen (898 inhabitants: small): Monday 09:00, answered 10:00, resolved Tuesday 09:00.
    make_request(
        db,
        ws,
        "5020",
        "funding",
        "resolved",
        oslo(2025, 11, 3, 9, 0),
        first=oslo(2025, 11, 3, 10, 0),
        resolved=oslo(2025, 11, 4, 9, 0),
        rating=5,
    )
    # Osen: Monday 12:00, answered 12:30, resolved 15:00, then closed.
    make_request(
        db,
        ws,
        "5020",
        "funding",
        "closed",
        oslo(2025, 11, 3, 12, 0),
        first=oslo(2025, 11, 3, 12, 30),
        resolved=oslo(2025, 11, 3, 15, 0),
        rating=4,
    )
    # Trondheim: Tuesday 08:00, answered 14:00; still being worked on.
    make_request(
        db,
        ws,
        "5001",
        "digitalisation",
        "in_progress",
        oslo(2025, 11, 4, 8, 0),
        first=oslo(2025, 11, 4, 14, 0),
    )
    # Trondheim: new, no answer yet.
    make_request(db, ws, "5001", "digitalisation", "new", oslo(2025, 11, 5, 10, 0))
    # Namsos: Friday 15:00, answered Monday 08:30 (30 + 30 minutes), resolved Monday 15:30.
    make_request(
        db,
        ws,
        "5007",
        "climate",
        "resolved",
        oslo(2025, 11, 7, 15, 0),
        first=oslo(2025, 11, 10, 8, 30),
        resolved=oslo(2025, 11, 10, 15, 30),
        rating=2,
    )
    return ws


def api(client, ws, **params) -> dict[str, Any]:
    r = client.get(f"/api/v1/{ws.slug}/helpdesk/dashboard", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def counts(rows: list[dict[str, Any]], key: str = "key") -> dict[str, int]:
    return {row[key]: row["count"] for row in rows}


def table_rows(html: str, caption: str) -> list[list[str]]:
    """The body rows of the table with this caption, as cell texts."""
    start = html.index(f">{caption}</caption>")
    body = html[start : html.index("</table>", start)]
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        if cells:
            rows.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells])
    return rows


def test_figures_for_known_requests(client, db, known):
    login(client, create_member(db, known, "coordinator"))
    data = api(client, known, period="all")
    assert data["period"] == "all" and data["since"] is None
    assert (data["total"], data["open"], data["small_total"]) == (5, 2, 2)
    by_municipality = counts(data["by_municipality"], "number")
    assert len(by_municipality) == TRONDELAG_MUNICIPALITIES  # every one, with or without
    assert by_municipality["5020"] == 2 and by_municipality["5001"] == 2
    assert by_municipality["5007"] == 1 and by_municipality["5014"] == 0  # Frøya: none
    assert sum(by_municipality.values()) == 5
    assert [r["number"] for r in data["by_municipality"][:3]] == ["5020", "5001", "5007"]
    assert counts(data["by_category"]) == {
        "funding": 2,
        "digitalisation": 2,
        "climate": 1,
        "service_design": 0,
        "reuse": 0,
        "benefits": 0,
        "procurement": 0,
        "other": 0,
    }
    assert counts(data["by_state"]) == {
        "new": 1,
        "triaged": 0,
        "assigned": 0,
        "in_progress": 1,
        "waiting_for_municipality": 0,
        "resolved": 2,
        "closed": 1,
    }
    assert data["by_state"][0]["label"] == "Ny"
    assert data["first_responses"] == 4 and data["median_first_response_minutes"] == 60
    assert data["resolved"] == 3 and data["median_resolution_minutes"] == 450
    assert (data["day_start"], data["day_end"]) == ("08:00", "15:30")
    ratings = data["ratings"]
    assert ratings["rated"] == 3
    assert ratings["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert ratings["average"] == pytest.approx(11 / 3)
    sizes = {c["index"]: c for c in data["by_size_class"]}
    # Osen is under 1 500 (class 1), Namsos 10 000–19 999 (4), Trondheim 20 000 and over (5).
    assert [sizes[i]["count"] for i in range(1, 6)] == [2, 0, 0, 1, 2]
    assert [sizes[i]["small"] for i in range(1, 6)] == [True, True, False, False, False]
    assert sum(c["municipalities"] for c in sizes.values()) == TRONDELAG_MUNICIPALITIES


def test_the_page_shows_the_same_figures_with_pictures_and_tables(client, db, known):
    login(client, create_member(db, known, "coordinator"))
    r = client.get(f"/{known.slug}/hjelp/tall?periode=alle")
    assert r.status_code == 200
    html = r.text
    figures = dict(
        (label, value)
        for value, label in re.findall(
            r'<span class="figure__value">(.*?)</span><span class="figure__label">(.*?)</span>',
            html,
        )
    )
    assert figures["forespørsler"] == "5"
    assert figures["av dem fortsatt åpne"] == "2"
    assert figures["fra små kommuner"] == "2"
    assert figures["til første svar (median)"] == "1 t"
    assert figures["til løst (median)"] == "7,5 t"
    assert figures["i snitt fra kommunene (1–5)"] == "3,7"
    assert "08:00–15:30" in html

    # Every chart is an image with a title and a description, and a table beside it.
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert len(svgs) == 6
    # The tables link to the queue, filtered the same way.
    assert "hjelp?visning=alle&amp;kategori=funding" in html
    assert "hjelp?visning=alle&amp;status=closed" in html
    for svg in svgs:
        labelled = re.search(r'role="img" aria-labelledby="([\w-]+) ([\w-]+)"', svg)
        assert labelled, svg[:200]
        assert f'<title id="{labelled.group(1)}">' in svg
        assert f'<desc id="{labelled.group(2)}">' in svg
        assert 'width="100%"' in svg and "<script" not in svg and "style=" not in svg
    municipalities = next(s for s in svgs if "chart-municipalities-title" in s)
    assert "Flest forespørsler: Osen: 2, Trondheim: 2, Namsos: 1." in municipalities
    assert "35 kommuner har ingen forespørsler." in municipalities
    # Osen is small: hatched and marked with a word, not by colour alone; Trondheim is not.
    assert re.search(r"Osen<tspan[^>]*> · liten</tspan>", municipalities)
    assert "Trondheim<tspan" not in municipalities
    assert municipalities.count('fill="url(#chart-municipalities-hatch)"') >= 2  # legend, Osen
    assert "Små kommuner (under 3\u00a0000 innbyggere)" in municipalities

    rows = table_rows(html, "Forespørsler per kommune")
    assert len(rows) == TRONDELAG_MUNICIPALITIES
    by_name = {row[0]: row for row in rows}
    assert by_name["Osen liten"][1:] == ["898", "2"]
    assert by_name["Trondheim"][2] == "2" and by_name["Frøya"][2] == "0"
    assert re.search(r'<tr class="small-municipality">\s*<td class="name">Osen', html)
    assert table_rows(html, "Forespørsler etter status")[0] == ["Ny", "1"]
    assert ["Løst", "2"] in table_rows(html, "Forespørsler etter status")
    assert table_rows(html, "Vurderinger fra kommunene, fra 1 til 5") == [
        ["1", "0"],
        ["2", "1"],
        ["3", "0"],
        ["4", "1"],
        ["5", "1"],
    ]
    # The counts lead to the queue, filtered.
    assert f'href="/{known.slug}/hjelp?visning=alle&amp;kommune=5020"' in html

    # With HTMX only the part under the heading, for the period tabs.
    fragment = client.get(f"/{known.slug}/hjelp/tall?periode=alle", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "<svg" in fragment.text
    assert 'aria-current="page">Alle år' in fragment.text


def test_the_period_is_the_last_12_months_unless_all_is_asked_for(client, db, ws):
    now = datetime.now(UTC)
    make_request(db, ws, "5020", "other", "new", now - timedelta(days=10))
    make_request(db, ws, "5001", "other", "new", now - timedelta(days=400))
    login(client, create_member(db, ws, "coordinator"))
    recent = api(client, ws)
    assert recent["period"] == "12m" and recent["total"] == 1
    since = datetime.fromisoformat(recent["since"])
    assert timedelta(days=364) < now - since < timedelta(days=367)
    assert api(client, ws, period="all")["total"] == 2
    bad = client.get(f"/api/v1/{ws.slug}/helpdesk/dashboard", params={"period": "1y"})
    assert bad.status_code == 422
    page = client.get(f"/{ws.slug}/hjelp/tall").text
    assert 'aria-current="page">Siste 12 måneder' in page
    assert re.search(r'figure__value">1</span><span class="figure__label">forespørsler<', page)
    # An unknown period on the page falls back to the default, as the queue's filters do.
    assert client.get(f"/{ws.slug}/hjelp/tall?periode=x").status_code == 200


def test_no_requests_says_so(client, db, ws):
    login(client, create_member(db, ws, "coordinator"))
    r = client.get(f"/{ws.slug}/hjelp/tall")
    assert r.status_code == 200
    assert "Ingen forespørsler i denne perioden." in r.text and "<svg" not in r.text
    data = api(client, ws)
    assert data["total"] == 0 and data["median_first_response_minutes"] is None
    assert data["ratings"] == {
        "rated": 0,
        "average": None,
        "distribution": {str(i): 0 for i in range(1, 6)},
    }


@pytest.mark.parametrize("role", ["helper", "viewer", "county_admin"])
def test_the_help_corps_and_readers_see_it(client, db, known, role):
    login(client, create_member(db, known, role))
    assert client.get(f"/{known.slug}/hjelp/tall").status_code == 200
    assert api(client, known, period="all")["total"] == 5


@pytest.mark.parametrize("role", ["municipal", "partner"])
def test_municipal_users_and_partners_are_refused(client, db, known, role):
    login(client, create_member(db, known, role))
    assert client.get(f"/{known.slug}/hjelp/tall").status_code == 403
    r = client.get(f"/api/v1/{known.slug}/helpdesk/dashboard")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_another_workspace_is_neither_counted_nor_visible(client, db, known):
    other = create_workspace(db, county="50", name="Trøndelag to")
    make_request(db, other, "5020", "reuse", "new", oslo(2025, 11, 4, 9, 0))
    make_request(db, other, "5014", "reuse", "new", oslo(2025, 11, 4, 9, 0))
    login(client, create_member(db, known, "coordinator"))
    data = api(client, known, period="all")
    assert data["total"] == 5
    assert counts(data["by_category"])["reuse"] == 0
    assert counts(data["by_municipality"], "number")["5014"] == 0
    # A member of the other workspace only: 404, as for a workspace that does not exist.
    client.cookies.clear()
    outsider = create_user(db)
    add_member(db, other, outsider, "coordinator")
    login(client, outsider)
    assert client.get(f"/{known.slug}/hjelp/tall").status_code == 404
    r = client.get(f"/api/v1/{known.slug}/helpdesk/dashboard")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert api(client, other, period="all")["total"] == 2


def test_queries_do_not_grow_with_the_number_of_requests(client, db, ws, count_queries):
    login(client, create_member(db, ws, "coordinator"))

    def add(n: int) -> None:
        for i in range(n):
            day = oslo(2025, 11, 3 + i % 5, 9, 0)
            make_request(
                db,
                ws,
                ("5020", "5001", "5007")[i % 3],
                ("funding", "climate")[i % 2],
                ("new", "resolved", "closed")[i % 3],
                day,
                first=day + timedelta(hours=1),
                resolved=day + timedelta(hours=3) if i % 3 else None,
                rating=(i % 5) + 1 if i % 3 else None,
            )

    add(3)
    page, api_url = f"/{ws.slug}/hjelp/tall?periode=alle", f"/api/v1/{ws.slug}/helpdesk/dashboard"
    client.get(page)  # warm up anything cached per process
    with count_queries() as small_page:
        assert client.get(page).status_code == 200
    with count_queries() as small_api:
        assert client.get(api_url, params={"period": "all"}).json()["total"] == 3
    add(27)
    with count_queries() as large_page:
        assert client.get(page).status_code == 200
    with count_queries() as large_api:
        assert client.get(api_url, params={"period": "all"}).json()["total"] == 30
    assert 0 < small_page.count == large_page.count, large_page.statements
    assert 0 < small_api.count == large_api.count, large_api.statements
    # The dashboard itself: the grouped counts, the ratings, the two medians, open by age.
    grouped = [s for s in large_api.statements if "help_request" in s]
    assert len(grouped) == 5, grouped


def test_the_api_route_is_described_in_openapi(client):
    paths = client.get("/openapi.json").json()["paths"]
    operation = paths["/api/v1/{workspace_slug}/helpdesk/dashboard"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "DashboardRead"
    )


def test_the_last_twelve_months_join_the_start_page(client, db, ws):
    # Two Mondays in the last year, each answered after one working hour and rated.
    today = datetime.now(OSLO).date()
    monday = today - timedelta(days=today.weekday() + 14)
    for i, rating in enumerate((5, 2)):
        day = datetime(monday.year, monday.month, monday.day, 9, 0, tzinfo=OSLO) - timedelta(
            days=7 * i
        )
        make_request(
            db,
            ws,
            "5020",
            "funding",
            "resolved",
            day,
            first=day + timedelta(hours=1),
            resolved=day + timedelta(hours=2),
            rating=rating,
        )
    # An old one (two years ago) does not count.
    old = datetime(today.year - 2, 3, 6, 9, 0, tzinfo=OSLO)
    make_request(
        db, ws, "5020", "funding", "resolved", old, first=old + timedelta(hours=5), rating=1
    )
    login(client, create_member(db, ws, "coordinator"))
    start = client.get(f"/{ws.slug}/oversikt").text
    assert re.search(r'figure__value">1 t</span><span class="figure__label">til første svar', start)
    assert re.search(r'figure__value">3,5</span><span class="figure__label">av 5 i snitt', start)


def test_open_requests_by_age(client, db, ws):
    now = datetime.now(UTC)
    for days, state in (
        (2, "new"),
        (10, "in_progress"),
        (40, "waiting_for_municipality"),
        (200, "triaged"),
        (300, "closed"),
    ):
        make_request(db, ws, "5020", "funding", state, now - timedelta(days=days))
    login(client, create_member(db, ws, "coordinator"))
    body = client.get(f"/api/v1/{ws.slug}/helpdesk/dashboard").json()
    assert [(a["key"], a["count"]) for a in body["open_by_age"]] == [
        ("under_1w", 1),
        ("1w_4w", 1),
        ("1m_3m", 1),
        ("over_3m", 1),
    ]
    page = client.get(f"/{ws.slug}/hjelp/tall").text
    assert "Åpne nå, etter alder" in page and 'id="chart-ages-' in page
    start = client.get(f"/{ws.slug}/oversikt").text
    assert re.search(
        r'figure__value">2</span><span class="figure__label">åpne i mer enn 4 uker', start
    )
