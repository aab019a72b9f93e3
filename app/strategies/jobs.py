"""What happens by itself: invitations when a round opens, reminders some days before an
invitee's deadline (if it has not sent its formal response), and the daily digest at 07:00.
Each step is idempotent; the mail worker runs them every few minutes (``run_all``) and
``samspill strategies-jobs`` runs them once."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from app.accounts import service as accounts_service
from app.clock import OSLO, today
from app.counties.models import Workspace
from app.db import utcnow
from app.i18n import _, lazy
from app.mail import service as mail
from app.notifications import kinds
from app.notifications import service as notifications
from app.strategies.consultation import invitees
from app.strategies.consultation.rounds import deadline_of
from app.strategies.models import ConsultationRound, FormalResponse, Invitee, StrategyNotice
from app.tenancy import scoped, set_db_scope

log = logging.getLogger("samspill.strategies")
DIGEST_HOUR = 7
REMINDER_MAIL = lazy("{body}\n\nGi innspill eller send inn svaret: {link}\n")


def _invitees_with_round(ws: Workspace, *conditions: Any) -> Select[Any]:
    """Invitees, each with its round, of rounds whose answers are not yet published."""
    return (
        scoped(Invitee, ws.id)
        .join(ConsultationRound, ConsultationRound.id == Invitee.round_id)
        .add_columns(ConsultationRound)
        .where(
            ConsultationRound.answers_published_at.is_(None),
            ConsultationRound.closed_at.is_(None),
            *conditions,
        )
    )


def send_invitations(session: Session, ws: Workspace, on: date) -> int:
    """Invitations of rounds that have opened, for invitees not yet invited."""
    rows = session.execute(
        _invitees_with_round(
            ws,
            Invitee.invited_at.is_(None),
            ConsultationRound.starts_on <= on,
            ConsultationRound.ends_on >= on,
        )
    ).all()
    sent = 0
    for inv, r in rows:
        if deadline_of(inv, r) < on:
            continue
        invitees.send_invitation(session, ws, r, inv)
        sent += 1
    return sent


def send_reminders(session: Session, ws: Workspace, on: date) -> int:
    """A reminder ``reminder_days`` before an invitee's deadline, once, if it has not sent in
    its formal response."""
    submitted = (
        scoped(FormalResponse, ws.id)
        .with_only_columns(FormalResponse.invitee_id)
        .where(FormalResponse.submitted_at.is_not(None))
    )
    rows = session.execute(
        _invitees_with_round(
            ws,
            Invitee.invited_at.is_not(None),
            Invitee.reminded_at.is_(None),
            Invitee.id.not_in(submitted.scalar_subquery()),
            ConsultationRound.reminder_days > 0,
        )
    ).all()
    sent = 0
    for inv, r in rows:
        deadline = deadline_of(inv, r)
        if not deadline - timedelta(days=r.reminder_days) <= on <= deadline:
            continue
        title, day = r.title, deadline.strftime("%d.%m.%Y")

        def render(title: str = title, day: str = day) -> tuple[str, str]:
            return (
                _("Påminnelse: frist for høringen «{title}» er {date}").format(
                    title=title, date=day
                ),
                _(
                    "Fristen for innspill til høringen «{title}» er {date}. Vi har ikke fått "
                    "høringssvaret deres ennå."
                ).format(title=title, date=day),
            )

        if inv.kind != "guest":
            notifications.notify(
                session,
                ws,
                invitees.members_for(session, ws, inv),
                kinds.DEADLINE,
                f"/hoeringer/{r.id}",
                render,
                mail_body=REMINDER_MAIL,
            )
        elif inv.guest_email:
            subject, body = render()
            mail.enqueue(
                session,
                to=inv.guest_email,
                subject=subject,
                body=_(REMINDER_MAIL).format(body=body, link=_("lenken i invitasjonen")),
                workspace_id=ws.id,
            )
        inv.reminded_at = utcnow()
        sent += 1
    session.flush()
    return sent


def send_digests(
    session: Session, ws: Workspace, *, now: datetime | None = None, force: bool = False
) -> int:
    """One mail per person with the notices collected before 07:00 today (Norwegian time).
    ``force`` sends everything pending now (tests and the command line)."""
    now = now or utcnow()
    local = now.astimezone(OSLO)
    cutoff = datetime.combine(local.date(), time(DIGEST_HOUR), tzinfo=OSLO)
    if not force and local < cutoff:
        return 0
    query = scoped(StrategyNotice, ws.id).where(StrategyNotice.sent_at.is_(None))
    if not force:
        query = query.where(StrategyNotice.created_at < cutoff.astimezone(now.tzinfo))
    notices = list(session.scalars(query.order_by(StrategyNotice.user_id, StrategyNotice.id)))
    if not notices:
        return 0
    by_user: dict[int, list[StrategyNotice]] = {}
    for n in notices:
        by_user.setdefault(n.user_id, []).append(n)
    members = {
        m.user_id: m
        for m in accounts_service.members_with(
            session, ws.id, "strategies.read", user_ids=list(by_user)
        )
    }
    sent = 0
    for user_id, items in by_user.items():
        m = members.get(user_id)
        if m is not None and m.user.is_active:
            mail.enqueue(
                session,
                to=m.user.email,
                subject=_("Dagens sammendrag fra høringene i {county}").format(county=ws.name),
                body=_("Siden forrige sammendrag:\n\n{lines}\n").format(
                    lines="\n\n".join(f"- {n.text}" for n in items)
                ),
                workspace_id=ws.id,
            )
            sent += 1
        for n in items:
            n.sent_at = now
    session.flush()
    return sent


def run_workspace(session: Session, ws: Workspace, on: date | None = None) -> dict[str, int]:
    on = on or today()
    return {
        "invitations": send_invitations(session, ws, on),
        "reminders": send_reminders(session, ws, on),
        "digests": send_digests(session, ws) if on == today() else 0,
    }


def run_all(factory: sessionmaker[Session]) -> dict[str, int]:
    """Every workspace, each in its own transaction with its own scope."""
    totals = {"invitations": 0, "reminders": 0, "digests": 0}
    with factory() as session:
        workspaces = list(session.scalars(select(Workspace.id)))
    for ws_id in workspaces:
        with factory() as session:
            ws = session.get(Workspace, ws_id)
            if ws is None:
                continue
            set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
            done = run_workspace(session, ws)
            session.commit()
        for k, v in done.items():
            totals[k] += v
    if any(totals.values()):
        log.info("strategies jobs: %s", totals)
    return totals
