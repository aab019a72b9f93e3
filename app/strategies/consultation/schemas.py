"""Input and read models of consultation rounds, for the pages and the JSON API alike. The rules
of a value by itself are here, with their messages; what needs the database the services check
(see ``app/strategies/schemas.py``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, AliasChoices, BaseModel, Field, ValidationInfo, field_validator

from app.accounts import service as accounts_service
from app.fields import is_one_line, length, one_line, one_of
from app.i18n import _, lazy
from app.strategies.models import ANSWERS, INVITEE_KINDS
from app.strategies.schemas import (
    MAX_SECTION_CHARS,
    UNSET,
    Choice,
    Day,
    Form,
    FormDate,
    SectionRead,
    VersionInfo,
    VersionSectionRead,
    choice,
    filled,
    listed,
    required,
    unix_newlines,
)

MAX_COMMENT = 5000
MAX_QUOTE = 1000
MAX_RESPONSE = 50_000


# --- input: rounds and invitees --------------------------------------------------------------


class RoundForm(Form):
    """A round's own fields, as its coordinator changes them."""

    title: Annotated[
        str,
        one_line(lazy("Tittelen må stå på én linje.")),
        length(3, 200, lazy("Tittelen må ha 3–200 tegn.")),
    ] = ""
    cover_text: Annotated[
        str, length(0, 20_000, lazy("Følgeteksten kan ha høyst 20 000 tegn."))
    ] = Field(default="", description="Markdown, at most 20 000 characters.")
    starts_on: Annotated[Day, filled(lazy("Skriv startdatoen."))] = UNSET
    ends_on: Annotated[Day, filled(lazy("Skriv sluttdatoen."))] = UNSET
    reminder_days: int = Field(default=3, description="0–30 days before the deadline.")

    @field_validator("ends_on")
    @classmethod
    def _ends_on(cls, value: date, info: ValidationInfo) -> date:
        starts_on = info.data.get("starts_on")
        if starts_on is not None and value < starts_on:
            raise ValueError(lazy("Sluttdatoen kan ikke ligge før startdatoen."))
        return value

    @field_validator("reminder_days", mode="before")
    @classmethod
    def _reminder_days(cls, value: Any) -> Any:
        days = choice(value)
        if not isinstance(days, int) or not 0 <= days <= 30:
            raise ValueError(lazy("Påminnelse kan sendes 0–30 dager før fristen."))
        return days


class RoundCreate(RoundForm):
    """A new round on a published version of the document."""

    version: int = Field(default=UNSET, description="The published version's number.")

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        return required(choice(value), lazy("Velg en publisert versjon. Publiser utkastet først."))


class InviteeCreate(Form):
    """One of: an organisation (`organisation_id`), a municipality of the county
    (`municipality_number`), a body (`body_id`) or a guest (`guest_name`, `guest_email`)."""

    kind: Annotated[
        str, listed(INVITEE_KINDS), one_of(INVITEE_KINDS, lazy("Velg hvem som skal inviteres."))
    ] = ""
    organisation_id: Choice = None
    municipality_number: str | None = Field(default=None, max_length=4)
    body_id: Choice = None
    guest_name: str = ""
    guest_email: str = ""
    deadline: FormDate = Field(default=None, description="A later deadline for this invitee.")

    @field_validator("guest_name")
    @classmethod
    def _guest_name(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("kind") != "guest":
            return value
        value = value.strip()
        if not 2 <= len(value) <= 200:
            raise ValueError(lazy("Skriv organisasjonens navn."))
        if not is_one_line(value):  # the name heads the invitation and the lists
            raise ValueError(lazy("Navnet må stå på én linje."))
        return value

    @field_validator("guest_email")
    @classmethod
    def _guest_email(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("kind") != "guest":
            return value
        email = accounts_service.normalise_email(value)
        try:  # the same check as every e-mail field of the app (pydantic's EmailStr uses it)
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            raise ValueError(lazy("Skriv en gyldig e-postadresse.")) from None
        return email


# --- input: comments, amendments, answers and formal responses -----------------------------


def comment_length(message: str) -> AfterValidator:
    """Without surrounding space, at most ``MAX_COMMENT`` characters; ``message`` names how
    many there are (``{n}``) and the limit (``{max}``)."""

    def check(value: str) -> str:
        value = value.strip()
        if len(value) > MAX_COMMENT:
            raise ValueError(_(message).format(n=len(value), max=MAX_COMMENT))
        return value

    return AfterValidator(check)


class CommentCreate(Form):
    section_key: str = Field(default="", max_length=16)
    body: Annotated[
        str, comment_length(lazy("Kommentaren er for lang: {n} tegn, høyst {max} er tillatt."))
    ] = Field(default="", description="1–5000 characters.")
    quote: Annotated[str, length(0, MAX_QUOTE, lazy("Sitatet kan ha høyst 1000 tegn."))] = Field(
        default="", description="A passage of the section, at most 1000 chars."
    )
    parent_id: Choice = Field(default=None, description="The comment this one replies to.")

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> str:
        if not value:
            raise ValueError(lazy("Skriv en kommentar."))
        return value


class AmendmentCreate(Form):
    section_key: str = Field(default="", max_length=16)
    proposed_text: str = Field(
        default="", description="The new text of the whole section (Markdown)."
    )
    # The page's form names the reason `body`, as a comment's text.
    reason: Annotated[
        str, comment_length(lazy("Begrunnelsen er for lang: {n} tegn, høyst {max} er tillatt."))
    ] = Field(
        default="",
        validation_alias=AliasChoices("reason", "body"),
        description="At most 5000 characters.",
    )
    base: str = Field(
        max_length=64,
        description="The `fingerprint` of the section text the proposal was written against. "
        "If it is not the section's text, the answer is 409 `section_changed` with the text.",
    )

    @field_validator("proposed_text")
    @classmethod
    def _proposed_text(cls, value: str) -> str:
        value = value.replace("\r\n", "\n").strip()
        if not value:
            raise ValueError(lazy("Skriv den nye teksten for avsnittet."))
        if len(value) > MAX_SECTION_CHARS:
            raise ValueError(lazy("Teksten kan ha høyst 50 000 tegn."))
        return value


class AnswerForm(Form):
    answer: Annotated[str, listed(ANSWERS), one_of(ANSWERS, lazy("Velg et svar fra lista."))] = ""
    reason: str = Field(default="", description="Required for `partly` and `not_accepted`.")

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        if len(value) > MAX_COMMENT:
            raise ValueError(lazy("Begrunnelsen kan ha høyst 5000 tegn."))
        if not value and info.data.get("answer") in ("partly", "not_accepted"):
            raise ValueError(lazy("Begrunn svaret."))
        return value


class ApplyForm(Form):
    draft_revision: int = Field(
        description="The draft section's `revision` the coordinator has seen; the amendment "
        "replaces the draft text only if nobody saved the section since."
    )


class ResponseForm(Form):
    body: Annotated[
        str,
        AfterValidator(unix_newlines),
        length(0, MAX_RESPONSE, lazy("Høringssvaret kan ha høyst 50 000 tegn.")),
    ] = Field(default="", description="At most 50 000 characters.")
    revision: int = Field(
        description="The response's `revision` this text was written against (0 for a new one)."
    )


class ResponsePageForm(ResponseForm):
    """The round page's form: the response of one of the invitees the person takes part for,
    saved, or saved and then looked over before it is sent (``preview``)."""

    invitee_id: int
    preview: bool = False


class ResponseSendForm(Form):
    """The preview's form: send the response looked over (``revision``), confirmed."""

    revision: int
    confirm: bool = False

    @field_validator("confirm", mode="before")
    @classmethod
    def _confirm(cls, value: Any) -> bool:
        return value is True or value in ("yes", "on", "1")


# --- read ----------------------------------------------------------------------------------


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
    closed_at: datetime | None = Field(
        description="When the coordinator closed the round before its deadline, if they did."
    )
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


class ResponseFileRead(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    created_at: datetime
    url: str = Field(description="Where to download the file (same permissions as the response).")


class ResponseRead(BaseModel):
    invitee_id: int
    organisation: str
    body: str
    revision: int
    updated_at: datetime
    updated_by: str
    submitted_at: datetime | None
    submitted_by: str | None
    files: list[ResponseFileRead] = Field(
        default_factory=list, description="Attached files (a signed letter), oldest first."
    )


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
    files: list[str] = Field(default_factory=list, description="Names of the attached files.")


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


class SectionChangedRead(BaseModel):
    code: str = "section_changed"
    message: str
    current: str = Field(description="The section's text.")
    fingerprint: str


class ResponseConflictRead(BaseModel):
    code: str = "edit_conflict"
    message: str
    response: ResponseRead = Field(description="The response as it is now.")
