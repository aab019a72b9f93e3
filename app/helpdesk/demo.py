"""Hjelpekorps in the demo: requests from Trøndelag municipalities in every state, with replies,
an internal note, an attachment, a plan with steps, time spent, a link between two requests,
visits (one this week and one ahead with helpers, one past with a report), a resolved one with
a rating, a question waiting for Osen's answer, and a helper with competences."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts import principal as principals
from app.accounts import service as accounts_service
from app.accounts.models import User
from app.accounts.principal import Principal
from app.clock import OSLO
from app.counties.models import Workspace
from app.helpdesk import attachments, lifecycle
from app.helpdesk.due import refresh_due, working_minutes
from app.helpdesk.models import (
    HelperProfile,
    HelpRequest,
    RequestEvent,
    RequestMessage,
    Visit,
    VisitHelper,
)
from app.helpdesk.schemas import RatingForm, ReplyForm, RequestForm, TriageForm
from app.helpdesk.triage import triage
from app.helpdesk.visits import service as visits
from app.helpdesk.visits.schemas import VisitForm
from app.helpdesk.work import service as work
from app.helpdesk.work.schemas import LinkForm, StepForm, TimeForm
from app.tenancy import scoped, set_db_scope

REQUESTS = [
    # (municipality, category, title, description, final state)
    (
        "5020",
        "funding",
        "Søknad til Forkommune om velferdsteknologi (demo)",
        "Vi vil søke Forkommune sammen med nabokommunene, men har ingen som har skrevet en slik "
        "søknad før. Kan noen hjelpe oss med budsjett og samarbeidsavtale?",
        "in_progress",
    ),
    (
        "5020",
        "digitalisation",
        "Innføring av digital postkasse (demo)",
        "Hvordan har andre små kommuner tatt i bruk digital post til innbyggerne?",
        "resolved",
    ),
    (
        "5043",
        "reuse",
        "Ta i bruk Namsos' løsning for timebestilling (demo)",
        "Vi har sett løsningen i Namsos og vil gjerne bruke den samme.",
        "new",
    ),
    (
        "5044",
        "benefits",
        "Gevinstrealisering etter nytt fagsystem (demo)",
        "Vi trenger en gevinstplan for det nye fagsystemet i helse og omsorg.",
        "triaged",
    ),
    (
        "5020",  # Osen: a question from the help corps waits for the municipality's answer
        "climate",
        "Klimabudsjett for første gang (demo)",
        "Kommunestyret har vedtatt klimabudsjett. Hvor begynner vi?",
        "waiting_for_municipality",
    ),
    (
        "5033",
        "procurement",
        "Felles innkjøp av trygghetsalarmer (demo)",
        "Kan vi bli med på en felles anskaffelse?",
        "closed",
    ),
]
QUESTION = (
    "Hvilke sektorer skal være med i det første klimabudsjettet? Send oss gjerne "
    "saksframlegget, så setter vi opp et forslag. (demo)"
)
PATHS = {
    "new": [],
    "triaged": ["triaged"],
    "in_progress": ["triaged", "assigned", "in_progress"],
    "waiting_for_municipality": ["triaged", "assigned", "in_progress", "waiting_for_municipality"],
    "resolved": ["triaged", "assigned", "in_progress", "resolved"],
    "closed": ["triaged", "assigned", "in_progress", "resolved", "closed"],
}


def load(session: Session, ws: Workspace) -> None:
    set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    users = {u.email: u for u in session.scalars(select(User))}
    coordinator = users["koordinator@trondelag.demo"]
    helper = users["hjelper@trondelag.demo"]
    municipal = users["kommunedirektor@osen.demo"]
    session.add(
        HelperProfile(
            workspace_id=ws.id,
            user_id=helper.id,
            competences=["funding", "digitalisation", "benefits"],
            home_municipality_number="5054",
            organisation="Trøndelag fylkeskommune (demo)",
        )
    )
    session.flush()
    staff = _acting(session, ws, coordinator)
    osen = _acting(session, ws, municipal)  # Osen's municipal user
    long_running = None
    filed: list[HelpRequest] = []
    for number, category, title, description, final in REQUESTS:
        filer = osen if number == osen.municipality_number else staff
        req = lifecycle.file_request(
            session,
            ws,
            filer,
            RequestForm(
                category=category,
                title=title,
                description=description,
                municipality_number=number,
                on_site=number == "5043",
            ),
        )
        filed.append(req)
        for state in PATHS[final]:
            if state == "assigned":
                triage(
                    session,
                    ws,
                    staff,
                    req.number,
                    TriageForm(category=category, priority="normal", assignees=[helper.id]),
                )
            elif state == "triaged":
                triage(
                    session, ws, staff, req.number, TriageForm(category=category, priority="normal")
                )
            else:
                if state == "in_progress":
                    lifecycle.reply(
                        session,
                        ws,
                        staff,
                        req.number,
                        ReplyForm(body="Takk, vi har satt av tid og tar kontakt denne uka. (demo)"),
                    )
                closing = "Vi har gått gjennom søknaden sammen. Si fra om noe gjenstår. (demo)"
                message = {"resolved": closing, "waiting_for_municipality": QUESTION}.get(state, "")
                lifecycle.transition(session, ws, staff, req.number, state, message)
        if number == "5020" and final == "in_progress":
            lifecycle.reply(
                session,
                ws,
                staff,
                req.number,
                ReplyForm(
                    body="Sjekk om Fosen-kommunene vil være med. (internt, demo)", internal=True
                ),
            )
            long_running = req
        if final in ("resolved", "closed") and number == "5020":
            lifecycle.rate(
                session,
                ws,
                osen,
                req.number,
                RatingForm(rating=5, comment="Veldig nyttig hjelp! (demo)"),
            )
            _past_visit(session, ws, helper, req)
    _spread_in_time(session, ws, filed)
    if long_running is not None:
        _work_on(session, ws, staff, helper, long_running)


def _acting(session: Session, ws: Workspace, user: User) -> Principal:
    """A demo user acting in their role in the workspace."""
    m = accounts_service.get_membership(session, ws.id, user.id)
    assert m is not None  # the demo's accounts are loaded first
    return principals.for_member(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role=m.role,
        municipality_number=m.municipality_number,
        organisation_id=m.organisation_id,
        extra_roles=m.extras,
    )


# Days ago each demo request was filed, and working hours to its first answer.
AGES = [(24, 3), (40, 6), (2, 0), (5, 0), (12, 10), (60, 2)]


def _spread_in_time(session: Session, ws: Workspace, requests: list[HelpRequest]) -> None:
    """Everything above happened this second; move each request and its history back to when
    it could have happened, so that due times, the figures and the history read true."""
    now = clock.now()
    for req, (days, hours) in zip(requests, AGES, strict=False):
        filed = (now - timedelta(days=days)).replace(hour=9, minute=15, second=0, microsecond=0)
        while filed.weekday() >= 5:
            filed -= timedelta(days=1)
        filed = filed.astimezone(UTC)  # stored in UTC: SQLite keeps no offset
        shift = filed - req.created_at
        later = shift + timedelta(hours=hours or 1)  # the work after filing, from the answer on
        req.created_at = filed
        for event in session.scalars(
            scoped(RequestEvent, ws.id).where(RequestEvent.request_id == req.id)
        ):
            event.at = event.at + (shift if event.kind == "filed" else later)
        for message in session.scalars(
            scoped(RequestMessage, ws.id).where(RequestMessage.request_id == req.id)
        ):
            message.created_at = message.created_at + later
        if req.first_response_at is not None:
            req.first_response_at = filed + timedelta(hours=hours or 1)
            req.first_response_minutes = working_minutes(ws, filed, req.first_response_at)
        if req.resolved_at is not None:
            req.resolved_at = filed + timedelta(days=min(days - 1, 9))
            req.resolution_minutes = working_minutes(ws, filed, req.resolved_at)
        if req.closed_at is not None:
            req.closed_at = filed + timedelta(days=min(days - 1, 14))
    session.flush()
    refresh_due(session, ws, requests)


BUDGET = (
    "Budsjettmal for søknad til Forkommune (demo)\n"
    "\n"
    "Prosjektledelse 20 %\t180 000\n"
    "Opplæring av ansatte\t60 000\n"
    "Velferdsteknologi, innkjøp\t240 000\n"
)


def _work_on(
    session: Session, ws: Workspace, staff: Principal, helper: User, req: HelpRequest
) -> None:
    """Help that runs for weeks: a plan, time spent, a file, a link and a visit ahead."""
    today = clock.today()
    as_helper = _acting(session, ws, helper)
    # The demo's one small file, written in its set-up transaction (a command, not a request).
    upload = attachments.write([attachments.Upload("Budsjettmal.txt", "txt", BUDGET.encode())])
    lifecycle.reply(
        session,
        ws,
        staff,
        req.number,
        ReplyForm(body="Her er en budsjettmal dere kan ta utgangspunkt i. (demo)"),
        upload,
    )
    plan = [
        ("Avklare hvilke nabokommuner som blir med", today - timedelta(days=7), True),
        ("Skrive utkast til søknad og budsjett", today + timedelta(days=14), False),
        ("Behandling i formannskapet", today + timedelta(days=30), False),
    ]
    for title, due, done in plan:
        step = work.add_step(session, ws, staff, req.number, StepForm(step_title=title, due_on=due))
        if done:
            work.set_step_done(session, ws, staff, req.number, step.id, True)
    for days_ago, hours, note in ((6, "1,5", "Møte med Osen (demo)"), (2, "2", "Budsjett")):
        work.log_time(
            session,
            ws,
            as_helper,
            req.number,
            TimeForm(worked_on=today - timedelta(days=days_ago), hours=hours, note=note),
        )
    work.link(session, ws, staff, req.number, LinkForm(other="4"))
    _visit_this_week(session, ws, helper, req)
    day = today + timedelta(days=7)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    visits.plan_visit(
        session,
        ws,
        staff,
        req.number,
        VisitForm(
            day=day,
            start=time(10, 0),
            end=time(12, 0),
            place="Osen rådhus",
            helpers=[helper.id],
        ),
    )


def _visit_this_week(session: Session, ws: Workspace, helper: User, req: HelpRequest) -> None:
    """A short meeting this week, tomorrow (today from Friday on), for the helper's start page:
    added as it stands, since planning refuses a time that may already have passed today."""
    today = clock.today()
    day = today + timedelta(days=1) if today.weekday() < 4 else today
    starts = datetime.combine(day, time(13, 0), OSLO).astimezone(UTC)
    session.add(
        Visit(
            workspace_id=ws.id,
            request_id=req.id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            place="Osen rådhus, formannskapssalen",
            helpers=[VisitHelper(workspace_id=ws.id, user_id=helper.id)],
        )
    )
    session.flush()


def _past_visit(session: Session, ws: Workspace, helper: User, req: HelpRequest) -> None:
    """A visit that took place, with its report (planning refuses the past, so it is added
    as it would stand after the day)."""
    day = clock.today() - timedelta(days=35)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    session.add(
        Visit(
            workspace_id=ws.id,
            request_id=req.id,
            starts_at=datetime.combine(day, time(9, 0), OSLO).astimezone(UTC),
            ends_at=datetime.combine(day, time(11, 30), OSLO).astimezone(UTC),
            place="Osen rådhus",
            report="Gikk gjennom digital postkasse med servicetorget. Oppsett ferdig. (demo)",
            helpers=[VisitHelper(workspace_id=ws.id, user_id=helper.id)],
        )
    )
    session.flush()
