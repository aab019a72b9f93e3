"""The ceiling app of bench/load.py: what a list page cannot avoid, and nothing more.

One session lookup (the login cookie's hash in ``user_session``), one 50-row query and a 50-row
Jinja table, through FastAPI and SQLAlchemy Core on the same database as the app under test.
Served by uvicorn like the app: ``uvicorn ceiling:app --app-dir bench``; the database URL comes
from ``CEILING_DATABASE_URL``."""

from __future__ import annotations

import hashlib
import os

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["CEILING_DATABASE_URL"], pool_pre_ping=True)
TABLE = Environment(autoescape=True).from_string(
    """<!doctype html><html lang="nb"><head><title>Kommuner</title></head><body>
<h1>Kommuner</h1><table><thead><tr><th>Nr.</th><th>Navn</th><th>Fylke</th><th>Innbyggere</th>
</tr></thead><tbody>{% for row in rows %}<tr><td>{{ row.number }}</td><td>{{ row.name }}</td>
<td>{{ row.county_number }}</td><td>{{ row.population }}</td></tr>{% endfor %}</tbody></table>
</body></html>"""
)
app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/", response_class=HTMLResponse)
def page(request: Request) -> HTMLResponse:
    token = request.cookies.get("samspill_session", "")
    with engine.begin() as conn:
        user = conn.execute(
            text("SELECT user_id FROM user_session WHERE token_hash = :h"),
            {"h": hashlib.sha256(token.encode()).hexdigest()},
        ).scalar()
        if user is None:
            return HTMLResponse("not logged in", status_code=401)
        rows = conn.execute(
            text(
                "SELECT number, name, county_number, population FROM municipality "
                "ORDER BY number LIMIT 50"
            )
        ).all()
    return HTMLResponse(TABLE.render(rows=rows))
