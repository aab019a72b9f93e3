"""Deadline reminders by e-mail, and the address book's way out of them.

Some days before a call's deadline (the scheme's ``reminder_days``, which the county's note may
override; 21 and 7 by default) the contact persons whose area the scheme is about, in every
municipality of the workspace, and the county's coordinators get a reminder — one mail per
address and run listing every call due for it, in the recipient's own language.

Sending is idempotent: a :class:`DeadlineReminder` row per (call, day, address) is written in
the same transaction (a savepoint per mail) as the mail is queued, and its unique constraint
turns a second, concurrent run into a no-op for that address. When several reminder days are
due at once (the worker was down, or the call was recorded late) one reminder goes out and
every due day is marked as sent. Nothing is sent once the deadline has passed.

``job`` is run every hour by ``samspill worker``; ``samspill schemes-reminders`` runs it once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.clock import at, local_date, utcnow
from app.config import get_settings
from app.counties import service as counties_service
from app.counties.models import Workspace
from app.errors import NotFound
from app.i18n import LOCALES, lazy
from app.mail import service as mail
from app.networks import contacts as networks_contacts
from app.networks.models import Person
from app.notifications import kinds
from app.notifications import service as notifications
from app.notifications.kinds import APP
from app.schemes import reminder_token, service
from app.schemes.models import DeadlineReminder, ReminderOptOut, SchemeCall, SchemeNote
from app.schemes.reminder_mail import Recipient, compose
from app.tenancy import scoped, set_db_scope

log = logging.getLogger("samspill.schemes")

SEND_TIME = time(7, 0)  # a reminder day's mail goes out from 07:00 Norwegian time
HORIZON_DAYS = 366  # the longest reminder a scheme may ask for is 365 days
PAGE = 500
BAD_LINK = lazy(
    "Lenken for å melde seg av påminnelser er ugyldig eller ufullstendig. Bruk lenken i den "
    "siste e-posten du fikk, og kopier hele lenken."
)


@dataclass
class Due:
    """A call with the reminder days that have come (not yet per address)."""

    call: SchemeCall
    days: list[int]


# --- what is due ---------------------------------------------------------------------------


def due_calls(session: Session, ws: Workspace, now: datetime) -> list[Due]:
    """Calls not yet closed whose reminder days (one or more) have come by ``now``."""
    calls = [
        c
        for c in service.deadlines(session, ws, start=now, end=now + timedelta(days=HORIZON_DAYS))
        if c.deadline > now and c.scheme.archived_at is None
    ]
    if not calls:
        return []
    scheme_ids = sorted({c.scheme_id for c in calls})
    notes = {
        n.scheme_id: n
        for n in session.scalars(
            scoped(SchemeNote, ws.id).where(SchemeNote.scheme_id.in_(scheme_ids))
        )
    }
    due = []
    for call in calls:
        deadline_day = local_date(call.deadline)
        days = [
            d
            for d in service.reminder_days(call.scheme, notes.get(call.scheme_id))
            if now >= at(deadline_day - timedelta(days=d), SEND_TIME)
        ]
        if days:
            due.append(Due(call, sorted(days, reverse=True)))
    return due


def _contacts(session: Session, ws: Workspace, areas: Iterable[str]) -> list[Person]:
    """The workspace's contact persons responsible for any of ``areas`` (networks' service)."""
    persons: dict[int, Person] = {}
    for area in sorted(set(areas)):
        offset = 0
        while True:
            rows, total = networks_contacts.search_persons(
                session, ws, area=area, limit=PAGE, offset=offset
            )
            persons.update((p.id, p) for p in rows)
            offset += PAGE
            if offset >= total or not rows:
                break
    return list(persons.values())


def _opted_out(session: Session, ws: Workspace) -> set[str]:
    query = scoped(ReminderOptOut, ws.id).with_only_columns(ReminderOptOut.email)
    return {e.lower() for e in session.scalars(query)}


def _already_sent(
    session: Session, ws: Workspace, call_ids: list[int]
) -> set[tuple[int, int, str]]:
    query = scoped(DeadlineReminder, ws.id).where(DeadlineReminder.call_id.in_(call_ids))
    return {(r.call_id, r.days_before, r.email) for r in session.scalars(query)}


def language_of(session: Session, who: Recipient, users_checked: bool) -> str:
    """The recipient's own language when they have an account that chose one; else the
    service's default (bokmål)."""
    locale = who.locale
    if locale is None and not users_checked:
        user = accounts_service.get_user_by_email(session, who.email)
        if user is not None and user.is_active:
            locale = user.locale
    default = get_settings().default_locale
    return locale if locale in LOCALES else default


# --- the run -------------------------------------------------------------------------------


def run_workspace(session: Session, ws: Workspace, now: datetime | None = None) -> dict[str, int]:
    """Queue the reminders due in ``ws`` at ``now`` (the current time unless given). The caller
    has set the workspace scope and commits."""
    now = now or utcnow()
    totals = {"mails": 0, "reminders": 0, "skipped": 0}
    due = due_calls(session, ws, now)
    if not due:
        return totals

    recipients: dict[str, Recipient] = {}
    accounts: dict[str, User] = {}
    for m in accounts_service.members_with(session, ws.id, "schemes.manage"):
        email = accounts_service.normalise_email(m.user.email)
        accounts[email] = m.user
        recipients[email] = Recipient(
            email=email, name=m.user.name, locale=m.user.locale, coordinator=True
        )
    coordinators = set(recipients)
    persons = _contacts(session, ws, (a for d in due for a in d.call.scheme.areas or []))
    opted_out = _opted_out(session, ws)
    sent = _already_sent(session, ws, [d.call.id for d in due])

    digest: dict[str, list[Due]] = defaultdict(list)
    for item in due:
        areas = set(item.call.scheme.areas or [])
        wanted = set(coordinators)
        for person in persons:
            matched = areas & {r.area for r in person.responsibilities}
            email = accounts_service.normalise_email(person.email or "")
            if not matched or "@" not in email:
                continue
            wanted.add(email)
            who = recipients.setdefault(email, Recipient(email=email, name=person.name))
            who.contact_for.setdefault(person.municipality.name, set()).update(matched)
        for email in sorted(wanted - opted_out):
            days = [d for d in item.days if (item.call.id, d, email) not in sent]
            if days:
                digest[email].append(Due(item.call, days))

    for email, items in digest.items():
        who = recipients[email]
        locale = language_of(session, who, users_checked=email in coordinators)
        calls = [i.call for i in items]
        subject, body, headers = compose(ws, who, calls, now, locale)
        try:
            with session.begin_nested():
                session.add_all(
                    DeadlineReminder(
                        workspace_id=ws.id,
                        call_id=i.call.id,
                        days_before=d,
                        email=email,
                        sent_at=now,
                    )
                    for i in items
                    for d in i.days
                )
                session.flush()
                mail.enqueue(
                    session,
                    to=email,
                    subject=subject,
                    body=body,
                    workspace_id=ws.id,
                    headers=headers,
                )
                if email in accounts:  # also in the coordinator's list (already in their language)
                    notifications.notify(
                        session,
                        ws,
                        [accounts[email]],
                        kinds.DEADLINE,
                        "/virkemidler/frister",
                        lambda subject=subject: (subject, ""),  # type: ignore[misc]
                        channel=APP,
                    )
        except IntegrityError:
            # Another run sent this address its reminder in the meantime: that one counts.
            totals["skipped"] += 1
            continue
        totals["mails"] += 1
        totals["reminders"] += sum(len(i.days) for i in items)
    return totals


def run_all(factory: sessionmaker[Session], now: datetime | None = None) -> dict[str, int]:
    """Every workspace, each in its own transaction with its own scope; one that fails is
    logged and tried again next time, the others go on."""
    totals = {"workspaces": 0, "mails": 0, "reminders": 0, "skipped": 0}
    with factory() as session:
        workspace_ids = list(session.scalars(select(Workspace.id).order_by(Workspace.id)))
    for ws_id in workspace_ids:
        try:
            with factory() as session:
                ws = session.get(Workspace, ws_id)
                if ws is None:
                    continue
                set_db_scope(
                    session, workspace_id=ws.id, user_id=None, county_number=ws.county_number
                )
                done = run_workspace(session, ws, now)
                session.commit()
        except Exception:  # the next run tries again; nothing of this workspace was kept
            log.exception("deadline reminders of workspace %s failed", ws_id)
            continue
        totals["workspaces"] += 1
        for key, value in done.items():
            totals[key] += value
    if totals["mails"]:
        log.info("deadline reminders: %s", totals)
    return totals


def job(factory: sessionmaker[Session]) -> dict[str, int]:
    """The worker's hourly job: the reminders due now."""
    return run_all(factory)


# --- stopping them (the link in the mail) --------------------------------------------------


def open_link(session: Session, workspace_slug: str, token: str) -> tuple[Workspace, str]:
    """The workspace and address of an opt-out link, with the workspace's scope set; a link
    that was not made by us for this workspace is a 404 that says so."""
    ws = counties_service.get_workspace(session, workspace_slug)
    found = reminder_token.read(token)
    if found is None or found[0] != ws.id:
        raise NotFound(BAD_LINK)
    set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    return ws, found[1]


def _opt_out_row(session: Session, ws: Workspace, email: str) -> ReminderOptOut | None:
    return session.scalar(scoped(ReminderOptOut, ws.id).where(ReminderOptOut.email == email))


def is_opted_out(session: Session, ws: Workspace, email: str) -> bool:
    return _opt_out_row(session, ws, email) is not None


def opt_out(session: Session, ws: Workspace, email: str) -> None:
    """No more reminders from this workspace to ``email`` (again is no change)."""
    if _opt_out_row(session, ws, email) is not None:
        return
    try:
        with session.begin_nested():
            session.add(ReminderOptOut(workspace_id=ws.id, email=email))
            session.flush()
    except IntegrityError:
        pass  # the same link clicked twice at once: the other click stored it


def opt_in(session: Session, ws: Workspace, email: str) -> None:
    """Reminders to ``email`` again (undoing :func:`opt_out`)."""
    row = _opt_out_row(session, ws, email)
    if row is not None:
        session.delete(row)
        session.flush()
