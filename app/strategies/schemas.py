"""Input and read models of the strategies JSON API.

Input models hold the types; the rules (lengths, allowed values, dates) live in the services,
which answer 422 with the field and a message a person can act on. The allowed values are
listed in the OpenAPI description all the same."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from app.i18n import lazy
from app.strategies.models import ANSWERS, INVITEE_KINDS, KINDS, MEASURE_STATUSES


def _one_of(values: tuple[str, ...], **kwargs: Any) -> Any:
    """A string field whose allowed values show in OpenAPI; the service checks them."""
    return Field(json_schema_extra={"enum": list(values)}, **kwargs)


# --- input ---------------------------------------------------------------------------------


class DocumentForm(BaseModel):
    title: str = Field(description="3–200 characters.")
    kind: str = _one_of(KINDS)
    summary: str = Field(default="", description="At most 5000 characters.")


class SectionCreate(BaseModel):
    heading: str = Field(description="1–200 characters.")
    body: str = Field(default="", description="Markdown, at most 50 000 characters.")


class SectionUpdate(SectionCreate):
    revision: int = Field(
        description="The section's `revision` this text was written against. If someone saved "
        "the section since, the answer is 409 `edit_conflict` with the section as it is now."
    )


class MoveForm(BaseModel):
    direction: str = _one_of(("up", "down"))

    @field_validator("direction")
    @classmethod
    def _direction(cls, value: str) -> str:
        if value not in ("up", "down"):
            raise ValueError(lazy("Velg opp eller ned."))
        return value


class PublishForm(BaseModel):
    note: str = Field(default="", description="What changed; at most 2000 characters.")


class AdoptionForm(BaseModel):
    adopted_by: str = Field(description="The political body that adopted the version.")
    adopted_on: date | None = None
    case_number: str = Field(description="Case number in the archive, at most 40 characters.")


class RoundCreate(BaseModel):
    version: int | None = Field(default=None, description="The published version's number.")
    title: str
    cover_text: str = Field(default="", description="Markdown, at most 20 000 characters.")
    starts_on: date | None = None
    ends_on: date | None = None
    reminder_days: int = Field(default=3, description="0–30 days before the deadline.")


class InviteeCreate(BaseModel):
    """One of: an organisation (`organisation_id`), a municipality of the county
    (`municipality_number`), a body (`body_id`) or a guest (`guest_name`, `guest_email`)."""

    kind: str = _one_of(INVITEE_KINDS)
    organisation_id: int | None = None
    municipality_number: str | None = Field(default=None, max_length=4)
    body_id: int | None = None
    guest_name: str = ""
    guest_email: str = ""
    deadline: date | None = Field(default=None, description="A later deadline for this invitee.")


class CommentCreate(BaseModel):
    section_key: str = Field(max_length=16)
    body: str = Field(description="1–5000 characters.")
    quote: str = Field(default="", description="A passage of the section, at most 1000 chars.")
    parent_id: int | None = Field(default=None, description="The comment this one replies to.")


class AmendmentCreate(BaseModel):
    section_key: str = Field(max_length=16)
    proposed_text: str = Field(description="The new text of the whole section (Markdown).")
    reason: str = Field(default="", description="At most 5000 characters.")
    base: str = Field(
        max_length=64,
        description="The `fingerprint` of the section text the proposal was written against. "
        "If it is not the section's text, the answer is 409 `section_changed` with the text.",
    )


class AnswerForm(BaseModel):
    answer: str = _one_of(ANSWERS)
    reason: str = Field(default="", description="Required for `partly` and `not_accepted`.")


class ApplyForm(BaseModel):
    draft_revision: int = Field(
        description="The draft section's `revision` the coordinator has seen; the amendment "
        "replaces the draft text only if nobody saved the section since."
    )


class ResponseForm(BaseModel):
    body: str = Field(description="At most 50 000 characters.")
    revision: int = Field(
        description="The response's `revision` this text was written against (0 for a new one)."
    )


class MeasureForm(BaseModel):
    title: str
    owner: str
    partners: str = ""
    description: str = ""
    deadline: date | None = None
    status: str = _one_of(MEASURE_STATUSES, default="planned")
    section_key: str | None = Field(default=None, max_length=16)


# --- read ----------------------------------------------------------------------------------


class DocumentRead(BaseModel):
    id: int
    title: str
    kind: str
    summary: str
    created_at: datetime
    updated_at: datetime


class DocumentRow(DocumentRead):
    sections: int
    latest_version: int | None
    adopted_version: int | None


class SectionRead(BaseModel):
    id: int
    key: str = Field(description="Follows the section through every version.")
    position: int
    heading: str
    body: str
    revision: int
    updated_at: datetime
    updated_by: str | None


class DocumentDetail(DocumentRead):
    sections: list[SectionRead]


class VersionInfo(BaseModel):
    number: int
    note: str
    published_at: datetime
    adopted_by: str | None = Field(description="Set once a political body adopted it.")
    adopted_on: date | None
    case_number: str | None


class VersionRead(VersionInfo):
    published_by: str | None


class VersionSectionRead(BaseModel):
    key: str
    position: int
    heading: str
    body: str
    fingerprint: str = Field(description="Pass as `base` when proposing an amendment.")


class VersionDetail(VersionRead):
    sections: list[VersionSectionRead]


class PieceRead(BaseModel):
    op: str = Field(description="`same`, `added` or `removed`.")
    text: str


class SectionChangeRead(BaseModel):
    change: str = Field(description="`same`, `changed`, `added` or `removed`.")
    key: str
    heading: str
    old_heading: str | None
    moved: bool
    old_body: str
    new_body: str
    pieces: list[PieceRead] = Field(description="Word diff of the text, for `changed`.")


class Comparison(BaseModel):
    from_version: int
    to_version: int | None = Field(description="`null`: the working draft.")
    changes: list[SectionChangeRead]


class RoundRead(BaseModel):
    id: int
    title: str
    cover_text: str
    document_id: int
    document_title: str
    version: int
    starts_on: date
    ends_on: date
    reminder_days: int
    state: str = Field(description="`planned`, `open` or `closed`.")
    answers_published_at: datetime | None


class InviteeRef(BaseModel):
    id: int
    name: str
    deadline: date


class InviteeRead(InviteeRef):
    kind: str
    organisation_id: int | None
    municipality_number: str | None
    body_id: int | None
    guest_email: str | None
    invited_at: datetime | None


class CommentRead(BaseModel):
    id: int
    section_key: str
    parent_id: int | None
    kind: str = Field(description="`comment` or `amendment`.")
    quote: str | None
    body: str = Field(description="The comment, or the reason for an amendment.")
    proposed_text: str | None
    author_name: str
    author_org: str
    created_at: datetime
    answer: str | None = Field(description="Shown to participants once answers are published.")
    answer_reason: str | None
    answered_at: datetime | None
    applied: bool = Field(description="An accepted amendment written into the draft.")


class ThreadRead(CommentRead):
    replies: list[CommentRead]


class RoundSectionRead(VersionSectionRead):
    threads: list[ThreadRead]


class ResponseRead(BaseModel):
    invitee_id: int
    organisation: str
    body: str
    revision: int
    updated_at: datetime
    updated_by: str
    submitted_at: datetime | None
    submitted_by: str | None


class RoundPageRead(BaseModel):
    round: RoundRead
    deadline: date | None = Field(description="The caller's last day to take part.")
    can_comment: bool
    can_reply: bool
    can_answer: bool
    sees_answers: bool
    my_invitees: list[InviteeRef] = Field(description="Whom the caller takes part for.")
    invited: list[str] = Field(description="Who is invited (høringsliste).")
    invitees: list[InviteeRead] = Field(description="The invitees in full; for staff only.")
    sections: list[RoundSectionRead]
    responses: list[ResponseRead]
    comments: int
    unanswered: int | None


class AnswerRead(BaseModel):
    comment: CommentRead
    applied: bool
    draft_section: SectionRead | None = Field(
        description="Set when an accepted amendment was not written in because the draft "
        "section changed since the consulted version: apply it with its `revision`."
    )


class MeasureRead(BaseModel):
    id: int
    document_id: int
    section_key: str | None
    title: str
    description: str
    owner: str
    partners: str
    deadline: date | None
    status: str
    overdue: bool
    created_at: datetime
    updated_at: datetime


class SummarySection(BaseModel):
    key: str
    position: int
    heading: str
    items: list[ThreadRead]


class SummaryResponse(BaseModel):
    organisation: str
    body: str
    submitted_by: str
    submitted_at: datetime | None


class SummaryRead(BaseModel):
    round: RoundRead
    document_kind: str
    version: VersionInfo
    invited: list[str]
    sections: list[SummarySection]
    responses: list[SummaryResponse]
    comments: int
    amendments: int
    unanswered: int
    by_answer: dict[str, int]


# --- conflicts -----------------------------------------------------------------------------


class EditConflictRead(BaseModel):
    code: str = "edit_conflict"
    message: str
    section: SectionRead = Field(description="The section as it is now.")


class SectionChangedRead(BaseModel):
    code: str = "section_changed"
    message: str
    current: str = Field(description="The section's text.")
    fingerprint: str


class ResponseConflictRead(BaseModel):
    code: str = "edit_conflict"
    message: str
    response: ResponseRead = Field(description="The response as it is now.")


class SearchHitRead(BaseModel):
    kind: str  # "document", "section", "comment"
    id: int
    document_id: int
    document_title: str
    title: str  # the document, the section heading, or who commented (name, organisation)
    snippet_html: str  # escaped text with the matching words in <mark>
    url: str
