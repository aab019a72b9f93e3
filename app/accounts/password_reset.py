"""Password reset for local accounts: a one-time link by e-mail (or handed over by an operator,
``samspill user reset-password``). The link carries a random token; only its hash is kept. It
works once, until it expires (``password_reset_minutes``); choosing a new password ends every
session of the account and voids its other links.

Asking for a link answers the same whatever the address, so the form tells no one which
addresses have accounts; an account gets at most ``MAILS_PER_HOUR`` links an hour by the form."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from app.accounts.models import LoginAttempt, PasswordReset, User
from app.accounts.service import (
    end_user_sessions,
    get_user_by_email,
    hash_token,
    normalise_email,
    set_password,
    void_password_resets,
)
from app.config import Settings
from app.db import utcnow
from app.i18n import LOCALES, _, speaking
from app.mail import service as mail

log = logging.getLogger("samspill.accounts")

MAILS_PER_HOUR = 3


class ResetUnusable(Exception):
    """The link is unknown, used, expired, or its account can no longer use it."""


def can_reset(user: User) -> bool:
    """Only an active account with a password of its own (not one that signs in only through
    OpenID Connect) gets a link."""
    return user.is_active and user.password_hash is not None and not user.is_service


def reset_link(settings: Settings, token: str) -> str:
    return f"{settings.base_url.rstrip('/')}/nytt-passord/{token}"


def issue(session: Session, user: User, settings: Settings) -> tuple[PasswordReset, str]:
    """A new link for ``user``: the row (with its expiry) and the token for the URL. (Expired
    links are removed by `samspill purge`.)"""
    now = utcnow()
    token = secrets.token_urlsafe(32)
    row = PasswordReset(
        user_id=user.id,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(minutes=settings.password_reset_minutes),
    )
    session.add(row)
    session.flush()
    return row, token


def _issued_last_hour(session: Session, user_id: int) -> int:
    since = utcnow() - timedelta(hours=1)
    count = session.scalar(
        select(func.count(PasswordReset.id)).where(
            PasswordReset.user_id == user_id, PasswordReset.created_at >= since
        )
    )
    return int(count or 0)


def request_reset(session: Session, email: str, settings: Settings, *, locale: str) -> bool:
    """Someone asked for a link to ``email`` on the form. Mails one when the address belongs to
    an account that may have one and the hourly limit allows it; returns whether it did (the
    page says the same either way). ``locale`` is the page's language, for an account that has
    not chosen one."""
    email = normalise_email(email)
    if session.get_bind().dialect.name == "postgresql":
        # One request per address at a time, so parallel requests cannot pass the limit together.
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"reset:{email}"}
        )
    user = get_user_by_email(session, email)
    if user is None or not can_reset(user):
        return False
    if _issued_last_hour(session, user.id) >= MAILS_PER_HOUR:
        log.info(
            "password reset for user %s not sent: %s links in the last hour",
            user.id,
            MAILS_PER_HOUR,
        )
        return False
    _row, token = issue(session, user, settings)
    send_mail(session, user, token, settings, fallback_locale=locale)
    return True


def language_of(user: User, fallback: str) -> str:
    """The language the person chose for their mail, else ``fallback`` (the page's language,
    or the service's default)."""
    if user.locale is not None and user.locale in LOCALES:
        return user.locale
    return fallback


def send_mail(
    session: Session, user: User, token: str, settings: Settings, *, fallback_locale: str
) -> None:
    """Queue the mail with the link, in the person's language."""
    locale = language_of(user, fallback_locale)
    with speaking(locale if locale in LOCALES else settings.default_locale):
        subject = _("Nytt passord til Samspill")
        body = _(
            "Hei, {name}!\n\n"
            "Vi har fått en forespørsel om nytt passord for {email} i Samspill.\n\n"
            "Åpne lenken for å velge et nytt passord:\n{link}\n\n"
            "Lenken virker én gang og går ut om {minutes} minutter. Har du ikke bedt om dette, "
            "kan du se bort fra e-posten: passordet ditt er ikke endret.\n\n"
            "Hilsen Samspill"
        ).format(
            name=user.name,
            email=user.email,
            link=reset_link(settings, token),
            minutes=settings.password_reset_minutes,
        )
    mail.enqueue(session, to=user.email, subject=subject, body=body)


def find(session: Session, token: str, *, for_update: bool = False) -> tuple[PasswordReset, User]:
    """The link's row and account, or :class:`ResetUnusable`. Changes nothing."""
    query = select(PasswordReset).where(PasswordReset.token_hash == hash_token(token))
    if for_update and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()  # two tabs posting the same link: one wins
    row = session.scalar(query)
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise ResetUnusable()
    user = session.get(User, row.user_id)
    if user is None or not can_reset(user):
        raise ResetUnusable()
    return row, user


def complete(session: Session, token: str, password: str) -> User:
    """Set the new password through the link: the link is used up, the account's other links
    are voided, every session of the account ends, and the failed logins that may have locked
    it are forgiven (the person has shown they read its mail)."""
    row, user = find(session, token, for_update=True)
    set_password(user, password)
    row.used_at = utcnow()
    session.flush()
    void_password_resets(session, user.id)
    ended = end_user_sessions(session, user.id)
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.email == user.email, LoginAttempt.succeeded.is_(False)
        )
    )
    session.flush()
    log.info("password reset by link for user %s; %s sessions ended", user.id, ended)
    return user
