"""Funding schemes in real Chromium, on a phone and a desktop: every page with axe-core
(WCAG 2.1 A/AA, no violations at all), and the chief executive in Osen asking the hjelpekorps
for help with an application from a call, on a phone.

The demo database is shared by the whole package: these tests only add (one help request)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from .support import (
    WIDTH_PARAMS,
    check_page,
    format_violations,
    log_in,
    run_axe,
    shoot,
)

pytestmark = pytest.mark.browser

# (screenshot name, path, link to follow from that page or None, heading expected)
PAGES = [
    ("virkemidler", "/trondelag/virkemidler", None, "Virkemidler"),
    (
        "virkemiddel-digifin",
        "/trondelag/virkemidler",
        re.compile(r"^Digifin"),
        re.compile("^Digifin"),
    ),
    ("virkemiddel-nytt", "/trondelag/virkemidler/nytt", None, "Nytt virkemiddel"),
    ("soknader", "/trondelag/virkemidler/soknader", None, "Søknader og prosjekter"),
    ("soknad-ny", "/trondelag/virkemidler/soknader/ny", None, "Registrer søknad eller prosjekt"),
    ("frister", "/trondelag/virkemidler/frister", None, re.compile("Frister|frister")),
    ("deltakelse", "/trondelag/virkemidler/deltakelse", None, re.compile(".")),
    ("soknader-import", "/trondelag/virkemidler/soknader/import", None, re.compile(".")),
]


def _strict_axe(page: Any) -> None:
    violations = run_axe(page)
    assert not violations, f"axe on {page.url}:\n{format_violations(violations)}"


@pytest.mark.parametrize("width", WIDTH_PARAMS)
@pytest.mark.parametrize(("name", "path", "link", "heading"), PAGES, ids=[p[0] for p in PAGES])
def test_scheme_page(
    new_context: Any,
    admin_state: dict[str, Any],
    width: int,
    name: str,
    path: str,
    link: Any,
    heading: Any,
) -> None:
    page = new_context(width, storage_state=admin_state).new_page()
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    if link is not None:
        href = page.locator("main").get_by_role("link", name=link).first.get_attribute("href")
        assert href and href.startswith("/trondelag/virkemidler/"), href
        response = page.goto(href)
        assert response is not None and response.status == 200, (href, response.status)
    page.get_by_role("heading", level=1, name=heading).first.wait_for()
    check_page(page, name, width)
    _strict_axe(page)


def test_osen_asks_for_help_with_an_application_on_a_phone(new_context: Any) -> None:
    width = 360
    page = new_context(width).new_page()
    log_in(page, "kommunedirektor@osen.demo")
    page.goto("/trondelag/virkemidler")
    soon = page.get_by_role("region", name="Frister de neste 30 dagene")
    with page.expect_navigation():
        soon.get_by_role("link", name=re.compile(r"^Digifin")).first.click()
    button = page.get_by_role("button", name="Be hjelpekorpset om hjelp med søknaden").first
    shoot(page, "virkemiddel-be-om-hjelp-1", width)
    with page.expect_navigation():
        button.click()
    assert re.fullmatch(r"/trondelag/hjelp/\d+", urlsplit(page.url).path), page.url
    page.get_by_role("heading", level=1, name=re.compile("Søknad: Digifin")).wait_for()
    assert "Hjelpekorpset har fått beskjed" in page.locator("body").inner_text()
    shoot(page, "virkemiddel-be-om-hjelp-2", width)
    _strict_axe(page)
