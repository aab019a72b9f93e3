"""Help from the hjelpekorps with an application: from a call, a municipal user asks in one
click, and the help request is filed (category "funding") with the call's facts filled in."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.accounts.principal import Principal
from app.clock import local, local_date, today
from app.config import get_settings
from app.counties.models import Workspace
from app.errors import Conflict, Forbidden
from app.helpdesk import lifecycle
from app.helpdesk.models import HelpRequest
from app.helpdesk.schemas import RequestForm
from app.i18n import _, lazy
from app.schemes import service
from app.schemes.models import CallHelpRequest
from app.tenancy import scoped


def ask_for_help(session: Session, ws: Workspace, p: Principal, call_id: int) -> HelpRequest:
    """File a help request about ``call_id`` for the user's municipality and link the two.
    A call that has closed is refused; asking twice leads to the request already filed."""
    if not p.municipality_number:
        raise Forbidden(lazy("Bare en kommune kan be om hjelp med sin egen søknad."))
    call = service.get_call(session, ws, call_id)
    if call.state() == "closed":
        raise Conflict(lazy("Fristen for denne utlysningen har gått ut."))
    existing = _existing(session, ws, p.municipality_number, call.id)
    if existing is not None:
        return existing
    scheme = call.scheme
    days = (local_date(call.deadline) - today()).days
    base = get_settings().base_url.rstrip("/")
    lines = [
        _("Vi ønsker hjelp til å søke på «{call}» under {scheme}.").format(
            call=call.title, scheme=scheme.name
        ),
        _("Søknadsfrist: {when}.").format(when=local(call.deadline).strftime("%d.%m.%Y %H:%M")),
    ]
    if call.url or scheme.url:
        lines.append(_("Utlysningen: {url}").format(url=call.url or scheme.url))
    lines.append(_("I Samspill: {url}").format(url=f"{base}/{ws.slug}/virkemidler/{scheme.id}"))
    form = RequestForm(
        category="funding",
        title=_("Søknad: {scheme} – {call}").format(scheme=scheme.name, call=call.title)[:200],
        description="\n".join(lines),
        urgency="high" if days <= 14 else "normal",
        on_site=False,
    )
    req = lifecycle.file_request(session, ws, p, form)
    session.add(
        CallHelpRequest(
            workspace_id=ws.id,
            call_id=call.id,
            help_request_id=req.id,
            municipality_number=p.municipality_number,
        )
    )
    session.flush()
    return req


def _existing(
    session: Session, ws: Workspace, municipality_number: str, call_id: int
) -> HelpRequest | None:
    link = session.scalar(
        scoped(CallHelpRequest, ws.id).where(
            CallHelpRequest.call_id == call_id,
            CallHelpRequest.municipality_number == municipality_number,
        )
    )
    if link is None:
        return None
    return session.scalar(scoped(HelpRequest, ws.id).where(HelpRequest.id == link.help_request_id))


def asked_calls(
    session: Session, ws: Workspace, p: Principal, call_ids: Sequence[int]
) -> dict[int, int]:
    """For a municipal user: the calls among ``call_ids`` their municipality has asked help
    with, and the number of that help request."""
    if not p.municipality_number or not call_ids:
        return {}
    rows = session.execute(
        scoped(CallHelpRequest, ws.id)
        .where(
            CallHelpRequest.call_id.in_(call_ids),
            CallHelpRequest.municipality_number == p.municipality_number,
        )
        .join(HelpRequest, HelpRequest.id == CallHelpRequest.help_request_id)
        .with_only_columns(CallHelpRequest.call_id, HelpRequest.number)
    ).all()
    return {call_id: number for call_id, number in rows}


def request_number(session: Session, ws: Workspace, help_request_id: int | None) -> int | None:
    if help_request_id is None:
        return None
    return session.scalar(
        scoped(HelpRequest, ws.id)
        .where(HelpRequest.id == help_request_id)
        .with_only_columns(HelpRequest.number)
    )
