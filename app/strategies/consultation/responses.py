"""Formal responses (høringssvar): one per invitee, drafted together by the people who take
part for it, saved against the revision they saw, submitted once and then locked."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts.principal import Principal
from app.clock import today
from app.counties.models import Workspace
from app.db import utcnow
from app.errors import Forbidden, InvalidInput
from app.i18n import _, lazy
from app.strategies.consultation import notices
from app.strategies.consultation.access import Access, access, check_open
from app.strategies.consultation.invitees import invitee_names
from app.strategies.consultation.rounds import RoundClosed, deadline_of
from app.strategies.consultation.schemas import ResponseForm
from app.strategies.models import FormalResponse, Invitee
from app.strategies.service import Stale
from app.tenancy import scoped


class ResponseConflict(Stale[FormalResponse]):
    code = "edit_conflict"
    message = lazy(
        "Noen andre i organisasjonen har lagret høringssvaret etter at du åpnet det. Teksten "
        "din er ikke lagret ennå: sammenlign og lagre på nytt."
    )


def responses_of(session: Session, ws: Workspace, round_id: int) -> list[FormalResponse]:
    return list(
        session.scalars(
            scoped(FormalResponse, ws.id)
            .where(FormalResponse.round_id == round_id)
            .order_by(FormalResponse.submitted_at, FormalResponse.id)
        )
    )


def _my_invitee(a: Access, invitee_id: int) -> Invitee:
    """One of the invitees the person takes part for, while its own deadline lasts."""
    inv = next((i for i in a.invitees if i.id == invitee_id), None)
    if inv is None:
        raise Forbidden()
    deadline = deadline_of(inv, a.round)
    if today() > deadline:
        raise RoundClosed(
            _("Fristen for høringssvaret var {date}. Nye innspill tas ikke imot.").format(
                date=deadline.strftime("%d.%m.%Y")
            )
        )
    return inv


def _locked(session: Session, ws: Workspace, inv: Invitee) -> FormalResponse | None:
    return session.scalar(
        scoped(FormalResponse, ws.id).where(FormalResponse.invitee_id == inv.id).with_for_update()
    )


def save_response(
    session: Session,
    ws: Workspace,
    p: Principal,
    round_id: int,
    invitee_id: int,
    form: ResponseForm,
) -> FormalResponse:
    """Save the draft, written against ``form.revision``: a colleague's save since then is a
    :class:`ResponseConflict` (unless the text is the same)."""
    a = access(session, ws, p, round_id)
    check_open(a, reply=False)
    inv = _my_invitee(a, invitee_id)
    response = _locked(session, ws, inv)
    if response is not None:
        if response.submitted_at is not None:
            raise InvalidInput({"body": lazy("Høringssvaret er sendt inn og er låst.")})
        if response.revision != form.revision and response.body != form.body:
            raise ResponseConflict(response)
    else:  # the first save, unless a colleague's first save got in just before
        try:
            with session.begin_nested():
                response = FormalResponse(
                    workspace_id=ws.id, round_id=a.round.id, invitee_id=inv.id, body="", revision=0
                )
                session.add(response)
                session.flush()
        except IntegrityError:
            theirs = session.scalar(
                scoped(FormalResponse, ws.id).where(FormalResponse.invitee_id == inv.id)
            )
            if theirs is None:
                raise
            raise ResponseConflict(theirs) from None
    if response.body != form.body or response.id is None:
        response.body = form.body
        response.revision += 1
        response.updated_at = utcnow()
        response.updated_by_name = p.name
    session.flush()
    return response


def submit_response(
    session: Session, ws: Workspace, p: Principal, round_id: int, invitee_id: int
) -> FormalResponse:
    """Submit the saved draft for the invitee; it is locked afterwards and the staff hear."""
    a = access(session, ws, p, round_id)
    check_open(a, reply=False)
    inv = _my_invitee(a, invitee_id)
    response = _locked(session, ws, inv)
    if response is None or not response.body.strip():
        raise InvalidInput({"body": lazy("Skriv og lagre høringssvaret før dere sender det inn.")})
    if response.submitted_at is not None:
        raise InvalidInput({"body": lazy("Høringssvaret er allerede sendt inn.")})
    response.submitted_at = utcnow()
    response.submitted_by_name = p.name
    session.flush()
    organisation = invitee_names(session, ws, [inv])[inv.id]
    notices.response_submitted(session, ws, a.round, organisation)
    return response
