"""One list shape for the whole JSON API (issue 14): every list is a page {"items",
"next_cursor", "total"}, paged by an opaque keyset cursor; `updated_since` gives what changed
(to sync); every JSON GET carries an ETag, and `If-None-Match` with it answers 304."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

from sqlalchemy import update

from app import clock
from app.helpdesk.models import HelpRequest
from app.tenancy import SCOPE_OPTION
from factories import (
    bearer,
    create_body,
    create_help_request,
    create_innovation,
    create_member,
    create_person,
    in_workspace,
)

PAGE_KEYS = {"items", "next_cursor", "total"}


def _schemas(spec: dict) -> dict:
    return spec.get("components", {}).get("schemas", {})


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = _schemas(spec)[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _list_gets(spec: dict) -> tuple[list[str], list[str]]:
    """(paths whose GET answers a page, paths whose GET answers a bare array)."""
    pages, arrays = [], []
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if not path.startswith("/api/") or not get:
            continue
        content = get["responses"].get("200", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        if not schema:
            continue
        schema = _resolve(spec, schema)
        if schema.get("type") == "array":
            arrays.append(path)
        elif "items" in schema.get("properties", {}):
            assert set(schema["properties"]) == PAGE_KEYS, path
            assert _resolve(spec, schema["properties"]["items"]).get("type") == "array", path
            pages.append(path)
    return pages, arrays


def test_every_list_in_the_spec_is_a_page(app):
    pages, arrays = _list_gets(app.openapi())
    assert arrays == [], f"lists still answered as bare arrays: {arrays}"
    for path in (
        "/api/v1/{workspace_slug}/helpdesk/requests",
        "/api/v1/{workspace_slug}/municipalities",
        "/api/v1/{workspace_slug}/innovations",
        "/api/v1/{workspace_slug}/bodies",
        "/api/v1/{workspace_slug}/contacts",
        "/api/v1/{workspace_slug}/helpdesk/requests/{number}/steps",
    ):
        assert path in pages, path
    # The same parameter names everywhere: no `offset` or `before` paging is left.
    for path, operations in app.openapi()["paths"].items():
        names = {p["name"] for p in operations.get("get", {}).get("parameters", [])}
        assert not names & {"offset", "before"}, path
        if "cursor" in names:
            assert "limit" in names, path


def test_every_list_answers_a_page(client, db, ws):
    """Each list of the workspace (those with no other id in the path) answers the page shape
    at run time too, not only in the spec."""
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    create_help_request(db, ws)
    inn = create_innovation(db, ws)
    pages, _arrays = _list_gets(client.app.openapi())
    asked = 0
    for path in pages:
        if set(re.findall(r"{(\w+)}", path)) != {"workspace_slug"}:
            continue
        query = {"q": "søknad", "innovation_id": inn.id}
        r = client.get(path.format(workspace_slug=ws.slug), params=query, headers=headers)
        assert r.status_code == 200, (path, r.text)
        body = r.json()
        assert isinstance(body, dict) and set(body) == PAGE_KEYS, path
        assert isinstance(body["items"], list), path
        asked += 1
    assert asked >= 12


def test_paging_120_requests_gives_each_once(client, db, ws, count_queries):
    coordinator = create_member(db, ws, "coordinator")
    headers = bearer(db, ws, coordinator)
    requester = create_member(db, ws, "municipal")
    for i in range(120):
        create_help_request(db, ws, requester, title=f"Forespørsel nummer {i}")
    url = f"/api/v1/{ws.slug}/helpdesk/requests"

    seen: list[int] = []
    cursor = None
    pages = 0
    queries = []
    while True:
        params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
        with count_queries() as counter:
            r = client.get(url, params=params, headers=headers)
        queries.append(counter.count)
        assert r.status_code == 200, r.text
        body = r.json()
        pages += 1
        seen += [item["number"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert pages < 5
    assert pages == 3 and [len(seen[:50]), len(seen[50:100]), len(seen[100:])] == [50, 50, 20]
    assert sorted(seen) == list(range(1, 121)) and len(set(seen)) == 120
    assert seen == sorted(seen, reverse=True)  # newest first
    assert queries[1] == queries[2]  # a page costs the same, full or not

    # Contacts, paged the same way, by municipality and name.
    for i in range(7):
        create_person(db, ws, name=f"Person {i}", email=f"p{i}@kommune.no")
    contacts = f"/api/v1/{ws.slug}/contacts"
    first = client.get(contacts, params={"limit": 5}, headers=headers).json()
    assert len(first["items"]) == 5 and first["total"] == 7 and first["next_cursor"]
    rest = client.get(
        contacts, params={"limit": 5, "cursor": first["next_cursor"]}, headers=headers
    ).json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    assert {p["id"] for p in first["items"]}.isdisjoint({p["id"] for p in rest["items"]})


def test_a_garbage_or_tampered_cursor_is_422(client, db, ws):
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    for i in range(3):
        create_help_request(db, ws)
        create_body(db, ws, name=f"Råd {i}")
    requests = f"/api/v1/{ws.slug}/helpdesk/requests"
    good = client.get(requests, params={"limit": 1}, headers=headers).json()["next_cursor"]
    assert good
    bodies = client.get(f"/api/v1/{ws.slug}/bodies", params={"limit": 1}, headers=headers)
    other = bodies.json()["next_cursor"]  # another list's cursor: another key
    tampered = base64.urlsafe_b64encode(b'["x"]').decode()
    not_json = base64.urlsafe_b64encode(b"\xff\xfe").decode()
    for cursor in ("garbage!!", "abc", tampered, not_json, other, good + "A", "W10"):
        r = client.get(requests, params={"cursor": cursor}, headers=headers)
        assert r.status_code == 422, (cursor, r.text)
        body = r.json()
        assert body["code"] == "invalid_input" and set(body["errors"]) == {"cursor"}, cursor
    for url in (f"/api/v1/{ws.slug}/bodies", f"/api/v1/{ws.slug}/municipalities"):
        r = client.get(url, params={"cursor": tampered}, headers=headers)
        assert r.status_code == 422 and set(r.json()["errors"]) == {"cursor"}, url
    bad_limit = client.get(requests, params={"limit": 201}, headers=headers)
    assert bad_limit.status_code == 422


def test_updated_since_gives_what_changed(client, db, ws):
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    made = [create_help_request(db, ws) for _ in range(3)]
    long_ago = clock.utcnow() - timedelta(hours=2)
    with in_workspace(db, ws):
        db.execute(
            update(HelpRequest)
            .where(HelpRequest.workspace_id == ws.id)
            .values(updated_at=long_ago)
            .execution_options(**{SCOPE_OPTION: ("workspace", ws.id)})
        )
        db.commit()
    since = (clock.utcnow() - timedelta(hours=1)).isoformat()
    url = f"/api/v1/{ws.slug}/helpdesk/requests"
    assert client.get(url, params={"updated_since": since}, headers=headers).json()["items"] == []

    changed = made[1].number
    r = client.post(f"{url}/{changed}/messages", json={"body": "Vi ser på saken."}, headers=headers)
    assert r.status_code in (200, 201), r.text
    body = client.get(url, params={"updated_since": since}, headers=headers).json()
    assert [item["number"] for item in body["items"]] == [changed]
    assert body["items"][0]["updated_at"] >= since
    everything = client.get(url, params={"updated_since": long_ago.isoformat()}, headers=headers)
    numbers = [item["number"] for item in everything.json()["items"]]
    assert numbers[-1] == changed and len(numbers) == 3  # oldest change first

    # Contacts and innovations too; a time without an offset is refused, not guessed.
    person = create_person(db, ws)
    inn = create_innovation(db, ws)
    for path, key in (
        (f"/api/v1/{ws.slug}/contacts", person.id),
        (f"/api/v1/{ws.slug}/innovations", inn.id),
    ):
        fresh = client.get(path, params={"updated_since": since}, headers=headers).json()
        assert [item["id"] for item in fresh["items"]] == [key], path
        future = (clock.utcnow() + timedelta(hours=1)).isoformat()
        later = client.get(path, params={"updated_since": future}, headers=headers).json()
        assert later["items"] == [], path
    naive = client.get(url, params={"updated_since": "2026-01-01T12:00:00"}, headers=headers)
    assert naive.status_code == 422 and set(naive.json()["errors"]) == {"updated_since"}


def test_etag_and_if_none_match(client, db, ws):
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    req = create_help_request(db, ws)
    url = f"/api/v1/{ws.slug}/helpdesk/requests/{req.number}"

    first = client.get(url, headers=headers)
    etag = first.headers["etag"]
    assert first.status_code == 200 and re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert first.headers["cache-control"] == "private, no-store"
    assert client.get(url, headers=headers).headers["etag"] == etag  # the same body, the same tag

    same = client.get(url, headers={**headers, "If-None-Match": etag})
    assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag
    assert "content-type" not in same.headers
    weak = client.get(url, headers={**headers, "If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304

    r = client.post(f"{url}/messages", json={"body": "Et svar."}, headers=headers)
    assert r.status_code in (200, 201), r.text
    changed = client.get(url, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.json()["number"] == req.number
    assert changed.headers["etag"] != etag

    # Lists carry one too; an error or another user's view is never a 304 by mistake.
    listing = client.get(f"/api/v1/{ws.slug}/helpdesk/requests", headers=headers)
    assert listing.headers["etag"] and listing.headers["etag"] != changed.headers["etag"]
    missing = client.get(f"/api/v1/{ws.slug}/helpdesk/requests/999", headers=headers)
    assert missing.status_code == 404 and "etag" not in missing.headers
