"""What the hjelpekorps adds to the county overview (figures) and to each person's start page
(what waits for them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import case, literal, select, union_all
from sqlalchemy.orm import Session

from app import clock
from app.accounts.deps import Context
from app.clock import local_date
from app.helpdesk import figures
from app.helpdesk.due import is_overdue
from app.helpdesk.labels import STATE_LABELS
from app.helpdesk.models import HelpRequest
from app.helpdesk.queue import QueueFilter, queue_query
from app.helpdesk.visits import service as visits_service
from app.i18n import _
from app.registry import Contribution, Figure, FigureQuery, NeedsYou
from app.tenancy import scoped
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

SHOWN = 6  # of each kind; a link to the queue says there is more


@dataclass(frozen=True)
class _Part:
    """One list of the start page: which requests, in which order (in SQL, and the same in
    Python to put the rows of one query back in order)."""

    f: QueueFilter
    order: tuple[Any, ...]
    key: Callable[[HelpRequest], Any]


def _by_id(req: HelpRequest) -> Any:
    return req.id


def _by_resolution_due(req: HelpRequest) -> Any:
    due = req.resolution_due_at
    return (due is None, due.timestamp() if due else 0.0, req.id)


def _waiting_first(req: HelpRequest) -> Any:
    return (req.state != "waiting_for_municipality", -req.id)


def _requests(session: Session, ctx: Context, parts: list[_Part]) -> list[list[HelpRequest]]:
    """The first ``SHOWN + 1`` requests of each part, in one query whatever the number of parts
    (a UNION ALL of each part's ids, joined to the requests)."""
    if not parts:
        return []
    chosen = union_all(
        *(
            select(ids.c.id, literal(k).label("part"))
            for k, part in enumerate(parts)
            for ids in [
                queue_query(ctx.workspace, ctx.principal, part.f)
                .with_only_columns(HelpRequest.id)
                .order_by(*part.order)
                .limit(SHOWN + 1)
                .subquery()
            ]
        )
    ).subquery()
    rows = session.execute(
        scoped(HelpRequest, ctx.workspace.id)
        .join(chosen, chosen.c.id == HelpRequest.id)
        .add_columns(chosen.c.part)
    ).all()
    out: list[list[HelpRequest]] = [[] for _part in parts]
    for req, k in rows:
        out[k].append(req)
    return [sorted(found, key=part.key) for found, part in zip(out, parts, strict=True)]


def _label(req: HelpRequest) -> str:
    return _("Nr. {number} · {state}").format(
        number=req.number, state=_(STATE_LABELS.get(req.state, req.state))
    )


def _more(items: list[NeedsYou], rows: list[HelpRequest], path: str, group: str) -> None:
    if len(rows) > SHOWN:
        items.append(NeedsYou(title=_("Se alle i køen"), path=path, group=group))


def for_you(session: Session, ctx: Context) -> list[NeedsYou]:
    """A municipal user: their municipality's open requests, those waiting for an answer from
    them first. Those who work requests: the ones assigned to them (overdue first) and their
    visits this week. Those who triage: the requests nobody has taken yet, and the overdue."""
    p = ctx.principal
    items: list[NeedsYou] = []
    if not p.can("helpdesk.read"):
        return items
    now = clock.utcnow()
    if not p.can("helpdesk.see_all") and p.municipality_number is not None:
        group = _("Forespørsler til hjelpekorpset")
        waiting = HelpRequest.state == "waiting_for_municipality"
        (rows,) = _requests(
            session,
            ctx,
            [
                _Part(
                    QueueFilter(open_only=True),
                    (case((waiting, 0), else_=1), HelpRequest.id.desc()),
                    _waiting_first,
                )
            ],
        )
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
    # The lists of those who work and triage requests, in one query.
    parts: list[_Part] = []
    if p.can("helpdesk.work"):
        parts.append(
            _Part(
                QueueFilter(view="mine", open_only=True),
                (
                    HelpRequest.resolution_due_at.is_(None),
                    HelpRequest.resolution_due_at,
                    HelpRequest.id,
                ),
                _by_resolution_due,
            )
        )
    if p.can("helpdesk.triage"):
        parts.append(_Part(QueueFilter(view="unassigned"), (HelpRequest.id,), _by_id))
        parts.append(_Part(QueueFilter(view="overdue"), (HelpRequest.id,), _by_id))
    lists = iter(_requests(session, ctx, parts))
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
        items += _visits_this_week(session, ctx)
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


def _visits_this_week(session: Session, ctx: Context) -> list[NeedsYou]:
    """The person's visits from today to the end of the week (Sunday), soonest first."""
    today = clock.today()
    end = clock.at(today + timedelta(days=7 - today.weekday()))
    visits = visits_service.visits_between(
        session, ctx.workspace, ctx.user.id, clock.at(today), end, limit=SHOWN
    )
    return [
        NeedsYou(
            title=_("Besøk: {place}").format(place=v.place),
            path=f"/hjelp/{v.request.number}",
            detail=_("{day} kl. {time} · {request}").format(
                day=clock.local(v.starts_at).strftime("%d.%m."),
                time=clock.local(v.starts_at).strftime("%H.%M"),
                request=v.request.title,
            ),
            group=_("Besøk denne uka"),
        )
        for v in visits
    ]
