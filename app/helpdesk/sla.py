"""Service levels counted in working hours: Monday–Friday within the working day, Norwegian
public holidays excluded (the maintained `holidays` library), in Norwegian time. Time spent
waiting for the municipality does not count towards resolution."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy.orm import Session

from app.clock import OSLO
from app.counties import service as counties_service
from app.counties.models import Workspace
from app.errors import InvalidInput
from app.i18n import lazy

LEVEL_PRIORITIES = ("urgent", "high", "normal", "low")

# Working hours a priority allows, for the first response and for resolution (the defaults).
FIRST_RESPONSE_HOURS = {"urgent": 4, "high": 8, "normal": 15, "low": 30}
RESOLUTION_HOURS = {"urgent": 15, "high": 37, "normal": 75, "low": 150}


class SlaSettings(BaseModel):
    """A workspace's service levels and working day, kept in the workspace settings."""

    day_start: str = "08:00"
    day_end: str = "15:30"
    first_response_hours: dict[str, int] = Field(default_factory=lambda: dict(FIRST_RESPONSE_HOURS))
    resolution_hours: dict[str, int] = Field(default_factory=lambda: dict(RESOLUTION_HOURS))

    @field_validator("day_start", "day_end")
    @classmethod
    def _clock(cls, value: str) -> str:
        try:
            parsed = time.fromisoformat(value)
        except ValueError:
            raise ValueError(lazy("Skriv klokkeslett som TT:MM, for eksempel 08:00.")) from None
        return parsed.strftime("%H:%M")

    @field_validator("first_response_hours", "resolution_hours")
    @classmethod
    def _hours(cls, value: dict[str, int]) -> dict[str, int]:
        if set(value) != set(LEVEL_PRIORITIES):
            raise ValueError(lazy("Oppgi timer for hver prioritet."))
        if any(not 1 <= h <= 2000 for h in value.values()):
            raise ValueError(lazy("Timene må være hele tall fra 1 til 2000."))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SlaSettings:
        start, end = time.fromisoformat(self.day_start), time.fromisoformat(self.day_end)
        if end <= start:
            raise ValueError(lazy("Arbeidsdagen må slutte etter at den begynner."))
        if (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute) < 60:
            raise ValueError(lazy("Arbeidsdagen må være minst én time."))
        if any(self.first_response_hours[p] > self.resolution_hours[p] for p in LEVEL_PRIORITIES):
            raise ValueError(lazy("Fristen for første svar kan ikke være lengre enn for løsning."))
        return self

    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(time.fromisoformat(self.day_start), time.fromisoformat(self.day_end))


SETTINGS_KEY = "helpdesk"
HOURS_MESSAGE = lazy("Skriv et helt antall timer fra 1 til 2000.")


class LevelsForm(BaseModel):
    """The service-level form: the working day and hours per priority, as typed."""

    # An empty field is left out by the form parser: validate the defaults too, so that it
    # gets the same message as a wrong number.
    model_config = ConfigDict(extra="ignore", validate_default=True)

    day_start: str = ""
    day_end: str = ""
    first_urgent: int = 0
    first_high: int = 0
    first_normal: int = 0
    first_low: int = 0
    resolve_urgent: int = 0
    resolve_high: int = 0
    resolve_normal: int = 0
    resolve_low: int = 0

    @field_validator(
        *(f"{prefix}_{p}" for prefix in ("first", "resolve") for p in LEVEL_PRIORITIES),
        mode="before",
    )
    @classmethod
    def _hours(cls, value: object) -> int:
        raw = str(value or "").strip()
        if not raw.isdecimal() or not 1 <= int(raw) <= 2000:
            raise ValueError(HOURS_MESSAGE)
        return int(raw)

    def levels(self) -> SlaSettings:
        """The settings, or :class:`InvalidInput` naming the working day's fields or ``sla``."""
        try:
            return SlaSettings(
                day_start=self.day_start,
                day_end=self.day_end,
                first_response_hours={p: getattr(self, f"first_{p}") for p in LEVEL_PRIORITIES},
                resolution_hours={p: getattr(self, f"resolve_{p}") for p in LEVEL_PRIORITIES},
            )
        except ValidationError as exc:
            errors: dict[str, str] = {}
            for err in exc.errors():
                field = str(err["loc"][-1]) if err["loc"] else ""
                key = field if field in ("day_start", "day_end") else "sla"
                errors.setdefault(key, str((err.get("ctx") or {}).get("error") or err["msg"]))
            raise InvalidInput(errors) from None

    @classmethod
    def values_of(cls, levels: SlaSettings) -> dict[str, str]:
        values = {"day_start": levels.day_start, "day_end": levels.day_end}
        for p in LEVEL_PRIORITIES:
            values[f"first_{p}"] = str(levels.first_response_hours[p])
            values[f"resolve_{p}"] = str(levels.resolution_hours[p])
        return values


def levels_of(ws: Workspace) -> SlaSettings:
    """The workspace's service levels (the defaults until someone saves others)."""
    try:
        return SlaSettings.model_validate(counties_service.module_settings(ws, SETTINGS_KEY))
    except ValidationError:
        return SlaSettings()


def save_levels(session: Session, ws: Workspace, levels: SlaSettings) -> None:
    counties_service.save_module_settings(session, ws, SETTINGS_KEY, levels.model_dump(mode="json"))


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NO", years=year).keys())


@dataclass(frozen=True)
class WorkingCalendar:
    day_start: time = time(8, 0)
    day_end: time = time(15, 30)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in _holidays(day.year)

    def _window(self, day: date) -> tuple[datetime, datetime]:
        return (
            datetime.combine(day, self.day_start, OSLO),
            datetime.combine(day, self.day_end, OSLO),
        )

    def add(self, start: datetime, minutes: float) -> datetime:
        """The moment ``minutes`` working minutes after ``start``."""
        current = start.astimezone(OSLO)
        remaining = timedelta(minutes=minutes)
        day = current.date()
        for _ in range(3660):  # ten years of days at most
            if self.is_working_day(day):
                open_at, close_at = self._window(day)
                begin = max(current, open_at)
                if begin < close_at:
                    available = close_at - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)
            current = datetime.combine(day, time(0, 0), OSLO)
        raise ValueError("service level beyond ten years")

    def minutes_between(self, a: datetime, b: datetime) -> float:
        """Working minutes from ``a`` to ``b`` (0 when b is before a)."""
        a, b = a.astimezone(OSLO), b.astimezone(OSLO)
        if b <= a:
            return 0.0
        total = timedelta()
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                open_at, close_at = self._window(day)
                lo, hi = max(a, open_at), min(b, close_at)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total.total_seconds() / 60


CALENDAR = WorkingCalendar()
DEFAULT_LEVELS = SlaSettings()


def paused_minutes(
    waits: Iterable[tuple[datetime, datetime | None]],
    now: datetime,
    cal: WorkingCalendar = CALENDAR,
) -> float:
    """Working minutes spent waiting for the municipality; an open wait runs until now."""
    return sum(cal.minutes_between(start, end or now) for start, end in waits)


@dataclass
class Due:
    first_response_due: datetime
    resolution_due: datetime
    first_response_overdue: bool
    resolution_overdue: bool

    @property
    def overdue(self) -> bool:
        return self.first_response_overdue or self.resolution_overdue


def due_times(
    *,
    created_at: datetime,
    priority: str,
    first_response_at: datetime | None,
    resolved_at: datetime | None,
    waits: Iterable[tuple[datetime, datetime | None]],
    now: datetime,
    levels: SlaSettings = DEFAULT_LEVELS,
) -> Due:
    cal = levels.calendar()
    first_due = cal.add(created_at, levels.first_response_hours[priority] * 60)
    paused = paused_minutes(waits, resolved_at or now, cal)
    resolution_due = cal.add(created_at, levels.resolution_hours[priority] * 60 + paused)
    return Due(
        first_response_due=first_due,
        resolution_due=resolution_due,
        first_response_overdue=(first_response_at or now) > first_due,
        resolution_overdue=(resolved_at or now) > resolution_due,
    )
