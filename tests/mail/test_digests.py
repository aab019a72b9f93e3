"""Notification digests (issue 14, finding 6): a flood of events reaches each person as a few
mails and one digest that lists every event, while invitations and other mails go at once."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from sqlalchemy import select

from app.counties.models import Workspace
from app.db import utcnow
from app.mail import service as mail
from app.mail.models import OutboxMessage
from app.strategies import service as strategies
from app.strategies.models import ConsultationComment
from app.tenancy import scoped, set_db_scope, set_system_scope
from factories import (
    create_document,
    create_invitee,
    create_member,
    create_round,
    in_workspace,
    login,
    organisation,
    post,
)

COMMENTS = 200


def _outbox(db: Any) -> list[OutboxMessage]:
    db.expire_all()
    set_system_scope(db)
    rows = list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    set_db_scope(db, workspace_id=None, user_id=None)
    return rows


def test_a_flood_of_comments_reaches_the_staff_as_a_digest(client, db, ws, settings, smtp, deliver):
    after = settings.notification_digest_after
    staff = [create_member(db, ws, "coordinator", email=f"stab{i}@fylke.no") for i in range(2)]
    partner = create_member(db, ws, "partner", email="partner@ks.no")
    doc = create_document(db, ws, staff[0], publish=True)
    r = create_round(db, ws, staff[0], doc)
    round_id = r.id
    create_invitee(db, ws, r, "organisation", organisation_id=organisation(db).id)
    with in_workspace(db, ws):
        key = strategies.version_sections(db, ws, r.version_id)[0].key
    invitations = {m.recipient for m in _outbox(db)}
    assert "partner@ks.no" in invitations

    ws_id, emails = ws.id, {s.email for s in staff}
    login(client, partner)
    base = f"/{ws.slug}/hoeringer/{round_id}"
    for i in range(COMMENTS):
        response = post(client, f"{base}/kommentarer", {"section_key": key, "body": f"Nr {i}"})
        assert response.status_code == 303, response.text[:300]

    ws = db.get(Workspace, ws_id)
    rows = [m for m in _outbox(db) if m.recipient in emails]
    per_person = Counter(m.recipient for m in rows)
    assert per_person == {email: after + 1 for email in emails}
    for email in emails:
        mine = [m for m in rows if m.recipient == email]
        assert [m.kind for m in mine] == ["notification"] * after + ["digest"]
        digest = mine[-1]
        assert digest.digest_events == COMMENTS - after
        assert digest.subject == f"{COMMENTS - after} nye hendelser i Samspill"
        # held until the window has passed, then sent like any mail
        assert digest.next_attempt_at > utcnow()

    # Every comment is told of: in a mail of its own or in the digest.
    with in_workspace(db, ws):
        ids = set(
            db.scalars(scoped(ConsultationComment, ws.id).with_only_columns(ConsultationComment.id))
        )
    assert len(ids) == COMMENTS

    for m in rows:  # the window has passed
        m.next_attempt_at = utcnow()
    db.flush()
    while deliver():
        pass
    arrived = [m for m in smtp.messages if m["To"] in emails]
    assert Counter(m["To"] for m in arrived) == per_person
    for email in emails:
        told = " ".join(m.get_content() for m in arrived if m["To"] == email)
        assert {int(k) for k in re.findall(r"#k(\d+)", told)} == ids


def test_invitations_and_other_mail_are_never_held(db, ws, settings):
    with in_workspace(db, ws):
        for i in range(settings.notification_digest_after + 3):
            mail.enqueue(db, to="a@fylke.no", subject=f"Varsel {i}", body="x", notification=True)
        for i in range(3):
            plain = mail.enqueue(db, to="a@fylke.no", subject=f"Invitasjon {i}", body="lenke")
            assert plain.kind == "mail" and plain.next_attempt_at <= utcnow()
        # another workspace, or another person, counts on its own
        other = mail.enqueue(db, to="b@fylke.no", subject="Varsel", body="x", notification=True)
        assert other.kind == "notification"
    kinds = Counter((m.recipient, m.kind) for m in _outbox(db))
    assert kinds[("a@fylke.no", "notification")] == settings.notification_digest_after
    assert kinds[("a@fylke.no", "digest")] == 1
    assert kinds[("a@fylke.no", "mail")] == 3


def test_a_digest_being_sent_takes_no_more_events(db, ws, settings):
    with in_workspace(db, ws):
        for i in range(settings.notification_digest_after + 1):
            last = mail.enqueue(
                db, to="a@fylke.no", subject=f"Varsel {i}", body="x", notification=True
            )
        assert last.kind == "digest"
        last.attempts = 1  # a worker has claimed it
        db.flush()
        again = mail.enqueue(db, to="a@fylke.no", subject="Siste", body="y", notification=True)
        assert again.kind == "digest" and again.id != last.id
        assert "Siste" in again.body and "Siste" not in last.body
