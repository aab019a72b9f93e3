"""The innovation registry in real Chromium, on a phone and a desktop: every page with axe-core
(WCAG 2.1 A/AA, no violations at all), and a chief executive asking for another county's
shared solution ("we want this") on a phone.

The demo database is shared by the whole package: these tests only add (one help request and
the adoption it notes)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from .support import WIDTH_PARAMS, check_page, format_violations, log_in, run_axe, shoot

pytestmark = pytest.mark.browser

NIGHT = re.compile(r"^Digitalt nattilsyn")
# (screenshot name, path, link to follow from that page or None, heading expected)
PAGES = [
    ("innovasjoner", "/trondelag/innovasjoner", None, "Innovasjoner"),
    ("innovasjon", "/trondelag/innovasjoner", NIGHT, NIGHT),
    ("innovasjon-ny", "/trondelag/innovasjoner/ny", None, "Ny innovasjon"),
    ("innovasjoner-andre", "/vestland/innovasjoner?fra=andre", None, re.compile("andre fylker")),
    ("innovasjon-delt", "/vestland/innovasjoner?fra=andre", NIGHT, NIGHT),
    ("spredning", "/trondelag/innovasjoner/spredning", None, re.compile(".")),
]


def _strict_axe(page: Any) -> None:
    violations = run_axe(page)
    assert not violations, f"axe on {page.url}:\n{format_violations(violations)}"


@pytest.mark.parametrize("width", WIDTH_PARAMS)
@pytest.mark.parametrize(("name", "path", "link", "heading"), PAGES, ids=[p[0] for p in PAGES])
def test_innovation_page(
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
        assert href and "/innovasjoner/" in href, href
        response = page.goto(href)
        assert response is not None and response.status == 200, (href, response.status)
    page.get_by_role("heading", level=1, name=heading).first.wait_for()
    check_page(page, name, width)
    _strict_axe(page)


def test_the_benefits_pages(new_context: Any, admin_state: dict[str, Any]) -> None:
    for width in (360, 1280):
        page = new_context(width, storage_state=admin_state).new_page()
        page.goto("/trondelag/innovasjoner")
        page.locator("main").get_by_role("link", name=NIGHT).first.click()
        page.get_by_role("heading", level=1, name=NIGHT).wait_for()
        with page.expect_navigation():
            page.get_by_role("link", name="Til gevinstplanene").click()
        assert urlsplit(page.url).path.endswith("/gevinster"), page.url
        check_page(page, "gevinster", width)
        _strict_axe(page)
        # Osen's scaled copy: its four parts, benefits, measurements and chart.
        with page.expect_navigation():
            page.locator("main").get_by_role("link", name="Osen", exact=True).first.click()
        page.get_by_role("heading", level=1, name=re.compile("Osen")).wait_for()
        assert page.get_by_role("heading", name=re.compile("Gevinster|gevinster")).count() > 0
        check_page(page, "gevinstplan-osen", width)
        _strict_axe(page)


def test_osen_wants_a_shared_solution_on_a_phone(new_context: Any) -> None:
    width = 360
    page = new_context(width).new_page()
    log_in(page, "kommunedirektor@osen.demo")
    page.goto("/trondelag/innovasjoner?fra=andre")
    with page.expect_navigation():
        page.locator("main").get_by_role(
            "link", name=re.compile("Gevinstrealisering")
        ).first.click()
    shoot(page, "innovasjon-vi-vil-ha-1", width)
    _strict_axe(page)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Vi vil ha denne")).click()
    assert re.fullmatch(r"/trondelag/hjelp/\d+", urlsplit(page.url).path), page.url
    page.get_by_role("heading", level=1, name=re.compile("Vi vil ta i bruk")).wait_for()
    shoot(page, "innovasjon-vi-vil-ha-2", width)
