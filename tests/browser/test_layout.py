"""Layout details found walking the pages (issue 15, item 10), measured in Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from .support import check_page, log_in

pytestmark = pytest.mark.browser

COORDINATOR = "koordinator@trondelag.demo"


def test_coverage_cards_line_up_and_the_matrix_box_fits_the_matrix(new_context: Any) -> None:
    page = new_context(1280).new_page()
    log_in(page, COORDINATOR)
    page.goto("/trondelag/dekning")
    tops = page.locator(".gap-grid > section").evaluate_all(
        "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
    )
    assert len(tops) == 3 and len(set(tops)) == 1, tops
    box = page.locator(".matrix-scroll").evaluate("e => e.getBoundingClientRect().width")
    svg = page.locator(".matrix-scroll svg").evaluate("e => e.getBoundingClientRect().width")
    assert box <= svg + 4, (box, svg)  # the card is as wide as the matrix, not the page


def test_a_long_compound_word_breaks_at_its_joint_on_a_phone(new_context: Any) -> None:
    page = new_context(360).new_page()
    log_in(page, COORDINATOR)
    page.goto("/trondelag/oversikt")
    label = page.locator(".figure__label", has_text="digitaliserings")
    label.wait_for()
    # The word breaks at the soft hyphen, "digitaliserings-" / "nettverk", and nowhere else.
    text, tops = label.evaluate(
        """e => {
          const node = e.firstChild;
          const range = document.createRange();
          const tops = [];
          for (let i = 0; i < node.length; i++) {
            range.setStart(node, i); range.setEnd(node, i + 1);
            const r = range.getClientRects()[0];
            tops.push(r ? Math.round(r.top) : null);
          }
          return [node.data, tops];
        }"""
    )
    joint = text.index("\u00ad")
    first = text.index("digitaliserings")
    before = {t for t in tops[first:joint] if t is not None}
    # (Chromium gives the first letter after a soft break the previous line's box: skip it.)
    after = {t for t in tops[joint + 2 :] if t is not None}
    assert len(before) == 1 and len(after) == 1, (before, after)
    assert after.pop() > before.pop()


@pytest.mark.parametrize("width", [360, 1280])
def test_a_body_page_asks_before_ending_or_archiving(new_context: Any, width: int) -> None:
    page = new_context(width).new_page()
    log_in(page, COORDINATOR)
    page.goto("/trondelag/organer")
    with page.expect_navigation(wait_until="load"):
        page.locator("main").get_by_role("link", name="Namdal regionråd").first.click()
    ending = page.locator("main details.confirm", has_text="Avslutt").first
    ending.locator("summary").click()
    assert ending.get_by_role("button", name="Avslutt medlemskapet").is_visible()
    archive = page.locator("main details.confirm", has_text="Arkiver").first
    archive.locator("summary").click()
    assert archive.get_by_role("button", name="Ja, arkiver organet").is_visible()
    check_page(page, "organ-bekreft", width)  # nothing submitted: the demo stays as it is
    # Every member's row is whole on the screen, on a phone too: nothing behind a scroll.
    table = page.locator("main table.members-table").first
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    assert table.evaluate("e => e.getBoundingClientRect().right") <= width
