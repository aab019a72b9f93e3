"""Each demo person's start page ("Til deg", issue 15): after login, what waits for them, at
phone and desktop width, with axe and the Content-Security-Policy checked."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from .support import WIDTH_PARAMS, check_page, log_in

pytestmark = pytest.mark.browser

OPEN_ROUND = "Høring: Handlingsplan for digital samhandling 2027 (demo)"

# (screenshot name, e-mail, the group headings and the texts the person must see there)
PEOPLE = [
    (
        "start-koordinator",
        "koordinator@trondelag.demo",
        ("Til vurdering", "Høringer", "Tiltak bak planen"),
        (OPEN_ROUND, "Vurder og tildel"),
    ),
    (
        "start-hjelper",
        "hjelper@trondelag.demo",
        ("Tildelt deg", "Besøk denne uka"),
        ("Søknad til Forkommune om velferdsteknologi (demo)", "Besøk: Osen rådhus"),
    ),
    (
        "start-osen",
        "kommunedirektor@osen.demo",
        ("Forespørsler til hjelpekorpset", "Høringer", "Søknadsfrister"),
        ("Klimabudsjett for første gang (demo)", "Svar hjelpekorpset", "Skriv høringssvar"),
    ),
    (
        "start-statsforvalteren",
        "radgiver@statsforvalteren.demo",
        ("Høringer",),
        (OPEN_ROUND, "Høringssvaret er ikke påbegynt", "Skriv høringssvar"),
    ),
    (
        "start-ks",
        "radgiver@ks.demo",
        ("Høringer",),
        (
            OPEN_ROUND,
            "Høringssvaret er et utkast",
            "Fortsett på utkastet",
            # KS's other counties on the same page: Vestland's round is not begun
            "Vestland fylkeskommune (demo) Din rolle: Partner Høringer " + OPEN_ROUND,
            "Skriv høringssvar",
        ),
    ),
]


@pytest.mark.parametrize("width", WIDTH_PARAMS)
@pytest.mark.parametrize(("name", "email", "groups", "texts"), PEOPLE, ids=[p[0] for p in PEOPLE])
def test_each_person_lands_on_what_waits_for_them(
    new_context: Any, width: int, name: str, email: str, groups: tuple, texts: tuple
) -> None:
    page = new_context(width).new_page()
    log_in(page, email)
    if urlsplit(page.url).path != "/trondelag":  # KS is in three counties: the picker first
        page.goto("/trondelag")
    page.get_by_role("heading", level=1, name="Dette venter på deg").wait_for()
    main = page.locator("main")
    headings = [" ".join(t.split()) for t in main.locator("h3").all_inner_texts()]
    for group in groups:
        assert group in headings, (group, headings)
    body = " ".join(main.inner_text().split())
    for text in texts:
        assert text in body, (text, body[:600])
    assert "Din rolle i Trøndelag fylkeskommune (demo):" in body
    # The county's figures are one click away, not on this page.
    assert main.locator(".figure").count() == 0
    assert main.get_by_role("link", name="Nøkkeltall og kommunene i", exact=False).count() == 1
    check_page(page, name, width)


def test_a_call_to_action_leads_into_the_request(new_context: Any) -> None:
    page = new_context(360).new_page()
    log_in(page, "kommunedirektor@osen.demo")
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Svar hjelpekorpset").first.click()
    assert urlsplit(page.url).path.startswith("/trondelag/hjelp/")
    page.get_by_role("heading", level=1, name="Klimabudsjett for første gang (demo)").wait_for()
