"""What strategies add to the county overview (figures) and to each person's start page (rounds
to take part in or to answer, measures behind plan)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.deps import Context
from app.clock import local_date, today
from app.i18n import _
from app.registry import Contribution, Figure, FigureQuery, NeedsYou
from app.strategies import measures
from app.strategies.consultation import access, responses
from app.strategies.consultation import rounds as consultation_rounds
from app.strategies.models import Invitee


def contribution(session: Session, ctx: Context) -> FigureQuery | None:
    """Open consultation rounds; measures under way and overdue in the action plans (one row,
    read with the other modules' figures)."""
    if not ctx.can("strategies.read_drafts"):
        return None
    ws = ctx.workspace
    rounds = consultation_rounds.open_rounds_query(ws).scalar_subquery()
    plan = measures.figures_query(ws).subquery("plan")
    return FigureQuery(select(rounds.label("open_rounds"), *plan.c), _figures)


def _figures(row: Sequence[Any]) -> Contribution:
    figures = [Figure(str(row[0] or 0), _("åpne høringer"), "/strategier#rounds-h")]
    plan = measures.figures_of(row[1:])
    if plan.total:
        figures += [
            Figure(
                str(plan.by_status["under_way"]),
                _("tiltak pågår, av {total} i handlingsplanene").format(total=plan.total),
                "/strategier",
            ),
            Figure(
                str(plan.overdue), _("forsinkede tiltak"), "/strategier", alert=bool(plan.overdue)
            ),
        ]
    return Contribution(figures=figures)


# --- the person's start page ---------------------------------------------------------------

SHOWN = 6
SOON_DAYS = 14  # a round "closing soon" for the coordinators
URGENT_DAYS = 7  # a formal response not sent this close to its deadline is marked


def for_you(session: Session, ctx: Context) -> list[NeedsYou]:
    """A municipal or partner user: the open rounds their municipality or organisation is
    invited to, with their deadline and the state of their formal response. Those who run
    consultations: rounds closing within two weeks, or closed and waiting for answers. Those
    who edit the plans: measures behind plan."""
    p = ctx.principal
    items: list[NeedsYou] = []
    if p.can("strategies.respond"):
        items += _invited(session, ctx)
    if p.can("strategies.consult"):
        on = today()
        for r in consultation_rounds.rounds_to_follow(
            session, ctx.workspace, soon=SOON_DAYS, limit=SHOWN
        ):
            ended = consultation_rounds.state_of(r, on) == "closed"
            items.append(
                NeedsYou(
                    title=r.title,
                    path=f"/hoeringer/{r.id}",
                    detail=(
                        _("Avsluttet {date}: innspillene venter på svar").format(
                            date=consultation_rounds.ended_on(r).strftime("%d.%m.%Y")
                        )
                        if ended
                        else _("Avsluttes snart")
                    ),
                    due=None if ended else r.ends_on,
                    group=_("Høringer"),
                    action=_("Svar på innspillene") if ended else "",
                )
            )
    if p.can("strategies.edit"):
        for m in measures.overdue(session, ctx.workspace, limit=SHOWN):
            items.append(
                NeedsYou(
                    title=m.title,
                    path=f"/strategier/{m.document_id}/tiltak",
                    detail=_("{status} · ansvarlig: {owner}").format(
                        status=_(measures.STATUS_LABELS[m.status]), owner=m.owner
                    ),
                    due=m.deadline,
                    group=_("Tiltak bak planen"),
                    urgent=True,
                )
            )
    return items


def _invited(session: Session, ctx: Context) -> list[NeedsYou]:
    ws, p, on = ctx.workspace, ctx.principal, today()
    rounds = {r.id: r for r in consultation_rounds.open_to_take_part(session, ws, limit=50)}
    if not rounds:
        return []
    mine = [
        inv
        for inv in access.my_invitees(session, ws, p, sorted(rounds))
        if consultation_rounds.deadline_of(inv, rounds[inv.round_id]) >= on
    ]
    sent_or_draft = {
        resp.invitee_id: resp
        for resp in responses.responses_for(session, ws, [inv.id for inv in mine])
    }
    # One line per round: the invitee with the most left to do (not started, draft, sent).
    best: dict[int, tuple[int, Invitee]] = {}
    for inv in mine:
        resp = sent_or_draft.get(inv.id)
        rank = 0 if resp is None else 1 if resp.submitted_at is None else 2
        if inv.round_id not in best or rank < best[inv.round_id][0]:
            best[inv.round_id] = (rank, inv)
    items = []
    for round_id, (rank, inv) in best.items():
        r = rounds[round_id]
        deadline = consultation_rounds.deadline_of(inv, r)
        resp = sent_or_draft.get(inv.id)
        if rank == 2 and resp is not None and resp.submitted_at is not None:
            detail = _("Høringssvaret er sendt {date}").format(
                date=local_date(resp.submitted_at).strftime("%d.%m.%Y")
            )
        elif rank == 1:
            detail = _("Høringssvaret er et utkast")
        else:
            detail = _("Høringssvaret er ikke påbegynt")
        items.append(
            NeedsYou(
                title=r.title,
                path=f"/hoeringer/{r.id}",
                detail=detail,
                due=deadline,
                group=_("Høringer"),
                urgent=rank < 2 and deadline <= on + timedelta(days=URGENT_DAYS),
                action=(
                    _("Skriv høringssvar")
                    if rank == 0
                    else _("Fortsett på utkastet")
                    if rank == 1
                    else ""
                ),
            )
        )
    return items[:SHOWN]
