"""What strategies add to the workspace start page."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.deps import Context
from app.i18n import _
from app.registry import Contribution, Figure
from app.strategies import measures
from app.strategies.consultation import rounds as consultation_rounds


def contribution(session: Session, ctx: Context) -> Contribution | None:
    """Open consultation rounds; measures under way and overdue in the action plans."""
    if not ctx.can("strategies.read_drafts"):
        return None
    rounds = consultation_rounds.open_rounds(session, ctx.workspace)
    figures = [Figure(str(rounds), _("åpne høringer"), "/strategier#rounds-h")]
    plan = measures.figures(session, ctx.workspace)
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
