"""The strategies JSON API: documents, sections with the edit lock, versions and comparison,
consultation rounds with who may see them, comments, amendments, answers, formal responses,
measures and the summary."""

from __future__ import annotations

from datetime import timedelta

from app.clock import today
from app.strategies import text
from app.strategies.models import ConsultationComment, ConsultationRound
from app.tenancy import scoped, set_db_scope
from factories import (
    add_member,
    bearer,
    create_member,
    create_user,
    create_workspace,
    csrf,
    login,
    organisation,
)

BODY = "Fylket skal styrke samarbeidet om digitalisering med alle kommunene."


def member(db, ws, role, **kwargs) -> dict[str, str]:
    """A member of ``ws`` with ``role`` (municipality / organisation_id as in add_member)."""
    user = create_user(db, name=kwargs.pop("name", f"Person {role}"))
    add_member(db, ws, user, role, **kwargs)
    return bearer(db, ws, user)


def base(ws) -> str:
    return f"/api/v1/{ws.slug}/strategies"


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json() if response.content else {}


def items(response) -> list:
    """The items of a list answer (a page with every item: `next_cursor` null)."""
    page = ok(response)
    assert page["next_cursor"] is None
    return page["items"]


def document_with_version(client, ws, headers) -> tuple[int, list[dict]]:
    """A document with two sections, published as version 1."""
    doc = ok(
        client.post(
            f"{base(ws)}/documents",
            json={"title": "Digitaliseringsstrategi", "kind": "digitalisation_strategy"},
            headers=headers,
        ),
        201,
    )
    url = f"{base(ws)}/documents/{doc['id']}"
    sections = [
        ok(client.post(f"{url}/sections", json={"heading": h, "body": b}, headers=headers), 201)
        for h, b in (("Mål", BODY), ("Tiltak", "Vi etablerer et nettverk."))
    ]
    ok(client.post(f"{url}/versions", json={"note": "Til høring"}, headers=headers), 201)
    return doc["id"], sections


def open_round(client, ws, headers, doc_id: int, municipality: str = "5020") -> int:
    r = ok(
        client.post(
            f"{base(ws)}/documents/{doc_id}/rounds",
            json={
                "version": 1,
                "title": "Høring om digitaliseringsstrategien",
                "starts_on": today().isoformat(),
                "ends_on": (today() + timedelta(days=14)).isoformat(),
            },
            headers=headers,
        ),
        201,
    )
    ok(
        client.post(
            f"{base(ws)}/rounds/{r['id']}/invitees",
            json={"kind": "municipality", "municipality_number": municipality},
            headers=headers,
        ),
        201,
    )
    return int(r["id"])


def close_round(db, ws, round_id: int) -> None:
    """The round's dates in the past, as if its deadline had passed."""
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    r = db.scalar(scoped(ConsultationRound, ws.id).where(ConsultationRound.id == round_id))
    r.starts_on, r.ends_on = today() - timedelta(days=20), today() - timedelta(days=1)
    set_db_scope(db, workspace_id=None, user_id=None)
    db.commit()


def stored_comments(db, ws, round_id: int) -> list[str]:
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    bodies = list(
        db.scalars(
            scoped(ConsultationComment, ws.id)
            .with_only_columns(ConsultationComment.body)
            .where(ConsultationComment.round_id == round_id)
            .order_by(ConsultationComment.id)
        )
    )
    set_db_scope(db, workspace_id=None, user_id=None)
    return bodies


# --- documents, sections, versions -------------------------------------------------------


def test_a_coordinator_writes_publishes_and_compares(client, db, ws):
    coordinator = member(db, ws, "coordinator", name="Kari Koordinator")
    doc_id, (goal, measures_) = document_with_version(client, ws, coordinator)
    url = f"{base(ws)}/documents/{doc_id}"

    # Version 2: the goal reworded, a new section, the order changed.
    saved = ok(
        client.put(
            f"{url}/sections/{goal['id']}",
            json={"heading": "Mål", "body": BODY.replace("styrke", "fordoble"), "revision": 1},
            headers=coordinator,
        )
    )
    assert saved["revision"] == 2 and saved["updated_by"] == "Kari Koordinator"
    added = ok(
        client.post(
            f"{url}/sections", json={"heading": "Økonomi", "body": "Midler."}, headers=coordinator
        ),
        201,
    )
    order = ok(
        client.post(
            f"{url}/sections/{added['id']}/move", json={"direction": "up"}, headers=coordinator
        )
    )
    assert [s["heading"] for s in order] == ["Mål", "Økonomi", "Tiltak"]
    r = client.post(
        f"{url}/sections/{added['id']}/move", json={"direction": "sideways"}, headers=coordinator
    )
    assert r.status_code == 422 and r.json()["errors"] == {"direction": "Velg opp eller ned."}
    v2 = ok(
        client.post(f"{url}/versions", json={"note": "Etter innspill"}, headers=coordinator), 201
    )
    assert v2["number"] == 2 and v2["published_by"] == "Kari Koordinator"

    # Nothing changed since: no new version.
    r = client.post(f"{url}/versions", json={}, headers=coordinator)
    assert r.status_code == 422
    assert r.json()["errors"]["note"] == "Utkastet er likt versjon 2. Endre noe før du publiserer."

    versions = items(client.get(f"{url}/versions", headers=coordinator))
    assert [(v["number"], v["note"]) for v in versions] == [
        (2, "Etter innspill"),
        (1, "Til høring"),
    ]
    v1 = ok(client.get(f"{url}/versions/1", headers=coordinator))
    assert [(s["heading"], s["body"]) for s in v1["sections"]] == [
        ("Mål", BODY),
        ("Tiltak", "Vi etablerer et nettverk."),
    ]
    assert v1["sections"][0]["fingerprint"] == text.fingerprint(BODY)
    assert client.get(f"{url}/versions/3", headers=coordinator).status_code == 404

    diff = ok(client.get(f"{url}/compare", params={"from": 1, "to": 2}, headers=coordinator))
    assert (diff["from_version"], diff["to_version"]) == (1, 2)
    changes = {c["heading"]: c for c in diff["changes"]}
    assert [c["change"] for c in diff["changes"]] == ["changed", "added", "same"]
    pieces = [(p["op"], p["text"]) for p in changes["Mål"]["pieces"]]
    assert ("removed", " styrke") in pieces and ("added", " fordoble") in pieces
    assert "".join(t for op, t in pieces if op != "removed") == BODY.replace("styrke", "fordoble")
    assert changes["Økonomi"]["new_body"] == "Midler."
    assert changes["Tiltak"]["pieces"] == []
    # Against the working draft: the deleted section shows as removed.
    client.delete(f"{url}/sections/{measures_['id']}", headers=coordinator)
    diff = ok(client.get(f"{url}/compare", params={"from": 2}, headers=coordinator))
    assert diff["to_version"] is None
    assert [(c["heading"], c["change"]) for c in diff["changes"]][-1] == ("Tiltak", "removed")

    # Adoption, and the list of documents shows it.
    r = client.put(
        f"{url}/versions/2/adoption",
        json={"adopted_by": "Fylkestinget", "adopted_on": today().isoformat()},
        headers=coordinator,
    )
    assert r.status_code == 422 and set(r.json()["errors"]) == {"case_number"}
    adopted = ok(
        client.put(
            f"{url}/versions/2/adoption",
            json={
                "adopted_by": "Fylkestinget",
                "adopted_on": today().isoformat(),
                "case_number": "24/1234",
            },
            headers=coordinator,
        )
    )
    assert (adopted["adopted_by"], adopted["case_number"]) == ("Fylkestinget", "24/1234")
    rows = items(client.get(f"{base(ws)}/documents", headers=coordinator))
    assert [
        (d["title"], d["sections"], d["latest_version"], d["adopted_version"]) for d in rows
    ] == [("Digitaliseringsstrategi", 2, 2, 2)]

    # The document's own fields.
    r = client.put(url, json={"title": "Ny tittel", "kind": "poem"}, headers=coordinator)
    assert r.status_code == 422 and set(r.json()["errors"]) == {"kind"}
    changed = ok(
        client.put(url, json={"title": "Ny tittel", "kind": "action_plan"}, headers=coordinator)
    )
    assert (changed["title"], changed["kind"]) == ("Ny tittel", "action_plan")
    detail = ok(client.get(url, headers=coordinator))
    assert detail["title"] == "Ny tittel"
    assert [s["heading"] for s in detail["sections"]] == ["Mål", "Økonomi"]


def test_a_stale_revision_is_a_conflict_and_saves_nothing(client, db, ws):
    anne = member(db, ws, "coordinator", name="Anne Først")
    bjorn = member(db, ws, "county_admin", name="Bjørn Senere")
    doc_id, (goal, _) = document_with_version(client, ws, anne)
    url = f"{base(ws)}/documents/{doc_id}/sections/{goal['id']}"

    ok(
        client.put(
            url, json={"heading": "Mål", "body": "Annes tekst.", "revision": 1}, headers=anne
        )
    )
    r = client.put(
        url, json={"heading": "Mål", "body": "Bjørns tekst.", "revision": 1}, headers=bjorn
    )
    assert r.status_code == 409
    conflict = r.json()
    assert conflict["code"] == "edit_conflict"
    assert conflict["message"].startswith("Noen andre har lagret dette avsnittet")
    assert conflict["section"]["body"] == "Annes tekst."
    assert conflict["section"]["revision"] == 2
    assert conflict["section"]["updated_by"] == "Anne Først"

    detail = ok(client.get(f"{base(ws)}/documents/{doc_id}", headers=anne))
    assert [(s["body"], s["revision"]) for s in detail["sections"]] == [
        ("Annes tekst.", 2),
        ("Vi etablerer et nettverk.", 1),
    ]

    # Saving again against the revision now seen goes through.
    merged = ok(
        client.put(
            url,
            json={"heading": "Mål", "body": "Annes og Bjørns tekst.", "revision": 2},
            headers=bjorn,
        )
    )
    assert (merged["revision"], merged["updated_by"]) == (3, "Bjørn Senere")


def test_who_may_read_and_edit_documents(client, db, ws):
    coordinator = member(db, ws, "coordinator")
    doc_id, (goal, _) = document_with_version(client, ws, coordinator)
    municipal = member(db, ws, "municipal")
    viewer = member(db, ws, "viewer")
    url = f"{base(ws)}/documents/{doc_id}"
    edit = {"heading": "Mål", "body": "Kommunens tekst.", "revision": 1}

    for headers in (municipal, viewer):
        r = client.put(f"{url}/sections/{goal['id']}", json=edit, headers=headers)
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
        r = client.post(f"{url}/sections", json={"heading": "Nytt"}, headers=headers)
        assert r.status_code == 403
    for path in ("/documents", f"/documents/{doc_id}", f"/documents/{doc_id}/versions"):
        assert client.get(base(ws) + path, headers=municipal).status_code == 403, path
        assert client.get(base(ws) + path, headers=viewer).status_code == 200, path
    detail = ok(client.get(url, headers=coordinator))
    assert detail["sections"][0]["body"] == BODY and detail["sections"][0]["revision"] == 1


def test_another_workspaces_document_and_round_are_not_found(client, db, ws):
    coordinator = member(db, ws, "coordinator")
    doc_id, (goal, _) = document_with_version(client, ws, coordinator)
    round_id = open_round(client, ws, coordinator, doc_id)
    other = create_workspace(db, county="50", name="Annen test")
    stranger = member(db, other, "county_admin")
    edit = {"heading": "Mål", "body": "Overtatt.", "revision": 1}

    for method, path, body in (
        ("GET", f"/documents/{doc_id}", None),
        ("PUT", f"/documents/{doc_id}/sections/{goal['id']}", edit),
        ("GET", f"/documents/{doc_id}/versions", None),
        ("GET", f"/documents/{doc_id}/measures", None),
        ("GET", f"/rounds/{round_id}", None),
        ("POST", f"/rounds/{round_id}/comments", {"section_key": goal["key"], "body": "Hei"}),
    ):
        r = client.request(method, base(other) + path, json=body, headers=stranger)
        assert r.status_code == 404 and r.json()["code"] == "not_found", path
    # The token is bound to its workspace: the other workspace's slug is not found either.
    assert client.get(f"{base(ws)}/documents", headers=stranger).status_code == 404
    detail = ok(client.get(f"{base(ws)}/documents/{doc_id}", headers=coordinator))
    assert detail["sections"][0]["body"] == BODY


# --- consultation rounds ---------------------------------------------------------------


def test_only_invited_municipalities_see_and_comment_on_a_round(client, db, ws):
    coordinator = member(db, ws, "coordinator")
    doc_id, (goal, _) = document_with_version(client, ws, coordinator)
    round_id = open_round(client, ws, coordinator, doc_id, municipality="5020")  # Osen
    osen = member(db, ws, "municipal", name="Olga Osen", municipality="5020")
    namsos = member(db, ws, "municipal", name="Nils Namsos", municipality="5007")
    ks = member(db, ws, "partner")  # KS, not invited
    url = f"{base(ws)}/rounds/{round_id}"

    assert [r["id"] for r in items(client.get(f"{base(ws)}/rounds", headers=osen))] == [round_id]
    page = ok(client.get(url, headers=osen))
    assert page["round"]["state"] == "open" and page["can_comment"] is True
    assert [s["heading"] for s in page["sections"]] == ["Mål", "Tiltak"]
    assert [i["name"] for i in page["my_invitees"]] == ["Osen"]
    assert page["invited"] == ["Osen"] and page["invitees"] == []

    comment = ok(
        client.post(
            f"{url}/comments",
            json={"section_key": goal["key"], "body": "Bra mål.", "quote": "alle kommunene"},
            headers=osen,
        ),
        201,
    )
    assert (comment["author_name"], comment["author_org"]) == ("Olga Osen", "Osen")
    reply = ok(
        client.post(
            f"{url}/comments",
            json={"section_key": goal["key"], "body": "Takk!", "parent_id": comment["id"]},
            headers=coordinator,
        ),
        201,
    )
    page = ok(client.get(url, headers=osen))
    threads = page["sections"][0]["threads"]
    assert [(t["body"], t["quote"]) for t in threads] == [("Bra mål.", "alle kommunene")]
    assert [r["id"] for r in threads[0]["replies"]] == [reply["id"]]
    assert page["sections"][1]["threads"] == []

    # Staff see the invitees in full.
    staff_page = ok(client.get(url, headers=coordinator))
    assert [(i["kind"], i["municipality_number"]) for i in staff_page["invitees"]] == [
        ("municipality", "5020")
    ]

    # Not invited: the round does not exist for them, whatever the route.
    for outsider in (namsos, ks):
        assert items(client.get(f"{base(ws)}/rounds", headers=outsider)) == []
        for method, path, body in (
            ("GET", "", None),
            ("GET", "/summary", None),
            ("POST", "/comments", {"section_key": goal["key"], "body": "Vi vil også."}),
            ("PUT", "/responses/1", {"body": "Svar", "revision": 0}),
        ):
            r = client.request(method, url + path, json=body, headers=outsider)
            assert r.status_code == 404 and r.json()["code"] == "not_found", (method, path)
    assert stored_comments(db, ws, round_id) == ["Bra mål.", "Takk!"]

    # An invitee who has commented cannot be withdrawn; one who has not can.
    invitee_id = staff_page["invitees"][0]["id"]
    r = client.delete(f"{url}/invitees/{invitee_id}", headers=coordinator)
    assert r.status_code == 422 and "form" in r.json()["errors"]
    added = ok(
        client.post(
            f"{url}/invitees",
            json={"kind": "organisation", "organisation_id": organisation(db, "KS").id},
            headers=coordinator,
        ),
        201,
    )
    assert (added["kind"], added["name"]) == ("organisation", "KS")
    ok(client.delete(f"{url}/invitees/{added['id']}", headers=coordinator), 204)
    assert len(ok(client.get(url, headers=coordinator))["invitees"]) == 1
    assert client.post(f"{url}/invitees", json={"kind": "x"}, headers=osen).status_code == 403


def test_a_reply_to_a_reply_joins_the_thread(client, db, ws):
    coordinator = member(db, ws, "coordinator")
    doc_id, (goal, _) = document_with_version(client, ws, coordinator)
    round_id = open_round(client, ws, coordinator, doc_id)
    osen = member(db, ws, "municipal", municipality="5020")
    url = f"{base(ws)}/rounds/{round_id}"

    def say(headers, body, parent_id=None):
        data = {"section_key": goal["key"], "body": body, "parent_id": parent_id}
        return ok(client.post(f"{url}/comments", json=data, headers=headers), 201)

    first = say(osen, "Bra mål.")
    reply = say(coordinator, "Takk!", first["id"])
    again = say(osen, "Vi følger opp.", reply["id"])  # a reply to the reply
    assert reply["parent_id"] == again["parent_id"] == first["id"]
    threads = ok(client.get(url, headers=osen))["sections"][0]["threads"]
    assert [(t["body"], [x["body"] for x in t["replies"]]) for t in threads] == [
        ("Bra mål.", ["Takk!", "Vi følger opp."])
    ]


def test_comments_are_checked_and_refused_after_the_deadline(client, db, ws):
    coordinator = member(db, ws, "coordinator")
    doc_id, (goal, _) = document_with_version(client, ws, coordinator)
    round_id = open_round(client, ws, coordinator, doc_id)
    osen = member(db, ws, "municipal", municipality="5020")
    url = f"{base(ws)}/rounds/{round_id}/comments"

    for body in ("", "   ", "x" * 5001):
        r = client.post(url, json={"section_key": goal["key"], "body": body}, headers=osen)
        assert r.status_code == 422 and r.json()["code"] == "invalid_input", len(body)
        assert set(r.json()["errors"]) == {"body"}
    r = client.post(
        url,
        json={"section_key": goal["key"], "body": "Hm.", "quote": "står ikke der"},
        headers=osen,
    )
    assert r.status_code == 422 and set(r.json()["errors"]) == {"quote"}
    assert stored_comments(db, ws, round_id) == []
    ok(client.post(url, json={"section_key": goal["key"], "body": "x" * 5000}, headers=osen), 201)

    close_round(db, ws, round_id)
    r = client.post(url, json={"section_key": goal["key"], "body": "For sent."}, headers=osen)
    assert r.status_code == 409 and r.json()["code"] == "round_closed"
    assert "Nye innspill tas ikke imot." in r.json()["message"]
    assert stored_comments(db, ws, round_id) == ["x" * 5000]
    page = ok(client.get(f"{base(ws)}/rounds/{round_id}", headers=osen))
    assert page["round"]["state"] == "closed" and page["can_comment"] is False


def test_an_amendment_on_a_stale_text_returns_the_current_text(client, db, ws):
    coordinator = member(db, ws, "coordinator")
    doc_id, (goal, _) = document_with_version(client, ws, coordinator)
    round_id = open_round(client, ws, coordinator, doc_id)
    osen = member(db, ws, "municipal", municipality="5020")
    url = f"{base(ws)}/rounds/{round_id}/amendments"
    proposal = {
        "section_key": goal["key"],
        "proposed_text": "Fylket skal samarbeide tett med kommunene.",
        "reason": "Kortere.",
    }

    r = client.post(
        url, json={**proposal, "base": text.fingerprint("En eldre tekst.")}, headers=osen
    )
    assert r.status_code == 409
    assert r.json()["code"] == "section_changed"
    assert r.json()["current"] == BODY
    assert r.json()["fingerprint"] == text.fingerprint(BODY)
    r = client.post(
        url, json={**proposal, "reason": "x" * 5001, "base": text.fingerprint(BODY)}, headers=osen
    )
    assert r.status_code == 422 and set(r.json()["errors"]) == {"reason"}
    assert stored_comments(db, ws, round_id) == []

    seen = ok(client.get(f"{base(ws)}/rounds/{round_id}", headers=osen))["sections"][0]
    amendment = ok(
        client.post(url, json={**proposal, "base": seen["fingerprint"]}, headers=osen), 201
    )
    assert amendment["kind"] == "amendment"
    assert amendment["proposed_text"] == proposal["proposed_text"]
    assert amendment["body"] == "Kortere."


def test_answers_are_written_then_published(client, db, ws):
    coordinator = member(db, ws, "coordinator")
    doc_id, (goal, _) = document_with_version(client, ws, coordinator)
    round_id = open_round(client, ws, coordinator, doc_id)
    osen = member(db, ws, "municipal", municipality="5020")
    url = f"{base(ws)}/rounds/{round_id}"
    comment = ok(
        client.post(
            f"{url}/comments", json={"section_key": goal["key"], "body": "Bra."}, headers=osen
        ),
        201,
    )
    amendment = ok(
        client.post(
            f"{url}/amendments",
            json={
                "section_key": goal["key"],
                "proposed_text": "Fylket og kommunene digitaliserer sammen.",
                "base": text.fingerprint(BODY),
            },
            headers=osen,
        ),
        201,
    )
    noted = {"answer": "noted", "reason": "Takk for innspillet."}

    # Answers may be written while the round is open, and published only once it has closed.
    r = client.put(f"{url}/comments/{comment['id']}/answer", json=noted, headers=coordinator)
    assert r.status_code == 200, r.text
    r = client.post(f"{url}/answers/publish", headers=coordinator)
    assert r.status_code == 422 and "siste fristen" in r.json()["errors"]["form"]

    close_round(db, ws, round_id)
    r = client.put(f"{url}/comments/{comment['id']}/answer", json=noted, headers=osen)
    assert r.status_code == 403
    r = client.put(
        f"{url}/comments/{comment['id']}/answer",
        json={"answer": "not_accepted"},
        headers=coordinator,
    )
    assert r.status_code == 422 and set(r.json()["errors"]) == {"reason"}
    answered = ok(
        client.put(f"{url}/comments/{comment['id']}/answer", json=noted, headers=coordinator)
    )
    assert answered["comment"]["answer"] == "noted" and answered["applied"] is False

    r = client.post(f"{url}/answers/publish", headers=coordinator)
    assert r.status_code == 422
    assert r.json()["errors"]["form"] == "Én kommentar eller ett endringsforslag mangler svar."

    accepted = ok(
        client.put(
            f"{url}/comments/{amendment['id']}/answer",
            json={"answer": "accepted"},
            headers=coordinator,
        )
    )
    assert accepted["applied"] is True
    assert accepted["draft_section"]["body"] == "Fylket og kommunene digitaliserer sammen."
    draft = ok(client.get(f"{base(ws)}/documents/{doc_id}", headers=coordinator))["sections"]
    assert draft[0]["body"] == "Fylket og kommunene digitaliserer sammen."

    # The municipality does not see the answers before they are published.
    page = ok(client.get(url, headers=osen))
    assert page["sees_answers"] is False
    assert [t["answer"] for t in page["sections"][0]["threads"]] == [None, None]
    assert client.get(f"{url}/summary", headers=osen).status_code == 404

    published = ok(client.post(f"{url}/answers/publish", headers=coordinator))
    assert published["answers_published_at"] is not None
    page = ok(client.get(url, headers=osen))
    assert page["sees_answers"] is True
    assert [(t["answer"], t["answer_reason"]) for t in page["sections"][0]["threads"]] == [
        ("noted", "Takk for innspillet."),
        ("accepted", ""),
    ]
    r = client.put(f"{url}/comments/{comment['id']}/answer", json=noted, headers=coordinator)
    assert r.status_code == 422  # published answers are final

    s = ok(client.get(f"{url}/summary", headers=osen))
    assert (s["comments"], s["amendments"], s["unanswered"]) == (1, 1, 0)
    assert s["by_answer"] == {"accepted": 1, "partly": 0, "not_accepted": 0, "noted": 1}
    assert s["invited"] == ["Osen"] and s["version"]["number"] == 1
    assert [len(x["items"]) for x in s["sections"]] == [2, 0]


def test_formal_responses_are_locked_against_stale_saves(client, db, ws):
    coordinator = member(db, ws, "coordinator")
    doc_id, _ = document_with_version(client, ws, coordinator)
    round_id = open_round(client, ws, coordinator, doc_id)
    olga = member(db, ws, "municipal", name="Olga Osen", municipality="5020")
    otto = member(db, ws, "municipal", name="Otto Osen", municipality="5020")
    url = f"{base(ws)}/rounds/{round_id}"
    invitee_id = ok(client.get(url, headers=olga))["my_invitees"][0]["id"]

    saved = ok(
        client.put(
            f"{url}/responses/{invitee_id}",
            json={"body": "Osen støtter strategien.", "revision": 0},
            headers=olga,
        )
    )
    assert (saved["revision"], saved["organisation"], saved["updated_by"]) == (
        1,
        "Osen",
        "Olga Osen",
    )
    r = client.put(
        f"{url}/responses/{invitee_id}",
        json={"body": "Osen er imot.", "revision": 0},
        headers=otto,
    )
    assert r.status_code == 409 and r.json()["code"] == "edit_conflict"
    assert r.json()["response"]["body"] == "Osen støtter strategien."
    assert r.json()["response"]["revision"] == 1

    submitted = ok(client.post(f"{url}/responses/{invitee_id}/submit", headers=otto))
    assert submitted["submitted_by"] == "Otto Osen"
    assert submitted["body"] == "Osen støtter strategien."
    r = client.put(
        f"{url}/responses/{invitee_id}", json={"body": "Endret.", "revision": 1}, headers=olga
    )
    assert r.status_code == 422 and "body" in r.json()["errors"]
    staff_view = ok(client.get(url, headers=coordinator))["responses"]
    assert [(x["organisation"], x["body"]) for x in staff_view] == [
        ("Osen", "Osen støtter strategien.")
    ]


# --- measures ------------------------------------------------------------------------------


def test_measures_of_an_action_plan(client, db, ws):
    coordinator = member(db, ws, "coordinator")
    doc_id, (goal, _) = document_with_version(client, ws, coordinator)
    url = f"{base(ws)}/documents/{doc_id}/measures"
    late = (today() - timedelta(days=3)).isoformat()

    measure = ok(
        client.post(
            url,
            json={
                "title": "Felles skyløsning",
                "owner": "Trøndelag fylkeskommune",
                "deadline": late,
                "section_key": goal["key"],
            },
            headers=coordinator,
        ),
        201,
    )
    assert (measure["status"], measure["overdue"], measure["section_key"]) == (
        "planned",
        True,
        goal["key"],
    )
    r = client.post(
        url,
        json={"title": "X", "owner": "Y", "status": "someday", "section_key": "nope"},
        headers=coordinator,
    )
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"title", "owner", "status", "section_key"}

    done = ok(
        client.put(
            f"{url}/{measure['id']}",
            json={
                "title": "Felles skyløsning",
                "owner": "Trøndelag fylkeskommune",
                "deadline": late,
                "status": "done",
            },
            headers=coordinator,
        )
    )
    assert (done["status"], done["overdue"], done["section_key"]) == ("done", False, None)
    listed = items(client.get(url, headers=coordinator))
    assert [(m["title"], m["status"]) for m in listed] == [("Felles skyløsning", "done")]

    municipal = member(db, ws, "municipal")
    assert client.get(url, headers=municipal).status_code == 403
    assert client.delete(f"{url}/{measure['id']}", headers=municipal).status_code == 403
    ok(client.delete(f"{url}/{measure['id']}", headers=coordinator), 204)
    assert items(client.get(url, headers=coordinator)) == []
    assert client.delete(f"{url}/{measure['id']}", headers=coordinator).status_code == 404


# --- session cookie and OpenAPI ------------------------------------------------------------


def test_a_browser_session_needs_the_csrf_header(client, db, ws):
    user = create_member(db, ws, "coordinator")
    login(client, user)
    url = f"{base(ws)}/documents"
    doc = {"title": "Handlingsplan 2026", "kind": "action_plan"}
    assert client.post(url, json=doc).json()["code"] == "csrf_failed"
    ok(client.post(url, json=doc, headers={"X-CSRF-Token": csrf(client)}), 201)
    assert [d["title"] for d in items(client.get(url))] == ["Handlingsplan 2026"]


def test_the_strategies_api_is_described_in_openapi(client):
    spec = client.get("/openapi.json").json()
    prefix = "/api/v1/{workspace_slug}/strategies"
    paths = {p: ops for p, ops in spec["paths"].items() if p.startswith(prefix)}
    assert set(paths[f"{prefix}/documents/{{doc_id}}/sections/{{section_id}}"]) == {"put", "delete"}
    assert set(paths[f"{prefix}/rounds/{{round_id}}/comments"]) == {"post"}
    assert f"{prefix}/rounds/{{round_id}}/summary" in paths
    assert f"{prefix}/documents/{{doc_id}}/measures/{{measure_id}}" in paths
    assert all(op["tags"] == ["strategies"] for ops in paths.values() for op in ops.values())
    put = paths[f"{prefix}/documents/{{doc_id}}/sections/{{section_id}}"]["put"]
    assert put["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/SectionRead"
    )
    conflict = put["responses"]["409"]["content"]["application/json"]["schema"]["anyOf"]
    assert [x["$ref"].rsplit("/", 1)[1] for x in conflict] == ["EditConflictRead", "Error"]
    kinds = spec["components"]["schemas"]["DocumentForm"]["properties"]["kind"]["enum"]
    assert "action_plan" in kinds


def test_search_finds_sections_by_stem_or_prefix_and_marks_the_words(client, db, ws):
    coordinator = member(db, ws, "coordinator")
    doc_id, _sections = document_with_version(client, ws, coordinator)
    hits = items(
        client.get(f"{base(ws)}/search", params={"q": "digitalisering"}, headers=coordinator)
    )
    section_hits = [h for h in hits if h["kind"] == "section"]
    assert [h["title"] for h in section_hits] == ["Mål"]
    assert "<mark>digitalisering</mark>" in section_hits[0]["snippet_html"].lower()
    assert section_hits[0]["url"].startswith(f"/{ws.slug}/strategier/{doc_id}#a")
    # "kommune" finds "kommunene": Norwegian stemming on PostgreSQL, word prefixes on SQLite
    assert any(
        h["kind"] == "section"
        for h in items(
            client.get(f"{base(ws)}/search", params={"q": "kommune"}, headers=coordinator)
        )
    )
    assert (
        items(client.get(f"{base(ws)}/search", params={"q": "hjelpekorps"}, headers=coordinator))
        == []
    )
    municipal = member(db, ws, "municipal", municipality="5020")
    assert client.get(f"{base(ws)}/search", params={"q": "x"}, headers=municipal).status_code == 403
