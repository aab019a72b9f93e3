"""Notices: the county's staff hear of new comments, amendments and formal responses, and a
person hears when someone replies to them — a notification in their own language, with a mail
at once or in the daily digest as they chose for that kind of event (app.notifications)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import Membership
from app.accounts.principal import Principal
from app.config import get_settings
from app.counties.models import Workspace
from app.i18n import _
from app.mail import service as mail
from app.notifications import kinds
from app.notifications import service as notifications
from app.strategies.models import ConsultationComment, ConsultationRound


def page_url(ws: Workspace, path: str) -> str:
    """The address of a page of the workspace, for a mail."""
    return f"{get_settings().base_url.rstrip('/')}/{ws.slug}{path}"


def staff(session: Session, ws: Workspace) -> list[Membership]:
    """Those who run the consultations: they hear of what comes in."""
    return accounts_service.members_with(session, ws.id, "strategies.consult")


def notice(
    session: Session,
    ws: Workspace,
    members: list[Membership],
    kind: str,
    path: str,
    line: Callable[[], str],
) -> None:
    """Tell each member (``m.user`` loaded) in their own language: a notification, with a mail
    now or in the daily digest as they chose for this kind (app.notifications)."""
    people = [m.user for m in members if m.user.is_active]
    notifications.notify(session, ws, people, kind, path, lambda: (line(), ""))


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
    path = f"/hoeringer/{r.id}#k{comment.id}"
    who = f"{comment.author_name} ({comment.author_org})"
    title = r.title
    if parent is not None:

        def answered() -> str:
            return _("{who} svarte på kommentaren din i høringen «{title}».").format(
                who=who, title=title
            )

        if parent.author_id and parent.author_id != p.user_id:
            members = accounts_service.members_with(
                session, ws.id, "strategies.read", user_ids=[parent.author_id]
            )
            notice(session, ws, members, kinds.ANSWER, path, answered)
        elif parent.author_id is None and parent.author_email and p.email != parent.author_email:
            line = answered()
            mail.enqueue(
                session,
                to=parent.author_email,
                subject=line[:150],
                body=f"{line}\n",
                workspace_id=ws.id,
                notification=True,
            )
        return
    amendment = comment.kind == "amendment"

    def made() -> str:
        return (
            _("{who} foreslo en endring i høringen «{title}».")
            if amendment
            else _("{who} kommenterte i høringen «{title}».")
        ).format(who=who, title=title)

    staff_members = [m for m in staff(session, ws) if m.user_id != p.user_id]
    notice(session, ws, staff_members, kinds.COMMENT, path, made)


def response_submitted(
    session: Session, ws: Workspace, r: ConsultationRound, organisation: str
) -> None:
    title = r.title

    def line() -> str:
        return _("{org} har sendt inn høringssvar til «{title}».").format(
            org=organisation, title=title
        )

    notice(session, ws, staff(session, ws), kinds.COMMENT, f"/hoeringer/{r.id}", line)
