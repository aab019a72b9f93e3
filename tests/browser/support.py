"""Helpers for the browser tests (the fixtures are in conftest.py)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DEMO_PASSWORD = "demo-passord"
WIDTHS = {360: 740, 1280: 900}

# Installed in every browser context before any page script runs (conftest.new_context): each
# Content-Security-Policy violation the page reports is kept, for assert_no_csp_violations.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push({
    directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile,
    line: e.lineNumber, sample: e.sample,
  });
});
"""


def log_in(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real login form."""
    page.goto("/logg-inn")
    page.get_by_label("E-postadresse", exact=True).fill(email)
    page.get_by_label("Passord", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Logg inn", exact=True).click()
    # Back on the login page without an error message means the session cookie was not
    # accepted on the redirect: e.g. the session row was committed only after the response.
    assert "/logg-inn" not in page.url, f"login failed, landed on {page.url}: " + " ".join(
        page.locator("main").inner_text().split()
    )


@cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core with the WCAG 2.1 A/AA rules; the violations, trimmed to what a human reads.

    axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy
    does not govern, so the pages are checked under their real CSP (a <script> tag would need
    the policy bypassed)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    return list(
        page.evaluate(
            """async () => {
              const r = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                resultTypes: ['violations'],
              });
              return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                          summary: n.failureSummary, html: n.html})),
              }));
            }"""
        )
    )


def csp_violations(page: Any) -> list[dict[str, Any]]:
    """What the page's Content-Security-Policy refused so far (see CSP_WATCH)."""
    found = page.evaluate("window.__cspViolations ?? null")
    assert found is not None, "the CSP watcher is not installed in this browser context"
    return list(found)


def assert_no_csp_violations(page: Any, name: str) -> None:
    refused = csp_violations(page)
    assert not refused, f"{name}: the Content-Security-Policy refused something on {page.url}: " + (
        "; ".join(f"{v['directive']} {v['blocked']} ({v['source']}:{v['line']})" for v in refused)
    )


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}  {node['html'][:160]}\n        {summary}")
    return "\n".join(lines)


WIDTH_PARAMS = [pytest.param(360, id="360"), pytest.param(1280, id="1280")]
BLOCKING = {"serious", "critical"}


def shoot(page: Any, name: str, width: int) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


def assert_no_sideways_scroll(page: Any, name: str, width: int) -> None:
    if width <= 360:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{name}: the page scrolls sideways ({scroll_width}px)"


def check_page(page: Any, name: str, width: int) -> None:
    """Screenshot, no sideways scrolling on a phone, no serious axe violations, and nothing
    the Content-Security-Policy refused."""
    shoot(page, name, width)
    assert_no_sideways_scroll(page, name, width)
    violations = run_axe(page)
    if violations:
        print(f"\n[axe] {name}-{width}:\n{format_violations(violations)}")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {page.url}:\n{format_violations(violations)}"
    assert_no_csp_violations(page, f"{name}-{width}")


def text_of(locator: Any) -> str:
    return " ".join(locator.inner_text().split())
