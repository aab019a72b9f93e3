"""An agenda item's papers as files: uploaded by those who write the meeting (page and API),
checked as every attachment is, downloaded by those who may read the meeting (the other county
too when the body is shared, without changing anything), 404 elsewhere, named in the exports."""

from __future__ import annotations

import re
from io import BytesIO

from sqlalchemy import func

from app.config import get_settings
from app.meetings import agenda
from app.meetings.models import MeetingPaper
from app.meetings.schemas import AgendaItemForm
from app.tenancy import scoped
from factories import (
    accept_shares,
    add_body_member,
    add_member,
    bearer,
    create_body,
    create_meeting,
    create_member,
    create_user,
    create_workspace,
    in_workspace,
    login,
    post,
    staff_principal,
)

PDF = b"%PDF-1.4\n% saksframlegg\n%%EOF\n"


def _meeting_with_item(db, ws, title="Rådsmøte"):
    body = create_body(db, ws, "Namdal regionråd")
    add_body_member(db, ws, body, "5020")
    meeting = create_meeting(db, ws, body, title)
    with in_workspace(db, ws):
        item = agenda.add_item(
            db, ws, staff_principal(), meeting.id, AgendaItemForm(title="Budsjett 2027")
        )
    return body, meeting, item


def _papers(db, ws) -> int:
    with in_workspace(db, ws):
        return db.scalar(scoped(MeetingPaper, ws.id).with_only_columns(func.count())) or 0


def test_an_editor_uploads_a_paper_readers_download_it_and_it_is_in_the_exports(client, db, ws):
    from docx import Document

    _body, meeting, item = _meeting_with_item(db, ws)
    login(client, create_member(db, ws, "coordinator"))
    url = f"/{ws.slug}/moter/{meeting.id}/saker/{item.id}/filer"
    page = client.get(f"/{ws.slug}/moter/{meeting.id}").text
    assert f'action="{url}"' in page and 'enctype="multipart/form-data"' in page
    r = post(client, url, files=[("attachments", ("Saksframlegg.pdf", PDF, "application/pdf"))])
    assert r.status_code == 303, r.text[:500]
    page = client.get(f"/{ws.slug}/moter/{meeting.id}").text
    match = re.search(rf'href="({url}/\d+)">Saksframlegg.pdf</a>', page)
    assert match, page[:3000]
    got = client.get(match.group(1))
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["cache-control"] == "private, no-store"
    # a member municipality's user reads the meeting, and so the paper; may not remove it
    client.cookies.clear()
    login(client, create_member(db, ws, "municipal"))  # Osen, a member
    assert client.get(match.group(1)).content == PDF
    assert "Ja, fjern filen" not in client.get(f"/{ws.slug}/moter/{meeting.id}").text
    assert post(client, f"{match.group(1)}/slett").status_code == 403
    assert _papers(db, ws) == 1
    # named in both exports
    text = "\n".join(
        p.text
        for p in Document(
            BytesIO(client.get(f"/{ws.slug}/moter/{meeting.id}.docx").content)
        ).paragraphs
    )
    assert "Vedlegg: Saksframlegg.pdf" in text
    assert client.get(f"/{ws.slug}/moter/{meeting.id}.pdf").content.startswith(b"%PDF")
    from app.meetings import export

    with in_workspace(db, ws):
        html = export.html(export.collect(db, ws, staff_principal(), meeting.id))
    assert "Vedlegg: Saksframlegg.pdf" in html
    # an editor removes it (the confirmation is on the page)
    client.cookies.clear()
    login(client, create_member(db, ws, "coordinator"))
    assert "Ja, fjern filen" in client.get(f"/{ws.slug}/moter/{meeting.id}").text
    r = post(client, f"{match.group(1)}/slett", follow_redirects=True)
    assert "Filen er fjernet." in r.text and "Saksframlegg.pdf" not in r.text
    assert client.get(match.group(1)).status_code == 404
    assert _papers(db, ws) == 0


def test_bad_files_are_refused_with_the_shared_messages_and_nothing_is_stored(
    client, db, ws, storage_dir, monkeypatch
):
    _body, meeting, item = _meeting_with_item(db, ws)
    login(client, create_member(db, ws, "coordinator"))
    url = f"/{ws.slug}/moter/{meeting.id}/saker/{item.id}/filer"
    r = post(
        client, url, files=[("attachments", ("evil.exe", b"MZ\x90\x00binary", "application/x"))]
    )
    assert r.status_code == 422
    assert "«evil.exe» er ikke en filtype vi tar imot." in r.text
    assert "PDF, DOCX, XLSX, ODT, PNG, JPEG eller TXT" in r.text
    assert 'aria-invalid="true"' in r.text and "Velg dem på nytt" not in r.text
    monkeypatch.setenv("SAMSPILL_ATTACHMENT_MAX_BYTES", "2000")
    get_settings.cache_clear()
    big = b"%PDF-1.4\n" + b"0" * 3000
    r = post(
        client,
        url,
        files=[
            ("attachments", ("liten.pdf", PDF, "application/pdf")),
            ("attachments", ("stor.pdf", big, "application/pdf")),
        ],
    )
    assert r.status_code == 413 and "«stor.pdf» er for stor." in r.text
    assert "«liten.pdf», «stor.pdf» er ikke lagret" in r.text  # named to choose again
    assert _papers(db, ws) == 0
    assert not [p for p in storage_dir.rglob("*") if p.is_file()]


def test_papers_through_the_api(client, db, ws):
    _body, meeting, item = _meeting_with_item(db, ws)
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    api = f"/api/v1/{ws.slug}/meetings/{meeting.id}/agenda/{item.id}/papers"
    r = client.post(
        api,
        files=[("files", ("Notat.txt", b"Hei fra Osen", "text/plain"))],
        headers=headers,
    )
    assert r.status_code == 201, r.text
    [paper] = r.json()["items"]
    assert paper["filename"] == "Notat.txt" and paper["size"] == len(b"Hei fra Osen")
    assert client.get(paper["url"], headers=headers).content == b"Hei fra Osen"
    assert client.get(api, headers=headers).json()["items"] == [paper]
    detail = client.get(f"/api/v1/{ws.slug}/meetings/{meeting.id}", headers=headers).json()
    assert detail["agenda"][0]["files"] == [paper]
    r = client.post(
        api, files=[("files", ("x.bin", b"\x00\x01\x02", "application/x"))], headers=headers
    )
    assert r.status_code == 422 and "filtype" in r.text
    # a municipal member reads but may not change
    reader = bearer(db, ws, create_member(db, ws, "municipal"), name="reader")
    assert client.get(paper["url"], headers=reader).status_code == 200
    assert client.delete(paper["url"], headers=reader).status_code == 403
    r = client.post(api, files=[("files", ("a.txt", b"a", "text/plain"))], headers=reader)
    assert r.status_code == 403
    assert client.delete(paper["url"], headers=headers).status_code == 204
    assert client.get(paper["url"], headers=headers).status_code == 404
    assert _papers(db, ws) == 0


def test_papers_of_another_workspace_or_a_hidden_meeting_are_404(client, db, ws):
    other = create_workspace(db, county="46")
    _body, meeting, item = _meeting_with_item(db, other, "Vestlandsmøtet")
    with in_workspace(db, other):
        from app.helpdesk import attachments
        from app.meetings import papers

        upload = attachments.Upload(filename="Hemmelig.pdf", kind="pdf", content=PDF)
        stored = attachments.write([upload])
        [row] = papers.add_papers(db, other, staff_principal(), meeting.id, item.id, stored)
    outsider = create_user(db)
    add_member(db, other, outsider, "municipal", municipality="4601")
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    login(client, create_member(db, ws, "county_admin"))
    base = f"/{ws.slug}/moter/{meeting.id}/saker/{item.id}/filer"
    assert client.get(f"{base}/{row.id}").status_code == 404
    r = post(client, base, files=[("attachments", ("a.pdf", PDF, "application/pdf"))])
    assert r.status_code == 404
    assert post(client, f"{base}/{row.id}/slett").status_code == 404
    api = f"/api/v1/{ws.slug}/meetings/{meeting.id}/agenda/{item.id}/papers"
    assert client.get(f"{api}/{row.id}", headers=headers).status_code == 404
    assert client.get(api, headers=headers).status_code == 404
    assert client.delete(f"{api}/{row.id}", headers=headers).status_code == 404
    # a municipal user of the owning county whose municipality is not in the body: 404 too
    client.cookies.clear()
    login(client, outsider)
    own = f"/{other.slug}/moter/{meeting.id}/saker/{item.id}/filer/{row.id}"
    assert client.get(own).status_code == 404
    assert _papers(db, other) == 1


def test_a_shared_body_s_papers_download_in_the_other_county_but_never_change(client, db):
    buskerud = create_workspace(db, county="33", name="Buskerud test")
    telemark = create_workspace(db, county="40", name="Telemark test")
    kr = create_body(db, buskerud, "Kongsbergregionen")
    add_body_member(db, buskerud, kr, "3303")
    add_body_member(db, buskerud, kr, "4005")
    meeting = create_meeting(db, buskerud, kr, "Rådmannsutvalget")
    with in_workspace(db, buskerud):
        from app.helpdesk import attachments
        from app.meetings import papers

        item = agenda.add_item(
            db, buskerud, staff_principal(), meeting.id, AgendaItemForm(title="Samarbeid")
        )
        upload = attachments.Upload(filename="Avtale.pdf", kind="pdf", content=PDF)
        stored = attachments.write([upload])
        [row] = papers.add_papers(db, buskerud, staff_principal(), meeting.id, item.id, stored)
    accept_shares(db, telemark)
    login(client, create_member(db, telemark, "coordinator"))
    base = f"/{telemark.slug}/moter/{meeting.id}/saker/{item.id}/filer"
    page = client.get(f"/{telemark.slug}/moter/{meeting.id}").text
    assert f'href="{base}/{row.id}">Avtale.pdf</a>' in page
    assert "Last opp saksdokumenter" not in page and "Ja, fjern filen" not in page
    assert client.get(f"{base}/{row.id}").content == PDF
    r = post(client, base, files=[("attachments", ("a.pdf", PDF, "application/pdf"))])
    assert r.status_code == 403
    assert post(client, f"{base}/{row.id}/slett").status_code == 403
    headers = bearer(db, telemark, create_member(db, telemark, "coordinator"))
    api = f"/api/v1/{telemark.slug}/meetings/{meeting.id}/agenda/{item.id}/papers"
    assert client.get(f"{api}/{row.id}", headers=headers).content == PDF
    assert client.delete(f"{api}/{row.id}", headers=headers).status_code == 403
    assert _papers(db, buskerud) == 1
