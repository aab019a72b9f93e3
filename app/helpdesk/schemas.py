"""The hjelpekorps' forms (one model for the page's form and the JSON API's body) and what the
JSON API answers with."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from app.accounts.models import User
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


class FollowUpForm(BaseModel):
    follow_up_on: date | None = None


# --- what the JSON API answers -------------------------------------------------------------


class UserRef(BaseModel):
    id: int
    name: str

    @classmethod
    def of(cls, user: User) -> UserRef:
        return cls(id=user.id, name=user.name)


class RequestSummary(BaseModel):
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
    assignees: list[UserRef]


class RequestPage(BaseModel):
    items: list[RequestSummary]
    next_before: int | None = Field(description="Pass as `before` for the next page.")


class RequestRead(RequestSummary):
    description: str
    requester: UserRef | None
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    follow_up_on: date | None
    rating: int | None
    rating_comment: str | None


class MessageRead(BaseModel):
    id: int
    author: UserRef | None
    internal: bool
    body: str
    created_at: datetime


class EventRead(BaseModel):
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
    state: str = Field(max_length=30)


class AttachmentRead(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    internal: bool
    message_id: int | None
    created_at: datetime
    url: str
