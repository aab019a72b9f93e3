"""What councils and networks add to the workspace start page."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.deps import Context
from app.i18n import _
from app.networks import coverage
from app.registry import Contribution, Figure


def contribution(session: Session, ctx: Context) -> Contribution | None:
    """How many councils and networks, and which municipalities are in none."""
    if not ctx.can("networks.read"):
        return None
    f = coverage.overview_figures(session, ctx.workspace)
    return Contribution(
        figures=[
            Figure(str(f.councils), _("regionråd")),
            Figure(str(f.networks), _("nettverk")),
            Figure(str(len(f.no_council)), _("kommuner uten regionråd"), "/dekning"),
            Figure(
                str(len(f.no_digital_network)),
                _("kommuner uten digitaliserings\u00adnettverk"),
                "/dekning",
            ),
        ]
    )
