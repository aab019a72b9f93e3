"""Export of the workspace's participation records (one row per municipality in a record), and
the template: the headings, one example row and an explanation of the columns and codes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.clock import today
from app.counties.models import Municipality, Workspace
from app.i18n import _
from app.networks import service as networks_service
from app.networks.transfer.formats import to_csv
from app.schemes.labels import STATUS_LABELS
from app.schemes.models import (
    PARTICIPATION_ROLES,
    PARTICIPATION_STATUSES,
    Participation,
    ParticipationMember,
    Scheme,
)
from app.schemes.transfer_columns import (
    COLUMNS,
    FILE_ROLE,
    Cell,
    to_csv_rows,
    to_xlsx,
)
from app.tenancy import scoped, scoped_with_national

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADINGS = tuple(c.heading for c in COLUMNS)


def help_request_numbers(session: Session, ws: Workspace) -> dict[int, int]:
    """The hjelpekorps' request numbers by id (the records store the id, files show the
    number)."""
    from app.helpdesk.models import HelpRequest

    query = scoped(HelpRequest, ws.id).with_only_columns(HelpRequest.id, HelpRequest.number)
    return {row[0]: row[1] for row in session.execute(query).all()}


def body_names(session: Session, ws: Workspace) -> dict[int, str]:
    """The councils and networks this workspace sees (its own and shared), by id."""
    nodes = networks_service.flatten(networks_service.body_tree(session, ws, include_archived=True))
    return {n.body.id: n.body.name for n in nodes}


def export_rows(session: Session, ws: Workspace) -> list[list[Cell]]:
    """Every record of the workspace, newest year first, a row per municipality (the lead
    first); the record's own columns repeated on each of its rows."""
    records = session.scalars(
        scoped(Participation, ws.id)
        .order_by(Participation.year.desc(), Participation.id)
        .options(
            selectinload(Participation.scheme),
            selectinload(Participation.call),
            selectinload(Participation.members).selectinload(ParticipationMember.municipality),
        )
    )
    bodies = body_names(session, ws)
    numbers = help_request_numbers(session, ws)
    rows: list[list[Cell]] = []
    for record in records:
        shared: dict[str, Cell] = {
            "id": record.id,
            "ref": "",
            "scheme": record.scheme.name,
            "call": record.call.title if record.call else "",
            "year": record.year,
            "title": record.title,
            "status": STATUS_LABELS.get(record.status, record.status),
            "amount_applied": record.amount_applied,
            "amount_granted": record.amount_granted,
            "body": bodies.get(record.body_id, "") if record.body_id else "",
            "help_request": numbers.get(record.help_request_id) if record.help_request_id else None,
            "notes": record.notes,
        }
        members = sorted(
            record.members,
            key=lambda m: (PARTICIPATION_ROLES.index(m.role), m.municipality_number),
        )
        for member in members:
            values = {
                **shared,
                "municipality_number": member.municipality_number,
                "municipality": member.municipality.name,
                "role": FILE_ROLE.get(member.role, member.role),
            }
            rows.append([values[c.key] for c in COLUMNS])
    return rows


def _file(
    rows: list[list[Cell]], fmt: str, explanation: list[tuple[bool, list[str]]] | None = None
) -> bytes:
    if fmt == "csv":
        return to_csv(HEADINGS, to_csv_rows(rows))
    if fmt == "xlsx":
        return to_xlsx(HEADINGS, rows, explanation=explanation or [])
    raise ValueError(f"unknown format {fmt!r}")


def export_file(session: Session, ws: Workspace, fmt: str) -> bytes:
    return _file(export_rows(session, ws), fmt)


# --- the template --------------------------------------------------------------------------


def example_row(session: Session, ws: Workspace) -> list[Cell]:
    """A filled-in row to copy: it has the Ref «eksempel», so an import skips it."""
    scheme = session.scalar(
        scoped_with_national(Scheme, ws.id)
        .where(Scheme.key.is_not(None), Scheme.archived_at.is_(None))
        .order_by(Scheme.name)
        .limit(1)
    )
    municipality = session.execute(
        select(Municipality.number, Municipality.name)
        .where(Municipality.county_number == ws.county_number)
        .order_by(Municipality.number)
        .limit(1)
    ).first()
    values: dict[str, Cell] = {
        "id": None,
        "ref": "eksempel",
        "scheme": scheme.name if scheme else "",
        "call": "",
        "year": today().year,
        "title": _("Felles løsning for digital innbyggerdialog"),
        "status": STATUS_LABELS["applying"],
        "municipality_number": municipality[0] if municipality else "",
        "municipality": municipality[1] if municipality else "",
        "role": FILE_ROLE["lead"],
        "amount_applied": 500_000,
        "amount_granted": None,
        "body": "",
        "help_request": None,
        "notes": _("Eksempelrad: importen hopper over rader med Ref «eksempel»."),
    }
    return [values[c.key] for c in COLUMNS]


def explanation(session: Session, ws: Workspace) -> list[tuple[bool, list[str]]]:
    """The template's second sheet, as (heading?, cells) rows: the columns, the codes, the
    schemes and the county's municipalities."""
    out: list[tuple[bool, list[str]]] = [
        (True, [_("Import av søknader og prosjekter")]),
        (
            False,
            [
                _(
                    "Én rad per kommune. Rader med samme ID (eller samme Ref for en ny søknad) "
                    "er én søknad; nøyaktig én av dem har rollen Søker. Alle radene kontrolleres "
                    "før noe lagres."
                )
            ],
        ),
        (False, []),
        (True, [_("Kolonne"), _("Hva den skal inneholde")]),
    ]
    out += [(False, [c.heading, _(c.help)]) for c in COLUMNS]
    out += [(False, []), (True, [_("Status"), _("Kode (godtas også)")])]
    out += [(False, [STATUS_LABELS[s], s]) for s in PARTICIPATION_STATUSES]
    out += [(False, []), (True, [_("Rolle"), _("Kode (godtas også)")])]
    out += [(False, [FILE_ROLE[r], r]) for r in PARTICIPATION_ROLES]
    out += [(False, []), (True, [_("Virkemiddel"), _("Nøkkel (nasjonale, godtas også)")])]
    schemes = session.scalars(
        scoped_with_national(Scheme, ws.id)
        .where(Scheme.archived_at.is_(None))
        .order_by(Scheme.workspace_id.is_not(None), Scheme.name)
    )
    out += [(False, [s.name, s.key or ""]) for s in schemes]
    out += [(False, []), (True, [_("Kommunenummer"), _("Kommune")])]
    municipalities = session.execute(
        select(Municipality.number, Municipality.name)
        .where(Municipality.county_number == ws.county_number)
        .order_by(Municipality.number)
    )
    out += [(False, [number, name]) for number, name in municipalities]
    return out


def template_file(session: Session, ws: Workspace, fmt: str) -> bytes:
    """The headings and the example row; in XLSX also the explanation sheet."""
    rows = [example_row(session, ws)]
    return _file(rows, fmt, explanation(session, ws) if fmt == "xlsx" else None)
