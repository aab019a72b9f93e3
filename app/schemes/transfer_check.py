"""Checking the rows of a participation file against what the workspace sees, loaded once: the
schemes (national and its own), calls, municipalities, the councils and networks it sees, help
requests and its own records. Rows with the same ID, or the same Ref for a new record, are one
record; their own columns must agree and exactly one of them is the lead. What comes out is a
``Plan`` per new or changed record with the service's form filled in; a record whose rows say
what is stored already is only counted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.counties.models import Municipality, Workspace
from app.i18n import _
from app.networks import service as networks_service
from app.networks.transfer.rows import ImportResult, municipality_number_of, validated
from app.schemes import service
from app.schemes.models import Participation, Scheme, SchemeCall
from app.schemes.schemas import ParticipationForm
from app.schemes.transfer_columns import (
    BY_KEY,
    EXAMPLE_REFS,
    FIELD_COLUMNS,
    RECORD_KEYS,
    name_key,
    parse_kroner,
    role_code,
    status_code,
)
from app.schemes.transfer_export import help_request_numbers
from app.tenancy import scoped, scoped_with_national

MAX_ID = 2**31 - 1
# A row of the file: its number as a spreadsheet counts (1 = the headings), its cells by column.
Record = tuple[int, dict[str, str]]


@dataclass
class ParticipationImport(ImportResult):
    """What an import did (or, with errors, would not do): records created, changed and left
    as they were, and example rows skipped."""

    unchanged: int = 0
    skipped: int = 0


def heading(key: str | None) -> str | None:
    return BY_KEY[key].heading if key else None


@dataclass
class _Row:
    number: int
    record_id: int | None
    ref: str
    municipality: str
    role: str | None
    cells: dict[str, Any]  # the record's own columns, parsed, where the cell is not empty
    failed: set[str] = field(default_factory=set)  # columns whose cell is reported already
    bad: bool = False  # an error is reported on the row


@dataclass
class _Group:
    rows: list[_Row]
    record: Participation | None
    label: str  # how the messages name the record: "ID 12", "Ref «A»"
    values: dict[str, tuple[int, Any]] = field(default_factory=dict)  # key → (row, value)


@dataclass
class Plan:
    row: int  # the lead's row: where the service's refusals are reported
    record: Participation | None
    form: ParticipationForm


def _text(value: Any) -> str:
    return "\n".join(line.rstrip() for line in str(value or "").splitlines()).strip()


def _same(key: str, a: Any, b: Any) -> bool:
    if key == "scheme":
        return bool(a.id == b.id)
    if key in ("call", "body"):
        return name_key(a) == name_key(b)
    if key in ("title", "notes"):
        return _text(a) == _text(b)
    return bool(a == b)


class Planner:
    """Reads the rows against the workspace's data, loaded once (a fixed number of queries)."""

    def __init__(
        self, session: Session, ws: Workspace, present: set[str], result: ParticipationImport
    ) -> None:
        self.session = session
        self.ws = ws
        self.present = present
        self.result = result
        self.schemes: dict[str, Scheme] = {}
        for scheme in session.scalars(scoped_with_national(Scheme, ws.id)):
            self.schemes.setdefault(name_key(scheme.name), scheme)
            if scheme.key:
                self.schemes.setdefault(name_key(scheme.key), scheme)
        self.calls: dict[tuple[int, str], list[SchemeCall]] = {}
        if "call" in present:
            for call in session.scalars(scoped(SchemeCall, ws.id).order_by(SchemeCall.id)):
                self.calls.setdefault((call.scheme_id, name_key(call.title)), []).append(call)
        self.municipalities = set(session.scalars(select(Municipality.number)))
        self.bodies: dict[str, list[tuple[int, bool]]] = {}
        if "body" in present:
            nodes = networks_service.flatten(
                networks_service.body_tree(session, ws, include_archived=True)
            )
            for node in nodes:
                self.bodies.setdefault(name_key(node.body.name), []).append(
                    (node.body.id, node.owned)
                )
        self.help_numbers = help_request_numbers(session, ws)  # id → number
        self.help_ids = {number: id_ for id_, number in self.help_numbers.items()}

    def error(self, row: int, key: str | None, message: str) -> None:
        self.result.error(row, heading(key), message)

    # -- one row --

    def parse_row(self, number: int, values: dict[str, str]) -> _Row:
        before = len(self.result.errors)
        row = self._parse_row(number, values)
        row.bad = len(self.result.errors) > before
        return row

    def _parse_row(self, number: int, values: dict[str, str]) -> _Row:
        row = _Row(number, None, "", "", None, {})
        raw_id = values.get("id", "")
        if raw_id:
            if raw_id.isdecimal() and 0 < int(raw_id) <= MAX_ID:
                row.record_id = int(raw_id)
            else:
                self.error(number, "id", _("ID-en må være et helt tall, eller tom for en ny."))
        row.ref = values.get("ref", "")
        row.municipality = self._municipality(number, values.get("municipality_number", ""))
        role = values.get("role", "")
        if role:
            row.role = role_code(role)
            if row.role is None:
                row.failed.add("role")
                self.error(
                    number,
                    "role",
                    _("Ukjent rolle «{value}». Skriv Søker eller Partner.").format(value=role),
                )
        for key in RECORD_KEYS:
            text = values.get(key, "")
            if text:
                parsed = self._cell(number, key, text)
                if parsed is None:
                    row.failed.add(key)
                else:
                    row.cells[key] = parsed
        return row

    def _municipality(self, row: int, text: str) -> str:
        number = municipality_number_of(text)
        if not number:
            self.error(row, "municipality_number", _("Skriv kommunenummeret (fire sifre)."))
        elif number not in self.municipalities:
            self.error(
                row,
                "municipality_number",
                _("Finner ingen kommune med nummer {number}.").format(number=number),
            )
        return number

    def _cell(self, row: int, key: str, text: str) -> Any:
        """The parsed value, or None with an error on the row (a text is itself)."""
        parse: dict[str, Callable[[int, str], Any]] = {
            "scheme": self._scheme,
            "year": self._year,
            "status": self._status,
            "amount_applied": self._kroner,
            "amount_granted": self._kroner,
            "help_request": self._help_request,
        }
        if key in parse:
            try:
                return parse[key](row, text)
            except ValueError as exc:
                self.error(row, key, str(exc))
                return None
        return text

    def _scheme(self, row: int, text: str) -> Scheme:
        scheme = self.schemes.get(name_key(text))
        if scheme is None:
            raise ValueError(
                _(
                    "Finner ikke virkemiddelet «{name}». Skriv navnet slik det står i oversikten "
                    "over virkemidler, eller nøkkelen til et nasjonalt virkemiddel."
                ).format(name=text)
            )
        return scheme

    def _year(self, row: int, text: str) -> int:
        if not text.isdecimal() or not 1990 <= int(text) <= 2100:
            raise ValueError(_("Skriv et årstall mellom 1990 og 2100."))
        return int(text)

    def _status(self, row: int, text: str) -> str:
        code = status_code(text)
        if code is None:
            raise ValueError(
                _(
                    "Ukjent status «{value}». Skriv Idé, Søker, Innvilget, Avslått, Trukket "
                    "eller Fullført."
                ).format(value=text)
            )
        return code

    def _kroner(self, row: int, text: str) -> int:
        try:
            amount = parse_kroner(text)
        except ValueError:
            raise ValueError(_("Skriv beløpet i hele kroner, for eksempel 250000.")) from None
        if amount < 0:
            raise ValueError(_("Beløpet kan ikke være negativt."))
        return amount

    def _help_request(self, row: int, text: str) -> int:
        digits = text.upper().removeprefix("HK").lstrip("-# ").strip()
        if not digits.isdecimal():
            raise ValueError(_("Skriv nummeret på forespørselen, for eksempel 42."))
        number = int(digits)
        if number not in self.help_ids:
            raise ValueError(
                _("Finner ingen forespørsel til hjelpekorpset med nummer {number}.").format(
                    number=number
                )
            )
        return number

    # -- the records --

    def plan(self, records: list[Record]) -> list[Plan]:
        rows: list[_Row] = []
        for number, values in records:
            if name_key(values.get("ref", "")) in EXAMPLE_REFS and not values.get("id"):
                self.result.skipped += 1
                continue
            rows.append(self.parse_row(number, values))
        groups = self._groups(rows)
        plans = []
        for group in groups:
            plan = self._plan_group(group)
            if plan is not None:
                plans.append(plan)
        return plans

    def _groups(self, rows: list[_Row]) -> list[_Group]:
        ids = sorted({r.record_id for r in rows if r.record_id is not None})
        existing = (
            {
                record.id: record
                for record in self.session.scalars(
                    scoped(Participation, self.ws.id)
                    .where(Participation.id.in_(ids))
                    .options(selectinload(Participation.members))
                )
            }
            if ids
            else {}
        )
        groups: dict[tuple[str, Any], _Group] = {}
        for row in rows:
            if row.record_id is not None:
                key: tuple[str, Any] = ("id", row.record_id)
                if key not in groups:
                    record = existing.get(row.record_id)
                    if record is None:
                        self.error(
                            row.number,
                            "id",
                            _(
                                "Finner ingen søknad med ID {id} her. Tøm ID-feltet for å "
                                "legge den inn som ny."
                            ).format(id=row.record_id),
                        )
                    groups[key] = _Group([], record, _("ID {id}").format(id=row.record_id))
            elif row.ref:
                key = ("ref", name_key(row.ref))
                groups.setdefault(key, _Group([], None, _("Ref «{ref}»").format(ref=row.ref)))
            else:
                key = ("row", row.number)
                groups[key] = _Group([], None, "")
            groups[key].rows.append(row)
        return list(groups.values())

    def _merge(self, group: _Group) -> None:
        """The record's own values: a cell may be left empty on all but one of its rows, but
        two rows that both fill it in must agree."""
        for row in group.rows:
            for key, value in row.cells.items():
                first = group.values.get(key)
                if first is None:
                    group.values[key] = (row.number, value)
                elif not _same(key, first[1], value):
                    self.error(
                        row.number,
                        key,
                        _(
                            "Står annerledes i rad {other}. Radene hører til samme søknad "
                            "({record}), så verdien må være den samme."
                        ).format(other=first[0], record=group.label),
                    )

    def _members(self, group: _Group) -> tuple[int, str, list[str]] | None:
        """The lead's row and number, and the partners; None after reporting what is wrong."""
        before = len(self.result.errors)
        seen: dict[str, int] = {}
        lead: _Row | None = None
        partners: list[str] = []
        single = len(group.rows) == 1
        for row in group.rows:
            if row.municipality in seen:
                self.error(
                    row.number,
                    "municipality_number",
                    _("Kommunen står allerede i rad {other} for den samme søknaden.").format(
                        other=seen[row.municipality]
                    ),
                )
            seen.setdefault(row.municipality, row.number)
            role = row.role or ("lead" if single else None)
            if role is None and "role" in row.failed:
                continue  # the unknown word is reported
            if role is None and "role" not in self.present:
                self.error(
                    row.number,
                    "role",
                    _(
                        "Kolonnen Rolle mangler: en søknad med flere kommuner må si hvem "
                        "som er søker."
                    ),
                )
            elif role is None:
                self.error(row.number, "role", _("Skriv Søker eller Partner."))
            elif role == "lead" and lead is not None:
                self.error(
                    row.number,
                    "role",
                    _("Rad {other} er allerede søker. En søknad har nøyaktig én søker.").format(
                        other=lead.number
                    ),
                )
            elif role == "lead":
                lead = row
            else:
                partners.append(row.municipality)
        unknown_role = any("role" in row.failed for row in group.rows)
        if lead is None and len(self.result.errors) == before and not unknown_role:
            self.error(
                group.rows[0].number,
                "role",
                _("Ingen av radene er søker. Én kommune må ha rollen Søker ({record}).").format(
                    record=group.label or _("denne raden")
                ),
            )
        if lead is None or len(self.result.errors) > before:
            return None
        return lead.number, lead.municipality, partners

    def _plan_group(self, group: _Group) -> Plan | None:
        before = len(self.result.errors)
        first = group.rows[0].number
        if group.rows[0].record_id is not None and group.record is None:
            return None  # the unknown ID is reported
        self._merge(group)
        members = self._members(group)
        record = group.record
        data: dict[str, Any] = dict(service.form_values(record)) if record else {}
        if record is not None:
            data["help_request_number"] = self.help_numbers.get(record.help_request_id or 0)

        def value(key: str) -> tuple[int, Any]:
            return group.values.get(key, (first, None))

        failed = {key for row in group.rows for key in row.failed}  # reported already
        for key, field_name in (("scheme", "scheme_id"), ("year", "year")):
            if key not in self.present:
                continue
            row, parsed = value(key)
            if parsed is None and key not in failed:
                self.error(row, key, _("Feltet må fylles ut."))
            data[field_name] = parsed.id if isinstance(parsed, Scheme) else parsed
        if "call" in self.present and "scheme" not in failed:
            data["call_id"] = self._call(group, data.get("scheme_id"))
        if "body" in self.present:
            data["body_id"] = self._body(group)
        if "help_request" in self.present:
            data["help_request_number"] = value("help_request")[1]
        for key in ("title", "notes"):
            if key in self.present:
                data[key] = _text(value(key)[1])
        if "status" in self.present:
            status = value("status")[1]
            data["status"] = status or (record.status if record else "applying")
        for key in ("amount_applied", "amount_granted"):
            if key in self.present:
                data[key] = value(key)[1]
        if members is None or len(self.result.errors) > before:
            return None
        if any(row.bad for row in group.rows):
            return None
        lead_row, data["lead"], data["partners"] = members
        columns = {f: h for f, k in FIELD_COLUMNS.items() if (h := heading(k))}
        form = validated(ParticipationForm, data, columns, lead_row, self.result)
        if form is None:
            return None
        if record is not None and self._unchanged(record, form):
            self.result.unchanged += 1
            return None
        return Plan(lead_row, record, form)

    def _call(self, group: _Group, scheme_id: int | None) -> int | None:
        row, title = group.values.get("call", (group.rows[0].number, None))
        if not title:
            return None
        if scheme_id is None:
            return None  # the scheme's own error says what is wrong
        calls = self.calls.get((scheme_id, name_key(title)), [])
        stored = group.record.call_id if group.record else None
        if len(calls) > 1 and stored in {c.id for c in calls}:
            return stored
        if len(calls) == 1:
            return calls[0].id
        if calls:
            self.error(
                row,
                "call",
                _(
                    "Flere utlysninger under dette virkemiddelet heter «{title}». Gi dem ulike "
                    "titler, eller velg utlysningen i skjemaet for søknaden."
                ).format(title=title),
            )
        else:
            self.error(
                row,
                "call",
                _(
                    "Finner ingen utlysning «{title}» under dette virkemiddelet. Legg inn "
                    "utlysningen med frist først, eller la feltet stå tomt."
                ).format(title=title),
            )
        return None

    def _body(self, group: _Group) -> int | None:
        row, name = group.values.get("body", (group.rows[0].number, None))
        if not name:
            return None
        found = self.bodies.get(name_key(name), [])
        stored = group.record.body_id if group.record else None
        ids = [body_id for body_id, _owned in found]
        if stored in ids:
            return stored
        own = [body_id for body_id, owned in found if owned]
        if len(ids) == 1 or len(own) == 1:
            return ids[0] if len(ids) == 1 else own[0]
        if ids:
            self.error(row, "body", _("Flere råd eller nettverk heter «{name}».").format(name=name))
        else:
            self.error(
                row,
                "body",
                _("Finner ikke rådet eller nettverket «{name}» i dette fylket.").format(name=name),
            )
        return None

    def _unchanged(self, record: Participation, form: ParticipationForm) -> bool:
        stored = dict(service.form_values(record))
        wanted = form.model_dump(include=set(stored))
        for key in ("title", "notes"):
            stored[key], wanted[key] = _text(stored[key]), _text(wanted[key])
        stored["partners"] = sorted(stored["partners"])
        wanted_help = self.help_ids.get(form.help_request_number or 0)
        return bool(stored == wanted and record.help_request_id == wanted_help)
