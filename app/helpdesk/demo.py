"""Hjelpekorps in the demo: requests from Trøndelag municipalities in every state, with replies,
an internal note, a resolved one with a rating, and a helper with competences."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.counties.models import Workspace
from app.helpdesk import service
from app.helpdesk.models import HelperProfile
from app.helpdesk.schemas import ReplyForm, RequestForm, TriageForm
from app.tenancy import set_db_scope

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
        "5049",
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
    staff = service.Viewer(coordinator.id, None, True, True, True, True)
    for number, category, title, description, final in REQUESTS:
        filer = service.Viewer(
            municipal.id if number == "5020" else coordinator.id,
            "5020" if number == "5020" else None,
            number != "5020",
            False,
            False,
            False,
        )
        req = service.file_request(
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
        for state in PATHS[final]:
            if state == "assigned":
                service.triage(
                    session,
                    ws,
                    staff,
                    req.number,
                    TriageForm(category=category, priority="normal", assignees=[helper.id]),
                )
            elif state == "triaged":
                service.triage(
                    session, ws, staff, req.number, TriageForm(category=category, priority="normal")
                )
            else:
                if state == "in_progress":
                    service.reply(
                        session,
                        ws,
                        staff,
                        req.number,
                        ReplyForm(body="Takk, vi har satt av tid og tar kontakt denne uka. (demo)"),
                    )
                service.transition(session, ws, staff, req.number, state)
        if number == "5020" and final == "in_progress":
            service.reply(
                session,
                ws,
                staff,
                req.number,
                ReplyForm(
                    body="Sjekk om Fosen-kommunene vil være med. (internt, demo)", internal=True
                ),
            )
        if final in ("resolved", "closed") and number == "5020":
            osen = service.Viewer(municipal.id, "5020", False, False, False, False)
            service.rate(session, ws, osen, req.number, 5, "Veldig nyttig hjelp! (demo)")
