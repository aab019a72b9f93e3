"""The meetings in real Chromium, on a phone and a desktop: the list, a body's meetings with
its attendance figure, a meeting with its agenda, minutes and decisions, the form, a meeting
of Kongsbergregionen shared with Telemark, the webinar series and a series' archive, and the
page of the personal calendar feed — each with axe-core (WCAG 2.1 A/AA, no
violations at all). Read-only: nothing in the shared demo is changed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .support import WIDTH_PARAMS, check_page, format_violations, run_axe

pytestmark = pytest.mark.browser

COUNCIL = re.compile(r"^Rådsmøte ")
KR = re.compile(r"^Rådmannsutvalget ")
SERIES = re.compile(r"^Digitaliseringswebinar$")
# (screenshot name, path, link to follow from that page or None, heading expected)
PAGES = [
    ("moter", "/trondelag/moter", None, "Møter"),
    ("moter-tidligere", "/trondelag/moter?tid=tidligere", None, "Møter"),
    ("mote", "/trondelag/moter?tid=tidligere", COUNCIL, COUNCIL),
    ("mote-nytt", "/trondelag/moter/nytt", None, "Nytt møte"),
    ("mote-delt", "/telemark/moter?tid=tidligere", KR, KR),
    ("moter-serier", "/trondelag/moter/serier", None, "Webinarserier"),
    ("moter-serie", "/trondelag/moter/serier", SERIES, SERIES),
    ("moter-kalender", "/trondelag/moter/kalender", None, "Møtene dine i kalenderen"),
]


def _strict_axe(page: Any) -> None:
    violations = run_axe(page)
    assert not violations, f"axe on {page.url}:\n{format_violations(violations)}"


@pytest.mark.parametrize("width", WIDTH_PARAMS)
@pytest.mark.parametrize(("name", "path", "link", "heading"), PAGES, ids=[p[0] for p in PAGES])
def test_meeting_page(
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
        assert href and "/moter/" in href, href
        response = page.goto(href)
        assert response is not None and response.status == 200, (href, response.status)
    page.get_by_role("heading", level=1, name=heading).first.wait_for()
    check_page(page, name, width)
    _strict_axe(page)


@pytest.mark.parametrize("width", WIDTH_PARAMS)
def test_a_council_s_meetings_show_who_is_seldom_there(
    new_context: Any, admin_state: dict[str, Any], width: int
) -> None:
    page = new_context(width, storage_state=admin_state).new_page()
    page.goto("/trondelag/moter?tid=tidligere")
    page.get_by_label("Råd eller nettverk").select_option(label="Namdal regionråd")
    page.get_by_role("button", name="Vis").click()
    page.wait_for_url(re.compile(r"organ=\d+"))
    page.reload()
    table = page.locator("table").filter(has_text="Sjelden til stede")
    assert table.count() == 1
    assert "liten kommune" in table.inner_text()
    check_page(page, "moter-organ", width)
    _strict_axe(page)


def test_the_demo_webinar_series_archive_has_recordings_and_a_search(
    new_context: Any, admin_state: dict[str, Any]
) -> None:
    page = new_context(1280, storage_state=admin_state).new_page()
    page.goto("/trondelag/moter/serier")
    page.locator("main").get_by_role("link", name=SERIES).click()
    page.get_by_role("heading", level=1, name=SERIES).wait_for()
    archive = page.locator("#series-archive")
    titles = archive.locator(".request-card__title").all_inner_texts()
    numbers = [int(re.search(r"webinar (\d+)", t).group(1)) for t in titles]  # type: ignore[union-attr]
    assert len(numbers) > 5 and numbers == sorted(numbers, reverse=True)  # newest first
    assert archive.get_by_role("link", name=re.compile("^Opptak")).count() >= len(numbers) - 1
    page.get_by_label("Søk i øktene").fill("webinar 3:")
    page.get_by_role("button", name="Søk").click()
    page.wait_for_url(re.compile(r"q=webinar"))
    shown = archive.locator(".request-card__title").all_inner_texts()
    assert [t.split(":")[0] for t in shown] == ["Digitaliseringswebinar 3"]
    _strict_axe(page)


@pytest.mark.parametrize("width", WIDTH_PARAMS)
def test_the_attendance_form_is_one_card_per_municipality_on_a_phone(
    new_context: Any, admin_state: dict[str, Any], width: int
) -> None:
    """On a phone each invited municipality is a card (no header row, no sideways scroll) and
    its status select is wide enough for the longest choice; on a desktop it is a table."""
    page = new_context(width, storage_state=admin_state).new_page()
    page.goto("/trondelag/moter?tid=tidligere")
    href = page.locator("main").get_by_role("link", name=COUNCIL).first.get_attribute("href")
    assert href
    page.goto(href)
    selects = page.locator(".attendance-table select")
    assert selects.count() >= 3
    thead = page.locator(".attendance-table thead th").first
    if width == 360:
        assert thead.bounding_box()["width"] <= 1  # type: ignore[index]  # only for screen readers
    else:
        assert thead.is_visible() and thead.bounding_box()["width"] > 50  # type: ignore[index]
    # Each select: inside the page, and wider than its longest choice's text (with room for
    # its padding and arrow), so no choice is cut to "T…".
    measured = page.evaluate(
        """() => {
          const ctx = document.createElement("canvas").getContext("2d");
          return [...document.querySelectorAll(".attendance-table select")].map((s) => {
            ctx.font = getComputedStyle(s).font;
            const longest = Math.max(...[...s.options].map((o) => ctx.measureText(o.text).width));
            const r = s.getBoundingClientRect();
            return {longest, width: s.clientWidth, right: r.right, scroll: s.scrollWidth};
          });
        }"""
    )
    viewport = page.evaluate("window.innerWidth")
    for m in measured:
        assert m["scroll"] <= m["width"], m
        assert m["right"] <= viewport, m
        assert m["width"] >= m["longest"] + 32, m
    page.locator(".attendance-table").scroll_into_view_if_needed()
    check_page(page, "mote-oppmote", width)
    _strict_axe(page)
