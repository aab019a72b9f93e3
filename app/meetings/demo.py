"""Meetings in the demo: a year of meetings (nine months back, three ahead) of Namdal
regionråd, DigiTrøndelag's working committee and Kongsbergregionen's chief executives'
committee, with standing items (filled from the demo's schemes, innovations and help
requests), agendas, minutes (approved up to the last one held), decisions (some overdue),
attendance where two small municipalities of Namdal are often absent, and a fortnightly webinar
series of DigiTrøndelag with recordings. All marked as demo."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.permissions import actions_for
from app.accounts.principal import Principal
from app.clock import at, today
from app.counties.models import Municipality, Workspace
from app.meetings import agenda, series, service
from app.meetings.models import STANDING, Attendance, Decision, Meeting, StandingItem
from app.meetings.schemas import AgendaItemForm, Link, MeetingForm, MinutesForm, SeriesForm
from app.networks import service as networks_service
from app.tenancy import set_db_scope

NOTE = "Demo: oppdiktet møte."
# (body name, workspace, title, kind, weeks between, hour, place)
SERIES = (
    ("Namdal regionråd", "trondelag", "Rådsmøte", "meeting", 5, 10, "Namsos rådhus"),
    ("DigiTrøndelag arbeidsutvalg", "trondelag", "Arbeidsutvalgsmøte", "meeting", 6, 9, ""),
    (
        "Kongsbergregionen rådmannsutvalget",
        "buskerud",
        "Rådmannsutvalget",
        "meeting",
        4,
        9,
        "Kongsberg rådhus",
    ),
)
ITEMS = (
    ("Godkjenning av innkalling og saksliste", "Sekretariatet", 5, ""),
    ("Godkjenning av referat fra forrige møte", "Sekretariatet", 5, ""),
    ("Nye frister for søknader om skjønnsmidler og DigiFin", "Koordinator", 20, ""),
    ("Innovasjoner å spre: velferdsteknologi i hjemmetjenesten", "Prosjektleder", 30, ""),
    ("Saker til hjelpekorpset", "Koordinator", 15, ""),
    ("Eventuelt", "Leder", 10, ""),
)
DECISIONS = (
    "Kommunene melder inn kontaktperson for felles anskaffelse innen fristen.",
    "Sekretariatet lager et forslag til felles søknad om DigiFin-midler.",
    "Arbeidsutvalget legger fram en plan for spredning av digitalt tilsyn.",
)
ABSENT_OFTEN = 2  # the smallest municipalities of the body, absent at two meetings of three


def _scope(session: Session, ws: Workspace) -> None:
    set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)


def _staff() -> Principal:
    return Principal(user_id=None, name="Demo", email=None, actions=actions_for("coordinator"))


def _meeting(
    session: Session,
    ws: Workspace,
    body_id: int | None,
    title: str,
    kind: str,
    day: date,
    hour: int,
    place: str,
    video: str = "",
) -> Meeting:
    form = MeetingForm(
        title=title,
        body_id=body_id,
        kind=kind,
        day=day,
        start=time(hour, 0),
        end=time(hour + (1 if kind == "webinar" else 3), 0),
        place=place,
        video_url=video,
        description=NOTE,
    )
    return service.create_meeting(session, ws, _staff(), form)


def load(session: Session, workspaces: Mapping[str, Workspace]) -> None:
    now = today()
    for body_name, slug, title, kind, weeks, hour, place in SERIES:
        ws = workspaces.get(slug)
        if ws is None:
            continue
        _scope(session, ws)
        bodies = {b.name: b for b in session.scalars(networks_service.visible_bodies(ws))}
        body = bodies.get(body_name)
        if body is None:
            continue
        for standing in STANDING:
            session.add(StandingItem(workspace_id=ws.id, body_id=body.id, kind=standing))
        people = [m.user_id for m in accounts_service.list_members(session, ws.id)]
        day = now - timedelta(weeks=39)
        held: list[Meeting] = []
        n = 0
        while day <= now + timedelta(weeks=13):
            n += 1
            meeting = _meeting(
                session,
                ws,
                body.id,
                f"{title} {day.strftime('%d.%m.%Y')}",
                kind,
                day,
                hour,
                place,
                "" if place else "https://video.example.no/demo",
            )
            items = [
                agenda.add_item(
                    session,
                    ws,
                    _staff(),
                    meeting.id,
                    AgendaItemForm(
                        title=t,
                        responsible=r,
                        minutes_allotted=m,
                        papers=[Link(title="Saksframlegg", url="https://example.no/demo/sak")]
                        if i == 2
                        else [],
                    ),
                )
                for i, (t, r, m, _p) in enumerate(ITEMS)
            ]
            if day < now:
                held.append(meeting)
                for item in items[2:5]:
                    agenda.set_minutes(
                        session,
                        ws,
                        _staff(),
                        meeting.id,
                        item.id,
                        MinutesForm(minutes=f"**Drøftet.** {NOTE} Saken følges opp i neste møte."),
                    )
                if people:
                    text = DECISIONS[n % len(DECISIONS)]
                    due = day + timedelta(weeks=weeks)
                    decision = Decision(
                        workspace_id=ws.id,
                        meeting_id=meeting.id,
                        agenda_item_id=items[2].id,
                        text=text,
                        responsible_id=people[n % len(people)],
                        due_on=due,
                    )
                    # the older ones are done; a few recent ones are overdue
                    if due < now - timedelta(weeks=8):
                        decision.done_at = at(due)
                    session.add(decision)
                _attendance(session, ws, meeting, n)
            day += timedelta(weeks=weeks)
        # the minutes of each meeting held are approved at the next one held
        for meeting in held[:-1]:
            meeting.minutes_approved_at = meeting.ends_at + timedelta(weeks=weeks)
        session.flush()
    _webinars(session, workspaces, now)
    set_db_scope(session, workspace_id=None, user_id=None)


def _attendance(session: Session, ws: Workspace, meeting: Meeting, n: int) -> None:
    """Everyone present but the smallest municipalities, absent at two meetings of three; one
    municipality sends a deputy now and then."""
    rows = agenda.attendance_of(session, meeting)
    if not rows:
        return
    populations = _populations(session, [r.municipality_number for r in rows])
    smallest = sorted(rows, key=lambda r: populations.get(r.municipality_number, 0))
    often_absent = {r.municipality_number for r in smallest[:ABSENT_OFTEN]}
    for i, r in enumerate(rows):
        status = "present"
        by = ""
        if r.municipality_number in often_absent and n % 3 != 0:
            status = "absent"
        elif i == len(rows) - 1 and n % 4 == 0:
            status, by = "represented", "Varaordfører (demo)"
        session.add(
            Attendance(
                workspace_id=ws.id,
                meeting_id=meeting.id,
                municipality_number=r.municipality_number,
                status=status,
                represented_by=by,
            )
        )


def _populations(session: Session, numbers: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(Municipality.number, Municipality.population).where(Municipality.number.in_(numbers))
    ).all()
    return {number: population for number, population in rows}


def _webinars(session: Session, workspaces: Mapping[str, Workspace], now: date) -> None:
    """DigiTrøndelag's fortnightly webinar, with a recording and slides for each one held."""
    ws = workspaces.get("trondelag")
    if ws is None:
        return
    _scope(session, ws)
    bodies = {b.name: b for b in session.scalars(networks_service.visible_bodies(ws))}
    digi = bodies.get("DigiTrøndelag")
    if digi is None:
        return
    day = now - timedelta(weeks=26)
    n = 0
    webinars = series.create_series(
        session,
        ws,
        _staff(),
        SeriesForm(
            title="Digitaliseringswebinar",
            theme="Erfaringer fra kommunene med digitalisering",
            cadence_days=14,
            body_id=digi.id,
            organiser="DigiTrøndelag",
        ),
    )
    while day <= now + timedelta(weeks=6):
        n += 1
        meeting = _meeting(
            session,
            ws,
            digi.id,
            f"Digitaliseringswebinar {n}: erfaringer fra kommunene",
            "webinar",
            day,
            14,
            "",
            "https://video.example.no/digitrondelag",
        )
        meeting.series_id = webinars.id
        meeting.slides_url = f"https://example.no/demo/webinar-{n}.pdf"
        papers = [Link(title="Lysark", url=meeting.slides_url)]
        if day < now:
            meeting.recording_url = f"https://video.example.no/opptak/{n}"
            papers.append(Link(title="Opptak", url=meeting.recording_url))
        agenda.add_item(
            session,
            ws,
            _staff(),
            meeting.id,
            AgendaItemForm(title="Innlegg og spørsmål", responsible="DigiTrøndelag", papers=papers),
        )
        day += timedelta(weeks=2)
    session.flush()
