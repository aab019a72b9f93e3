"""The plan, links and time spent: the forms (one model for the page and the API) and what the
JSON API answers with."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator

from app.fields import one_line
from app.helpdesk.schemas import ReadModel, UserRef
from app.i18n import lazy


class StepForm(BaseModel):
    step_title: Annotated[str, one_line(lazy("Tittelen må stå på én linje."))] = Field(
        min_length=2, max_length=200
    )
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


class StepRead(ReadModel):
    id: int
    position: int
    title: str
    due_on: date | None
    done: bool
    done_at: datetime | None


class StepDone(BaseModel):
    done: bool


class LinkRead(ReadModel):
    id: int
    number: int
    title: str
    state: str
    municipality_name: str


class TimeRead(ReadModel):
    id: int
    user: UserRef
    worked_on: date
    minutes: int
    note: str


class TimeSheet(ReadModel):
    total_minutes: int
    by_helper: list[dict[str, Any]] = Field(description="`user` and `minutes` per helper.")
    entries: list[TimeRead]
