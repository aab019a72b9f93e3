"""Export (CSV, XLSX) and import of participation records, on both databases: every row is
checked before anything is written, a fresh export imported again changes nothing, the rows of
one record must agree, and another workspace's records are out of reach."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func

from app.audit.models import AuditEvent
from app.schemes.models import Participation, ParticipationMember
from app.tenancy import scoped, set_db_scope
from factories import (
    bearer,
    create_body,
    create_call,
    create_help_request,
    create_member,
    create_participation,
    create_scheme,
    create_workspace,
    csrf,
    login,
    national_scheme,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEAD = (
    "ID;Ref;Virkemiddel;Utlysning;År;Tittel;Status;Kommunenummer;Kommune;Rolle;Søkt beløp;"
    "Innvilget beløp;Råd eller nettverk;Hjelpeforespørsel;Merknad"
)


def csv_bytes(*lines: str) -> bytes:
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def counts(db, ws) -> dict[str, int]:
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    out = {
        model.__name__: db.scalar(scoped(model, ws.id).with_only_columns(func.count())) or 0
        for model in (Participation, ParticipationMember, AuditEvent)
    }
    set_db_scope(db, workspace_id=None, user_id=None)
    return out


def records(db, ws) -> dict[str, Participation]:
    """The workspace's records by title, members loaded; read afresh from the database."""
    from sqlalchemy.orm import selectinload

    db.expire_all()
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    rows = db.scalars(
        scoped(Participation, ws.id).options(selectinload(Participation.members))
    ).all()
    set_db_scope(db, workspace_id=None, user_id=None)
    return {r.title: r for r in rows}


def members(record: Participation) -> set[tuple[str, str]]:
    return {(m.municipality_number, m.role) for m in record.members}


def upload(client, slug, content, name="fil.csv", follow=False):
    response = client.post(
        f"/{slug}/virkemidler/soknader/import",
        data={"csrf_token": csrf(client)},
        files={"file": (name, content, "text/csv")},
    )
    if follow and response.status_code == 303:
        return client.get(response.headers["location"])
    return response


def seed(db, ws) -> dict[str, object]:
    """Three records: a joint one under a national scheme through a council, with a help
    request and awkward text; one under the county's own scheme and a call; a bare idea."""
    digifin = national_scheme(db, "digifin")
    klimasats = national_scheme(db, "klimasats")
    fund = create_scheme(db, ws, "Trøndelags omstillingsfond")
    call = create_call(db, ws, fund, title="Utlysning 2026", deadline=date(2026, 9, 1))
    council = create_body(db, ws, "Trøndelag sør regionråd")
    request = create_help_request(db, ws, municipality="5020")
    joint = create_participation(
        db,
        ws,
        digifin,
        "5020",
        ("5021", "5025"),
        year=2025,
        status="granted",
        title="=Felles plattform",  # looks like a formula
        amount_applied=1_500_000,
        amount_granted=1_200_000,
        body_id=council.id,
        help_request_number=request.number,
        notes='Første linje; med semikolon\r\nog «sitat» og "anførsel"',
    )
    own = create_participation(
        db,
        ws,
        fund,
        "5001",
        year=2026,
        status="applying",
        title="Grønn omstilling",
        call_id=call.id,
        amount_applied=300_000,
    )
    idea = create_participation(db, ws, klimasats, "5001", year=2026, status="idea", title="Idé")
    return {"joint": joint, "own": own, "idea": idea, "request": request, "call": call}


@pytest.fixture
def coordinator(client, db):
    ws = create_workspace(db)
    user = create_member(db, ws, "coordinator")
    seed(db, ws)
    login(client, user)
    return ws


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(client, db, coordinator, fmt):
    ws = coordinator
    r = client.get(f"/{ws.slug}/virkemidler/soknader/eksport.{fmt}")
    assert r.status_code == 200
    assert r.headers["content-disposition"].endswith(f'.{fmt}"')
    assert "attachment" in r.headers["content-disposition"]
    before = counts(db, ws)
    assert before["Participation"] == 3 and before["ParticipationMember"] == 5

    page = upload(client, ws.slug, r.content, name=f"x.{fmt}", follow=True)
    assert page.status_code == 200, page.text[:3000]
    assert "0 nye, 0 endret, 3 uendret (5 rader)" in page.text
    assert counts(db, ws) == before  # not one row, not one audit event


def test_export_rows_read_as_a_person_expects(client, db, coordinator):
    ws = coordinator
    r = client.get(f"/{ws.slug}/virkemidler/soknader/eksport.csv")
    assert r.headers["content-type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    assert text.splitlines()[0] == HEAD
    assert ";'=Felles plattform;Innvilget;5020;Osen;Søker;1500000;1200000;" in text
    assert ";5021;Oppdal;Partner;" in text and ";5025;Røros;Partner;" in text
    assert "Trøndelag sør regionråd" in text
    assert ";Trøndelags omstillingsfond;Utlysning 2026;2026;Grønn omstilling;Søker;5001;" in text

    x = client.get(f"/{ws.slug}/virkemidler/soknader/eksport.xlsx")
    assert x.headers["content-type"] == XLSX
    sheet = load_workbook(io.BytesIO(x.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=False))
    head = [c.value for c in rows[0]]
    lead = next(row for row in rows[1:] if row[7].value == "5020")
    cell = dict(zip(head, lead, strict=True))
    assert cell["Tittel"].value == "=Felles plattform" and cell["Tittel"].data_type == "s"
    assert cell["Søkt beløp"].value == 1_500_000  # a number the spreadsheet can sum
    assert cell["Kommunenummer"].data_type == "s"


def test_one_bad_row_stores_nothing_and_names_row_and_column(client, db, coordinator):
    ws = coordinator
    own = records(db, ws)["Grønn omstilling"]
    before = counts(db, ws)
    content = csv_bytes(
        "ID;Virkemiddel;År;Tittel;Status;Kommunenummer;Rolle;Søkt beløp",
        f"{own.id};Trøndelags omstillingsfond;2026;Grønn omstilling;Avslått;5001;Søker;300000",
        ";klimasats;2026;Nytt prosjekt;Søker;5001;Søker;100000",
        ";klimasats;2026;Enda et;Søker;9999;Søker;100000",
    )
    r = upload(client, ws.slug, content)
    assert r.status_code == 422
    assert "Rad 4, kolonne «Kommunenummer»: Finner ingen kommune med nummer 9999." in r.text
    assert "Ingenting er lagret" in r.text
    assert counts(db, ws) == before
    assert records(db, ws)["Grønn omstilling"].status == "applying"  # not "Avslått"


def test_every_kind_of_error_is_reported_by_row_and_column(client, db, coordinator):
    ws = coordinator
    joint = records(db, ws)["=Felles plattform"]
    content = csv_bytes(
        "ID;Ref;Virkemiddel;Utlysning;År;Tittel;Status;Kommunenummer;Rolle;Søkt beløp;"
        "Innvilget beløp;Råd eller nettverk;Hjelpeforespørsel",
        ";;Finnes ikke;;2026;A;Søker;5001;;;;;",  # 2
        ";;klimasats;;2026;B;Søker;5001;;-5;;;",  # 3
        ";;Trøndelags omstillingsfond;Utlysning 1999;2026;C;Søker;5001;;;;;",  # 4
        ";;klimasats;;26;D;Søker;5001;;;;;",  # 5
        ";;klimasats;;2026;E;Ferdig;5001;;12,5;;;",  # 6
        ";;klimasats;;2026;F;Søker;5001;sjef;;;Ukjent råd;999",  # 7
        ";X;klimasats;;2026;G;Søker;5001;Søker;;;;",  # 8
        ";X;klimasats;;2027;G;Søker;5020;Søker;;;;",  # 9: another lead, another year
        ";Y;klimasats;;2026;H;Søker;5001;Søker;;;;",  # 10
        ";Y;klimasats;;2026;H;Søker;5001;Partner;;;;",  # 11: same municipality twice
        f"{joint.id};;digifin;;2025;=Felles plattform;Innvilget;5020;Partner;;;;",  # 12
        f"{joint.id};;digifin;;2025;=Felles plattform;Innvilget;5021;Partner;;;;",  # 13
        "99999999;;klimasats;;2026;I;Søker;5001;Søker;;;;",  # 14
        "abc;;klimasats;;2026;J;Søker;5001;Søker;;;;",  # 15
    )
    before = counts(db, ws)
    r = upload(client, ws.slug, content)
    assert r.status_code == 422
    for expected in (
        "Rad 2, kolonne «Virkemiddel»: Finner ikke virkemiddelet «Finnes ikke»",
        "Rad 3, kolonne «Søkt beløp»: Beløpet kan ikke være negativt.",
        "Rad 4, kolonne «Utlysning»: Finner ingen utlysning «Utlysning 1999»",
        "Rad 5, kolonne «År»: Skriv et årstall mellom 1990 og 2100.",
        "Rad 6, kolonne «Status»: Ukjent status «Ferdig»",
        "Rad 6, kolonne «Søkt beløp»: Skriv beløpet i hele kroner",
        "Rad 7, kolonne «Rolle»: Ukjent rolle «sjef»",
        "Rad 7, kolonne «Råd eller nettverk»: Finner ikke rådet eller nettverket «Ukjent råd»",
        "Rad 7, kolonne «Hjelpeforespørsel»: Finner ingen forespørsel til hjelpekorpset med "
        "nummer 999.",
        "Rad 9, kolonne «År»: Står annerledes i rad 8.",
        "Rad 9, kolonne «Rolle»: Rad 8 er allerede søker.",
        "Rad 11, kolonne «Kommunenummer»: Kommunen står allerede i rad 10",
        "Rad 12, kolonne «Rolle»: Ingen av radene er søker.",
        "Rad 14, kolonne «ID»: Finner ingen søknad med ID 99999999 her.",
        "Rad 15, kolonne «ID»: ID-en må være et helt tall",
    ):
        assert expected in r.text, expected
    assert counts(db, ws) == before


def test_changes_are_applied_through_the_service_and_counted(client, db, coordinator):
    ws = coordinator
    exported = client.get(f"/{ws.slug}/virkemidler/soknader/eksport.csv").content
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig")), delimiter=";"))
    changed = [rows[0]]
    for row in rows[1:]:
        if row[7] == "5025":
            continue  # Røros leaves the joint application
        if row[5] == "Grønn omstilling":
            row[6] = "Avslått"
        changed.append(row)
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(changed)
    added = [
        # a new joint application: two rows bound by Ref; the partner row leaves the record's
        # own columns empty
        ";A;Trøndelags omstillingsfond;Utlysning 2026;2026;Felles søknad;Søker;5021;;Søker;"
        "200 000;;Trøndelag sør regionråd;;",
        ";A;;;;;;5025;;Partner;;;;;",
        # a new single-municipality record with no role given: the lead
        ";;klimasats;;2027;Ladepunkter;innvilget;5001;;;kr 80 000,-;80.000;;;",
    ]
    before = counts(db, ws)
    page = upload(client, ws.slug, (out.getvalue() + "\r\n".join(added)).encode(), follow=True)
    assert "2 nye, 2 endret, 1 uendret (7 rader)" in page.text, page.text[:3000]
    after = counts(db, ws)
    assert after["Participation"] == before["Participation"] + 2
    assert after["AuditEvent"] > before["AuditEvent"]  # the service's writes are logged
    stored = records(db, ws)
    assert members(stored["=Felles plattform"]) == {("5020", "lead"), ("5021", "partner")}
    assert stored["Grønn omstilling"].status == "rejected"
    joint = stored["Felles søknad"]
    assert members(joint) == {("5021", "lead"), ("5025", "partner")}
    assert joint.amount_applied == 200_000 and joint.call_id is not None
    assert joint.body_id == stored["=Felles plattform"].body_id
    charging = stored["Ladepunkter"]
    assert (charging.status, charging.amount_applied, charging.amount_granted) == (
        "granted",
        80_000,
        80_000,
    )
    assert members(charging) == {("5001", "lead")}


def test_english_headings_and_codes_are_accepted(client, db, coordinator):
    ws = coordinator
    content = csv_bytes(
        "ref,scheme,year,title,status,municipality_number,role,amount_applied,amount_granted",
        "p1,forkommune,2026,Felles plattform,granted,5001,lead,400000,350000",
        "p1,forkommune,2026,Felles plattform,granted,5025,partner,,",
    )
    page = upload(client, ws.slug, content, follow=True)
    assert "1 nye, 0 endret" in page.text, page.text[:3000]
    record = records(db, ws)["Felles plattform"]
    assert record.status == "granted" and record.amount_granted == 350_000
    assert members(record) == {("5001", "lead"), ("5025", "partner")}


def test_an_xlsx_made_by_hand_with_typed_cells_is_read(client, db, coordinator):
    book = Workbook()
    sheet = book.active
    sheet.append(["Virkemiddel", "År", "Tittel", "Kommunenummer", "Søkt beløp", "Status"])
    sheet.append(["DigiFin", 2026, "Fra Excel", 5001, 250000.0, "Søker"])
    sheet.append(["digifin", 2026.0, "Fra Excel 2", 301, None, "Idé"])  # 0301 lost its zero
    out = io.BytesIO()
    book.save(out)
    page = upload(client, coordinator.slug, out.getvalue(), "m.xlsx", follow=True)
    assert "2 nye, 0 endret" in page.text, page.text[:3000]
    stored = records(db, coordinator)
    assert stored["Fra Excel"].amount_applied == 250_000
    assert members(stored["Fra Excel 2"]) == {("0301", "lead")}


def test_a_rule_the_service_refuses_undoes_the_whole_import(client, db, coordinator):
    """Granted amounts on an application still being written: the service's own rule, so
    the record before it (already written in the savepoint) is undone as well."""
    ws = coordinator
    before = counts(db, ws)
    content = csv_bytes(
        "Virkemiddel;År;Tittel;Status;Kommunenummer;Innvilget beløp",
        "klimasats;2026;Først;Søker;5001;",
        "klimasats;2026;Så;Søker;5001;100000",
    )
    r = upload(client, ws.slug, content)
    assert r.status_code == 422
    assert "Rad 3, kolonne «Innvilget beløp»: Innvilget beløp passer bare til" in r.text
    assert counts(db, ws) == before
    assert "Først" not in records(db, ws)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_downloads_and_imports_cleanly(client, db, coordinator, fmt):
    ws = coordinator
    r = client.get(f"/{ws.slug}/virkemidler/soknader/mal.{fmt}")
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(r.content))
        assert [s.title for s in book.worksheets] == ["Søknader", "Forklaring"]
        explained = [c.value for row in book.worksheets[1].iter_rows() for c in row]
        assert "Innvilget" in explained and "granted" in explained  # labels and codes
        assert "Trøndelags omstillingsfond" in explained and "5001" in explained
    before = counts(db, ws)
    page = upload(client, ws.slug, r.content, f"mal.{fmt}", follow=True)
    assert "0 nye, 0 endret, 0 uendret (1 rad)" in page.text, page.text[:3000]
    assert "1 eksempelrad ble hoppet over" in page.text
    assert counts(db, ws) == before

    # The example row itself is valid: with its Ref cleared it is imported.
    if fmt == "csv":
        text = r.content.decode("utf-8-sig").replace(";eksempel;", ";;")
        page = upload(client, ws.slug, text.encode("utf-8"), follow=True)
        assert "1 nye, 0 endret" in page.text, page.text[:3000]


def test_a_helper_may_import(client, db):
    ws = create_workspace(db)
    helper = create_member(db, ws, "helper")
    login(client, helper)
    content = csv_bytes(
        "Virkemiddel;År;Kommunenummer;Tittel", "digifin;2026;5020;Fra hjelpekorpset"
    )
    page = upload(client, ws.slug, content, follow=True)
    assert "1 nye, 0 endret" in page.text, page.text[:3000]
    assert "Fra hjelpekorpset" in records(db, ws)


def test_a_viewer_may_export_but_not_import(client, db):
    ws = create_workspace(db)
    seed(db, ws)
    viewer = create_member(db, ws, "viewer")
    login(client, viewer)
    assert client.get(f"/{ws.slug}/virkemidler/soknader/eksport.csv").status_code == 200
    assert client.get(f"/{ws.slug}/virkemidler/soknader/mal.xlsx").status_code == 200
    page = client.get(f"/{ws.slug}/virkemidler/soknader/import")
    assert page.status_code == 200
    assert 'type="file"' not in page.text and "eksport.xlsx" in page.text
    headers = bearer(db, ws, viewer)
    before = counts(db, ws)
    content = csv_bytes("Virkemiddel;År;Kommunenummer", "digifin;2026;5020")
    assert upload(client, ws.slug, content).status_code == 403
    r = client.post(
        f"/api/v1/{ws.slug}/participations/import",
        files={"file": ("x.csv", content, "text/csv")},
        headers=headers,
    )
    assert r.status_code == 403
    export = client.get(f"/api/v1/{ws.slug}/participations/export.csv", headers=headers)
    assert export.status_code == 200 and "Grønn omstilling" in export.content.decode("utf-8-sig")
    after = counts(db, ws)  # (the token's first use is in the change log)
    assert after["Participation"] == before["Participation"] == 3
    assert after["ParticipationMember"] == before["ParticipationMember"]


def test_another_workspaces_record_id_is_unknown_and_untouched(client, db, coordinator):
    other = create_workspace(db, county="46")
    theirs = create_participation(
        db, other, national_scheme(db, "digifin"), "4601", year=2025, title="Bergens"
    )
    content = csv_bytes(
        "ID;Virkemiddel;År;Tittel;Status;Kommunenummer;Rolle",
        f"{theirs.id};digifin;2025;Overtatt;Avslått;5001;Søker",
    )
    r = upload(client, coordinator.slug, content)
    assert r.status_code == 422
    assert f"Rad 2, kolonne «ID»: Finner ingen søknad med ID {theirs.id} her." in r.text
    stored = records(db, other)["Bergens"]
    assert stored.status == "granted" and members(stored) == {("4601", "lead")}

    # and none of the routes answer for the other workspace
    for path in ("import", "eksport.csv", "mal.xlsx"):
        assert client.get(f"/{other.slug}/virkemidler/soknader/{path}").status_code == 404
    assert upload(client, other.slug, content).status_code == 404
    assert client.get(f"/api/v1/{other.slug}/participations/export.csv").status_code == 404
    # unknown formats are a plain 404 in one's own workspace
    assert client.get(f"/{coordinator.slug}/virkemidler/soknader/eksport.pdf").status_code == 404


def test_export_holds_only_own_records(client, db, coordinator):
    other = create_workspace(db)
    create_participation(db, other, national_scheme(db, "digifin"), "5001", title="Hemmelig")
    text = client.get(f"/{coordinator.slug}/virkemidler/soknader/eksport.csv").content.decode(
        "utf-8-sig"
    )
    assert "Grønn omstilling" in text and "Hemmelig" not in text


def test_the_api_round_trip_and_errors(client, db):
    ws = create_workspace(db)
    seed(db, ws)
    headers = bearer(db, ws, create_member(db, ws, "coordinator"))
    exported = client.get(f"/api/v1/{ws.slug}/participations/export.xlsx", headers=headers)
    assert exported.status_code == 200 and exported.headers["content-type"] == XLSX
    r = client.post(
        f"/api/v1/{ws.slug}/participations/import",
        files={"file": ("x.xlsx", exported.content, XLSX)},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 0, "updated": 0, "unchanged": 3, "skipped": 0, "rows": 5}

    bad = csv_bytes("Virkemiddel;År;Kommunenummer", "digifin;2026;5001", "digifin;1850;5001")
    r = client.post(
        f"/api/v1/{ws.slug}/participations/import",
        files={"file": ("x.csv", bad, "text/csv")},
        headers=headers,
    )
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid_input"
    assert body["errors"] == [
        {"row": 3, "column": "År", "message": "Skriv et årstall mellom 1990 og 2100."}
    ]
    assert counts(db, ws)["Participation"] == 3


def test_wrong_columns_limits_and_missing_file(client, db, coordinator, monkeypatch):
    slug = coordinator.slug
    r = upload(client, slug, csv_bytes("Virkemiddel;Kommune nr;Beløp", "digifin;5001;1"))
    assert r.status_code == 422
    assert "Rad 1, kolonne «Kommune nr»: Ukjent kolonne." in r.text
    assert "Rad 1, kolonne «År»: Kolonnen mangler." in r.text
    assert "Rad 1, kolonne «Kommunenummer»: Kolonnen mangler." in r.text

    r = upload(
        client, slug, csv_bytes("Virkemiddel;År;Kommunenummer;Tittel", "digifin;2026;5001;A;x")
    )
    assert "Rad 2:" in r.text and "kolonne 5, som ikke har noen overskrift" in r.text

    from app.schemes import transfer_import

    monkeypatch.setattr(transfer_import, "MAX_ROWS", 2)
    rows = [f"digifin;2026;5001;P{i}" for i in range(3)]
    r = upload(client, slug, csv_bytes("Virkemiddel;År;Kommunenummer;Tittel", *rows))
    assert r.status_code == 422 and "mer enn 2 rader" in r.text

    monkeypatch.setattr(transfer_import, "MAX_BYTES", 100)
    r = upload(client, slug, csv_bytes("Virkemiddel;År;Kommunenummer", "x" * 200))
    assert r.status_code == 413 and "Filen er for stor" in r.text

    monkeypatch.undo()
    r = upload(client, slug, b"PK\x03\x04 not really a zip", "x.xlsx")
    assert r.status_code == 422 and "Excel-ark" in r.text
    r = upload(client, slug, b"   ")
    assert r.status_code == 422 and "Filen er tom" in r.text

    r = client.post(f"/{slug}/virkemidler/soknader/import", data={"csrf_token": csrf(client)})
    assert r.status_code == 422 and "Velg en fil" in r.text
    r = client.post(
        f"/{slug}/virkemidler/soknader/import",
        files={"file": ("x.csv", csv_bytes("Virkemiddel;År;Kommunenummer"), "text/csv")},
    )
    assert r.status_code == 403  # no CSRF token


def test_the_page_with_and_without_htmx(client, coordinator):
    for headers in ({}, {"HX-Request": "true"}):
        r = client.get(f"/{coordinator.slug}/virkemidler/soknader/import", headers=headers)
        assert r.status_code == 200
        assert 'enctype="multipart/form-data"' in r.text
        assert f"/{coordinator.slug}/virkemidler/soknader/mal.xlsx" in r.text
        assert f"/{coordinator.slug}/virkemidler/soknader/eksport.csv" in r.text
        assert 'aria-current="page"' in r.text  # the module's tab menu marks this page
