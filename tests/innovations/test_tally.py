"""The adoption tallies on both databases: they follow every change of an adoption (record,
change of status, delete, "we want this", a new origin), a full rebuild gives the same rows,
the spread page reads them, and another county's unshared data never shows."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.innovations import service, spread_service, tally
from app.innovations.models import AdoptionPair, AdoptionSpread
from app.innovations.schemas import AdoptionForm, InnovationForm
from app.tenancy import scoped, scoped_or_shared
from factories import (
    adopt,
    create_body,
    create_innovation,
    create_member,
    create_workspace,
    in_workspace,
    login,
    post,
    staff_principal,
)


@pytest.fixture
def vestland(db):
    return create_workspace(db, county="46", name="Vestland test")


def _spread_rows(db, ws):
    """This workspace's own spread tally: innovation → (in use, outside, on the way, left)."""
    with in_workspace(db, ws):
        return {
            r.innovation_id: (r.in_use, r.in_use_outside, r.on_the_way, r.abandoned)
            for r in db.scalars(scoped(AdoptionSpread, ws.id))
        }


def _pairs(db, ws):
    """This workspace's own per-municipality tally: (origin, municipality, status) → count."""
    with in_workspace(db, ws):
        return {
            (r.origin_number, r.municipality_number, r.status): r.innovations
            for r in db.scalars(scoped(AdoptionPair, ws.id))
        }


def _rebuilt(db, ws):
    """The tallies as a full recount gives them."""
    with in_workspace(db, ws):
        tally.refresh(db, ws)
    return _spread_rows(db, ws), _pairs(db, ws)


def _page(db, ws, **filters):
    with in_workspace(db, ws):
        councils = spread_service.council_choices(db, ws)
        f = spread_service.parse_filter(councils=councils, **filters)
        return spread_service.spread(db, ws, f, councils)


def test_the_tallies_follow_record_change_and_delete(db, ws):
    inn = create_innovation(db, ws, "Digital nattilsyn", origin="5020")
    adopt(db, ws, inn, "5021")
    adopt(db, ws, inn, "5022", status="planned")
    adopt(db, ws, inn, "5020")  # the origin itself is never counted
    assert _spread_rows(db, ws) == {inn.id: (1, 0, 1, 0)}
    assert _pairs(db, ws) == {("5020", "5021", "in_use"): 1, ("5020", "5022", "planned"): 1}
    # A change of status moves the count; a second innovation from the same origin adds up.
    adopt(db, ws, inn, "5022", status="abandoned", reason="For dyrt")
    other = create_innovation(db, ws, "Smart vannmåling", origin="5020")
    adopt(db, ws, other, "5021")
    assert _spread_rows(db, ws) == {inn.id: (1, 0, 0, 1), other.id: (1, 0, 0, 0)}
    assert _pairs(db, ws) == {("5020", "5021", "in_use"): 2, ("5020", "5022", "abandoned"): 1}
    rows = {m.number: m for m in _page(db, ws).municipalities}
    assert (rows["5021"].in_use, rows["5022"].abandoned, rows["5020"].made) == (2, 1, 2)
    # Deleting a record takes it out of both.
    with in_workspace(db, ws):
        gone = next(a for a in service.adoptions_of(db, ws, inn) if a.municipality_number == "5021")
        service.delete_adoption(db, ws, staff_principal(), gone.id)
    assert _spread_rows(db, ws) == {inn.id: (0, 0, 0, 1), other.id: (1, 0, 0, 0)}
    assert _pairs(db, ws) == {("5020", "5021", "in_use"): 1, ("5020", "5022", "abandoned"): 1}
    assert _rebuilt(db, ws) == (_spread_rows(db, ws), _pairs(db, ws))
    assert [(c.id, c.spread) for c in _page(db, ws).innovations] == [(other.id, 1), (inn.id, 0)]


def test_a_new_origin_moves_the_counts(db, ws):
    inn = create_innovation(db, ws, "Felles chatbot", origin="5020")
    adopt(db, ws, inn, "5021")
    adopt(db, ws, inn, "5001")
    with in_workspace(db, ws):
        service.update_innovation(
            db,
            ws,
            inn.id,
            InnovationForm(title="Felles chatbot", origin_municipality_number="5021"),
        )
        assert service.spread_of(db, ws, inn.id) == 1  # Oppdal is the origin now
    assert _spread_rows(db, ws) == {inn.id: (1, 0, 0, 0)}
    assert _pairs(db, ws) == {("5021", "5001", "in_use"): 1}  # nothing left under Osen
    # Made by a council (no origin municipality): every place counts.
    council = create_body(db, ws, "Testrådet", kind="council")
    with in_workspace(db, ws):
        service.update_innovation(
            db, ws, inn.id, InnovationForm(title="Felles chatbot", origin_body_id=council.id)
        )
    assert _pairs(db, ws) == {(None, "5001", "in_use"): 1, (None, "5021", "in_use"): 1}
    assert _rebuilt(db, ws) == (_spread_rows(db, ws), _pairs(db, ws))
    rows = {m.number: m for m in _page(db, ws).municipalities}
    assert (rows["5021"].in_use, rows["5001"].in_use) == (1, 1)


def test_we_want_this_counts_as_on_the_way(client, db, ws, vestland):
    theirs = create_innovation(db, vestland, "Vestlands løsning", origin="4601", shared=True)
    login(client, create_member(db, ws, "municipal"))  # Osen
    r = post(client, f"/{ws.slug}/innovasjoner/{theirs.id}/vi-vil-ha-denne")
    assert r.status_code == 303
    assert _spread_rows(db, ws) == {theirs.id: (0, 0, 1, 0)}
    assert _pairs(db, ws) == {("4601", "5020", "considering"): 1}
    rows = {m.number: m for m in _page(db, ws).municipalities}
    assert rows["5020"].under_way == 1
    # Vestland reads Trøndelag's tally of its shared innovation, not the per-municipality one.
    with in_workspace(db, vestland):
        seen = db.scalars(
            scoped_or_shared(AdoptionSpread, vestland.id, AdoptionSpread.innovation_id == theirs.id)
        ).all()
        assert [(t.workspace_id, t.on_the_way) for t in seen] == [(ws.id, 1)]


def test_spread_across_counties_counts_each_municipality_once(db, ws, vestland):
    shared = create_innovation(db, vestland, "Felles chatbot", origin="4601", shared=True)
    adopt(db, vestland, shared, "4602")
    adopt(db, vestland, shared, "5021")  # Oppdal, recorded by Vestland ...
    adopt(db, ws, shared, "5021")  # ... and by Trøndelag
    adopt(db, ws, shared, "5022")
    assert _spread_rows(db, vestland) == {shared.id: (2, 1, 0, 0)}
    assert _spread_rows(db, ws) == {shared.id: (2, 0, 0, 0)}
    with in_workspace(db, ws):
        assert service.spread_of(db, ws, shared.id) == 3  # Bergen's neighbour, Oppdal, Rennebu
    assert [(c.id, c.spread) for c in _page(db, ws).innovations] == [(shared.id, 3)]
    # The per-municipality totals are what Trøndelag recorded: Oppdal and Rennebu.
    rows = {m.number: m for m in _page(db, ws).municipalities}
    assert (rows["5021"].in_use, rows["5022"].in_use) == (1, 1)
    # Once Vestland stops sharing, its tally is no longer read here.
    with in_workspace(db, vestland):
        service.set_shared(db, vestland, shared.id, False)
    with in_workspace(db, ws):
        assert (
            db.scalars(
                service.visible_tallies(ws).where(AdoptionSpread.workspace_id == vestland.id)
            ).all()
            == []
        )


def test_another_countys_unshared_data_never_shows(client, db, ws, vestland):
    secret = create_innovation(db, vestland, "Hemmelig vestlandsløsning", origin="4601")
    adopt(db, vestland, secret, "4602")
    adopt(db, vestland, secret, "4611", status="planned")
    assert _spread_rows(db, vestland) == {secret.id: (1, 0, 1, 0)}
    assert _spread_rows(db, ws) == {} and _pairs(db, ws) == {}
    with in_workspace(db, ws):
        assert db.scalars(service.visible_tallies(ws)).all() == []
    s = _page(db, ws)
    assert s.innovations == [] and s.total == 0
    assert all((m.in_use, m.under_way, m.abandoned) == (0, 0, 0) for m in s.municipalities)
    login(client, create_member(db, ws, "coordinator"))
    page = client.get(f"/{ws.slug}/innovasjoner/spredning")
    assert page.status_code == 200 and "Hemmelig vestlandsløsning" not in page.text


def test_archived_innovations_and_filters_agree_with_the_records(db, ws):
    kept = create_innovation(db, ws, "Kept", origin="5020", areas=["health_care"])
    old = create_innovation(db, ws, "Old", origin="5020", areas=["school"])
    for inn in (kept, old):
        adopt(db, ws, inn, "5021")
    with in_workspace(db, ws):
        service.set_archived(db, ws, old.id, True)
    rows = {m.number: m for m in _page(db, ws).municipalities}
    assert (rows["5021"].in_use, rows["5020"].made) == (1, 1)
    # A filter on the area is counted from the records, the same rule.
    rows = {m.number: m for m in _page(db, ws, area="health_care").municipalities}
    assert rows["5021"].in_use == 1
    assert {m.number: m.in_use for m in _page(db, ws, area="school").municipalities}["5021"] == 0


def test_postgres_policies_of_the_tallies(db, ws, vestland, backend):
    if backend != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    shown = create_innovation(db, ws, "Delt", shared=True)
    hidden = create_innovation(db, ws, "Hemmelig")
    adopt(db, ws, shown, "5021")
    adopt(db, ws, hidden, "5021")
    with in_workspace(db, vestland):
        ids = set(db.scalars(text("SELECT innovation_id FROM adoption_spread")))
        assert ids == {shown.id}
        assert db.scalar(text("SELECT count(*) FROM adoption_pair")) == 0
        assert db.execute(text("DELETE FROM adoption_spread")).rowcount == 0
    with in_workspace(db, ws):
        assert db.scalar(text("SELECT sum(innovations) FROM adoption_pair")) == 2


def test_recording_for_a_municipality_outside_the_county_is_flagged(db, ws, vestland):
    shared = create_innovation(db, ws, "Delt", origin="5020", shared=True)
    with in_workspace(db, vestland):
        service.record_adoption(
            db,
            vestland,
            staff_principal(),
            shared.id,
            AdoptionForm(municipality_number="5021", status="in_use"),
        )
    assert _spread_rows(db, vestland) == {shared.id: (1, 1, 0, 0)}
    with in_workspace(db, ws):
        assert service.spread_of(db, ws, shared.id) == 1
