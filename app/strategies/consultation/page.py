"""Everything a round's page shows — the consulted version's sections with their comment
threads, the formal responses the person may see, the invitees — in a fixed number of
queries. The summary and its exports read the same."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.accounts.principal import Principal
from app.counties.models import Workspace
from app.strategies import service
from app.strategies.consultation.access import Access, access
from app.strategies.consultation.invitees import invitee_names, invitees_of
from app.strategies.consultation.responses import files_of, responses_of
from app.strategies.models import (
    ConsultationComment,
    FormalResponse,
    Invitee,
    ResponseFile,
    VersionSection,
)
from app.tenancy import scoped


@dataclass
class Thread:
    comment: ConsultationComment
    replies: list[ConsultationComment] = field(default_factory=list)


@dataclass
class RoundPage:
    access: Access
    sections: list[VersionSection]
    threads: dict[str, list[Thread]]  # by section key
    responses: list[FormalResponse]
    files: dict[int, list[ResponseFile]]  # response id → its attached files
    invitees: list[Invitee]
    names: dict[int, str]  # invitee id → name
    unanswered: int
    comments: int


def round_page(session: Session, ws: Workspace, p: Principal, round_id: int) -> RoundPage:
    a = access(session, ws, p, round_id)
    sections = service.version_sections(session, ws, a.round.version_id)
    rows = list(
        session.scalars(
            scoped(ConsultationComment, ws.id)
            .where(ConsultationComment.round_id == a.round.id)
            .order_by(ConsultationComment.id)
        )
    )
    threads: dict[str, list[Thread]] = {}
    by_id: dict[int, Thread] = {}
    for c in rows:
        if c.parent_id is None:
            by_id[c.id] = Thread(c)
            threads.setdefault(c.section_key, []).append(by_id[c.id])
        elif c.parent_id in by_id:
            by_id[c.parent_id].replies.append(c)
    mine = {i.id for i in a.invitees}
    # A draft stays with its organisation (the county too sees it once it is submitted).
    responses = [
        x for x in responses_of(session, ws, a.round.id) if x.submitted_at or x.invitee_id in mine
    ]
    # The list of invitees (høringsliste) is public to the round's participants.
    invitees = invitees_of(session, ws, a.round.id)
    names = invitee_names(session, ws, invitees)
    top = [t.comment for ts in threads.values() for t in ts]
    return RoundPage(
        access=a,
        sections=sections,
        threads=threads,
        responses=responses,
        files=files_of(session, ws, [x.id for x in responses]),
        invitees=invitees,
        names=names,
        unanswered=sum(1 for c in top if c.answer is None),
        comments=len(top),
    )
