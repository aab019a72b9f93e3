"""The schemes module's forms (one model for the page's form and the JSON API's body) and what
the JSON API answers with."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    model_validator,
)

from app.fields import all_of, at_least, at_most, length, matches, one_line, one_of, web_address
from app.i18n import lazy
from app.schemes.models import LEVELS, PARTICIPATION_STATUSES, SCHEME_AREAS

MUNICIPALITY_NUMBER = r"[0-9]{4}"


def _day_list(value: Any) -> Any:
    """``"21, 7"`` (a form field) or ``[21, 7]`` (JSON) → the days, largest first."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
        try:
            return [int(p) for p in parts]
        except ValueError:
            raise ValueError(lazy("Skriv antall dager som hele tall, skilt med komma.")) from None
    return value


def _check_days(days: list[int] | None) -> list[int] | None:
    if days is None:
        return None
    if len(days) > 5 or any(not 0 <= d <= 365 for d in days):
        raise ValueError(lazy("Opptil fem påminnelser, hver 0–365 dager før fristen."))
    return sorted(set(days), reverse=True)


ReminderDays = Annotated[list[int], BeforeValidator(_day_list), AfterValidator(_check_days)]
Areas = Annotated[
    list[str],
    all_of(SCHEME_AREAS, lazy("Ukjent område.")),
    AfterValidator(lambda areas: [a for a in SCHEME_AREAS if a in areas]),
]
WebAddress = Annotated[
    str, Field(max_length=500), web_address(lazy("Nettadressen må begynne med https://"))
]
Kroner = Annotated[
    int | None, Field(le=10**12), at_least(0, lazy("Beløpet kan ikke være negativt."))
]


class SchemeForm(BaseModel):
    """A county's own scheme."""

    name: Annotated[
        str,
        one_line(lazy("Navnet må stå på én linje.")),
        length(2, 200, lazy("Navnet må ha 2–200 tegn.")),
    ]
    owner: Annotated[str, one_line(lazy("Eieren må stå på én linje.")), at_most(200, "")] = ""
    level: Annotated[str, one_of(LEVELS, lazy("Velg nasjonalt eller regionalt."))] = "regional"
    purpose: str = Field(default="", max_length=5000)
    eligible: str = Field(default="", max_length=5000)
    co_funding: str = Field(default="", max_length=2000)
    areas: Areas = Field(default_factory=list)
    url: WebAddress = ""
    reminder_days: ReminderDays = Field(default_factory=lambda: [21, 7])


class NoteForm(BaseModel):
    """The county's own word on a national scheme."""

    contact_name: Annotated[str, one_line(lazy("Navnet må stå på én linje."))] = Field(
        default="", max_length=200
    )
    contact_email: EmailStr | None = None
    advice: str = Field(default="", max_length=5000)
    reminder_days: ReminderDays | None = None


class CallForm(BaseModel):
    """A call for applications. The deadline is a date and a time of day in Norwegian time."""

    title: Annotated[
        str,
        one_line(lazy("Tittelen må stå på én linje.")),
        length(2, 200, lazy("Tittelen må ha 2–200 tegn.")),
    ]
    opens_on: date | None = None
    deadline_date: date
    deadline_time: time = time(13, 0)
    budget: Kroner = None
    url: WebAddress = ""
    description: str = Field(default="", max_length=5000)

    @model_validator(mode="after")
    def _order(self) -> CallForm:
        if self.opens_on and self.deadline_date < self.opens_on:
            raise ValueError(lazy("Fristen kan ikke være før utlysningen åpner."))
        return self


class CallCreate(CallForm):
    """A new call through the API: which scheme, and the call itself."""

    scheme_id: int


class ParticipationForm(BaseModel):
    """An application or project: the scheme, the year, one lead municipality and partners."""

    scheme_id: int
    call_id: int | None = None
    year: Annotated[int, Field(ge=1990, le=2100)]
    title: Annotated[str, one_line(lazy("Tittelen må stå på én linje."))] = Field(
        default="", max_length=300
    )
    status: Annotated[str, one_of(PARTICIPATION_STATUSES, lazy("Velg en gyldig status."))] = (
        "applying"
    )
    amount_applied: Kroner = None
    amount_granted: Kroner = None
    lead: Annotated[str, matches(MUNICIPALITY_NUMBER, lazy("Velg kommunen som leder søknaden."))]
    partners: Annotated[
        list[str],
        AfterValidator(lambda values: sorted({v for v in values if v})),
    ] = Field(default_factory=list, max_length=400)
    body_id: int | None = None
    help_request_number: int | None = None
    notes: str = Field(default="", max_length=5000)

    @model_validator(mode="after")
    def _members(self) -> ParticipationForm:
        if self.lead in self.partners:
            self.partners = [p for p in self.partners if p != self.lead]
        return self


# --- API -----------------------------------------------------------------------------------


class SchemeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str | None
    national: bool
    name: str
    owner: str
    level: str
    purpose: str
    eligible: str
    co_funding: str
    areas: list[str]
    url: str
    status_note: str
    reminder_days: list[int]
    note: NoteRead | None = None
    next_deadline: datetime | None = None
    open_now: bool = False
    updated_at: datetime


class NoteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    contact_name: str
    contact_email: str
    advice: str
    reminder_days: list[int] | None


class CallRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    scheme_id: int
    scheme_name: str
    title: str
    opens_on: date | None
    deadline: datetime
    budget: int | None
    url: str
    description: str
    state: str
    updated_at: datetime


class MemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    municipality_number: str
    municipality_name: str
    role: str


class ParticipationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    scheme_id: int
    scheme_name: str
    call_id: int | None
    year: int
    title: str
    status: str
    amount_applied: int | None
    amount_granted: int | None
    body_id: int | None
    help_request_id: int | None
    innovation_id: int | None
    notes: str
    members: list[MemberRead]
    updated_at: datetime


SchemeRead.model_rebuild()
