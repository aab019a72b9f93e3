"""What the meetings add to the start pages: on the county's, how many meetings are coming;
on the person's own ("Til deg"), the decisions they are responsible for following up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from app.accounts.deps import Context
from app.i18n import _
from app.meetings import agenda, service
from app.registry import Contribution, Figure, FigureQuery, NeedsYou


def for_you(session: Session, ctxs: Sequence[Context]) -> dict[int, list[NeedsYou]]:
    """The person's open decisions in each of their workspaces, the overdue marked urgent, the
    soonest due first: one query for all of them."""
    found = agenda.my_open_decisions_in(
        session, [(c.workspace, c.principal) for c in ctxs if c.can("meetings.read")]
    )
    group = str(_("Vedtak å følge opp"))
    return {
        workspace_id: [
            NeedsYou(
                title=r.decision.text[:120],
                path=f"/moter/{r.meeting_id}#vedtak-{r.decision.id}",
                detail=r.meeting_title + (" · " + str(_("forfalt")) if r.overdue else ""),
                due=r.decision.due_on,
                group=group,
                action=str(_("Følg opp vedtaket")),
                urgent=r.overdue,
            )
            for r in rows
        ]
        for workspace_id, rows in found.items()
    }


def contribution(session: Session, ctx: Context) -> Contribution | FigureQuery | None:
    if not ctx.can("meetings.read"):
        return None
    # The person's decisions to follow up are on their own start page (for_you), not here.
    if not ctx.can("meetings.see_all"):
        count = service.upcoming_count(session, ctx.workspace, ctx.principal)
        return Contribution(figures=[Figure(count, _("kommende møter"), "/moter")])
    return FigureQuery(service.upcoming_count_query(ctx.workspace), _figures)


def _figures(row: Sequence[Any]) -> Contribution:
    found, cap = row[0] or 0, service.UPCOMING_CAP
    count = f"{cap}+" if found > cap else str(found)
    return Contribution(figures=[Figure(count, _("kommende møter"), "/moter")])
