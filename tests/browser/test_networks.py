"""Councils, networks, contact persons and coverage in real Chromium, on a phone and a desktop:
a municipal user keeps their own contact up to date, a coordinator sets up a network and sees it
in the coverage, axe-core (WCAG 2.1 A/AA) on every page, and the HTMX contact search.

The demo database is shared by the whole package: these tests only add (a uniquely named
network, one membership) or change a phone number, and never delete demo data."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from app import clock

from .support import (
    SCREENSHOTS,
    WIDTH_PARAMS,
    assert_no_sideways_scroll,
    check_page,
    log_in,
    shoot,
    text_of,
)

pytestmark = pytest.mark.browser

NEW_PHONE = "+47 912 34 567"
NEW_NETWORK = "Klimanettverket test"

# (screenshot name, workspace, path, link to follow from that page or None, heading expected)
PAGES = [
    ("organer", "trondelag", "/trondelag/organer", None, "Råd og nettverk"),
    ("organ-fosen", "trondelag", "/trondelag/organer", "Fosen regionråd", "Fosen regionråd"),
    ("organ-ny", "trondelag", "/trondelag/organer/ny", None, "Nytt organ"),
    ("kommune-osen", "trondelag", "/trondelag/kommuner/5020", None, "Osen"),
    ("kontakter", "trondelag", "/trondelag/kontakter", None, "Kontaktpersoner"),
    (
        "kontakt-skjema",
        "trondelag",
        "/trondelag/kommuner/5020",
        re.compile(r"^Endre\s+Siri Strand"),
        "Endre kontaktperson",
    ),
    ("dekning", "trondelag", "/trondelag/dekning", None, "Dekning: hvem er med hvor"),
    ("telemark-organer", "telemark", "/telemark/organer", None, "Råd og nettverk"),
    (
        "telemark-kongsbergregionen",
        "telemark",
        "/telemark/organer",
        "Kongsbergregionen",
        "Kongsbergregionen",
    ),
]


def test_municipal_user_changes_a_contact_phone(new_context: Any) -> None:
    width = 360
    page = new_context(width).new_page()
    log_in(page, "kommunedirektor@osen.demo")

    page.goto("/trondelag/kommuner/5020")
    contacts = page.get_by_role("region", name="Hvem har ansvar for hva")
    contacts.wait_for()
    shoot(page, "kontakt-endre-1-kommune", width)
    assert_no_sideways_scroll(page, "kommune", width)

    with page.expect_navigation():
        contacts.get_by_role("link", name=re.compile(r"^Endre\s+Siri Strand")).click()
    page.get_by_role("heading", level=1, name="Endre kontaktperson").wait_for()
    phone = page.get_by_label(re.compile(r"^Telefon"))
    assert phone.input_value() != NEW_PHONE
    phone.fill(NEW_PHONE)
    shoot(page, "kontakt-endre-2-skjema", width)
    assert_no_sideways_scroll(page, "kontaktskjema", width)

    with page.expect_navigation():
        page.get_by_role("button", name="Lagre", exact=True).click()
    assert urlsplit(page.url).path == "/trondelag/kommuner/5020", page.url
    page.get_by_text("Kontaktpersonen er lagret.").wait_for()
    siri = contacts.locator("li.person").filter(has_text="Siri Strand")
    assert NEW_PHONE in text_of(siri), text_of(siri)
    assert siri.get_by_role("link", name=NEW_PHONE).get_attribute("href") == "tel:+4791234567"
    shoot(page, "kontakt-endre-3-lagret", width)
    assert_no_sideways_scroll(page, "kommune etter lagring", width)


def test_coordinator_creates_a_network_and_sees_it_in_the_coverage(new_context: Any) -> None:
    width = 1280
    page = new_context(width).new_page()
    log_in(page, "koordinator@trondelag.demo")

    page.goto("/trondelag/organer/ny")
    page.get_by_label("Navn", exact=True).fill(NEW_NETWORK)
    page.get_by_label("Type", exact=True).select_option("network")
    page.get_by_label(re.compile(r"^Tema")).select_option("climate")
    shoot(page, "nettverk-1-nytt", width)
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre", exact=True).click()
    assert re.fullmatch(r"/trondelag/organer/\d+", urlsplit(page.url).path), page.url
    page.get_by_role("heading", level=1, name=NEW_NETWORK).wait_for()

    form = page.get_by_role("region", name="Legg til medlem")
    form.get_by_label(re.compile(r"^Kommune")).select_option("5036")
    form.get_by_label(re.compile(r"^Fra dato")).fill(clock.today().isoformat())
    shoot(page, "nettverk-2-medlem", width)
    with page.expect_navigation():
        form.get_by_role("button", name="Legg til", exact=True).click()
    page.get_by_text("Medlemmet er lagt til.").wait_for()
    members = page.get_by_role("region", name=re.compile(r"^Medlemmer nå"))
    row = members.get_by_role("row").filter(has=page.get_by_role("link", name="Frosta"))
    assert row.count() == 1, text_of(members)
    assert clock.today().strftime("%d.%m.%Y") in text_of(row)
    shoot(page, "nettverk-3-medlemmer", width)

    page.goto("/trondelag/dekning")
    labels = page.locator("svg.matrix text.matrix__col").all_text_contents()
    assert NEW_NETWORK in labels, labels
    frosta = page.locator("#table-h ~ .table-scroll tbody tr").filter(
        has=page.get_by_role("link", name="Frosta", exact=True)
    )
    assert frosta.count() == 1
    bodies = int(text_of(frosta.locator("td").last))
    assert bodies >= 2, text_of(frosta)
    # Frosta is in no council in the demo; a network does not change that.
    no_council = page.get_by_role("region", name=re.compile(r"^Ikke med i noe regionråd"))
    assert "Frosta" in text_of(no_council)
    shoot(page, "nettverk-4-dekning", width)
    page.locator(".matrix-scroll").screenshot(path=str(SCREENSHOTS / "nettverk-5-matrise-1280.png"))


@pytest.mark.parametrize("width", WIDTH_PARAMS)
@pytest.mark.parametrize(
    ("name", "workspace", "path", "link", "heading"), PAGES, ids=[p[0] for p in PAGES]
)
def test_network_page(
    new_context: Any,
    admin_state: dict[str, Any],
    width: int,
    name: str,
    workspace: str,
    path: str,
    link: str | re.Pattern[str] | None,
    heading: str,
) -> None:
    page = new_context(width, storage_state=admin_state).new_page()
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    if link is not None:
        # exact is ignored for a regular expression
        href = page.locator("main").get_by_role("link", name=link, exact=True).get_attribute("href")
        assert href and href.startswith(f"/{workspace}/"), href
        response = page.goto(href)
        assert response is not None and response.status == 200, (href, response.status)
    page.get_by_role("heading", level=1, name=heading).wait_for()
    check_page(page, name, width)


def test_contact_search_with_htmx(new_context: Any, admin_state: dict[str, Any]) -> None:
    page = new_context(1280, storage_state=admin_state).new_page()
    page.goto("/trondelag/kontakter")
    cards = page.locator("#contact-list .contact-card")
    assert cards.count() > 1
    page.evaluate("window.__notReloaded = true")

    with page.expect_request(
        lambda r: "q=strand" in r.url and r.headers.get("hx-request") == "true"
    ):
        page.get_by_label("Søk på navn, kommune eller tittel").press_sequentially("strand")
    page.wait_for_url(re.compile(r"q=strand"))
    page.locator("#contact-list .contact-card").nth(1).wait_for(state="detached")

    names = [" ".join(t.split()) for t in cards.locator(".contact-card__name").all_inner_texts()]
    assert len(names) == 1 and names[0].startswith("Siri Strand"), names
    assert page.evaluate("window.__notReloaded === true"), "the whole page was reloaded"
    assert page.locator("#contact-list #contact-list").count() == 0, "nested list swap"
    assert text_of(page.locator("#contact-count")) == "1 kontaktperson"
    assert parse_qs(urlsplit(page.url).query)["q"] == ["strand"]
    shoot(page, "kontakter-sok", 1280)
