"""Import and export of bodies, memberships and contacts as CSV or XLSX.

Export writes the workspace's own rows with stable Norwegian column headings and the codes of
``app.networks.models``. Import checks every row of a file before it writes anything; then it
creates what is missing and updates what differs through the networks service, so the rules and
the audit log are the same as for a form. Flushes, never commits.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.counties.models import Municipality, Organisation, Workspace
from app.errors import _validation_message
from app.i18n import _
from app.networks import service as networks_service
from app.networks.models import (
    AREAS,
    BODY_KINDS,
    MEMBER_ROLES,
    THEMES,
    Body,
    BodyMembership,
    Person,
)
from app.networks.schemas import BodyForm, MembershipForm, PersonForm
from app.tenancy import scoped

M = TypeVar("M", bound=BaseModel)

DATASETS = ("organer", "medlemskap", "kontakter")
FORMATS = ("csv", "xlsx")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 50

BODY_COLUMNS = (
    "navn",
    "type",
    "tema",
    "overordnet",
    "beskrivelse",
    "formål",
    "kontaktperson",
    "e-post",
    "telefon",
    "nettside",
    "arkivert",
)
MEMBERSHIP_COLUMNS = ("organ", "kommunenummer", "organisasjon", "rolle", "fra", "til")
CONTACT_COLUMNS = ("navn", "kommunenummer", "tittel", "e-post", "telefon", "ansvarsområder")
COLUMNS: dict[str, tuple[str, ...]] = {
    "organer": BODY_COLUMNS,
    "medlemskap": MEMBERSHIP_COLUMNS,
    "kontakter": CONTACT_COLUMNS,
}
# Columns a file must have; the others may be left out (an update then keeps the stored value).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "organer": ("navn", "type"),
    "medlemskap": ("organ", "fra"),
    "kontakter": ("navn", "kommunenummer"),
}
AREA_SEPARATOR = "|"
YES = frozenset({"ja", "j", "x", "1", "true", "sann", "yes"})
NO = frozenset({"", "nei", "n", "0", "false", "usann", "no"})

# CSV only: a cell that starts like a formula gets a leading apostrophe, so that a spreadsheet
# shows it as text instead of running it; import takes the apostrophe off again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


# --- export --------------------------------------------------------------------------------


def export_table(session: Session, ws: Workspace, dataset: str) -> tuple[tuple[str, ...], list]:
    """The headings and rows (lists of text) of one dataset: this workspace's own rows only."""
    if dataset == "organer":
        return BODY_COLUMNS, _body_rows(session, ws)
    if dataset == "medlemskap":
        return MEMBERSHIP_COLUMNS, _membership_rows(session, ws)
    if dataset == "kontakter":
        return CONTACT_COLUMNS, _contact_rows(session, ws)
    raise ValueError(f"unknown dataset {dataset!r}")


def export_file(session: Session, ws: Workspace, dataset: str, fmt: str) -> bytes:
    headers, rows = export_table(session, ws, dataset)
    if fmt == "csv":
        return to_csv(headers, rows)
    if fmt == "xlsx":
        return to_xlsx(headers, rows, sheet=dataset)
    raise ValueError(f"unknown format {fmt!r}")


def _own_bodies_tree_order(session: Session, ws: Workspace) -> list[Body]:
    """Own bodies, each parent before its children, siblings by name."""
    bodies = list(session.scalars(scoped(Body, ws.id).order_by(Body.name, Body.id)))
    ids = {b.id for b in bodies}
    children: dict[int | None, list[Body]] = defaultdict(list)
    for body in bodies:
        children[body.parent_id if body.parent_id in ids else None].append(body)
    out: list[Body] = []
    stack = list(reversed(children[None]))
    while stack:
        body = stack.pop()
        out.append(body)
        stack.extend(reversed(children.get(body.id, [])))
    seen = {b.id for b in out}
    out += [b for b in bodies if b.id not in seen]  # only if the stored tree had a cycle
    return out


def _body_rows(session: Session, ws: Workspace) -> list[list[str]]:
    bodies = _own_bodies_tree_order(session, ws)
    names = {b.id: b.name for b in bodies}
    return [
        [
            b.name,
            b.kind,
            b.theme or "",
            names.get(b.parent_id, "") if b.parent_id else "",
            b.description,
            b.purpose,
            b.contact_name,
            b.contact_email,
            b.contact_phone,
            b.website,
            "ja" if b.archived_at else "",
        ]
        for b in bodies
    ]


def _membership_rows(session: Session, ws: Workspace) -> list[list[str]]:
    memberships = list(
        session.scalars(
            scoped(BodyMembership, ws.id).options(
                selectinload(BodyMembership.body), selectinload(BodyMembership.organisation)
            )
        )
    )
    memberships.sort(
        key=lambda m: (
            _key(m.body.name),
            m.municipality_number or "",
            m.organisation.name if m.organisation else "",
            m.start_date or date.min,
        )
    )
    return [
        [
            m.body.name,
            m.municipality_number or "",
            m.organisation.name if m.organisation else "",
            m.role,
            m.start_date.isoformat() if m.start_date else "",
            m.end_date.isoformat() if m.end_date else "",
        ]
        for m in memberships
    ]


def _contact_rows(session: Session, ws: Workspace) -> list[list[str]]:
    persons = session.scalars(
        scoped(Person, ws.id)
        .order_by(Person.municipality_number, Person.name, Person.id)
        .options(selectinload(Person.responsibilities))
    )
    return [
        [
            p.name,
            p.municipality_number,
            p.title,
            p.email,
            p.phone,
            AREA_SEPARATOR.join(sorted(r.area for r in p.responsibilities)),
        ]
        for p in persons
    ]


def _csv_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_csv(headers: Iterable[str], rows: Iterable[list[str]]) -> bytes:
    """UTF-8 with BOM, separated by semicolons: what Excel set to Norwegian opens directly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(headers))
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(headers: Iterable[str], rows: Iterable[list[str]], *, sheet: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    headers = list(headers)
    widths = [len(h) for h in headers]
    for col, heading in enumerate(headers, start=1):
        ws.cell(row=1, column=col, value=heading).font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            text = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = ws.cell(row=r, column=col, value=text)
            cell.data_type = "s"  # always text: never a formula, and 0301 keeps its zero
            widths[col - 1] = max(widths[col - 1], min(len(text), 60))
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = width + 2
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading a file ------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int | None  # the row as a spreadsheet numbers it (1 = the headings); None = the file
    column: str | None
    message: str


@dataclass
class ImportResult:
    dataset: str
    created: int = 0
    updated: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    too_large: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int | None, column: str | None, message: str) -> None:
        self.errors.append(RowError(row, column, message))


class _Unreadable(Exception):
    """The file cannot be read as a table; the message is for the person."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign zip: openpyxl raises many kinds
        raise _Unreadable(_("Filen kunne ikke leses som et Excel-ark (.xlsx).")) from exc
    try:
        if not book.worksheets:
            return
        sheet = book.worksheets[0]
        try:
            for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                yield [_text(v) for v in values]
        except Exception as exc:
            raise _Unreadable(_("Filen kunne ikke leses som et Excel-ark (.xlsx).")) from exc
    finally:
        book.close()


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # «CSV (semikolondelt)» from Excel
    if "\x00" in text:
        raise _Unreadable(_("Filen er verken en CSV-fil eller et Excel-ark (.xlsx)."))
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count) if first else ";"
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            yield [_uncsv(v.strip()) for v in row[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise _Unreadable(_("CSV-filen kunne ikke leses: {reason}").format(reason=exc)) from exc


def _uncsv(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value


Record = tuple[int, dict[str, str]]


def _read_records(content: bytes, dataset: str, result: ImportResult) -> list[Record]:
    """The rows of the file as {column: value} (only the columns the file has)."""
    rows = _xlsx_rows(content) if content.startswith(b"PK") else _csv_rows(content)
    records: list[Record] = []
    columns: list[str | None] = []
    try:
        for number, values in enumerate(rows, start=1):
            if number == 1:
                columns = _read_headings(values, dataset, result)
                if result.errors:
                    return []
                continue
            if not any(values):
                continue
            if len(records) >= MAX_ROWS:
                result.error(
                    None,
                    None,
                    _(
                        "Filen har mer enn {n} rader. Del den opp og importer delene hver for seg."
                    ).format(n=f"{MAX_ROWS:,}".replace(",", "\u00a0")),
                )
                return []
            record: dict[str, str] = {}
            for index, value in enumerate(values):
                column = columns[index] if index < len(columns) else None
                if column is not None:
                    record[column] = value
                elif value:
                    result.error(
                        number,
                        None,
                        _("Raden har en verdi i kolonne {n}, som ikke har noen overskrift.").format(
                            n=index + 1
                        ),
                    )
                    break
            for column in columns:
                if column is not None:
                    record.setdefault(column, "")
            records.append((number, record))
    except _Unreadable as exc:
        result.error(None, None, str(exc))
        return []
    if not columns:
        result.error(None, None, _("Filen er tom. Første rad skal ha kolonneoverskriftene."))
        return []
    return records


def _read_headings(values: list[str], dataset: str, result: ImportResult) -> list[str | None]:
    allowed = COLUMNS[dataset]
    columns: list[str | None] = []
    for value in values:
        heading = " ".join(value.split()).lower().lstrip("\ufeff")
        if not heading:
            columns.append(None)
        elif heading not in allowed:
            result.error(
                1,
                value,
                _("Ukjent kolonne. Kolonnene for {dataset} er: {columns}.").format(
                    dataset=dataset, columns=", ".join(allowed)
                ),
            )
            columns.append(None)
        elif heading in columns:
            result.error(1, heading, _("Kolonnen står to ganger."))
            columns.append(None)
        else:
            columns.append(heading)
    for required in REQUIRED_COLUMNS[dataset]:
        if required not in columns:
            result.error(1, required, _("Kolonnen mangler. Den må være med i filen."))
    return columns


# --- import --------------------------------------------------------------------------------


def import_file(session: Session, ws: Workspace, dataset: str, content: bytes) -> ImportResult:
    """Check every row; if all are valid, create what is missing and update what differs.

    Nothing is written unless every row is valid. Running the same file twice changes nothing
    the second time."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}")
    result = ImportResult(dataset=dataset)
    if len(content) > MAX_BYTES:
        result.too_large = True
        result.error(
            None,
            None,
            _("Filen er for stor. Største tillatte størrelse er {mb} MB.").format(
                mb=MAX_BYTES // (1024 * 1024)
            ),
        )
        return result
    if not content.strip():
        result.error(None, None, _("Filen er tom. Første rad skal ha kolonneoverskriftene."))
        return result
    records = _read_records(content, dataset, result)
    if result.errors:
        return result
    result.rows = len(records)
    if dataset == "organer":
        _import_bodies(session, ws, records, result)
    elif dataset == "medlemskap":
        _import_memberships(session, ws, records, result)
    else:
        _import_contacts(session, ws, records, result)
    if result.errors:
        result.created = result.updated = 0
        result.errors.sort(key=lambda e: (e.row or 0, _column_order(dataset, e.column)))
    return result


def _column_order(dataset: str, column: str | None) -> int:
    columns = COLUMNS[dataset]
    return columns.index(column) if column in columns else -1


def _form_message(err: Any) -> str:
    if err.get("type") == "value_error" and "email" not in str(err.get("msg", "")).lower():
        inner = (err.get("ctx") or {}).get("error")
        if inner is not None:
            return _(str(inner))
    return _validation_message(dict(err))


def _validate(
    model: type[M], data: dict[str, Any], columns: dict[str, str], row: int, result: ImportResult
) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            field_name = str(err["loc"][0]) if err["loc"] else ""
            result.error(row, columns.get(field_name), _form_message(err))
        return None


def _required(values: dict[str, str], column: str, row: int, result: ImportResult) -> str:
    value = values.get(column, "")
    if not value:
        result.error(row, column, _("Feltet må fylles ut."))
    return value


def _code(
    value: str, allowed: tuple[str, ...], column: str, row: int, result: ImportResult
) -> bool:
    if value in allowed:
        return True
    result.error(
        row,
        column,
        _("Ukjent verdi «{value}». Gyldige verdier: {allowed}.").format(
            value=value, allowed=", ".join(allowed)
        ),
    )
    return False


def _municipality_number(value: str) -> str:
    # A spreadsheet drops the leading zero of 0301 when it takes the number for a number.
    return value.zfill(4) if value.isdecimal() and len(value) == 3 else value


def _parse_date(value: str) -> date | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


# --- bodies --------------------------------------------------------------------------------

BODY_FIELDS = {
    "name": "navn",
    "kind": "type",
    "theme": "tema",
    "parent_id": "overordnet",
    "description": "beskrivelse",
    "purpose": "formål",
    "contact_name": "kontaktperson",
    "contact_email": "e-post",
    "contact_phone": "telefon",
    "website": "nettside",
}


@dataclass
class _BodyPlan:
    row: int
    name: str
    existing: Body | None
    form: BodyForm
    parent_key: str | None
    parent_name: str
    archived: bool


def _body_values(body: Body, names: dict[int, str]) -> dict[str, str]:
    return {
        "navn": body.name,
        "type": body.kind,
        "tema": body.theme or "",
        "overordnet": names.get(body.parent_id, "") if body.parent_id else "",
        "beskrivelse": body.description,
        "formål": body.purpose,
        "kontaktperson": body.contact_name,
        "e-post": body.contact_email,
        "telefon": body.contact_phone,
        "nettside": body.website,
        "arkivert": "ja" if body.archived_at else "",
    }


def _import_bodies(
    session: Session, ws: Workspace, records: list[Record], result: ImportResult
) -> None:
    own = list(session.scalars(scoped(Body, ws.id)))
    by_key = {_key(b.name): b for b in own}
    names = {b.id: b.name for b in own}
    plans: dict[str, _BodyPlan] = {}
    for row, values in records:
        before = len(result.errors)
        name = _required(values, "navn", row, result)
        if not name:
            continue
        key = _key(name)
        if key in plans:
            result.error(
                row,
                "navn",
                _("Organet står også i rad {other}.").format(other=plans[key].row),
            )
            continue
        existing = by_key.get(key)
        merged = _body_values(existing, names) if existing else dict.fromkeys(BODY_COLUMNS, "")
        merged.update(values)
        kind = _required(merged, "type", row, result)
        if kind:
            _code(kind, BODY_KINDS, "type", row, result)
        if merged["tema"]:
            _code(merged["tema"], THEMES, "tema", row, result)
        archived = merged["arkivert"].lower()
        if archived not in YES | NO:
            result.error(row, "arkivert", _("Skriv «ja» eller la feltet stå tomt."))
        parent_name = merged["overordnet"]
        parent_key = _key(parent_name) if parent_name else None
        if parent_key == key:
            result.error(row, "overordnet", _("Et organ kan ikke ligge under seg selv."))
        if len(result.errors) > before:
            continue
        form = _validate(
            BodyForm,
            {
                "name": name,
                "kind": kind,
                "theme": merged["tema"] or None,
                "description": merged["beskrivelse"],
                "purpose": merged["formål"],
                "contact_name": merged["kontaktperson"],
                "contact_email": merged["e-post"] or None,
                "contact_phone": merged["telefon"],
                "website": merged["nettside"],
            },
            BODY_FIELDS,
            row,
            result,
        )
        if form is None:
            continue
        plans[key] = _BodyPlan(row, name, existing, form, parent_key, parent_name, archived in YES)

    for plan in plans.values():
        if plan.parent_key and plan.parent_key not in plans and plan.parent_key not in by_key:
            result.error(
                plan.row,
                "overordnet",
                _(
                    "Fant ikke organet «{name}», verken i filen eller i dette arbeidsområdet."
                ).format(name=plan.parent_name),
            )
    if result.errors:
        return

    # The tree as it will be: stored parents, replaced by the file's where the file has a row.
    parent_of: dict[str, str | None] = {
        k: (_key(names[b.parent_id]) if b.parent_id in names else None) for k, b in by_key.items()
    }
    for k, plan in plans.items():
        parent_of[k] = plan.parent_key
    display = {k: b.name for k, b in by_key.items()} | {k: p.name for k, p in plans.items()}
    order = _tree_order(parent_of, plans, display, result)
    if result.errors:
        return

    ids = {k: b.id for k, b in by_key.items()}
    for key in order:
        plan = plans[key]
        form = plan.form.model_copy(
            update={"parent_id": ids[plan.parent_key] if plan.parent_key else None}
        )
        if plan.existing is None:
            body = networks_service.create_body(session, ws, form)
            ids[key] = body.id
            if plan.archived:
                networks_service.set_archived(session, ws, body.id, True)
            result.created += 1
            continue
        body = plan.existing
        changed = _body_differs(body, form)
        if changed:
            networks_service.update_body(session, ws, body.id, form)
        if plan.archived != (body.archived_at is not None):
            networks_service.set_archived(session, ws, body.id, plan.archived)
            changed = True
        if changed:
            result.updated += 1


def _tree_order(
    parent_of: dict[str, str | None],
    plans: dict[str, _BodyPlan],
    display: dict[str, str],
    result: ImportResult,
) -> list[str]:
    """The file's bodies, each parent before its children; a cycle is an error on its rows."""
    order: list[str] = []
    done: set[str] = set()
    for start in plans:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = start
        while current is not None and current not in done and current not in on_path:
            path.append(current)
            on_path.add(current)
            current = parent_of.get(current)
        if current is not None and current in on_path:
            cycle = path[path.index(current) :]
            chain = " → ".join(display[k] for k in [*cycle, current])
            for k in cycle:
                if k in plans:
                    result.error(
                        plans[k].row,
                        "overordnet",
                        _("Overordnet organ gir en sirkel: {chain}.").format(chain=chain),
                    )
        done.update(path)
        order.extend(k for k in reversed(path) if k in plans)
    return order


def _body_differs(body: Body, form: BodyForm) -> bool:
    wanted = {
        "name": form.name.strip(),
        "kind": form.kind,
        "theme": form.theme or None,
        "parent_id": form.parent_id,
        "description": form.description,
        "purpose": form.purpose,
        "contact_name": form.contact_name,
        "contact_email": str(form.contact_email or ""),
        "contact_phone": form.contact_phone,
        "website": form.website,
    }
    return any(getattr(body, name) != value for name, value in wanted.items())


# --- memberships ---------------------------------------------------------------------------

MemberKey = tuple[str, str | int]


@dataclass
class _MembershipPlan:
    row: int
    body: Body
    member: MemberKey
    municipality_number: str | None
    organisation_id: int | None
    role: str
    start: date | None
    end: date | None
    existing: BodyMembership | None


def _period(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{start.isoformat()} – {end.isoformat()}"
    if start:
        return _("fra {date}").format(date=start.isoformat())
    if end:
        return _("til {date}").format(date=end.isoformat())
    return _("uten datoer")


def _import_memberships(
    session: Session, ws: Workspace, records: list[Record], result: ImportResult
) -> None:
    bodies = {_key(b.name): b for b in session.scalars(scoped(Body, ws.id))}
    municipalities = set(session.scalars(select(Municipality.number)))
    organisations = {_key(o.name): o for o in session.scalars(select(Organisation))}
    existing: dict[tuple[int, MemberKey, date | None], BodyMembership] = {}
    for m in session.scalars(scoped(BodyMembership, ws.id)):
        member: MemberKey = (
            ("m", m.municipality_number) if m.municipality_number else ("o", m.organisation_id or 0)
        )
        existing[(m.body_id, member, m.start_date)] = m

    plans: dict[tuple[int, MemberKey, date | None], _MembershipPlan] = {}
    for row, values in records:
        before = len(result.errors)
        body_name = _required(values, "organ", row, result)
        body = bodies.get(_key(body_name)) if body_name else None
        if body_name and body is None:
            result.error(
                row,
                "organ",
                _("Fant ikke organet «{name}» i dette arbeidsområdet.").format(name=body_name),
            )
        number = _municipality_number(values.get("kommunenummer", ""))
        org_name = values.get("organisasjon", "")
        organisation = organisations.get(_key(org_name)) if org_name else None
        if bool(number) == bool(org_name):
            result.error(
                row,
                "kommunenummer",
                _("Fyll ut enten kommunenummer eller organisasjon, ikke begge."),
            )
        elif number and number not in municipalities:
            result.error(
                row, "kommunenummer", _("Kommunen {number} finnes ikke.").format(number=number)
            )
        elif org_name and organisation is None:
            result.error(
                row,
                "organisasjon",
                _("Organisasjonen «{name}» finnes ikke.").format(name=org_name),
            )
        dates: dict[str, date | None] = {}
        for column in ("fra", "til"):
            try:
                dates[column] = _parse_date(values.get(column, ""))
            except ValueError:
                result.error(
                    row, column, _("Skriv datoen som ÅÅÅÅ-MM-DD, for eksempel 2025-01-31.")
                )
        if len(result.errors) > before or body is None:
            continue
        member = ("m", number) if number else ("o", organisation.id if organisation else 0)
        start = dates["fra"]
        key = (body.id, member, start)
        if key in plans:
            result.error(
                row,
                "fra",
                _("Samme organ, medlem og startdato står også i rad {other}.").format(
                    other=plans[key].row
                ),
            )
            continue
        stored = existing.get(key)
        role = values.get("rolle", stored.role if stored else "")
        role = role or "member"
        if not _code(role, MEMBER_ROLES, "rolle", row, result):
            continue
        end = dates["til"] if "til" in values else (stored.end_date if stored else None)
        if start and end and end < start:
            result.error(row, "til", _("Sluttdatoen kan ikke være før startdatoen."))
            continue
        plans[key] = _MembershipPlan(
            row=row,
            body=body,
            member=member,
            municipality_number=number or None,
            organisation_id=organisation.id if organisation else None,
            role=role,
            start=start,
            end=end,
            existing=stored,
        )
    if result.errors:
        return
    _check_overlaps(plans, existing, result)
    if result.errors:
        return

    # Updates first, earliest start first, so that a shortened period is stored before the
    # next one is checked against it; then the new memberships.
    updates = sorted(
        (p for p in plans.values() if p.existing is not None),
        key=lambda p: p.start or date.min,
    )
    for plan in updates:
        membership = plan.existing
        assert membership is not None
        changed = False
        if plan.end != membership.end_date:
            if plan.end is not None:
                networks_service.end_membership(session, ws, plan.body.id, membership.id, plan.end)
            else:
                membership.end_date = None  # the service has no use case for reopening
            changed = True
        if plan.role != membership.role:
            membership.role = plan.role  # nor for changing the role
            changed = True
        if changed:
            session.flush()
            result.updated += 1
    for plan in plans.values():
        if plan.existing is not None:
            continue
        networks_service.add_membership(
            session,
            ws,
            plan.body.id,
            MembershipForm(
                municipality_number=plan.municipality_number,
                organisation_id=plan.organisation_id,
                role=plan.role,
                start_date=plan.start,
                end_date=plan.end,
            ),
        )
        result.created += 1


@dataclass
class _Span:
    start: date
    end: date
    plan: _MembershipPlan | None
    stored: BodyMembership | None


def _check_overlaps(
    plans: dict[tuple[int, MemberKey, date | None], _MembershipPlan],
    existing: dict[tuple[int, MemberKey, date | None], BodyMembership],
    result: ImportResult,
) -> None:
    """Periods of the same member in the same body may not overlap: neither two rows of the
    file, nor a row and a stored membership the file does not replace."""
    groups: dict[tuple[int, MemberKey], list[_Span]] = defaultdict(list)
    for (body_id, member, _start), plan in plans.items():
        groups[(body_id, member)].append(
            _Span(plan.start or date.min, plan.end or date.max, plan, None)
        )
    for key, stored in existing.items():
        if key in plans:
            continue
        body_id, member, _start = key
        if (body_id, member) in groups:
            groups[(body_id, member)].append(
                _Span(stored.start_date or date.min, stored.end_date or date.max, None, stored)
            )
    for spans in groups.values():
        spans.sort(key=lambda s: (s.start, s.plan is not None))
        widest: _Span | None = None
        for span in spans:
            if widest is not None and span.start <= widest.end:
                _report_overlap(span, widest, result)
            if widest is None or span.end > widest.end:
                widest = span


def _report_overlap(span: _Span, other: _Span, result: ImportResult) -> None:
    row_span, against = (span, other) if span.plan is not None else (other, span)
    if row_span.plan is None:
        return  # two stored memberships: not this file's doing
    if against.plan is not None:
        message = _("Perioden overlapper med rad {other} (samme organ og medlem).").format(
            other=against.plan.row
        )
    else:
        assert against.stored is not None
        message = _(
            "Perioden overlapper med et medlemskap som allerede er registrert ({period})."
        ).format(period=_period(against.stored.start_date, against.stored.end_date))
    result.error(row_span.plan.row, "fra", message)


# --- contacts ------------------------------------------------------------------------------

PERSON_FIELDS = {
    "name": "navn",
    "municipality_number": "kommunenummer",
    "title": "tittel",
    "email": "e-post",
    "phone": "telefon",
    "areas": "ansvarsområder",
}


def _person_values(person: Person) -> dict[str, str]:
    return {
        "navn": person.name,
        "kommunenummer": person.municipality_number,
        "tittel": person.title,
        "e-post": person.email,
        "telefon": person.phone,
        "ansvarsområder": AREA_SEPARATOR.join(sorted(r.area for r in person.responsibilities)),
    }


def _import_contacts(
    session: Session, ws: Workspace, records: list[Record], result: ImportResult
) -> None:
    municipalities = set(session.scalars(select(Municipality.number)))
    stored: dict[tuple[str, str], list[Person]] = defaultdict(list)
    for person in session.scalars(
        scoped(Person, ws.id).options(selectinload(Person.responsibilities))
    ):
        stored[(person.municipality_number, _key(person.name))].append(person)

    plans: dict[tuple[str, str], tuple[int, Person | None, PersonForm]] = {}
    for row, values in records:
        before = len(result.errors)
        name = _required(values, "navn", row, result)
        number = _municipality_number(_required(values, "kommunenummer", row, result))
        if number and number not in municipalities:
            result.error(
                row, "kommunenummer", _("Kommunen {number} finnes ikke.").format(number=number)
            )
        if len(result.errors) > before:
            continue
        key = (number, _key(name))
        if key in plans:
            result.error(
                row,
                "navn",
                _("Samme person i samme kommune står også i rad {other}.").format(
                    other=plans[key][0]
                ),
            )
            continue
        matches = stored.get(key, [])
        if len(matches) > 1:
            result.error(
                row,
                "navn",
                _(
                    "Det finnes {n} kontakter med dette navnet i kommunen. Slå dem sammen i "
                    "Samspill før du importerer."
                ).format(n=len(matches)),
            )
            continue
        existing = matches[0] if matches else None
        merged = _person_values(existing) if existing else dict.fromkeys(CONTACT_COLUMNS, "")
        merged.update(values)
        areas = [
            a.strip()
            for a in merged["ansvarsområder"].replace(",", AREA_SEPARATOR).split(AREA_SEPARATOR)
            if a.strip()
        ]
        if not all([_code(a, AREAS, "ansvarsområder", row, result) for a in areas]):
            continue
        form = _validate(
            PersonForm,
            {
                "name": name,
                "municipality_number": number,
                "title": merged["tittel"],
                "email": merged["e-post"] or None,
                "phone": merged["telefon"],
                "areas": areas,
            },
            PERSON_FIELDS,
            row,
            result,
        )
        if form is not None:
            plans[key] = (row, existing, form)
    if result.errors:
        return

    for _row, existing, form in plans.values():
        if existing is None:
            networks_service.create_person(session, ws, form)
            result.created += 1
        elif _person_differs(existing, form):
            networks_service.update_person(session, ws, existing.id, form)
            result.updated += 1


def _person_differs(person: Person, form: PersonForm) -> bool:
    return (
        person.name != form.name.strip()
        or person.municipality_number != form.municipality_number
        or person.title != form.title
        or person.email != str(form.email or "")
        or person.phone != form.phone
        or sorted(r.area for r in person.responsibilities) != form.areas
    )
