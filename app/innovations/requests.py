"""Help requests about innovations: "we want this" (a municipality asks the hjelpekorps for
help taking an innovation into use) and help requests linked to an innovation."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, selectinload

from app.accounts.principal import Principal
from app.counties.models import Municipality, Workspace
from app.errors import Forbidden, InvalidInput
from app.i18n import lazy
from app.innovations import tally
from app.innovations.models import Adoption, InnovationRequest
from app.innovations.service import get_innovation, owner_name
from app.tenancy import scoped


def we_want_this(session: Session, ws: Workspace, p: Principal, innovation_id: int) -> Any:
    """A municipality asks the hjelpekorps for help taking the innovation into use: a help
    request of category "reuse", prefilled and linked, and the adoption noted as considered.
    Asking again leads to the request already filed."""
    from app.config import get_settings
    from app.helpdesk import lifecycle
    from app.helpdesk.models import HelpRequest
    from app.helpdesk.schemas import RequestForm
    from app.i18n import _

    inn = get_innovation(session, ws, innovation_id)
    if not p.municipality_number:
        raise Forbidden(lazy("Bare en kommune kan be om dette for seg selv."))
    linked = (
        scoped(InnovationRequest, ws.id)
        .where(InnovationRequest.innovation_id == inn.id)
        .with_only_columns(InnovationRequest.help_request_id)
    )
    existing = session.scalar(
        scoped(HelpRequest, ws.id).where(
            HelpRequest.id.in_(linked),
            HelpRequest.municipality_number == p.municipality_number,
            HelpRequest.state.not_in(("closed",)),
        )
    )
    if existing is not None:
        return existing
    base = get_settings().base_url.rstrip("/")
    origin = inn.origin_municipality.name if inn.origin_municipality else owner_name(session, inn)
    form = RequestForm(
        category="reuse",
        title=_("Vi vil ta i bruk: {title}").format(title=inn.title)[:200],
        description="\n".join(
            [
                _("Vi vil gjerne ta i bruk «{title}» fra {origin}.").format(
                    title=inn.title, origin=origin
                ),
                _("I Samspill: {url}").format(url=f"{base}/{ws.slug}/innovasjoner/{inn.id}"),
            ]
        ),
        urgency="normal",
    )
    req = lifecycle.file_request(session, ws, p, form)
    session.add(InnovationRequest(workspace_id=ws.id, innovation_id=inn.id, help_request_id=req.id))
    if session.scalar(
        scoped(Adoption, ws.id).where(
            Adoption.innovation_id == inn.id, Adoption.municipality_number == p.municipality_number
        )
    ) is None and (inn.shared or _in_county(session, ws, p.municipality_number)):
        session.add(
            Adoption(
                workspace_id=ws.id,
                innovation_id=inn.id,
                municipality_number=p.municipality_number,
                status="considering",
                help_request_id=req.id,
            )
        )
        session.flush()
        tally.refresh(session, ws, [inn.id])
    session.flush()
    return req


def _in_county(session: Session, ws: Workspace, number: str) -> bool:
    m = session.get(Municipality, number)
    return m is not None and m.county_number == ws.county_number


def link_request(session: Session, ws: Workspace, innovation_id: int, number: int) -> Any:
    """Link an existing help request of this workspace to the innovation (by its HK number)."""
    from app.helpdesk.models import HelpRequest

    inn = get_innovation(session, ws, innovation_id)
    req = session.scalar(scoped(HelpRequest, ws.id).where(HelpRequest.number == number))
    if req is None:
        raise InvalidInput(
            {"help_request_number": lazy("Finner ingen forespørsel med dette nummeret.")}
        )
    already = session.scalar(
        scoped(InnovationRequest, ws.id).where(InnovationRequest.help_request_id == req.id)
    )
    if already is None:
        session.add(
            InnovationRequest(workspace_id=ws.id, innovation_id=inn.id, help_request_id=req.id)
        )
    else:
        already.innovation_id = inn.id
    session.flush()
    return req


def requests_of(session: Session, ws: Workspace, innovation_id: int) -> list[Any]:
    from app.helpdesk.models import HelpRequest

    linked = (
        scoped(InnovationRequest, ws.id)
        .where(InnovationRequest.innovation_id == innovation_id)
        .with_only_columns(InnovationRequest.help_request_id)
    )
    return list(
        session.scalars(
            scoped(HelpRequest, ws.id)
            .where(HelpRequest.id.in_(linked))
            .order_by(HelpRequest.number.desc())
            .options(selectinload(HelpRequest.municipality))
        )
    )
