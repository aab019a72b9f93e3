"""Notify people of an event, each in their own language and the way they chose; list, open and
mark their notifications; send the daily digests. Flushes, never commits.

A notification belongs to a person and is always queried by their id (``scoped_by_user``): one
person never reaches another's. It is written in the workspace where the event happened."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.accounts.models import User
from app.config import get_settings
from app.counties.models import Workspace
from app.db import utcnow
from app.errors import InvalidInput, NotFound
from app.i18n import LOCALES, _, lazy, speaking
from app.mail import service as mail
from app.mail.attachments import Attachment
from app.notifications.kinds import APP, CHANNELS, DEFAULT_CHANNEL, DIGEST, EMAIL, KINDS
from app.notifications.models import Notification, NotificationPreference
from app.tenancy import require_scoped, scoped, scoped_by_user, set_system_scope

Render = Callable[[], tuple[str, str]]
"""Called once per recipient, in the recipient's language: the title (one line) and the text."""

MAIL_BODY = lazy("{body}\n\nSe mer i Samspill: {link}\n")
DIGEST_HOUR = 7  # the digest goes out after 07:00 Norwegian time with the events before it
PAGE_SIZE = 30


def language_of(user: User) -> str:
    """The language the person chose (saved when they pick one), else the service's default."""
    return user.locale if user.locale in LOCALES else get_settings().default_locale


def page_url(slug: str, path: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/{slug}{path}"


def _one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def channels(session: Session, user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each person's choice for ``kind``; those who chose nothing get e-mail at once."""
    ids = sorted(set(user_ids))
    chosen = dict(
        session.execute(
            select(NotificationPreference.user_id, NotificationPreference.channel).where(
                NotificationPreference.user_id.in_(ids), NotificationPreference.kind == kind
            )
        ).all()
    )
    return {uid: chosen.get(uid, DEFAULT_CHANNEL) for uid in ids}


def notify(
    session: Session,
    ws: Workspace,
    recipients: Iterable[User],
    kind: str,
    path: str,
    render: Render,
    *,
    headers: dict[str, Any] | None = None,
    subject_prefix: str = "",
    mail_body: str = MAIL_BODY,
    channel: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> list[Notification]:
    """Tell each recipient of an event in ``ws``: a notification in their list, and by their
    choice for ``kind`` a mail at once (``email``) or a line of tomorrow's digest (``digest``).

    ``render()`` is called for each recipient inside their language, so the title and the text
    of both the notification and the mail are theirs, whoever acted. ``path`` is the page inside
    the workspace (``/hjelp/12``). ``headers`` (a mail thread), ``subject_prefix`` (a reference)
    and ``mail_body`` (a msgid with ``{body}`` and ``{link}``) shape the mail; ``channel``
    overrides the person's choice (``app``: the caller mails in its own way). ``attachments``
    (an invitation's calendar event) go with the mail of those who get it at once; such a mail
    is never collected into a digest, and the daily digest carries only the link."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    people: dict[int, User] = {}
    for user in recipients:
        if user.is_active and not user.is_service:
            people.setdefault(user.id, user)
    if not people:
        return []
    chosen = channels(session, people, kind) if channel is None else {}
    rows = []
    for user in people.values():
        how = channel or chosen[user.id]
        with speaking(language_of(user)):
            title, body = render()
            row = Notification(
                workspace_id=ws.id,
                user_id=user.id,
                kind=kind,
                title=_one_line(title, 200),
                body=_one_line(body, 500),
                path=path[:300],
                delivery=how,
                created_at=utcnow(),
            )
            session.add(row)
            rows.append(row)
            if how == EMAIL:
                mail.enqueue(
                    session,
                    to=user.email,
                    subject=f"{subject_prefix}{_one_line(title, 280)}",
                    body=_(mail_body).format(
                        body=body.strip() or title, link=page_url(ws.slug, path)
                    ),
                    workspace_id=ws.id,
                    headers=headers,
                    notification=True,
                    attachments=attachments,
                )
    session.flush()
    return rows


# --- a person's list -------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    id: int
    kind: str
    title: str
    body: str
    created_at: datetime
    read: bool
    workspace_name: str


@dataclass(frozen=True)
class Listing:
    items: list[Item]
    unread: int
    next_before: int | None  # the id to page on from, when there are older ones


def unread_count(session: Session, user_id: int) -> int:
    """How many of the person's notifications are unread — one query, for the header bell."""
    return int(
        session.scalar(
            scoped_by_user(Notification, user_id)
            .with_only_columns(func.count(), maintain_column_froms=True)
            .where(Notification.read_at.is_(None))
        )
        or 0
    )


def unread_count_column(user_id: int) -> Any:
    """:func:`unread_count` as a column of another statement about the same person (the
    request's set-up reads their memberships): the header bell then costs no query of its own.
    Counted under the same rule as the bell's own query (their own notifications; on
    PostgreSQL the ``own_rows`` policy on ``app.user_id``)."""
    return require_scoped(
        scoped_by_user(Notification, user_id)
        .with_only_columns(func.count(), maintain_column_froms=True)
        .where(Notification.read_at.is_(None))
    ).scalar_subquery()


def listing(
    session: Session, user_id: int, *, before: int | None = None, limit: int = PAGE_SIZE
) -> Listing:
    """The person's notifications from every workspace, newest first, ``limit`` at a time
    (older than the notification ``before``): two queries whatever their number."""
    query = (
        scoped_by_user(Notification, user_id)
        .join(Workspace, Workspace.id == Notification.workspace_id)
        .add_columns(Workspace.name)
        .order_by(Notification.id.desc())
        .limit(limit + 1)
    )
    if before is not None:
        query = query.where(Notification.id < before)
    rows = session.execute(query).all()
    items = [
        Item(
            id=n.id,
            kind=n.kind,
            title=n.title,
            body=n.body,
            created_at=n.created_at,
            read=n.read_at is not None,
            workspace_name=name,
        )
        for n, name in rows[:limit]
    ]
    more = len(rows) > limit
    return Listing(
        items=items,
        unread=unread_count(session, user_id),
        next_before=items[-1].id if more and items else None,
    )


def _own(session: Session, user_id: int, notification_id: int) -> Notification:
    row = session.scalar(
        scoped_by_user(Notification, user_id).where(Notification.id == notification_id)
    )
    if row is None:
        raise NotFound()
    return row


def open_one(session: Session, user_id: int, notification_id: int) -> str:
    """Mark the person's notification read; the address of the page it is about."""
    row = _own(session, user_id, notification_id)
    if row.read_at is None:
        row.read_at = utcnow()
        session.flush()
    ws = session.get(Workspace, row.workspace_id)
    if ws is None:
        raise NotFound()
    return f"/{ws.slug}{row.path}"


def mark_all_read(session: Session, user_id: int) -> int:
    """Mark every unread notification of the person read; how many."""
    rows = list(
        session.scalars(scoped_by_user(Notification, user_id).where(Notification.read_at.is_(None)))
    )
    now = utcnow()
    for row in rows:
        row.read_at = now
    session.flush()
    return len(rows)


# --- preferences ---------------------------------------------------------------------------


def preferences(session: Session, user_id: int) -> dict[str, str]:
    """The person's choice for every kind (the default where they chose nothing)."""
    chosen = dict(
        session.execute(
            select(NotificationPreference.kind, NotificationPreference.channel).where(
                NotificationPreference.user_id == user_id
            )
        ).all()
    )
    return {kind: chosen.get(kind, DEFAULT_CHANNEL) for kind in KINDS}


def save_preferences(
    session: Session, user: User, wanted: dict[str, str], locale: str | None = None
) -> None:
    """Store a choice for each kind (every kind must have a known channel) and, if given, the
    person's language."""
    errors = {
        kind: _("Velg «{app}», «{email}» eller «{digest}».").format(
            app=_(CHANNELS[APP]), email=_(CHANNELS[EMAIL]), digest=_(CHANNELS[DIGEST])
        )
        for kind in KINDS
        if wanted.get(kind) not in CHANNELS
    }
    if locale is not None and locale not in LOCALES:
        errors["locale"] = _("Velg bokmål, nynorsk eller English.")
    if errors:
        raise InvalidInput(errors)
    existing = {
        p.kind: p
        for p in session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    for kind in KINDS:
        row = existing.get(kind)
        if row is None:
            session.add(NotificationPreference(user_id=user.id, kind=kind, channel=wanted[kind]))
        else:
            row.channel = wanted[kind]
    if locale is not None:
        user.locale = locale
    session.flush()


# --- the daily digest --------------------------------------------------------------------------


def digest_cutoff(now: datetime) -> datetime:
    """The latest 07:00 (Norwegian time) at or before ``now``: a digest carries the events
    before it, so however often the job runs, each person gets at most one a day."""
    local = now.astimezone(clock.OSLO)
    day = local.date() if local.time() >= time(DIGEST_HOUR) else local.date() - timedelta(days=1)
    return clock.at(day, time(DIGEST_HOUR))


def send_digests(session: Session, *, now: datetime | None = None) -> int:
    """One mail per person, in their language, listing every digest event not yet mailed that
    happened before the last 07:00, from all their workspaces, each with its link. Returns how
    many mails; run again, it finds nothing more to send."""
    now = now or utcnow()
    cutoff = digest_cutoff(now)
    set_system_scope(session)
    workspaces = list(session.scalars(select(Workspace).order_by(Workspace.name)))
    pending: dict[int, list[tuple[Workspace, Notification]]] = {}
    for ws in workspaces:
        rows = session.scalars(
            scoped(Notification, ws.id)
            .where(
                Notification.delivery == DIGEST,
                Notification.mailed_at.is_(None),
                Notification.created_at < cutoff,
            )
            .order_by(Notification.id)
        )
        for row in rows:
            pending.setdefault(row.user_id, []).append((ws, row))
    if not pending:
        return 0
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(pending)))}
    sent = 0
    for user_id, events in pending.items():
        user = users.get(user_id)
        if user is not None and user.is_active and not user.is_service:
            with speaking(language_of(user)):
                lines = [
                    f"- {ws.name}: {n.title}\n  {page_url(ws.slug, n.path)}" for ws, n in events
                ]
                mail.enqueue(
                    session,
                    to=user.email,
                    subject=_("Dagens varsler fra Samspill ({n})").format(n=len(events)),
                    body=_("Dette har skjedd siden forrige oppsummering:\n\n{lines}\n").format(
                        lines="\n\n".join(lines)
                    ),
                    workspace_id=None,
                )
            sent += 1
        for _ws, n in events:
            n.mailed_at = now
    session.flush()
    return sent


def digest_job(factory: sessionmaker[Session]) -> int:
    """The periodic job (hourly; it sends only once a day per person)."""
    with factory() as session, session.begin():
        return send_digests(session)
