"""The ASGI entry point for uvicorn: `uvicorn app.asgi:app`. Logging is set up here, once per
process, before the app is built."""

import gc

from app import logs, routing
from app.config import get_settings
from app.main import create_app
from app.web import templates

settings = get_settings()
logs.setup(settings)
app = create_app()

if settings.environment != "development":
    # Every page template compiled now, once, not by the first requests of a fresh worker
    # under load, each waiting for the others' compiling (about 1 s for all of them).
    for name in templates.env.list_templates(extensions=["html"]):
        templates.env.get_template(name)
    # FastAPI's route contexts (each route's dependencies analysed, about 1 s for all), built
    # now rather than by the first request to reach each module.
    routing.prepare(app.router)

# Everything made so far (modules, routes, the app, the compiled templates) lives as long as
# the process. Frozen, the garbage collector's full passes no longer walk it: under load they
# took 200-285 ms every few seconds, and the slowest answers came in the same seconds
# (bench/sqlite_concurrency.py).
gc.collect()
gc.freeze()
