"""Notifications in real Chromium (issue 15): the demo's coordinator and Osen's chief executive
see the bell with their unread count in the header, their list and the preference page, at phone
and desktop width, with no axe violations. Nothing is opened or changed: the demo is shared."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .support import WIDTH_PARAMS, check_page, log_in, text_of

pytestmark = pytest.mark.browser

PEOPLE = ["koordinator@trondelag.demo", "kommunedirektor@osen.demo"]


@pytest.mark.parametrize("email", PEOPLE)
@pytest.mark.parametrize("width", WIDTH_PARAMS)
def test_the_bell_counts_and_the_list_shows_the_notifications(
    new_context: Any, email: str, width: int
) -> None:
    page = new_context(width).new_page()
    log_in(page, email)
    bell = page.locator("a.bell")
    assert bell.is_visible()
    count = int(text_of(bell.locator(".bell__count")))
    assert count > 0
    # The screen reader hears the count in words; the link is big enough to tap on a phone.
    assert f"{count} uleste varsler" in bell.text_content()
    box = bell.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    name = email.split("@")[0]
    check_page(page, f"notifications-start-{name}", width)

    bell.click()
    page.wait_for_url(re.compile(r"/varsler$"))
    assert page.get_by_role("heading", name="Varsler", level=1).is_visible()
    items = page.locator(".notification")
    assert items.count() == min(count, 30)
    assert page.locator(".notification__new").first.is_visible()  # unread, marked in words
    first_meta = text_of(page.locator(".notification__meta").first)
    assert "(demo)" in first_meta  # the workspace it happened in
    check_page(page, f"notifications-list-{name}", width)

    page.get_by_role("link", name="Velg hvordan du får varsler").click()
    page.wait_for_url(re.compile(r"/varsler/innstillinger$"))
    assert page.get_by_role("group", name="Svar på en forespørsel").is_visible()
    check_page(page, f"notifications-settings-{name}", width)
