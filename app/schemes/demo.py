"""Schemes in the demo: calls of the national schemes for 2026–2027, a few county schemes, a
note from the county, and participation 2019–2026 for Trøndelag's and Vestland's
municipalities shaped as the report found it: the small municipalities take part less, and
more often as partners than as lead applicants. Demo content says so."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import time, timedelta

from sqlalchemy.orm import Session

from app.clock import at, today
from app.counties import service as counties_service
from app.counties.models import Workspace
from app.networks import service as networks_service
from app.schemes import service, tally
from app.schemes.models import Participation, ParticipationMember, Scheme, SchemeCall
from app.schemes.schemas import NoteForm, SchemeForm
from app.tenancy import scoped_national, set_db_scope

DEMO = " (demo)"
YEARS = range(2019, 2027)
# (scheme key, days from today to the deadline of the next call, budget in kroner)
NEXT_CALLS = {
    "digifin": (12, 30_000_000),
    "prosjektskjonnsmidler": (26, 8_000_000),
    "klimasats": (48, 150_000_000),
    "regionale-forskningsfond": (75, 20_000_000),
    "forkommune": (110, 40_000_000),
    "nasjonalt-velferdsteknologiprogram": (140, None),
    "leverandorutviklingsprogrammet": (200, None),
}
COUNTY_SCHEMES = {
    "trondelag": [
        SchemeForm(
            name="Kommunale omstillingsmidler" + DEMO,
            owner="Trøndelag fylkeskommune",
            level="regional",
            purpose="Støtte til kommuner som vil prøve nye måter å levere tjenester på (demo).",
            eligible="Kommuner i Trøndelag, alene eller sammen gjennom regionrådet.",
            co_funding="Minst 25 prosent egeninnsats (demo).",
            areas=["innovation", "business"],
            reminder_days=[30, 10],
        ),
        SchemeForm(
            name="Digitaliseringsmidler for distriktskommuner" + DEMO,
            owner="Trøndelag fylkeskommune",
            level="regional",
            purpose="Hjelp til små kommuner som vil ta i bruk løsninger andre kommuner har laget.",
            eligible="Kommuner under 5 000 innbyggere i Trøndelag.",
            areas=["digitalisation"],
        ),
    ],
    "vestland": [
        SchemeForm(
            name="Regionale utviklingsmidler til kommunane" + DEMO,
            owner="Vestland fylkeskommune",
            level="regional",
            purpose="Utviklingsprosjekt i kommunane, særleg i distrikta (demo).",
            eligible="Kommunar i Vestland.",
            areas=["innovation", "climate", "digitalisation"],
        )
    ],
}
TOPICS = (
    "Digital innbyggerdialog",
    "Velferdsteknologi i hjemmetjenesten",
    "Felles saksbehandling for byggesak",
    "Klimavennlige innkjøp",
    "Smart vann og avløp",
    "Digital skolehverdag",
    "Gevinstrealisering i helse",
    "Felles IKT-drift",
    "Tjenestedesign for unge voksne",
    "Energieffektive kommunale bygg",
)
STATUS_PAST = ("granted", "granted", "completed", "rejected", "withdrawn")
STATUS_NOW = ("idea", "applying", "applying", "granted")


def load(session: Session, workspaces: Mapping[str, Workspace]) -> None:
    national = {s.key: s for s in session.scalars(scoped_national(Scheme))}
    for slug in ("trondelag", "vestland"):
        ws = workspaces[slug]
        set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
        own = [service.create_scheme(session, ws, form) for form in COUNTY_SCHEMES[slug]]
        _calls(session, ws, national, own)
        if slug == "trondelag" and "digifin" in national:
            service.save_note(
                session,
                ws,
                national["digifin"].id,
                NoteForm(
                    contact_name="Dag Digital, Trøndelag fylkeskommune (demo)",
                    contact_email="digifin@trondelag.demo",
                    advice=(
                        "Søk gjerne sammen gjennom DigiTrøndelag. Hjelpekorpset leser utkast "
                        "til søknad hvis dere sender det minst to uker før fristen (demo)."
                    ),
                ),
            )
        _participation(session, ws, [*national.values(), *own], seed=sum(map(ord, slug)))
    session.flush()


def _calls(
    session: Session, ws: Workspace, national: Mapping[str | None, Scheme], own: list[Scheme]
) -> None:
    on = today()
    for key, (days, budget) in NEXT_CALLS.items():
        scheme = national.get(key)
        if scheme is None:
            continue
        deadline = on + timedelta(days=days)
        # The call before this one (a year earlier, closed) and the next one.
        for day, opens in (
            (deadline - timedelta(days=365), deadline - timedelta(days=365 + 90)),
            (deadline, deadline - timedelta(days=90)),
        ):
            session.add(
                SchemeCall(
                    workspace_id=ws.id,
                    scheme_id=scheme.id,
                    title=f"Utlysning {day.year}{DEMO}",
                    opens_on=opens,
                    deadline=at(day, time(13, 0)),
                    budget=budget,
                    url=scheme.url,
                    description="Datoene er eksempler i demoen, ikke ordningens egne.",
                )
            )
    for i, scheme in enumerate(own):
        day = on + timedelta(days=20 + 40 * i)
        session.add(
            SchemeCall(
                workspace_id=ws.id,
                scheme_id=scheme.id,
                title=f"Utlysning {day.year}{DEMO}",
                opens_on=day - timedelta(days=60),
                deadline=at(day, time(12, 0)),
                budget=2_000_000 + 1_000_000 * i,
            )
        )
    session.flush()


def _participation(session: Session, ws: Workspace, schemes: list[Scheme], seed: int) -> None:
    """Applications year by year: a large municipality leads more often and its partners are
    often small ones; a small municipality seldom applies on its own."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not a secret
    municipalities = counties_service.municipalities_of_county(session, ws.county_number)
    small = [m for m in municipalities if m.population < 3000]
    councils = [
        n.body
        for n in networks_service.flatten(networks_service.body_tree(session, ws))
        if n.body.kind in ("council", "network")
    ]
    this_year = today().year
    for year in YEARS:
        for m in municipalities:
            chance = 0.06 if m.population < 3000 else 0.3 if m.population < 10_000 else 0.7
            for _round in range(2 if m.population >= 20_000 else 1):
                if rng.random() > chance:
                    continue
                scheme = rng.choice(schemes)
                partners: list[str] = []
                if m.population >= 3000 and small and rng.random() < 0.2:
                    partners = sorted({p.number for p in rng.sample(small, rng.randint(1, 2))})
                status = rng.choice(STATUS_NOW if year == this_year else STATUS_PAST)
                applied = rng.randrange(150_000, 3_000_000, 50_000)
                granted = (
                    int(applied * rng.choice((0.5, 0.75, 1.0)))
                    if status in ("granted", "completed")
                    else None
                )
                record = Participation(
                    workspace_id=ws.id,
                    scheme_id=scheme.id,
                    year=year,
                    title=f"{rng.choice(TOPICS)}, {m.name} {year}{DEMO}",
                    status=status,
                    amount_applied=applied,
                    amount_granted=granted,
                    body_id=rng.choice(councils).id if partners and councils else None,
                )
                record.members = [
                    ParticipationMember(
                        workspace_id=ws.id, municipality_number=m.number, role="lead"
                    ),
                    *(
                        ParticipationMember(
                            workspace_id=ws.id, municipality_number=n, role="partner"
                        )
                        for n in partners
                        if n != m.number
                    ),
                ]
                session.add(record)
    session.flush()
    tally.refresh(session, ws)


__all__ = ["load"]
