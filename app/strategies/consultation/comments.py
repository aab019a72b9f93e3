"""Comments on a section of the consulted version, on a quoted passage of it, replies in a
thread, and amendments (new text for a whole section)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.principal import Principal
from app.clock import today
from app.counties.models import Municipality, Workspace
from app.db import utcnow
from app.errors import InvalidInput, NotFound
from app.i18n import lazy
from app.strategies import text
from app.strategies.consultation import notices
from app.strategies.consultation.access import Access, access, check_open
from app.strategies.consultation.invitees import invitee_names
from app.strategies.consultation.rounds import deadline_of
from app.strategies.consultation.schemas import AmendmentCreate, CommentCreate
from app.strategies.models import ConsultationComment, ConsultationRound, VersionSection
from app.strategies.service import Stale
from app.tenancy import scoped


class SectionChanged(Stale[str]):
    """An amendment was written against a text that is no longer the section's text."""

    code = "section_changed"
    message = lazy(
        "Avsnittet er endret etter at du begynte på endringsforslaget. Her er den nye teksten; "
        "forslaget ditt er ikke lagret ennå."
    )


def _version_section(
    session: Session, ws: Workspace, r: ConsultationRound, key: str
) -> VersionSection:
    section = session.scalar(
        scoped(VersionSection, ws.id).where(
            VersionSection.version_id == r.version_id, VersionSection.key == key
        )
    )
    if section is None:
        raise InvalidInput({"section_key": lazy("Avsnittet finnes ikke i denne versjonen.")})
    return section


def _comment(
    session: Session, ws: Workspace, r: ConsultationRound, comment_id: int
) -> ConsultationComment:
    comment = session.scalar(
        scoped(ConsultationComment, ws.id).where(
            ConsultationComment.id == comment_id, ConsultationComment.round_id == r.id
        )
    )
    if comment is None:
        raise NotFound()
    return comment


def _made(
    session: Session,
    ws: Workspace,
    p: Principal,
    a: Access,
    comment: ConsultationComment,
    parent: ConsultationComment | None,
) -> ConsultationComment:
    """Store a new comment of the round by ``p`` — who wrote it, for whom, when — and tell
    those who are to hear of it."""
    # Among the invitations still open, a member's own goes before one through a council.
    on = today()
    current = [i for i in a.invitees if deadline_of(i, a.round) >= on] or a.invitees
    invitee = next((i for i in current if i.kind != "body"), current[0]) if current else None
    if invitee is not None:
        org = invitee_names(session, ws, [invitee])[invitee.id]
        if invitee.kind == "body" and p.municipality_number:
            # someone of a member municipality answers through the body
            mun = session.get(Municipality, p.municipality_number)
            org = f"{mun.name if mun else ''} ({org})"
    else:
        org = ws.name
    comment.workspace_id, comment.round_id, comment.created_at = ws.id, a.round.id, utcnow()
    comment.invitee_id = invitee.id if invitee else None
    comment.author_id, comment.author_name, comment.author_org = p.user_id, p.name, org
    comment.author_email = p.email if p.user_id is None else None
    session.add(comment)
    session.flush()
    notices.comment_made(session, ws, a.round, comment, p, parent)
    return comment


def add_comment(
    session: Session, ws: Workspace, p: Principal, round_id: int, form: CommentCreate
) -> ConsultationComment:
    """A comment on a section (on a passage of it when ``form.quote`` is given), or a reply in
    the thread of ``form.parent_id``; a reply to a reply joins the same thread."""
    a = access(session, ws, p, round_id)
    check_open(a, reply=form.parent_id is not None)
    section = _version_section(session, ws, a.round, form.section_key)
    parent = None
    if form.parent_id is not None:
        parent = _comment(session, ws, a.round, form.parent_id)
        if parent.parent_id is not None:
            parent = _comment(session, ws, a.round, parent.parent_id)
    if form.quote and not text.quote_found(form.quote, section.heading + "\n" + section.body):
        raise InvalidInput(
            {"quote": lazy("Det siterte finnes ikke i avsnittet. Kopier teksten nøyaktig.")}
        )
    comment = ConsultationComment(
        section_key=section.key if parent is None else parent.section_key,
        parent_id=parent.id if parent else None,
        kind="comment",
        quote=form.quote or None,
        body=form.body,
    )
    return _made(session, ws, p, a, comment, parent)


def add_amendment(
    session: Session, ws: Workspace, p: Principal, round_id: int, form: AmendmentCreate
) -> ConsultationComment:
    """An amendment replaces the section's text; ``form.base`` is the fingerprint of the text
    the proposer saw. If that is no longer the section's text, :class:`SectionChanged`."""
    a = access(session, ws, p, round_id)
    check_open(a, reply=False)
    section = _version_section(session, ws, a.round, form.section_key)
    if form.proposed_text == section.body.strip():
        raise InvalidInput({"proposed_text": lazy("Forslaget er likt teksten som står der nå.")})
    if form.base != text.fingerprint(section.body):
        raise SectionChanged(section.body)
    comment = ConsultationComment(
        section_key=section.key,
        kind="amendment",
        body=form.reason,
        proposed_text=form.proposed_text,
        base_text=section.body,
    )
    return _made(session, ws, p, a, comment, None)
