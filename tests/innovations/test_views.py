"""The innovation registry's pages and API: roles, sharing across counties, adoptions,
"we want this", bad input, cross-workspace 404, bounded query counts."""

from __future__ import annotations

import re

import pytest

from app.helpdesk.models import HelpRequest
from app.innovations.models import Adoption, Innovation, InnovationRequest
from app.tenancy import scoped
from factories import (
    adopt,
    bearer,
    create_innovation,
    create_member,
    create_workspace,
    in_workspace,
    login,
    post,
)


@pytest.fixture
def vestland(db):
    return create_workspace(db, county="46", name="Vestland test")


def _count(db, ws, model) -> int:
    with in_workspace(db, ws):
        return len(db.scalars(scoped(model, ws.id)).all())


@pytest.mark.parametrize("role", ["coordinator", "helper", "municipal", "partner", "viewer"])
def test_every_role_reads_the_registry(client, db, ws, role):
    inn = create_innovation(db, ws, "Digitalt tilsyn om natta", solution="- **sensor** i rommet")
    login(client, create_member(db, ws, role))
    page = client.get(f"/{ws.slug}/innovasjoner")
    assert page.status_code == 200 and "Digitalt tilsyn om natta" in page.text
    page = client.get(f"/{ws.slug}/innovasjoner/{inn.id}")
    assert page.status_code == 200 and "<strong>sensor</strong>" in page.text
    assert ("Ny innovasjon" in client.get(f"/{ws.slug}/innovasjoner").text) == (
        role in ("coordinator", "helper")
    )


def test_create_edit_and_bad_input(client, db, ws):
    login(client, create_member(db, ws, "coordinator"))
    base = f"/{ws.slug}/innovasjoner"
    r = post(client, base, {"title": "Felles chatbot", "phase": "piloting"})
    assert r.status_code == 422 and "kommunen eller rådet" in r.text
    r = post(
        client,
        base,
        {
            "title": "Felles chatbot",
            "origin_municipality_number": "5020",
            "links": "Veileder ftp://x",
        },
    )
    assert r.status_code == 422 and "https://" in r.text
    assert _count(db, ws, Innovation) == 0
    r = post(
        client,
        base,
        {
            "title": "Felles chatbot",
            "origin_municipality_number": "5020",
            "phase": "piloting",
            "areas": ["digitalisation"],
            "solution": "<script>alert(1)</script>**Svar døgnet rundt**",
            "links": "Veileder https://example.no/veileder",
        },
    )
    assert r.status_code == 303, r.text[:300]
    page = client.get(r.headers["location"])
    assert "<script>alert" not in page.text and "<strong>Svar døgnet rundt</strong>" in page.text
    assert "https://example.no/veileder" in page.text and "Pilotering" in page.text


def test_sharing_across_counties(client, db, ws, vestland):
    inn = create_innovation(db, ws, "Delt løsning", internal_note="Bare for oss")
    hidden = create_innovation(db, ws, "Ikke delt")
    user = create_member(db, vestland, "coordinator")
    vestland_headers = bearer(db, vestland, user)
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    login(client, user)
    vbase = f"/{vestland.slug}/innovasjoner"
    assert client.get(f"{vbase}/{inn.id}").status_code == 404
    with in_workspace(db, ws):
        from app.innovations import service

        service.set_shared(db, ws, inn.id, True)
    page = client.get(f"{vbase}/{inn.id}")
    assert page.status_code == 200 and "Bare for oss" not in page.text
    assert "Delt løsning" in client.get(f"{vbase}?fra=andre").text
    assert "Ikke delt" not in client.get(f"{vbase}?fra=andre").text
    assert client.get(f"{vbase}/{hidden.id}").status_code == 404
    assert client.get(f"{vbase}/{inn.id}/rediger").status_code == 403
    assert post(client, f"{vbase}/{inn.id}/deling", {"delt": "0"}).status_code == 403
    # Vestland records Bergen taking it into use; Trøndelag counts it.
    r = post(
        client,
        f"{vbase}/{inn.id}/innforing",
        {"adoption_municipality_number": "4601", "adoption_status": "in_use"},
    )
    assert r.status_code == 303, r.text[:300]
    api = client.get(
        f"/api/v1/{vestland.slug}/innovations/{inn.id}", headers=vestland_headers
    ).json()
    assert api["spread"] == 1 and api["internal_note"] is None and api["own"] is False
    own = client.get(f"/api/v1/{ws.slug}/innovations/{inn.id}", headers=headers).json()
    assert own["spread"] == 1 and own["internal_note"] == "Bare for oss"


def test_adoptions_by_a_municipal_user(client, db, ws):
    inn = create_innovation(db, ws, origin="5001")
    login(client, create_member(db, ws, "municipal"))  # Osen
    url = f"/{ws.slug}/innovasjoner/{inn.id}/innforing"
    r = post(client, url, {"adoption_municipality_number": "5020", "adoption_status": "abandoned"})
    assert r.status_code == 422 and "hvorfor" in r.text
    r = post(client, url, {"adoption_municipality_number": "5021", "adoption_status": "planned"})
    assert r.status_code == 403
    r = post(
        client,
        url,
        {
            "adoption_municipality_number": "5020",
            "adoption_status": "in_use",
            "adoption_started_on": "2026-03-01",
            "adoption_in_use_on": "2026-02-01",
        },
    )
    assert r.status_code == 422 and "før oppstart" in r.text
    assert _count(db, ws, Adoption) == 0
    r = post(client, url, {"adoption_municipality_number": "5020", "adoption_status": "in_use"})
    assert r.status_code == 303
    assert "I bruk i 1 kommune til" in client.get(f"/{ws.slug}/innovasjoner").text
    start = client.get(f"/{ws.slug}/oversikt").text
    assert re.search(r'figure__value">1</span><span class="figure__label">steder de er tatt', start)


def test_an_unshared_innovation_cannot_be_adopted_outside_the_county(client, db, ws):
    inn = create_innovation(db, ws)
    login(client, create_member(db, ws, "coordinator"))
    r = post(
        client,
        f"/{ws.slug}/innovasjoner/{inn.id}/innforing",
        {"adoption_municipality_number": "4601", "adoption_status": "planned"},
    )
    assert r.status_code == 422 and "ligger ikke i fylket" in r.text
    assert _count(db, ws, Adoption) == 0


def test_we_want_this(client, db, ws, vestland):
    theirs = create_innovation(db, vestland, "Vestlands løsning", origin="4601", shared=True)
    login(client, create_member(db, ws, "municipal"))  # Osen
    page = client.get(f"/{ws.slug}/innovasjoner/{theirs.id}")
    assert "Vi vil ha denne" in page.text
    r = post(client, f"/{ws.slug}/innovasjoner/{theirs.id}/vi-vil-ha-denne")
    assert r.status_code == 303
    with in_workspace(db, ws):
        req = db.scalars(scoped(HelpRequest, ws.id)).one()
        adoption = db.scalars(scoped(Adoption, ws.id)).one()
    assert req.category == "reuse" and "Vestlands løsning" in req.title
    assert (adoption.municipality_number, adoption.status) == ("5020", "considering")
    r = post(client, f"/{ws.slug}/innovasjoner/{theirs.id}/vi-vil-ha-denne")
    assert r.headers["location"] == f"/{ws.slug}/hjelp/{req.number}"
    assert _count(db, ws, HelpRequest) == 1 and _count(db, ws, InnovationRequest) == 1
    assert _count(db, vestland, HelpRequest) == 0


def test_another_workspaces_objects_answer_404(client, db, ws, vestland):
    inn = create_innovation(db, vestland, origin="4601")
    row = adopt(db, vestland, inn, "4602")
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    login(client, create_member(db, ws, "coordinator"))
    base = f"/{ws.slug}/innovasjoner"
    for url in (f"{base}/{inn.id}", f"{base}/{inn.id}/rediger"):
        assert client.get(url).status_code == 404, url
    for url in (
        f"{base}/{inn.id}/rediger",
        f"{base}/{inn.id}/deling",
        f"{base}/{inn.id}/arkiver",
        f"{base}/{inn.id}/roller",
        f"{base}/{inn.id}/innforing",
        f"{base}/{inn.id}/spredning",
        f"{base}/{inn.id}/foresporsler",
        f"{base}/innforing/{row.id}/slett",
    ):
        assert post(client, url, {"title": "x"}).status_code == 404, url
    assert client.get(f"/api/v1/{ws.slug}/innovations/{inn.id}", headers=headers).status_code == 404
    assert (
        client.delete(f"/api/v1/{ws.slug}/adoptions/{row.id}", headers=headers).status_code == 404
    )
    assert _count(db, vestland, Adoption) == 1


def test_registry_costs_a_bounded_number_of_queries(client, db, ws, count_queries):
    login(client, create_member(db, ws, "municipal"))
    first = create_innovation(db, ws)
    adopt(db, ws, first, "5021")

    def measure():
        counts = {}
        for url in ("/innovasjoner", f"/innovasjoner/{first.id}", "/innovasjoner?q=løsning", ""):
            client.get(f"/{ws.slug}{url}")
            with count_queries() as q:
                assert client.get(f"/{ws.slug}{url}").status_code == 200
            counts[url] = q.count
        return counts

    before = measure()
    for i in range(10):
        inn = create_innovation(db, ws, f"Løsning nummer {i}", origin=("5001", "5006")[i % 2])
        for number in ("5020", "5021", "5022")[: i % 3 + 1]:
            adopt(db, ws, inn, number)
        adopt(db, ws, first, ("5001", "5006", "5007", "5014", "5022", "5025")[i % 6])
    assert measure() == before


def test_api_registry(client, db, ws):
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    api = f"/api/v1/{ws.slug}"
    r = client.post(
        f"{api}/innovations",
        headers=headers,
        json={
            "title": "Smart vannmåling",
            "origin_municipality_number": "5020",
            "areas": ["climate"],
            "links": [{"title": "Om", "url": "https://example.no"}],
        },
    )
    assert r.status_code == 201, r.text
    inn = r.json()
    assert inn["roles"] == [
        {
            "municipality_number": "5020",
            "municipality_name": "Osen",
            "role": "origin",
            "spreading_role": "",
        }
    ]
    r = client.put(
        f"{api}/innovations/{inn['id']}/adoptions",
        headers=headers,
        json={"municipality_number": "5021", "status": "in_use"},
    )
    assert r.status_code == 200 and r.json()["own"] is True
    r = client.put(
        f"{api}/innovations/{inn['id']}/adoptions",
        headers=headers,
        json={"municipality_number": "5021", "status": "abandoned"},
    )
    assert r.status_code == 422
    items = client.get(f"{api}/innovations?q=vannmåling", headers=headers).json()["items"]
    assert [(i["id"], i["spread"]) for i in items] == [(inn["id"], 1)]
    r = client.put(f"{api}/innovations/{inn['id']}/sharing", headers=headers, json={"shared": True})
    assert r.status_code == 200 and r.json()["shared"] is True
    assert client.get(f"{api}/adoptions?status=in_use", headers=headers).json()["total"] == 1


def test_files_on_an_innovation(client, db, ws, vestland):
    inn = create_innovation(db, ws, "Med veileder")
    login(client, create_member(db, ws, "coordinator"))
    url = f"/{ws.slug}/innovasjoner/{inn.id}/filer"
    pdf = b"%PDF-1.4\n% veileder\n%%EOF\n"
    r = post(
        client,
        url,
        files=[("attachments", ("evil.exe", b"MZ\x90\x00binary", "application/octet-stream"))],
    )
    assert r.status_code == 422 and "filtype" in r.text
    r = post(client, url, files=[("attachments", ("Veileder.pdf", pdf, "application/pdf"))])
    assert r.status_code == 303, r.text[:300]
    page = client.get(f"/{ws.slug}/innovasjoner/{inn.id}")
    match = re.search(
        rf'href="(/{ws.slug}/innovasjoner/{inn.id}/filer/\d+)">Veileder.pdf', page.text
    )
    assert match, page.text[:2000]
    got = client.get(match.group(1))
    assert got.status_code == 200 and got.content == pdf
    assert got.headers["cache-control"] == "private, no-store"
    # Another county: nothing while unshared, the file once shared, never a change.
    other = create_member(db, vestland, "coordinator")
    file_path = match.group(1).replace(f"/{ws.slug}/", f"/{vestland.slug}/")
    login(client, other)
    assert client.get(file_path).status_code == 404
    with in_workspace(db, ws):
        from app.innovations import service

        service.set_shared(db, ws, inn.id, True)
    assert client.get(file_path).content == pdf
    assert post(client, f"{file_path}/slett").status_code == 403
