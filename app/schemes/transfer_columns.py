"""What a participation file holds: one row per municipality in a record, the Norwegian column
headings (English names accepted when reading), the words the status and role columns take,
and the XLSX writer for the export and the template (numbers as numbers, text always as text).

CSV writing and reading of both formats are the networks module's (``app.networks.transfer.
formats``); only what is particular to these files is here."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.i18n import fold, lazy, vocabulary
from app.schemes.labels import ROLE_LABELS, STATUS_LABELS
from app.schemes.models import PARTICIPATION_ROLES, PARTICIPATION_STATUSES

SHEET = "Søknader"
EXPLANATION_SHEET = "Forklaring"
EXAMPLE_REFS = frozenset({"eksempel", "example"})


@dataclass(frozen=True)
class Column:
    key: str
    heading: str  # the heading in files: fixed bokmål, so a file reads the same for everyone
    aliases: tuple[str, ...]  # other headings accepted when reading (English names)
    help: str  # what goes in it (lazy)


COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        "ID",
        ("record id", "participation id"),
        lazy("Søknadens nummer i Samspill. Tom for en ny søknad."),
    ),
    Column(
        "ref",
        "Ref",
        ("reference", "referanse"),
        lazy(
            "Binder sammen radene til én ny søknad med flere kommuner: gi radene samme Ref. "
            "Rader med Ref «eksempel» hoppes over."
        ),
    ),
    Column(
        "scheme",
        "Virkemiddel",
        ("scheme", "funding scheme"),
        lazy(
            "Navnet på virkemiddelet slik det står i oversikten, eller nøkkelen til et nasjonalt."
        ),
    ),
    Column(
        "call",
        "Utlysning",
        ("call",),
        lazy("Tittelen på utlysningen under virkemiddelet. Kan stå tom."),
    ),
    Column("year", "År", ("year", "ar", "aar"), lazy("Årstall, for eksempel 2026.")),
    Column("title", "Tittel", ("title", "project"), lazy("Prosjektets eller søknadens tittel.")),
    Column(
        "status",
        "Status",
        ("state",),
        lazy("Idé, Søker, Innvilget, Avslått, Trukket eller Fullført. Tom betyr Søker."),
    ),
    Column(
        "municipality_number",
        "Kommunenummer",
        ("municipality number", "municipality no", "kommunenr", "knr"),
        lazy("Fire sifre, for eksempel 5001. Én rad per kommune."),
    ),
    Column(
        "municipality",
        "Kommune",
        ("municipality", "municipality name", "kommunenavn"),
        lazy("Kommunens navn. Bare til å lese: importen bruker kommunenummeret."),
    ),
    Column(
        "role",
        "Rolle",
        ("role",),
        lazy("Søker (kommunen som leder søknaden, nøyaktig én per søknad) eller Partner."),
    ),
    Column(
        "amount_applied",
        "Søkt beløp",
        ("amount applied", "applied", "applied amount"),
        lazy("Hele kroner, for eksempel 250000."),
    ),
    Column(
        "amount_granted",
        "Innvilget beløp",
        ("amount granted", "granted", "granted amount"),
        lazy("Hele kroner. Bare for innvilget eller fullført."),
    ),
    Column(
        "body",
        "Råd eller nettverk",
        ("body", "council or network", "council", "network", "rad eller nettverk"),
        lazy("Regionrådet eller nettverket som står bak en felles søknad. Kan stå tom."),
    ),
    Column(
        "help_request",
        "Hjelpeforespørsel",
        ("help request", "help request number", "hjelpekorps"),
        lazy("Nummeret på en forespørsel til hjelpekorpset. Kan stå tom."),
    ),
    Column("notes", "Merknad", ("notes", "note", "merknader"), lazy("Fritekst.")),
)
BY_KEY = {c.key: c for c in COLUMNS}
KEYS = tuple(c.key for c in COLUMNS)
REQUIRED = ("scheme", "year", "municipality_number")
# The record's own columns; the others belong to one municipality's row.
RECORD_KEYS = (
    "scheme",
    "call",
    "year",
    "title",
    "status",
    "amount_applied",
    "amount_granted",
    "body",
    "help_request",
    "notes",
)
# ParticipationForm's fields → the column a refusal is reported in.
FIELD_COLUMNS = {
    "scheme_id": "scheme",
    "call_id": "call",
    "year": "year",
    "title": "title",
    "status": "status",
    "amount_applied": "amount_applied",
    "amount_granted": "amount_granted",
    "lead": "municipality_number",
    "partners": "municipality_number",
    "body_id": "body",
    "help_request_number": "help_request",
    "notes": "notes",
}

# What a file says for a role (the page's "Søker (leder)" is longer than a cell needs).
FILE_ROLE = {"lead": lazy("Søker"), "partner": lazy("Partner")}
assert set(FILE_ROLE) == set(PARTICIPATION_ROLES)
assert set(STATUS_LABELS) == set(PARTICIPATION_STATUSES)


HEADINGS: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.heading, _column.key, *_column.aliases):
        HEADINGS.setdefault(fold(_name), _column.key)


STATUS_WORDS = vocabulary(STATUS_LABELS, {"ide": "idea", "soknad": "applying"})
ROLE_WORDS = vocabulary(FILE_ROLE, {}) | vocabulary(
    {**ROLE_LABELS},
    {
        "søker": "lead",
        "leder": "lead",
        "hovedsøker": "lead",
        "lead applicant": "lead",
        "applicant": "lead",
        "deltaker": "partner",
        "medsøker": "partner",
    },
)


def status_code(text: str) -> str | None:
    return STATUS_WORDS.get(fold(text))


def role_code(text: str) -> str | None:
    return ROLE_WORDS.get(fold(text))


def name_key(name: str) -> str:
    """A name as rows are matched by it: spaces collapsed, case folded (not æøå)."""
    return " ".join(name.split()).casefold()


# --- amounts -------------------------------------------------------------------------------

_DIGITS = re.compile(r"-?\d+")
_DOT_THOUSANDS = re.compile(r"-?\d{1,3}(?:\.\d{3})+")
_ZERO_ORE = re.compile(r"(-?\d+)[.,]00?")


def parse_kroner(text: str) -> int:
    """``250000``, ``250 000``, ``250.000``, ``kr 250 000,-`` or ``250000,00`` → 250000;
    anything else (øre, words) raises ValueError."""
    value = text.casefold().replace("\u2212", "-")
    for space in ("\u00a0", "\u202f", "\u2009", " "):
        value = value.replace(space, "")
    value = value.removeprefix("kr").removeprefix("nok").removeprefix(".")
    value = value.removesuffix(",-").removesuffix("kr").removesuffix("nok")
    if _DOT_THOUSANDS.fullmatch(value):
        value = value.replace(".", "")
    match = _ZERO_ORE.fullmatch(value)
    if match:
        value = match.group(1)
    if not _DIGITS.fullmatch(value):
        raise ValueError(text)
    return int(value)


# --- XLSX ----------------------------------------------------------------------------------

Cell = str | int | None
_PLAIN = frozenset({"id", "year", "help_request"})  # numbers shown without thousands spaces


def to_csv_rows(rows: Iterable[Sequence[Cell]]) -> list[list[str]]:
    return [["" if v is None else str(v) for v in row] for row in rows]


def to_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    explanation: Sequence[tuple[bool, Sequence[str]]] = (),
) -> bytes:
    """The data on the first sheet (what an import reads), headings bold and frozen; whole
    numbers as numbers (a spreadsheet sums them), all text as text (never a formula, and 0301
    keeps its zero). ``explanation`` rows, if any, on a second sheet: (bold?, cells)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    widths = [len(h) for h in headers]
    for col, heading in enumerate(headers, start=1):
        sheet.cell(row=1, column=col, value=heading).font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            if isinstance(value, int):
                cell = sheet.cell(row=r, column=col, value=value)
                cell.number_format = "0" if KEYS[col - 1] in _PLAIN else "#,##0"
                shown = len(str(value)) + 2
            else:
                text = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell = sheet.cell(row=r, column=col, value=text)
                cell.data_type = "s"
                shown = len(text)
            widths[col - 1] = max(widths[col - 1], min(shown, 60))
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=col).column_letter].width = width + 2
    sheet.freeze_panes = "A2"
    if explanation:
        notes = book.create_sheet(EXPLANATION_SHEET)
        for r, (bold, values) in enumerate(explanation, start=1):
            for col, text in enumerate(values, start=1):
                cell = notes.cell(row=r, column=col, value=ILLEGAL_CHARACTERS_RE.sub("", text))
                cell.data_type = "s"
                if bold:
                    cell.font = Font(bold=True)
        notes.column_dimensions["A"].width = 28
        notes.column_dimensions["B"].width = 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
