from __future__ import annotations

from datetime import date, time

from pydantic import BaseModel, Field, field_validator, model_validator

from app.helpdesk.models import CATEGORIES, PRIORITIES, URGENCIES
from app.i18n import lazy


class RequestForm(BaseModel):
    category: str
    title: str = Field(min_length=3, max_length=200)
    description: str = Field(min_length=1, max_length=5000)
    urgency: str = "normal"
    on_site: bool = False
    municipality_number: str | None = Field(default=None, max_length=4)

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(lazy("Velg hva dere trenger hjelp til."))
        return value

    @field_validator("title")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise ValueError(lazy("Overskriften må stå på én linje."))
        return value

    @field_validator("urgency")
    @classmethod
    def _urgency(cls, value: str) -> str:
        if value not in URGENCIES:
            raise ValueError(lazy("Velg hvor mye det haster."))
        return value


class ReplyForm(BaseModel):
    body: str = Field(min_length=1, max_length=10000)
    internal: bool = False


class TriageForm(BaseModel):
    category: str
    priority: str
    assignees: list[int] = Field(default_factory=list)

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(lazy("Ukjent kategori."))
        return value

    @field_validator("priority")
    @classmethod
    def _priority(cls, value: str) -> str:
        if value not in PRIORITIES:
            raise ValueError(lazy("Ukjent prioritet."))
        return value


class RatingForm(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


class VisitForm(BaseModel):
    day: date
    start: time
    end: time
    place: str = Field(min_length=2, max_length=300)
    helpers: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _times(self) -> VisitForm:
        if self.end <= self.start:
            raise ValueError(lazy("Sluttid må være etter starttid."))
        return self


class VisitReportForm(BaseModel):
    report: str = Field(min_length=1, max_length=5000)


class FollowUpForm(BaseModel):
    follow_up_on: date | None = None


class StepForm(BaseModel):
    step_title: str = Field(min_length=2, max_length=200)
    due_on: date | None = None


class LinkForm(BaseModel):
    other: str = Field(min_length=1, max_length=20)


class TimeForm(BaseModel):
    """Time spent, written as hours with a decimal comma or point ("1,5") or as h:mm."""

    worked_on: date
    hours: str = Field(min_length=1, max_length=8)
    note: str = Field(default="", max_length=300)

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        if parse_minutes(value) is None:
            raise ValueError(lazy("Skriv tiden i timer, for eksempel 1,5 eller 0:45 (høyst 24)."))
        return value

    @property
    def minutes(self) -> int:
        minutes = parse_minutes(self.hours)
        assert minutes is not None  # checked by the validator
        return minutes


def parse_minutes(raw: str) -> int | None:
    """Minutes from "1,5", "1.5", "2" or "0:45"; None unless 1 minute to 24 hours."""
    text = raw.strip().replace(" ", "")
    try:
        if ":" in text:
            h, m = text.split(":", 1)
            if not (h.isdecimal() and m.isdecimal() and len(m) == 2 and int(m) < 60):
                return None
            minutes = int(h) * 60 + int(m)
        else:
            minutes = round(float(text.replace(",", ".")) * 60)
    except (ValueError, OverflowError):
        return None
    return minutes if 1 <= minutes <= 1440 else None
