"""Helpers work the requests assigned to them. On an unassigned request or another helper's,
replies to the municipality, the plan, links, time, visits, status and files are refused (403,
with what to do instead) and nothing is saved; a helper takes an unassigned request, which
assigns it to them. Internal notes stay open to the whole help corps. Coordinators work every
request. Through the pages and the API alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func

from app import clock
from app.helpdesk.models import (
    HelpRequest,
    RequestAttachment,
    RequestLink,
    RequestMessage,
    RequestStep,
    TimeEntry,
    Visit,
)
from app.tenancy import scoped, set_db_scope
from factories import bearer, create_member, login, post

NOT_YOURS = "Saken er ikke tildelt deg. Ta saken først, eller be koordinatoren om å tildele den."
OTHERS = "Saken er tildelt en annen hjelper. Be koordinatoren om å tildele den til deg."
REQUEST = {
    "category": "funding",
    "title": "Søknad til Forkommune",
    "description": "Vi trenger hjelp med en søknad.",
}
PDF = b"%PDF-1.4\n%%EOF\n"


def count(db, ws, model) -> int:
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    n = db.scalar(scoped(model, ws.id).with_only_columns(func.count()))
    set_db_scope(db, workspace_id=None, user_id=None)
    return n or 0


def state_of(db, ws, number: int) -> str:
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    state = db.scalar(
        scoped(HelpRequest, ws.id)
        .where(HelpRequest.number == number)
        .with_only_columns(HelpRequest.state)
    )
    set_db_scope(db, workspace_id=None, user_id=None)
    assert state is not None
    return state


class Corps:
    """A coordinator, helpers Anne and Berit, a municipality, and three requests in progress:
    ``free`` (no one on it any longer), ``berits`` and ``annes``."""

    def __init__(self, client, db, ws):
        self.client, self.db, self.ws = client, db, ws
        self.coordinator = create_member(db, ws, "coordinator", name="Kari Koordinator")
        self.anne = create_member(db, ws, "helper", name="Anne Hjelper")
        self.berit = create_member(db, ws, "helper", name="Berit Hjelper")
        self.osen = create_member(db, ws, "municipal")
        self.h = {
            "coord": bearer(db, ws, self.coordinator),
            "anne": bearer(db, ws, self.anne),
            "berit": bearer(db, ws, self.berit),
            "osen": bearer(db, ws, self.osen),
        }
        self.free = self.in_progress(self.berit, then_unassign=True)
        self.berits = self.in_progress(self.berit)
        self.annes = self.in_progress(self.anne)

    def api(self, number: int) -> str:
        return f"/api/v1/{self.ws.slug}/helpdesk/requests/{number}"

    def file(self) -> int:
        r = self.client.post(
            f"/api/v1/{self.ws.slug}/helpdesk/requests", json=REQUEST, headers=self.h["osen"]
        )
        assert r.status_code == 201, r.text
        return r.json()["number"]

    def assign(self, number: int, *users) -> None:
        body = {"category": "funding", "priority": "normal", "assignees": [u.id for u in users]}
        r = self.client.post(f"{self.api(number)}/triage", json=body, headers=self.h["coord"])
        assert r.status_code == 200, r.text

    def in_progress(self, helper, *, then_unassign: bool = False) -> int:
        number = self.file()
        self.assign(number, helper)
        r = self.client.post(
            f"{self.api(number)}/transitions",
            json={"state": "in_progress"},
            headers=self.h["coord"],
        )
        assert r.status_code == 200, r.text
        if then_unassign:
            self.assign(number)
        return number


@pytest.fixture
def corps(client, db, ws) -> Corps:
    return Corps(client, db, ws)


def visit_form() -> dict[str, str]:
    day = (clock.today() + timedelta(days=7)).isoformat()
    return {"day": day, "start": "10:00", "end": "12:00", "place": "Osen rådhus"}


def api_actions(corps: Corps):
    """(name, model that must not grow, call(number, headers) -> response)."""
    c = corps.client
    today = clock.today().isoformat()
    return [
        (
            "reply",
            RequestMessage,
            lambda n, h: c.post(f"{corps.api(n)}/messages", json={"body": "Svar."}, headers=h),
        ),
        (
            "step",
            RequestStep,
            lambda n, h: c.post(f"{corps.api(n)}/steps", json={"step_title": "Steg"}, headers=h),
        ),
        (
            "time",
            TimeEntry,
            lambda n, h: c.post(
                f"{corps.api(n)}/time", json={"worked_on": today, "hours": "1,5"}, headers=h
            ),
        ),
        (
            "visit",
            Visit,
            # The same hour on each request: a clash for the same helper, planned anyway.
            lambda n, h: c.post(
                f"{corps.api(n)}/visits", json={**visit_form(), "despite_clash": True}, headers=h
            ),
        ),
        (
            "link",
            RequestLink,
            lambda n, h: c.post(
                f"{corps.api(n)}/links",
                json={"other": f"HK-{corps.annes if n != corps.annes else corps.free}"},
                headers=h,
            ),
        ),
        (
            "attachment",
            RequestAttachment,
            lambda n, h: c.post(
                f"{corps.api(n)}/attachments",
                files=[("files", ("vedtak.pdf", PDF, "application/pdf"))],
                headers=h,
            ),
        ),
    ]


def test_a_helper_works_only_their_own_requests_through_the_api(corps, db, ws):
    anne = corps.h["anne"]
    for name, model, act in api_actions(corps):
        before = count(db, ws, model)
        for number, message in ((corps.free, NOT_YOURS), (corps.berits, OTHERS)):
            r = act(number, anne)
            assert r.status_code == 403, (name, number, r.text)
            assert r.json() == {"code": "forbidden", "message": message}, name
            assert count(db, ws, model) == before, name
        r = act(corps.annes, anne)
        assert r.status_code == 201, (name, r.text)
        assert count(db, ws, model) > before, name

    # Status: not on the others', yes on her own.
    for number, message in ((corps.free, NOT_YOURS), (corps.berits, OTHERS)):
        r = corps.client.post(
            f"{corps.api(number)}/transitions",
            json={"state": "waiting_for_municipality"},
            headers=anne,
        )
        assert r.status_code == 403 and r.json()["message"] == message
        assert state_of(db, ws, number) == "in_progress"
    r = corps.client.get(corps.api(corps.berits), headers=anne)
    assert r.status_code == 200 and r.json()["allowed_transitions"] == []
    r = corps.client.get(corps.api(corps.annes), headers=anne)
    assert r.json()["allowed_transitions"] == ["waiting_for_municipality", "resolved"]
    r = corps.client.post(
        f"{corps.api(corps.annes)}/transitions",
        json={"state": "waiting_for_municipality"},
        headers=anne,
    )
    assert r.status_code == 200 and r.json()["state"] == "waiting_for_municipality"


def test_internal_notes_are_open_to_the_whole_help_corps(corps, db, ws):
    anne = corps.h["anne"]
    for number in (corps.free, corps.berits):
        r = corps.client.post(
            f"{corps.api(number)}/messages",
            json={"body": "Tips: Namsos søkte det samme i fjor.", "internal": True},
            headers=anne,
        )
        assert r.status_code == 201, r.text
        assert r.json()["internal"] is True
        r = corps.client.post(
            f"{corps.api(number)}/attachments",
            files=[("files", ("notat.txt", b"internt", "text/plain"))],
            data={"internal": "true"},
            headers=anne,
        )
        assert r.status_code == 201, r.text
        # A note is no answer to the municipality: the first response is still to come.
        detail = corps.client.get(corps.api(number), headers=corps.h["osen"]).json()
        assert detail["first_response_at"] is None
        assert detail["messages"] == []


def test_taking_an_unassigned_request_assigns_it_and_opens_the_work(corps, db, ws):
    anne, berit = corps.h["anne"], corps.h["berit"]
    new = corps.file()
    r = corps.client.post(f"{corps.api(new)}/steps", json={"step_title": "Kartlegg"}, headers=anne)
    assert r.status_code == 403 and r.json()["message"] == NOT_YOURS

    r = corps.client.post(f"{corps.api(new)}/take", headers=anne)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "assigned"
    assert [a["name"] for a in body["assignees"]] == ["Anne Hjelper"]
    r = corps.client.post(f"{corps.api(new)}/steps", json={"step_title": "Kartlegg"}, headers=anne)
    assert r.status_code == 201
    r = corps.client.post(
        f"{corps.api(new)}/transitions", json={"state": "in_progress"}, headers=anne
    )
    assert r.status_code == 200 and r.json()["state"] == "in_progress"
    events = corps.client.get(corps.api(new), headers=corps.h["coord"]).json()["events"]
    assert [e["kind"] for e in events] == ["filed", "taken", "transition", "step", "transition"]
    assert (events[2]["from_state"], events[2]["to_state"]) == ("new", "assigned")

    # Now it is Anne's: Berit cannot take it or work it, and Anne cannot take it twice.
    r = corps.client.post(f"{corps.api(new)}/take", headers=berit)
    assert r.status_code == 403 and r.json()["message"] == OTHERS
    r = corps.client.post(f"{corps.api(new)}/steps", json={"step_title": "Kartlegg"}, headers=berit)
    assert r.status_code == 403 and r.json()["message"] == OTHERS
    r = corps.client.post(f"{corps.api(new)}/take", headers=anne)
    assert r.status_code == 422 and r.json()["errors"] == {"take": "Saken er allerede tildelt deg."}

    # An in-progress request no one has keeps its state when taken.
    r = corps.client.post(f"{corps.api(corps.free)}/take", headers=berit)
    assert r.status_code == 200 and r.json()["state"] == "in_progress"
    r = corps.client.post(
        f"{corps.api(corps.free)}/messages", json={"body": "Vi er på saken."}, headers=berit
    )
    assert r.status_code == 201

    # The municipality does not take requests; the coordinators assign them.
    other = corps.file()
    r = corps.client.post(f"{corps.api(other)}/take", headers=corps.h["osen"])
    assert r.status_code == 403
    r = corps.client.get(corps.api(other), headers=corps.h["coord"])
    assert r.json()["assignees"] == [] and r.json()["state"] == "new"


def test_a_resolved_request_is_not_taken(corps, db, ws):
    r = corps.client.post(
        f"{corps.api(corps.free)}/transitions",
        json={"state": "resolved", "message": "Løst på telefon."},
        headers=corps.h["coord"],
    )
    assert r.status_code == 200, r.text
    r = corps.client.post(f"{corps.api(corps.free)}/take", headers=corps.h["anne"])
    assert r.status_code == 422
    assert r.json()["errors"] == {"take": "Saken er løst eller lukket og kan ikke tas."}
    r = corps.client.get(corps.api(corps.free), headers=corps.h["coord"])
    assert r.json()["assignees"] == [] and r.json()["state"] == "resolved"


def test_coordinators_work_every_request(corps, db, ws):
    coord = corps.h["coord"]
    for name, model, act in api_actions(corps):
        for number in (corps.free, corps.berits):
            before = count(db, ws, model)
            r = act(number, coord)
            assert r.status_code == 201, (name, number, r.text)
            assert count(db, ws, model) == before + 1, name


def test_a_helper_on_a_visit_writes_its_report(corps, db, ws):
    r = corps.client.post(
        f"{corps.api(corps.free)}/visits",
        json={**visit_form(), "helpers": [corps.anne.id]},
        headers=corps.h["coord"],
    )
    assert r.status_code == 201, r.text
    report = f"{corps.api(corps.free)}/visits/{r.json()['id']}/report"
    r = corps.client.put(report, json={"report": "Godt møte."}, headers=corps.h["anne"])
    assert r.status_code == 200 and r.json()["report"] == "Godt møte."
    r = corps.client.put(report, json={"report": "Feil."}, headers=corps.h["berit"])
    assert r.status_code == 403 and r.json()["message"] == NOT_YOURS
    got = corps.client.get(f"{corps.api(corps.free)}/visits", headers=corps.h["coord"]).json()
    assert got["items"][0]["report"] == "Godt møte."


# --- the pages -----------------------------------------------------------------------------


def page_actions(corps: Corps):
    """(name, model, path under the request's page, form)."""
    today = clock.today().isoformat()
    return [
        ("reply", RequestMessage, "svar", {"body": "Vi hjelper."}),
        ("step", RequestStep, "steg", {"step_title": "Kartlegg"}),
        ("time", TimeEntry, "tid", {"worked_on": today, "hours": "1,5"}),
        ("visit", Visit, "besok", visit_form()),
        ("link", RequestLink, "lenker", {"other": f"HK-{corps.annes}"}),
    ]


WORK_FORMS = ("Legg til steg", "Før tid", "Planlegg besøk", "Endre status", ">Lenk<")


@pytest.mark.parametrize("htmx", [False, True])
def test_a_helper_works_only_their_own_requests_on_the_pages(corps, client, db, ws, htmx):
    login(client, corps.anne)
    headers = {"HX-Request": "true"} if htmx else {}
    base = f"/{ws.slug}/hjelp"

    free_page = client.get(f"{base}/{corps.free}").text
    assert "Ta saken" in free_page and "Saken er ikke tildelt noen." in free_page
    assert "Skriv et internt notat (kommunen ser det ikke)" in free_page
    for form in WORK_FORMS:
        assert form not in free_page, form
    berits_page = client.get(f"{base}/{corps.berits}").text
    assert "Ta saken" not in berits_page and "Saken er tildelt en annen hjelper." in berits_page
    for form in WORK_FORMS:
        assert form not in berits_page, form
    own_page = client.get(f"{base}/{corps.annes}").text
    assert "Ta saken" not in own_page and "Skriv et svar" in own_page
    for form in WORK_FORMS:
        assert form in own_page, form

    for name, model, path, form in page_actions(corps):
        before = count(db, ws, model)
        for number, message in ((corps.free, NOT_YOURS), (corps.berits, OTHERS)):
            r = post(client, f"{base}/{number}/{path}", form, headers=headers)
            assert r.status_code == 403, (name, number)
            assert message in r.text, name
            assert count(db, ws, model) == before, name
    r = post(client, f"{base}/{corps.berits}/status", {"state": "resolved"}, headers=headers)
    assert r.status_code == 403 and OTHERS in r.text
    assert state_of(db, ws, corps.berits) == "in_progress"

    # The internal note the page offers her goes in.
    before = count(db, ws, RequestMessage)
    r = post(client, f"{base}/{corps.berits}/svar", {"body": "Tips.", "internal": "on"})
    assert r.status_code == 303
    assert count(db, ws, RequestMessage) == before + 1

    # Taking it: back to the page, now hers to work.
    r = post(client, f"{base}/{corps.free}/ta", headers=headers)
    if htmx:  # the whole case drawn again in place, now with her forms
        assert r.status_code == 200 and 'id="sak" class="request-page"' in r.text
        assert "Saken er tildelt deg." in r.text and "Legg til steg" in r.text
    else:
        assert r.status_code == 303 and r.headers["location"] == f"{base}/{corps.free}"
    page = client.get(f"{base}/{corps.free}").text
    assert ("Saken er tildelt deg." in page) is not htmx  # the flash, once, where it was shown
    assert "Ta saken" not in page
    assert "Anne Hjelper" in page and "tok saken" in page
    for form in WORK_FORMS:
        assert form in page, form
    for name, model, path, form in page_actions(corps):
        before = count(db, ws, model)
        r = post(client, f"{base}/{corps.free}/{path}", form)
        assert r.status_code == 303, (name, r.text[:500])
        assert count(db, ws, model) == before + 1, name


def test_taking_twice_on_the_page_says_so(corps, client, db, ws):
    login(client, corps.anne)
    r = post(client, f"/{ws.slug}/hjelp/{corps.annes}/ta")
    assert r.status_code == 422 and "Saken er allerede tildelt deg." in r.text


def test_a_coordinator_works_any_request_on_the_pages(corps, client, db, ws):
    login(client, corps.coordinator)
    base = f"/{ws.slug}/hjelp"
    page = client.get(f"{base}/{corps.berits}").text
    for form in WORK_FORMS:
        assert form in page, form
    assert "Ta saken" not in page
    for name, model, path, form in page_actions(corps):
        before = count(db, ws, model)
        r = post(client, f"{base}/{corps.free}/{path}", form)
        assert r.status_code == 303, (name, r.text[:500])
        assert count(db, ws, model) == before + 1, name
