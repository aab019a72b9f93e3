"""The county's answers to comments and amendments (written while the round runs or after it),
an accepted amendment written into the draft, and the answers published to everyone who took
part once the round has closed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.principal import Principal
from app.clock import today
from app.counties.models import Workspace
from app.db import utcnow
from app.errors import Forbidden, InvalidInput, NotFound
from app.i18n import _, lazy
from app.mail import service as mail
from app.notifications import kinds
from app.notifications import service as notifications
from app.strategies import text
from app.strategies.consultation import notices
from app.strategies.consultation.access import access
from app.strategies.consultation.rounds import last_deadline
from app.strategies.consultation.schemas import AnswerForm, ApplyForm
from app.strategies.models import ConsultationComment, ConsultationRound, StrategySection
from app.tenancy import scoped

ANSWER_LABELS = {
    "accepted": lazy("Tatt til følge"),
    "partly": lazy("Delvis tatt til følge"),
    "not_accepted": lazy("Ikke tatt til følge"),
    "noted": lazy("Tatt til orientering"),
}


@dataclass
class AnswerResult:
    comment: ConsultationComment
    applied: bool = False
    draft_section: StrategySection | None = None  # set when the draft moved on: see it first


def answer(
    session: Session,
    ws: Workspace,
    p: Principal,
    round_id: int,
    comment_id: int,
    form: AnswerForm,
) -> AnswerResult:
    """The coordinator's answer to a comment or amendment. An accepted amendment is written
    into the draft when the draft section still has the text the amendment was made against."""
    a = access(session, ws, p, round_id)
    if not p.can("strategies.consult"):
        raise Forbidden()
    if a.round.answers_published_at is not None:
        raise InvalidInput({"answer": lazy("Svarene er publisert og kan ikke endres.")})
    # Answers may be written while the round is open; those taking part see them only once
    # they are published, after the round has closed.
    comment = session.scalar(
        scoped(ConsultationComment, ws.id).where(
            ConsultationComment.id == comment_id,
            ConsultationComment.round_id == a.round.id,
            ConsultationComment.parent_id.is_(None),  # replies are discussion, not answered
        )
    )
    if comment is None:
        raise NotFound()
    comment.answer, comment.answer_reason = form.answer, form.reason
    comment.answered_at, comment.answered_by_id = utcnow(), p.user_id
    result = AnswerResult(comment)
    if comment.kind == "amendment" and form.answer == "accepted" and comment.applied_at is None:
        result = apply_amendment(session, ws, p, a.round, comment)
    session.flush()
    return result


def apply_amendment(
    session: Session,
    ws: Workspace,
    p: Principal,
    r: ConsultationRound,
    comment: ConsultationComment,
    *,
    draft_revision: int | None = None,
) -> AnswerResult:
    """Write an accepted amendment into the draft. When the draft section has changed since
    the consulted version, nothing is written unless ``draft_revision`` confirms the editor saw
    the draft as it is now."""
    draft = session.scalar(
        scoped(StrategySection, ws.id)
        .where(
            StrategySection.document_id == r.document_id,
            StrategySection.key == comment.section_key,
        )
        .with_for_update()
    )
    if draft is None:
        return AnswerResult(comment)
    unchanged = draft.body.strip() == (comment.base_text or "").strip()
    if not unchanged and draft_revision != draft.revision:
        return AnswerResult(comment, draft_section=draft)
    draft.body = comment.proposed_text or ""
    draft.revision += 1
    draft.updated_at = utcnow()
    draft.updated_by_id = p.user_id
    comment.applied_at = utcnow()
    session.flush()
    session.expire(draft, ["updated_by"])
    return AnswerResult(comment, applied=True, draft_section=draft)


def apply_accepted(
    session: Session,
    ws: Workspace,
    p: Principal,
    round_id: int,
    comment_id: int,
    form: ApplyForm,
) -> AnswerResult:
    """Write an accepted amendment into a draft section that changed since the consulted
    version, confirmed with the revision of the draft section the coordinator has seen."""
    a = access(session, ws, p, round_id)
    if not p.can("strategies.consult"):
        raise Forbidden()
    comment = session.scalar(
        scoped(ConsultationComment, ws.id).where(
            ConsultationComment.id == comment_id, ConsultationComment.round_id == a.round.id
        )
    )
    if comment is None or comment.kind != "amendment":
        raise NotFound()
    if comment.answer != "accepted":
        raise InvalidInput(
            {"answer": lazy("Bare et endringsforslag som er tatt til følge kan føres inn.")}
        )
    if comment.applied_at is not None:
        raise InvalidInput({"form": lazy("Endringsforslaget er allerede ført inn i utkastet.")})
    result = apply_amendment(session, ws, p, a.round, comment, draft_revision=form.draft_revision)
    if not result.applied and result.draft_section is None:
        raise InvalidInput(
            {
                "form": lazy(
                    "Avsnittet finnes ikke lenger i utkastet, så forslaget kan ikke føres inn."
                )
            }
        )
    return result


def unanswered(session: Session, ws: Workspace, round_id: int) -> int:
    return (
        session.scalar(
            scoped(ConsultationComment, ws.id)
            .with_only_columns(func.count())
            .where(
                ConsultationComment.round_id == round_id,
                ConsultationComment.parent_id.is_(None),
                ConsultationComment.answer.is_(None),
            )
        )
        or 0
    )


def publish_answers(
    session: Session, ws: Workspace, p: Principal, round_id: int
) -> ConsultationRound:
    """Publish the answers once the last deadline has passed (or the round was closed early)
    and every comment and amendment has one; everyone who commented hears what became of it."""
    a = access(session, ws, p, round_id)
    if not p.can("strategies.consult"):
        raise Forbidden()
    r = a.round
    if r.answers_published_at is not None:
        raise InvalidInput({"form": lazy("Svarene er allerede publisert.")})
    last = last_deadline(session, ws, r)
    if r.closed_at is None and today() <= last:
        raise InvalidInput(
            {
                "form": _("Svarene publiseres etter den siste fristen ({date}).").format(
                    date=last.strftime("%d.%m.%Y")
                )
            }
        )
    missing = unanswered(session, ws, r.id)
    if missing:
        raise InvalidInput(
            {
                "form": _("{n} kommentarer og endringsforslag mangler svar.").format(n=missing)
                if missing > 1
                else _("Én kommentar eller ett endringsforslag mangler svar.")
            }
        )
    r.answers_published_at = utcnow()
    session.flush()
    _mail_answers(session, ws, r)
    return r


ANSWERS_MAIL = lazy("{body}\n\nHele høringsoppsummeringen: {link}\n")


def _mail_answers(session: Session, ws: Workspace, r: ConsultationRound) -> None:
    """Everyone who commented hears what became of it, in their own language (a notification
    and mail as they chose); a guest gets the answers in the mail."""
    comments = list(
        session.scalars(
            scoped(ConsultationComment, ws.id)
            .where(ConsultationComment.round_id == r.id, ConsultationComment.parent_id.is_(None))
            .order_by(ConsultationComment.id)
        )
    )
    users = _users(session, {c.author_id for c in comments if c.author_id})
    by_user: dict[int, list[ConsultationComment]] = {}
    by_guest: dict[str, list[ConsultationComment]] = {}
    for c in comments:
        if c.author_id in users:
            by_user.setdefault(c.author_id or 0, []).append(c)
        elif c.author_email:
            by_guest.setdefault(c.author_email, []).append(c)
    title, path = r.title, f"/hoeringer/{r.id}"

    def render(mine: list[ConsultationComment]) -> tuple[str, str]:
        lines = [
            f"- {text.normalise(c.body or c.proposed_text or '')[:200]}\n  "
            f"{_(ANSWER_LABELS[c.answer or 'noted'])}"
            + (f": {text.normalise(c.answer_reason or '')}" if c.answer_reason else "")
            for c in mine
        ]
        return (
            _("Svar på innspillene dine: {title}").format(title=title),
            _("{county} har svart på innspillene i høringen «{title}».").format(
                county=ws.name, title=title
            )
            + "\n\n"
            + "\n".join(lines),
        )

    for user_id, mine in by_user.items():
        notifications.notify(
            session,
            ws,
            [users[user_id]],
            kinds.ANSWER,
            path,
            lambda mine=mine: render(mine),  # type: ignore[misc]
            mail_body=ANSWERS_MAIL,
        )
    for email, mine in by_guest.items():
        subject, body = render(mine)
        mail.enqueue(
            session,
            to=email,
            subject=subject,
            body=_(ANSWERS_MAIL).format(body=body, link=notices.page_url(ws, path)),
            workspace_id=ws.id,
        )


def _users(session: Session, user_ids: set[int]) -> dict[int, User]:
    """Those who commented with an account (still active; also if they have left the workspace
    since)."""
    if not user_ids:
        return {}
    return {
        u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids), User.is_active))
    }
