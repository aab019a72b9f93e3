"""The hjelpekorps JSON API: filing, the keyset-paged queue, a request with its messages,
state changes, triage, ratings, and who may see what."""

from __future__ import annotations

from app import clock
from factories import add_member, bearer, create_member, create_user, create_workspace, csrf, login

REQUEST = {
    "category": "funding",
    "title": "Søknad til Forkommune",
    "description": "Vi trenger hjelp med en søknad.",
}


def file(client, ws, headers, **extra) -> dict:
    r = client.post(
        f"/api/v1/{ws.slug}/helpdesk/requests", json={**REQUEST, **extra}, headers=headers
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_municipal_user_files_through_the_api(client, db, ws):
    osen = create_member(db, ws, "municipal", name="Olga Osen")  # 5020 Osen
    login(client, osen)
    url = f"/api/v1/{ws.slug}/helpdesk/requests"

    assert client.post(url, json=REQUEST).json()["code"] == "csrf_failed"
    r = client.post(url, json={**REQUEST, "on_site": True}, headers={"X-CSRF-Token": csrf(client)})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["number"] == 1 and body["state"] == "new" and body["on_site"] is True
    assert (body["municipality_number"], body["municipality_name"]) == ("5020", "Osen")
    assert body["requester"] == {"id": osen.id, "name": "Olga Osen"}
    assert body["assignees"] == [] and body["priority"] == "normal"

    # Not for another municipality, and not with a bad form.
    other = client.post(
        url, json={**REQUEST, "municipality_number": "5007"}, headers={"X-CSRF-Token": csrf(client)}
    )
    assert other.status_code == 403 and other.json()["code"] == "forbidden"
    bad = client.post(
        url,
        json={**REQUEST, "category": "nope", "title": "x"},
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"category", "title"}

    detail = client.get(f"{url}/1").json()
    assert (
        detail["events"] == []
    )  # the history (triage, helpers) is for the help corps, as on the page
    assert detail["allowed_transitions"] == []  # the municipality does not move the state
    assert [r["number"] for r in client.get(url).json()["items"]] == [1]


def test_coordinator_files_for_a_municipality_of_the_county(client, db, ws):
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    body = file(client, ws, headers, municipality_number="5007")
    assert body["municipality_name"] == "Namsos"
    r = client.post(f"/api/v1/{ws.slug}/helpdesk/requests", json=REQUEST, headers=headers)
    assert r.status_code == 422 and "municipality_number" in r.json()["errors"]
    r = client.post(
        f"/api/v1/{ws.slug}/helpdesk/requests",
        json={**REQUEST, "municipality_number": "0301"},  # Oslo, another county
        headers=headers,
    )
    assert r.status_code == 422 and "municipality_number" in r.json()["errors"]


def test_a_viewer_may_read_but_not_file(client, db, ws):
    headers = bearer(db, ws, create_member(db, ws, "viewer"))
    r = client.post(f"/api/v1/{ws.slug}/helpdesk/requests", json=REQUEST, headers=headers)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = client.get(f"/api/v1/{ws.slug}/helpdesk/requests", headers=headers)
    assert r.status_code == 200
    assert r.json() == {"items": [], "next_cursor": None, "total": None}


def test_the_queue_is_keyset_paged_and_filtered(client, db, ws):
    municipal = bearer(db, ws, create_member(db, ws, "municipal"))
    coordinator = bearer(db, ws, create_member(db, ws, "coordinator"))
    for i in range(5):
        file(client, ws, municipal, title=f"Sak nummer {i + 1}")
    url = f"/api/v1/{ws.slug}/helpdesk/requests"

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get(url, params=params, headers=coordinator).json()
        seen += [item["number"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [5, 4, 3, 2, 1] and pages == 3
    first = client.get(url, params={"limit": 2}, headers=coordinator).json()["items"][0]
    assert first["title"] == "Sak nummer 5" and first["municipality_name"] == "Osen"
    assert first["created_at"] and first["assignees"] == []

    def numbers(**params):
        r = client.get(url, params=params, headers=coordinator)
        assert r.status_code == 200, r.text
        return [item["number"] for item in r.json()["items"]]

    assert numbers(q="NUMMER 3") == [3]
    assert numbers(category="climate") == []
    assert numbers(municipality="5007") == []
    client.post(f"{url}/2/transitions", json={"state": "triaged"}, headers=coordinator)
    assert numbers(state="triaged") == [2]
    assert numbers(view="unassigned") == [5, 4, 3, 2, 1]
    assert numbers(view="mine") == []
    for bad in ({"view": "others"}, {"state": "done"}, {"limit": 0}, {"limit": 201}):
        r = client.get(url, params=bad, headers=coordinator)
        assert r.status_code == 422 and r.json()["code"] == "invalid_input", bad
    r = client.get(url, params={"view": "others"}, headers=coordinator)
    assert r.json()["errors"]["view"].endswith("Gyldige verdier: all, unassigned, mine, overdue.")


def test_municipal_users_never_see_other_municipalities_or_internal_notes(client, db, ws):
    coordinator = bearer(db, ws, create_member(db, ws, "coordinator"))
    osen = bearer(db, ws, create_member(db, ws, "municipal"))  # 5020 Osen
    namsos_user = create_user(db)
    add_member(db, ws, namsos_user, "municipal", municipality="5007")
    namsos = bearer(db, ws, namsos_user)
    osen_number = file(client, ws, osen, title="Osen trenger hjelp")["number"]
    namsos_number = file(client, ws, namsos, title="Namsos trenger hjelp")["number"]
    url = f"/api/v1/{ws.slug}/helpdesk/requests"

    # Another municipality's request does not exist for Namsos, whatever the route.
    r = client.get(f"{url}/{osen_number}", headers=namsos)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    for action, body in (
        ("messages", {"body": "x"}),
        ("transitions", {"state": "triaged"}),
        ("triage", {"category": "funding", "priority": "high"}),
        ("rating", {"rating": 5}),
    ):
        r = client.post(f"{url}/{osen_number}/{action}", json=body, headers=namsos)
        assert r.status_code == 404, action  # another municipality's request does not exist
    listed = client.get(url, params={"municipality": "5020"}, headers=namsos).json()
    assert listed["items"] == []
    assert [i["number"] for i in client.get(url, headers=namsos).json()["items"]] == [namsos_number]

    # The help corps writes a note and a reply; Namsos sees only the reply.
    note = client.post(
        f"{url}/{namsos_number}/messages",
        json={"body": "Hemmelig notat", "internal": True},
        headers=coordinator,
    )
    assert note.status_code == 201 and note.json()["internal"] is True
    reply = client.post(
        f"{url}/{namsos_number}/messages", json={"body": "Vi ser på det"}, headers=coordinator
    )
    assert reply.status_code == 201
    staff_view = client.get(f"{url}/{namsos_number}", headers=coordinator).json()
    assert [m["body"] for m in staff_view["messages"]] == ["Hemmelig notat", "Vi ser på det"]
    municipal_view = client.get(f"{url}/{namsos_number}", headers=namsos).json()
    assert [m["body"] for m in municipal_view["messages"]] == ["Vi ser på det"]
    assert "Hemmelig notat" not in str(municipal_view)

    # Nor may the municipality write internal notes; it may answer.
    r = client.post(
        f"{url}/{namsos_number}/messages", json={"body": "x", "internal": True}, headers=namsos
    )
    assert r.status_code == 403
    r = client.post(f"{url}/{namsos_number}/messages", json={"body": "Takk"}, headers=namsos)
    assert r.status_code == 201 and r.json()["internal"] is False


def test_an_illegal_transition_says_which_states_are_allowed(client, db, ws):
    coordinator = bearer(db, ws, create_member(db, ws, "coordinator"))
    number = file(client, ws, bearer(db, ws, create_member(db, ws, "municipal")))["number"]
    url = f"/api/v1/{ws.slug}/helpdesk/requests/{number}"

    r = client.post(f"{url}/transitions", json={"state": "resolved"}, headers=coordinator)
    assert r.status_code == 422
    error = r.json()
    assert error["code"] == "invalid_input"
    assert error["message"] == "Kan ikke gå fra «Ny» til «Løst». Tillatt herfra: «Vurdert»."
    assert "state" in error["errors"]
    assert client.get(url, headers=coordinator).json()["state"] == "new"

    r = client.post(f"{url}/transitions", json={"state": "triaged"}, headers=coordinator)
    assert r.status_code == 200 and r.json()["state"] == "triaged"
    detail = client.get(url, headers=coordinator).json()
    assert detail["allowed_transitions"] == []  # "assigned" comes with a helper, via triage
    assert [(e["from_state"], e["to_state"]) for e in detail["events"]] == [
        (None, "new"),
        ("new", "triaged"),
    ]


def test_triage_assigns_known_helpers_only(client, db, ws):
    coordinator = bearer(db, ws, create_member(db, ws, "coordinator", name="Cora Koord"))
    helper = create_member(db, ws, "helper", name="Henrik Hjelper")
    viewer = create_member(db, ws, "viewer", name="Vera Viser")
    number = file(client, ws, bearer(db, ws, create_member(db, ws, "municipal")))["number"]
    url = f"/api/v1/{ws.slug}/helpdesk/requests/{number}/triage"

    helpers = client.get(f"/api/v1/{ws.slug}/helpdesk/helpers", headers=coordinator)
    assert helpers.status_code == 200
    assert [h["name"] for h in helpers.json()["items"]] == ["Cora Koord", "Henrik Hjelper"]
    r = client.get(f"/api/v1/{ws.slug}/helpdesk/helpers", headers=bearer(db, ws, helper))
    assert r.status_code == 403

    r = client.post(
        url,
        json={"category": "reuse", "priority": "high", "assignees": [viewer.id]},
        headers=coordinator,
    )
    assert r.status_code == 422 and r.json()["errors"] == {"assignees": "Ukjent hjelper."}
    r = client.post(
        url,
        json={"category": "reuse", "priority": "high", "assignees": [999999]},
        headers=coordinator,
    )
    assert r.status_code == 422
    r = client.post(url, json={"category": "x", "priority": "high"}, headers=coordinator)
    assert r.status_code == 422 and "category" in r.json()["errors"]

    r = client.post(
        url,
        json={"category": "reuse", "priority": "high", "assignees": [helper.id]},
        headers=coordinator,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["state"], body["category"], body["priority"]) == ("assigned", "reuse", "high")
    assert body["assignees"] == [{"id": helper.id, "name": "Henrik Hjelper"}]
    mine = client.get(
        f"/api/v1/{ws.slug}/helpdesk/requests",
        params={"view": "mine"},
        headers=bearer(db, ws, helper),
    ).json()
    assert [i["number"] for i in mine["items"]] == [number]


def test_rating_is_from_1_to_5_once_resolved(client, db, ws):
    helper_user = create_member(db, ws, "helper")
    helper = bearer(db, ws, helper_user)
    coordinator = bearer(db, ws, create_member(db, ws, "coordinator"))
    municipal = bearer(db, ws, create_member(db, ws, "municipal"))
    number = file(client, ws, municipal)["number"]
    url = f"/api/v1/{ws.slug}/helpdesk/requests/{number}"

    r = client.post(f"{url}/rating", json={"rating": 4}, headers=municipal)
    assert r.status_code == 422 and "rating" in r.json()["errors"]  # not resolved yet
    # A helper does not triage; the coordinator does, and assigns the helper.
    r = client.post(f"{url}/transitions", json={"state": "triaged"}, headers=helper)
    assert r.status_code == 403
    r = client.post(
        f"{url}/triage",
        json={"category": "funding", "priority": "normal", "assignees": [helper_user.id]},
        headers=coordinator,
    )
    assert r.status_code == 200 and r.json()["state"] == "assigned", r.text
    for state in ("in_progress", "resolved"):
        body = {"state": state, "message": "Søknaden er sendt."}
        r = client.post(f"{url}/transitions", json=body, headers=helper)
        assert r.status_code == 200, (state, r.text)
    assert r.json()["resolved_at"] is not None
    for bad in (0, 6):
        r = client.post(f"{url}/rating", json={"rating": bad}, headers=municipal)
        assert r.status_code == 422 and r.json()["code"] == "invalid_input", bad
        assert "rating" in r.json()["errors"]
    r = client.post(f"{url}/rating", json={"rating": 5}, headers=helper)
    assert r.status_code == 403  # the municipality rates the help it got
    r = client.post(
        f"{url}/rating", json={"rating": 5, "comment": " Veldig bra "}, headers=municipal
    )
    assert r.status_code == 200, r.text
    assert (r.json()["rating"], r.json()["rating_comment"]) == (5, "Veldig bra")


def test_another_workspaces_request_is_404_under_your_own_slug(client, db, ws):
    other = create_workspace(db, county="50")
    file(client, other, bearer(db, other, create_member(db, other, "municipal")))
    file(
        client,
        other,
        bearer(db, other, create_member(db, other, "coordinator")),
        **{"municipality_number": "5007"},
    )
    coordinator = bearer(db, ws, create_member(db, ws, "coordinator"))
    url = f"/api/v1/{ws.slug}/helpdesk/requests"

    empty = {"items": [], "next_cursor": None, "total": None}
    assert client.get(url, headers=coordinator).json() == empty
    for number in (1, 2):
        r = client.get(f"{url}/{number}", headers=coordinator)
        assert r.status_code == 404 and r.json()["code"] == "not_found"
        for action, body in (
            ("messages", {"body": "x"}),
            ("transitions", {"state": "triaged"}),
            ("triage", {"category": "funding", "priority": "high"}),
            ("rating", {"rating": 5}),
        ):
            r = client.post(f"{url}/{number}/{action}", json=body, headers=coordinator)
            assert r.status_code == 404 and r.json()["code"] == "not_found", action
    # The token of this workspace opens nothing in the other one.
    r = client.get(f"/api/v1/{other.slug}/helpdesk/requests/1", headers=coordinator)
    assert r.status_code == 404
    helpers = client.get(f"/api/v1/{ws.slug}/helpdesk/helpers", headers=coordinator).json()
    assert len(helpers["items"]) == 1 and helpers["total"] == 1  # only this workspace's coordinator


def test_visits_plan_links_time_and_attachments_through_the_api(client, db, ws):
    from datetime import timedelta

    coordinator = create_member(db, ws, "coordinator")
    helper = create_member(db, ws, "helper")
    osen = create_member(db, ws, "municipal")
    namsos = create_user(db)
    add_member(db, ws, namsos, "municipal", municipality="5007")
    h_osen, h_namsos = bearer(db, ws, osen), bearer(db, ws, namsos)
    h_help, h_coord = bearer(db, ws, helper), bearer(db, ws, coordinator)
    a = file(client, ws, h_osen)["number"]
    b = file(client, ws, h_namsos)["number"]
    base = f"/api/v1/{ws.slug}/helpdesk/requests/{a}"

    day = (clock.today() + timedelta(days=7)).isoformat()
    visit = {"day": day, "start": "10:00", "end": "12:00", "place": "Osen rådhus"}
    r = client.post(f"{base}/visits", json={**visit, "helpers": [helper.id]}, headers=h_coord)
    assert r.status_code == 201, r.text
    visit_id = r.json()["id"]
    assert r.json()["helpers"] == [{"id": helper.id, "name": helper.name}]
    r = client.put(
        f"{base}/visits/{visit_id}/report", json={"report": "Godt møte."}, headers=h_help
    )
    assert r.status_code == 200 and r.json()["report"] == "Godt møte."
    assert [v["place"] for v in client.get(f"{base}/visits", headers=h_osen).json()["items"]] == [
        "Osen rådhus"
    ]
    past = {**visit, "day": (clock.today() - timedelta(days=1)).isoformat()}
    r = client.post(f"{base}/visits", json=past, headers=h_coord)
    assert r.status_code == 422 and "fram i tid" in r.json()["errors"]["day"]
    assert client.post(f"{base}/visits", json=visit, headers=h_osen).status_code == 403

    # Helpers work the requests assigned to them: this one takes it.
    assert client.post(f"{base}/take", headers=h_help).status_code == 200
    r = client.post(f"{base}/steps", json={"step_title": "Kartlegg", "due_on": day}, headers=h_help)
    assert r.status_code == 201 and r.json()["done"] is False
    step_id = r.json()["id"]
    r = client.put(f"{base}/steps/{step_id}/done", json={"done": True}, headers=h_help)
    assert r.json()["done"] is True
    assert [s["title"] for s in client.get(f"{base}/steps", headers=h_osen).json()["items"]] == [
        "Kartlegg"
    ]
    assert (
        client.post(f"{base}/steps", json={"step_title": "x y"}, headers=h_osen).status_code == 403
    )

    r = client.post(f"{base}/links", json={"other": f"HK-{b}"}, headers=h_coord)
    assert r.status_code == 201 and [x["number"] for x in r.json()] == [b]
    assert (
        client.get(f"{base}/links", headers=h_osen).json()["items"] == []
    )  # Namsos's is not Osen's

    worked = {"worked_on": clock.today().isoformat(), "hours": "1,5"}
    r = client.post(f"{base}/time", json=worked, headers=h_help)
    assert r.status_code == 201 and r.json()["total_minutes"] == 90
    assert client.get(f"{base}/time", headers=h_osen).status_code == 403
    r = client.post(
        f"{base}/time", json={"worked_on": clock.today().isoformat(), "hours": "99"}, headers=h_help
    )
    assert r.status_code == 422

    pdf = b"%PDF-1.4\n%%EOF\n"
    r = client.post(
        f"{base}/attachments",
        files=[("files", ("vedtak.pdf", pdf, "application/pdf"))],
        headers=h_osen,
    )
    assert r.status_code == 201, r.text
    url = r.json()[0]["url"]
    got = client.get(url, headers=h_osen)
    assert got.status_code == 200 and got.content == pdf
    assert got.headers["content-disposition"].startswith("attachment;")
    r = client.post(
        f"{base}/attachments",
        files=[("files", ("notat.txt", b"internt", "text/plain"))],
        data={"internal": "true"},
        headers=h_coord,
    )
    assert r.status_code == 201 and r.json()[0]["internal"] is True
    internal_url = r.json()[0]["url"]
    assert [
        x["filename"] for x in client.get(f"{base}/attachments", headers=h_osen).json()["items"]
    ] == ["vedtak.pdf"]
    assert client.get(internal_url, headers=h_osen).status_code == 404
    assert client.get(url, headers=h_namsos).status_code == 404
    r = client.post(
        f"{base}/attachments",
        files=[("files", ("virus.pdf", b"MZ\x90\x00", "application/pdf"))],
        headers=h_osen,
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    r = client.post(
        f"{base}/attachments",
        files=[("files", ("x.txt", b"tekst", "text/plain"))],
        data={"internal": "true"},
        headers=h_osen,
    )
    assert r.status_code == 403
