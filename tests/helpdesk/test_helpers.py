"""The help corps' members: the list with profiles and load, editing a profile (coordinators
anyone's, a helper their own), validation, the audit log, the JSON API, and the profile's effect
on the helper suggestions."""

from __future__ import annotations

import pytest

from app.audit.models import AuditEvent
from app.helpdesk.models import HelperProfile
from app.tenancy import scoped, set_db_scope
from factories import (
    accept_shares,
    add_body_member,
    add_member,
    bearer,
    create_body,
    create_member,
    create_user,
    create_workspace,
    csrf,
    login,
    post,
)


def profile_of(db, ws, user):
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    db.expire_all()
    found = db.scalar(scoped(HelperProfile, ws.id).where(HelperProfile.user_id == user.id))
    snapshot = (
        None
        if found is None
        else (found.competences, found.home_municipality_number, found.organisation)
    )
    set_db_scope(db, workspace_id=None, user_id=None)
    return snapshot


def give_profile(db, ws, user, competences=(), home=None, organisation=""):
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    db.add(
        HelperProfile(
            workspace_id=ws.id,
            user_id=user.id,
            competences=list(competences),
            home_municipality_number=home,
            organisation=organisation,
        )
    )
    db.flush()
    set_db_scope(db, workspace_id=None, user_id=None)


def audit_events(db, ws):
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    events = list(
        db.scalars(
            scoped(AuditEvent, ws.id)
            .where(AuditEvent.object_type == "helper_profile")
            .order_by(AuditEvent.id)
        )
    )
    set_db_scope(db, workspace_id=None, user_id=None)
    return events


def file_and_assign(client, ws, filer, coordinator, assignees, category="funding", title="Sak"):
    """A municipal user files a request; the coordinator assigns it. Leaves the coordinator
    logged in. Returns the request number."""
    client.cookies.clear()
    login(client, filer)
    r = post(
        client,
        f"/{ws.slug}/hjelp",
        {
            "category": category,
            "title": title,
            "description": "Vi trenger hjelp.",
            "urgency": "normal",
        },
    )
    assert r.status_code == 303, r.text[:400]
    number = int(r.headers["location"].rsplit("/", 1)[1])
    client.cookies.clear()
    login(client, coordinator)
    if assignees:
        r = post(
            client,
            f"/{ws.slug}/hjelp/{number}/vurdering",
            {
                "category": category,
                "priority": "normal",
                "assignees": [str(u.id) for u in assignees],
            },
        )
        assert r.status_code == 303, r.text[:400]
    return number


def card(page, user):
    """The text of one person's card on the list."""
    start = page.index(f'id="hjelper-{user.id}"')
    end = page.find('<li class="card-section helper-card"', start)
    return page[start : end if end != -1 else len(page)]


VALID = {
    "competences": ["climate", "funding"],
    "tags": "  Velferdsteknologi, kommuneøkonomi ,velferdsteknologi,  ",
    "home_municipality_number": "1573",  # Smøla, Møre og Romsdal: a mentor municipality
    "organisation": "Smøla kommune (mentorkommune)",
}


# --- the list --------------------------------------------------------------------------------


def test_list_shows_profiles_and_current_load(client, db, ws):
    coordinator = create_member(db, ws, "coordinator", name="Cora Koord")
    helper = create_member(db, ws, "helper", name="Henrik Hjelper")
    municipal = create_member(db, ws, "municipal", name="Olga Osen")
    create_member(db, ws, "viewer", name="Vera Viser")
    other = create_workspace(db, county="46")
    create_member(db, other, "helper", name="Vestlands Hjelper")
    give_profile(
        db,
        ws,
        helper,
        ["funding", "digitalisation", "velferdsteknologi"],
        home="5054",
        organisation="Trøndelag fylkeskommune",
    )
    file_and_assign(client, ws, municipal, coordinator, [helper], title="Åpen 1")
    file_and_assign(client, ws, municipal, coordinator, [helper, coordinator], title="Åpen 2")
    done = file_and_assign(client, ws, municipal, coordinator, [helper], title="Ferdig")
    client.cookies.clear()
    login(client, helper)
    for state in ("in_progress", "resolved"):  # a resolved request is no longer load
        form = {"state": state, "message": "Ferdig."}
        assert post(client, f"/{ws.slug}/hjelp/{done}/status", form).status_code == 303

    for headers in ({}, {"HX-Request": "true"}):
        r = client.get(f"/{ws.slug}/hjelpere", headers=headers)
        assert r.status_code == 200
        page = r.text
        henrik = card(page, helper)
        assert "Trøndelag fylkeskommune" in henrik and "Indre Fosen" in henrik
        assert "Søknad om midler" in henrik and "Digitalisering" in henrik
        assert "velferdsteknologi" in henrik
        assert "2 åpne saker" in henrik
        cora = card(page, coordinator)
        assert "1 åpen sak" in cora and "Profilen er ikke fylt ut ennå." in cora
        # Only those who may be assigned; not the municipality, a viewer or another county's.
        assert "Olga Osen" not in page and "Vera Viser" not in page
        assert "Vestlands Hjelper" not in page
        # A helper edits only their own profile.
        assert f"/{ws.slug}/hjelpere/{helper.id}" in page
        assert f"/{ws.slug}/hjelpere/{coordinator.id}" not in page


def test_list_query_count_is_bounded(client, db, ws, count_queries):
    coordinator = create_member(db, ws, "coordinator")
    municipal = create_member(db, ws, "municipal")

    def add_helpers(n, start):
        made = []
        for i in range(start, start + n):
            h = create_member(db, ws, "helper", name=f"Hjelper {i:02d}")
            home = "1573" if i % 2 else "5020"  # some from a mentor municipality elsewhere
            give_profile(db, ws, h, ["funding", f"emne {i}"], home=home, organisation=f"Org {i}")
            made.append(h)
        return made

    def measure():
        client.get(f"/{ws.slug}/hjelpere")
        with count_queries() as q:
            r = client.get(f"/{ws.slug}/hjelpere")
        assert r.status_code == 200
        return q.count, r.text.count('class="card-section helper-card"')

    first = add_helpers(2, 0)
    file_and_assign(client, ws, municipal, coordinator, first)
    small, shown = measure()
    assert shown == 3  # two helpers and the coordinator
    more = add_helpers(10, 2)
    file_and_assign(client, ws, municipal, coordinator, more)
    big, shown = measure()
    assert shown == 13
    assert big == small


# --- editing ---------------------------------------------------------------------------------


def test_coordinator_edits_a_helpers_profile_and_the_log_shows_it(client, db, ws):
    admin = create_member(db, ws, "county_admin", name="Anne Admin")
    coordinator = create_member(db, ws, "coordinator", name="Cora Koord")
    helper = create_member(db, ws, "helper", name="Henrik Hjelper")
    login(client, coordinator)
    url = f"/{ws.slug}/hjelpere/{helper.id}"
    form = client.get(url)
    assert form.status_code == 200
    assert "Hjelperprofil for Henrik Hjelper" in form.text
    for label in ("Søknad om midler", "Ta i bruk en annen kommunes løsning", "Klima", "Annet"):
        assert label in form.text
    assert form.text.count('name="competences"') == 8
    # The county's municipalities first, then the other counties.
    assert form.text.index("Osen") < form.text.index("Smøla")

    r = post(client, url, VALID)
    assert r.status_code == 303 and r.headers["location"] == f"/{ws.slug}/hjelpere"
    assert profile_of(db, ws, helper) == (
        ["funding", "climate", "velferdsteknologi", "kommuneøkonomi"],
        "1573",
        "Smøla kommune (mentorkommune)",
    )
    listing = client.get(f"/{ws.slug}/hjelpere").text
    assert "Hjelperprofilen til Henrik Hjelper er lagret." in listing
    assert "Smøla (Møre og Romsdal)" in listing and "kommuneøkonomi" in listing
    again = client.get(url).text  # the form shows what was saved
    assert 'value="velferdsteknologi, kommuneøkonomi"' in again
    assert '<option value="1573" selected>' in again
    assert 'value="climate" checked' in again and 'value="reuse" checked' not in again

    # With HTMX: HX-Redirect. Clearing everything is allowed.
    r = post(client, url, {"tags": "", "organisation": ""}, headers={"HX-Request": "true"})
    assert r.status_code == 204 and r.headers["HX-Redirect"] == f"/{ws.slug}/hjelpere"
    assert profile_of(db, ws, helper) == ([], None, "")

    # Every change is in the workspace's log, with who made it.
    events = audit_events(db, ws)
    assert [e.action for e in events] == ["create", "update"]
    assert all(e.actor_id == coordinator.id for e in events)
    assert events[0].changes["competences"] == [
        "funding",
        "climate",
        "velferdsteknologi",
        "kommuneøkonomi",
    ]
    assert events[1].changes["home_municipality_number"] == ["1573", None]
    client.cookies.clear()
    login(client, admin)
    log = client.get(f"/{ws.slug}/logg?objekt=helper_profile").text
    assert "Cora Koord" in log and "kommuneøkonomi" in log


def test_a_helper_edits_their_own_profile_only(client, db, ws):
    coordinator = create_member(db, ws, "coordinator")
    helper = create_member(db, ws, "helper")
    colleague = create_member(db, ws, "helper")
    give_profile(db, ws, colleague, ["funding"], organisation="Før")
    login(client, helper)
    assert client.get(f"/{ws.slug}/hjelpere").status_code == 200
    own = f"/{ws.slug}/hjelpere/{helper.id}"
    assert client.get(own).status_code == 200
    assert post(client, own, {"competences": "reuse", "organisation": "Osen"}).status_code == 303
    assert profile_of(db, ws, helper) == (["reuse"], None, "Osen")
    for target in (colleague, coordinator):
        url = f"/{ws.slug}/hjelpere/{target.id}"
        assert client.get(url).status_code == 403
        # 403 even with a bad form: the refusal comes first.
        assert post(client, url, {"competences": "reuse"}).status_code == 403
        assert post(client, url, {"competences": "nonsense"}).status_code == 403
    assert profile_of(db, ws, colleague) == (["funding"], None, "Før")
    assert profile_of(db, ws, coordinator) is None


@pytest.mark.parametrize("role", ["municipal", "viewer", "partner"])
def test_people_outside_the_help_corps_are_refused(client, db, ws, role):
    helper = create_member(db, ws, "helper")
    login(client, create_member(db, ws, role))
    assert client.get(f"/{ws.slug}/hjelpere").status_code == 403
    assert client.get(f"/{ws.slug}/hjelpere/{helper.id}").status_code == 403
    assert post(client, f"/{ws.slug}/hjelpere/{helper.id}", VALID).status_code == 403
    assert profile_of(db, ws, helper) is None


def test_another_workspaces_users_are_404(client, db, ws):
    coordinator = create_member(db, ws, "coordinator")
    other = create_workspace(db, county="46")
    stranger = create_member(db, other, "helper")
    give_profile(db, other, stranger, ["climate"], organisation="Vestland")
    both = create_user(db)  # a member of both: editable here, but only this workspace's profile
    add_member(db, ws, both, "helper")
    add_member(db, other, both, "helper")
    login(client, coordinator)
    url = f"/{ws.slug}/hjelpere/{stranger.id}"
    assert client.get(url).status_code == 404
    assert post(client, url, VALID).status_code == 404
    assert client.get(f"/{ws.slug}/hjelpere/999999").status_code == 404
    # The other workspace's pages are 404 for this coordinator, like a workspace that isn't.
    assert client.get(f"/{other.slug}/hjelpere").status_code == 404
    assert client.get(f"/{other.slug}/hjelpere/{stranger.id}").status_code == 404
    assert post(client, f"/{other.slug}/hjelpere/{stranger.id}", VALID).status_code == 404
    headers = {"X-CSRF-Token": csrf(client)}
    api = f"/api/v1/{ws.slug}/helpdesk/helpers/{stranger.id}"
    assert client.put(api, json={}, headers=headers).status_code == 404
    assert client.get(api).status_code == 404
    assert profile_of(db, other, stranger) == (["climate"], None, "Vestland")
    # Someone in both workspaces gets a profile in this one; the other is untouched.
    assert post(client, f"/{ws.slug}/hjelpere/{both.id}", VALID).status_code == 303
    assert profile_of(db, other, both) is None
    assert profile_of(db, ws, both)[2] == "Smøla kommune (mentorkommune)"


@pytest.mark.parametrize(
    ("change", "field_message"),
    [
        ({"competences": ["funding", "astrology"]}, "Ukjent kategori."),
        (
            {"tags": ", ".join(f"emne {i}" for i in range(11))},
            "Du kan legge inn høyst 10 egne stikkord.",
        ),
        ({"tags": "godt, " + "x" * 41}, "Et stikkord må ha fra 2 til 40 tegn: «" + "x" * 40),
        ({"tags": "ok, a"}, "Et stikkord må ha fra 2 til 40 tegn: «a»."),
        ({"home_municipality_number": "9999"}, "Ukjent kommunenummer."),
        ({"home_municipality_number": "12345"}, "Teksten er for lang (høyst 4 tegn)."),
        ({"organisation": "x" * 201}, "Teksten er for lang (høyst 200 tegn)."),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(client, db, ws, change, field_message):
    coordinator = create_member(db, ws, "coordinator")
    helper = create_member(db, ws, "helper")
    give_profile(db, ws, helper, ["funding"], home="5020", organisation="Før")
    before = len(audit_events(db, ws))
    login(client, coordinator)
    r = post(client, f"/{ws.slug}/hjelpere/{helper.id}", {**VALID, **change})
    assert r.status_code == 422
    assert field_message in r.text
    assert "felt må rettes" in r.text
    assert 'aria-invalid="true"' in r.text
    # What the person typed is still there to correct.
    assert "Smøla kommune (mentorkommune)" in r.text or "x" * 201 in r.text
    assert profile_of(db, ws, helper) == (["funding"], "5020", "Før")
    assert len(audit_events(db, ws)) == before


def test_only_members_of_the_help_corps_have_a_profile(client, db, ws):
    coordinator = create_member(db, ws, "coordinator")
    municipal = create_member(db, ws, "municipal", name="Olga Osen")
    login(client, coordinator)
    url = f"/{ws.slug}/hjelpere/{municipal.id}"
    assert client.get(url).status_code == 404  # no helper profile to show
    r = post(client, url, VALID)
    assert r.status_code == 422 and "Ukjent hjelper." in r.text
    assert profile_of(db, ws, municipal) is None


# --- the profile feeds the suggestions -------------------------------------------------------


def test_saved_competences_change_the_suggested_helpers(client, db, ws):
    coordinator = create_member(db, ws, "coordinator", name="Åse Koordinator")
    anna = create_member(db, ws, "helper", name="Anna Andersen")
    berit = create_member(db, ws, "helper", name="Berit Berg")
    municipal = create_member(db, ws, "municipal")
    number = file_and_assign(client, ws, municipal, coordinator, [], category="climate")
    request_url = f"/{ws.slug}/hjelp/{number}"

    def order():
        page = client.get(request_url).text
        start = page.index('class="plain-list suggestions"')
        block = page[start : page.index("</ul>", start)]
        names = sorted(
            (block.index(p.name), p.name) for p in (anna, berit, coordinator) if p.name in block
        )
        return [n for _, n in names], block

    names, block = order()
    assert names[:2] == ["Anna Andersen", "Berit Berg"]  # equal: by name
    assert "kan klima" not in block
    r = post(
        client,
        f"/{ws.slug}/hjelpere/{berit.id}",
        {"competences": ["climate"], "tags": "klimabudsjett", "home_municipality_number": "5020"},
    )
    assert r.status_code == 303
    names, block = order()
    assert names[0] == "Berit Berg"
    berit_line = block[block.index("Berit Berg") : block.index("</li>", block.index("Berit Berg"))]
    assert "kan klima" in berit_line


def test_a_helper_in_a_council_shared_from_another_county_is_near(client, db):
    """Notodden (Telemark) asks for help. Henrik lives in Kongsberg (Buskerud); the two are
    together only in Kongsbergregionen, a council Buskerud keeps and shares with Telemark. He is
    ranked before an otherwise equal helper whose name comes first, and the reason is shown."""
    buskerud = create_workspace(db, county="33", name="Buskerud fylkeskommune")
    telemark = create_workspace(db, county="40", name="Telemark fylkeskommune")
    council = create_body(db, buskerud, "Kongsbergregionen", kind="council")
    add_body_member(db, buskerud, council, "3303")  # Kongsberg, Buskerud
    add_body_member(db, buskerud, council, "4005")  # Notodden, Telemark: shares the council
    accept_shares(db, telemark)
    coordinator = create_member(db, telemark, "coordinator", name="Ørjan Koordinator")
    aase = create_member(db, telemark, "helper", name="Aase Aas")
    henrik = create_member(db, telemark, "helper", name="Henrik Hjelper")
    give_profile(db, telemark, aase, home="4020")  # Midt-Telemark: in no council with Notodden
    give_profile(db, telemark, henrik, home="3303")
    notodden = create_user(db, name="Nora Notodden")
    add_member(db, telemark, notodden, "municipal", municipality="4005")
    number = file_and_assign(client, telemark, notodden, coordinator, [], category="climate")

    page = client.get(f"/{telemark.slug}/hjelp/{number}").text
    start = page.index('class="plain-list suggestions"')
    block = page[start : page.index("</ul>", start)]
    assert block.index("Henrik Hjelper") < block.index("Aase Aas") < block.index("Ørjan")
    henrik_line = block[block.index("Henrik Hjelper") : block.index("</li>", block.index("Henrik"))]
    assert "hører til Kongsberg, i samme regionråd" in henrik_line
    assert "i samme regionråd" not in block[block.index("Aase Aas") :]


# --- the JSON API ----------------------------------------------------------------------------


def test_api_reads_and_replaces_a_profile(client, db, ws):
    coordinator = bearer(db, ws, create_member(db, ws, "coordinator"))
    helper_user = create_member(db, ws, "helper", name="Henrik Hjelper")
    helper = bearer(db, ws, helper_user)
    colleague = create_member(db, ws, "helper")
    municipal = bearer(db, ws, create_member(db, ws, "municipal"))
    url = f"/api/v1/{ws.slug}/helpdesk/helpers/{helper_user.id}"
    body = {
        "competences": ["reuse", "funding"],
        "tags": ["  Velferdsteknologi ", "velferdsteknologi"],
        "home_municipality_number": "1560",
        "organisation": "Tingvoll kommune (mentorkommune)",
    }
    r = client.put(url, json=body, headers=coordinator)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "user": {"id": helper_user.id, "name": "Henrik Hjelper"},
        "role": "helper",
        "competences": ["funding", "reuse"],
        "tags": ["velferdsteknologi"],
        "home_municipality_number": "1560",
        "home_municipality_name": "Tingvoll",
        "organisation": "Tingvoll kommune (mentorkommune)",
        "load": 0,
    }
    assert client.get(url, headers=helper).json()["tags"] == ["velferdsteknologi"]
    # A helper replaces their own, not a colleague's; the municipality none.
    r = client.put(url, json={"competences": ["climate"]}, headers=helper)
    assert r.status_code == 200 and r.json()["home_municipality_number"] is None
    other = f"/api/v1/{ws.slug}/helpdesk/helpers/{colleague.id}"
    assert client.put(other, json={}, headers=helper).json()["code"] == "forbidden"
    assert client.get(other, headers=helper).status_code == 403
    assert client.put(url, json={}, headers=municipal).status_code == 403
    # Bad input names the fields.
    r = client.put(
        url,
        json={"competences": ["x"], "tags": ["a,b"], "home_municipality_number": "0000"},
        headers=coordinator,
    )
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"
    assert r.json()["errors"] == {
        "competences": "Ukjent kategori.",
        "tags": "Et stikkord kan ikke inneholde komma.",
    }
    r = client.put(url, json={"home_municipality_number": "0000"}, headers=coordinator)
    assert r.status_code == 422
    assert r.json()["errors"] == {"home_municipality_number": "Ukjent kommunenummer."}
    assert profile_of(db, ws, helper_user) == (["climate"], None, "")


def test_api_is_described_in_openapi(client):
    spec = client.get("/openapi.json").json()
    path = spec["paths"]["/api/v1/{workspace_slug}/helpdesk/helpers/{user_id}"]
    assert set(path) == {"get", "put"}
    ok = path["put"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/HelperProfileRead")
