"""``/api/docs``: the JSON API browsable in Swagger UI, served from the app itself.

FastAPI's own docs page loads Swagger UI from a CDN and starts it with an inline script; the
app's Content-Security-Policy (``app/security.py``) refuses both, so that page stayed blank.
This one loads the Swagger UI copied from npm into ``static/vendor/swagger-ui/`` by
``make assets`` and starts it from ``static/api-docs.js``: nothing inline, nothing from
elsewhere, under the same policy as every other page. Public, as the OpenAPI document is."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web import render

router = APIRouter(include_in_schema=False)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    return render(request, "api/docs.html", {"openapi_url": request.app.openapi_url})
