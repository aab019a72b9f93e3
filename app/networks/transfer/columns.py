"""What the files hold: the datasets, their Norwegian column headings, and the values a stored
row has under those headings (what export writes and what an import row is merged onto)."""

from __future__ import annotations

from app.networks.models import Body, Person

DATASETS = ("organer", "medlemskap", "kontakter")
FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

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


def name_key(name: str) -> str:
    """A name as rows are matched by it: spaces collapsed, case folded."""
    return " ".join(name.split()).casefold()


def body_values(body: Body, names: dict[int, str]) -> dict[str, str]:
    """A stored body by heading; ``names`` gives the parent's name by id."""
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


def person_values(person: Person) -> dict[str, str]:
    """A stored contact by heading (``person.responsibilities`` must be loaded)."""
    return {
        "navn": person.name,
        "kommunenummer": person.municipality_number,
        "tittel": person.title,
        "e-post": person.email,
        "telefon": person.phone,
        "ansvarsområder": AREA_SEPARATOR.join(sorted(r.area for r in person.responsibilities)),
    }
