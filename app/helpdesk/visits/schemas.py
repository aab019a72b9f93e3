"""On-site visits: the forms (one model for the page and the API) and what the JSON API answers
with."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from app.fields import one_line
from app.helpdesk.schemas import ReadModel, UserRef
from app.i18n import lazy


class VisitForm(BaseModel):
    day: date
    start: time
    end: time
    place: Annotated[str, one_line(lazy("Teksten må stå på én linje."))] = Field(
        min_length=2, max_length=300
    )
    helpers: list[int] = Field(default_factory=list)
    # Planned although a helper has another visit at the time (the form said so, and the
    # coordinator chose to keep both: two requests on one trip).
    despite_clash: bool = False

    @model_validator(mode="after")
    def _times(self) -> VisitForm:
        if self.end <= self.start:
            raise ValueError(lazy("Sluttid må være etter starttid."))
        return self


class VisitReportForm(BaseModel):
    report: str = Field(min_length=1, max_length=5000)


class VisitRead(ReadModel):
    id: int
    starts_at: datetime
    ends_at: datetime
    place: str
    report: str
    helpers: list[UserRef]
