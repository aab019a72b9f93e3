"""Strategies search with a word in many comments: only the newest matches are ranked (a word in
most of 200,000 comments must not rank them all; bench/search.py measures it), and the page and
the API say so, on both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.strategies import search
from app.strategies.models import ConsultationComment
from factories import (
    bearer,
    create_comment,
    create_document,
    create_invitee,
    create_member,
    create_round,
    in_workspace,
    login,
)

STRONG = " ".join(["Beitebruk"] * 12) + "."  # the best match there is, if it is ranked at all


def _more_comments(db: Session, ws: Any, like: ConsultationComment, n: int, body: str) -> None:
    with in_workspace(db, ws):
        db.add_all(
            ConsultationComment(
                workspace_id=ws.id,
                round_id=like.round_id,
                section_key=like.section_key,
                invitee_id=like.invitee_id,
                author_name=f"Innsender {i}",
                author_org="Kommune",
                body=body,
            )
            for i in range(n)
        )
        db.flush()


def _search(db: Session, ws: Any, q: str) -> search.Hits:
    with in_workspace(db, ws):
        return search.search(db, ws, q)


def test_only_the_newest_matches_are_ranked_and_the_cap_is_told(client, db, ws):
    kari = create_member(db, ws, "coordinator")
    doc = create_document(db, ws, kari, sections=(("Mål", "Fjellet og fylket."),), publish=True)
    r = create_round(db, ws, kari, doc)
    oldest = create_comment(db, ws, r, create_invitee(db, ws, r), STRONG)
    _more_comments(db, ws, oldest, search.CANDIDATES - 2, "Beitebruk i utmark.")
    _more_comments(db, ws, oldest, 1, "Beitebruk og reindrift i utmark.")

    # exactly CANDIDATES matches: all ranked, the strongest first, nothing capped
    hits = _search(db, ws, "beitebruk")
    assert not hits.capped and len(hits) == search.LIMIT
    assert (hits[0].kind, hits[0].id) == ("comment", oldest.id)

    # one more: the oldest is no longer among the ranked, and the result says it was capped
    _more_comments(db, ws, oldest, 1, "Beitebruk langs vegen.")
    hits = _search(db, ws, "beitebruk")
    assert hits.capped and len(hits) == search.LIMIT
    assert oldest.id not in {h.id for h in hits}

    # a word in few of them is found whatever its age, and not capped
    rare = _search(db, ws, "reindrift")
    assert not rare.capped and [h.kind for h in rare] == ["comment"]

    login(client, kari)
    page = client.get(f"/{ws.slug}/strategier/sok", params={"q": "beitebruk"}).text
    assert f"Mer enn {search.CANDIDATES} treff" in page and "skriv flere ord" in page
    page = client.get(f"/{ws.slug}/strategier/sok", params={"q": "reindrift"}).text
    assert "1 treff" in page and "Mer enn" not in page

    api = bearer(db, ws, kari)
    answer = client.get(
        f"/api/v1/{ws.slug}/strategies/search", params={"q": "beitebruk"}, headers=api
    )
    assert answer.status_code == 200
    assert answer.json()["total"] is None and len(answer.json()["items"]) == search.LIMIT
    answer = client.get(
        f"/api/v1/{ws.slug}/strategies/search", params={"q": "reindrift"}, headers=api
    )
    assert answer.json()["total"] == 1
