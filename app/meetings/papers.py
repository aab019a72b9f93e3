"""An agenda item's papers as files (the links are on the item itself): checked by their content
and kept in the storage as every other attachment in the app is, readable by everyone who may
read the meeting (in the county a shared body's meeting is shared with too), added and removed
by those who may write the meeting. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.accounts.principal import Principal
from app.clock import utcnow
from app.counties.models import Workspace
from app.errors import Conflict, InvalidInput, NotFound, found
from app.helpdesk import attachments
from app.i18n import _, lazy
from app.meetings import service
from app.meetings.models import AgendaItem, Meeting, MeetingPaper
from app.tenancy import scoped

MAX_PAPERS = 20  # files per agenda item


def papers_of(session: Session, meeting: Meeting) -> dict[int, list[MeetingPaper]]:
    """Agenda item id → its files, oldest first, in one query (rows of the meeting's own
    workspace, so a shared body's meeting shows its papers in the other county too)."""
    out: dict[int, list[MeetingPaper]] = {}
    rows = session.scalars(
        scoped(MeetingPaper, meeting.workspace_id)
        .where(MeetingPaper.meeting_id == meeting.id)
        .order_by(MeetingPaper.id)
    )
    for row in rows:
        out.setdefault(row.agenda_item_id, []).append(row)
    return out


def _writable_item(
    session: Session, ws: Workspace, p: Principal, meeting_id: int, item_id: int
) -> tuple[Meeting, AgendaItem]:
    meeting = service.get_meeting(session, ws, p, meeting_id)  # 404 before 403
    item = _item_of(session, meeting, item_id)
    service.check_edit(session, ws, p, meeting)
    if meeting.minutes_approved_at is not None:
        raise Conflict(lazy("Referatet er godkjent og kan ikke endres lenger."))
    return meeting, item


def _item_of(session: Session, meeting: Meeting, item_id: int) -> AgendaItem:
    return found(
        session.scalar(
            scoped(AgendaItem, meeting.workspace_id).where(
                AgendaItem.meeting_id == meeting.id, AgendaItem.id == item_id
            )
        )
    )


def check_item(
    session: Session, ws: Workspace, p: Principal, meeting_id: int, item_id: int
) -> None:
    """NotFound unless the item is on a meeting the person may read (checked before a form's
    files are read)."""
    _item_of(session, service.get_meeting(session, ws, p, meeting_id), item_id)


def add_papers(
    session: Session,
    ws: Workspace,
    p: Principal,
    meeting_id: int,
    item_id: int,
    uploads: Sequence[attachments.StoredUpload],
) -> list[MeetingPaper]:
    """Attach the files (read, checked and kept in the storage by ``attachments.keep``) to the
    item. A refusal here, or a rollback, has the files deleted again (``attachments.keep``)."""
    meeting, item = _writable_item(session, ws, p, meeting_id, item_id)
    if not uploads:
        raise InvalidInput({"files": lazy("Velg minst én fil.")})
    have = len(papers_of(session, meeting).get(item.id, []))
    if have + len(uploads) > MAX_PAPERS:
        raise InvalidInput({"files": _("En sak kan ha høyst {n} filer.").format(n=MAX_PAPERS)})
    rows = []
    for upload in uploads:
        row = MeetingPaper(
            workspace_id=ws.id,
            meeting_id=meeting.id,
            agenda_item_id=item.id,
            uploaded_by_id=p.user_id,
            uploaded_by_name=p.name,
            created_at=utcnow(),
            **upload.columns(),
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def remove_paper(
    session: Session, ws: Workspace, p: Principal, meeting_id: int, item_id: int, paper_id: int
) -> MeetingPaper:
    """Take a file off the item (its bytes stay until a clean-up: never a row without its
    file)."""
    meeting, item = _writable_item(session, ws, p, meeting_id, item_id)
    row = find_paper(session, meeting, item.id, paper_id)
    session.delete(row)
    session.flush()
    return row


def find_paper(session: Session, meeting: Meeting, item_id: int, paper_id: int) -> MeetingPaper:
    row = session.scalar(
        scoped(MeetingPaper, meeting.workspace_id).where(
            MeetingPaper.meeting_id == meeting.id,
            MeetingPaper.agenda_item_id == item_id,
            MeetingPaper.id == paper_id,
        )
    )
    if row is None:
        raise NotFound()
    return row


def readable_paper(
    session: Session, ws: Workspace, p: Principal, meeting_id: int, item_id: int, paper_id: int
) -> MeetingPaper:
    """A file of a meeting the person may read; NotFound otherwise (another workspace's, a
    meeting they may not see, a file of another item)."""
    meeting = service.get_meeting(session, ws, p, meeting_id)
    return find_paper(session, meeting, item_id, paper_id)


def item_papers(
    session: Session, ws: Workspace, p: Principal, meeting_id: int, item_id: int
) -> tuple[Meeting, list[MeetingPaper]]:
    """The files of one item of a meeting the person may read."""
    meeting = service.get_meeting(session, ws, p, meeting_id)
    item = _item_of(session, meeting, item_id)
    return meeting, papers_of(session, meeting).get(item.id, [])
