"""Notices: the county's staff hear of new comments, amendments and formal responses, and a
person hears when someone replies to them — one mail each, or a line in the daily digest
(:func:`app.strategies.jobs.send_digests`) for those who chose it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import Membership
from app.accounts.principal import Principal
from app.config import get_settings
from app.counties.models import Workspace
from app.errors import NotFound
from app.i18n import _
from app.mail import service as mail
from app.strategies.models import ConsultationComment, ConsultationRound, StrategyNotice


def page_url(ws: Workspace, path: str) -> str:
    """The address of a page of the workspace, for a mail."""
    return f"{get_settings().base_url.rstrip('/')}/{ws.slug}{path}"


def staff(session: Session, ws: Workspace) -> list[Membership]:
    """Those who run the consultations: they hear of what comes in."""
    return accounts_service.members_with(session, ws.id, "strategies.consult")


def notice(session: Session, ws: Workspace, m: Membership, line: str, link: str) -> None:
    """One mail now, or a line of tomorrow morning's digest. ``m.user`` must be loaded."""
    if not m.user.is_active:
        return
    if m.strategy_digest:
        session.add(StrategyNotice(workspace_id=ws.id, user_id=m.user_id, text=f"{line}\n  {link}"))
        return
    mail.enqueue(
        session,
        to=m.user.email,
        subject=" ".join(line.split())[:150],
        body=f"{line}\n\n{link}\n",
        workspace_id=ws.id,
        notification=True,
    )


def comment_made(
    session: Session,
    ws: Workspace,
    r: ConsultationRound,
    comment: ConsultationComment,
    p: Principal,
    parent: ConsultationComment | None,
) -> None:
    """A reply: whom it answers hears of it (a guest by mail). A comment or an amendment: the
    staff hear of it, all but the one who wrote it."""
    link = page_url(ws, f"/hoeringer/{r.id}#k{comment.id}")
    who = f"{comment.author_name} ({comment.author_org})"
    if parent is not None:
        line = _("{who} svarte på kommentaren din i høringen «{title}».").format(
            who=who, title=r.title
        )
        if parent.author_id and parent.author_id != p.user_id:
            for m in accounts_service.members_with(
                session, ws.id, "strategies.read", user_ids=[parent.author_id]
            ):
                notice(session, ws, m, line, link)
        elif parent.author_id is None and parent.author_email and p.email != parent.author_email:
            mail.enqueue(
                session,
                to=parent.author_email,
                subject=line[:150],
                body=f"{line}\n",
                workspace_id=ws.id,
                notification=True,
            )
        return
    line = (
        _("{who} foreslo en endring i høringen «{title}».")
        if comment.kind == "amendment"
        else _("{who} kommenterte i høringen «{title}».")
    ).format(who=who, title=r.title)
    for m in staff(session, ws):
        if m.user_id != p.user_id:
            notice(session, ws, m, line, link)


def response_submitted(
    session: Session, ws: Workspace, r: ConsultationRound, organisation: str
) -> None:
    line = _("{org} har sendt inn høringssvar til «{title}».").format(
        org=organisation, title=r.title
    )
    for m in staff(session, ws):
        notice(session, ws, m, line, page_url(ws, f"/hoeringer/{r.id}"))


def set_digest(session: Session, ws: Workspace, user_id: int, digest: bool) -> None:
    m = accounts_service.get_membership(session, ws.id, user_id)
    if m is None:
        raise NotFound()
    m.strategy_digest = digest
    session.flush()


def digest_preference(session: Session, ws: Workspace, user_id: int) -> bool:
    m = accounts_service.get_membership(session, ws.id, user_id)
    return bool(m and m.strategy_digest)
