"""The strategies demo, as its users see it: the Trøndelag strategy with two versions (the
second adopted), a closed consultation round with every comment answered and the answers
published, the accepted amendment in the draft, and an action plan with an overdue measure."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import demo
from app.accounts import principal as principals
from app.accounts.models import Membership, User
from app.accounts.principal import Principal
from app.clock import today
from app.counties.models import Workspace
from app.mail.models import OutboxMessage
from app.strategies import demo as strategies_demo
from app.strategies import jobs, measures, service, summary, text
from app.strategies.consultation import access as consultation_access
from app.strategies.consultation import comments, rounds
from app.strategies.consultation.schemas import CommentCreate
from app.tenancy import scoped, set_db_scope


@pytest.fixture
def loaded(db: Session) -> Workspace:
    demo.load_demo(db)
    ws = db.scalar(select(Workspace).where(Workspace.slug == "trondelag"))
    assert ws is not None
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    return ws


def _actor(db: Session, ws: Workspace, email: str) -> Principal:
    user = db.scalar(select(User).where(User.email == email))
    assert user is not None
    m = db.scalar(scoped(Membership, ws.id).where(Membership.user_id == user.id))
    assert m is not None
    return principals.for_member(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role=m.role,
        municipality_number=m.municipality_number,
        organisation_id=m.organisation_id,
    )


def _strategy(db: Session, ws: Workspace) -> Any:
    """The demo's strategy (the demo also has an action plan on consultation now)."""
    return next(
        r.document for r in service.documents(db, ws) if r.document.title == strategies_demo.TITLE
    )


def _demo_strategy_versions_and_adoption(db: Session, loaded: Workspace) -> None:
    ws = loaded
    rows = service.documents(db, ws)
    # the strategy, and the action plan whose round is open now (for the start pages)
    assert len(rows) == 2
    row = next(r for r in rows if r.document.title == strategies_demo.TITLE)
    doc = row.document
    assert doc.is_demo and "(demo)" in doc.title
    assert doc.kind == "innovation_strategy"
    assert row.latest_version == 2 and row.adopted_version == 2

    headings = [s.heading for s in service.sections_of(db, ws, doc.id)]
    assert headings[0] == "Innledning"
    for wanted in (
        "Regional forankring",
        "Hjelpekorps for kommunene",
        "Samarbeid i regionrådene",
        "Spredning av innovasjoner",
        "Gevinstrealisering",
        "Felles oversikt over virkemidler",
    ):
        assert wanted in headings

    v2, v1 = service.versions_of(db, ws, doc.id)
    assert (v1.number, v2.number) == (1, 2)
    on = today()
    assert 100 <= (on - v1.published_at.date()).days <= 140  # about four months ago
    assert v1.adopted_on is None
    assert v2.adopted_by == "Fylkestinget i Trøndelag"
    assert v2.adopted_on is not None and 25 <= (on - v2.adopted_on).days <= 40
    assert v2.published_at.date() <= v2.adopted_on
    assert v2.case_number and re.fullmatch(r"\d{2}/\d{5}", v2.case_number)
    # version 2 differs from version 1 exactly where the consultation changed it
    changed = {
        c.heading
        for c in service.compare(
            service.version_sections(db, ws, v1.id), service.version_sections(db, ws, v2.id)
        )
        if c.change != "same"
    }
    assert changed == {"Innledning", "Gevinstrealisering"}


def _demo_consultation_is_closed_answered_and_published(db: Session, loaded: Workspace) -> None:
    ws = loaded
    doc = _strategy(db, ws)
    (r,) = service.rounds_of(db, ws, doc.id)
    on = today()
    assert rounds.state_of(r) == "closed"
    assert r.version.number == 1
    assert 90 <= (on - r.starts_on).days <= 120 and 60 <= (on - r.ends_on).days <= 90
    assert r.answers_published_at is not None
    assert r.answers_published_at.date() > r.ends_on

    coordinator = _actor(db, ws, "koordinator@trondelag.demo")
    s = summary.build(db, ws, coordinator, r.id)
    assert s.unanswered == 0
    assert {"accepted", "partly", "not_accepted", "noted"} <= {
        a for a, n in s.by_answer.items() if n
    }
    assert len(s.invited) == 5
    assert any("regionråd" in name for name in s.invited)
    assert strategies_demo.GUEST_NAME in s.invited

    items = [i for sec in s.sections for i in sec.items]
    top = [i.comment for i in items]
    assert all(c.answer and c.answer_reason for c in top)
    by_org: dict[str, int] = {}
    for c in top:
        by_org[c.author_org] = by_org.get(c.author_org, 0) + 1
    assert by_org.get("Statsforvalteren i Trøndelag", 0) >= 2
    assert by_org.get("KS", 0) >= 2
    assert by_org.get("Osen", 0) >= 2
    for c in top:
        made = c.created_at.date()
        assert r.starts_on <= made <= r.ends_on
        assert c.answered_at is not None and c.answered_at.date() > r.ends_on

    # Osen quotes a passage of the help-corps section, and a thread follows it
    help_corps = next(sec for sec in s.sections if sec.section.heading.startswith("Hjelpekorps"))
    quoted = [i for i in help_corps.items if i.comment.quote]
    assert quoted and quoted[0].comment.author_org == "Osen"
    assert quoted[0].comment.quote in help_corps.section.body
    assert text.quote_found(quoted[0].comment.quote or "", help_corps.section.body)
    replies = quoted[0].replies
    assert len(replies) >= 1 and any(x.author_org == ws.name for x in replies)

    # the formal responses of Statsforvalteren and KS are submitted
    assert {x.organisation for x in s.responses} >= {"Statsforvalteren i Trøndelag", "KS"}
    assert all(x.submitted_at and x.body for x in s.responses)

    # Osen reads the answers now, and can no longer comment
    osen = _actor(db, ws, "kommunedirektor@osen.demo")
    access = consultation_access.access(db, ws, osen, r.id)
    assert access.sees_answers and not access.can_comment
    with pytest.raises(rounds.RoundClosed):
        late = CommentCreate(section_key=help_corps.section.key, body="For sent? (test)")
        comments.add_comment(db, ws, osen, r.id, late)


def _demo_accepted_amendment_is_in_the_draft(db: Session, loaded: Workspace) -> None:
    ws = loaded
    doc = _strategy(db, ws)
    (r,) = service.rounds_of(db, ws, doc.id)
    coordinator = _actor(db, ws, "koordinator@trondelag.demo")
    top = [
        i.comment for sec in summary.build(db, ws, coordinator, r.id).sections for i in sec.items
    ]
    amendments = [c for c in top if c.kind == "amendment"]
    assert {c.answer for c in amendments} >= {"accepted", "not_accepted"}
    draft = {x.key: x.body for x in service.sections_of(db, ws, doc.id)}
    v2 = service.get_version(db, ws, doc.id, 2)
    adopted = {x.key: x.body for x in service.version_sections(db, ws, v2.id)}
    for c in amendments:
        if c.answer == "accepted":
            assert c.applied_at is not None
            assert draft[c.section_key] == c.proposed_text
            assert adopted[c.section_key] == c.proposed_text
            assert strategies_demo.BENEFITS_ADDITION in draft[c.section_key]
        else:
            assert c.applied_at is None
            assert draft[c.section_key] != c.proposed_text


def _demo_action_plan_has_an_overdue_measure(db: Session, loaded: Workspace) -> None:
    ws = loaded
    doc = _strategy(db, ws)
    rows = measures.measures_of(db, ws, doc.id)
    keys = {s.key for s in service.sections_of(db, ws, doc.id)}
    assert len(rows) >= 8
    assert all(m.section_key in keys and m.owner for m in rows)
    assert {m.status for m in rows} == {"planned", "under_way", "done", "cancelled"}
    overdue = [m for m in rows if measures.is_overdue(m)]
    assert overdue
    assert measures.figures(db, ws, doc.id).overdue == len(overdue)
    deadlines = [m.deadline for m in rows if m.deadline]
    assert max(deadlines) - today() > timedelta(days=365)
    assert any("regionråd" in (m.owner + m.partners).lower() for m in rows)


def _demo_leaves_no_strategy_mail_queued(db: Session, loaded: Workspace) -> None:
    def strategy_mail() -> list[OutboxMessage]:
        pending = db.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))).all()
        return [
            m
            for m in pending
            if "høring" in m.subject.casefold() or "innspill" in m.subject.casefold()
        ]

    assert strategy_mail() == []
    # the round closed months ago: the scheduled jobs have nothing to invite or remind about
    assert jobs.run_workspace(db, loaded) == {"invitations": 0, "reminders": 0, "digests": 0}
    assert strategy_mail() == []


def test_the_strategies_demo(db: Session, loaded: Workspace) -> None:
    """One load of the whole demo (it takes seconds), every check on it."""
    _demo_strategy_versions_and_adoption(db, loaded)
    _demo_consultation_is_closed_answered_and_published(db, loaded)
    _demo_accepted_amendment_is_in_the_draft(db, loaded)
    _demo_action_plan_has_an_overdue_measure(db, loaded)
    _demo_leaves_no_strategy_mail_queued(db, loaded)
