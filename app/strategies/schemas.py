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

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)

from app.fields import at_most, length, one_line, one_of
from app.i18n import lazy
from app.strategies.models import KINDS, MEASURE_STATUSES

MAX_SECTION_CHARS = 50_000
KEY = re.compile(r"[0-9a-f]{1,16}")  # a section's key, as the service makes it (hex)


def listed(values: tuple[str, ...]) -> Any:
    """The allowed values of a string field, shown in OpenAPI (``one_of`` checks them)."""
    return Field(json_schema_extra={"enum": list(values)})


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


def filled(message: str) -> BeforeValidator:
    """A field that must be filled in, with its message (see :func:`required`)."""
    return BeforeValidator(lambda value: required(value, message))


def unix_newlines(value: str) -> str:
    return value.replace("\r\n", "\n")


class Form(BaseModel):
    """An input model: its defaults are checked by the same rules as what was sent."""

    model_config = ConfigDict(validate_default=True)


# --- documents -------------------------------------------------------------------------------


class DocumentForm(Form):
    title: Annotated[
        str,
        one_line(lazy("Tittelen må stå på én linje.")),
        length(3, 200, lazy("Tittelen må ha 3–200 tegn.")),
    ] = Field(default="", description="3–200 characters, one line.")
    kind: Annotated[str, listed(KINDS), one_of(KINDS, lazy("Velg en dokumenttype fra lista."))] = ""
    summary: Annotated[str, length(0, 5000, lazy("Sammendraget kan ha høyst 5000 tegn."))] = Field(
        default="", description="At most 5000 characters."
    )


class SectionCreate(Form):
    heading: Annotated[
        str,
        one_line(lazy("Overskriften må stå på én linje.")),
        length(1, 200, lazy("Overskriften må ha 1–200 tegn.")),
    ] = Field(default="", description="1–200 characters, one line.")
    body: Annotated[
        str,
        at_most(MAX_SECTION_CHARS, lazy("Teksten kan ha høyst 50 000 tegn.")),
        AfterValidator(unix_newlines),
    ] = Field(default="", description="Markdown, at most 50 000 characters.")


class SectionUpdate(SectionCreate):
    revision: int = Field(
        description="The section's `revision` this text was written against. If someone saved "
        "the section since, the answer is 409 `edit_conflict` with the section as it is now."
    )


DIRECTIONS = ("up", "down")


class MoveForm(Form):
    direction: Annotated[
        str, listed(DIRECTIONS), one_of(DIRECTIONS, lazy("Velg opp eller ned."))
    ] = ""


class PublishForm(Form):
    note: Annotated[str, length(0, 2000, lazy("Merknaden kan ha høyst 2000 tegn."))] = Field(
        default="", description="What changed; at most 2000 characters."
    )


class AdoptionForm(Form):
    adopted_by: Annotated[
        str,
        one_line(lazy("Navnet må stå på én linje.")),
        length(2, 200, lazy("Skriv hvilket politisk organ som vedtok versjonen.")),
    ] = Field(default="", description="The political body that adopted it.")
    adopted_on: Annotated[Day, filled(lazy("Skriv vedtaksdatoen."))] = UNSET
    case_number: Annotated[
        str,
        one_line(lazy("Teksten må stå på én linje.")),
        length(1, 40, lazy("Skriv saksnummeret (høyst 40 tegn).")),
    ] = Field(default="", description="Case number in the archive, at most 40 characters.")


# --- measures of an action plan --------------------------------------------------------------


class MeasureForm(Form):
    title: Annotated[
        str,
        one_line(lazy("Tittelen må stå på én linje.")),
        length(3, 200, lazy("Tittelen må ha 3–200 tegn.")),
    ] = ""
    owner: Annotated[
        str,
        one_line(lazy("Eieren må stå på én linje.")),
        length(2, 200, lazy("Skriv hvem som eier tiltaket.")),
    ] = ""
    partners: Annotated[
        str,
        one_line(lazy("Teksten må stå på én linje.")),
        length(0, 500, lazy("Partnerlista kan ha høyst 500 tegn.")),
    ] = ""
    description: Annotated[str, length(0, 5000, lazy("Beskrivelsen kan ha høyst 5000 tegn."))] = ""
    deadline: FormDate = None
    status: Annotated[
        str, listed(MEASURE_STATUSES), one_of(MEASURE_STATUSES, lazy("Velg en status fra lista."))
    ] = "planned"
    section_key: str | None = Field(default=None, max_length=16)

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
