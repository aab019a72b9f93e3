"""The start page ("Til deg") across workspaces, for the hjelpekorps, meetings and innovations:
each module is asked once for all the person's workspaces (issue 16). Each workspace's items
must be what that workspace alone gives (titles, order, the limit per workspace, never another
workspace's), and the module must cost the same number of statements in one workspace as in
three."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from for_you import ForYou, ask, each_alone
from for_you import contexts as _contexts
from for_you import count as _count
from for_you import scope as _scope
from for_you import titles as _titles

from app import clock
from app.accounts.deps import Context
from app.clock import at, today, utcnow
from app.helpdesk import overview as helpdesk_overview
from app.helpdesk.models import Visit, VisitHelper
from app.innovations import overview as innovations_overview
from app.meetings import agenda
from app.meetings import overview as meetings_overview
from app.meetings.models import MeetingInvitee
from app.meetings.schemas import AgendaItemForm, DecisionForm
from app.registry import NeedsYou
from app.tenancy import scoped, set_db_scope
from factories import (
    accept_shares,
    add_body_member,
    add_member,
    adopt,
    assign_request,
    create_body,
    create_help_request,
    create_innovation,
    create_meeting,
    create_member,
    create_user,
    create_workspace,
    in_workspace,
    login,
    organisation,
    set_request,
    staff_principal,
)


def _ask(db, f: ForYou, ctxs: Sequence[Context]) -> dict[int, list[NeedsYou]]:
    return ask(db, f, ctxs, drop_empty=True)


def _each_alone(db, f: ForYou, ctxs: Sequence[Context]) -> dict[int, list[NeedsYou]]:
    return each_alone(db, f, ctxs, drop_empty=True)


def _sections(page: str) -> dict[str, str]:
    """The start page's part of each workspace, by slug."""
    marker = '<section class="card-section for-you" aria-labelledby="for-you-'
    out = {}
    for part in page.split(marker)[1:]:
        slug = part.split('"', 1)[0]
        out[slug] = part.split("</section>", 1)[0]
    return out


# --- the hjelpekorps -------------------------------------------------------------------------


def _visit(db, ws, req, user, place, minutes=0):
    with in_workspace(db, ws):
        starts = at(today()) + timedelta(hours=23, minutes=minutes)
        visit = Visit(
            workspace_id=ws.id,
            request_id=req.id,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=30),
            place=place,
        )
        db.add(visit)
        db.flush()
        db.add(VisitHelper(workspace_id=ws.id, visit_id=visit.id, user_id=user.id))


def _helpdesk_person(db):
    """Kari: a coordinator in one Trøndelag workspace, a helper in Vestland, and Osen's
    municipal user in another Trøndelag workspace, with requests waiting in each."""
    a = create_workspace(db, name="Trøndelag A")
    b = create_workspace(db, county="46", name="Vestland B")
    c = create_workspace(db, name="Trøndelag C")
    kari = create_user(db, name="Kari Flere Steder")
    add_member(db, a, kari, "coordinator")
    add_member(db, b, kari, "helper")
    add_member(db, c, kari, "municipal", municipality="5020")
    # A: eight nobody has taken (six shown, then "see all"), one of Kari's, one overdue
    for n in range(1, 9):
        create_help_request(db, a, title=f"A ny {n}")
    mine = create_help_request(db, a, title="A min sak")
    assign_request(db, a, mine, kari)
    set_request(db, a, mine, resolution_due_at=utcnow() + timedelta(days=3))
    _visit(db, a, mine, kari, "Rådhuset i Osen")
    late = create_help_request(db, a, title="A forsinket")
    assign_request(db, a, late, create_member(db, a, "helper"))
    set_request(db, a, late, resolution_due_at=utcnow() - timedelta(days=1))
    # B: two of Kari's (the sooner due first) and visits this week; one nobody has taken,
    # which a helper does not triage
    later = create_help_request(db, b, municipality="4601", title="B min senere")
    sooner = create_help_request(db, b, municipality="4601", title="B min snart")
    create_help_request(db, b, municipality="4601", title="B ny")
    for req, days in ((later, 5), (sooner, 1)):
        assign_request(db, b, req, kari)
        set_request(db, b, req, resolution_due_at=utcnow() + timedelta(days=days))
    # seven visits this week (six shown, the soonest), made in another order than they come
    for n in (3, 1, 7, 2, 6, 4, 5):
        _visit(db, b, sooner, kari, f"Bergen {n}", minutes=n)
    # C: Osen's open requests, the one waiting for Osen first; not Namsos'
    waiting = create_help_request(db, c, title="C venter")
    create_help_request(db, c, title="C åpen")
    set_request(db, c, waiting, state="waiting_for_municipality")
    create_help_request(db, c, municipality="5007", title="C Namsos")
    return kari, (a, b, c)


def test_helpdesk_lists_each_workspaces_requests_for_the_role_there(db):
    kari, (a, b, c) = _helpdesk_person(db)
    ctxs = _contexts(db, kari, (a, b, c))
    together = _ask(db, helpdesk_overview.for_you, ctxs)
    assert _titles(together[a.id]) == [
        "A min sak",
        "Besøk: Rådhuset i Osen",
        *(f"A ny {n}" for n in range(1, 7)),
        "Se alle i køen",
        "A forsinket",
    ]
    assert [i.group for i in together[a.id]][-2:] == ["Til vurdering", "Forsinket"]
    assert _titles(together[b.id]) == [
        "B min snart",
        "B min senere",
        *(f"Besøk: Bergen {n}" for n in range(1, 7)),
    ]
    assert "B min snart" in together[b.id][2].detail
    assert _titles(together[c.id]) == ["C venter", "C åpen"]
    assert together[c.id][0].urgent and together[c.id][0].action == "Svar hjelpekorpset"
    assert together == _each_alone(db, helpdesk_overview.for_you, ctxs)


def test_helpdesk_start_page_compares_due_times_with_each_views_own_time(db, monkeypatch):
    """The start page's statement is made once per process (``helpdesk.overview._read_query``),
    with the time as a parameter: requests whose due times pass show as overdue on the next
    view, though the statement is the same."""
    kari, (a, b, c) = _helpdesk_person(db)
    ctxs = _contexts(db, kari, (a, b, c))

    def overdue() -> list[str]:
        items = _ask(db, helpdesk_overview.for_you, ctxs)[a.id]
        return [i.title for i in items if i.group == "Forsinket"]

    assert overdue() == ["A forsinket"]
    before = helpdesk_overview._read_query.cache_info()
    # A month on, every open request is past its due times, whatever the holidays: the first
    # six by number are shown, and a link to see them all.
    later = utcnow() + timedelta(days=30)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    assert overdue() == [*(f"A ny {n}" for n in range(1, 7)), "Se alle i køen"]
    after = helpdesk_overview._read_query.cache_info()
    assert after.hits == before.hits + 1 and after.misses == before.misses  # the same statement


def test_helpdesk_start_page_statement_serves_each_person_their_own(db):
    """People whose start pages have the same shape share one statement: each sees their own
    workspace's requests, and a municipal user their own municipality's."""
    kari, (a, _b, c) = _helpdesk_person(db)
    nils = create_user(db, name="Nils i Namsos")
    add_member(db, c, nils, "municipal", municipality="5007")
    x = create_workspace(db, name="Trøndelag X")
    ola = create_user(db, name="Ola Koordinator")
    add_member(db, x, ola, "coordinator")
    create_help_request(db, x, title="X ny")

    def alone(user, ws) -> list[str]:
        return _titles(_ask(db, helpdesk_overview.for_you, _contexts(db, user, (ws,)))[ws.id])

    def made() -> int:
        return helpdesk_overview._read_query.cache_info().misses

    assert alone(kari, c) == ["C venter", "C åpen"]
    before = made()
    assert alone(nils, c) == ["C Namsos"]  # Kari's statement in C, his municipality
    assert made() == before
    assert alone(kari, a)[:2] == ["A min sak", "Besøk: Rådhuset i Osen"]
    before = made()
    assert alone(ola, x) == ["X ny"]  # Kari's statement in A, his workspace and person
    assert made() == before


def test_helpdesk_start_page_shows_each_workspaces_requests_under_its_name(client, db):
    kari, (a, b, c) = _helpdesk_person(db)
    login(client, kari)
    page = client.get(f"/{b.slug}").text
    parts = _sections(page)
    assert list(parts) == [b.slug, a.slug, c.slug]  # the current first, then by name
    in_a, in_b, in_c = parts[a.slug], parts[b.slug], parts[c.slug]
    assert all(f"A ny {n}<" in in_a for n in range(1, 7)) and "A ny 7" not in page
    assert "Se alle i køen" in in_a and f'href="/{a.slug}/hjelp?visning=ufordelt"' in in_a
    assert "A forsinket" in in_a and "A min sak" in in_a
    assert in_b.index("B min snart") < in_b.index("B min senere")
    assert "Besøk: Bergen 6" in in_b and "Bergen 7" not in page and "B ny" not in page
    assert "Besøk: Rådhuset i Osen" in in_a and "Rådhuset i Osen" not in in_b + in_c
    assert in_c.index("C venter") < in_c.index("C åpen") and "C Namsos" not in page
    for text, home in (("A min sak", in_a), ("B min snart", in_b), ("C åpen", in_c)):
        assert [part for part in parts.values() if text in part] == [home]


def test_helpdesk_costs_the_same_in_one_workspace_as_in_three(db, count_queries):
    kari, (a, b, c) = _helpdesk_person(db)
    one = _count(db, count_queries, helpdesk_overview.for_you, _contexts(db, kari, (a,)))
    three = _count(db, count_queries, helpdesk_overview.for_you, _contexts(db, kari, (a, b, c)))
    assert one == three == 1  # the lists and the visits of every workspace


# --- meetings --------------------------------------------------------------------------------


def _decide(db, ws, meeting, texts_due, responsible):
    with in_workspace(db, ws):
        item = agenda.add_item(
            db, ws, staff_principal(), meeting.id, AgendaItemForm(title=f"Sak {meeting.title}")
        )
        made = []
        for text, due in texts_due:
            form = DecisionForm(text=text, responsible_id=responsible.id, due_on=due)
            made.append(agenda.add_decision(db, ws, staff_principal(), meeting.id, item.id, form))
        return made


def _meetings_person(db):
    """Kari: a coordinator in Trøndelag A, a viewer in Vestland B, Osen's municipal user in
    Trøndelag C and KS's partner in Nordland D, responsible for decisions in each."""
    a = create_workspace(db, name="Trøndelag A")
    b = create_workspace(db, county="46", name="Vestland B")
    c = create_workspace(db, name="Trøndelag C")
    d_ = create_workspace(db, county="18", name="Nordland D")
    kari = create_user(db, name="Kari Flere Steder")
    add_member(db, a, kari, "coordinator")
    add_member(db, b, kari, "viewer")
    add_member(db, c, kari, "municipal", municipality="5020")
    ks = organisation(db, "KS")
    add_member(db, d_, kari, "partner", organisation_id=ks.id)
    other = create_member(db, a, "coordinator")
    # A: one overdue and 21 due later (20 of them shown, the soonest), one done, one not hers
    meeting = create_meeting(db, a, title="A-møtet")
    d = today()
    _decide(db, a, meeting, [("A forfalt", d - timedelta(days=2))], kari)
    _decide(
        db, a, meeting, [(f"A vedtak {n:02}", d + timedelta(days=n)) for n in range(1, 22)], kari
    )
    (done,) = _decide(db, a, meeting, [("A ferdig", d + timedelta(days=1))], kari)
    with in_workspace(db, a):
        agenda.set_done(db, a, staff_principal(), meeting.id, done.id, True)
    _decide(db, a, meeting, [("A ikke hennes", d)], other)
    # B: one of hers
    _decide(db, b, create_meeting(db, b, title="B-møtet"), [("B vedtak", d + timedelta(3))], kari)
    # C: the council Osen is in, and one it is not in (nor invited to)
    namdal = create_body(db, c, "Namdal regionråd")
    add_body_member(db, c, namdal, "5020")
    fosen = create_body(db, c, "Fosen regionråd")
    add_body_member(db, c, fosen, "5054")
    _decide(db, c, create_meeting(db, c, namdal, "C rådsmøte"), [("C vedtak rådet", None)], kari)
    _decide(db, c, create_meeting(db, c, fosen, "C Fosen"), [("C vedtak Fosen", None)], kari)
    # D: KS is the secretariat of one network and a plain member of another; neither meeting
    # invites KS (taken off), so only the network it is the secretariat of counts; a county
    # meeting KS is not invited to does not
    for name, role in (("D sekretariat", "secretariat"), ("D medlem", "member")):
        body = create_body(db, d_, f"Nettverk {name}", kind="network")
        add_body_member(db, d_, body, "1804")
        add_body_member(db, d_, body, organisation_id=ks.id, role=role)
        meeting = create_meeting(db, d_, body, f"{name}-møtet")
        with in_workspace(db, d_):
            for invitee in db.scalars(
                scoped(MeetingInvitee, d_.id).where(
                    MeetingInvitee.meeting_id == meeting.id,
                    MeetingInvitee.organisation_id == ks.id,
                )
            ):
                db.delete(invitee)
        _decide(db, d_, meeting, [(f"{name} vedtak", None)], kari)
    _decide(db, d_, create_meeting(db, d_, title="D fylket"), [("D fylket vedtak", None)], kari)
    return kari, (a, b, c, d_)


def test_meetings_list_each_workspaces_decisions_the_person_may_read(db):
    kari, (a, b, c, d_) = _meetings_person(db)
    ctxs = _contexts(db, kari, (a, b, c, d_))
    together = _ask(db, meetings_overview.for_you, ctxs)
    assert _titles(together[a.id]) == ["A forfalt", *(f"A vedtak {n:02}" for n in range(1, 20))]
    assert together[a.id][0].urgent and not together[a.id][1].urgent
    assert _titles(together[b.id]) == ["B vedtak"]
    assert together[b.id][0].detail == "B-møtet"
    assert _titles(together[c.id]) == ["C vedtak rådet"]
    assert _titles(together[d_.id]) == ["D sekretariat vedtak"]
    assert together == _each_alone(db, meetings_overview.for_you, ctxs)


def test_meetings_where_the_person_sees_every_meeting_come_from_a_statement_made_once(db):
    """A coordinator sees every meeting of the workspace: their decisions come from a statement
    made once per process (``agenda._all_meetings_decisions_query``), and a second view makes
    nothing new."""
    kari, (a, _b, _c, _d) = _meetings_person(db)
    ctxs = _contexts(db, kari, (a,))
    first = _ask(db, meetings_overview.for_you, ctxs)
    before = agenda._all_meetings_decisions_query.cache_info()
    second = _ask(db, meetings_overview.for_you, ctxs)
    after = agenda._all_meetings_decisions_query.cache_info()
    assert _titles(first[a.id]) == ["A forfalt", *(f"A vedtak {n:02}" for n in range(1, 20))]
    assert first == second
    assert after.hits == before.hits + 1 and after.misses == before.misses


def test_meetings_start_page_shows_each_workspaces_decisions_under_its_name(client, db):
    kari, (a, b, c, d_) = _meetings_person(db)
    login(client, kari)
    page = client.get(f"/{a.slug}").text
    parts = _sections(page)
    assert list(parts) == [a.slug, d_.slug, c.slug, b.slug]
    assert "A vedtak 19" in parts[a.slug] and "A vedtak 20" not in page
    assert "A ferdig" not in page and "A ikke hennes" not in page
    assert [s for s, part in parts.items() if "B vedtak" in part] == [b.slug]
    assert [s for s, part in parts.items() if "C vedtak rådet" in part] == [c.slug]
    assert "C vedtak Fosen" not in page
    assert [s for s, part in parts.items() if "D sekretariat vedtak" in part] == [d_.slug]
    assert "D medlem vedtak" not in page and "D fylket vedtak" not in page


def test_meetings_cost_the_same_in_one_workspace_as_in_three(db, count_queries):
    kari, (a, b, c, d_) = _meetings_person(db)
    one = _count(db, count_queries, meetings_overview.for_you, _contexts(db, kari, (a,)))
    four = _count(db, count_queries, meetings_overview.for_you, _contexts(db, kari, (a, b, c, d_)))
    assert one == four == 1


# --- innovations -----------------------------------------------------------------------------


def _innovations_person(db):
    """Kari: Osen's municipal user in two Trøndelag workspaces, and Bergen's in Vestland,
    where a Buskerud council Bergen is in (shared with Vestland) uses a shared innovation."""
    t1 = create_workspace(db, name="Trøndelag 1")
    t2 = create_workspace(db, name="Trøndelag 2")
    v = create_workspace(db, county="46", name="Vestland V")
    buskerud = create_workspace(db, county="33", name="Buskerud")  # not Kari's
    kari = create_user(db, name="Kari Kommune")
    add_member(db, t1, kari, "municipal", municipality="5020")
    add_member(db, t2, kari, "municipal", municipality="5020")
    add_member(db, v, kari, "municipal", municipality="4601")
    # T1: Namdal (Osen, Namsos, Namsskogan): one used by two, five by one (four shown in all,
    # the most used first), one at home already, one archived
    council = create_body(db, t1, "Namdal regionråd")
    for number in ("5020", "5007", "5044"):
        add_body_member(db, t1, council, number)
    two = create_innovation(db, t1, "T1 postkasse", origin="5001")
    adopt(db, t1, two, "5007")
    adopt(db, t1, two, "5044")
    for n in range(1, 6):
        adopt(db, t1, create_innovation(db, t1, f"T1 løsning {n}", origin="5001"), "5007")
    home = create_innovation(db, t1, "T1 hjemme", origin="5001")
    adopt(db, t1, home, "5007")
    adopt(db, t1, home, "5020", status="planned")
    archived = create_innovation(db, t1, "T1 arkivert", origin="5001")
    adopt(db, t1, archived, "5007")
    adopt(db, t1, archived, "5044")
    from app.innovations import service as innovations

    with in_workspace(db, t1):
        innovations.set_archived(db, t1, archived.id, True)
    # T2: Osen with Steinkjer
    council2 = create_body(db, t2, "Innherred")
    add_body_member(db, t2, council2, "5020")
    add_body_member(db, t2, council2, "5006")
    adopt(db, t2, create_innovation(db, t2, "T2 vannmåler", origin="5006"), "5006")
    # V: Bergen in a Buskerud council shared with Vestland; Kongsberg uses a shared innovation
    shared_council = create_body(db, buskerud, "Kongsbergregionen")
    add_body_member(db, buskerud, shared_council, "3303")
    add_body_member(db, buskerud, shared_council, "4601")
    accept_shares(db, v)
    adopt(
        db,
        buskerud,
        create_innovation(db, buskerud, "Delt fra Buskerud", "3303", shared=True),
        "3303",
    )
    return kari, (t1, t2, v)


def test_innovations_list_each_workspaces_neighbours_use(db):
    kari, (t1, t2, v) = _innovations_person(db)
    ctxs = _contexts(db, kari, (t1, t2, v))
    together = _ask(db, innovations_overview.for_you, ctxs)
    assert _titles(together[t1.id]) == [
        "T1 postkasse",
        "T1 løsning 1",
        "T1 løsning 2",
        "T1 løsning 3",
    ]
    assert together[t1.id][0].detail == "I bruk i 2 kommuner du samarbeider med"
    assert _titles(together[t2.id]) == ["T2 vannmåler"]
    # a body shared with Vestland's county, read while the current workspace is in Trøndelag
    assert _titles(together[v.id]) == ["Delt fra Buskerud"]
    assert together == _each_alone(db, innovations_overview.for_you, ctxs)
    # the start page's scope is set back afterwards: Trøndelag 1's, reading the others too
    _scope(db, ctxs)
    innovations_overview.for_you(db, ctxs)
    assert db.info.get("samspill_db_scope_set") in (
        None,  # SQLite: no scope
        (str(t1.id), str(kari.id), "50", "{" + f"{t2.id},{v.id}" + "}"),
    )
    set_db_scope(db, workspace_id=None, user_id=None)


def test_innovations_start_page_shows_each_workspaces_under_its_name(client, db):
    kari, (t1, t2, v) = _innovations_person(db)
    login(client, kari)
    page = client.get(f"/{t1.slug}").text
    parts = _sections(page)
    assert list(parts) == [t1.slug, t2.slug, v.slug]
    assert "T1 løsning 3" in parts[t1.slug] and "T1 løsning 4" not in page
    assert "T1 hjemme" not in page and "T1 arkivert" not in page
    assert [s for s, part in parts.items() if "T2 vannmåler" in part] == [t2.slug]
    assert [s for s, part in parts.items() if "Delt fra Buskerud" in part] == [v.slug]


def test_innovations_cost_the_same_in_one_workspace_as_in_three_of_the_county(
    db, backend, count_queries
):
    kari, (t1, t2, v) = _innovations_person(db)
    t3 = create_workspace(db, name="Trøndelag 3")
    add_member(db, t3, kari, "municipal", municipality="5020")
    one = _count(db, count_queries, innovations_overview.for_you, _contexts(db, kari, (t1,)))
    three = _count(
        db, count_queries, innovations_overview.for_you, _contexts(db, kari, (t1, t2, t3))
    )
    assert one == three == 1
    # Another county's workspace: on PostgreSQL its shared councils are read under its own
    # scope (set, read, and the start page's set back: three more); on SQLite nothing more.
    other = _count(
        db, count_queries, innovations_overview.for_you, _contexts(db, kari, (t1, t2, v))
    )
    assert other == one + (3 if backend == "postgresql" else 0)
