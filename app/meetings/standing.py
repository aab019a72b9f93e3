"""Standing items: what a body puts on every meeting's agenda once, filled from Samspill when
a meeting is shown — calls with deadlines in the next two months in the body's areas, shared
innovations not yet in use among its members, open help requests from its members. Flushes,
never commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.accounts.principal import Principal
from app.clock import utcnow
from app.counties.models import Workspace
from app.errors import Forbidden
from app.helpdesk import service as helpdesk_service
from app.i18n import lazy
from app.innovations import service as innovations_service
from app.meetings import service
from app.meetings.models import STANDING, Meeting, StandingItem
from app.networks import service as networks_service
from app.schemes import service as schemes_service
from app.tenancy import scoped

WINDOW_DAYS = 61  # "the next two months"
# a body's theme → the areas of the funding schemes that match it (no theme: every area)
THEME_AREAS = {
    "digitalisation": ("digitalisation", "innovation"),
    "health_welfare_tech": ("health_care", "innovation"),
    "climate": ("climate",),
    "school": ("school",),
    "procurement": ("procurement",),
}


def kinds_of(session: Session, ws: Workspace, body_id: int) -> list[str]:
    """The standing items a body has set, in the fixed order."""
    body = networks_service.get_body(session, ws, body_id)
    chosen = set(
        session.scalars(
            scoped(StandingItem, body.workspace_id)
            .where(StandingItem.body_id == body.id)
            .with_only_columns(StandingItem.kind)
        )
    )
    return [k for k in STANDING if k in chosen]


def set_kinds(
    session: Session, ws: Workspace, p: Principal, body_id: int, kinds: list[str]
) -> list[str]:
    """Set which standing items a body has (coordinators and the body's secretariat)."""
    if not service.may_edit(session, ws, p, body_id):
        raise Forbidden(lazy("Bare koordinatorer og organets sekretariat kan endre faste saker."))
    wanted = {k for k in kinds if k in STANDING}
    rows = {
        s.kind: s
        for s in session.scalars(scoped(StandingItem, ws.id).where(StandingItem.body_id == body_id))
    }
    for kind, row in rows.items():
        if kind not in wanted:
            session.delete(row)
    for kind in wanted - set(rows):
        session.add(StandingItem(workspace_id=ws.id, body_id=body_id, kind=kind))
    session.flush()
    return [k for k in STANDING if k in wanted]


@dataclass
class Filled:
    kind: str
    lines: list[dict[str, Any]] = field(default_factory=list)


def filled(session: Session, ws: Workspace, p: Principal, meeting: Meeting) -> list[Filled]:
    """The meeting's standing items, filled now: deadlines in the two months from the meeting
    (from now for one already held). Only for a meeting of this workspace's own body; help
    requests only as far as the person may see them."""
    if meeting.body_id is None or meeting.workspace_id != ws.id:
        return []
    kinds = kinds_of(session, ws, meeting.body_id)
    if not kinds:
        return []
    body = networks_service.get_body(session, ws, meeting.body_id)
    members = sorted(
        {
            m.municipality_number
            for m in networks_service.current_members(session, ws, body_id=body.id)
            if m.municipality_number
        }
    )
    out = []
    for kind in kinds:
        item = Filled(kind)
        if kind == "scheme_deadlines":
            start = max(utcnow(), meeting.starts_at)
            end = start + timedelta(days=WINDOW_DAYS)
            areas = THEME_AREAS.get(body.theme or "")
            for call in schemes_service.deadlines(session, ws, start=start, end=end, areas=areas):
                item.lines.append(
                    {
                        "title": f"{call.scheme.name}: {call.title}",
                        "path": f"/virkemidler/{call.scheme_id}",
                        "when": call.deadline,
                    }
                )
        elif kind == "innovations":
            for inn, using in innovations_service.to_spread_among(session, ws, members):
                item.lines.append(
                    {
                        "title": inn.title,
                        "path": f"/innovasjoner/{inn.id}",
                        "using": using,
                        "of": len(members),
                    }
                )
        elif kind == "help_requests":
            if p.can("helpdesk.see_all"):
                asking = members
            elif p.can("helpdesk.read") and p.municipality_number in members:
                asking = [p.municipality_number or ""]
            else:
                asking = []
            for req in helpdesk_service.open_requests_from(session, ws, asking):
                item.lines.append(
                    {"title": f"#{req.number} {req.title}", "path": f"/hjelp/{req.number}"}
                )
        out.append(item)
    return out
