"""Formal responses (høringssvar): one per invitee, drafted together by the people who take
part for it, saved against the revision they saw, looked over, submitted once on an explicit
confirmation and then locked. A draft may carry files (a signed letter), kept with it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.accounts.principal import Principal
from app.clock import local, today
from app.counties.models import Workspace
from app.db import utcnow
from app.errors import Forbidden, InvalidInput, NotFound
from app.helpdesk import attachments
from app.i18n import _, lazy
from app.strategies.consultation import notices
from app.strategies.consultation.access import Access, access, check_open
from app.strategies.consultation.invitees import invitee_names
from app.strategies.consultation.rounds import RoundClosed, deadline_of
from app.strategies.consultation.schemas import ResponseForm
from app.strategies.models import ConsultationRound, FormalResponse, Invitee, ResponseFile
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


def responses_for(session: Session, ws: Workspace, invitee_ids: list[int]) -> list[FormalResponse]:
    """The formal responses (drafts and sent) of these invitees."""
    if not invitee_ids:
        return []
    return list(
        session.scalars(
            scoped(FormalResponse, ws.id).where(FormalResponse.invitee_id.in_(invitee_ids))
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
    uploads: Sequence[attachments.StoredUpload] = (),
) -> FormalResponse:
    """Save the draft, written against ``form.revision``: a colleague's save since then is a
    :class:`ResponseConflict` (unless the text is the same). ``uploads`` are attached to it."""
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
    if response.body != form.body or response.id is None or uploads:
        response.body = form.body
        response.revision += 1
        response.updated_at = utcnow()
        response.updated_by_name = p.name
    session.flush()
    if uploads:
        _add_files(session, ws, p, response, uploads)
    return response


def submit_response(
    session: Session,
    ws: Workspace,
    p: Principal,
    round_id: int,
    invitee_id: int,
    revision: int | None = None,
) -> FormalResponse:
    """Submit the saved draft for the invitee; it is locked afterwards and the staff hear.
    With ``revision`` (the one the person looked over), a draft changed since is refused."""
    a = access(session, ws, p, round_id)
    check_open(a, reply=False)
    inv = _my_invitee(a, invitee_id)
    response = _locked(session, ws, inv)
    if response is None or not response.body.strip():
        raise InvalidInput({"body": lazy("Skriv og lagre høringssvaret før dere sender det inn.")})
    if response.submitted_at is not None:
        raise InvalidInput(
            {
                "body": _("Høringssvaret er allerede sendt inn {time} av {name}.").format(
                    time=local(response.submitted_at).strftime("%d.%m.%Y %H:%M"),
                    name=response.submitted_by_name or "",
                )
            }
        )
    if revision is not None and response.revision != revision:
        raise InvalidInput(
            {
                "body": lazy(
                    "Noen i organisasjonen har endret utkastet etter at du så over det. Se over "
                    "det nye utkastet før du sender det inn."
                )
            }
        )
    response.submitted_at = utcnow()
    response.submitted_by_name = p.name
    session.flush()
    organisation = invitee_names(session, ws, [inv])[inv.id]
    notices.response_submitted(session, ws, a.round, organisation)
    return response


# --- files -----------------------------------------------------------------------------------

MAX_FILES = 10


def files_of(
    session: Session, ws: Workspace, response_ids: Sequence[int]
) -> dict[int, list[ResponseFile]]:
    """Response id → its files, oldest first, in one query."""
    found: dict[int, list[ResponseFile]] = {i: [] for i in response_ids}
    if not response_ids:
        return found
    rows = session.scalars(
        scoped(ResponseFile, ws.id)
        .where(ResponseFile.response_id.in_(sorted(set(response_ids))))
        .order_by(ResponseFile.id)
    )
    for row in rows:
        found[row.response_id].append(row)
    return found


def _add_files(
    session: Session,
    ws: Workspace,
    p: Principal,
    response: FormalResponse,
    uploads: Sequence[attachments.StoredUpload],
) -> list[ResponseFile]:
    have = len(files_of(session, ws, [response.id])[response.id])
    if have + len(uploads) > MAX_FILES:
        raise InvalidInput(
            {
                "attachments": _("Et høringssvar kan ha høyst {n} vedlegg.").format(n=MAX_FILES),
            }
        )
    rows = []
    for upload in uploads:
        row = ResponseFile(
            workspace_id=ws.id,
            response_id=response.id,
            uploaded_by_id=p.user_id,
            uploaded_by_name=p.name,
            created_at=utcnow(),
            **upload.columns(),
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def attach_files(
    session: Session,
    ws: Workspace,
    p: Principal,
    round_id: int,
    invitee_id: int,
    uploads: Sequence[attachments.StoredUpload],
) -> FormalResponse:
    """Attach files to the draft as it is saved now (a draft is started if there is none)."""
    if not uploads:
        raise InvalidInput({"files": lazy("Velg minst én fil.")})
    a = access(session, ws, p, round_id)
    check_open(a, reply=False)
    inv = _my_invitee(a, invitee_id)
    response = _locked(session, ws, inv)
    form = ResponseForm(
        body=response.body if response else "", revision=response.revision if response else 0
    )
    return save_response(session, ws, p, round_id, invitee_id, form, uploads)


def remove_file(
    session: Session, ws: Workspace, p: Principal, round_id: int, invitee_id: int, file_id: int
) -> FormalResponse:
    """Take a file off the draft (its bytes stay until a clean-up: never a row without its
    file). A submitted response keeps its files."""
    a = access(session, ws, p, round_id)
    check_open(a, reply=False)
    inv = _my_invitee(a, invitee_id)
    response = _locked(session, ws, inv)
    if response is None:
        raise NotFound()
    row = session.scalar(
        scoped(ResponseFile, ws.id).where(
            ResponseFile.id == file_id, ResponseFile.response_id == response.id
        )
    )
    if row is None:
        raise NotFound()
    if response.submitted_at is not None:
        raise InvalidInput({"body": lazy("Høringssvaret er sendt inn og er låst.")})
    session.delete(row)
    response.revision += 1  # what will be sent has changed: a preview before it is stale
    response.updated_at = utcnow()
    response.updated_by_name = p.name
    session.flush()
    return response


# --- one response, as it will be sent or as it was ----------------------------------------


@dataclass
class ResponseView:
    """One invitee's formal response as the preview and the receipt show it."""

    round: ConsultationRound
    invitee: Invitee
    organisation: str
    deadline: date
    response: FormalResponse | None  # None: nothing saved yet
    files: list[ResponseFile] = field(default_factory=list)
    mine: bool = False  # the person takes part for the invitee (may send it)
    can_send: bool = False  # a draft with text, the round open for them


def response_view(
    session: Session, ws: Workspace, p: Principal, round_id: int, invitee_id: int
) -> ResponseView:
    """The response of ``invitee_id`` for someone who may read it: those who take part for the
    invitee (the draft too), everyone who sees the round once it is submitted. NotFound else."""
    a = access(session, ws, p, round_id)
    inv = next((i for i in a.invitees if i.id == invitee_id), None)
    mine = inv is not None
    response = session.scalar(
        scoped(FormalResponse, ws.id).where(
            FormalResponse.round_id == a.round.id, FormalResponse.invitee_id == invitee_id
        )
    )
    if not mine and (response is None or response.submitted_at is None):
        raise NotFound()  # another's draft is not there for them
    if inv is None:
        inv = session.scalar(
            scoped(Invitee, ws.id)
            .where(Invitee.id == invitee_id)
            .options(selectinload(Invitee.organisation), selectinload(Invitee.municipality))
        )
        if inv is None:
            raise NotFound()
    files = files_of(session, ws, [response.id])[response.id] if response else []
    draft = response is not None and response.submitted_at is None
    return ResponseView(
        round=a.round,
        invitee=inv,
        organisation=invitee_names(session, ws, [inv])[inv.id],
        deadline=deadline_of(inv, a.round),
        response=response,
        files=files,
        mine=mine,
        can_send=mine
        and draft
        and a.can_comment
        and bool(response and response.body.strip())
        and today() <= deadline_of(inv, a.round),
    )


def find_file(
    session: Session, ws: Workspace, p: Principal, round_id: int, invitee_id: int, file_id: int
) -> ResponseFile:
    """A file of a response ``p`` may read; NotFound otherwise (another workspace's too)."""
    view = response_view(session, ws, p, round_id, invitee_id)
    row = next((f for f in view.files if f.id == file_id), None)
    if row is None:
        raise NotFound()
    return row
