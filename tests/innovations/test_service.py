"""The registry's rules on both databases: what a county sees of another's innovations,
adoptions counted across counties, spread, and the municipal user's own records."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.errors import Forbidden, InvalidInput, NotFound
from app.innovations import service
from app.innovations.schemas import AdoptionForm, InnovationForm, SpreadTargetForm
from factories import (
    add_body_member,
    adopt,
    create_body,
    create_innovation,
    create_workspace,
    in_workspace,
    staff_principal,
)


@pytest.fixture
def vestland(db):
    return create_workspace(db, county="46", name="Vestland test")


def test_unshared_innovations_stay_in_their_workspace(db, ws, vestland):
    inn = create_innovation(db, ws, "Digital postkasse", internal_note="Intern vurdering")
    with in_workspace(db, vestland):
        with pytest.raises(NotFound):
            service.get_innovation(db, vestland, inn.id)
        rows, total = service.registry(db, vestland, staff_principal())
        assert total == 0 and rows == []


def test_a_shared_innovation_is_read_only_elsewhere_and_adoptions_count_across(db, ws, vestland):
    inn = create_innovation(db, ws, "Felles innbyggerdialog", origin="5020", shared=True)
    adopt(db, ws, inn, "5021")  # Indre Fosen? a Trøndelag municipality other than the origin
    adopt(db, ws, inn, "5020")  # the origin itself does not count as spread
    adopt(db, vestland, inn, "4601")  # Bergen, recorded by Vestland
    with in_workspace(db, vestland):
        seen = service.get_innovation(db, vestland, inn.id)
        assert seen.title == "Felles innbyggerdialog"
        with pytest.raises(Forbidden):
            service.update_innovation(
                db,
                vestland,
                inn.id,
                InnovationForm(title="Endret", origin_municipality_number="5020"),
            )
        assert service.spread_of(db, vestland, inn.id) == 2
        rows, _n = service.registry(
            db, vestland, staff_principal(), service.RegistryFilter(scope="others")
        )
        assert [(r.innovation.id, r.spread, r.own) for r in rows] == [(inn.id, 2, False)]
    with in_workspace(db, ws):
        assert service.spread_of(db, ws, inn.id) == 2
        numbers = {
            a.municipality_number
            for a in service.adoptions_of(db, ws, service.get_innovation(db, ws, inn.id))
        }
        assert numbers == {"5020", "5021", "4601"}
        # Stop sharing: Vestland's adoption is no longer read or counted here.
        service.set_shared(db, ws, inn.id, False)
        assert service.spread_of(db, ws, inn.id) == 1
    with in_workspace(db, vestland), pytest.raises(NotFound):
        service.get_innovation(db, vestland, inn.id)


def test_adoption_rules(db, ws, vestland):
    inn = create_innovation(db, ws)
    with in_workspace(db, ws):
        with pytest.raises(InvalidInput) as err:
            service.record_adoption(
                db,
                ws,
                staff_principal(),
                inn.id,
                AdoptionForm(municipality_number="4601", status="planned"),
            )
        assert "municipality_number" in err.value.errors
        osen = staff_principal("municipal", "5020")
        service.record_adoption(
            db, ws, osen, inn.id, AdoptionForm(municipality_number="5020", status="planned")
        )
        with pytest.raises(Forbidden):
            service.record_adoption(
                db, ws, osen, inn.id, AdoptionForm(municipality_number="5021", status="planned")
            )
    with pytest.raises(ValueError, match="hvorfor"):
        AdoptionForm(municipality_number="5020", status="abandoned")


def test_registry_near_and_search(db, ws):
    council = create_body(db, ws, "Fosen regionråd test")
    for number in ("5020", "5054"):
        add_body_member(db, ws, council, number)
    near = create_innovation(db, ws, "Velferdsteknologi i hjemmetjenesten", origin="5001")
    adopt(db, ws, near, "5054")
    far = create_innovation(db, ws, "Smart vannmåling", origin="5001")
    osen = staff_principal("municipal", "5020")
    with in_workspace(db, ws):
        rows, _n = service.registry(db, ws, osen, service.RegistryFilter(near=True))
        assert [r.innovation.id for r in rows] == [near.id]
        rows, _n = service.registry(db, ws, osen, service.RegistryFilter(q="vannmåling"))
        assert [r.innovation.id for r in rows] == [far.id]
        targets = service.add_target(
            db, ws, near.id, SpreadTargetForm(body_id=council.id, channel="body")
        )
        plan = service.spread_plan(db, ws, service.get_innovation(db, ws, near.id))
        assert (
            plan[0].target.id == targets.id
            and plan[0].in_use == 1
            and len(plan[0].municipalities) == 2
        )


def test_postgres_policies_hold_for_the_app_role(db, ws, vestland, backend):
    if backend != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    hidden = create_innovation(db, ws, "Hemmelig", internal_note="intern")
    shown = create_innovation(db, ws, "Delt", shared=True)
    adopt(db, ws, shown, "5021")
    adopt(db, ws, hidden, "5021")
    with in_workspace(db, vestland):
        titles = set(db.scalars(text("SELECT title FROM innovation")))
        assert titles == {"Delt"}
        assert db.scalar(text("SELECT count(*) FROM adoption")) == 1
        assert (
            db.execute(text(f"UPDATE innovation SET title = 'x' WHERE id = {shown.id}")).rowcount
            == 0
        )
        assert db.execute(text("DELETE FROM adoption")).rowcount == 0
