"""Attachments, the plan of steps, links between requests, time spent, service-level settings,
the overdue view and the queue filters."""

import io
import re
import zipfile
from datetime import date, timedelta

from sqlalchemy import func

from app import clock
from app.config import get_settings
from app.counties.models import Workspace
from app.db import utcnow
from app.helpdesk import attachments
from app.helpdesk.models import (
    HelpRequest,
    RequestAttachment,
    RequestLink,
    RequestStep,
    TimeEntry,
)
from app.helpdesk.work.schemas import parse_minutes
from app.tenancy import scoped, set_db_scope
from factories import (
    add_member,
    bearer,
    create_member,
    create_user,
    create_workspace,
    csrf,
    login,
    post,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


def office(kind: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        if kind == "odt":
            z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            z.writestr("content.xml", "<office:document-content/>")
        else:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return buf.getvalue()


def count(db, ws, model, *where):
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    n = db.scalar(scoped(model, ws.id).where(*where).with_only_columns(func.count()))
    set_db_scope(db, workspace_id=None, user_id=None)
    return n


def upload(client, url, data, files):
    payload = dict(data)
    payload["csrf_token"] = csrf(client)
    return client.post(url, data=payload, files=files)


REQUEST = {
    "category": "funding",
    "title": "Søknad til Forkommune",
    "description": "Vi trenger hjelp med en søknad.",
    "urgency": "normal",
}


def file(client, ws, **extra):
    r = post(client, f"/{ws.slug}/hjelp", {**REQUEST, **extra})
    assert r.status_code == 303, r.text[:400]
    return int(r.headers["location"].rsplit("/", 1)[1])


# --- attachments ---------------------------------------------------------------------------


def test_content_decides_the_kind_not_the_name():
    assert attachments.sniff(PDF) == "pdf"
    assert attachments.sniff(PNG) == "png"
    assert attachments.sniff(JPEG) == "jpeg"
    assert attachments.sniff(office("docx")) == "docx"
    assert attachments.sniff(office("xlsx")) == "xlsx"
    assert attachments.sniff(office("odt")) == "odt"
    assert attachments.sniff("Møtereferat\nLinje to\n".encode()) == "txt"
    assert attachments.sniff(EXE) is None
    assert attachments.sniff(b"PK\x03\x04not really a zip") is None
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("a.txt", "x")
    assert attachments.sniff(plain_zip.getvalue()) is None
    assert attachments.sniff("bilde".encode("utf-16")) is None
    # The stored name ends in what the content is.
    assert attachments.clean_filename("rapport.txt", "pdf") == "rapport.txt.pdf"
    assert attachments.clean_filename("C:\\Users\\x\\Søknad.PDF", "pdf") == "Søknad.pdf"
    assert attachments.clean_filename('"../../etc/passwd"', "txt") == "passwd.txt"
    assert attachments.clean_filename("bilde.jpeg", "jpeg") == "bilde.jpeg"


def test_attachments_on_filing_replies_and_notes_respect_who_may_see_them(
    client, db, ws, storage_dir
):
    coordinator = create_member(db, ws, "coordinator")
    osen = create_member(db, ws, "municipal")  # 5020 Osen
    namsos = create_user(db)
    add_member(db, ws, namsos, "municipal", municipality="5007")
    other = create_workspace(db, county="46", name="Vestland test")
    stranger = create_member(db, other, "coordinator")
    login(client, osen)
    r = upload(
        client,
        f"/{ws.slug}/hjelp",
        REQUEST,
        [
            ("attachments", ("Søknadsutkast.pdf", PDF, "application/pdf")),
            ("attachments", ("skisse.png", PNG, "image/png")),
        ],
    )
    assert r.status_code == 303, r.text[:500]
    number = int(r.headers["location"].rsplit("/", 1)[1])
    page = client.get(f"/{ws.slug}/hjelp/{number}").text
    assert "Søknadsutkast.pdf" in page and "skisse.png" in page
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    rows = list(db.scalars(scoped(RequestAttachment, ws.id).order_by(RequestAttachment.id)))
    set_db_scope(db, workspace_id=None, user_id=None)
    assert [(a.filename, a.size, a.internal) for a in rows] == [
        ("Søknadsutkast.pdf", len(PDF), False),
        ("skisse.png", len(PNG), False),
    ]
    # The bytes are on disk under the storage folder, not in the database.
    assert all(
        (storage_dir / "attachments" / a.storage_key[:2] / a.storage_key).is_file() for a in rows
    )
    pdf_id = rows[0].id
    got = client.get(f"/{ws.slug}/hjelp/{number}/vedlegg/{pdf_id}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''S%C3%B8knadsutkast.pdf" in got.headers["content-disposition"]

    # An internal note with a file: the municipality sees neither.
    client.cookies.clear()
    login(client, coordinator)
    r = upload(
        client,
        f"/{ws.slug}/hjelp/{number}/svar",
        {"body": "Budsjettet ser tynt ut.", "internal": "on"},
        [("attachments", ("budsjett.xlsx", office("xlsx"), "application/octet-stream"))],
    )
    assert r.status_code == 303, r.text[:500]
    r = upload(
        client,
        f"/{ws.slug}/hjelp/{number}/svar",
        {"body": "Her er en mal."},
        [("attachments", ("mal.docx", office("docx"), "application/octet-stream"))],
    )
    assert r.status_code == 303
    page = client.get(f"/{ws.slug}/hjelp/{number}").text
    assert "budsjett.xlsx" in page and "mal.docx" in page
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    internal_id = db.scalar(
        scoped(RequestAttachment, ws.id)
        .where(RequestAttachment.filename == "budsjett.xlsx")
        .with_only_columns(RequestAttachment.id)
    )
    set_db_scope(db, workspace_id=None, user_id=None)
    assert client.get(f"/{ws.slug}/hjelp/{number}/vedlegg/{internal_id}").status_code == 200

    client.cookies.clear()
    login(client, osen)
    page = client.get(f"/{ws.slug}/hjelp/{number}").text
    assert "mal.docx" in page and "budsjett.xlsx" not in page
    assert client.get(f"/{ws.slug}/hjelp/{number}/vedlegg/{internal_id}").status_code == 404
    # Another municipality, and another workspace, get nothing.
    client.cookies.clear()
    login(client, namsos)
    assert client.get(f"/{ws.slug}/hjelp/{number}/vedlegg/{pdf_id}").status_code == 404
    client.cookies.clear()
    login(client, stranger)
    assert client.get(f"/{ws.slug}/hjelp/{number}/vedlegg/{pdf_id}").status_code == 404
    assert client.get(f"/{other.slug}/hjelp/{number}/vedlegg/{pdf_id}").status_code == 404


def test_bad_attachments_are_refused_and_change_nothing(client, db, ws, storage_dir, monkeypatch):
    login(client, create_member(db, ws, "municipal"))
    monkeypatch.setenv("SAMSPILL_ATTACHMENT_MAX_BYTES", "2000")
    get_settings.cache_clear()
    url = f"/{ws.slug}/hjelp"
    big = b"%PDF-1.4\n" + b"0" * 3000
    r = upload(client, url, REQUEST, [("attachments", ("stor.pdf", big, "application/pdf"))])
    assert r.status_code == 413
    assert "«stor.pdf» er for stor." in r.text and "høyst 0 MB" not in r.text
    assert "PDF, DOCX, XLSX, ODT, PNG, JPEG eller TXT" in r.text
    r = upload(client, url, REQUEST, [("attachments", ("program.pdf", EXE, "application/pdf"))])
    assert r.status_code == 422 and "«program.pdf» er ikke en filtype vi tar imot." in r.text
    r = upload(client, url, REQUEST, [("attachments", ("tom.txt", b"", "text/plain"))])
    assert r.status_code == 422 and "«tom.txt» er tom." in r.text
    six = [("attachments", (f"f{n}.txt", b"tekst", "text/plain")) for n in range(6)]
    r = upload(client, url, REQUEST, six)
    assert r.status_code == 422 and "høyst 5 filer" in r.text
    # One good file with a bad one: neither is kept, and no request either.
    r = upload(
        client,
        url,
        REQUEST,
        [
            ("attachments", ("ok.txt", b"tekst", "text/plain")),
            ("attachments", ("program.exe", EXE, "application/octet-stream")),
        ],
    )
    assert r.status_code == 422
    assert count(db, ws, HelpRequest) == 0
    assert count(db, ws, RequestAttachment) == 0
    assert not (storage_dir / "attachments").exists() or not any(
        (storage_dir / "attachments").rglob("*")
    )


def test_limit_message_names_the_configured_size(monkeypatch):
    monkeypatch.setenv("SAMSPILL_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))
    get_settings.cache_clear()
    assert "høyst 10 MB" in attachments.limit_text()
    get_settings.cache_clear()


def test_a_body_over_the_request_limit_gets_413_with_the_limit(client, db, ws, monkeypatch):
    login(client, create_member(db, ws, "municipal"))
    monkeypatch.setenv("SAMSPILL_MAX_REQUEST_BYTES", str(1024 * 1024))
    get_settings.cache_clear()
    big = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
    r = upload(client, f"/{ws.slug}/hjelp", REQUEST, [("attachments", ("x.pdf", big, "a/b"))])
    assert r.status_code == 413 and "1 MB" in r.text
    assert count(db, ws, HelpRequest) == 0


# --- the plan, links and time spent --------------------------------------------------------


def test_plan_of_steps(client, db, ws):
    helper = create_member(db, ws, "helper")
    osen = create_member(db, ws, "municipal")
    login(client, osen)
    number = file(client, ws)
    client.cookies.clear()
    login(client, helper)
    base = f"/{ws.slug}/hjelp/{number}"
    assert post(client, f"{base}/ta").status_code == 303  # helpers work what is theirs
    due = (clock.today() + timedelta(days=14)).isoformat()
    assert (
        post(client, f"{base}/steg", {"step_title": "Kartlegg behovet", "due_on": due}).status_code
        == 303
    )
    assert post(client, f"{base}/steg", {"step_title": "Skriv søknaden"}).status_code == 303
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    steps = list(db.scalars(scoped(RequestStep, ws.id).order_by(RequestStep.position)))
    set_db_scope(db, workspace_id=None, user_id=None)
    assert [(s.title, s.position, s.due_on) for s in steps] == [
        ("Kartlegg behovet", 1, date.fromisoformat(due)),
        ("Skriv søknaden", 2, None),
    ]
    assert post(client, f"{base}/steg/{steps[0].id}", {"done": "1"}).status_code == 303
    page = client.get(base).text
    assert "1 av 2 gjort" in page
    assert post(client, f"{base}/steg/{steps[1].id}/slett").status_code == 303
    # Bad input: an empty step, an unknown step.
    r = post(client, f"{base}/steg", {"step_title": ""})
    assert r.status_code == 422 and "Feltet må fylles ut." in r.text
    assert post(client, f"{base}/steg/999999", {"done": "1"}).status_code == 404
    assert count(db, ws, RequestStep) == 1
    # The municipality sees the plan but does not change it.
    client.cookies.clear()
    login(client, osen)
    page = client.get(base).text
    assert "Kartlegg behovet" in page and "1 av 1 gjort" in page and "Legg til steg" not in page
    assert post(client, f"{base}/steg", {"step_title": "Vårt eget"}).status_code == 403
    assert post(client, f"{base}/steg/{steps[0].id}", {"done": "0"}).status_code == 403
    assert count(db, ws, RequestStep) == 1


def test_links_between_requests_show_on_both_and_only_to_who_may_see(client, db, ws):
    coordinator = create_member(db, ws, "coordinator")
    osen = create_member(db, ws, "municipal")
    namsos = create_user(db)
    add_member(db, ws, namsos, "municipal", municipality="5007")
    login(client, osen)
    a = file(client, ws, title="Velferdsteknologi i Osen")
    client.cookies.clear()
    login(client, namsos)
    b = file(client, ws, title="Velferdsteknologi i Namsos")
    client.cookies.clear()
    login(client, coordinator)
    assert post(client, f"/{ws.slug}/hjelp/{a}/lenker", {"other": f"HK-{b}"}).status_code == 303
    assert "Velferdsteknologi i Osen" in client.get(f"/{ws.slug}/hjelp/{b}").text
    assert "Velferdsteknologi i Namsos" in client.get(f"/{ws.slug}/hjelp/{a}").text
    for bad, message in (
        (f"HK-{a}", "kan ikke lenkes til seg selv"),
        (str(b), "allerede lenket"),
        ("HK-9999", "Fant ingen forespørsel"),
        ("tolv", "Skriv nummeret"),
    ):
        r = post(client, f"/{ws.slug}/hjelp/{a}/lenker", {"other": bad})
        assert r.status_code == 422 and message in r.text, bad
    assert count(db, ws, RequestLink) == 1
    # Osen does not see Namsos's request through the link.
    client.cookies.clear()
    login(client, osen)
    assert "Velferdsteknologi i Namsos" not in client.get(f"/{ws.slug}/hjelp/{a}").text
    assert post(client, f"/{ws.slug}/hjelp/{a}/lenker", {"other": str(b)}).status_code == 403
    client.cookies.clear()
    login(client, coordinator)
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    link_id = db.scalar(scoped(RequestLink, ws.id).with_only_columns(RequestLink.id))
    set_db_scope(db, workspace_id=None, user_id=None)
    assert post(client, f"/{ws.slug}/hjelp/{b}/lenker/{link_id}/slett").status_code == 303
    assert count(db, ws, RequestLink) == 0


def test_time_spent_per_request_and_helper(client, db, ws):
    coordinator = create_member(db, ws, "coordinator")
    helper = create_member(db, ws, "helper")
    other_helper = create_member(db, ws, "helper")
    osen = create_member(db, ws, "municipal")
    login(client, osen)
    number = file(client, ws)
    base = f"/{ws.slug}/hjelp/{number}"
    today = clock.today().isoformat()
    assert post(client, f"{base}/tid", {"worked_on": today, "hours": "1"}).status_code == 403
    client.cookies.clear()
    login(client, coordinator)
    triage = {"category": "funding", "priority": "normal"}
    r = post(client, f"{base}/vurdering", {**triage, "assignees": [helper.id, other_helper.id]})
    assert r.status_code == 303
    client.cookies.clear()
    login(client, helper)
    assert (
        post(
            client, f"{base}/tid", {"worked_on": today, "hours": "1,5", "note": "Møte"}
        ).status_code
        == 303
    )
    assert post(client, f"{base}/tid", {"worked_on": today, "hours": "0:45"}).status_code == 303
    for hours, worked_on in (("abc", today), ("25", today), ("0", today), ("nan", today)):
        r = post(client, f"{base}/tid", {"worked_on": worked_on, "hours": hours})
        assert r.status_code == 422 and "Skriv tiden i timer" in r.text, hours
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    r = post(client, f"{base}/tid", {"worked_on": tomorrow, "hours": "1"})
    assert r.status_code == 422 and "fram i tid" in r.text
    client.cookies.clear()
    login(client, other_helper)
    assert post(client, f"{base}/tid", {"worked_on": today, "hours": "2"}).status_code == 303
    page = client.get(base).text
    assert "4 t 15 min" in page  # 90 + 45 + 120 minutes
    assert "2 t 15 min" in page  # the first helper's total
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    first = db.scalar(
        scoped(TimeEntry, ws.id).where(TimeEntry.user_id == helper.id).order_by(TimeEntry.id)
    )
    set_db_scope(db, workspace_id=None, user_id=None)
    assert first.minutes == 90
    # Another helper cannot remove it; a coordinator can.
    assert post(client, f"{base}/tid/{first.id}/slett").status_code == 403
    client.cookies.clear()
    login(client, coordinator)
    assert post(client, f"{base}/tid/{first.id}/slett").status_code == 303
    assert count(db, ws, TimeEntry) == 2
    # The municipality does not see the time sheet.
    client.cookies.clear()
    login(client, osen)
    assert "Tidsbruk" not in client.get(base).text


def test_parse_minutes():
    assert parse_minutes("1,5") == 90
    assert parse_minutes("1.25") == 75
    assert parse_minutes("0:05") == 5
    assert parse_minutes("24") == 1440
    for bad in ("", "24,1", "-1", "1:5", "1:60", "inf", "x"):
        assert parse_minutes(bad) is None, bad


# --- service levels, overdue, filters ------------------------------------------------------


def _age(db, ws, number, days):
    """Pretend a request was filed some days ago and recount its due times."""
    from app.helpdesk import due

    set_db_scope(db, workspace_id=ws.id, user_id=None)
    req = db.scalar(scoped(HelpRequest, ws.id).where(HelpRequest.number == number))
    req.created_at = utcnow() - timedelta(days=days)
    due.refresh_due(db, ws, [req])
    db.flush()
    set_db_scope(db, workspace_id=None, user_id=None)
    return req


def test_overdue_view_and_overview_figure(client, db, ws):
    coordinator = create_member(db, ws, "coordinator")
    login(client, coordinator)
    old = file(client, ws, title="Gammel forespørsel", municipality_number="5020")
    fresh = file(client, ws, title="Fersk forespørsel", municipality_number="5020")
    _age(db, ws, old, 30)
    page = client.get(f"/{ws.slug}/hjelp?visning=forsinket").text
    assert "Gammel forespørsel" in page and "Fersk forespørsel" not in page
    start = client.get(f"/{ws.slug}/oversikt").text
    assert re.search(r'visning=forsinket"><span class="figure__value">1</span>', start), (
        "the overview counts one overdue request"
    )
    # Waiting for the municipality stops the resolution clock; a first response stops the first.
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    req = db.scalar(scoped(HelpRequest, ws.id).where(HelpRequest.number == old))
    set_db_scope(db, workspace_id=None, user_id=None)
    assert req.resolution_due_at is not None and req.first_response_due_at is not None
    assert fresh != old


def test_service_level_settings(client, db, ws):
    admin = create_member(db, ws, "county_admin")
    login(client, admin)
    number = file(client, ws, municipality_number="5020")
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    before = db.scalar(
        scoped(HelpRequest, ws.id)
        .where(HelpRequest.number == number)
        .with_only_columns(HelpRequest.first_response_due_at)
    )
    set_db_scope(db, workspace_id=None, user_id=None)
    good = {"day_start": "09:00", "day_end": "15:00"}
    for p, (first, resolve) in {
        "urgent": (2, 8),
        "high": (4, 20),
        "normal": (30, 90),
        "low": (40, 200),
    }.items():
        good[f"first_{p}"] = str(first)
        good[f"resolve_{p}"] = str(resolve)
    r = post(client, f"/{ws.slug}/innstillinger/hjelpekorps", good)
    assert r.status_code == 303, r.text[:500]
    db.expire_all()
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    after = db.scalar(
        scoped(HelpRequest, ws.id)
        .where(HelpRequest.number == number)
        .with_only_columns(HelpRequest.first_response_due_at)
    )
    set_db_scope(db, workspace_id=None, user_id=None)
    assert after != before  # 30 working hours now, not 15
    page = client.get(f"/{ws.slug}/innstillinger").text
    assert 'value="09:00"' in page and 'value="30"' in page
    # Bad input: nothing changes.
    for change, message in (
        ({"day_end": "08:00"}, "slutte etter at den begynner"),
        ({"day_start": "9"}, "TT:MM"),
        ({"first_normal": "abc"}, "helt antall timer"),
        ({"first_normal": "100"}, "første svar kan ikke være lengre"),
    ):
        r = post(client, f"/{ws.slug}/innstillinger/hjelpekorps", {**good, **change})
        assert r.status_code == 422 and message in r.text, change
    db.expire_all()
    from app.helpdesk.sla import levels_of

    stored = levels_of(db.get(Workspace, ws.id))
    assert stored.day_start == "09:00" and stored.first_response_hours["normal"] == 30
    # The size thresholds form keeps the service levels.
    r = post(
        client,
        f"/{ws.slug}/innstillinger",
        {
            "threshold_0": "1000",
            "threshold_1": "3000",
            "threshold_2": "10000",
            "threshold_3": "20000",
        },
    )
    assert r.status_code == 303
    db.expire_all()
    assert levels_of(db.get(Workspace, ws.id)).day_start == "09:00"
    # Only admins change settings.
    client.cookies.clear()
    login(client, create_member(db, ws, "coordinator"))
    assert post(client, f"/{ws.slug}/innstillinger/hjelpekorps", good).status_code == 403


def test_queue_filters_by_priority_size_class_and_helper(client, db, ws):
    coordinator = create_member(db, ws, "coordinator", name="Kari Koordinator")
    helper = create_member(db, ws, "helper", name="Hilde Hjelper")
    gone = create_member(db, ws, "helper", name="Gunnar Gått")
    gone.is_active = False
    create_member(db, ws, "viewer", name="Vera Viser")
    db.flush()
    login(client, coordinator)
    # The helper filter lists who may work requests (the coordinator and the active helper),
    # by name, with their user ids; the municipality filter the county's municipalities.
    page = client.get(f"/{ws.slug}/hjelp").text
    helper_list = page[
        page.index('name="hjelper"') : page.index("</select>", page.index('name="hjelper"'))
    ]
    assert re.findall(r'<option value="(\d*)" ?>([^<]+)</option>', helper_list) == [
        ("", "Alle"),
        (str(helper.id), "Hilde Hjelper"),
        (str(coordinator.id), "Kari Koordinator"),
    ]
    assert '<option value="5020" >Osen</option>' in page
    small = file(client, ws, title="Liten kommune", municipality_number="5020")  # Osen, ~950
    big = file(client, ws, title="Stor kommune", municipality_number="5001", urgency="high")
    r = post(
        client,
        f"/{ws.slug}/hjelp/{small}/vurdering",
        {"category": "funding", "priority": "normal", "assignees": str(helper.id)},
    )
    assert r.status_code == 303
    by_priority = client.get(f"/{ws.slug}/hjelp?visning=alle&prioritet=high").text
    assert "Stor kommune" in by_priority and "Liten kommune" not in by_priority
    by_class = client.get(f"/{ws.slug}/hjelp?visning=alle&klasse=1").text
    assert "Liten kommune" in by_class and "Stor kommune" not in by_class
    by_helper = client.get(f"/{ws.slug}/hjelp?visning=alle&hjelper={helper.id}").text
    assert "Liten kommune" in by_helper and "Stor kommune" not in by_helper
    assert big != small


def test_a_reply_to_a_closed_request_is_refused_and_changes_nothing(client, db, ws):
    from app.helpdesk.models import RequestMessage

    coordinator = create_member(db, ws, "coordinator")
    osen = create_member(db, ws, "municipal")
    login(client, osen)
    number = file(client, ws)
    client.cookies.clear()
    login(client, coordinator)
    base = f"/{ws.slug}/hjelp/{number}"
    assert (
        post(
            client,
            f"{base}/vurdering",
            {"category": "funding", "priority": "normal", "assignees": str(coordinator.id)},
        ).status_code
        == 303
    )
    for state in ("in_progress", "resolved", "closed"):
        form = {"state": state, "message": "Ferdig." if state == "resolved" else ""}
        assert post(client, f"{base}/status", form).status_code == 303, state
    before = count(db, ws, RequestMessage)
    client.cookies.clear()
    login(client, osen)
    r = upload(
        client,
        f"{base}/svar",
        {"body": "Ett spørsmål til"},
        [("attachments", ("notat.txt", b"tekst", "text/plain"))],
    )
    assert r.status_code == 422
    assert "Forespørselen er lukket. Åpne den igjen før du svarer." in r.text
    assert count(db, ws, RequestMessage) == before
    assert count(db, ws, RequestAttachment) == 0


def test_a_packed_member_is_never_unpacked_to_judge_the_type():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", b"a" * (50 * 1024 * 1024))  # 50 MB that packs to ~50 kB
    packed = buf.getvalue()
    assert len(packed) < 200_000
    assert attachments.sniff(packed) is None


def test_a_viewer_cannot_attach_through_the_api(client, db, ws):
    osen = create_member(db, ws, "municipal")
    viewer = create_member(db, ws, "viewer")
    login(client, osen)
    number = file(client, ws)
    r = client.post(
        f"/api/v1/{ws.slug}/helpdesk/requests/{number}/attachments",
        files=[("files", ("x.txt", b"tekst", "text/plain"))],
        headers=bearer(db, ws, viewer),
    )
    assert r.status_code == 403
    assert count(db, ws, RequestAttachment) == 0


def test_requests_from_before_the_stored_figures_get_them_on_migrate(client, db, ws):
    from app.migrate import fill_derived

    login(client, create_member(db, ws, "coordinator"))
    number = file(client, ws, municipality_number="5020")
    assert post(client, f"/{ws.slug}/hjelp/{number}/svar", {"body": "Svar"}).status_code == 303
    set_db_scope(db, workspace_id=ws.id, user_id=None)
    req = db.scalar(scoped(HelpRequest, ws.id).where(HelpRequest.number == number))
    req.first_response_due_at = req.resolution_due_at = None
    req.first_response_minutes = None
    db.flush()
    set_db_scope(db, workspace_id=None, user_id=None)
    assert fill_derived(db) == 1
    assert req.first_response_due_at is not None and req.resolution_due_at is not None
    assert req.first_response_minutes is not None
    assert fill_derived(db) == 0  # nothing left to do


def test_odd_digits_and_early_days_are_refused_not_crashed(client, db, ws):
    login(client, create_member(db, ws, "county_admin"))
    number = file(client, ws, municipality_number="5020")
    for url in (
        f"/{ws.slug}/hjelp?klasse=²",
        f"/{ws.slug}/hjelp?hjelper=²",
        f"/{ws.slug}?klasse=²",
    ):
        assert client.get(url).status_code == 200, url
    r = post(client, f"/{ws.slug}/hjelp/{number}/lenker", {"other": "HK-²"})
    assert r.status_code == 422 and "Skriv nummeret" in r.text
    r = post(client, f"/{ws.slug}/hjelp/{number}/tid", {"worked_on": "1900-01-01", "hours": "1"})
    assert r.status_code == 422 and "før forespørselen kom inn" in r.text
    r = post(
        client,
        f"/{ws.slug}/innstillinger/hjelpekorps",
        {"day_start": "08:00", "day_end": "08:15", "first_urgent": "²"},
    )
    assert r.status_code == 422 and "helt antall timer" in r.text
    levels = {
        f"{k}_{p}": "4" if k == "first" else "2000"
        for k in ("first", "resolve")
        for p in ("urgent", "high", "normal", "low")
    }
    r = post(
        client,
        f"/{ws.slug}/innstillinger/hjelpekorps",
        {"day_start": "08:00", "day_end": "08:15", **levels},
    )
    assert r.status_code == 422 and "minst én time" in r.text


def test_an_api_upload_over_the_limit_says_so(client, db, ws, monkeypatch):
    osen = create_member(db, ws, "municipal")
    login(client, osen)
    number = file(client, ws)
    headers = bearer(db, ws, osen)
    monkeypatch.setenv("SAMSPILL_ATTACHMENT_MAX_BYTES", "1000")
    get_settings.cache_clear()
    r = client.post(
        f"/api/v1/{ws.slug}/helpdesk/requests/{number}/attachments",
        files=[("files", ("stor.pdf", b"%PDF-1.4\n" + b"0" * 2000, "application/pdf"))],
        headers=headers,
    )
    assert r.status_code == 413
    body = r.json()
    assert body["code"] == "too_large" and body["message"] == "Filen er for stor."
    assert "«stor.pdf» er for stor." in body["errors"]["files"]
    assert count(db, ws, RequestAttachment) == 0


def test_a_form_with_errors_names_the_files_to_choose_again(client, db, ws, storage_dir):
    """A browser cannot refill a file field: when the form comes back with an error, the page
    says which files were not sent, so a phone user does not send the request without them."""
    osen = create_member(db, ws, "municipal")
    login(client, osen)
    files = [("attachments", ("Søknadsutkast.pdf", PDF, "application/pdf"))]
    r = upload(client, f"/{ws.slug}/hjelp", {**REQUEST, "title": ""}, files)
    assert r.status_code == 422
    assert "Filen «Søknadsutkast.pdf» er ikke sendt, fordi skjemaet hadde feil." in r.text
    assert 'aria-describedby="f-attachments-hint f-attachments-dropped"' in r.text
    assert count(db, ws, RequestAttachment) == 0
    # Without a file, no such notice.
    r = upload(client, f"/{ws.slug}/hjelp", {**REQUEST, "title": ""}, [])
    assert r.status_code == 422 and "er ikke sendt, fordi" not in r.text

    r = upload(client, f"/{ws.slug}/hjelp", REQUEST, [])
    number = int(r.headers["location"].rsplit("/", 1)[1])
    two = [*files, ("attachments", ("skisse.png", PNG, "image/png"))]
    r = upload(client, f"/{ws.slug}/hjelp/{number}/svar", {"body": ""}, two)
    assert r.status_code == 422
    assert "Filene «Søknadsutkast.pdf», «skisse.png» er ikke sendt" in r.text
    assert count(db, ws, RequestAttachment) == 0
