"""Strategies and consultation rounds (høringer) in real Chromium: a coordinator sends the demo
strategy on consultation through the pages and a partner quotes a passage and comments on a
phone; a coordinator answers every comment of a closed round, publishes the answers and opens
the DOCX and PDF summaries; axe-core (WCAG 2.1 A/AA) on every page of the module.

The demo database is shared by the whole package: these tests only add rounds with unique
titles on the demo strategy (through the pages, or through the services on the live database
where a round has to lie in the past) and comment on and answer those. The demo document, its
versions, its closed round and its measures are only read."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from .support import (
    WIDTH_PARAMS,
    assert_no_sideways_scroll,
    check_page,
    log_in,
    shoot,
    text_of,
)

pytestmark = pytest.mark.browser

COORDINATOR = "koordinator@trondelag.demo"
KS_PARTNER = "radgiver@ks.demo"
SF_PARTNER = "radgiver@statsforvalteren.demo"
DOC_TITLE = "Regional strategi for innovasjon og digitalisering i Trøndelag 2027–2030 (demo)"
QUOTED_SECTION = "Hjelpekorps for kommunene"
TOUCH_PHONE = {"has_touch": True, "is_mobile": True}


def squeezed(text: str) -> str:
    """Text without any whitespace: a PDF's extracted text breaks lines where it likes."""
    return "".join(text.split())


def unique_title(what: str) -> str:
    return f"{what} {uuid.uuid4().hex[:8]} (test)"


def flash_of(page: Any) -> str:
    return text_of(page.locator("main .ds-alert[role=status]"))


# --- the live database, through the services -------------------------------------------------


@dataclass
class Live:
    """An owner session on the live server's database, scoped to Trøndelag, with the actors."""

    session: Any
    ws: Any
    doc: Any
    actors: dict[str, Any]


@pytest.fixture(scope="module")
def live_db(live_server: str) -> Iterator[Callable[[], Any]]:
    """``with live_db() as live:`` a session on the live server's database, committed at the
    end. The live server has put its database URL into the settings for the package."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    import app.models  # noqa: F401
    from app.accounts import principal as principals
    from app.accounts.models import Membership, User
    from app.config import get_settings
    from app.counties.models import Workspace
    from app.db import make_engine
    from app.strategies.models import StrategyDocument
    from app.tenancy import scoped, set_db_scope

    engine = make_engine(get_settings().database_url)

    @contextmanager
    def open_db() -> Iterator[Live]:
        with Session(engine) as session, session.begin():
            ws = session.scalar(select(Workspace).where(Workspace.slug == "trondelag"))
            assert ws is not None
            set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
            doc = session.scalar(
                scoped(StrategyDocument, ws.id).where(StrategyDocument.title == DOC_TITLE)
            )
            assert doc is not None, f"the demo has no document «{DOC_TITLE}»"
            actors = {}
            for email in (COORDINATOR, KS_PARTNER, SF_PARTNER):
                user = session.scalar(select(User).where(User.email == email))
                assert user is not None, email
                m = session.scalar(scoped(Membership, ws.id).where(Membership.user_id == user.id))
                assert m is not None, email
                actors[email] = principals.for_member(
                    user_id=user.id,
                    name=user.name,
                    email=user.email,
                    role=m.role,
                    municipality_number=m.municipality_number,
                    organisation_id=m.organisation_id,
                )
            yield Live(session, ws, doc, actors)

    yield open_db
    engine.dispose()


def make_round(
    live: Live,
    title: str,
    invite: tuple[str, ...],
    comments: tuple[tuple[str, int, str, bool], ...],
) -> int:
    """A round on the demo strategy's latest version, open today, with the partners in
    ``invite`` invited and ``comments`` made: (who, section index, body, quote the section's
    first sentence?). Returns the round's id."""
    from app.clock import today
    from app.strategies import service, text
    from app.strategies.consultation import comments as comment_service
    from app.strategies.consultation import invitees, rounds
    from app.strategies.consultation.schemas import CommentCreate, InviteeCreate, RoundCreate

    on = today()
    numbers = service.version_numbers(live.session, live.ws, live.doc.id)
    coordinator = live.actors[COORDINATOR]
    r = rounds.create_round(
        live.session,
        live.ws,
        coordinator,
        live.doc.id,
        RoundCreate(
            version=numbers[-1], title=title, starts_on=on, ends_on=on + timedelta(days=14)
        ),
    )
    for email in invite:
        org = live.actors[email].organisation_id
        invitee = InviteeCreate(kind="organisation", organisation_id=org)
        invitees.add_invitee(live.session, live.ws, r.id, invitee)
    version = service.get_version(live.session, live.ws, live.doc.id, numbers[-1])
    sections = service.version_sections(live.session, live.ws, version.id)
    for who, index, body, quote in comments:
        section = sections[index]
        passage = text.plain(section.body).split(". ")[0] if quote else ""
        comment = CommentCreate(section_key=section.key, body=body, quote=passage)
        comment_service.add_comment(live.session, live.ws, live.actors[who], r.id, comment)
    return int(r.id)


def close_round(live: Live, round_id: int) -> None:
    """Move a round into the past: it closed the day before yesterday, and its comments were
    made while it was open."""
    from app.clock import today
    from app.strategies.consultation import rounds
    from app.strategies.models import ConsultationComment
    from app.tenancy import scoped

    r = rounds.get_round(live.session, live.ws, round_id)
    r.starts_on = today() - timedelta(days=30)
    r.ends_on = today() - timedelta(days=2)
    comments = live.session.scalars(
        scoped(ConsultationComment, live.ws.id).where(ConsultationComment.round_id == round_id)
    )
    for c in comments:
        c.created_at -= timedelta(days=20)
    live.session.flush()


@dataclass(frozen=True)
class Ids:
    doc: int
    demo_round: int
    open_round: int
    closed_round: int
    section: int


@pytest.fixture(scope="module")
def ids(live_db: Callable[[], Any]) -> Ids:
    """The demo strategy, its closed demo round and its first section; and two rounds of our
    own for the page checks: an open one KS is invited to, and a closed one whose comments
    wait for answers."""
    from app.strategies import service
    from app.strategies.consultation import rounds as consultation_rounds

    with live_db() as live:
        rounds = service.rounds_of(live.session, live.ws, live.doc.id)
        # the demo's own: the first round of the strategy, not one a test here has published
        demo = min(rounds, key=lambda r: r.id)
        assert demo.answers_published_at is not None, "the demo round's answers are unpublished"
        sections = service.sections_of(live.session, live.ws, live.doc.id)
        open_round = make_round(
            live,
            unique_title("Åpen høring for sidesjekk"),
            (KS_PARTNER,),
            ((KS_PARTNER, 2, "KS kommenterer avsnittet. (test)", True),),
        )
        closed_round = make_round(
            live,
            unique_title("Avsluttet høring for sidesjekk"),
            (KS_PARTNER, SF_PARTNER),
            (
                (KS_PARTNER, 2, "KS ønsker mer om hjelpekorpset. (test)", True),
                (SF_PARTNER, 1, "Statsforvalteren støtter forankringen. (test)", False),
            ),
        )
        close_round(live, closed_round)
        closed = consultation_rounds.get_round(live.session, live.ws, closed_round)
        assert consultation_rounds.state_of(closed) == "closed"
        return Ids(
            doc=live.doc.id,
            demo_round=demo.id,
            open_round=open_round,
            closed_round=closed_round,
            section=sections[0].id,
        )


@pytest.fixture(scope="module")
def states(browser: Any, live_server: str) -> dict[str, dict[str, Any]]:
    """Cookies of the demo users, each signed in once through the login form."""
    cache: dict[str, dict[str, Any]] = {}
    for email in (COORDINATOR, KS_PARTNER):
        context = browser.new_context(base_url=live_server, locale="nb-NO")
        log_in(context.new_page(), email)
        cache[email] = context.storage_state()
        context.close()
    return cache


# --- a partner comments on a quoted passage on a phone -----------------------------------------


def select_first_sentence(page: Any, key: str) -> str:
    """A real selection, as a long press would make it: the first sentence of the section's
    first paragraph. Returns the selected text."""
    return str(
        page.evaluate(
            """key => {
              const source = document.querySelector(`[data-quote-source="${key}"]`);
              const walker = document.createTreeWalker(source, NodeFilter.SHOW_TEXT);
              let node = walker.nextNode();
              while (node && !node.data.trim()) { node = walker.nextNode(); }
              const end = node.data.indexOf(". ");
              const range = document.createRange();
              range.setStart(node, 0);
              range.setEnd(node, end > 0 ? end + 1 : node.data.length);
              const selection = window.getSelection();
              selection.removeAllRanges();
              selection.addRange(range);
              return selection.toString();
            }""",
            key,
        )
    )


def test_partner_comments_on_a_quoted_passage_on_a_phone(
    new_context: Any, states: dict[str, dict[str, Any]]
) -> None:
    from app.clock import today

    title = unique_title("Høring om innovasjonsstrategien")
    comment = f"Hjelpekorpset bør også kunne komme på kveldstid. ({uuid.uuid4().hex[:6]})"

    # The coordinator sends the latest version on consultation and invites KS.
    coordinator = new_context(1280, storage_state=states[COORDINATOR]).new_page()
    coordinator.goto("/trondelag/strategier")
    with coordinator.expect_navigation():
        coordinator.locator("main").get_by_role("link", name=DOC_TITLE, exact=True).click()
    with coordinator.expect_navigation():
        coordinator.get_by_role("link", name="Send en versjon på høring").click()
    coordinator.get_by_role("heading", level=1, name="Send på høring").wait_for()
    version = coordinator.get_by_label("Versjon som sendes på høring")
    latest = version.locator("option").first.get_attribute("value")
    version.select_option(latest)
    coordinator.get_by_label("Tittel på høringen").fill(title)
    coordinator.get_by_label("Åpner", exact=True).fill(today().isoformat())
    coordinator.get_by_label("Frist", exact=True).fill((today() + timedelta(days=28)).isoformat())
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Opprett høringen").click()
    coordinator.get_by_role("heading", level=1, name=title).wait_for()
    assert "Høringen er opprettet" in flash_of(coordinator)
    invited = coordinator.get_by_role("region", name="Inviterte")
    invited.locator("summary", has_text="Inviter flere").click()
    invited.get_by_label("Partnerorganisasjon").select_option(label="KS")
    with coordinator.expect_navigation():
        invited.get_by_role("button", name="Inviter organisasjonen").click()
    assert "Invitasjonen er registrert." in flash_of(coordinator)
    invitees = coordinator.locator("ul.invitee-list > li")
    assert [text_of(li.locator("strong").first) for li in invitees.all()] == ["KS"]

    # KS, on a touch phone, finds the round through the menu.
    width = 360
    page = new_context(width, storage_state=states[KS_PARTNER], **TOUCH_PHONE).new_page()
    page.goto("/trondelag")
    with page.expect_navigation():
        page.get_by_role("navigation", name="Hovedmeny").get_by_role(
            "link", name="Strategier"
        ).tap()
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=title, exact=True).tap()
    page.get_by_role("heading", level=1, name=title).wait_for()
    assert_no_sideways_scroll(page, "høringen", width)

    article = page.locator("article.section-card").filter(
        has=page.get_by_role("heading", level=3, name=QUOTED_SECTION)
    )
    key = str(article.get_attribute("id")).removeprefix("s-")
    button = article.get_by_role("button", name="Kommenter markert tekst")
    assert button.is_hidden(), "the quote button shows before anything is selected"
    selected = select_first_sentence(page, key)
    assert len(selected) > 20, selected
    button.wait_for(state="visible")
    assert page.locator(".quote-button:visible").count() == 1  # only this section's button
    button.tap()

    form = article.locator("details.comment-form")
    assert form.get_attribute("open") is not None, "the comment form did not open"
    quote = page.locator(f"#q-{key}")
    assert quote.input_value() == " ".join(selected.split())
    assert page.evaluate("document.activeElement.id") == f"c-{key}"
    page.locator(f"#c-{key}").fill(comment)
    assert_no_sideways_scroll(page, "kommentarskjemaet", width)
    with page.expect_navigation():
        form.get_by_role("button", name="Send kommentaren").tap()

    assert "Kommentaren er lagt inn." in flash_of(page)
    assert urlsplit(page.url).fragment.startswith("k"), page.url
    shown = page.locator(f"#{urlsplit(page.url).fragment}")
    assert comment in text_of(shown)
    assert text_of(shown.locator("blockquote")) == "Sitat: " + " ".join(selected.split())
    # ... in the section that was quoted
    assert article.locator(".comment", has_text=comment).count() == 1
    assert_no_sideways_scroll(page, "høringen med kommentaren", width)
    shoot(page, "hoering-kommentert", width)


# --- a coordinator answers the comments and exports the summary ----------------------------------


def docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_coordinator_answers_and_exports_the_summary(
    new_context: Any,
    states: dict[str, dict[str, Any]],
    live_db: Callable[[], Any],
    tmp_path: Path,
) -> None:
    tag = uuid.uuid4().hex[:6]
    title = unique_title("Høring som skal besvares")
    # (comment, the answer to choose, its reason); KS's is quoted, on the help corps section
    answers = [
        (
            f"KS vil at hjelpekorpset skal følge prosjektene over i drift. ({tag})",
            "Tatt til følge",
            f"Hjelpekorpset følger prosjektet til det er i drift. (svar {tag})",
        ),
        (
            f"Statsforvalteren ber om et fast årlig samordningsmøte. ({tag})",
            "Delvis tatt til følge",
            f"Møtet holdes årlig, men ikke fast før utlysningene. (svar {tag})",
        ),
    ]
    with live_db() as live:
        round_id = make_round(
            live,
            title,
            (KS_PARTNER, SF_PARTNER),
            ((KS_PARTNER, 2, answers[0][0], True), (SF_PARTNER, 1, answers[1][0], False)),
        )
        close_round(live, round_id)

    width = 1280
    page = new_context(width, storage_state=states[COORDINATOR], accept_downloads=True).new_page()
    page.goto("/trondelag/strategier")
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", level=1, name=title).wait_for()
    follow_up = page.get_by_role("region", name="Oppfølging")
    assert "2 mangler svar" in text_of(follow_up), text_of(follow_up)
    assert page.locator("details.answer-form[open]").count() == 2

    for body, label, reason in answers:
        thread = page.locator("li.thread").filter(has_text=body)
        form = thread.locator("details.answer-form")
        assert form.get_attribute("open") is not None, f"no open answer form for «{body}»"
        form.get_by_role("radio", name=label, exact=True).check()
        form.get_by_label("Begrunnelse").fill(reason)
        with page.expect_navigation():
            form.get_by_role("button", name="Lagre svaret").click()
        assert flash_of(page) == "Svaret er lagret.", flash_of(page)
        answered = page.locator(f"#{urlsplit(page.url).fragment}")
        assert body in text_of(answered), text_of(answered)
        assert f"{label} (ikke publisert) {reason}" in text_of(answered), text_of(answered)
    assert page.locator("details.answer-form[open]").count() == 0
    assert "alle er besvart" in text_of(follow_up), text_of(follow_up)

    with page.expect_navigation():
        follow_up.get_by_role("button", name="Publiser svarene").click()
    assert urlsplit(page.url).path == f"/trondelag/hoeringer/{round_id}/oppsummering", page.url
    page.get_by_role("heading", level=1, name="Høringsoppsummering").wait_for()
    assert "Svarene er publisert" in flash_of(page)
    for body, label, reason in answers:
        item = text_of(page.locator("li.thread").filter(has_text=body))
        assert f"Svar: {label} {reason}" in item, item
    assert "Ikke besvart" not in text_of(page.locator("main"))
    shoot(page, "oppsummering-besvart", width)

    files = {}
    for link, suffix in (("Last ned DOCX", ".docx"), ("Last ned PDF", ".pdf")):
        with page.expect_download() as download:
            page.get_by_role("link", name=link).click()
        name = download.value.suggested_filename
        assert name == f"hoeringsoppsummering-{round_id}{suffix}", name
        path = tmp_path / name
        download.value.save_as(path)
        files[suffix] = path.read_bytes()
    assert files[".docx"][:2] == b"PK" and files[".pdf"][:5] == b"%PDF-"

    docx, pdf = docx_text(files[".docx"]), squeezed(pdf_text(files[".pdf"]))
    for body, label, reason in answers:
        assert body in docx and reason in docx and label in docx, docx
        assert squeezed(body) in pdf and squeezed(reason) in pdf, pdf


# --- every page: axe-core at phone and desktop width -------------------------------------------


# (screenshot name, user, path with {doc}, {demo_round}, … from Ids, heading (None: a round's
# title), the <details> whose first one is opened before the check)
PAGES = [
    ("strategier", COORDINATOR, "/trondelag/strategier", "Strategier og høringer", ()),
    ("strategier-partner", KS_PARTNER, "/trondelag/strategier", "Strategier og høringer", ()),
    ("dokument", COORDINATOR, "/trondelag/strategier/{doc}", DOC_TITLE, ()),
    (
        "versjon",
        COORDINATOR,
        "/trondelag/strategier/{doc}/versjoner/1",
        f"{DOC_TITLE}, versjon 1",
        (),
    ),
    (
        "sammenlign",
        COORDINATOR,
        "/trondelag/strategier/{doc}/sammenlign?fra=1&til=2",
        "Versjon 1 mot 2",
        (),
    ),
    ("hoering-demo", COORDINATOR, "/trondelag/hoeringer/{demo_round}", None, ()),
    ("hoering-besvar", COORDINATOR, "/trondelag/hoeringer/{closed_round}", None, ()),
    (
        "hoering-partner",
        KS_PARTNER,
        "/trondelag/hoeringer/{open_round}",
        None,
        ("details.comment-form", "details.amend-form"),
    ),
    (
        "oppsummering",
        COORDINATOR,
        "/trondelag/hoeringer/{demo_round}/oppsummering",
        "Høringsoppsummering",
        (),
    ),
    (
        "oppsummering-partner",
        KS_PARTNER,
        "/trondelag/hoeringer/{demo_round}/oppsummering",
        "Høringsoppsummering",
        (),
    ),
    ("tiltak", COORDINATOR, "/trondelag/strategier/{doc}/tiltak", "Handlingsplan", ()),
    ("sok", COORDINATOR, "/trondelag/strategier/sok?q=hjelpekorps", "Søk i strategier", ()),
    ("dokument-ny", COORDINATOR, "/trondelag/strategier/ny", "Nytt dokument", ()),
    ("hoering-ny", COORDINATOR, "/trondelag/strategier/{doc}/hoeringer/ny", "Send på høring", ()),
    (
        "avsnitt-rediger",
        COORDINATOR,
        "/trondelag/strategier/{doc}/avsnitt/{section}",
        "Rediger avsnitt",
        (),
    ),
]


@pytest.mark.parametrize("width", WIDTH_PARAMS)
@pytest.mark.parametrize(
    ("name", "user", "path", "heading", "opens"), PAGES, ids=[p[0] for p in PAGES]
)
def test_strategies_page(
    new_context: Any,
    states: dict[str, dict[str, Any]],
    ids: Ids,
    width: int,
    name: str,
    user: str,
    path: str,
    heading: str | None,
    opens: tuple[str, ...],
) -> None:
    url = path.format(**vars(ids))
    page = new_context(width, storage_state=states[user]).new_page()
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    if heading is None:  # a round: its title
        page.get_by_role("heading", level=1).wait_for()
    else:
        page.get_by_role("heading", level=1, name=heading, exact=True).wait_for()
    for details in opens:  # the first of each, opened as a user would
        page.locator(f"{details} > summary").first.click()
        page.locator(f"{details} form").first.wait_for(state="visible")
    if name == "hoering-besvar":
        assert page.locator("details.answer-form[open] form").count() == 2
    check_page(page, name, width)
