"""The meetings module's forms (one model for the page's form and the JSON API's body) and
what the JSON API answers with."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field

from app.fields import length, one_line, one_of, web_address
from app.i18n import lazy
from app.meetings.models import ATTENDANCE, KINDS

OneLine = one_line(lazy("Teksten må stå på én linje."))


class Link(BaseModel):
    title: Annotated[str, one_line(lazy("Lenketeksten må stå på én linje."))] = Field(
        default="", max_length=200
    )
    url: Annotated[
        str,
        Field(min_length=8, max_length=500),
        web_address(lazy("Nettadressen må begynne med https://")),
    ]


def _links(value: Any) -> Any:
    """A form's text field, one link a line ("Text https://…" or just the address), or the
    API's list of objects."""
    if isinstance(value, str):
        links = []
        for line in value.splitlines():
            line = line.strip()
            if line:
                title, _sep, url = line.rpartition(" ")
                links.append({"title": title.strip(" –-:|"), "url": url})
        return links
    return value


class MeetingForm(BaseModel):
    """A meeting: the day and the times are Norwegian time; ``end_day`` only when it ends on
    another day than it starts (a conference over two days)."""

    title: Annotated[str, OneLine, length(3, 200, lazy("Tittelen må ha 3–200 tegn."))]
    body_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    kind: Annotated[str, one_of(KINDS, lazy("Velg møte, webinar eller konferanse."))] = "meeting"
    day: date
    start: time
    end: time
    end_day: date | None = None
    place: Annotated[str, OneLine] = Field(default="", max_length=300)
    video_url: Annotated[
        str, Field(max_length=500), web_address(lazy("Nettadressen må begynne med https://"))
    ] = ""
    organiser: Annotated[str, OneLine] = Field(default="", max_length=200)
    description: str = Field(default="", max_length=5000)
    recording_url: Annotated[
        str, Field(max_length=500), web_address(lazy("Nettadressen må begynne med https://"))
    ] = ""
    slides_url: Annotated[
        str, Field(max_length=500), web_address(lazy("Nettadressen må begynne med https://"))
    ] = ""


class SeriesForm(BaseModel):
    """A webinar series: a session every ``cadence_days`` days."""

    title: Annotated[str, OneLine, length(3, 200, lazy("Tittelen må ha 3–200 tegn."))]
    theme: Annotated[str, OneLine] = Field(default="", max_length=500)
    cadence_days: int = Field(default=14, ge=1, le=365)
    body_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    organiser: Annotated[str, OneLine] = Field(default="", max_length=200)


class SessionsForm(BaseModel):
    """The next ``count`` sessions of a series, ``cadence_days`` apart: after the last one (at
    its times), or from ``day`` when the series has none yet."""

    count: int = Field(default=4, ge=1, le=26)
    day: date | None = None
    start: time = time(14, 0)
    end: time = time(15, 0)


class AgendaItemForm(BaseModel):
    title: Annotated[str, OneLine, length(2, 200, lazy("Tittelen må ha 2–200 tegn."))]
    responsible: Annotated[str, OneLine] = Field(default="", max_length=200)
    minutes_allotted: int | None = Field(default=None, ge=1, le=600)
    papers: Annotated[list[Link], BeforeValidator(_links)] = Field(
        default_factory=list, max_length=20
    )


class MinutesForm(BaseModel):
    minutes: str = Field(default="", max_length=20000)


class DecisionForm(BaseModel):
    text: Annotated[str, length(2, 5000, lazy("Skriv vedtaket (2–5000 tegn)."))]
    responsible_id: int = Field(ge=1, le=2**31 - 1)
    due_on: date | None = None


class AttendanceEntry(BaseModel):
    municipality_number: Annotated[str, Field(min_length=4, max_length=4)]
    status: Annotated[
        str, one_of(ATTENDANCE, lazy("Velg til stede, fraværende eller representert."))
    ]
    represented_by: Annotated[str, OneLine] = Field(default="", max_length=200)


class AttendanceForm(BaseModel):
    entries: list[AttendanceEntry] = Field(default_factory=list, max_length=400)


class InviteeRead(BaseModel):
    municipality_number: str | None
    organisation_id: int | None
    name: str


class DecisionRead(BaseModel):
    id: int
    agenda_item_id: int
    text: str
    responsible_id: int | None
    responsible_name: str
    due_on: date | None
    done: bool
    overdue: bool


class PaperRead(BaseModel):
    id: int
    agenda_item_id: int
    filename: str
    content_type: str
    size: int
    created_at: datetime
    url: str = Field(description="Where to download the file (whoever may read the meeting).")


class AgendaItemRead(BaseModel):
    id: int
    number: int
    title: str
    responsible: str
    minutes_allotted: int | None
    papers: list[Link]
    files: list[PaperRead] = Field(default_factory=list, description="The item's papers as files")
    minutes: str
    decisions: list[DecisionRead]


class AttendanceRead(BaseModel):
    municipality_number: str
    municipality_name: str
    status: str
    represented_by: str


class MeetingRead(BaseModel):
    id: int
    body_id: int | None
    body_name: str | None
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    place: str
    video_url: str
    organiser: str
    description: str
    own: bool = Field(description="False for a meeting of a body another county shares")
    minutes_approved_at: datetime | None
    updated_at: datetime
    series_id: int | None = None
    recording_url: str = ""
    slides_url: str = ""


class MeetingDetailRead(MeetingRead):
    invited: list[InviteeRead]
    agenda: list[AgendaItemRead]
    attendance: list[AttendanceRead]


class SeriesRead(BaseModel):
    id: int
    title: str
    theme: str
    cadence_days: int
    body_id: int | None
    body_name: str | None
    organiser: str
    updated_at: datetime


class SeriesDetailRead(SeriesRead):
    sessions: list[MeetingRead] = Field(
        description="Sessions held, newest first (the first page; see `next_cursor`)"
    )
    upcoming: list[MeetingRead] = Field(description="Sessions not yet held, soonest first")
    next_cursor: str | None
