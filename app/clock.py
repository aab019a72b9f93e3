"""Norwegian time: the one place that knows the time zone.

Times are stored in UTC (see :class:`app.db.AwareDateTime`); what a person sees, and what
"today" means for a deadline or a membership, is Norwegian time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def now() -> datetime:
    """The current time, aware, in Norwegian time."""
    return datetime.now(OSLO)


def utcnow() -> datetime:
    """The current time, aware, in UTC (what is stored)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Norway (not the server's date, which may be UTC)."""
    return now().date()


def local(value: datetime) -> datetime:
    """A stored (UTC) time as Norwegian time."""
    return value.astimezone(OSLO)


def local_date(value: datetime) -> date:
    """The Norwegian date of a stored time."""
    return value.astimezone(OSLO).date()


def at(day: date, clock_time: time = time(0, 0)) -> datetime:
    """A Norwegian wall-clock time on ``day`` as an aware UTC time, ready to store or compare."""
    return datetime.combine(day, clock_time, OSLO).astimezone(UTC)
