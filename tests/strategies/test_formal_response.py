"""The formal consultation response (høringssvar): drafted with files attached (a signed
letter), looked over as it will be sent, sent only on an explicit confirmation, then locked
with time and sender; who may read its files, and bad files refused with nothing kept."""

from __future__ import annotations

import io

import docx
import pytest

from app.config import get_settings
from app.strategies.models import FormalResponse, ResponseFile
from app.tenancy import scoped
from factories import (
    add_member,
    bearer,
    create_document,
    create_invitee,
    create_member,
    create_round,
    create_user,
    create_workspace,
    csrf,
    in_workspace,
    login,
    organisation,
    post,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 64
BODY = "**Osen kommune** støtter strategien.\n\n- Mer samarbeid\n- Felles løsninger"


@pytest.fixture
def setting(db, ws):
    """A round open today, with Osen (5020) and KS invited; people in and around it."""
    kari = create_member(db, ws, "coordinator", name="Kari Koordinator")
    doc = create_document(db, ws, kari, publish=True)
    r = create_round(db, ws, kari, doc, title="Høring om digitaliseringsstrategien")
    osen_inv = create_invitee(db, ws, r, "municipality", municipality_number="5020")
    ks_inv = create_invitee(db, ws, r, "organisation", organisation_id=organisation(db, "KS").id)
    guest_inv = create_invitee(db, ws, r, "guest", guest_name="Gjest Gjestesen")
    osen = create_member(db, ws, "municipal", name="Ola Osen")  # 5020 Osen
    osen2 = create_member(db, ws, "municipal", name="Oda Osen")
    namsos = create_user(db, name="Nina Namsos")
    add_member(db, ws, namsos, "municipal", municipality="5007")  # not invited
    ks = create_user(db, name="Per KS")
    add_member(db, ws, ks, "partner", organisation_id=organisation(db, "KS").id)
    sf = create_user(db, name="Siri Statsforvalter")
    sf_org = organisation(db, "Statsforvalteren i Trøndelag").id
    add_member(db, ws, sf, "partner", organisation_id=sf_org)  # not invited
    other = create_workspace(db, county="46", name="Vestland test")
    stranger = create_member(db, other, "coordinator", name="Vera Vestland")
    db.commit()
    return {
        "kari": kari,
        "round": r,
        "osen_inv": osen_inv,
        "ks_inv": ks_inv,
        "guest_inv": guest_inv,
        "osen": osen,
        "osen2": osen2,
        "namsos": namsos,
        "ks": ks,
        "sf": sf,
        "other": other,
        "stranger": stranger,
        "base": f"/{ws.slug}/hoeringer/{r.id}",
    }


def _upload(client, url, data, files):
    return client.post(url, data={**data, "csrf_token": csrf(client)}, files=files)


def _response(db, ws, invitee_id):
    with in_workspace(db, ws):
        db.expire_all()
        return db.scalar(
            scoped(FormalResponse, ws.id).where(FormalResponse.invitee_id == invitee_id)
        )


def _files(db, ws):
    with in_workspace(db, ws):
        return list(db.scalars(scoped(ResponseFile, ws.id).order_by(ResponseFile.id)))


def _draft_with_letter(client, s, body=BODY):
    """Osen saves its draft with a signed letter and goes on to the preview."""
    inv = s["osen_inv"]
    r = _upload(
        client,
        f"{s['base']}/svar",
        {"invitee_id": str(inv.id), "revision": "0", "body": body, "preview": "1"},
        [("attachments", ("Signert brev.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 303, r.text[:500]
    assert r.headers["location"] == f"{s['base']}/svar/{inv.id}"
    return r.headers["location"]


def test_preview_then_confirmed_send_locks_it_with_time_and_sender(client, db, ws, setting):
    s = setting
    inv = s["osen_inv"]
    login(client, s["osen"])
    preview_url = _draft_with_letter(client, s)

    # The preview shows the response as it will be sent, with what it is sent under.
    for headers in ({}, {"HX-Request": "true"}):
        page = client.get(preview_url, headers=headers)
        assert page.status_code == 200
        text = page.text
        assert "<strong>Osen kommune</strong> støtter strategien." in text  # Markdown, rendered
        assert "<li>Mer samarbeid</li>" in text
        assert "Signert brev.pdf" in text
        assert "Høring om digitaliseringsstrategien" in text
        assert "Ola Osen" in text  # who sends it
        assert s["round"].ends_on.strftime("%d.%m.%Y") in text  # the deadline
        assert "Jeg bekrefter at dette er organisasjonens høringssvar" in text
        assert "Tilbake og endre" in text
    # The file can be fetched from the preview, as it is.
    file_id = _files(db, ws)[0].id
    got = client.get(f"{preview_url}/vedlegg/{file_id}")
    assert got.status_code == 200 and got.content == PDF
    assert "attachment;" in got.headers["content-disposition"]

    # Without the confirmation: 422, a clear message, nothing locked.
    r = post(client, f"{preview_url}/send", {"revision": "1"})
    assert r.status_code == 422
    assert "Kryss av for å bekrefte at dette er organisasjonens høringssvar." in r.text
    assert _response(db, ws, inv.id).submitted_at is None

    # A colleague changes the draft after the preview: the old preview cannot be sent.
    client.cookies.clear()
    login(client, s["osen2"])
    r = post(
        client,
        f"{s['base']}/svar",
        {"invitee_id": str(inv.id), "revision": "1", "body": BODY + "\n\nMvh Oda"},
    )
    assert r.status_code == 303
    client.cookies.clear()
    login(client, s["osen"])
    r = post(client, f"{preview_url}/send", {"revision": "1", "confirm": "yes"})
    assert r.status_code == 422 and "endret utkastet etter at du så over det" in r.text
    assert _response(db, ws, inv.id).submitted_at is None

    # Looked over again and confirmed: sent, locked, with time and sender; a receipt.
    assert "Mvh Oda" in client.get(preview_url).text
    r = post(client, f"{preview_url}/send", {"revision": "2", "confirm": "yes"})
    assert r.status_code == 303 and r.headers["location"] == preview_url
    receipt = client.get(preview_url).text
    assert "Høringssvaret er sendt inn og låst." in receipt  # the flash
    assert "Høringssvaret er sendt inn" in receipt and "Ola Osen" in receipt
    assert "Signert brev.pdf" in receipt and "Jeg bekrefter" not in receipt
    stored = _response(db, ws, inv.id)
    assert stored.submitted_at is not None and stored.submitted_by_name == "Ola Osen"
    assert [f.filename for f in _files(db, ws)] == ["Signert brev.pdf"]  # kept when locked

    # A second send is refused, saying when and by whom it was sent.
    r = post(client, f"{preview_url}/send", {"revision": "2", "confirm": "yes"})
    assert r.status_code == 422 and "allerede sendt inn" in r.text and "Ola Osen" in r.text
    # Nor can its files be taken off any more.
    r = post(client, f"{preview_url}/vedlegg/{file_id}/slett")
    assert r.status_code == 422 and "låst" in r.text
    assert len(_files(db, ws)) == 1

    # The coordinator sees it, with the letter, on the round and in the summary.
    client.cookies.clear()
    login(client, s["kari"])
    page = client.get(s["base"]).text
    assert "<strong>Osen kommune</strong> støtter strategien." in page
    assert f"{preview_url}/vedlegg/{file_id}" in page
    assert client.get(f"{preview_url}/vedlegg/{file_id}").content == PDF
    summary = client.get(f"{s['base']}/oppsummering").text
    assert "Vedlegg: Signert brev.pdf" in summary
    exported = client.get(f"{s['base']}/oppsummering.docx")
    assert exported.status_code == 200
    paragraphs = [p.text for p in docx.Document(io.BytesIO(exported.content)).paragraphs]
    assert "Vedlegg: Signert brev.pdf" in paragraphs
    assert "Osen kommune støtter strategien." in paragraphs  # Markdown as Word text


def test_the_round_page_no_longer_sends_on_one_click(client, db, ws, setting):
    s = setting
    inv = s["osen_inv"]
    login(client, s["osen"])
    page = client.get(s["base"]).text
    assert "Se over før innsending" in page and 'enctype="multipart/form-data"' in page
    # An old form's "submit" only saves.
    r = post(
        client,
        f"{s['base']}/svar",
        {"invitee_id": str(inv.id), "revision": "0", "body": "Tekst", "submit": "1"},
    )
    assert r.status_code == 303
    assert _response(db, ws, inv.id).submitted_at is None
    # The file of a draft can be taken off while it is a draft.
    _upload(
        client,
        f"{s['base']}/svar",
        {"invitee_id": str(inv.id), "revision": "1", "body": "Tekst"},
        [("attachments", ("utkast.pdf", PDF, "application/pdf"))],
    )
    row = _files(db, ws)[0]
    assert "utkast.pdf" in client.get(s["base"]).text
    r = post(client, f"{s['base']}/svar/{inv.id}/vedlegg/{row.id}/slett")
    assert r.status_code == 303
    assert _files(db, ws) == [] and "utkast.pdf" not in client.get(s["base"]).text
    # Sending an empty draft from the preview is not offered.
    post(client, f"{s['base']}/svar", {"invitee_id": str(inv.id), "revision": "3", "body": ""})
    page = client.get(f"{s['base']}/svar/{inv.id}").text
    assert "Skriv og lagre høringssvaret før dere sender det inn." in page
    assert "Jeg bekrefter" not in page


def test_bad_or_too_large_files_are_refused_and_nothing_is_kept(
    client, db, ws, setting, storage_dir, monkeypatch
):
    s = setting
    inv = s["osen_inv"]
    login(client, s["osen"])
    url = f"{s['base']}/svar"
    data = {"invitee_id": str(inv.id), "revision": "0", "body": "Vårt svar", "preview": "1"}
    r = _upload(client, url, data, [("attachments", ("program.pdf", EXE, "application/pdf"))])
    assert r.status_code == 422
    assert "«program.pdf» er ikke en filtype vi tar imot." in r.text
    # The form keeps the text and names the file to choose again.
    assert "Vårt svar" in r.text and "Velg den på nytt." in r.text
    monkeypatch.setenv("SAMSPILL_ATTACHMENT_MAX_BYTES", "2000")
    get_settings.cache_clear()
    big = b"%PDF-1.4\n" + b"0" * 3000
    r = _upload(client, url, data, [("attachments", ("stort brev.pdf", big, "application/pdf"))])
    assert r.status_code == 413 and "«stort brev.pdf» er for stor." in r.text
    # Neither the draft nor a file was kept.
    assert _response(db, ws, inv.id) is None and _files(db, ws) == []
    assert not storage_dir.exists() or not any(p.is_file() for p in storage_dir.rglob("*"))


def test_only_those_who_may_read_the_response_get_its_files(client, db, ws, setting):
    s = setting
    login(client, s["osen"])
    preview_url = _draft_with_letter(client, s)
    file_url = f"{preview_url}/vedlegg/{_files(db, ws)[0].id}"

    def status(user, url=file_url):
        client.cookies.clear()
        login(client, user)
        return client.get(url).status_code

    # A draft stays with Osen: KS (invited too), the county, others see nothing of it.
    assert status(s["ks"]) == 404 and status(s["ks"], preview_url) == 404
    assert status(s["kari"]) == 404
    assert status(s["namsos"]) == 404  # another municipality, not invited
    assert status(s["sf"]) == 404  # another organisation's partner, not invited
    assert status(s["stranger"]) == 404
    assert status(s["stranger"], file_url.replace(f"/{ws.slug}/", f"/{s['other'].slug}/")) == 404
    assert status(s["osen2"]) == 200  # a colleague in Osen
    # A file id of another response is not found under this one.
    assert status(s["osen"], f"{preview_url}/vedlegg/999999") == 404
    assert status(s["osen"], f"{s['base']}/svar/{s['ks_inv'].id}/vedlegg/1") == 404

    # Sent: the county and the round's participants read it; outsiders still do not.
    client.cookies.clear()
    login(client, s["osen"])
    assert (
        post(client, f"{preview_url}/send", {"revision": "1", "confirm": "yes"}).status_code == 303
    )
    assert status(s["kari"]) == 200
    assert status(s["ks"]) == 200
    assert status(s["namsos"]) == 404
    assert status(s["sf"]) == 404
    assert status(s["stranger"]) == 404


def test_the_api_lists_uploads_and_serves_the_files(client, db, ws, setting):
    s = setting
    inv = s["osen_inv"]
    r_id = s["round"].id
    api = f"/api/v1/{ws.slug}/strategies/rounds/{r_id}"
    osen = bearer(db, ws, s["osen"])
    ks = bearer(db, ws, s["ks"])
    stranger = bearer(db, s["other"], s["stranger"])
    saved = client.put(
        f"{api}/responses/{inv.id}", json={"body": "Svar via API", "revision": 0}, headers=osen
    )
    assert saved.status_code == 200 and saved.json()["files"] == []
    bad = client.post(
        f"{api}/responses/{inv.id}/files",
        files=[("files", ("x.pdf", EXE, "application/pdf"))],
        headers=osen,
    )
    assert bad.status_code == 422 and _files(db, ws) == []
    r = client.post(
        f"{api}/responses/{inv.id}/files",
        files=[("files", ("brev.pdf", PDF, "application/pdf"))],
        headers=osen,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["body"] == "Svar via API" and body["revision"] == 2
    [listed] = body["files"]
    assert listed["filename"] == "brev.pdf" and listed["size"] == len(PDF)
    assert client.get(listed["url"], headers=osen).content == PDF
    assert client.get(listed["url"], headers=ks).status_code == 404  # a draft of Osen's
    page = client.get(api, headers=osen).json()
    [mine] = [x for x in page["responses"] if x["invitee_id"] == inv.id]
    assert [f["filename"] for f in mine["files"]] == ["brev.pdf"]
    other_url = listed["url"].replace(f"/{ws.slug}/", f"/{s['other'].slug}/")
    assert client.get(other_url, headers=stranger).status_code == 404
    # Submitting what was looked over: a stale revision is refused, the current one locks it.
    url = f"{api}/responses/{inv.id}/submit"
    assert client.post(f"{url}?revision=1", headers=osen).status_code == 422
    sent = client.post(f"{url}?revision=2", headers=osen)
    assert sent.status_code == 200 and sent.json()["submitted_at"] is not None
    assert [f["filename"] for f in sent.json()["files"]] == ["brev.pdf"]
    assert client.get(listed["url"], headers=ks).content == PDF  # KS, invited, reads it now


def test_a_guest_looks_over_and_sends_through_the_link(client, db, ws, setting):
    s = setting
    inv = s["guest_inv"]
    token = "kjent-token-for-gjesten"
    from app.strategies.consultation import invitees

    with in_workspace(db, ws):
        inv.token_hash = invitees.token_hash(token)
        db.add(inv)
    base = f"/{ws.slug}/gjest/{token}"
    csrf(client)
    r = _upload(
        client,
        f"{base}/svar",
        {"invitee_id": str(inv.id), "revision": "0", "body": "Gjestens svar", "preview": "1"},
        [("attachments", ("brev.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 303 and r.headers["location"] == f"{base}/svar/{inv.id}"
    page = client.get(f"{base}/svar/{inv.id}").text
    assert "Gjestens svar" in page and "brev.pdf" in page and "Gjest Gjestesen" in page
    assert post(client, f"{base}/svar/{inv.id}/send", {"revision": "1"}).status_code == 422
    r = post(client, f"{base}/svar/{inv.id}/send", {"revision": "1", "confirm": "yes"})
    assert r.status_code == 303
    assert _response(db, ws, inv.id).submitted_by_name == "Gjest Gjestesen"
