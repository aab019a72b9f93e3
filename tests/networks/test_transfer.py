"""Export (CSV, XLSX) and import of bodies, memberships and contacts: every row is checked
before anything is written, and a file exported and imported again changes nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func

from app.audit.models import AuditEvent
from app.networks import contacts, service
from app.networks.models import Body, BodyMembership, Person, Responsibility
from app.networks.schemas import BodyForm, MembershipForm, PersonForm
from app.tenancy import scoped, set_db_scope
from factories import create_member, create_workspace, csrf, login, organisation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@contextmanager
def scope(db, ws) -> Iterator[None]:
    """Create tenant rows of ``ws`` directly, committed to the test's savepoint so that a
    request that fails and rolls back does not take them with it."""
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    try:
        yield
    finally:
        set_db_scope(db, workspace_id=None, user_id=None)
        db.commit()


def counts(db, ws) -> dict[str, int]:
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    out = {
        model.__name__: db.scalar(scoped(model, ws.id).with_only_columns(func.count())) or 0
        for model in (Body, BodyMembership, Person, Responsibility, AuditEvent)
    }
    set_db_scope(db, workspace_id=None, user_id=None)
    return out


def upload(client, slug, dataset, content, name="fil.csv", follow=False):
    response = client.post(
        f"/{slug}/import",
        data={"csrf_token": csrf(client), "dataset": dataset},
        files={"file": (name, content, "text/csv")},
    )
    if follow and response.status_code == 303:
        return client.get(response.headers["location"])
    return response


def csv_bytes(*lines: str) -> bytes:
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def seed(db, ws) -> None:
    """A small but awkward network: a tree, an archived body, both kinds of member, closed
    periods, text that looks like a formula, a phone number with +, several areas."""
    with scope(db, ws):
        council = service.create_body(
            db,
            ws,
            BodyForm(
                name="Trøndelag sør regionråd",
                kind="council",
                description='Samarbeid om alt;\n«sitater» og "anførsel"',
                contact_email="post@regionrad.no",
                contact_phone="+47 72 00 00 00",
                website="https://regionrad.no",
            ),
        )
        board = service.create_body(
            db, ws, BodyForm(name="Styret", kind="board", parent_id=council.id, purpose="=1+1")
        )
        service.create_body(
            db, ws, BodyForm(name="Arbeidsutvalg", kind="working_committee", parent_id=board.id)
        )
        network = service.create_body(
            db, ws, BodyForm(name="Digi Trøndelag", kind="network", theme="digitalisation")
        )
        old = service.create_body(db, ws, BodyForm(name="Gammelt nettverk", kind="network"))
        service.set_archived(db, ws, old.id, True)
        service.add_membership(
            db,
            ws,
            council.id,
            MembershipForm(
                municipality_number="5020",
                role="host",
                start_date=date(2020, 1, 1),
                end_date=date(2022, 12, 31),
            ),
        )
        service.add_membership(
            db,
            ws,
            council.id,
            MembershipForm(municipality_number="5020", start_date=date(2023, 1, 1)),
        )
        service.add_membership(
            db, ws, network.id, MembershipForm(municipality_number="5001", role="secretariat")
        )
        service.add_membership(
            db,
            ws,
            network.id,
            MembershipForm(organisation_id=organisation(db, "KS").id, role="observer"),
        )
        contacts.create_person(
            db,
            ws,
            PersonForm(
                name="Kari Nordmann",
                municipality_number="5020",
                title="Digitaliseringsleder",
                email="kari@osen.kommune.no",
                phone="+47 900 00 000",
                areas=["school", "digitalisation"],
            ),
        )
        contacts.create_person(
            db, ws, PersonForm(name="Ola Nordmann", municipality_number="5001", areas=[])
        )


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
    files = {}
    for dataset in ("organer", "medlemskap", "kontakter"):
        r = client.get(f"/{ws.slug}/eksport/{dataset}.{fmt}")
        assert r.status_code == 200
        assert "attachment" in r.headers["content-disposition"]
        assert r.headers["content-disposition"].endswith(f'.{fmt}"')
        files[dataset] = r.content
    before = counts(db, ws)
    assert before["Body"] == 5 and before["BodyMembership"] == 4 and before["Person"] == 2

    for dataset, content in files.items():
        page = upload(client, ws.slug, dataset, content, name=f"x.{fmt}", follow=True)
        assert page.status_code == 200, page.text[:2000]
        assert "0 nye, 0 endret" in page.text

    assert counts(db, ws) == before  # not one row, not one audit event


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_into_an_empty_workspace_recreates_the_same_data(client, db, coordinator, fmt):
    source = coordinator
    target = create_workspace(db)
    other = create_member(db, target, "county_admin")
    exported = {
        d: client.get(f"/{source.slug}/eksport/{d}.{fmt}").content
        for d in ("organer", "medlemskap", "kontakter")
    }
    as_csv = {d: client.get(f"/{source.slug}/eksport/{d}.csv").content for d in exported}

    client.cookies.clear()
    login(client, other)
    created = {"organer": 5, "medlemskap": 4, "kontakter": 2}
    for dataset in ("organer", "medlemskap", "kontakter"):
        page = upload(client, target.slug, dataset, exported[dataset], f"x.{fmt}", follow=True)
        assert f"{created[dataset]} nye, 0 endret" in page.text, page.text[:2000]
        again = client.get(f"/{target.slug}/eksport/{dataset}.csv").content
        assert again == as_csv[dataset]
    audit = counts(db, target)["AuditEvent"]
    assert audit > 11  # the service's writes are in the audit log


def test_exported_contacts_csv_has_name_areas_and_norwegian_excel_format(client, coordinator):
    r = client.get(f"/{coordinator.slug}/eksport/kontakter.csv")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    text = r.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "navn;kommunenummer;tittel;e-post;telefon;ansvarsområder"
    assert "Kari Nordmann;5020;Digitaliseringsleder;kari@osen.kommune.no;" in text
    assert "digitalisation|school" in text
    assert "'+47 900 00 000" in text  # not taken for a formula by a spreadsheet


def test_xlsx_export_keeps_formula_like_text_as_text(client, coordinator):
    r = client.get(f"/{coordinator.slug}/eksport/organer.xlsx")
    assert r.headers["content-type"] == XLSX
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    purpose = rows["Styret"][5]
    assert purpose.value == "=1+1" and purpose.data_type == "s"
    assert rows["Styret"][3].value == "Trøndelag sør regionråd"  # parent by name


def test_one_bad_row_imports_nothing_and_names_row_and_column(client, db, coordinator):
    ws = coordinator
    before = counts(db, ws)
    content = csv_bytes(
        "navn;kommunenummer;tittel;e-post;telefon;ansvarsområder",
        "Per Hansen;5020;Rådgiver;per@osen.kommune.no;;school",
        "Siri Moe;9999;Leder;siri@example.no;;climate",
        "Kari Nordmann;5020;Ny tittel;kari@osen.kommune.no;+47 900 00 000;school",
    )
    r = upload(client, ws.slug, "kontakter", content)
    assert r.status_code == 422
    assert "rad 3" in r.text.lower()
    assert "kommunenummer" in r.text and "9999" in r.text
    assert "Ingenting er lagret" in r.text
    assert counts(db, ws) == before  # neither Per nor Kari's new title


def test_many_kinds_of_errors_are_all_reported(client, db, coordinator):
    ws = coordinator
    content = csv_bytes(
        "organ;kommunenummer;organisasjon;rolle;fra;til",
        "Finnes ikke;5020;;member;2024-01-01;",
        "Styret;5020;;sjef;2024-01-01;",
        "Styret;5020;;member;2024-05-01;2024-01-01",
        "Styret;;Ukjent org;member;;",
        "Styret;5001;;member;31.02.2024;",
    )
    r = upload(client, ws.slug, "medlemskap", content)
    assert r.status_code == 422
    text = r.text
    for expected in (
        "Rad 2, kolonne «organ»",
        "Rad 3, kolonne «rolle»",
        "Rad 4, kolonne «til»",
        "Rad 5, kolonne «organisasjon»",
        "Rad 6, kolonne «fra»",
    ):
        assert expected in text, expected


def test_overlapping_memberships_in_one_file_are_refused(client, db, coordinator):
    ws = coordinator
    before = counts(db, ws)
    content = csv_bytes(
        "organ;kommunenummer;organisasjon;rolle;fra;til",
        "Styret;5020;;member;2024-01-01;2024-12-31",
        "Styret;5020;;member;2024-06-01;",
    )
    r = upload(client, ws.slug, "medlemskap", content)
    assert r.status_code == 422
    assert "Rad 3, kolonne «fra»" in r.text
    assert "overlapper med rad 2" in r.text
    assert counts(db, ws) == before


def test_overlap_with_a_stored_membership_is_refused(client, db, coordinator):
    # Osen is in the council from 2023-01-01 with no end date.
    content = csv_bytes(
        "organ;kommunenummer;organisasjon;rolle;fra;til",
        "Trøndelag sør regionråd;5020;;member;2024-06-01;",
    )
    r = upload(client, coordinator.slug, "medlemskap", content)
    assert r.status_code == 422
    assert "allerede er registrert (fra 2023-01-01)" in r.text


def test_changes_are_applied_and_counted(client, db, coordinator):
    ws = coordinator
    content = csv_bytes(
        "organ;kommunenummer;organisasjon;rolle;fra;til",
        # ends the open membership, and adds a later one that would overlap it otherwise
        "Trøndelag sør regionråd;5020;;member;2023-01-01;2024-06-30",
        "Trøndelag sør regionråd;5020;;host;01.07.2024;",
        "Styret;501;;member;;",  # three digits: read as 0501, as Excel drops a leading zero
    )
    r = upload(client, ws.slug, "medlemskap", content)
    assert r.status_code == 422  # 0501 is not a municipality
    assert "Kommunen 0501 finnes ikke" in r.text

    content = content.replace(b"Styret;501", b"Styret;5001")
    page = upload(client, ws.slug, "medlemskap", content, follow=True)
    assert "2 nye, 1 endret" in page.text, page.text[:2000]
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    ended = db.scalar(
        scoped(BodyMembership, ws.id).where(BodyMembership.start_date == date(2023, 1, 1))
    )
    assert ended is not None and ended.end_date == date(2024, 6, 30)


def test_bodies_parent_cycle_is_refused(client, db, coordinator):
    ws = coordinator
    before = counts(db, ws)
    # Styret is under the council; the file would put the council under Arbeidsutvalg,
    # which is under Styret.
    content = csv_bytes(
        "navn;type;overordnet",
        "Trøndelag sør regionråd;council;Arbeidsutvalg",
        "Nytt organ;board;Trøndelag sør regionråd",
    )
    r = upload(client, ws.slug, "organer", content)
    assert r.status_code == 422
    assert "Rad 2, kolonne «overordnet»" in r.text
    assert "sirkel" in r.text
    assert counts(db, ws) == before


def test_bodies_created_parent_first_and_unknown_kind_reported(client, db, coordinator):
    ws = coordinator
    content = csv_bytes(
        "navn;type;overordnet;e-post",
        "Underutvalg;professional_group;Nytt råd;",
        "Nytt råd;council;;ikke-en-adresse",
        "Rart organ;klubb;;",
    )
    r = upload(client, ws.slug, "organer", content)
    assert r.status_code == 422
    assert "Rad 3, kolonne «e-post»" in r.text
    assert "Rad 4, kolonne «type»" in r.text
    fixed = content.replace(b"ikke-en-adresse", b"post@nytt.no").replace(b"klubb", b"board")
    page = upload(client, ws.slug, "organer", fixed, follow=True)
    assert "3 nye, 0 endret" in page.text
    set_db_scope(db, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    child = db.scalar(scoped(Body, ws.id).where(Body.name == "Underutvalg"))
    parent = db.scalar(scoped(Body, ws.id).where(Body.name == "Nytt råd"))
    assert child is not None and parent is not None and child.parent_id == parent.id


def test_xlsx_upload_with_typed_cells_is_read(client, db, coordinator):
    """An .xlsx made by hand: a number for the municipality and a real date."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Organ", "Kommunenummer", "Organisasjon", "Rolle", "Fra", "Til"])
    sheet.append(["Styret", 5001, None, "member", date(2024, 1, 1), None])
    out = io.BytesIO()
    book.save(out)
    page = upload(client, coordinator.slug, "medlemskap", out.getvalue(), "m.xlsx", follow=True)
    assert "1 nye, 0 endret" in page.text, page.text[:2000]


def test_wrong_columns_and_limits(client, db, coordinator, monkeypatch):
    slug = coordinator.slug
    r = upload(client, slug, "organer", csv_bytes("navn;kommunenummer", "Kari;5020"))
    assert r.status_code == 422
    assert "Rad 1, kolonne «kommunenummer»: Ukjent kolonne" in r.text
    assert "Rad 1, kolonne «type»: Kolonnen mangler" in r.text

    from app.networks.transfer import importer

    monkeypatch.setattr(importer, "MAX_ROWS", 2)
    rows = [f"Person {i};5020" for i in range(3)]
    r = upload(client, slug, "kontakter", csv_bytes("navn;kommunenummer", *rows))
    assert r.status_code == 422
    assert "mer enn 2 rader" in r.text

    monkeypatch.setattr(importer, "MAX_BYTES", 100)
    r = upload(client, slug, "kontakter", csv_bytes("navn;kommunenummer", "x" * 200))
    assert r.status_code == 413
    assert "Filen er for stor" in r.text

    r = upload(client, slug, "kontakter", b"PK\x03\x04 not really a zip", "x.xlsx")
    assert r.status_code == 422
    assert "Excel-ark" in r.text

    r = client.post(f"/{slug}/import", data={"csrf_token": csrf(client), "dataset": "organer"})
    assert r.status_code == 422
    assert "Velg en fil" in r.text


def test_import_page_without_and_with_htmx(client, coordinator):
    for headers in ({}, {"HX-Request": "true"}):
        r = client.get(f"/{coordinator.slug}/import", headers=headers)
        assert r.status_code == 200
        assert 'enctype="multipart/form-data"' in r.text
        assert f"/{coordinator.slug}/eksport/organer.xlsx" in r.text


def test_viewer_may_export_but_not_import(client, db):
    ws = create_workspace(db)
    viewer = create_member(db, ws, "viewer")
    seed(db, ws)
    login(client, viewer)
    assert client.get(f"/{ws.slug}/eksport/kontakter.csv").status_code == 200
    assert client.get(f"/{ws.slug}/import").status_code == 403
    before = counts(db, ws)
    r = upload(client, ws.slug, "kontakter", csv_bytes("navn;kommunenummer", "Per;5020"))
    assert r.status_code == 403
    assert counts(db, ws) == before


def test_another_workspace_is_404(client, db, coordinator):
    other = create_workspace(db, county="46")
    seed(db, other)
    for path in ("eksport/kontakter.csv", "eksport/organer.xlsx", "import"):
        assert client.get(f"/{other.slug}/{path}").status_code == 404
    r = upload(client, other.slug, "kontakter", csv_bytes("navn;kommunenummer", "Per;4601"))
    assert r.status_code == 404
    # and an unknown dataset or format in one's own workspace is a plain 404 too
    assert client.get(f"/{coordinator.slug}/eksport/brukere.csv").status_code == 404
    assert client.get(f"/{coordinator.slug}/eksport/kontakter.pdf").status_code == 404


def test_export_holds_only_own_rows(client, db, coordinator):
    other = create_workspace(db)
    with scope(db, other):
        contacts.create_person(
            db, other, PersonForm(name="Hemmelig Person", municipality_number="5020")
        )
    text = client.get(f"/{coordinator.slug}/eksport/kontakter.csv").content.decode("utf-8-sig")
    assert "Kari Nordmann" in text and "Hemmelig Person" not in text


def test_the_labels_the_pages_show_are_read_as_well_as_codes(client, db, coordinator):
    """A coordinator writes what the pages say ("Medlem", "Vertskommune", "Regionråd"), in any
    case and in any of the three languages; an unknown word names both labels and codes."""
    ws = coordinator
    bodies = csv_bytes(
        "navn;type;tema",
        "Fosen regionråd;Regionråd;digitalisering",
        "Fosen IKT;Network;Helse og velferdsteknologi",
    )
    page = upload(client, ws.slug, "organer", bodies, follow=True)
    assert "2 nye, 0 endret" in page.text, page.text[page.text.find("<main") :][:3000]
    memberships = csv_bytes(
        "organ;kommunenummer;organisasjon;rolle;fra;til",
        "Fosen regionråd;5020;;medlem;2024-01-01;",
        "Fosen regionråd;5054;;Vertskommune;2024-01-01;",
        "Fosen IKT;5020;;observer;;",
    )
    page = upload(client, ws.slug, "medlemskap", memberships, follow=True)
    assert "3 nye, 0 endret" in page.text, page.text[:2000]
    with scope(db, ws):
        fosen = db.scalar(scoped(Body, ws.id).where(Body.name == "Fosen regionråd"))
        assert (fosen.kind, fosen.theme) == ("council", "digitalisation")
        roles = {
            (m.municipality_number, m.role)
            for m in db.scalars(
                scoped(BodyMembership, ws.id).where(BodyMembership.body_id == fosen.id)
            )
        }
        assert roles == {("5020", "member"), ("5054", "host")}

    before = counts(db, ws)
    bad = csv_bytes("organ;kommunenummer;organisasjon;rolle;fra;til", "Fosen IKT;5054;;sjef;;")
    r = upload(client, ws.slug, "medlemskap", bad)
    assert r.status_code == 422
    assert "Ukjent verdi «sjef». Gyldige verdier: Medlem (member), Vertskommune (host)" in r.text
    assert counts(db, ws) == before


def test_xlsx_export_has_real_dates(client, coordinator):
    ws = coordinator
    r = client.get(f"/{ws.slug}/eksport/medlemskap.xlsx")
    sheet = load_workbook(io.BytesIO(r.content)).active
    headings = [c.value for c in sheet[1]]
    starts = [row[headings.index("fra")] for row in sheet.iter_rows(min_row=2)]
    dated = [c for c in starts if c.value is not None]
    assert dated, "the seed has memberships with a start date"
    assert all(c.is_date and c.number_format == "DD.MM.YYYY" for c in dated)
    # The CSV keeps ÅÅÅÅ-MM-DD, which the import reads back.
    text = client.get(f"/{ws.slug}/eksport/medlemskap.csv").content.decode("utf-8-sig")
    assert any(
        part.count("-") == 2 and len(part) == 10 for part in text.replace("\r\n", ";").split(";")
    )
