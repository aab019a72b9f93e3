"""Importing contacts: a row per person, matched by municipality and name; the areas of
responsibility are codes separated by ``|``."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.counties.models import Municipality, Workspace
from app.i18n import _
from app.networks import contacts as networks_contacts
from app.networks.labels import AREA_LABELS
from app.networks.models import Person
from app.networks.schemas import PersonForm
from app.networks.transfer.columns import (
    AREA_SEPARATOR,
    CONTACT_COLUMNS,
    name_key,
    person_values,
)
from app.networks.transfer.rows import (
    ImportResult,
    Record,
    known_code,
    municipality_number_of,
    required,
    validated,
)
from app.tenancy import scoped

PERSON_FIELDS = {
    "name": "navn",
    "municipality_number": "kommunenummer",
    "title": "tittel",
    "email": "e-post",
    "phone": "telefon",
    "areas": "ansvarsområder",
}


def import_contacts(
    session: Session, ws: Workspace, records: list[Record], result: ImportResult
) -> None:
    municipalities = set(session.scalars(select(Municipality.number)))
    stored: dict[tuple[str, str], list[Person]] = defaultdict(list)
    for person in session.scalars(
        scoped(Person, ws.id).options(selectinload(Person.responsibilities))
    ):
        stored[(person.municipality_number, name_key(person.name))].append(person)

    plans: dict[tuple[str, str], tuple[int, Person | None, PersonForm]] = {}
    for row, values in records:
        before = len(result.errors)
        name = required(values, "navn", row, result)
        number = municipality_number_of(required(values, "kommunenummer", row, result))
        if number and number not in municipalities:
            result.error(
                row, "kommunenummer", _("Kommunen {number} finnes ikke.").format(number=number)
            )
        if len(result.errors) > before:
            continue
        key = (number, name_key(name))
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
        merged = person_values(existing) if existing else dict.fromkeys(CONTACT_COLUMNS, "")
        merged.update(values)
        areas = [
            a.strip()
            for a in merged["ansvarsområder"].replace(",", AREA_SEPARATOR).split(AREA_SEPARATOR)
            if a.strip()
        ]
        codes = [known_code(a, AREA_LABELS, "ansvarsområder", row, result) for a in areas]
        if None in codes:
            continue
        form = validated(
            PersonForm,
            {
                "name": name,
                "municipality_number": number,
                "title": merged["tittel"],
                "email": merged["e-post"] or None,
                "phone": merged["telefon"],
                "areas": [c for c in codes if c],
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
            networks_contacts.create_person(session, ws, form)
            result.created += 1
        elif _person_differs(existing, form):
            networks_contacts.update_person(session, ws, existing.id, form)
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
