"""Networks in the demo: Trøndelag's seven regions and DigiTrøndelag, Kongsbergregionen across
Buskerud and Telemark, DigiVestland, and demo contact persons. Demo content says so."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.counties import service as counties_service
from app.counties.models import Workspace
from app.networks import contacts, service
from app.networks.demo_data import (
    DEMO_CONTACTS,
    DIGIVESTLAND,
    KONGSBERGREGIONEN,
    TRONDELAG_REGIONS,
)
from app.networks.models import Body, Person
from app.networks.schemas import BodyForm, MembershipForm, PersonForm
from app.tenancy import set_db_scope

DEMO_NOTE = "Demodata: oppføringen er laget for å vise Samspill, og stemmer ikke nødvendigvis."

REGION_NAMES = {
    "Namdal": "Namdal regionråd",
    "Inn-Trøndelag": "Inn-Trøndelag regionråd",
    "Midt-Trøndelag": "Midt-Trøndelag regionråd",
    "Fosen": "Fosen regionråd",
    "Trondheimsregionen": "Trondheimsregionen",
    "Orkdalsregionen": "Orkdalsregionen",
    "Trøndelag sør": "Regionråd Trøndelag sør",
}


def _body(session: Session, ws: Workspace, name: str, kind: str, **extra: Any) -> Body:
    return service.create_body(
        session,
        ws,
        BodyForm(name=name, kind=kind, description=DEMO_NOTE, **extra),
    )


def _member(
    session: Session,
    ws: Workspace,
    body: Body,
    number: str,
    role: str = "member",
    start: date | None = None,
) -> None:
    service.add_membership(
        session,
        ws,
        body.id,
        MembershipForm(municipality_number=number, role=role, start_date=start),
    )


def _scope(session: Session, ws: Workspace) -> None:
    set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)


def load(session: Session, workspaces: dict[str, Workspace]) -> None:
    persons: dict[str, Person] = {}
    by_county = {ws.county_number: ws for ws in workspaces.values()}
    for contact in DEMO_CONTACTS:
        number = str(contact["municipality"])
        ws = by_county.get(number[:2])
        if ws is None:
            continue
        _scope(session, ws)
        areas = contact["areas"]
        person = contacts.create_person(
            session,
            ws,
            PersonForm(
                name=str(contact["name"]),
                municipality_number=number,
                title=str(contact["title"]),
                email=str(contact["email"]),
                phone=str(contact["phone"]),
                areas=list(areas) if isinstance(areas, list) else [],
            ),
        )
        if contact.get("region"):
            persons[str(contact["region"])] = person

    trondelag = workspaces["trondelag"]
    _scope(session, trondelag)
    for region, numbers in TRONDELAG_REGIONS.items():
        council = _body(session, trondelag, REGION_NAMES.get(region, region), "council")
        for number in numbers:
            _member(session, trondelag, council, number)
    digi = _body(
        session,
        trondelag,
        "DigiTrøndelag",
        "network",
        theme="digitalisation",
        purpose="Felles digitalisering for kommunene i Trøndelag (demo).",
    )
    # DigiTrøndelag is for every municipality in the county.
    for municipality in counties_service.municipalities_of_county(session, "50"):
        _member(session, trondelag, digi, municipality.number)
    committee = _body(
        session, trondelag, "DigiTrøndelag arbeidsutvalg", "working_committee", parent_id=digi.id
    )
    for person in persons.values():
        contacts.add_representative(session, trondelag, committee.id, person.id)

    buskerud = workspaces["buskerud"]
    _scope(session, buskerud)
    kr = _body(
        session,
        buskerud,
        "Kongsbergregionen",
        "council",
        purpose="Regionråd for kommunene i Kongsbergregionen i Buskerud og Telemark (demo).",
    )
    for number, joined in KONGSBERGREGIONEN:
        start = date.fromisoformat(joined) if joined else None
        _member(session, buskerud, kr, number, "host" if number == "3303" else "member", start)
    for name, kind, theme in (
        ("Kongsbergregionen regionrådet", "board", None),
        ("Kongsbergregionen rådmannsutvalget", "ceo_committee", None),
        ("Kongsbergregionen sekretariatet", "secretariat", None),
        ("SuksIT", "network", "digitalisation"),
        ("Kongsbergregionen felles IT-drift", "joint_operation", None),
    ):
        _body(session, buskerud, name, kind, theme=theme, parent_id=kr.id)
    # Telemark's coordinator has accepted the share, so the demo shows it there.
    telemark = workspaces.get("telemark")
    if telemark is not None:
        _scope(session, telemark)
        for request in service.share_requests(session, telemark):
            if request.share.body_id == kr.id:
                service.answer_share(session, telemark, request.share.id, accept=True, user_id=None)

    vestland = workspaces["vestland"]
    _scope(session, vestland)
    dv = _body(
        session,
        vestland,
        "DigiVestland",
        "network",
        theme="digitalisation",
        purpose="Samarbeid om digitalisering for alle kommunene i Vestland (demo).",
    )
    for number in DIGIVESTLAND:
        _member(session, vestland, dv, number)
    set_db_scope(session, workspace_id=None, user_id=None)
