"""Strategies in the demo: Trøndelag's regional strategy for innovation and digitalisation,
drawn from the recommendations of the study behind Samspill. Version 1 went on consultation
(høring) to Statsforvalteren, KS, Osen, a regional council and a guest research institute;
the round is closed, every comment is answered and the answers are published; version 2
carries the accepted amendment and is adopted by the county council. The measures of the
action plan sit on the strategy itself, each linked to the section it implements.

Everything is made through the services, as users would make it, and then moved back in time
on the rows (the services refuse comments on a closed round and answers on an open one), so
that the dates read true. Mail the services queue on the way is removed: nobody is told today
about a round that closed months ago.

The texts (sections, comments, responses, measures) are in ``demo_texts.py``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.accounts import principal as principals
from app.accounts import service as accounts_service
from app.accounts.models import User
from app.accounts.principal import Principal
from app.clock import OSLO, today
from app.counties.models import Workspace
from app.mail.models import OutboxMessage
from app.networks import service as networks_service
from app.strategies import measures, service, text
from app.strategies.consultation import answers, comments, invitees, responses, rounds
from app.strategies.consultation.schemas import (
    AmendmentCreate,
    AnswerForm,
    CommentCreate,
    InviteeCreate,
    ResponseForm,
    RoundCreate,
)
from app.strategies.demo_texts import (
    ADOPTED_BY,
    COMMENTS,
    COVER,
    GUEST_EMAIL,
    GUEST_NAME,
    INTRO_AFTER_ROUND,
    KS_DRAFT,
    MEASURES,
    OPEN_SECTIONS,
    OPEN_TITLE,
    REPLY_COORDINATOR,
    REPLY_OSEN,
    RESPONSE_KS,
    RESPONSE_SF,
    SECTIONS,
    SUMMARY,
    TITLE,
    Comment,
)
from app.strategies.demo_texts import BENEFITS_ADDITION as BENEFITS_ADDITION
from app.strategies.models import ConsultationComment, Invitee, StrategyNotice
from app.strategies.schemas import (
    AdoptionForm,
    DocumentForm,
    MeasureForm,
    PublishForm,
    SectionCreate,
    SectionUpdate,
)
from app.tenancy import scoped, set_db_scope


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Norwegian time on a day, in UTC as stored (SQLite keeps no offset)."""
    return datetime.combine(day, time(hour, minute), OSLO).astimezone(UTC)


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _principal(session: Session, ws: Workspace, user: User) -> Principal:
    m = accounts_service.get_membership(session, ws.id, user.id)
    assert m is not None, f"demo user {user.email} has no membership in {ws.slug}"
    return principals.for_member(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role=m.role,
        municipality_number=m.municipality_number,
        organisation_id=m.organisation_id,
        extra_roles=m.extras,
    )


def _council_of(session: Session, ws: Workspace, municipality: str) -> int:
    """A regional council the municipality is a member of (Fosen when it is one)."""
    member_of = networks_service.current_members(
        session, ws, kind="council", municipality_number=municipality
    )
    councils = sorted(
        (
            networks_service.get_body(session, ws, body_id)
            for body_id in {m.body_id for m in member_of}
        ),
        key=lambda b: b.name,
    )
    assert councils, f"municipality {municipality} is in no council in the demo"
    return next((b for b in councils if b.name.startswith("Fosen")), councils[0]).id


def load(session: Session, ws: Workspace) -> None:
    set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    first_mail = session.scalar(select(func.max(OutboxMessage.id))) or 0
    users = {u.email: u for u in session.scalars(select(User))}
    coordinator = _principal(session, ws, users["koordinator@trondelag.demo"])
    actors = {
        key: _principal(session, ws, users[email])
        for key, email in (
            ("sf", "radgiver@statsforvalteren.demo"),
            ("ks", "radgiver@ks.demo"),
            ("osen", "kommunedirektor@osen.demo"),
        )
    }
    osen = actors["osen"].municipality_number or "5020"

    on = today()
    created = on - timedelta(days=150)
    v1_day = _weekday(on - timedelta(days=122))
    starts = _weekday(on - timedelta(days=106))
    ends = starts + timedelta(days=30)
    answered = _weekday(ends + timedelta(days=10))
    answers_out = _weekday(ends + timedelta(days=14))
    v2_day = _weekday(on - timedelta(days=45))
    adopted = _weekday(on - timedelta(days=30))

    # --- the draft and version 1 ---------------------------------------------------------
    doc = service.create_document(
        session,
        ws,
        coordinator,
        DocumentForm(title=TITLE, kind="innovation_strategy", summary=SUMMARY),
    )
    doc.is_demo = True
    sections = [
        service.add_section(
            session, ws, coordinator, doc.id, SectionCreate(heading=heading, body=body)
        )
        for heading, body in SECTIONS
    ]
    v1 = service.publish(session, ws, coordinator, doc.id, PublishForm(note="Høringsutkast."))
    v1.published_at = _at(v1_day, 14)

    # --- the round: created ahead of its start, so that adding the invitees sends nothing;
    # then opened today, so that the services take the comments --------------------------
    r = rounds.create_round(
        session,
        ws,
        coordinator,
        doc.id,
        RoundCreate(
            version=v1.number,
            title=f"Høring: {TITLE}",
            cover_text=COVER,
            starts_on=on + timedelta(days=1),
            ends_on=on + timedelta(days=30),
        ),
    )

    def invite(**fields: object) -> Invitee:
        return invitees.add_invitee(session, ws, r.id, InviteeCreate.model_validate(fields))

    invited: dict[str, Invitee] = {}
    for key in ("sf", "ks"):
        invited[key] = invite(kind="organisation", organisation_id=actors[key].organisation_id)
    # the municipality before the council: Osen speaks for itself, not through the council
    invited["osen"] = invite(kind="municipality", municipality_number=osen)
    invited["council"] = invite(kind="body", body_id=_council_of(session, ws, osen))
    invited["guest"] = invite(kind="guest", guest_name=GUEST_NAME, guest_email=GUEST_EMAIL)
    actors["guest"] = principals.guest(
        invited["guest"].id, "Forsker ved instituttet (demo)", GUEST_EMAIL
    )
    r.starts_on = on
    session.flush()

    # --- comments, amendments, a thread and the formal responses ---------------------------
    made: list[tuple[Comment, ConsultationComment]] = []
    for c in COMMENTS:
        key = sections[c.section].key
        if c.proposed:
            amendment = AmendmentCreate(
                section_key=key,
                proposed_text=c.proposed,
                reason=c.body,
                base=text.fingerprint(sections[c.section].body),
            )
            row = comments.add_amendment(session, ws, actors[c.who], r.id, amendment)
        else:
            comment = CommentCreate(section_key=key, body=c.body, quote=c.quote)
            row = comments.add_comment(session, ws, actors[c.who], r.id, comment)
        row.created_at = _at(starts + timedelta(days=c.day), c.hour, 12)
        made.append((c, row))
    quoted = next(row for c, row in made if c.quote)
    for actor, (day, hour, body) in (
        (coordinator, REPLY_COORDINATOR),
        (actors["osen"], REPLY_OSEN),
    ):
        reply = comments.add_comment(
            session,
            ws,
            actor,
            r.id,
            CommentCreate(section_key=quoted.section_key, body=body, parent_id=quoted.id),
        )
        reply.created_at = _at(starts + timedelta(days=day), hour, 40)
    for key, body, day in (("sf", RESPONSE_SF, 27), ("ks", RESPONSE_KS, 29)):
        draft = ResponseForm(body=body, revision=0)
        responses.save_response(session, ws, actors[key], r.id, invited[key].id, draft)
        response = responses.submit_response(session, ws, actors[key], r.id, invited[key].id)
        response.updated_at = _at(starts + timedelta(days=day), 11)
        response.submitted_at = _at(starts + timedelta(days=day), 15)

    # --- the round closed months ago -----------------------------------------------------
    r.starts_on, r.ends_on = starts, ends
    for inv in invited.values():
        inv.invited_at = _at(starts, 9)
    session.flush()

    # --- the coordinator's answers, the accepted amendment written into the draft ----------
    for n, (c, row) in enumerate(made):
        verdict = AnswerForm(answer=c.answer, reason=c.reason)
        result = answers.answer(session, ws, coordinator, r.id, row.id, verdict)
        at = _at(answered, 9, 5 * n)
        row.answered_at = at
        if result.applied and result.draft_section is not None:
            row.applied_at = at
            result.draft_section.updated_at = at
    answers.publish_answers(session, ws, coordinator, r.id)
    r.answers_published_at = _at(answers_out, 12)

    # --- version 2, adopted by the county council -------------------------------------------
    intro = sections[0]
    service.save_section(
        session,
        ws,
        coordinator,
        doc.id,
        intro.id,
        SectionUpdate(
            heading=intro.heading, body=intro.body + INTRO_AFTER_ROUND, revision=intro.revision
        ),
    )
    intro.updated_at = _at(answers_out, 14)
    v2 = service.publish(
        session,
        ws,
        coordinator,
        doc.id,
        PublishForm(
            note="Etter høringen: endringsforslaget fra KS om ansvaret for gevinstrealisering "
            "er tatt inn."
        ),
    )
    v2.published_at = _at(v2_day, 10)
    adoption = AdoptionForm(
        adopted_by=ADOPTED_BY, adopted_on=adopted, case_number=f"{adopted.year % 100:02d}/04817"
    )
    service.adopt(session, ws, doc.id, v2.number, adoption)

    # --- the action plan: measures on the strategy itself --------------------------------
    plan_made = _at(adopted + timedelta(days=1), 13)
    for dm in MEASURES:
        measure = measures.add(
            session,
            ws,
            doc.id,
            MeasureForm(
                title=dm.title,
                owner=dm.owner,
                partners=dm.partners,
                description=dm.description,
                deadline=on + timedelta(days=dm.days),
                status=dm.status,
                section_key=sections[dm.section].key,
            ),
        )
        measure.created_at = measure.updated_at = plan_made

    # --- the dates the rows were made on --------------------------------------------------
    for s in sections[1:]:
        if s.revision == 1:
            s.updated_at = _at(v1_day - timedelta(days=6), 15)
    doc.created_at = _at(created, 9)
    doc.updated_at = _at(v2_day, 10)
    r.created_at = _at(starts - timedelta(days=4), 10)
    r.updated_at = r.answers_published_at
    session.flush()

    _open_round(
        session,
        ws,
        coordinator,
        [actors["sf"], actors["ks"]],
        municipality=osen,
        drafted_by=actors["ks"],
    )

    # Nobody is told now of what happened months ago: the invitations, comment notices and
    # answers the services queued on the way are removed.
    session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.id > first_mail, OutboxMessage.workspace_id == ws.id
        )
    )
    for notice in session.scalars(scoped(StrategyNotice, ws.id)):
        session.delete(notice)
    session.flush()


def _open_round(
    session: Session,
    ws: Workspace,
    coordinator: Principal,
    organisations: Sequence[Principal],
    municipality: str | None = None,
    drafted_by: Principal | None = None,
) -> None:
    """A round open now and closing in twelve days, for the start pages: the partners'
    organisations (and a municipality in its own right) invited; ``drafted_by``'s organisation
    has a draft of its formal response, the others have not begun."""
    on = today()
    doc = service.create_document(
        session, ws, coordinator, DocumentForm(title=OPEN_TITLE, kind="action_plan")
    )
    doc.is_demo = True
    for heading, body in OPEN_SECTIONS:
        service.add_section(
            session, ws, coordinator, doc.id, SectionCreate(heading=heading, body=body)
        )
    v1 = service.publish(session, ws, coordinator, doc.id, PublishForm(note="Høringsutkast."))
    r = rounds.create_round(
        session,
        ws,
        coordinator,
        doc.id,
        RoundCreate(
            version=v1.number,
            title=f"Høring: {OPEN_TITLE}",
            starts_on=on + timedelta(days=1),  # ahead of its start: adding invitees sends nothing
            ends_on=on + timedelta(days=12),
        ),
    )
    fields: list[dict[str, object]] = [
        {"kind": "organisation", "organisation_id": p.organisation_id} for p in organisations
    ]
    if municipality is not None:
        fields.append({"kind": "municipality", "municipality_number": municipality})
    invited = [
        invitees.add_invitee(session, ws, r.id, InviteeCreate.model_validate(f)) for f in fields
    ]
    r.starts_on = on - timedelta(days=4)
    for inv in invited:
        inv.invited_at = _at(r.starts_on, 9)
    session.flush()
    if drafted_by is not None:
        inv = next(i for i in invited if i.organisation_id == drafted_by.organisation_id)
        draft = ResponseForm(body=KS_DRAFT, revision=0)
        responses.save_response(session, ws, drafted_by, r.id, inv.id, draft)
        session.flush()


def load_elsewhere(session: Session, ws: Workspace) -> None:
    """Another county's open round KS is invited to: KS sees both counties on its start page."""
    set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    users = {u.email: u for u in session.scalars(select(User))}
    coordinator = _principal(session, ws, users["koordinator@vestland.demo"])
    ks = _principal(session, ws, users["radgiver@ks.demo"])
    _open_round(session, ws, coordinator, [ks])
