"""The main pages in real Chromium, on a phone and a desktop: screenshots, axe-core (WCAG 2.1
A/AA), and what a user notices: login, sorting, filtering (with and without JavaScript),
what a municipal user may see, and no sideways scrolling on a narrow screen."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .support import WIDTH_PARAMS, assert_no_csp_violations, check_page, csp_violations, log_in

pytestmark = pytest.mark.browser

# (screenshot name, path)
PAGES = [
    ("velg", "/velg"),
    ("trondelag", "/trondelag"),
    ("trondelag-oversikt", "/trondelag/oversikt"),
    ("trondelag-brukere", "/trondelag/brukere"),
    ("trondelag-innstillinger", "/trondelag/innstillinger"),
    ("trondelag-api-nokler", "/trondelag/api-nokler"),
    ("trondelag-logg", "/trondelag/logg"),
]


def first_names(page: Any, n: int = 3) -> list[str]:
    cells = page.locator("#municipalities tbody tr td.name")
    return [" ".join(t.split()) for t in cells.all_inner_texts()[:n]]


def all_names(page: Any) -> str:
    return " ".join(page.locator("#municipalities tbody").inner_text().split())


@pytest.mark.parametrize("width", WIDTH_PARAMS)
def test_login_page_and_login_form(new_context: Any, width: int) -> None:
    page = new_context(width).new_page()
    response = page.goto("/trondelag")
    assert response is not None
    assert urlsplit(page.url).path == "/logg-inn"
    page.get_by_role("heading", name="Logg inn i Samspill").wait_for()
    check_page(page, "logg-inn", width)

    page.get_by_label("E-postadresse", exact=True).fill("admin@samspill.demo")
    page.get_by_label("Passord", exact=True).fill("feil-passord")
    page.get_by_role("button", name="Logg inn", exact=True).click()
    page.get_by_role("alert").filter(has_text="Feil e-postadresse eller passord").wait_for()

    log_in(page, "admin@samspill.demo")
    # The picker, or the workspace the admin used last (another test may have opened one).
    landed = urlsplit(page.url).path
    assert landed == "/velg" or landed.count("/") == 1, landed
    page.goto("/velg")
    assert page.locator(".choice-list li").count() == 4
    page.get_by_role("link", name=re.compile("Trøndelag")).click()
    page.wait_for_url(re.compile(r"/trondelag$"))
    page.get_by_role("heading", level=1, name="Dette venter på deg").wait_for()


@pytest.mark.parametrize("width", WIDTH_PARAMS)
@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_page(
    new_context: Any, admin_state: dict[str, Any], width: int, name: str, path: str
) -> None:
    page = new_context(width, storage_state=admin_state).new_page()
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    assert urlsplit(page.url).path == path
    page.locator("h1").first.wait_for()
    check_page(page, name, width)


def test_sort_by_population_with_htmx(new_context: Any, admin_state: dict[str, Any]) -> None:
    page = new_context(1280, storage_state=admin_state).new_page()
    page.goto("/trondelag/oversikt")
    page.evaluate("window.__notReloaded = true")
    header = page.locator("#municipalities thead").get_by_role(
        "link", name=re.compile("Innbyggere")
    )

    def htmx(sort: str) -> Any:
        return page.expect_request(
            lambda r: f"sort={sort}" in r.url and r.headers.get("hx-request") == "true"
        )

    with htmx("population"):
        header.click()
    page.wait_for_url(re.compile(r"sort=population"))
    with htmx("-population"):
        header.click()
    page.wait_for_url(re.compile(r"sort=-population"))
    page.locator("#municipalities th[aria-sort='descending']").wait_for()

    assert first_names(page)[0].startswith("Trondheim"), first_names(page)
    assert page.evaluate("window.__notReloaded === true"), "the whole page was reloaded"
    assert page.locator("#municipalities #municipalities").count() == 0, "nested table swap"


def test_filter_size_class_with_htmx(new_context: Any, admin_state: dict[str, Any]) -> None:
    page = new_context(360, storage_state=admin_state).new_page()
    page.goto("/trondelag/oversikt")
    assert "Trondheim" in all_names(page)
    page.evaluate("window.__notReloaded = true")

    with page.expect_request(
        lambda r: "klasse=1" in r.url and r.headers.get("hx-request") == "true"
    ):
        page.get_by_label("Størrelse", exact=True).select_option(label="under 1 500")
    page.wait_for_url(re.compile(r"klasse=1"))
    page.locator("#municipalities tbody", has_not_text="Trondheim").wait_for()

    names = all_names(page)
    assert "Osen" in names and "Trondheim" not in names, names
    assert page.evaluate("window.__notReloaded === true"), "the whole page was reloaded"
    assert parse_qs(urlsplit(page.url).query)["klasse"] == ["1"]


def test_filter_and_sort_without_javascript(new_context: Any) -> None:
    context = new_context(360, java_script_enabled=False)
    page = context.new_page()
    log_in(page, "admin@samspill.demo")
    page.goto("/trondelag/oversikt")

    page.get_by_label("Størrelse", exact=True).select_option(label="under 1 500")
    with page.expect_navigation():
        page.get_by_role("button", name="Vis", exact=True).click()
    assert parse_qs(urlsplit(page.url).query)["klasse"] == ["1"]
    names = all_names(page)
    assert "Osen" in names and "Trondheim" not in names, names
    assert page.get_by_label("Størrelse", exact=True).input_value() == "1"

    page.goto("/trondelag/oversikt")
    header = page.locator("#municipalities thead").get_by_role(
        "link", name=re.compile("Innbyggere")
    )
    with page.expect_navigation():
        header.click()
    with page.expect_navigation():
        header.click()
    assert "sort=-population" in page.url
    assert first_names(page)[0].startswith("Trondheim"), first_names(page)


@pytest.mark.parametrize("width", WIDTH_PARAMS)
def test_municipal_user_sees_only_what_they_may(new_context: Any, width: int) -> None:
    page = new_context(width).new_page()
    log_in(page, "kommunedirektor@osen.demo")
    assert urlsplit(page.url).path == "/trondelag"
    nav = page.get_by_role("navigation", name="Hovedmeny")
    nav.wait_for()
    links = [" ".join(t.split()) for t in nav.get_by_role("link").all_inner_texts()]
    assert "Kommunene" in links
    for hidden in ("Brukere", "Endringslogg", "Innstillinger"):
        assert hidden not in links, links
    assert page.locator("details.switcher").count() == 0  # only one workspace
    check_page(page, "kommunal-trondelag", width)


def _policy(header: str | None) -> dict[str, str]:
    assert header, "the page has no Content-Security-Policy header"
    pairs = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in pairs}


def test_the_content_security_policy_is_enforced_and_nothing_on_the_pages_breaks_it(
    new_context: Any, admin_state: dict[str, Any]
) -> None:
    """The main pages carry a strict policy (no inline or eval'd script, no inline style, no
    framing), nothing on them is refused by it, also after an HTMX swap; and the browser really
    enforces it: an inline script is refused and reported."""
    page = new_context(1280, storage_state=admin_state).new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))

    for name, path in PAGES:
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
        policy = _policy(response.headers.get("content-security-policy"))
        assert policy["script-src"] == "'self'", policy
        assert policy["style-src"] == "'self'", policy
        assert policy["default-src"] == "'self'", policy
        assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'", policy
        page.locator("h1").first.wait_for()
        assert_no_csp_violations(page, name)

    page.goto("/trondelag/oversikt")
    header = page.locator("#municipalities thead").get_by_role(
        "link", name=re.compile("Innbyggere")
    )
    with page.expect_request(
        lambda r: "sort=population" in r.url and r.headers.get("hx-request") == "true"
    ):
        header.click()
    page.wait_for_url(re.compile(r"sort=population"))
    page.locator("#municipalities th[aria-sort='ascending']", has_text="Innbyggere").wait_for()
    assert_no_csp_violations(page, "trondelag, sorted with HTMX")
    assert not [text for text in console if "Content Security Policy" in text], console

    # Enforced, not bypassed: an inline script does not run, and the refusal is seen.
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        ran = page.evaluate(
            """() => {
              window.__inlineRan = false;
              const script = document.createElement('script');
              script.textContent = 'window.__inlineRan = true';
              document.body.append(script);
              return window.__inlineRan;
            }"""
        )
        assert ran is False, "an inline script ran: the Content-Security-Policy is not enforced"
    page.wait_for_function("window.__cspViolations.length > 0")
    assert [v["directive"] for v in csp_violations(page)] == ["script-src-elem"]
