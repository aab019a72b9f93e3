"""``networks.service.current_members``, which other modules ask for the memberships that hold,
runs a statement made once per process for each combination of narrowings (issue 16): the
workspace, its county, the day and the narrowings' values are parameters, so each workspace gets
what it sees — its own bodies and those shared with its county, once accepted — from the same
statement."""

from datetime import timedelta

from app.clock import today
from app.networks import service
from factories import accept_shares, add_body_member, create_body, create_workspace, in_workspace


def members(db, ws, **narrow):
    with in_workspace(db, ws):
        rows = service.current_members(db, ws, **narrow)
    return sorted((m.body_id, m.body_kind, m.municipality_number, m.role) for m in rows)


def made():
    return service._current_query.cache_info().misses


def test_each_workspace_gets_what_it_sees_from_one_statement(db):
    service._current_query.cache_clear()  # so that each narrowing's first use makes one
    buskerud = create_workspace(db, county="33", name="Buskerud test")
    telemark = create_workspace(db, county="40", name="Telemark test")
    trondelag = create_workspace(db, county="50", name="Trøndelag test")
    kr = create_body(db, buskerud, "Kongsbergregionen")
    add_body_member(db, buskerud, kr, "3303")
    add_body_member(db, buskerud, kr, "4005", role="observer")  # Notodden, Telemark
    suksit = create_body(db, buskerud, "SuksIT", "network", theme="digitalisation")
    add_body_member(db, buskerud, suksit, "3303")
    yesterday = today() - timedelta(days=1)
    add_body_member(
        db, buskerud, suksit, "3301", start=yesterday - timedelta(days=30), end=yesterday
    )
    own = create_body(db, trondelag, "Namdal regionråd")
    add_body_member(db, trondelag, own, "5007")

    everything = [
        (kr.id, "council", "3303", "member"),
        (kr.id, "council", "4005", "observer"),
        (suksit.id, "network", "3303", "member"),
    ]
    assert members(db, buskerud) == everything
    before = made()
    assert members(db, telemark) == []  # the share is not accepted yet
    assert members(db, trondelag) == [(own.id, "council", "5007", "member")]
    accept_shares(db, telemark)
    assert members(db, telemark) == everything[:2]  # the shared council, not the network
    assert made() == before  # Buskerud's statement, in each workspace and county

    # each narrowing: a statement of its own, made once, whatever the workspace
    assert members(db, buskerud, kind="network") == everything[2:]
    before = made()
    assert members(db, telemark, kind="network") == []
    assert members(db, trondelag, kind="council") == [(own.id, "council", "5007", "member")]
    assert members(db, telemark, municipality_number="4005") == [everything[1]]
    assert members(db, buskerud, body_id=suksit.id) == everything[2:]
    assert members(db, telemark, body_id=suksit.id) == []
    assert made() == before + 2  # the municipality's and the body's
    # the day is a parameter too: the ended membership held a week ago
    week_ago = today() - timedelta(days=7)
    assert members(db, buskerud, body_id=suksit.id, on=week_ago) == [
        (suksit.id, "network", "3301", "member"),
        (suksit.id, "network", "3303", "member"),
    ]
    assert made() == before + 2
