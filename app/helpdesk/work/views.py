"""The forms of help that runs for weeks, on a request's page: the plan's steps, links to
related requests, and time spent."""

from __future__ import annotations

from fastapi.responses import Response

from app.accounts.one_trip import Router
from app.helpdesk.request_page import OnRequestPage
from app.helpdesk.work import service as work
from app.helpdesk.work.schemas import LinkForm, StepForm, TimeForm
from app.i18n import _

router = Router()

# The parts of the request's page each form updates (app/helpdesk/request_page.py).
PLAN = ("plan", "historikk")
LINKS = ("lenker", "historikk")
TIME = ("tid",)


@router.post("/{workspace_slug}/hjelp/{number}/steg")
def add_step(page: OnRequestPage) -> Response:
    return page.submit(work.add_step, schema=StepForm, flash=_("Steget er lagt til."), parts=PLAN)


@router.post("/{workspace_slug}/hjelp/{number}/steg/{step_id}")
def mark_step(step_id: int, page: OnRequestPage) -> Response:
    done = page.data.get("done") == "1"
    flash = _("Steget er merket som gjort.") if done else _("Steget er merket som ikke gjort.")
    return page.submit(work.set_step_done, step_id, done, flash=flash, parts=PLAN)


@router.post("/{workspace_slug}/hjelp/{number}/steg/{step_id}/slett")
def remove_step(step_id: int, page: OnRequestPage) -> Response:
    return page.submit(work.remove_step, step_id, flash=_("Steget er fjernet."), parts=PLAN)


@router.post("/{workspace_slug}/hjelp/{number}/lenker")
def add_link(page: OnRequestPage) -> Response:
    return page.submit(work.link, schema=LinkForm, flash=_("Lenken er lagt til."), parts=LINKS)


@router.post("/{workspace_slug}/hjelp/{number}/lenker/{link_id}/slett")
def remove_link(link_id: int, page: OnRequestPage) -> Response:
    return page.submit(work.unlink, link_id, flash=_("Lenken er fjernet."), parts=LINKS)


@router.post("/{workspace_slug}/hjelp/{number}/tid")
def log_time(page: OnRequestPage) -> Response:
    return page.submit(work.log_time, schema=TimeForm, flash=_("Tiden er ført."), parts=TIME)


@router.post("/{workspace_slug}/hjelp/{number}/tid/{entry_id}/slett")
def remove_time(entry_id: int, page: OnRequestPage) -> Response:
    flash = _("Tidsføringen er fjernet.")
    return page.submit(work.remove_time, entry_id, flash=flash, parts=TIME)
