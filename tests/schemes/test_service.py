"""The catalogue, calls and participation rules, on both databases."""

from __future__ import annotations

from datetime import date, time

import pytest

from app.accounts.permissions import actions_for
from app.accounts.principal import Principal
from app.errors import Forbidden, InvalidInput, NotFound
from app.schemes import reference, service
from app.schemes.models import Scheme
from app.schemes.schemas import CallForm, NoteForm, ParticipationForm, SchemeForm
from app.tenancy import scoped_with_national
from factories import (
    create_call,
    create_participation,
    create_scheme,
    create_workspace,
    in_workspace,
    national_scheme,
)

NATIONAL_KEYS = {
    "regionale-forskningsfond",
    "forkommune",
    "prosjektskjonnsmidler",
    "klimasats",
    "nasjonalt-velferdsteknologiprogram",
    "digifin",
    "leverandorutviklingsprogrammet",
}


def municipal(number: str) -> Principal:
    return Principal(
        user_id=None,
        name="k",
        email=None,
        actions=actions_for("municipal"),
        municipality_number=number,
    )


def test_the_seven_national_schemes_are_loaded_with_sources(db, ws):
    with in_workspace(db, ws):
        rows = service.catalogue(db, ws)
    keys = {r.scheme.key for r in rows if r.scheme.national}
    assert keys >= NATIONAL_KEYS
    for record in reference.national_records():
        assert record["sources"], record["key"]
        assert record["url"].startswith("https://")


def test_loading_the_catalogue_again_adds_nothing(db):
    assert reference.load_reference(db) == {"schemes": 0}


def test_national_records_are_read_only_and_notes_stay_local(db, ws):
    other = create_workspace(db, county="46", name="Vestland test")
    digifin = national_scheme(db)
    form = SchemeForm(name="Endret", level="national")
    with in_workspace(db, ws):
        with pytest.raises(Forbidden):
            service.update_scheme(db, ws, digifin.id, form)
        with pytest.raises(Forbidden):
            service.archive_scheme(db, ws, digifin.id, True)
        service.save_note(db, ws, digifin.id, NoteForm(contact_name="Kari", advice="Ring oss"))
    with in_workspace(db, other):
        assert service.get_note(db, other, digifin.id) is None
        assert service.get_scheme(db, other, digifin.id).name == digifin.name


def test_a_county_scheme_is_its_own(db, ws):
    other = create_workspace(db, county="46", name="Vestland test")
    own = create_scheme(db, ws, "Trøndelags fond", areas=["digitalisation"])
    with in_workspace(db, other):
        with pytest.raises(NotFound):
            service.get_scheme(db, other, own.id)
        names = {r.scheme.name for r in service.catalogue(db, other)}
    assert "Trøndelags fond" not in names
    with in_workspace(db, ws), pytest.raises(InvalidInput):
        service.create_scheme(db, ws, SchemeForm(name="trøndelags FOND"))


def test_a_deadline_before_opening_is_refused():
    with pytest.raises(ValueError, match="Fristen"):
        CallForm(title="2027", opens_on=date(2027, 3, 1), deadline_date=date(2027, 2, 1))


def test_a_call_copies_to_next_year_in_norwegian_time(db, ws):
    scheme = create_scheme(db, ws)
    call = create_call(
        db,
        ws,
        scheme,
        title="Utlysning 2026",
        opens_on=date(2026, 1, 10),
        deadline=date(2026, 6, 30),
        deadline_time=time(12, 0),
    )
    with in_workspace(db, ws):
        copy = service.copy_to_next_year(db, ws, call.id)
    from app.clock import local

    assert copy.title == "Utlysning 2027"
    assert copy.opens_on == date(2027, 1, 10)
    assert local(copy.deadline).date() == date(2027, 6, 30)
    assert local(copy.deadline).time() == time(12, 0)


def test_participation_rules(db, ws):
    digifin = national_scheme(db)
    record = create_participation(db, ws, digifin, "5020", ("5021",), amount_granted=100_000)
    assert {(m.municipality_number, m.role) for m in record.members} == {
        ("5020", "lead"),
        ("5021", "partner"),
    }
    base = {"scheme_id": digifin.id, "year": 2025, "lead": "5021"}
    with in_workspace(db, ws):
        # Osen's user may change a record Osen is part of, not one it is not in.
        service.update_participation(
            db, ws, municipal("5020"), record.id, ParticipationForm(**base, partners=["5020"])
        )
        other = create_participation(db, ws, digifin, "5001")
    with in_workspace(db, ws):
        with pytest.raises(Forbidden):
            service.update_participation(
                db, ws, municipal("5020"), other.id, ParticipationForm(**base)
            )
        with pytest.raises(InvalidInput) as err:
            service.create_participation(db, ws, municipal("5020"), ParticipationForm(**base))
        assert "lead" in err.value.errors
        with pytest.raises(InvalidInput) as err:
            service.create_participation(
                db, ws, municipal("5020"), ParticipationForm(**{**base, "lead": "9998"})
            )
        assert "lead" in err.value.errors


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError, match="negativt"):
        ParticipationForm(scheme_id=1, year=2025, lead="5020", amount_applied=-1)


def test_another_workspace_cannot_see_participation(db, ws):
    other = create_workspace(db, county="46", name="Vestland test")
    record = create_participation(db, ws, national_scheme(db))
    with in_workspace(db, other), pytest.raises(NotFound):
        service.get_participation(db, other, record.id)


def test_scoped_with_national_reads_both(db, ws):
    own = create_scheme(db, ws)
    with in_workspace(db, ws):
        ids = set(db.scalars(scoped_with_national(Scheme, ws.id).with_only_columns(Scheme.id)))
    assert own.id in ids and national_scheme(db).id in ids


def test_postgres_policies_let_a_workspace_read_but_not_write_national_rows(db, ws, backend):
    """Under row-level security (the app's ordinary role), a workspace sees the national
    schemes and another county's none, and cannot change, delete or add a national one."""
    if backend != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    from sqlalchemy import text

    other = create_workspace(db, county="46", name="Vestland test")
    theirs = create_scheme(db, other, "Vestlands fond")
    with in_workspace(db, ws):
        names = set(db.scalars(text("SELECT name FROM scheme")))
        assert "Vestlands fond" not in names and len(names) >= 7
        assert (
            db.execute(text("UPDATE scheme SET name = 'x' WHERE workspace_id IS NULL")).rowcount
            == 0
        )
        assert db.execute(text("DELETE FROM scheme WHERE workspace_id IS NULL")).rowcount == 0
        assert (
            db.execute(text(f"UPDATE scheme SET name = 'x' WHERE id = {theirs.id}")).rowcount == 0
        )
        with pytest.raises(Exception, match="row-level security"), db.begin_nested():
            db.execute(
                text(
                    "INSERT INTO scheme (workspace_id, key, name, owner, level, purpose, "
                    "eligible, co_funding, areas, url, status_note, reminder_days) VALUES "
                    "(NULL, 'falsk', 'Falsk', '', 'national', '', '', '', '[]', '', '', '[]')"
                )
            )
