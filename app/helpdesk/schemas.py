"""The hjelpekorps' forms (one model for the page's form and the JSON API's body) and what the
JSON API answers with."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from app.fields import one_line, one_of
from app.helpdesk.models import CATEGORIES, PRIORITIES, URGENCIES
from app.i18n import lazy


class RequestForm(BaseModel):
    category: Annotated[str, one_of(CATEGORIES, lazy("Velg hva dere trenger hjelp til."))]
    title: Annotated[str, one_line(lazy("Overskriften må stå på én linje."))] = Field(
        min_length=3, max_length=200
    )
    description: str = Field(min_length=1, max_length=5000)
    urgency: Annotated[str, one_of(URGENCIES, lazy("Velg hvor mye det haster."))] = "normal"
    on_site: bool = False
    municipality_number: str | None = Field(default=None, max_length=4)


class ReplyForm(BaseModel):
    body: str = Field(min_length=1, max_length=10000)
    internal: bool = False


class TriageForm(BaseModel):
    category: Annotated[str, one_of(CATEGORIES, lazy("Ukjent kategori."))]
    priority: Annotated[str, one_of(PRIORITIES, lazy("Ukjent prioritet."))]
    assignees: list[int] = Field(default_factory=list)


class RatingForm(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


class FollowUpForm(BaseModel):
    follow_up_on: date | None = None


# --- what the JSON API answers -------------------------------------------------------------


class ReadModel(BaseModel):
    """A model the JSON API answers with, read from a row's (or a result's) attributes."""

    model_config = ConfigDict(from_attributes=True)


class UserRef(ReadModel):
    id: int
    name: str


class RequestSummary(ReadModel):
    number: int
    title: str
    state: str
    category: str
    priority: str
    urgency: str
    on_site: bool
    municipality_number: str
    municipality_name: str
    created_at: datetime
    updated_at: datetime
    assignees: list[UserRef]


class RequestRead(RequestSummary):
    description: str
    requester: UserRef | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    follow_up_on: date | None
    rating: int | None
    rating_comment: str | None


class MessageRead(ReadModel):
    id: int
    author: UserRef | None
    internal: bool
    body: str
    created_at: datetime


class EventRead(ReadModel):
    id: int
    at: datetime
    actor: UserRef | None
    kind: str
    from_state: str | None
    to_state: str | None
    detail: dict[str, Any]


class RequestDetailRead(RequestRead):
    messages: list[MessageRead]
    events: list[EventRead]
    allowed_transitions: list[str]


class TransitionForm(BaseModel):
    """A move to another state; ``message`` goes to the requester in the conversation, and
    resolving needs one (what was done, and how to reopen)."""

    state: str = Field(max_length=30)
    message: str = Field(default="", max_length=10000)


class AttachmentRead(ReadModel):
    id: int
    filename: str
    content_type: str
    size: int
    internal: bool
    message_id: int | None
    created_at: datetime
    url: str
