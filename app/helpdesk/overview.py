"""What the hjelpekorps adds to the county overview (figures) and to each person's start page
(what waits for them)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Integer, String, bindparam, case, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from app import clock
from app.accounts.deps import Context
from app.clock import local_date
from app.helpdesk import figures
from app.helpdesk.due import is_overdue
from app.helpdesk.labels import STATE_LABELS
from app.helpdesk.models import HelpRequest, Visit
from app.helpdesk.queue import (
    QueueFilter,
    clock_params,
    only_municipality,
    queue_query,
    stand_in_principal,
)
from app.helpdesk.visits import service as visits_service
from app.i18n import _
from app.registry import Contribution, Figure, FigureQuery, NeedsYou
from app.tenancy import scoped_in, workspace_param
from app.web import decimal


def contribution(session: Session, ctx: Context) -> FigureQuery | None:
    """Open, unassigned and overdue requests now, and those open more than four weeks; time to
    first response and the municipalities' rating over the last 12 months (kept for a while,
    see ``app.helpdesk.figures``; read in the same row when none are kept)."""
    if not ctx.can("helpdesk.see_all"):
        return None
    ws = ctx.workspace
    kept = figures.kept_year(session, ws)

    def done(row: Sequence[Any]) -> Contribution:
        year = kept or figures.keep_year(session, ws, row[4], row[5])
        return Contribution(figures=_figures(row[0], row[1], row[2], row[3], year))

    return FigureQuery(figures.overview_query(ws, year=kept is None), done)


def _figures(
    open_: int, unassigned: int, overdue: int, old: int, year: figures.Year
) -> list[Figure]:
    out = [
        Figure(str(open_), _("åpne forespørsler til hjelpekorpset"), "/hjelp?visning=alle"),
        Figure(str(unassigned), _("ikke tildelt"), "/hjelp?visning=ufordelt"),
        Figure(str(overdue), _("forsinket"), "/hjelp?visning=forsinket", alert=bool(overdue)),
    ]
    # The twelve-month figures are kept for a while (app.helpdesk.figures): say how fresh.
    updated = figures.freshness(year)
    first = figures.duration(year.median_first_response_minutes)
    if first is not None:
        label = _("til første svar (median, siste 12 måneder)")
        out.append(Figure(first, f"{label}, {updated}" if updated else label, "/hjelp/tall"))
    out.append(Figure(str(old), _("åpne i mer enn 4 uker"), "/hjelp/tall#by-age"))
    if year.average_rating is not None:
        out.append(
            Figure(decimal(year.average_rating), _("av 5 i snitt fra kommunene"), "/hjelp/tall")
        )
    return out


# --- the person's start page ---------------------------------------------------------------

SHOWN = 6  # of each kind, in each workspace; a link to the queue says there is more


@dataclass(frozen=True)
class _Part:
    """One list of the start page in one workspace: which requests, in which order (in SQL,
    :data:`_ORDERS` by the name of ``key``, and the same in Python, ``key``, to put the rows of
    one query back in order)."""

    ctx: Context
    f: QueueFilter
    key: Callable[[HelpRequest], Any]


def _by_id(req: HelpRequest) -> Any:
    return req.id


def _by_resolution_due(req: HelpRequest) -> Any:
    due = req.resolution_due_at
    return (due is None, due.timestamp() if due else 0.0, req.id)


def _waiting_first(req: HelpRequest) -> Any:
    return (req.state != "waiting_for_municipality", -req.id)


@dataclass(frozen=True)
class _Visit:
    place: str
    starts_at: datetime
    request_number: int
    request_title: str


def _read(
    session: Session, parts: list[_Part], visitors: list[Context]
) -> tuple[list[list[HelpRequest]], dict[int, list[_Visit]]]:
    """The first ``SHOWN + 1`` requests of each part, and the first ``SHOWN`` visits this week
    of the person in each workspace of ``visitors``, in one query whatever the number of parts
    and of workspaces: a UNION ALL of each part's ids (a request, and for a visit its id too),
    joined to the requests and the visits. The statement is made once per process for each
    shape of the page (:func:`_read_query`); this request's values are its parameters."""
    if not parts and not visitors:
        return [], {}
    today = clock.today()
    values: dict[str, Any] = {
        "now": clock.utcnow(),
        "today": today,
        "start": clock.at(today),
        "end": clock.at(today + timedelta(days=7 - today.weekday())),
        "workspaces": sorted(
            {part.ctx.workspace.id for part in parts} | {c.workspace.id for c in visitors}
        ),
    }
    shape = []
    for k, part in enumerate(parts):
        p = part.ctx.principal
        municipality = only_municipality(p)
        values[f"ws{k}"], values[f"user{k}"] = part.ctx.workspace.id, p.user_id
        if municipality is not None:
            values[f"municipality{k}"] = municipality
        shape.append((astuple(part.f), part.key.__name__, municipality is not None))
    for j, c in enumerate(visitors):
        values[f"visitor_ws{j}"], values[f"visitor{j}"] = c.workspace.id, c.user.id
    query = _read_query(tuple(shape), len(visitors))
    rows = session.execute(query, values).all()
    found: list[list[HelpRequest]] = [[] for _part in parts]
    seen: list[tuple[Any, ...]] = []
    for req, k, visit_id, starts_at, place in rows:
        if k < len(parts):
            found[k].append(req)
        else:
            seen.append((starts_at, visit_id, req.workspace_id, place, req))
    visits: dict[int, list[_Visit]] = {}
    for starts_at, _visit_id, workspace_id, place, req in sorted(seen, key=lambda v: v[:2]):
        visits.setdefault(workspace_id, []).append(_Visit(place, starts_at, req.number, req.title))
    lists = [sorted(rs, key=part.key) for rs, part in zip(found, parts, strict=True)]
    return lists, visits


_ORDERS = {
    "_waiting_first": (
        case((HelpRequest.state == "waiting_for_municipality", 0), else_=1),
        HelpRequest.id.desc(),
    ),
    "_by_resolution_due": (
        HelpRequest.resolution_due_at.is_(None),
        HelpRequest.resolution_due_at,
        HelpRequest.id,
    ),
    "_by_id": (HelpRequest.id,),
}


@functools.lru_cache(maxsize=256)
def _read_query(shape: tuple[tuple[tuple[Any, ...], str, bool], ...], visitors: int) -> Any:
    """The statement of :func:`_read` for parts of ``shape`` (each part's filter as a tuple, its
    order and whether it is one municipality's) and ``visitors`` workspaces with visits, with
    every other value a bind parameter: ``ws{k}``, ``user{k}``, ``municipality{k}`` of part ``k``;
    ``visitor_ws{j}``, ``visitor{j}`` of visitor ``j``; ``now``, ``today``, ``start``,
    ``end`` and ``workspaces`` (expanding). Making it anew cost more than running it."""
    now, today = clock_params()
    no_visit = cast(null(), Integer).label("visit_id")
    parts = []
    for k, (fields, order, one_municipality) in enumerate(shape):
        ws: Any = SimpleNamespace(id=workspace_param(f"ws{k}"))
        # The principal's values the statement depends on, as parameters: the user (the
        # requests assigned to them) and, for one who sees one municipality's, that one.
        user: Any = bindparam(f"user{k}", type_=Integer())
        municipality: Any = bindparam(f"municipality{k}", type_=String())
        stand_in = stand_in_principal(user, municipality, one_municipality)
        f = QueueFilter(*fields)
        ids = (
            queue_query(ws, stand_in, f, now=now, today=today)
            .with_only_columns(HelpRequest.id)
            .order_by(*_ORDERS[order])
            .limit(SHOWN + 1)
            .subquery()
        )
        parts.append(select(ids.c.id, literal(k).label("part"), no_visit))
    start: Any = bindparam("start", type_=Visit.starts_at.type)
    end: Any = bindparam("end", type_=Visit.starts_at.type)
    for j in range(visitors):
        ws = SimpleNamespace(id=workspace_param(f"visitor_ws{j}"))
        visitor: Any = bindparam(f"visitor{j}", type_=Integer())
        ids = (
            visits_service.visits_between_query(ws, visitor, start, end, limit=SHOWN)
            .with_only_columns(Visit.request_id, Visit.id)
            .subquery()
        )
        parts.append(select(ids.c.request_id, literal(len(shape)).label("part"), ids.c.id))
    chosen = union_all(*parts).subquery()
    return (
        scoped_in(HelpRequest, bindparam("workspaces", expanding=True))
        .join(chosen, chosen.c.id == HelpRequest.id)
        .outerjoin(Visit, Visit.id == chosen.c.visit_id)
        .add_columns(chosen.c.part, Visit.id, Visit.starts_at, Visit.place)
    )


def _label(req: HelpRequest) -> str:
    return _("Nr. {number} · {state}").format(
        number=req.number, state=_(STATE_LABELS.get(req.state, req.state))
    )


def _more(items: list[NeedsYou], rows: list[HelpRequest], path: str, group: str) -> None:
    if len(rows) > SHOWN:
        items.append(NeedsYou(title=_("Se alle i køen"), path=path, group=group))


def _parts(ctx: Context) -> list[_Part]:
    """The lists of one workspace: a municipal user's open requests of their municipality,
    those waiting for an answer from them first; the requests assigned to those who work them
    (overdue first); and for those who triage, the requests nobody has taken yet and the
    overdue."""
    p = ctx.principal
    if not p.can("helpdesk.read"):
        return []
    parts: list[_Part] = []
    if not p.can("helpdesk.see_all") and p.municipality_number is not None:
        parts.append(_Part(ctx, QueueFilter(open_only=True), _waiting_first))
    if p.can("helpdesk.work"):
        parts.append(_Part(ctx, QueueFilter(view="mine", open_only=True), _by_resolution_due))
    if p.can("helpdesk.triage"):
        parts.append(_Part(ctx, QueueFilter(view="unassigned"), _by_id))
        parts.append(_Part(ctx, QueueFilter(view="overdue"), _by_id))
    return parts


def _items(
    ctx: Context, lists: Iterator[list[HelpRequest]], visits: list[_Visit]
) -> list[NeedsYou]:
    """One workspace's items, from its lists (in the order :func:`_parts` made them)."""
    p = ctx.principal
    items: list[NeedsYou] = []
    if not p.can("helpdesk.read"):
        return items
    now = clock.utcnow()
    if not p.can("helpdesk.see_all") and p.municipality_number is not None:
        group = _("Forespørsler til hjelpekorpset")
        rows = next(lists)
        for req in rows[:SHOWN]:
            asks = req.state == "waiting_for_municipality"
            items.append(
                NeedsYou(
                    title=req.title,
                    path=f"/hjelp/{req.number}",
                    detail=_label(req),
                    group=group,
                    urgent=asks,
                    action=_("Svar hjelpekorpset") if asks else "",
                )
            )
        _more(items, rows, "/hjelp", group)
    if p.can("helpdesk.work"):
        group = _("Tildelt deg")
        rows = next(lists)
        for req in rows[:SHOWN]:
            late = is_overdue(req, now)
            items.append(
                NeedsYou(
                    title=req.title,
                    path=f"/hjelp/{req.number}",
                    detail=_label(req) + (" · " + _("forsinket") if late else ""),
                    due=local_date(req.resolution_due_at) if req.resolution_due_at else None,
                    group=group,
                    urgent=late,
                )
            )
        _more(items, rows, "/hjelp?visning=mine", group)
        items += [_visit_item(v) for v in visits]
    if p.can("helpdesk.triage"):
        group = _("Til vurdering")
        rows = next(lists)
        for req in rows[:SHOWN]:
            items.append(
                NeedsYou(
                    title=req.title,
                    path=f"/hjelp/{req.number}",
                    detail=_label(req),
                    group=group,
                    urgent=is_overdue(req, now),
                    action=_("Vurder og tildel"),
                )
            )
        _more(items, rows, "/hjelp?visning=ufordelt", group)
        group = _("Forsinket")
        rows = next(lists)
        for req in rows[:SHOWN]:
            items.append(
                NeedsYou(
                    title=req.title,
                    path=f"/hjelp/{req.number}",
                    detail=_label(req),
                    group=group,
                    urgent=True,
                )
            )
        _more(items, rows, "/hjelp?visning=forsinket", group)
    return items


def _visit_item(v: _Visit) -> NeedsYou:
    return NeedsYou(
        title=_("Besøk: {place}").format(place=v.place),
        path=f"/hjelp/{v.request_number}",
        detail=_("{day} kl. {time} · {request}").format(
            day=clock.local(v.starts_at).strftime("%d.%m."),
            time=clock.local(v.starts_at).strftime("%H.%M"),
            request=v.request_title,
        ),
        group=_("Besøk denne uka"),
    )


def for_you(session: Session, ctxs: Sequence[Context]) -> dict[int, list[NeedsYou]]:
    """What waits for the person in each of their workspaces (see :func:`_parts`) and their
    visits this week where they work requests: one query whatever the number of workspaces,
    none when no role there needs one."""
    parts = [part for c in ctxs for part in _parts(c)]
    visitors = [c for c in ctxs if c.can("helpdesk.read") and c.can("helpdesk.work")]
    lists, visits = _read(session, parts, visitors)
    rest = iter(lists)
    return {c.workspace.id: _items(c, rest, visits.get(c.workspace.id, [])) for c in ctxs}
