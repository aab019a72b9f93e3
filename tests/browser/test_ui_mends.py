"""Mends from the last review, in real Chromium: the notification preferences as a matrix at
desktop width and one card per kind on a phone; a refused htmx action that shows the server's
message; and a request's open history that stays open when its part is redrawn."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from .support import WIDTH_PARAMS, assert_no_csp_violations, check_page, log_in, text_of

pytestmark = pytest.mark.browser

HELPER = "hjelper@trondelag.demo"
MUNICIPAL = "kommunedirektor@osen.demo"
COORDINATOR = "koordinator@trondelag.demo"
KIND = "Svar på en forespørsel"
CHANNELS = ("I appen", "E-post med en gang", "Daglig oppsummering")


@pytest.fixture(scope="module")
def states(browser: Any, live_server: str) -> Iterator[dict[str, dict[str, Any]]]:
    """Cookies of the demo users, each signed in once through the login form."""
    cache: dict[str, dict[str, Any]] = {}
    for email in (HELPER, MUNICIPAL, COORDINATOR):
        context = browser.new_context(base_url=live_server, locale="nb-NO")
        log_in(context.new_page(), email)
        cache[email] = context.storage_state()
        context.close()
    yield cache


def _boxes(locator: Any) -> list[dict[str, float]]:
    return [locator.nth(i).bounding_box() for i in range(locator.count())]


@pytest.mark.parametrize("width", WIDTH_PARAMS)
def test_notification_preferences_are_a_matrix_on_a_desk_and_cards_on_a_phone(
    new_context: Any, states: dict[str, dict[str, Any]], width: int
) -> None:
    page = new_context(width, storage_state=states[HELPER]).new_page()
    page.goto("/varsler/innstillinger")
    rows = page.locator(".pref-matrix fieldset")
    assert rows.count() == 9
    group = page.get_by_role("group", name=KIND)
    # Each radio is named by its channel, within the group named by its kind.
    for channel in CHANNELS:
        assert group.get_by_role("radio", name=channel, exact=True).count() == 1
    radios = _boxes(group.get_by_role("radio"))
    legend = group.locator("legend").bounding_box()
    head = page.locator(".pref-matrix__head")
    if width == 1280:
        assert head.is_visible()
        assert [text_of(head.locator("span").nth(i)) for i in (1, 2, 3)] == list(CHANNELS)
        tops = {round(b["y"]) for b in radios}
        assert max(tops) - min(tops) <= 2, radios  # one line
        xs = [b["x"] for b in radios]
        assert xs == sorted(xs) and xs[0] > legend["x"] + legend["width"]  # after the kind
        assert abs(legend["y"] - radios[0]["y"]) < 40
        # each radio sits under its channel's heading
        for i, b in enumerate(radios):
            col = head.locator("span").nth(i + 1).bounding_box()
            assert col["x"] <= b["x"] + b["width"] / 2 <= col["x"] + col["width"], (i, b, col)
        table = page.locator(".pref-matrix").bounding_box()
        assert table["height"] < 9 * 90, table  # compact: nine rows, not nine lists
        hidden = group.get_by_text("I appen", exact=True).bounding_box()
        assert hidden["width"] <= 1 and hidden["height"] <= 1  # for the ear; the head shows it
    else:
        assert not head.is_visible()
        ys = [b["y"] for b in radios]
        assert ys == sorted(ys) and ys[1] - ys[0] > 10  # one under another, in a card
        assert group.get_by_text("Daglig oppsummering", exact=True).is_visible()
    check_page(page, "varselinnstillinger-matrise", width)

    # Saving a choice made in the matrix stores it; the choice is put back after (shared demo).
    before = group.locator("input:checked").get_attribute("value")
    wanted = "digest" if before != "digest" else "app"
    label = CHANNELS[("app", "email", "digest").index(wanted)]
    group.get_by_role("radio", name=label, exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre valgene").click()
    page.get_by_text("Valgene dine er lagret.").wait_for()
    page.goto("/varsler/innstillinger")
    group = page.get_by_role("group", name=KIND)
    assert group.locator("input:checked").get_attribute("value") == wanted
    group.locator(f'input[value="{before}"]').check()
    page.get_by_role("button", name="Lagre valgene").click()
    page.get_by_text("Valgene dine er lagret.").wait_for()


def _file_request(new_context: Any, states: dict[str, dict[str, Any]], what: str) -> int:
    filer = new_context(1280, storage_state=states[MUNICIPAL]).new_page()
    filer.goto("/trondelag/hjelp/ny")
    filer.get_by_role("radio", name="Søknad om midler", exact=True).check()
    filer.locator("#f-title").fill(f"{what} {uuid.uuid4().hex[:8]} (test)")
    filer.locator("#f-description").fill("Vi trenger hjelp med en søknad. (test)")
    with filer.expect_navigation():
        filer.get_by_role("button", name="Send forespørselen").click()
    match = re.search(r"/trondelag/hjelp/(\d+)$", filer.url)
    assert match, filer.url
    return int(match.group(1))


def test_an_open_history_stays_open_when_an_action_redraws_it(
    new_context: Any, states: dict[str, dict[str, Any]]
) -> None:
    number = _file_request(new_context, states, "Historikken står åpen")
    page = new_context(1280, storage_state=states[COORDINATOR]).new_page()
    page.goto(f"/trondelag/hjelp/{number}")
    history = page.locator("#historikk details")
    history.locator("summary").click()
    assert history.evaluate("d => d.open") is True
    events = page.locator("#historikk li").count()
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    triage = page.locator("#vurdering")
    triage.locator(".suggestions li").first.get_by_role("checkbox").check()
    with page.expect_response(lambda r: r.url.endswith("/vurdering")) as answer:
        triage.get_by_role("button", name="Lagre vurdering").click()
    assert answer.value.status == 200
    triage.get_by_text("Vurderingen er lagret.").wait_for()
    page.wait_for_function(f"document.querySelectorAll('#historikk li').length > {events}")
    assert loads == []  # redrawn in place
    assert history.evaluate("d => d.open") is True  # still open, with the new event in it
    assert page.locator("#historikk li").first.is_visible()
    # Closed by the person, it stays closed at the next redraw.
    history.locator("summary").click()
    assert history.evaluate("d => d.open") is False
    plan = page.locator("#plan")
    plan.get_by_label("Nytt steg").fill("Les søknaden")
    plan.get_by_role("button", name="Legg til steg").click()
    plan.get_by_text("Steget er lagt til.").wait_for()
    assert history.evaluate("d => d.open") is False
    assert_no_csp_violations(page, "historikk")


def test_a_refused_htmx_action_shows_the_servers_message(
    new_context: Any, states: dict[str, dict[str, Any]]
) -> None:
    """A form drawn while the person could act (here the coordinator's triage form, put into
    the municipality's page as a stale page would have it) is refused with 403: the person sees
    the server's words, next to the form, in an alert."""
    number = _file_request(new_context, states, "Et gammelt skjema")
    coordinator = new_context(1280, storage_state=states[COORDINATOR]).new_page()
    coordinator.goto(f"/trondelag/hjelp/{number}")
    stale = coordinator.locator("#vurdering form").evaluate("f => f.outerHTML")

    page = new_context(360, storage_state=states[MUNICIPAL]).new_page()
    page.goto(f"/trondelag/hjelp/{number}")
    assert page.locator("#vurdering form").count() == 0  # not theirs to triage
    page.evaluate(
        """html => {
            const holder = document.createElement('div');
            holder.id = 'stale';
            holder.innerHTML = html;
            document.querySelector('#samtale').after(holder);
            htmx.process(holder);
        }""",
        stale,
    )
    form = page.locator("#stale form")
    with page.expect_response(lambda r: r.url.endswith("/vurdering")) as answer:
        form.get_by_role("button", name="Lagre vurdering").click()
    assert answer.value.status == 403
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Ingen tilgang" in text_of(alert)
    assert "Du har ikke tilgang til å gjøre dette." in text_of(alert)
    # next to the form that was sent, and gone at the next request
    assert page.locator("#stale > .htmx-error + form").count() == 1
    check_page(page, "htmx-feil-403", 360)
    with page.expect_response(lambda r: r.url.endswith("/vurdering")):
        form.get_by_role("button", name="Lagre vurdering").click()
    alert.wait_for()  # refused again: the alert is back, with the same words
    assert page.locator(".htmx-error").count() == 1
