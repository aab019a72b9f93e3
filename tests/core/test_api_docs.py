"""/api/docs: the page that starts Swagger UI loads nothing from elsewhere and runs nothing
inline, so the app's Content-Security-Policy applies to it unchanged. (That it renders under
that policy is tests/browser/test_api_docs.py.)"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from app.security import CSP


class _Page(HTMLParser):
    """What a browser would load or run from the page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.inline: list[str] = []  # inline script bodies, <style>, style="" and on*="" attributes
        self.openapi_url: str | None = None
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href"):
            if found.get(name):
                self.urls.append(str(found[name]))
        if tag == "script":
            self.scripts.append(found)
            self._in_script = True
        if tag == "style":
            self.inline.append("<style>")
        for name, _value in attrs:
            if name == "style" or name.startswith("on"):
                self.inline.append(f'{tag} {name}=""')
        if "data-openapi-url" in found:
            self.openapi_url = found["data-openapi-url"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append(f"<script>{data.strip()[:80]}")


def _docs_page(client) -> tuple[str, _Page]:
    r = client.get("/api/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = _Page()
    page.feed(r.text)
    return r.text, page


def test_the_docs_page_loads_nothing_from_elsewhere_and_nothing_inline(client):
    html, page = _docs_page(client)
    elsewhere = re.findall(r"(?:https?:)?//[^\s\"'<>]+", html)
    assert elsewhere == [], f"the docs page names another site: {elsewhere}"
    assert page.urls, "the page loads nothing at all"
    assert all(url.startswith("/") and not url.startswith("//") for url in page.urls), page.urls
    assert page.inline == [], f"inline code or style, refused by the CSP: {page.inline}"
    assert [s["src"] for s in page.scripts] == [
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/api-docs.js",
    ]
    assert "/static/vendor/swagger-ui/swagger-ui.css" in page.urls
    assert "/static/api-docs.css" in page.urls  # the page's own fixes, after Swagger UI's


def test_the_docs_page_is_served_under_the_unchanged_csp(app, client):
    # FastAPI's own pages (Swagger UI and ReDoc from a CDN, started inline) are off.
    assert app.docs_url is None and app.redoc_url is None
    r = client.get("/api/docs")
    assert r.headers["content-security-policy"] == CSP
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP


def test_everything_the_docs_page_loads_is_served_by_the_app(client):
    """The vendored Swagger UI (copied by `make assets`), the start script and the OpenAPI
    document it is pointed at: a missing one would leave the page blank again."""
    _html, page = _docs_page(client)
    for url in page.urls:
        r = client.get(url)
        assert r.status_code == 200, f"{url}: {r.status_code}"
        assert r.content, url
    assert "SwaggerUIBundle" in client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").text
    assert ".swagger-ui" in client.get("/static/vendor/swagger-ui/swagger-ui.css").text
    assert "data-openapi-url" in client.get("/static/api-docs.js").text

    assert page.openapi_url == "/openapi.json"
    spec = client.get(page.openapi_url).json()
    assert "/api/v1/me" in spec["paths"]
