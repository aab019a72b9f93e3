"""What `samspill purge` removes from the accounts tables: sessions that have ended, login
attempts older than the throttle looks, OIDC logins never finished, password-reset links that
expired. None of it is needed once past; none of it is tenant data."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from app.accounts.models import LoginAttempt, OidcLogin, PasswordReset, UserSession
from app.config import Settings


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def purge(session: Session, settings: Settings, now: datetime) -> dict[str, int]:
    idle = now - timedelta(hours=settings.session_idle_hours)
    attempts_before = now - max(
        timedelta(days=1), timedelta(minutes=settings.login_failure_window_minutes)
    )
    return {
        "sessions": _count(
            session.execute(
                delete(UserSession).where(
                    or_(UserSession.expires_at < now, UserSession.last_seen_at < idle)
                )
            )
        ),
        "login attempts": _count(
            session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < attempts_before))
        ),
        "unfinished OIDC logins": _count(
            session.execute(
                delete(OidcLogin).where(OidcLogin.created_at < now - timedelta(hours=1))
            )
        ),
        "password-reset links": _count(
            # Expired, and older than the hour the "three mails an hour" limit counts.
            session.execute(
                delete(PasswordReset).where(
                    PasswordReset.expires_at < now,
                    PasswordReset.created_at < now - timedelta(hours=1),
                )
            )
        ),
    }
