import re

from factories import create_member, create_workspace, login, post


def _names(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(
        r'<td class="narrow-hide">\d{4}</td>\s*<td class="name"><a [^>]*>([^<]+)', body
    )


def test_county_page_lists_the_county_with_population_and_size(client, db):
    ws = create_workspace(db)
    login(client, create_member(db, ws, "viewer"))
    r = client.get(f"/{ws.slug}/oversikt")
    assert r.status_code == 200
    names = _names(r.text)
    assert len(names) == 38 and names[0] == "Flatanger"
    assert "38 av 38 kommuner" in r.text
    assert "898" in r.text  # Osen's population


def test_sort_by_population_descending(client, db):
    ws = create_workspace(db)
    login(client, create_member(db, ws, "viewer"))
    names = _names(client.get(f"/{ws.slug}/oversikt?sort=-population").text)
    assert names[0].strip() == "Trondheim"
    names = _names(client.get(f"/{ws.slug}/oversikt?sort=population").text)
    assert names[0].strip() == "Røyrvik"


def test_filter_by_size_class_and_search(client, db):
    ws = create_workspace(db)
    login(client, create_member(db, ws, "viewer"))
    small = client.get(f"/{ws.slug}/oversikt?klasse=1").text
    names = [n.strip() for n in _names(small)]
    assert "Osen" in names and "Trondheim" not in names
    assert "8 av 38 kommuner" in small
    found = [n.strip() for n in _names(client.get(f"/{ws.slug}/oversikt?q=tr").text)]
    assert "Trondheim" in found and "Osen" not in found


def test_htmx_gets_only_the_table(client, db):
    ws = create_workspace(db)
    login(client, create_member(db, ws, "viewer"))
    r = client.get(f"/{ws.slug}/oversikt?klasse=5", headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert "<html" not in r.text and "<table" in r.text and "Trondheim" in r.text
    # The count is announced through a small live region, swapped out of band.
    assert 'id="result-count"' in r.text and 'hx-swap-oob="true"' in r.text
    assert "4 av 38 kommuner</p>" in r.text
    # The sort order travels with the filter form.
    assert '<input type="hidden" name="sort" value="name" form="filters">' in r.text


def test_bad_query_values_do_not_break_the_page(client, db):
    ws = create_workspace(db)
    login(client, create_member(db, ws, "viewer"))
    assert client.get(f"/{ws.slug}/oversikt?sort=drop&klasse=x").status_code == 200
    r = client.get(f"/{ws.slug}/oversikt?klasse=9")
    assert r.status_code == 422 and "Ukjent størrelsesklasse" in r.text
    r = client.get(f"/{ws.slug}/oversikt?q=" + "x" * 101)
    assert r.status_code == 422


def test_county_page_query_count_is_bounded(client, db, count_queries):
    ws = create_workspace(db)
    login(client, create_member(db, ws, "viewer"))
    client.get(f"/{ws.slug}/oversikt")
    with count_queries() as q:
        client.get(f"/{ws.slug}/oversikt")
    small = q.count
    big = create_workspace(db, county="46")  # Vestland: 43 municipalities
    login(client, create_member(db, big, "viewer"))
    client.get(f"/{big.slug}/oversikt")
    with count_queries() as q:
        client.get(f"/{big.slug}/oversikt")
    assert q.count == small
    # session, workspace, membership, switcher, rows, sizes, count, the networks overview
    # (bodies by kind, coverage: 4), the hjelpekorps figures (1) and its last 12 months (2),
    # the strategies figures (measures by status, overdue, open rounds: 3), the deadlines of
    # the next 30 days (1), the innovation figures (1), the meetings to come (shared bodies,
    # meetings: 2), the header bell's unread count (1), and
    # the scope settings on PostgreSQL
    assert q.count <= 28, q.statements


def test_admin_changes_size_thresholds(client, db):
    ws = create_workspace(db)
    login(client, create_member(db, ws, "county_admin"))
    r = post(
        client,
        f"/{ws.slug}/innstillinger",
        {
            "threshold_0": "1 000",
            "threshold_1": "5000",
            "threshold_2": "15000",
            "threshold_3": "50000",
        },
    )
    assert r.status_code == 303
    page = client.get(f"/{ws.slug}/oversikt?klasse=1").text
    assert "under 1\u00a0000" in page
    names = [n.strip() for n in _names(page)]
    assert "Osen" in names and "Flatanger" not in names  # 1 116 is no longer "under"


def test_thresholds_must_ascend_and_nothing_changes(client, db):
    ws = create_workspace(db)
    login(client, create_member(db, ws, "county_admin"))
    r = post(
        client,
        f"/{ws.slug}/innstillinger",
        {"threshold_0": "5000", "threshold_1": "3000", "threshold_2": "x", "threshold_3": "20000"},
    )
    assert r.status_code == 422
    assert "Skriv et positivt heltall." in r.text
    r = post(
        client,
        f"/{ws.slug}/innstillinger",
        {
            "threshold_0": "5000",
            "threshold_1": "3000",
            "threshold_2": "10000",
            "threshold_3": "20000",
        },
    )
    assert r.status_code == 422 and "stigende" in r.text
    from app.counties.models import Workspace

    assert db.get(Workspace, ws.id).settings["size_thresholds"] == [1500, 3000, 10000, 20000]


def test_settings_are_for_admins_only(client, db):
    ws = create_workspace(db)
    login(client, create_member(db, ws, "coordinator"))
    assert client.get(f"/{ws.slug}/innstillinger").status_code == 403
    r = post(client, f"/{ws.slug}/innstillinger", {"threshold_0": "1"})
    assert r.status_code == 403


def test_api_municipalities_paged(client, db):
    ws = create_workspace(db)
    login(client, create_member(db, ws, "viewer"))
    url = f"/api/v1/{ws.slug}/municipalities"
    numbers, cursor = [], None
    for _page in range(4):
        params = {"limit": 10, "sort": "number"} | ({"cursor": cursor} if cursor else {})
        body = client.get(url, params=params).json()
        assert body["total"] == 38
        numbers += [i["number"] for i in body["items"]]
        cursor = body["next_cursor"]
    assert len(body["items"]) == 8 and cursor is None
    assert len(numbers) == 38 and numbers == sorted(set(numbers))
    osen = client.get(f"/api/v1/{ws.slug}/municipalities?size_class=1&limit=50").json()
    assert any(i["name"] == "Osen" and i["size_class"] == 1 for i in osen["items"])
    bad = client.get(f"/api/v1/{ws.slug}/municipalities?limit=0")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_input"
    assert "limit" in bad.json()["errors"]
