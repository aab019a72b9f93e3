"""Input and read models of strategy documents and action plans, for the pages and the JSON API
alike (the consultation's are in ``consultation/schemas.py``).

The input models hold the rules a value must follow by itself (lengths, allowed values, dates
that parse), each with a message a person can act on; what needs the database (does the version
exist, is the quote in the section, is the organisation already invited) the services check.
HTML forms send nothing for an empty field (:func:`app.forms.parse` drops it), so the defaults
are validated too: a field that must be filled in says so with its own message, whether it came
empty or not at all."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from app.i18n import lazy
from app.strategies.models import KINDS, MEASURE_STATUSES

MAX_SECTION_CHARS = 50_000
KEY = re.compile(r"[0-9a-f]{1,16}")  # a section's key, as the service makes it (hex)


def one_of(values: tuple[str, ...], **kwargs: Any) -> Any:
    """A string field whose allowed values show in OpenAPI; a validator checks them."""
    return Field(json_schema_extra={"enum": list(values)}, **kwargs)


def _date(value: Any) -> Any:
    """A date as a date field sends it (``YYYY-MM-DD``): empty is no date, and one that does
    not parse is refused rather than saved as no date."""
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(lazy("Skriv en gyldig dato.")) from None
    return value


def choice(value: Any) -> Any:
    """A number chosen from a list (a select, a number field): what does not read as one is no
    choice, and the field's own rule says what to do."""
    if isinstance(value, str):
        return int(value) if value.isdecimal() and len(value) < 10 else None
    return value


def required(value: Any, message: str) -> Any:
    """For a ``mode="before"`` validator: a field that must be filled in, with its message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(message)
    return value


# The default of a field that must be filled in: the field's ``mode="before"`` validator refuses
# it with the field's own message (see :func:`required`), so it never reaches a service.
UNSET: Any = None

Day = Annotated[date, BeforeValidator(_date)]  # with a validator that says it must be given
FormDate = Annotated[date | None, BeforeValidator(_date)]
Choice = Annotated[int | None, BeforeValidator(choice)]


def length(value: str, low: int, high: int, message: str) -> str:
    """``value`` without surrounding space, ``low``–``high`` characters long."""
    value = value.strip()
    if not low <= len(value) <= high:
        raise ValueError(message)
    return value


def at_most(value: str, high: int, message: str) -> str:
    if len(value) > high:
        raise ValueError(message)
    return value


class Form(BaseModel):
    """An input model: its defaults are checked by the same rules as what was sent."""

    model_config = ConfigDict(validate_default=True)


# --- documents -------------------------------------------------------------------------------


class DocumentForm(Form):
    title: str = Field(default="", description="3–200 characters.")
    kind: str = one_of(KINDS, default="")
    summary: str = Field(default="", description="At most 5000 characters.")

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return length(value, 3, 200, lazy("Tittelen må ha 3–200 tegn."))

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(lazy("Velg en dokumenttype fra lista."))
        return value

    @field_validator("summary")
    @classmethod
    def _summary(cls, value: str) -> str:
        return at_most(value, 5000, lazy("Sammendraget kan ha høyst 5000 tegn.")).strip()


class SectionCreate(Form):
    heading: str = Field(default="", description="1–200 characters.")
    body: str = Field(default="", description="Markdown, at most 50 000 characters.")

    @field_validator("heading")
    @classmethod
    def _heading(cls, value: str) -> str:
        return length(value, 1, 200, lazy("Overskriften må ha 1–200 tegn."))

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> str:
        message = lazy("Teksten kan ha høyst 50 000 tegn.")
        return at_most(value, MAX_SECTION_CHARS, message).replace("\r\n", "\n")


class SectionUpdate(SectionCreate):
    revision: int = Field(
        description="The section's `revision` this text was written against. If someone saved "
        "the section since, the answer is 409 `edit_conflict` with the section as it is now."
    )


class MoveForm(Form):
    direction: str = one_of(("up", "down"), default="")

    @field_validator("direction")
    @classmethod
    def _direction(cls, value: str) -> str:
        if value not in ("up", "down"):
            raise ValueError(lazy("Velg opp eller ned."))
        return value


class PublishForm(Form):
    note: str = Field(default="", description="What changed; at most 2000 characters.")

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        return at_most(value, 2000, lazy("Merknaden kan ha høyst 2000 tegn.")).strip()


class AdoptionForm(Form):
    adopted_by: str = Field(default="", description="The political body that adopted it.")
    adopted_on: Day = UNSET
    case_number: str = Field(
        default="", description="Case number in the archive, at most 40 characters."
    )

    @field_validator("adopted_by")
    @classmethod
    def _adopted_by(cls, value: str) -> str:
        message = lazy("Skriv hvilket politisk organ som vedtok versjonen.")
        return length(value, 2, 200, message)

    @field_validator("adopted_on", mode="before")
    @classmethod
    def _adopted_on(cls, value: Any) -> Any:
        return required(value, lazy("Skriv vedtaksdatoen."))

    @field_validator("case_number")
    @classmethod
    def _case_number(cls, value: str) -> str:
        return length(value, 1, 40, lazy("Skriv saksnummeret (høyst 40 tegn)."))


# --- measures of an action plan --------------------------------------------------------------


class MeasureForm(Form):
    title: str = ""
    owner: str = ""
    partners: str = ""
    description: str = ""
    deadline: FormDate = None
    status: str = one_of(MEASURE_STATUSES, default="planned")
    section_key: str | None = Field(default=None, max_length=16)

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return length(value, 3, 200, lazy("Tittelen må ha 3–200 tegn."))

    @field_validator("owner")
    @classmethod
    def _owner(cls, value: str) -> str:
        return length(value, 2, 200, lazy("Skriv hvem som eier tiltaket."))

    @field_validator("partners")
    @classmethod
    def _partners(cls, value: str) -> str:
        return at_most(value, 500, lazy("Partnerlista kan ha høyst 500 tegn.")).strip()

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        return at_most(value, 5000, lazy("Beskrivelsen kan ha høyst 5000 tegn.")).strip()

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        if value not in MEASURE_STATUSES:
            raise ValueError(lazy("Velg en status fra lista."))
        return value

    @field_validator("section_key")
    @classmethod
    def _section_key(cls, value: str | None) -> str | None:
        """Whether the document has the section, the service checks; what is not a key at all
        is refused here."""
        if value and not KEY.fullmatch(value):
            raise ValueError(lazy("Velg et avsnitt i dokumentet."))
        return value or None


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


class EditConflictRead(BaseModel):
    code: str = "edit_conflict"
    message: str
    section: SectionRead = Field(description="The section as it is now.")


class SearchHitRead(BaseModel):
    kind: str  # "document", "section", "comment"
    id: int
    document_id: int
    document_title: str
    title: str  # the document, the section heading, or who commented (name, organisation)
    snippet_html: str  # escaped text with the matching words in <mark>
    url: str
