"""A request's page for the help corps (issue 15, friction 5): every form answers only the parts
it changed to htmx and a redirect to its section without; one control for the state; resolving
needs a closing message to the municipality; a helper's clashing visits are named."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func

from app import clock
from app.clock import OSLO
from app.helpdesk.models import HelpRequest, RequestMessage
from app.helpdesk.visits import service as visits
from app.tenancy import scoped, set_db_scope
from factories import create_help_request, create_member, in_workspace, login, post

HX = {"HX-Request": "true"}
CLOSING = "Søknaden er sendt inn. Si fra om dere trenger mer hjelp."


@pytest.fixture
def case(client, db, ws):
    """A request in progress, assigned to Henrik; the coordinator Kari is logged in."""
    coordinator = create_member(db, ws, "coordinator", name="Kari Koordinator")
    helper = create_member(db, ws, "helper", name="Henrik Hjelper")
    other = create_member(db, ws, "helper", name="Hanne Hjelper")
    municipal = create_member(db, ws, "municipal", name="Osen Kontakt", email="osen@kommune.no")
    req = create_help_request(db, ws, municipal, title="Søknad om midler")
    login(client, coordinator)
    url = f"/{ws.slug}/hjelp/{req.number}"
    triage = {"category": "funding", "priority": "normal", "assignees": str(helper.id)}
    assert post(client, f"{url}/vurdering", triage).status_code == 303
    assert post(client, f"{url}/status", {"state": "in_progress"}).status_code == 303

    class Case:
        pass

    c = Case()
    c.ws, c.url, c.number = ws, url, req.number
    c.coordinator, c.helper, c.other, c.municipal = coordinator, helper, other, municipal
    return c


def state_of(db, ws, number):
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    state = db.scalar(
        scoped(HelpRequest, ws.id)
        .where(HelpRequest.number == number)
        .with_only_columns(HelpRequest.state)
    )
    set_db_scope(db, workspace_id=None, user_id=None)
    return state


def in_days(n):
    return (clock.today() + timedelta(days=n)).isoformat()


def visit_form(day, start="10:00", end="12:00", helpers=(), place="Osen rådhus"):
    return {"day": day, "start": start, "end": end, "place": place, "helpers": list(helpers)}


def oob_ids(html):
    return re.findall(r'id="([\w-]+)"[^>]*hx-swap-oob="true"', html)


# (path under the request, form, the parts swapped (first: the form's own), its anchor, notice)
ACTIONS = [
    (
        "svar",
        {"body": "Vi ser på det."},
        ["svar", "meldinger", "fakta"],
        "samtale",
        "Svaret er sendt.",
    ),
    ("steg", {"step_title": "Kartlegg"}, ["plan", "historikk"], "plan", "Steget er lagt til."),
    ("tid", {"worked_on": "TODAY", "hours": "1,5"}, ["tid"], "tid", "Tiden er ført."),
    ("besok", visit_form("DAY"), ["besok", "historikk"], "besok", "Besøket er planlagt."),
    (
        "vurdering",
        {"category": "funding", "priority": "high", "assignees": "HELPER"},
        ["vurdering", "fakta", "ta", "status"],
        "vurdering",
        "Vurderingen er lagret.",
    ),
    (
        "status",
        {"state": "waiting_for_municipality"},
        ["status", "fakta", "meldinger"],
        "status",
        "Status er endret til «Venter på kommunen».",
    ),
]


def fill(form, case):
    out = {}
    for key, value in form.items():
        if isinstance(value, str):
            value = {"TODAY": clock.today().isoformat(), "DAY": in_days(3)}.get(value, value)
        out[key] = str(case.helper.id) if value == "HELPER" else value
    return out


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("path", "form", "parts", "anchor", "notice"), ACTIONS, ids=[a[0] for a in ACTIONS]
)
def test_each_action_answers_its_parts_or_a_redirect_to_its_section(
    case, client, htmx, path, form, parts, anchor, notice
):
    r = post(client, f"{case.url}/{path}", fill(form, case), headers=HX if htmx else {})
    if not htmx:
        assert r.status_code == 303, r.text[:500]
        assert r.headers["location"] == f"{case.url}#{anchor}"
        page = client.get(r.headers["location"]).text
        assert f'id="{anchor}"' in page and notice in page  # the flash, on the page
        return
    assert r.status_code == 200, r.text[:500]
    assert "<html" not in r.text and "<h1" not in r.text  # not the page: only its parts
    swapped = oob_ids(r.text)
    assert swapped[: len(parts)] == parts, swapped
    assert "request-live" in swapped  # what happened, read out
    live = re.search(r'id="request-live"[^>]*>([^<]*)<', r.text).group(1)
    assert live == notice
    own = r.text.split(f'id="{parts[1]}"')[0] if len(parts) > 1 else r.text
    assert notice in own  # shown in the form's own part, where the person is
    # The parts the action changed show the change.
    page = client.get(case.url).text
    for key, value in fill(form, case).items():
        if key in ("body", "step_title", "place"):
            assert value in r.text and value in page


def test_a_refused_form_comes_back_as_its_part_with_the_message(case, client):
    r = post(client, f"{case.url}/steg", {"step_title": ""}, headers=HX)
    assert r.status_code == 422
    assert oob_ids(r.text) == ["plan", "request-live"]
    assert 'aria-invalid="true"' in r.text and "Feltet må fylles ut." in r.text
    r = post(client, f"{case.url}/steg", {"step_title": ""})
    assert r.status_code == 422 and "<html" in r.text and "Feltet må fylles ut." in r.text


def test_taking_a_request_redraws_the_whole_case(client, db, ws):
    helper = create_member(db, ws, "helper")
    req = create_help_request(db, ws)
    login(client, helper)
    url = f"/{ws.slug}/hjelp/{req.number}"
    assert "Ta saken" in client.get(url).text
    r = post(client, f"{url}/ta", headers=HX)
    assert r.status_code == 200 and oob_ids(r.text)[0] == "sak"
    assert "Ta saken" not in r.text and "Skriv et svar" in r.text and "Legg til steg" in r.text
    assert "Saken er tildelt deg." in r.text


def test_the_state_has_one_control(case, client, db):
    page = client.get(case.url).text
    assert page.count(f'action="{case.url}/status"') == 1
    assert page.count('name="state"') == 2  # "Venter på kommunen" and "Løst", in that form
    status_form = re.search(rf'<form[^>]*action="{case.url}/status".*?</form>', page, re.S)
    assert 'value="waiting_for_municipality"' in status_form.group(0)
    assert 'value="resolved"' in status_form.group(0)
    # Triage and assignment are not offered as states beside the triage form that sets them.
    assert 'value="triaged"' not in page and 'value="assigned"' not in page
    # A new request: its state comes from the triage, and the page says so.
    fresh = create_help_request(db, case.ws, case.municipal)
    page = client.get(f"/{case.ws.slug}/hjelp/{fresh.number}").text
    assert 'name="state"' not in page and "Lagre vurdering" in page


def messages(db, ws):
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    n = db.scalar(scoped(RequestMessage, ws.id).with_only_columns(func.count()))
    set_db_scope(db, workspace_id=None, user_id=None)
    return n


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_resolving_needs_a_closing_message(case, client, db, htmx):
    headers = HX if htmx else {}
    before = messages(db, case.ws)
    r = post(client, f"{case.url}/status", {"state": "resolved", "message": " "}, headers=headers)
    assert r.status_code == 422
    assert "Skriv en avslutningsmelding til kommunen" in r.text
    assert 'id="f-message" name="message"' in r.text and 'aria-invalid="true"' in r.text
    if htmx:
        assert oob_ids(r.text) == ["status", "request-live"]
    assert state_of(db, case.ws, case.number) == "in_progress"
    assert messages(db, case.ws) == before


def test_resolving_with_a_message_tells_the_requester(case, client, db, smtp, deliver):
    deliver()
    smtp.messages.clear()
    r = post(client, f"{case.url}/status", {"state": "resolved", "message": CLOSING}, headers=HX)
    assert r.status_code == 200
    assert state_of(db, case.ws, case.number) == "resolved"
    # The message is in the conversation (swapped in) and the state in the header.
    assert CLOSING in r.text.split('id="meldinger"')[1]
    assert re.search(r'id="fakta".*?state-tag">Løst<', r.text, re.S)
    assert "Oppfølging av gevinster" in r.text  # the follow-up appears once resolved
    # The municipality sees it as a reply from the help corps, and gets it by mail.
    client.cookies.clear()
    login(client, case.municipal)
    page = client.get(case.url).text
    assert CLOSING in page and "Hvor fornøyd er dere med hjelpen?" in page
    deliver()
    to_requester = [m for m in smtp.messages if m["To"] == case.municipal.email]
    assert len(to_requester) == 1, [m["Subject"] for m in to_requester]
    assert "Løst" in to_requester[0]["Subject"]
    assert CLOSING in to_requester[0].get_payload(decode=True).decode()


# --- clashing visits -----------------------------------------------------------------------


def at(day, hh_mm):
    h, m = (int(x) for x in hh_mm.split(":"))
    d = clock.today() + timedelta(days=day)
    return datetime(d.year, d.month, d.day, h, m, tzinfo=OSLO).astimezone(UTC)


def test_clashes_are_overlaps_of_the_same_helper(case, client, db):
    r = post(
        client, f"{case.url}/besok", visit_form(in_days(2), "10:00", "12:00", [case.helper.id])
    )
    assert r.status_code == 303
    helper, other = case.helper.id, case.other.id
    with in_workspace(db, case.ws):
        found = visits.clashes(db, case.ws, {helper}, at(2, "11:00"), at(2, "13:00"))
        assert [(c.helper.id, c.visit.place) for c in found] == [(helper, "Osen rådhus")]
        assert "Henrik Hjelper har besøk" in found[0].text() and "10:00–12:00" in found[0].text()
        assert visits.clashes(db, case.ws, {helper}, at(2, "09:00"), at(2, "13:00"))  # inside
        # Touching ends are no clash, nor another helper, nor another day.
        assert visits.clashes(db, case.ws, {helper}, at(2, "12:00"), at(2, "13:00")) == []
        assert visits.clashes(db, case.ws, {helper}, at(2, "08:00"), at(2, "10:00")) == []
        assert visits.clashes(db, case.ws, {other}, at(2, "10:00"), at(2, "12:00")) == []
        assert visits.clashes(db, case.ws, {helper}, at(3, "10:00"), at(3, "12:00")) == []


def test_a_clashing_visit_is_warned_of_and_may_be_planned_anyway(case, client, db):
    elsewhere = create_help_request(db, case.ws, title="Annen kommune")
    first = f"/{case.ws.slug}/hjelp/{elsewhere.number}"
    triage = {"category": "funding", "priority": "normal", "assignees": str(case.helper.id)}
    post(client, f"{first}/vurdering", triage)
    day = in_days(4)
    r = post(
        client, f"{first}/besok", visit_form(day, "09:00", "11:00", [case.helper.id], "Namsos")
    )
    assert r.status_code == 303

    wanted = visit_form(day, "10:30", "12:00", [case.helper.id, case.other.id])
    for headers in (HX, {}):
        r = post(client, f"{case.url}/besok", wanted, headers=headers)
        assert r.status_code == 422
        assert "En hjelper har et annet besøk på samme tid." in r.text
        when = f"{clock.today() + timedelta(days=4):%d.%m.%Y} 09:00–11:00"
        assert f"Henrik Hjelper har besøk {when} i Namsos" in r.text
        assert f"HK-{elsewhere.number}: Annen kommune" in r.text
        assert "Planlegg likevel" in r.text
        assert 'value="10:30"' in r.text  # the form keeps what was typed
    assert "Osen rådhus" not in client.get(case.url).text

    r = post(client, f"{case.url}/besok", {**wanted, "despite_clash": "true"}, headers=HX)
    assert r.status_code == 200 and "Besøket er planlagt." in r.text
    # Both requests' visit lists name the clash.
    for url in (case.url, first):
        page = client.get(url).text
        assert "Kolliderer med:" in page, url
    page = client.get(case.url).text
    assert "Henrik Hjelper har besøk" in page and "i Namsos" in page
    # Another helper at the same time is no clash.
    r = post(client, f"{case.url}/besok", visit_form(day, "09:00", "11:00", [case.coordinator.id]))
    assert r.status_code == 303


def test_the_request_page_costs_the_same_whatever_its_visits(case, client, db, count_queries):
    def plan(n, offset):
        for i in range(n):
            day = in_days(2 + offset + i)
            form = visit_form(day, "10:00", "11:00", [case.helper.id], f"Sted {offset + i}")
            assert post(client, f"{case.url}/besok", form).status_code == 303
            # A clashing one, on purpose.
            clash = {**visit_form(day, "10:30", "11:30", [case.helper.id]), "despite_clash": "true"}
            assert post(client, f"{case.url}/besok", clash).status_code == 303
            post(client, f"{case.url}/svar", {"body": f"Svar {offset + i}"})

    def measure():
        client.get(case.url)
        with count_queries() as q:
            r = client.get(case.url)
            assert r.status_code == 200
        return q.count, r.text.count("Kolliderer med:")

    plan(1, 0)
    few, clashes_few = measure()
    plan(6, 10)
    many, clashes_many = measure()
    assert clashes_few == 2 and clashes_many == 14
    assert many == few
