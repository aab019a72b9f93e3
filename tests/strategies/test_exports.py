"""Exports: the consultation summary as DOCX and PDF, an action plan's measures as XLSX.

The data is made through the services as in real use: a document with sections, published,
a round with invitees, comments, a reply, an amendment and a formal response while it is open;
then the round is moved into the past and every comment is answered."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pdfs import struct_tags
from sqlalchemy.orm import Session

from app.accounts import principal as principals
from app.accounts.principal import Principal
from app.clock import today
from app.counties.models import Workspace
from app.strategies import exports, measures, service, summary, text
from app.strategies.consultation import answers, comments, invitees, responses, rounds
from app.strategies.consultation.schemas import (
    AmendmentCreate,
    AnswerForm,
    CommentCreate,
    InviteeCreate,
    ResponseForm,
    RoundCreate,
)
from app.strategies.models import ConsultationComment, StrategySection
from app.strategies.schemas import DocumentForm, MeasureForm, PublishForm, SectionCreate
from app.tenancy import set_db_scope
from factories import add_member, create_member, create_user, create_workspace, organisation

OSLO = ZoneInfo("Europe/Oslo")

COMMENT = "Kommunene må få være med å prioritere – særlig de små i Trøndelag."
REPLY = "Takk, vi tar dette med i styringsgruppa."
AMENDMENT_REASON = "Ansvaret bør stå tydelig i teksten."
MUNICIPAL = "Vi savner et eget avsnitt om bredbånd på øyene og i fjellbygdene."
RESPONSE = "KS støtter strategien i hovedsak.\n\nVi ber om at små kommuner får særskilt omtale."
REASON_PARTLY = "Små kommuner får plass i styringsgruppa, men ikke egne midler."
REASON_ACCEPTED = "Godt forslag; teksten er endret."
SECTION_ONE = (
    "Vi skal **styrke** samarbeidet mellom kommunene i Trøndelag.\n\n"
    "- færre søknader\n- felles løsninger\n\nLes mer hos [KS](https://www.ks.no)."
)
SECTION_TWO = "Små kommuner får hjelp fra fylket til å søke om midler."
PROPOSED = "Små kommuner får målrettet hjelp fra fylket og KS til å søke om midler."


class Loopback:
    """An HTTP server on loopback that records every request: the PDF must make none."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(404)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.hits = hits
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    server = Loopback()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@dataclass
class Consultation:
    ws: Workspace
    coordinator: Principal
    summary: summary.Summary
    sections: list[StrategySection]
    comment: ConsultationComment
    reply: ConsultationComment
    amendment: ConsultationComment
    municipal: ConsultationComment
    partner: Principal


def _actor(user: Any, role: str, **kwargs: Any) -> Principal:
    bound = {"municipality_number": None, "organisation_id": None, **kwargs}
    return principals.for_member(
        user_id=user.id, name=user.name, email=user.email, role=role, **bound
    )


@pytest.fixture
def fylkeskommune(db: Session) -> Iterator[Workspace]:
    """Trøndelag under its full name, which the exports print as the owner (the shared ``ws``
    is "Trøndelag test")."""
    workspace = create_workspace(db, county="50", name="Trøndelag fylkeskommune")
    yield workspace
    set_db_scope(db, workspace_id=None, user_id=None)


@pytest.fixture
def consulted(db: Session, fylkeskommune: Workspace, loopback: Loopback) -> Consultation:
    ws = fylkeskommune
    ks = organisation(db, "KS")
    sf = organisation(db, "Statsforvalteren i Trøndelag")
    kari = create_member(db, ws, "coordinator", name="Kari Østby")
    per = create_member(db, ws, "partner", name="Per Ås")  # KS
    siri = create_user(db, name="Siri Bråten")
    add_member(db, ws, siri, "partner", organisation_id=sf.id)
    ola = create_member(db, ws, "municipal", name="Ola Sæther")  # Osen (5020)
    set_db_scope(db, workspace_id=ws.id, user_id=kari.id, county_number=ws.county_number)

    coordinator = _actor(kari, "coordinator")
    per_ks = _actor(per, "partner", organisation_id=ks.id)
    siri_sf = _actor(siri, "partner", organisation_id=sf.id)
    ola_osen = _actor(ola, "municipal", municipality_number="5020")

    doc = service.create_document(
        db,
        ws,
        coordinator,
        DocumentForm(
            title="Regional innovasjonsstrategi for Trøndelag", kind="innovation_strategy"
        ),
    )
    one = service.add_section(
        db, ws, coordinator, doc.id, SectionCreate(heading="Mål og ambisjoner", body=SECTION_ONE)
    )
    two = service.add_section(
        db,
        ws,
        coordinator,
        doc.id,
        SectionCreate(
            heading="Tiltak for små kommuner",
            body=SECTION_TWO + f"\n\n![kart]({loopback.url('kart.png')})",
        ),
    )
    version = service.publish(db, ws, coordinator, doc.id, PublishForm(note="Til høring"))
    r = rounds.create_round(
        db,
        ws,
        coordinator,
        doc.id,
        RoundCreate(
            version=version.number,
            title="Høring om innovasjonsstrategien 2026",
            cover_text="Vi ber om innspill.",
            starts_on=today(),
            ends_on=today() + timedelta(days=21),
        ),
    )

    def invite(**fields: Any) -> Any:
        return invitees.add_invitee(db, ws, r.id, InviteeCreate(**fields))

    ks_invitee = invite(kind="organisation", organisation_id=ks.id)
    invite(kind="organisation", organisation_id=sf.id)
    invite(kind="municipality", municipality_number="5020")
    invite(kind="municipality", municipality_number="5014")  # Frøya never answers

    def say(who: Principal, **fields: Any) -> ConsultationComment:
        return comments.add_comment(db, ws, who, r.id, CommentCreate(**fields))

    comment = say(per_ks, section_key=one.key, body=COMMENT, quote="styrke")
    reply = say(coordinator, section_key=one.key, body=REPLY, parent_id=comment.id)
    amendment = comments.add_amendment(
        db,
        ws,
        siri_sf,
        r.id,
        AmendmentCreate(
            section_key=two.key,
            proposed_text=PROPOSED,
            reason=AMENDMENT_REASON,
            base=text.fingerprint(two.body),
        ),
    )
    # Markup in a comment is text, and what it points at is never fetched
    municipal = say(
        ola_osen,
        section_key=two.key,
        body=f'{MUNICIPAL} <img src="{loopback.url("bilde.png")}">',
    )
    response = ResponseForm(body=RESPONSE, revision=0)
    responses.save_response(db, ws, per_ks, r.id, ks_invitee.id, response)
    responses.submit_response(db, ws, per_ks, r.id, ks_invitee.id)

    # the round closes: its dates move into the past
    r.starts_on, r.ends_on = today() - timedelta(days=30), today() - timedelta(days=1)
    db.flush()
    for c, verdict, reason in (
        (comment, "partly", REASON_PARTLY),
        (amendment, "accepted", REASON_ACCEPTED),
        (municipal, "noted", ""),
    ):
        answers.answer(db, ws, coordinator, r.id, c.id, AnswerForm(answer=verdict, reason=reason))

    built = summary.build(db, ws, coordinator, r.id)
    return Consultation(
        ws, coordinator, built, [one, two], comment, reply, amendment, municipal, per_ks
    )


def _oslo(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))
    return aware.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")


def _flat(value: str) -> str:
    return " ".join(value.split())


# --- DOCX ----------------------------------------------------------------------------------


def _docx_text(data: bytes) -> tuple[Any, str, list[str]]:
    from docx import Document

    doc = Document(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    return doc, _flat("\n".join(lines)), headings


def test_summary_docx_has_every_comment_with_its_author_and_answer(
    consulted: Consultation,
) -> None:
    doc, content, headings = _docx_text(exports.summary_docx(consulted.summary))

    assert headings[0] == "Oppsummering: Høring om innovasjonsstrategien 2026"
    assert "1. Mål og ambisjoner" in headings
    assert "2. Tiltak for små kommuner" in headings
    assert {"Kommentar 1", "Endringsforslag 2", "Kommentar 3"} <= set(headings)
    assert "Vedlegg: Teksten som var på høring (versjon 1)" in headings
    assert "Regional innovasjonsstrategi for Trøndelag" in content
    assert "Høringsperiode:" in content
    # who was invited, those who never answered marked, and the figures
    for name in ("KS", "Statsforvalteren i Trøndelag", "Osen"):
        assert name in content and f"{name} (svarte ikke)" not in content
    assert "Frøya (svarte ikke)" in content
    # A4, not python-docx's US Letter
    assert [round(x.page_width.mm) for x in doc.sections] == [210]
    assert [round(x.page_height.mm) for x in doc.sections] == [297]
    # every comment with author, organisation and Norwegian local time
    for c in (consulted.comment, consulted.municipal, consulted.reply):
        assert c.body[:40] in content
        assert f"{c.author_name}, {c.author_org} – {_oslo(c.created_at)}" in content
    assert "Per Ås, KS" in content
    assert "Siri Bråten, Statsforvalteren i Trøndelag" in content
    assert "Ola Sæther, Osen" in content
    assert "Sitert fra avsnittet: styrke" in content
    # the formal response
    assert "KS støtter strategien i hovedsak." in content
    assert "Vi ber om at små kommuner får særskilt omtale." in content
    # the answers: label and reason
    assert "Delvis tatt til følge" in content and REASON_PARTLY in content
    assert "Tatt til følge" in content and REASON_ACCEPTED in content
    assert "Tatt til orientering" in content
    assert AMENDMENT_REASON in content
    # the consulted text in the appendix, Markdown as Word formatting
    assert "Vi skal styrke samarbeidet mellom kommunene i Trøndelag." in content
    assert "Les mer hos KS (https://www.ks.no)." in content
    bold = [r.text for p in doc.paragraphs for r in p.runs if r.bold]
    assert "styrke" in bold
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert "færre søknader" in bullets


def test_summary_docx_marks_removed_and_added_words_without_colour(
    consulted: Consultation,
) -> None:
    doc, content, _headings = _docx_text(exports.summary_docx(consulted.summary))

    runs = [r for p in doc.paragraphs for r in p.runs]
    removed = "".join(r.text for r in runs if r.font.strike)
    added = "".join(r.text for r in runs if r.underline and r.bold)
    assert "målrettet" in added and "og KS" in added
    assert "målrettet" not in removed
    assert all(r.font.color.rgb is None for r in runs if r.font.strike or r.underline)
    assert "Gjennomstreket tekst foreslås fjernet, understreket tekst foreslås lagt til." in content


# --- PDF -----------------------------------------------------------------------------------


def test_summary_pdf_has_comments_and_answers_and_fetches_nothing(
    consulted: Consultation, loopback: Loopback
) -> None:
    from pypdf import PdfReader

    data = exports.summary_pdf(consulted.summary)

    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    pages = [_flat(page.extract_text()) for page in reader.pages]
    content = " ".join(pages)
    assert "Oppsummering: Høring om innovasjonsstrategien 2026" in content
    for body in (COMMENT, REPLY, MUNICIPAL, AMENDMENT_REASON, REASON_PARTLY, REASON_ACCEPTED):
        assert _flat(body) in content
    for label in ("Delvis tatt til følge", "Tatt til følge", "Tatt til orientering"):
        assert label in content
    assert "Per Ås, KS" in content and "Statsforvalteren i Trøndelag" in content
    assert _oslo(consulted.comment.created_at) in content
    assert "KS støtter strategien i hovedsak." in content
    assert "Vi skal styrke samarbeidet mellom kommunene i Trøndelag." in content
    assert "1. Mål og ambisjoner" in content and "2. Tiltak for små kommuner" in content
    # page numbers in the footer of every page
    assert f"Side 1 av {len(pages)}" in pages[0]
    assert f"Side {len(pages)} av {len(pages)}" in pages[-1]
    assert reader.metadata is not None
    assert reader.metadata.title == "Oppsummering: Høring om innovasjonsstrategien 2026"
    # the <img> in the comment is printed as text; no image anywhere is loaded
    assert 'bilde.png">' in content
    assert loopback.hits == []
    assert "Frøya (svarte ikke)" in content and "Osen (svarte ikke)" not in content
    # PDF/A-2u, tagged: what the archive takes and a screen reader reads
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in catalog
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="U"' in xmp


def test_an_answer_never_starts_a_page_alone(db: Session, consulted: Consultation) -> None:
    """With many comments, page breaks fall everywhere: an answer box carries the end of its
    comment with it rather than standing alone at the top of the next page."""
    from pypdf import PdfReader

    ws, coordinator = consulted.ws, consulted.coordinator
    r = consulted.summary.round
    r.ends_on = today() + timedelta(days=1)
    db.flush()
    one = consulted.sections[0]
    added = []
    for n in range(40):
        body = " ".join(["Vi mener kommunene trenger mer tid til å svare."] * (1 + n % 7))
        added.append(
            comments.add_comment(
                db, ws, consulted.partner, r.id, CommentCreate(section_key=one.key, body=body)
            )
        )
    r.ends_on = today() - timedelta(days=1)
    db.flush()
    for n, c in enumerate(added):
        reason = " ".join(["Dette tas med i arbeidet videre."] * (1 + n % 5))
        answers.answer(db, ws, coordinator, r.id, c.id, AnswerForm(answer="noted", reason=reason))
    built = summary.build(db, ws, coordinator, r.id)

    reader = PdfReader(io.BytesIO(exports.summary_pdf(built)))
    assert len(reader.pages) > 8
    header = _flat(built.round.title)
    starts = []
    for page in reader.pages[1:]:
        text = _flat(page.extract_text())
        starts.append(text.removeprefix("Oppsummering: " + header).strip()[:40])
    assert len(starts) > 7
    assert [s for s in starts if s.startswith("Svar fra")] == []


def test_a_comment_in_arabic_still_makes_a_pdf_with_its_text(
    db: Session, consulted: Consultation
) -> None:
    """The direct writer cannot order right-to-left text or join Arabic letters; such a
    summary is laid out by WeasyPrint instead, and the comment is in it."""
    from pypdf import PdfReader

    ws, r = consulted.ws, consulted.summary.round
    r.ends_on = today() + timedelta(days=1)
    db.flush()
    body = "Vi takker for høringen. شكرا جزيلا"
    comments.add_comment(
        db,
        ws,
        consulted.partner,
        r.id,
        CommentCreate(section_key=consulted.sections[0].key, body=body),
    )
    built = summary.build(db, ws, consulted.coordinator, r.id)

    reader = PdfReader(io.BytesIO(exports.summary_pdf(built)))
    assert reader.metadata is not None and "WeasyPrint" in str(reader.metadata.producer)
    content = _flat(" ".join(page.extract_text() for page in reader.pages))
    assert "Vi takker for høringen." in content
    assert "KS støtter strategien i hovedsak." in content


def _shown(page: Any) -> list[tuple[str, str]]:
    """(text, font name) of everything a page shows."""
    shown: list[tuple[str, str]] = []

    def visit(value: str, cm: Any, tm: Any, font_dict: Any, size: float) -> None:
        if value.strip() and font_dict:
            shown.append((value, str(font_dict["/BaseFont"])))

    page.extract_text(visitor_text=visit)
    return shown


def test_summary_pdf_has_every_text_in_order_and_bold_authors(consulted: Consultation) -> None:
    """The direct writer: each comment, reply and answer reads in the order of the summary,
    with its Norwegian letters, the author lines in bold, and a heading per comment in the
    tag tree."""
    from pypdf import PdfReader

    from app.strategies.exports.common import _author

    s = consulted.summary
    reader = PdfReader(io.BytesIO(exports.summary_pdf(s)))
    content = _flat(" ".join(page.extract_text() for page in reader.pages))

    expected: list[str] = []
    for section in s.sections:
        expected.append(f"{section.section.position}. {section.section.heading}")
        for item in section.items:
            c = item.comment
            expected += [_author(c), c.body.split(" <img")[0]]
            expected += [_author(reply) for reply in item.replies]
            expected += [reply.body for reply in item.replies]
            expected.append(c.answer_reason or "Besvart")
    at = 0
    for value in expected:
        found = content.find(_flat(value), at)
        assert found >= 0, f"{value!r} missing or out of order"
        at = found
    for name in ("Per Ås", "Siri Bråten", "Ola Sæther", "Statsforvalteren i Trøndelag"):
        assert name in content
    assert "bredbånd på øyene og i fjellbygdene" in content

    # "Fra:" and the answer's verdict in bold, the comment text not
    shown = [pair for page in reader.pages for pair in _shown(page)]
    fonts = {value.strip(): name for value, name in shown}
    assert "Bold" in fonts["Fra:"]
    assert any("Bold" in name for value, name in shown if value.startswith("Svar fra"))
    assert any("Bold" not in name for value, name in shown if value.startswith("Kommunene må få"))

    tags = struct_tags(reader.trailer["/Root"])
    entries = sum(len(section.items) for section in s.sections)
    assert tags.count("/H1") == 1
    assert tags.count("/H2") == 5  # instances, figures, responses, comments, appendix
    assert tags.count("/H4") == entries
    assert {"/Table", "/TR", "/TH", "/TD", "/L", "/LI"} <= set(tags)


@pytest.mark.parametrize(
    ("round_title", "title"),
    [
        ("Høring om strategien", "Oppsummering: Høring om strategien"),
        ("Høring: Regional plan", "Høringsoppsummering: Regional plan"),
        ("høyring – Regional plan", "Høringsoppsummering: Regional plan"),
        ("Regional plan 2027", "Høringsoppsummering: Regional plan 2027"),
        ("Høringsfrister", "Høringsoppsummering: Høringsfrister"),
    ],
)
def test_the_summary_title_says_høring_once(round_title: str, title: str) -> None:
    from types import SimpleNamespace

    fake = SimpleNamespace(round=SimpleNamespace(title=round_title))
    assert exports._title(fake) == title  # type: ignore[arg-type]


def test_print_html_has_no_url_of_its_own(consulted: Consultation) -> None:
    html = exports.summary_html(consulted.summary)
    # the only addresses are those written in the text, escaped or printed as links
    assert "<link" not in html and "url(" not in html and "<img" not in html
    assert "<script" not in html


def test_css_string_cannot_end_the_style_sheet() -> None:
    value = exports.css_string('Agder & "Telemark" </style><p>x')
    assert value.startswith('"') and value.endswith('"')
    assert "<" not in value and '"' not in value[1:-1] and "&" not in value


# --- XLSX ----------------------------------------------------------------------------------


def test_measures_xlsx_has_dates_labels_and_overdue(db: Session, fylkeskommune: Workspace) -> None:
    ws = fylkeskommune
    from openpyxl import load_workbook

    kari = create_member(db, ws, "coordinator", name="Kari Østby")
    set_db_scope(db, workspace_id=ws.id, user_id=kari.id, county_number=ws.county_number)
    actor = _actor(kari, "coordinator")
    doc = service.create_document(
        db, ws, actor, DocumentForm(title="Handlingsplan for Trøndelag 2026", kind="action_plan")
    )
    section = service.add_section(
        db, ws, actor, doc.id, SectionCreate(heading="Bredbånd på øyene", body="Tekst.")
    )
    late = today() - timedelta(days=10)
    soon = today() + timedelta(days=30)
    measures.add(
        db,
        ws,
        doc.id,
        MeasureForm(
            title="Kartlegge dekning i fjellbygdene",
            owner="Trøndelag fylkeskommune",
            partners="KS, Osen kommune",
            description="Kartlegging av mobil- og bredbåndsdekning.",
            deadline=late,
            status="under_way",
            section_key=section.key,
        ),
    )
    measures.add(
        db,
        ws,
        doc.id,
        MeasureForm(title="Felles søknad om midler", owner="KS", deadline=late, status="done"),
    )
    measures.add(
        db,
        ws,
        doc.id,
        MeasureForm(title="=HYPERLINK(1)", owner="Osen kommune", deadline=soon),
    )
    measures.add(db, ws, doc.id, MeasureForm(title="Uten frist", owner="KS"))
    rows_in = measures.measures_of(db, ws, doc.id)
    headings = {s.key: s.heading for s in service.sections_of(db, ws, doc.id)}

    data = exports.measures_xlsx(doc, rows_in, headings)

    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Tiltak"]
    sheet = book["Tiltak"]
    header = [c.value for c in sheet[1]]
    assert header == [
        "Tiltak",
        "Beskrivelse",
        "Eier",
        "Partnere",
        "Frist",
        "Status",
        "Forsinket",
        "Avsnitt",
    ]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H5"
    assert all(sheet.column_dimensions[col].width >= 8 for col in "ABCDEFGH")
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 4
    overdue = rows["Kartlegge dekning i fjellbygdene"]
    assert isinstance(overdue[4], datetime) and overdue[4].date() == late
    assert overdue[5:] == ("Pågår", "Ja", "Bredbånd på øyene")
    assert overdue[2:4] == ("Trøndelag fylkeskommune", "KS, Osen kommune")
    done = rows["Felles søknad om midler"]
    assert done[5:7] == ("Gjennomført", "Nei")  # done is never late
    assert rows["=HYPERLINK(1)"][4].date() == soon
    assert rows["=HYPERLINK(1)"][5:7] == ("Planlagt", "Nei")
    formula = next(c for c in sheet["A"] if c.value == "=HYPERLINK(1)")
    assert formula.data_type == "s"  # text stays text: never a formula
    assert all(c.number_format == "DD.MM.YYYY" for c in sheet["E"][1:] if c.value)
    assert rows["Uten frist"][4] is None
