"""The formal consultation response in real Chromium, at phone and desktop width: KS drafts
its response with a signed letter in a round of its own (made for the test on the demo
strategy), looks it over, is stopped without the confirmation, confirms and gets the receipt;
axe-core on the preview, the refused send and the receipt. The demo's own rounds are not
touched."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .support import WIDTH_PARAMS, check_page, text_of
from .test_strategies import KS_PARTNER, flash_of, live_db, make_round, states, unique_title

pytestmark = pytest.mark.browser
_ = live_db, states  # fixtures, used by name

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize("width", WIDTH_PARAMS)
def test_partner_looks_over_confirms_and_sends_the_formal_response(
    new_context: Any,
    states: dict[str, dict[str, Any]],
    live_db: Callable[[], Any],
    width: int,
) -> None:
    title = unique_title("Høring med høringssvar")
    with live_db() as live:
        round_id = make_round(live, title, (KS_PARTNER,), ())

    page = new_context(width, storage_state=states[KS_PARTNER]).new_page()
    page.goto(f"/trondelag/hoeringer/{round_id}#svar")
    page.get_by_label("Utkast til høringssvar").fill(
        "**KS** støtter strategien.\n\n- Mer samarbeid\n- Felles løsninger"
    )
    page.get_by_label("Legg ved filer, for eksempel et signert brev").set_input_files(
        {"name": "Signert brev.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    check_page(page, "hoeringssvar-utkast", width)
    with page.expect_navigation():
        page.get_by_role("button", name="Se over før innsending").click()
    page.get_by_role("heading", level=1, name="Se over høringssvaret før innsending").wait_for()
    preview = page.locator("main")
    assert page.locator("main .prose strong", has_text="KS").count() == 1
    assert "Signert brev.pdf" in text_of(preview) and title in text_of(preview)
    check_page(page, "hoeringssvar-se-over", width)

    # Without the confirmation nothing is sent, and the page says what to do.
    with page.expect_navigation():
        page.get_by_role("button", name="Send inn", exact=True).click()
    assert "Kryss av for å bekrefte" in text_of(page.locator("main .error-summary"))
    check_page(page, "hoeringssvar-ikke-bekreftet", width)

    page.get_by_label("Jeg bekrefter at dette er organisasjonens høringssvar").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send inn", exact=True).click()
    page.get_by_role("heading", level=1, name="Høringssvaret er sendt inn").wait_for()
    assert "sendt inn og låst" in flash_of(page)
    assert "Signert brev.pdf" in text_of(page.locator("main"))
    check_page(page, "hoeringssvar-kvittering", width)
