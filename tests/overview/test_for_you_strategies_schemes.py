"""The start page ("Til deg") across workspaces, for strategies and funding schemes: each module
is asked once for all the person's workspaces (issue 16). Each workspace's items must be what
that workspace alone gives (titles, order, the limit per workspace, never another workspace's),
and the module must cost the same number of statements in one workspace as in three."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from for_you import ForYou, count
from for_you import ask as _ask
from for_you import contexts as _contexts
from for_you import each_alone as _each_alone
from for_you import scope as _scope
from for_you import titles as _titles

from app.accounts.deps import Context
from app.clock import today, utcnow
from app.schemes import overview as schemes_overview
from app.strategies import overview as strategies_overview
from app.strategies.models import FormalResponse
from app.strategies.schemas import MeasureForm
from app.tenancy import set_db_scope
from factories import (
    accept_shares,
    add_body_member,
    add_member,
    create_body,
    create_call,
    create_document,
    create_invitee,
    create_member,
    create_person,
    create_round,
    create_scheme,
    create_user,
    create_workspace,
    in_workspace,
    login,
    organisation,
)


def _round(db, ws, author, title, **kwargs):
    doc = create_document(db, ws, author, title=f"Strategi {title}", publish=True)
    return create_round(db, ws, author, doc, title=title, **kwargs)


def _measure(db, ws, author, title, days_late):
    from app.strategies import measures

    doc = create_document(db, ws, author, title=f"Plan {title}")
    with in_workspace(db, ws):
        measures.add(
            db,
            ws,
            doc.id,
            MeasureForm(
                title=title,
                owner="Rådgiver",
                deadline=today() - timedelta(days_late),
                status="planned",
            ),
        )


def _respond(db, ws, inv, sent: bool) -> None:
    with in_workspace(db, ws):
        db.add(
            FormalResponse(
                workspace_id=ws.id,
                round_id=inv.round_id,
                invitee_id=inv.id,
                body="Svar",
                submitted_at=utcnow() if sent else None,
            )
        )


# --- those who run consultations and edit the plans ----------------------------------------


def _staff_world(db):
    """A coordinator of Trøndelag and Vestland and a viewer in Nordland, with rounds closing
    soon and measures behind plan in each."""
    trondelag = create_workspace(db, name="Trøndelag test")
    vestland = create_workspace(db, county="46", name="Vestland test")
    nordland = create_workspace(db, county="18", name="Nordland test")
    person = create_user(db, name="KS-rådgiver")
    add_member(db, trondelag, person, "coordinator")
    add_member(db, vestland, person, "coordinator")
    add_member(db, nordland, person, "viewer")
    authors = {
        ws.id: create_member(db, ws, "coordinator") for ws in (trondelag, vestland, nordland)
    }
    # Trøndelag: eight rounds closing within two weeks (six are shown), in another order than
    # they were made; one closing later (not shown at all)
    for n, days in enumerate((9, 3, 12, 1, 5, 13, 2, 7)):
        _round(
            db, trondelag, authors[trondelag.id], f"T-høring {n}", ends_on=today() + timedelta(days)
        )
    _round(db, trondelag, authors[trondelag.id], "T-høring senere", ends_on=today() + timedelta(40))
    for n, late in enumerate((3, 30, 8)):
        _measure(db, trondelag, authors[trondelag.id], f"T-tiltak {n}", late)
    # Vestland: two rounds, seven measures behind plan (six are shown)
    _round(db, vestland, authors[vestland.id], "V-høring b", ends_on=today() + timedelta(6))
    _round(db, vestland, authors[vestland.id], "V-høring a", ends_on=today() + timedelta(4))
    for n, late in enumerate((2, 9, 1, 40, 5, 7, 3)):
        _measure(db, vestland, authors[vestland.id], f"V-tiltak {n}", late)
    # Nordland: the person only reads there; nothing waits for a viewer
    _round(db, nordland, authors[nordland.id], "N-høring", ends_on=today() + timedelta(2))
    _measure(db, nordland, authors[nordland.id], "N-tiltak", 4)
    return person, (trondelag, vestland, nordland)


def test_staff_see_each_workspaces_rounds_and_measures_as_there_alone(db):
    person, workspaces = _staff_world(db)
    trondelag, vestland, nordland = workspaces
    ctxs = _contexts(db, person, workspaces)
    together = _ask(db, strategies_overview.for_you, ctxs)
    assert together == _each_alone(db, strategies_overview.for_you, ctxs)
    t = _titles(together[trondelag.id])
    assert t == [f"T-høring {n}" for n in (3, 6, 1, 4, 7, 0)] + [f"T-tiltak {n}" for n in (1, 2, 0)]
    v = _titles(together[vestland.id])
    assert v == ["V-høring a", "V-høring b"] + [f"V-tiltak {n}" for n in (3, 1, 5, 4, 6, 0)]
    assert together[nordland.id] == []


def test_staff_start_page_lists_each_workspace_under_its_own_name(client, db):
    person, (_trondelag, vestland, _nordland) = _staff_world(db)
    login(client, person)
    page = client.get(f"/{vestland.slug}").text
    # Vestland's items first (the current workspace), each group in the module's order
    assert page.index("V-tiltak 3") < page.index("V-tiltak 1") < page.index("V-tiltak 6")
    assert page.index("V-høring a") < page.index("V-høring b") < page.index("T-høring 3")
    assert page.index("V-tiltak 6") < page.index("T-tiltak 1")
    assert page.index("T-høring 3") < page.index("T-høring 6") < page.index("T-høring 0")
    assert "T-høring senere" not in page and "N-høring" not in page and "N-tiltak" not in page
    assert "T-høring 2" not in page  # the seventh and eighth of Trøndelag are not shown
    assert "V-tiltak 2" not in page  # the seventh of Vestland is not shown


# --- those who respond to consultations ----------------------------------------------------


def test_a_respondent_sees_each_workspaces_rounds_with_the_state_of_their_response(db):
    """KS partner in Trøndelag and Vestland, coordinator in Nordland; a municipal user of
    Notodden is another story (below)."""
    ks = organisation(db, "KS")
    trondelag = create_workspace(db, name="Trøndelag test")
    vestland = create_workspace(db, county="46", name="Vestland test")
    nordland = create_workspace(db, county="18", name="Nordland test")
    person = create_user(db, name="KS-rådgiver")
    add_member(db, trondelag, person, "partner", organisation_id=ks.id)
    add_member(db, vestland, person, "partner", organisation_id=ks.id)
    add_member(db, nordland, person, "coordinator")
    authors = {
        ws.id: create_member(db, ws, "coordinator") for ws in (trondelag, vestland, nordland)
    }
    # Trøndelag: seven rounds KS is invited to (six shown), in the order of the invitations;
    # a draft in one and a sent response in another; a round KS is not invited to
    rounds = []
    for n, days in enumerate((20, 3, 11, 5, 30, 8, 2)):
        r = _round(
            db, trondelag, authors[trondelag.id], f"T-høring {n}", ends_on=today() + timedelta(days)
        )
        rounds.append(r)
    invs = [create_invitee(db, trondelag, r, "organisation", organisation_id=ks.id) for r in rounds]
    _respond(db, trondelag, invs[1], sent=False)
    _respond(db, trondelag, invs[2], sent=True)
    _round(db, trondelag, authors[trondelag.id], "T-ikke invitert")
    # Vestland: a council KS is a member of (invited, with a later deadline of its own), one it
    # is not a member of, and KS itself in another round
    council = create_body(db, vestland, "Vestlandsrådet")
    add_body_member(db, vestland, council, organisation_id=ks.id)
    other = create_body(db, vestland, "Sunnfjordrådet")
    add_body_member(db, vestland, other, "4647")
    v1 = _round(
        db, vestland, authors[vestland.id], "V-høring rådet", ends_on=today() + timedelta(4)
    )
    create_invitee(db, vestland, v1, "body", body_id=council.id, deadline=today() + timedelta(9))
    v2 = _round(db, vestland, authors[vestland.id], "V-høring annet råd")
    create_invitee(db, vestland, v2, "body", body_id=other.id)
    v3 = _round(db, vestland, authors[vestland.id], "V-høring KS", ends_on=today() + timedelta(6))
    ks_v3 = create_invitee(db, vestland, v3, "organisation", organisation_id=ks.id)
    _respond(db, vestland, ks_v3, sent=True)
    # Nordland: KS is invited there too, but the person is a coordinator there
    n1 = _round(db, nordland, authors[nordland.id], "N-høring", ends_on=today() + timedelta(30))
    create_invitee(db, nordland, n1, "organisation", organisation_id=ks.id)

    ctxs = _contexts(db, person, (vestland, trondelag, nordland))
    together = _ask(db, strategies_overview.for_you, ctxs)
    assert together == _each_alone(db, strategies_overview.for_you, ctxs)
    t = together[trondelag.id]
    assert _titles(t) == [f"T-høring {n}" for n in range(6)]
    details = {i.title: (i.detail, i.action, i.urgent) for i in t}
    assert details["T-høring 1"] == ("Høringssvaret er et utkast", "Fortsett på utkastet", True)
    assert details["T-høring 2"][0].startswith("Høringssvaret er sendt")
    assert details["T-høring 3"] == ("Høringssvaret er ikke påbegynt", "Skriv høringssvar", True)
    assert details["T-høring 0"][2] is False  # 20 days away
    v = together[vestland.id]
    assert _titles(v) == ["V-høring rådet", "V-høring KS"]
    assert v[0].due == today() + timedelta(9)  # the council's own deadline
    assert v[1].detail.startswith("Høringssvaret er sendt") and v[1].action == ""
    # Nordland: a coordinator there, so the round to follow (closing in 30 days) is not yet
    assert together[nordland.id] == []


def test_a_body_shared_from_another_county_counts_in_a_workspace_that_is_not_the_current(db):
    """Notodden (Telemark) is a member of Kongsbergregionen, a Buskerud council shared with
    Telemark. Its chief executive is also a coordinator in Trøndelag and opens the start page
    there: the Telemark round the council is invited to is theirs all the same."""
    buskerud = create_workspace(db, county="33", name="Buskerud test")
    telemark = create_workspace(db, county="40", name="Telemark test")
    trondelag = create_workspace(db, name="Trøndelag test")
    council = create_body(db, buskerud, "Kongsbergregionen")
    add_body_member(db, buskerud, council, "3303")
    add_body_member(db, buskerud, council, "4005")  # Notodden, Telemark
    accept_shares(db, telemark)
    person = create_user(db, name="Kommunedirektør Notodden")
    add_member(db, trondelag, person, "coordinator")
    add_member(db, telemark, person, "municipal", municipality="4005")
    author = create_member(db, telemark, "coordinator")
    r = _round(db, telemark, author, "Høring om regional plan", ends_on=today() + timedelta(5))
    create_invitee(db, telemark, r, "body", body_id=council.id)
    ctxs = _contexts(db, person, (trondelag, telemark))
    together = _ask(db, strategies_overview.for_you, ctxs)
    assert _titles(together[telemark.id]) == ["Høring om regional plan"]
    assert together == _each_alone(db, strategies_overview.for_you, ctxs)
    # the scope is the start page's again afterwards: Trøndelag's, reading Telemark too
    _scope(db, ctxs)
    strategies_overview.for_you(db, ctxs)
    assert db.info.get("samspill_db_scope_set") in (
        None,  # SQLite: no scope
        (str(trondelag.id), str(person.id), trondelag.county_number, "{" + str(telemark.id) + "}"),
    )
    set_db_scope(db, workspace_id=None, user_id=None)


# --- funding schemes -----------------------------------------------------------------------


def test_a_municipal_user_sees_each_workspaces_deadlines_in_their_areas_there(db):
    trondelag = create_workspace(db, name="Trøndelag test")
    vestland = create_workspace(db, county="46", name="Vestland test")
    nordland = create_workspace(db, county="18", name="Nordland test")
    person = create_user(db, email="kari@kommune.no", name="Kari Kommune")
    add_member(db, trondelag, person, "municipal", municipality="5020")
    add_member(db, vestland, person, "municipal", municipality="4601")
    add_member(db, nordland, person, "coordinator")
    # Trøndelag: the address book says Kari answers for climate; three climate calls among
    # seven; Vestland: not in the address book there, so the first five of all
    create_person(db, trondelag, "Kari Kommune", municipality="5020", areas=["climate"])
    create_person(db, vestland, "Kari Kommune", municipality="4647", areas=["school"])
    climate = create_scheme(db, trondelag, "Klimamidler", areas=["climate"])
    school = create_scheme(db, trondelag, "Skolemidler", areas=["school"])
    for n, days in enumerate((10, 3, 20, 5, 8, 1, 15)):
        create_call(
            db,
            trondelag,
            climate if n % 2 else school,
            deadline=today() + timedelta(days),
            title=f"T{n}",
        )
    fund = create_scheme(db, vestland, "Vestlandsfondet", areas=["school"])
    for n, days in enumerate((9, 2, 14, 4, 6, 30, 11)):
        create_call(db, vestland, fund, deadline=today() + timedelta(days), title=f"V{n}")
    create_call(db, vestland, fund, deadline=today() + timedelta(70), title="V-senere")
    nfund = create_scheme(db, nordland, "Nordlandsfondet")
    create_call(db, nordland, nfund, deadline=today() + timedelta(3), title="N0")

    ctxs = _contexts(db, person, (vestland, trondelag, nordland))
    together = _ask(db, schemes_overview.for_you, ctxs)
    assert together == _each_alone(db, schemes_overview.for_you, ctxs)
    assert _titles(together[trondelag.id]) == [
        "Klimamidler – T5",
        "Klimamidler – T1",
        "Klimamidler – T3",
    ]
    assert _titles(together[vestland.id]) == [f"Vestlandsfondet – V{n}" for n in (1, 3, 4, 0, 6)]
    assert together[nordland.id] == []


# --- the cost: as many statements in one workspace as in three ------------------------------


def _counts(db, count_queries, for_you: ForYou, ctxs: Sequence[Context]) -> list[int]:
    return [count(db, count_queries, for_you, ctxs[:n]) for n in (1, len(ctxs))]


def test_strategies_costs_the_same_for_staff_in_one_workspace_as_in_three(db, count_queries):
    person, (trondelag, vestland, nordland) = _staff_world(db)
    ctxs = _contexts(db, person, (trondelag, vestland, nordland))
    one, three = _counts(db, count_queries, strategies_overview.for_you, ctxs)
    assert one == three == 2


def test_strategies_costs_the_same_for_a_respondent_in_one_workspace_as_in_three(db, count_queries):
    ks = organisation(db, "KS")
    workspaces = [
        create_workspace(db, county=county, name=f"Fylke {county}") for county in ("50", "46", "18")
    ]
    person = create_user(db, name="KS-rådgiver")
    for ws in workspaces:
        add_member(db, ws, person, "partner", organisation_id=ks.id)
        author = create_member(db, ws, "coordinator")
        for n in range(3):
            r = _round(db, ws, author, f"Høring {ws.county_number}-{n}")
            inv = create_invitee(db, ws, r, "organisation", organisation_id=ks.id)
            if n:
                _respond(db, ws, inv, sent=n == 2)
    ctxs = _contexts(db, person, workspaces)
    assert all(len(v) == 3 for v in _ask(db, strategies_overview.for_you, ctxs).values())
    one, three = _counts(db, count_queries, strategies_overview.for_you, ctxs)
    assert one == three == 1  # rounds, invitees and responses together


def test_schemes_costs_the_same_in_one_workspace_as_in_three(db, count_queries):
    workspaces = [
        create_workspace(db, county=county, name=f"Fylke {county}") for county in ("50", "46", "18")
    ]
    numbers = {"50": "5020", "46": "4601", "18": "1804"}
    person = create_user(db, email="ola@kommune.no", name="Ola Kommune")
    for ws in workspaces:
        add_member(db, ws, person, "municipal", municipality=numbers[ws.county_number])
        create_person(
            db, ws, "Ola Kommune", municipality=numbers[ws.county_number], areas=["climate"]
        )
        fund = create_scheme(db, ws, f"Fond {ws.county_number}", areas=["climate"])
        create_call(db, ws, fund, deadline=today() + timedelta(5))
    ctxs = _contexts(db, person, workspaces)
    assert all(len(v) == 1 for v in _ask(db, schemes_overview.for_you, ctxs).values())
    one, three = _counts(db, count_queries, schemes_overview.for_you, ctxs)
    assert one == three == 2  # the areas, then the calls


def test_measures_are_read_through_the_scoped_helper(db):
    """The start page reads Measure rows of several workspaces (scoped_in): the session's scope
    check lets them through, and a measure of a workspace the person is not in never shows."""
    person, (trondelag, vestland, _nordland) = _staff_world(db)
    stranger = create_workspace(db, county="03", name="Oslo test")
    author = create_member(db, stranger, "coordinator")
    _measure(db, stranger, author, "O-tiltak", 5)
    ctxs = _contexts(db, person, (trondelag, vestland))
    together = _ask(db, strategies_overview.for_you, ctxs)
    assert set(together) == {trondelag.id, vestland.id}
    assert "O-tiltak" not in {i.title for items in together.values() for i in items}


def test_a_respondent_with_invited_bodies_in_three_counties_costs_a_bounded_number(
    db, backend, count_queries
):
    """KS in a council of each of three counties, each council invited to a round there: the
    bodies KS is a member of are one statement for all three on SQLite. On PostgreSQL a
    workspace of another county is read under its own scope (a body shared by a third county
    is visible only there): one statement and one scope change each, and one to set back."""
    ks = organisation(db, "KS")
    workspaces = [
        create_workspace(db, county=county, name=f"Fylke {county}") for county in ("50", "46", "18")
    ]
    person = create_user(db, name="KS-rådgiver")
    for ws in workspaces:
        add_member(db, ws, person, "partner", organisation_id=ks.id)
        author = create_member(db, ws, "coordinator")
        council = create_body(db, ws, f"Rådet {ws.county_number}")
        add_body_member(db, ws, council, organisation_id=ks.id)
        r = _round(db, ws, author, f"Rådshøring {ws.county_number}")
        create_invitee(db, ws, r, "body", body_id=council.id)
    ctxs = _contexts(db, person, workspaces)
    together = _ask(db, strategies_overview.for_you, ctxs)
    assert {k: _titles(v) for k, v in together.items()} == {
        ws.id: [f"Rådshøring {ws.county_number}"] for ws in workspaces
    }
    assert together == _each_alone(db, strategies_overview.for_you, ctxs)
    one, three = _counts(db, count_queries, strategies_overview.for_you, ctxs)
    assert one == 2  # the invitations, then the bodies
    assert three == (one if backend == "sqlite" else one + 2 * 2 + 1)


def test_rounds_and_measures_follow_each_views_day_from_statements_made_once(db, monkeypatch):
    """The rounds to follow and the measures behind plan come from a statement made once per
    process for each number of workspaces (``_first_query``), and a document's figures from one
    of their own, with the day and the workspaces as parameters: as the days pass, the same
    statements show a round as closing soon, then as closed, and a measure as behind plan; and
    they serve a coordinator of another workspace their own."""
    from app import clock
    from app.strategies import measures
    from app.strategies.models import Measure
    from app.tenancy import scoped

    strategies_overview._first_query.cache_clear()
    trondelag = create_workspace(db, name="Trøndelag klokke")
    vestland = create_workspace(db, county="46", name="Vestland klokke")
    kari = create_member(db, trondelag, "coordinator")
    ola = create_member(db, vestland, "coordinator")
    _round(db, trondelag, kari, "Høring om tjue dager", ends_on=today() + timedelta(20))
    _measure(db, trondelag, kari, "Tiltak om ti dager", -10)  # its deadline is ten days on
    _measure(db, vestland, ola, "Vestlands tiltak", -10)

    def seen(person, ws) -> list[tuple[str, str]]:
        items = _ask(db, strategies_overview.for_you, _contexts(db, person, [ws]))[ws.id]
        return [(i.title, i.detail) for i in items]

    def overdue(ws) -> int:
        with in_workspace(db, ws):
            doc_id = db.scalar(scoped(Measure, ws.id).with_only_columns(Measure.document_id))
            return measures.figures(db, ws, doc_id).overdue

    assert seen(kari, trondelag) == [] and overdue(trondelag) == 0
    made = strategies_overview._first_query.cache_info().misses
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=11))
    assert seen(kari, trondelag) == [
        ("Høring om tjue dager", "Avsluttes snart"),
        ("Tiltak om ti dager", "Planlagt · ansvarlig: Rådgiver"),
    ]
    assert overdue(trondelag) == 1
    assert seen(ola, vestland) == [("Vestlands tiltak", "Planlagt · ansvarlig: Rådgiver")]
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=25))
    ended = (start + timedelta(days=20)).strftime("%d.%m.%Y")
    assert seen(kari, trondelag)[0] == (
        "Høring om tjue dager",
        f"Avsluttet {ended}: innspillene venter på svar",
    )
    assert strategies_overview._first_query.cache_info().misses == made
