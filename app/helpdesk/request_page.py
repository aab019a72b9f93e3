"""A request's page — the request, its conversation, plan, links, time, visits and files, with
a form for each — and the form cycle every one of those forms goes through: back to the page's
section with a flash, or the page again (422) with the messages next to the fields; to HTMX,
only the parts of the page the action changed (templates/helpdesk/_request_parts.html), so
that the page keeps its place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app import clock
from app.accounts.deps import Context, DbSession, Pending, defers, require
from app.forms import MultiFormData, submit
from app.helpdesk import attachments, record
from app.helpdesk.due import service_levels
from app.helpdesk.labels import CATEGORY_LABELS, LABELS, PRIORITY_LABELS, STATE_LABELS
from app.helpdesk.models import CATEGORIES, OPEN_STATES, URGENCIES, HelpRequest
from app.helpdesk.queue import allowed_moves, can_work, get_request
from app.helpdesk.triage import helper_choices, suggest_helpers
from app.helpdesk.visits.service import Clash
from app.i18n import _, lazy
from app.web import is_htmx, render


@dataclass
class Shown:
    """The request as its page shows it (``queue.RequestDetail``'s shape, with the record's
    plain rows)."""

    request: HelpRequest
    messages: list[record.Message]
    events: list[record.Event]
    allowed: tuple[str, ...]


@dataclass(slots=True)
class HistoryLine:
    """A line of the request's history as the page shows it, its text made once here rather
    than by the template, a branch and a translation per line."""

    at: str  # ISO 8601, for <time datetime>
    when: str  # local time as people read it
    who: str | Markup
    what: Markup | str


def _html(translated: str) -> Markup:
    """A translation (``_()``'s) as the templates' ``_()`` gives it: taken as HTML (they
    autoescape) and as a %-format (newstyle gettext), so that a line reads exactly as the
    template drew it."""
    return Markup(translated) % {}  # noqa: S704 - our own message catalogue


def _state(state: str | None) -> Markup | str:
    """A state's label as the history prints it; nothing for none, or for a state this version
    does not know (a row from a later one)."""
    label = STATE_LABELS.get(state or "")
    return _html(_(label)) if label else ""


_STEP_ACTIONS = {
    "added": lazy("la til steget «{title}»"),
    "done": lazy("merket steget «{title}» som gjort"),
    "undone": lazy("merket steget «{title}» som ikke gjort"),
    "removed": lazy("fjernet steget «{title}»"),
}


def _what(e: record.Event) -> Markup | str:
    """What an event did, in words."""
    kind = e.kind
    if kind == "transition":
        return Markup("{} → {}").format(_state(e.from_state), _state(e.to_state))
    if kind == "filed":
        return _html(_("meldt inn"))
    if kind == "triage":
        return _html(_("vurdert og tildelt"))
    if kind == "rating":
        return _html(_("vurderte hjelpen"))
    if kind == "follow_up":
        if e.detail.get("on"):
            return _html(_("satte dato for oppfølging"))
        return _html(_("fjernet dato for oppfølging"))
    if kind == "step":
        action = _STEP_ACTIONS.get(e.detail.get("action", ""))
        return _html(_(action)).format(title=e.detail.get("title", "")) if action else ""
    if kind == "link":
        return _html(_("lenket til HK-{n}")).format(n=e.detail.get("other"))
    if kind == "unlink":
        return _html(_("fjernet en lenke"))
    if kind == "visit":
        return _html(_("planla besøk"))
    if kind == "taken":
        return _html(_("tok saken"))
    return ""


def history(events: list[record.Event]) -> list[HistoryLine]:
    """The request's history, newest first, as its lines read."""
    system = _html(_("systemet"))
    return [
        HistoryLine(
            e.at.isoformat(),
            clock.local(e.at).strftime("%d.%m.%Y %H:%M"),  # the |localtime filter's form
            e.actor.name if e.actor else system,
            _what(e),
        )
        for e in reversed(events)
    ]


@dataclass(slots=True)
class PlanStep:
    """A step of the plan as the page shows it, its words made here once."""

    id: int
    title: str
    done: bool
    due: Markup | None  # "innen 12.01.2027"
    overdue: bool
    toggle_label: Markup | None  # the buttons' names, for those who may change the plan
    remove_label: Markup | None


def plan_steps(steps: list[record.Step], *, editable: bool, today: date) -> list[PlanStep]:
    """The plan's steps as the page shows them; ``editable``: with the names of the buttons
    that mark a step done (or not) and remove it."""
    due_by = _html(_("innen {date}"))
    done_label, undone_label = (
        _html(_("Merk «{title}» som ikke gjort")),
        _html(_("Merk «{title}» som gjort")),
    )
    remove = _html(_("Fjern steget «{title}»"))
    out = []
    for st in steps:
        done = st.done
        out.append(
            PlanStep(
                st.id,
                st.title,
                done,
                due_by.format(date=st.due_on.strftime("%d.%m.%Y")) if st.due_on else None,
                bool(st.due_on and not done and st.due_on < today),
                (done_label if done else undone_label).format(title=st.title) if editable else None,
                remove.format(title=st.title) if editable else None,
            )
        )
    return out


@dataclass(slots=True)
class VisitLine:
    """A visit as the request's page shows it: its times as people read them, its helpers by
    name, the visits it clashes with (request number, text), and whether the person looking may
    write its report."""

    id: int
    starts_at: str  # ISO 8601, for <time datetime>
    when: str
    until: str
    place: str
    helper_names: str
    report: str
    may_report: bool
    clashes: list[tuple[int, str]]


def visit_lines(
    visits: list[record.PlannedVisit],
    clashes: dict[int, list[Clash]],
    *,
    user_id: int | None,
    works_here: bool,
) -> list[VisitLine]:
    """The request's visits as its page shows them."""
    out = []
    for v in visits:
        starts = clock.local(v.starts_at)
        out.append(
            VisitLine(
                v.id,
                v.starts_at.isoformat(),
                starts.strftime("%d.%m.%Y %H:%M"),
                clock.local(v.ends_at).strftime("%H:%M"),
                v.place,
                ", ".join(h.user.name for h in v.helpers),
                v.report,
                works_here or any(h.user_id == user_id for h in v.helpers),
                [(c.visit.request.number, c.text()) for c in clashes.get(v.id, ())],
            )
        )
    return out


# The section a form without JavaScript comes back to (its anchor), by the part it updates.
ANCHORS = {"meldinger": "samtale", "svar": "samtale", "sak": "", "ta": ""}


def render_request(
    request: Request,
    session: Session,
    ctx: Context,
    number: int,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    *,
    parts: tuple[str, ...] = (),
    notice: str | None = None,
    clash_lines: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    """The page of one request, as the person looking may see and work it — or, with
    ``parts`` and for an HTMX request, only those parts, to be swapped in place (with
    ``notice``, what the action did, in the first of them)."""
    p = ctx.principal
    req = get_request(session, ctx.workspace, p, number)
    works = p.can("helpdesk.work")
    # The history, conversation, plan, time and links in one statement, as plain rows.
    rec = record.record_of(session, ctx.workspace, p, req, with_time=works)
    d = Shown(req, rec.messages, rec.events, allowed_moves(p, req))
    extra: dict[str, Any] = {}
    # who may be assigned, as rows of user_id and name (the visit form and the suggestions)
    helpers = helper_choices(session, ctx.workspace) if works else []
    if p.can("helpdesk.triage") and req.state not in ("resolved", "closed"):
        # Only the triage form shows them, and it is not there once the request is resolved.
        extra["suggestions"] = suggest_helpers(
            session, ctx.workspace, req, helpers if works else None
        )
        extra["category_options"] = [(c, _html(_(CATEGORY_LABELS[c]))) for c in CATEGORIES]
        extra["priority_options"] = [(u, _html(_(PRIORITY_LABELS[u]))) for u in URGENCIES]
    if works:
        extra["time"] = rec.time
    files_by_message: dict[int | None, list[Any]] = {}
    notes = p.can("helpdesk.note")
    for a in attachments.of_request(session, ctx.workspace, req.id, internal=notes):
        files_by_message.setdefault(a.message_id, []).append(a)
    planned, clashes = record.visits_and_clashes(session, ctx.workspace, req.id, with_clashes=works)
    update = parts if parts and is_htmx(request) else ()
    works_here = can_work(p, req)
    today = clock.today()
    return render(
        request,
        "helpdesk/_request_parts.html" if update else "helpdesk/request.html",
        {
            "labels": LABELS,
            "d": d,
            "req": d.request,
            "here": f"/{ctx.workspace.slug}/hjelp/{d.request.number}",
            "due": service_levels(session, ctx.workspace, [req], d.events)[req.id],
            "principal": p,
            "errors": errors or {},
            "values": values or {},
            "assigned_ids": [a.user_id for a in d.request.assignees],
            "works_here": works_here,
            "may_take": works and not d.request.assignees and d.request.state in OPEN_STATES,
            # Triage and assignment move a request to "triaged" and "assigned": the status
            # control offers the other moves, so that each state has one place to be set.
            "moves": [s for s in d.allowed if s not in ("triaged", "assigned")],
            "visits": visit_lines(planned, clashes, user_id=p.user_id, works_here=works_here),
            "clash_lines": clash_lines or [],
            "helpers": helpers,
            "steps": plan_steps(
                rec.steps, editable=works_here and req.state != "closed", today=today
            ),
            "steps_done": sum(1 for st in rec.steps if st.done),
            # Only those who work requests see the history.
            "history": history(d.events) if works else [],
            "links": rec.links,
            "files": files_by_message,
            "accept": attachments.ACCEPT,
            "limit_text": attachments.limit_text(),
            "today": today.isoformat(),
            "update_parts": update,
            "notice": notice,
            "notice_part": update[0] if update else None,
            **extra,
        },
        status_code=status_code,
    )


@dataclass
class RequestPageForm:
    """A form posted on a request's page, with what it takes to act on it and to come back."""

    request: Request
    session: Session
    given: Context | Pending  # Pending: found in the route's trip (app.accounts.one_trip)
    number: int
    data: dict[str, Any]
    clash_lines: list[str] = field(default_factory=list)

    @property
    def ctx(self) -> Context:
        if isinstance(self.given, Pending):
            return self.request.state.ctx  # type: ignore[no-any-return]  # page_context's
        return self.given

    def submit(
        self,
        service: Callable[..., Any],
        *args: Any,
        schema: type[BaseModel] | None = None,
        flash: str | Callable[[Any], str],
        keep_values: bool = True,
        parts: tuple[str, ...] | Callable[[Any], tuple[str, ...]],
    ) -> Response:
        """The form through :func:`app.forms.submit`, coming back to the request's page.

        Calls ``service(session, workspace, principal, number, *args)``, the way every service
        on a request begins, with the parsed form last when there is a ``schema``.
        ``keep_values=False`` for a form whose values the page does not show again.

        ``parts`` are the parts of the page the action changes, the form's own first (or a
        function of the service's result that names them). Without JavaScript the answer is a
        redirect to the first part's anchor; to HTMX, those parts, swapped in place, with the
        flash in the first; a refused form comes back as the first part with its messages."""
        ctx = self.ctx
        leading = (self.session, ctx.workspace, ctx.principal, self.number, *args)
        done: list[Any] = []

        def act(form: BaseModel | None) -> Any:
            result = service(*leading, form) if schema else service(*leading)
            done.append(result)
            return result

        first = (parts if isinstance(parts, tuple) else parts(None))[0]
        anchor = ANCHORS.get(first, first)
        page = f"/{ctx.workspace.slug}/hjelp/{self.number}"
        response = submit(
            self.request,
            self.session,
            self.data,
            act,
            schema=schema,
            done=f"{page}#{anchor}" if anchor else page,
            flash=flash,
            again=lambda errors: render_request(
                self.request,
                self.session,
                ctx,
                self.number,
                errors,
                self.data if keep_values else None,
                parts=(first,),
                clash_lines=self.clash_lines,
            ),
        )
        if not is_htmx(self.request):
            return response
        if response.status_code == 413:
            # A file too large comes back as the form with its message; htmx swaps a 422 only.
            response.status_code = 422
        if not done or response.status_code >= 300:
            return response
        result = done[0]
        return render_request(
            self.request,
            self.session,
            ctx,
            self.number,
            parts=parts if isinstance(parts, tuple) else parts(result),
            notice=flash(result) if callable(flash) else flash,
        )


@defers
async def _posted_on_request(
    request: Request,
    number: int,
    session: DbSession,
    data: MultiFormData,
    ctx: Annotated[Context, Depends(require("helpdesk.read"))],
) -> RequestPageForm:
    # async: no database here, no trip of its own; the context may still be to be found
    # (app.accounts.one_trip), and the form reads it when the route runs.
    return RequestPageForm(request, session, ctx, number, data)


OnRequestPage = Annotated[RequestPageForm, Depends(_posted_on_request)]
"""A form posted on ``/{workspace}/hjelp/{number}/…`` by someone who may read the request."""
