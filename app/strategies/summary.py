"""The consultation summary (høringsoppsummering): every formal response, comment and
amendment with its answer, by section, with who and when. Pages and exports read the same."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from app.accounts.principal import Principal
from app.counties.models import Workspace
from app.strategies.consultation.answers import ANSWER_LABELS
from app.strategies.consultation.page import round_page
from app.strategies.models import (
    ConsultationComment,
    ConsultationRound,
    StrategyDocument,
    StrategyVersion,
    VersionSection,
)


@dataclass
class Item:
    comment: ConsultationComment
    replies: list[ConsultationComment] = field(default_factory=list)


@dataclass
class SectionSummary:
    section: VersionSection
    items: list[Item]


@dataclass
class ResponseSummary:
    organisation: str
    body: str
    submitted_by: str
    submitted_at: datetime | None
    files: list[str] = field(default_factory=list)  # the attached files' names


@dataclass
class Summary:
    workspace: Workspace
    round: ConsultationRound
    document: StrategyDocument
    version: StrategyVersion
    sections: list[SectionSummary]
    responses: list[ResponseSummary]
    invited: list[str]
    silent: list[str]  # invited, but sent neither a formal response nor a comment
    comments: int
    amendments: int
    unanswered: int
    by_answer: dict[str, int]

    @property
    def pdf_in_background(self) -> bool:
        return made_in_background(self)


def build(session: Session, ws: Workspace, p: Principal, round_id: int) -> Summary:
    """From the round page's data: a fixed number of queries whatever the size."""
    page = round_page(session, ws, p, round_id)
    r = page.access.round
    sections = [
        SectionSummary(s, [Item(t.comment, t.replies) for t in page.threads.get(s.key, [])])
        for s in page.sections
    ]
    top = [i.comment for s in sections for i in s.items]
    by_answer = {a: sum(1 for c in top if c.answer == a) for a in ANSWER_LABELS}
    heard: set[int | None] = {x.invitee_id for x in page.responses if x.submitted_at is not None}
    heard |= {c.invitee_id for s in sections for i in s.items for c in (i.comment, *i.replies)}
    return Summary(
        workspace=ws,
        round=r,
        document=r.document,
        version=r.version,
        sections=sections,
        responses=[
            ResponseSummary(
                page.names.get(x.invitee_id, ""),
                x.body,
                x.submitted_by_name or "",
                x.submitted_at,
                [f.filename for f in page.files.get(x.id, [])],
            )
            for x in page.responses
            if x.submitted_at is not None
        ],
        invited=[page.names[i.id] for i in page.invitees],
        silent=[page.names[i.id] for i in page.invitees if i.id not in heard],
        comments=sum(1 for c in top if c.kind == "comment"),
        amendments=sum(1 for c in top if c.kind == "amendment"),
        unanswered=page.unanswered,
        by_answer=by_answer,
    )


def made_in_background(s: Summary) -> bool:
    """Whether this summary's PDF is made by the worker (``summary_pdf_background_from``)."""
    from app.config import get_settings

    return s.comments + s.amendments > get_settings().summary_pdf_background_from
