"""What the hjelpekorps adds to the workspace start page."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.deps import Context
from app.helpdesk import service
from app.helpdesk.figures import duration
from app.i18n import _
from app.registry import Contribution, Figure
from app.web import decimal


def contribution(session: Session, ctx: Context) -> Contribution | None:
    """Open, unassigned and overdue requests now; time to first response, requests open more
    than four weeks and the municipalities' rating over the last 12 months."""
    if not ctx.can("helpdesk.see_all"):
        return None
    now = service.overview_figures(session, ctx.workspace)
    year = service.key_figures(session, ctx.workspace)
    figures = [
        Figure(str(now.open), _("åpne forespørsler til hjelpekorpset"), "/hjelp?visning=alle"),
        Figure(str(now.unassigned), _("ikke tildelt"), "/hjelp?visning=ufordelt"),
        Figure(
            str(now.overdue), _("forsinket"), "/hjelp?visning=forsinket", alert=bool(now.overdue)
        ),
    ]
    first = duration(year.median_first_response_minutes)
    if first is not None:
        figures.append(
            Figure(first, _("til første svar (median, siste 12 måneder)"), "/hjelp/tall")
        )
    figures.append(
        Figure(str(year.open_over_four_weeks), _("åpne i mer enn 4 uker"), "/hjelp/tall#by-age")
    )
    if year.average_rating is not None:
        figures.append(
            Figure(decimal(year.average_rating), _("av 5 i snitt fra kommunene"), "/hjelp/tall")
        )
    return Contribution(figures=figures)
