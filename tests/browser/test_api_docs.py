"""/api/docs in Chromium under the app's real Content-Security-Policy: Swagger UI, served from
the vendored copy and started by static/api-docs.js, renders the operations of the JSON API,
and the policy refuses nothing on the way."""

from __future__ import annotations

from typing import Any

import pytest

from .support import WIDTH_PARAMS, assert_no_csp_violations, assert_no_sideways_scroll, shoot


def _open_docs(new_context: Any, width: int) -> tuple[Any, list[str], list[str]]:
    page = new_context(width).new_page()
    console: list[str] = []
    errors: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: errors.append(str(error)))
    outside: list[str] = []

    def note(request: Any) -> None:
        if not request.url.startswith(("http://127.0.0.1:", "data:")):
            outside.append(request.url)

    page.on("request", note)
    response = page.goto("/api/docs")
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    # The operations list, built by Swagger UI from /openapi.json.
    try:
        # Generous: a 1.7 MB bundle, and the OpenAPI document built on first request.
        page.locator(".opblock").first.wait_for(state="visible", timeout=30_000)
    except Exception as exc:
        raise AssertionError(
            f"Swagger UI listed no operation on /api/docs; console: {console}; errors: {errors}; "
            f"page: {' '.join(page.locator('body').inner_text().split())[:500]}"
        ) from exc
    assert not outside, f"the docs page fetched from elsewhere: {outside}"
    return page, console, errors


@pytest.mark.parametrize("width", WIDTH_PARAMS)
def test_the_api_docs_render_under_the_csp(new_context: Any, width: int) -> None:
    page, console, errors = _open_docs(new_context, width)
    me = page.locator(".opblock-get", has=page.locator('[data-path="/api/v1/me"]'))
    assert me.count() == 1, "GET /api/v1/me is not listed"
    assert page.locator(".opblock-summary-path").count() > 20  # the whole API, not a stub
    assert page.locator(".info .title").first.inner_text().startswith("Samspill API")

    # The bearer token is a declared security scheme: Swagger UI offers "Authorize", and
    # its dialog asks for the token.
    authorize = page.locator(".auth-wrapper .btn.authorize")
    authorize.wait_for(state="visible")
    authorize.click()
    dialog = page.locator(".modal-ux")
    dialog.wait_for(state="visible")
    assert "bearer" in dialog.inner_text().lower()
    assert dialog.locator(".auth-container input").count() == 1
    dialog.locator(".close-modal").click()
    dialog.wait_for(state="hidden")
    assert page.locator(".opblock .authorization__btn").count() > 20  # a lock on each

    # An operation opens and shows its responses: the UI is alive, not only painted.
    me.locator(".opblock-summary-control").click()
    opened = page.locator(".opblock.is-open")
    opened.locator(".responses-wrapper").wait_for(state="visible")

    # "Try it out" calls the API from the page (connect-src 'self'): without a token the
    # answer is the API's own 401, shown in the page.
    opened.locator(".try-out__btn").click()
    opened.locator(".btn.execute").click()
    status = opened.locator(".live-responses-table tr.response .response-col_status")
    status.wait_for(state="visible")
    assert status.inner_text().split()[0] == "401"
    assert "not_authenticated" in opened.locator(".live-responses-table").inner_text()

    shoot(page, "api-docs", width)
    assert_no_sideways_scroll(page, "api-docs", width)
    assert_no_csp_violations(page, f"api-docs-{width}")
    refused = [line for line in console if "Refused to" in line]
    assert not refused, f"the browser refused something: {refused}"
    assert not errors, f"script errors on /api/docs: {errors}"
