"""Notifications (issue 15): an event reaches each person it concerns in their list and, as they
chose, by mail at once or in a daily digest — always in the recipient's own language, whoever
acted. The bell counts what is unread; a person sees only their own, from every workspace."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from app.accounts.models import User
from app.db import utcnow
from app.mail.models import OutboxMessage
from app.notifications import kinds
from app.notifications import service as notifications
from app.notifications.models import Notification, NotificationPreference
from app.tenancy import scoped_by_user, set_db_scope, set_system_scope
from factories import create_member, create_workspace, in_workspace, login, post


def _outbox(db: Any) -> list[OutboxMessage]:
    db.expire_all()
    set_system_scope(db)
    rows = list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    _leave_system_scope(db)
    return rows


def _leave_system_scope(db: Any) -> None:
    db.info.pop("tenant_scope_exempt", None)
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT set_config('app.system', '', true)"))
    set_db_scope(db, workspace_id=None, user_id=None)


def _mine(db: Any, user: User) -> list[Notification]:
    db.expire_all()
    set_db_scope(db, workspace_id=None, user_id=user.id)
    rows = list(db.scalars(scoped_by_user(Notification, user.id).order_by(Notification.id)))
    set_db_scope(db, workspace_id=None, user_id=None)
    return rows


def _mail_to(db: Any, user: User) -> list[OutboxMessage]:
    return [m for m in _outbox(db) if m.recipient == user.email]


def _speaks(db: Any, user: User, locale: str) -> None:
    user.locale = locale
    db.flush()
    db.commit()


@pytest.fixture
def people(db, ws):
    coordinator = create_member(db, ws, "coordinator", name="Kari Koordinator")
    helper_en = create_member(db, ws, "helper", name="Helen Helper")
    helper_nb = create_member(db, ws, "helper", name="Hans Hjelper")
    osen = create_member(db, ws, "municipal", name="Olav Osen")
    _speaks(db, helper_en, "en")
    return {"coordinator": coordinator, "en": helper_en, "nb": helper_nb, "osen": osen}


def _file_and_assign(client, ws, people) -> int:
    login(client, people["osen"])
    r = post(
        client,
        f"/{ws.slug}/hjelp",
        {"category": "funding", "title": "Søknad", "description": "Hjelp oss", "urgency": "high"},
    )
    assert r.status_code == 303, r.text[:300]
    number = int(r.headers["location"].rsplit("/", 1)[1])
    client.cookies.clear()
    login(client, people["coordinator"])
    r = post(
        client,
        f"/{ws.slug}/hjelp/{number}/vurdering",
        {
            "category": "funding",
            "priority": "high",
            "assignees": [people["en"].id, people["nb"].id],
        },
    )
    assert r.status_code == 303, r.text[:300]
    client.cookies.clear()
    return number


def test_a_reply_in_english_reaches_each_recipient_in_their_own_language(client, db, ws, people):
    number = _file_and_assign(client, ws, people)
    # The coordinator (bokmål) heard of the new request in bokmål, in the list and by mail.
    new = [n for n in _mine(db, people["coordinator"]) if n.kind == kinds.NEW_REQUEST]
    assert [n.title for n in new] == ["Ny forespørsel fra Osen: Søknad"]
    assert new[0].path == f"/hjelp/{number}"
    assert any(
        m.subject.endswith("Ny forespørsel fra Osen: Søknad")
        for m in _mail_to(db, people["coordinator"])
    )
    # Each helper was told of the assignment in their language.
    assert [n.title for n in _mine(db, people["en"]) if n.kind == kinds.ASSIGNED] == [
        "Assigned to you: Søknad"
    ]
    assert [n.title for n in _mine(db, people["nb"]) if n.kind == kinds.ASSIGNED] == [
        "Tildelt deg: Søknad"
    ]

    # The Osen user reads the pages in English and replies.
    login(client, people["osen"])
    assert post(client, "/sprak", {"locale": "en", "neste": "/"}).status_code == 303
    r = post(client, f"/{ws.slug}/hjelp/{number}/svar", {"body": "Here are the papers."})
    assert r.status_code == 303, r.text[:300]

    english = [m for m in _mail_to(db, people["en"]) if "Here are the papers." in m.body]
    bokmal = [m for m in _mail_to(db, people["nb"]) if "Here are the papers." in m.body]
    assert len(english) == 1 and len(bokmal) == 1
    assert english[0].subject == f"[HK-{number}] New reply: Søknad"
    assert "See the request: " in english[0].body
    assert bokmal[0].subject == f"[HK-{number}] Nytt svar: Søknad"
    assert "Se forespørselen" in bokmal[0].body
    # The mail stays in the request's thread.
    thread = f"<hjelp-{ws.slug}-{number}@samspill>"
    assert english[0].headers["In-Reply-To"] == thread
    # Both have it in their list; the one who wrote it is not told of their own reply.
    assert [n.title for n in _mine(db, people["en"]) if n.kind == kinds.REPLY] == [
        "New reply: Søknad"
    ]
    assert [n.title for n in _mine(db, people["nb"]) if n.kind == kinds.REPLY] == [
        "Nytt svar: Søknad"
    ]
    assert not [n for n in _mine(db, people["osen"]) if n.kind == kinds.REPLY]
    # The language the Osen user picked is saved on their account.
    db.expire_all()
    assert db.get(User, people["osen"].id).locale == "en"


def _choose(client, user, **choices: str) -> Any:
    login(client, user)
    data = {kind: choices.get(kind, "email") for kind in kinds.KINDS}
    return post(client, "/varsler/innstillinger", data)


def test_in_the_app_only_sends_no_mail(client, db, ws, people):
    r = _choose(client, people["nb"], reply="app", assigned="app", status="app")
    assert r.status_code == 303
    client.cookies.clear()
    number = _file_and_assign(client, ws, people)
    login(client, people["osen"])
    post(client, f"/{ws.slug}/hjelp/{number}/svar", {"body": "Svar fra Osen"})
    mine = _mine(db, people["nb"])
    assert {n.kind for n in mine} >= {kinds.ASSIGNED, kinds.REPLY}
    assert all(n.delivery == "app" for n in mine if n.kind in (kinds.ASSIGNED, kinds.REPLY))
    assert _mail_to(db, people["nb"]) == []
    # The other helper chose nothing: e-mail at once, as before.
    assert len(_mail_to(db, people["en"])) >= 2


def test_daily_digest_collects_the_events_and_is_sent_once(client, db, ws, people):
    r = _choose(client, people["nb"], reply="digest", assigned="digest", status="digest")
    assert r.status_code == 303
    client.cookies.clear()
    number = _file_and_assign(client, ws, people)
    login(client, people["osen"])
    for text_ in ("Første svar", "Andre svar"):
        post(client, f"/{ws.slug}/hjelp/{number}/svar", {"body": text_})
    assert _mail_to(db, people["nb"]) == []  # nothing now
    waiting = [n for n in _mine(db, people["nb"]) if n.delivery == "digest"]
    assert len(waiting) >= 3  # assigned, two replies

    tomorrow = utcnow() + timedelta(days=1)
    sent = notifications.send_digests(db, now=tomorrow)
    again = notifications.send_digests(db, now=tomorrow + timedelta(hours=1))
    _leave_system_scope(db)
    assert sent == 1 and again == 0
    digests = _mail_to(db, people["nb"])
    assert len(digests) == 1
    assert digests[0].subject == f"Dagens varsler fra Samspill ({len(waiting)})"
    body = digests[0].body
    assert body.count("Nytt svar: Søknad") == 2 and "Tildelt deg: Søknad" in body
    assert f"/{ws.slug}/hjelp/{number}" in body
    assert all(n.mailed_at is not None for n in _mine(db, people["nb"]) if n.delivery == "digest")


def _some(db, ws, user, n: int, title: str = "Hendelse") -> None:
    with in_workspace(db, ws):
        for i in range(n):
            notifications.notify(
                db,
                ws,
                [user],
                kinds.COMMENT,
                "/hoeringer",
                lambda i=i: (f"{title} {i}", "Tekst"),
                channel="app",
            )


def test_bell_list_open_and_mark_all(client, db, ws):
    other_ws = create_workspace(db, county="46", name="Vestland test")
    user = create_member(db, ws, "coordinator")
    from factories import add_member

    add_member(db, other_ws, user, "coordinator")
    _some(db, ws, user, 2, "Trøndelag")
    _some(db, other_ws, user, 1, "Vestland")
    login(client, user)

    page = client.get(f"/{ws.slug}")
    assert "3 uleste varsler" in page.text and 'href="/varsler"' in page.text
    listing = client.get("/varsler")
    assert listing.status_code == 200
    # From both workspaces, newest first, each with its workspace's name.
    assert listing.text.index("Vestland 0") < listing.text.index("Trøndelag 1")
    assert "Vestland test" in listing.text and "Trøndelag test" in listing.text
    assert listing.text.count('class="notification__new"') == 3

    first = _mine(db, user)[0]
    r = post(client, f"/varsler/{first.id}/apne")
    assert r.status_code == 303 and r.headers["location"] == f"/{ws.slug}/hoeringer"
    assert "2 uleste varsler" in client.get("/varsler").text
    assert client.get(f"/varsler/{first.id}/apne").status_code == 405  # GET changes nothing

    r = post(client, "/varsler/les-alle")
    assert r.status_code == 303
    page = client.get("/varsler")
    assert "Ingen uleste varsler." in page.text and 'class="notification__new"' not in page.text
    assert all(n.read_at is not None for n in _mine(db, user))


def test_another_persons_notification_is_not_found(client, db, ws):
    owner = create_member(db, ws, "coordinator")
    intruder = create_member(db, ws, "coordinator")
    _some(db, ws, owner, 1, "Privat")
    theirs = _mine(db, owner)[0]
    login(client, intruder)
    assert post(client, f"/varsler/{theirs.id}/apne").status_code == 404
    assert "Privat" not in client.get("/varsler").text
    post(client, "/varsler/les-alle")
    assert _mine(db, owner)[0].read_at is None


def test_a_bad_choice_is_refused_and_nothing_is_stored(client, db, ws):
    user = create_member(db, ws, "helper")
    login(client, user)
    data = {kind: "email" for kind in kinds.KINDS}
    data["reply"] = "pigeon"
    r = post(client, "/varsler/innstillinger", data)
    assert r.status_code == 422
    assert "Velg «I appen», «E-post med en gang» eller «Daglig oppsummering»." in r.text
    assert 'href="#f-reply"' in r.text and 'id="f-reply"' in r.text
    db.expire_all()
    stored = db.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id)
    ).all()
    assert stored == []
    # Chosen well, it is stored, shown again, and the language is saved with it.
    data["reply"] = "digest"
    data["locale"] = "nn"
    r = post(client, "/varsler/innstillinger", data)
    assert r.status_code == 303
    db.expire_all()
    assert notifications.preferences(db, user.id)["reply"] == "digest"
    assert db.get(User, user.id).locale == "nn"
    page = client.get("/varsler/innstillinger")
    assert 'id="f-reply-digest" name="reply" value="digest" checked' in page.text


def test_the_list_costs_the_same_queries_for_few_and_many(client, db, ws, count_queries):
    user = create_member(db, ws, "coordinator")
    _some(db, ws, user, 3)
    login(client, user)
    client.get("/varsler")
    with count_queries() as few:
        assert client.get("/varsler").status_code == 200
    _some(db, ws, user, 45)
    with count_queries() as many:
        page = client.get("/varsler")
    assert "Eldre varsler" in page.text  # paged
    assert many.count == few.count
    # session, the page of notifications, the unread count (the bell's is the same), scope
    assert many.count <= 6, many.statements
    older = page.text.split('href="/varsler?eldre=')[1].split('"')[0]
    assert client.get(f"/varsler?eldre={older}").status_code == 200


def test_signed_out_people_have_no_bell_and_no_list(client):
    assert 'href="/varsler"' not in client.get("/logg-inn").text
    assert client.get("/varsler").status_code in (303, 401)


def test_the_preference_matrix_posts_with_its_own_csrf_token(client, db, ws):
    """The page's form carries the token itself (a browser sends no header for a plain form):
    posted as the page has it, one row's choice is stored and shown checked in its row."""
    import re

    user = create_member(db, ws, "helper")
    login(client, user)
    page = client.get("/varsler/innstillinger")
    assert page.text.count('<fieldset class="ds-fieldset pref-row"') == len(kinds.KINDS)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token and token.group(1) == client.cookies.get("samspill_csrf")
    data = {kind: "email" for kind in kinds.KINDS}
    data[kinds.MEETING_INVITATION] = "app"
    data["csrf_token"] = token.group(1)
    r = client.post("/varsler/innstillinger", data=data)
    assert r.status_code == 303
    db.expire_all()
    assert notifications.preferences(db, user.id)[kinds.MEETING_INVITATION] == "app"
    again = client.get("/varsler/innstillinger").text
    assert 'name="meeting_invitation" value="app" checked' in again
