"""The innovations module's forms (one model for the page's form and the JSON API's body) and
what the JSON API answers with."""

from __future__ import annotations

from datetime import date, datetime
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

from app.fields import all_of, length, matches, one_line, one_of, web_address
from app.i18n import lazy
from app.innovations.models import ADOPTION_STATES, CHANNELS, INNOVATION_AREAS, PHASES, ROLES

MUNICIPALITY = matches(r"[0-9]{4}", lazy("Velg en kommune."))


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
            if not line:
                continue
            title, _sep, url = line.rpartition(" ")
            links.append({"title": title.strip(" –-:|"), "url": url})
        return links
    return value


class InnovationForm(BaseModel):
    title: Annotated[
        str,
        one_line(lazy("Tittelen må stå på én linje.")),
        length(3, 200, lazy("Tittelen må ha 3–200 tegn.")),
    ]
    problem: str = Field(default="", max_length=5000)
    solution: str = Field(default="", max_length=20000)
    areas: Annotated[
        list[str],
        all_of(INNOVATION_AREAS, lazy("Ukjent område.")),
        AfterValidator(lambda areas: [a for a in INNOVATION_AREAS if a in areas]),
    ] = Field(default_factory=list)
    origin_municipality_number: Annotated[str | None, MUNICIPALITY] = None
    origin_body_id: int | None = None
    contact_name: Annotated[str, one_line(lazy("Navnet må stå på én linje."))] = Field(
        default="", max_length=200
    )
    contact_email: EmailStr | None = None
    phase: Annotated[str, one_of(PHASES, lazy("Velg en fase i veikartet."))] = "anchoring"
    adoption_cost: str = Field(default="", max_length=2000)
    links: Annotated[list[Link], BeforeValidator(_links)] = Field(
        default_factory=list, max_length=20
    )
    internal_note: str = Field(default="", max_length=5000)

    @model_validator(mode="after")
    def _origin(self) -> InnovationForm:
        if not self.origin_municipality_number and not self.origin_body_id:
            raise ValueError(lazy("Oppgi kommunen eller rådet/nettverket løsningen kommer fra."))
        return self


class RoleForm(BaseModel):
    municipality_number: Annotated[str, MUNICIPALITY]
    role: Annotated[str, one_of(ROLES, lazy("Velg en gyldig rolle."))]
    spreading_role: str = Field(default="", max_length=2000)


class AdoptionForm(BaseModel):
    municipality_number: Annotated[str, MUNICIPALITY]
    status: Annotated[str, one_of(ADOPTION_STATES, lazy("Velg en gyldig status."))] = "considering"
    reason: str = Field(default="", max_length=2000)
    started_on: date | None = None
    in_use_on: date | None = None

    @model_validator(mode="after")
    def _rules(self) -> AdoptionForm:
        if self.status == "abandoned" and not self.reason.strip():
            raise ValueError(lazy("Skriv kort hvorfor kommunen ikke gikk videre."))
        if self.started_on and self.in_use_on and self.in_use_on < self.started_on:
            raise ValueError(lazy("Datoen for tatt i bruk kan ikke være før oppstart."))
        return self


class SpreadTargetForm(BaseModel):
    municipality_number: Annotated[str | None, MUNICIPALITY] = None
    body_id: int | None = None
    channel: Annotated[str, one_of(CHANNELS, lazy("Velg en kanal."))] = "body"
    channel_note: Annotated[str, one_line(lazy("Teksten må stå på én linje."))] = Field(
        default="", max_length=300
    )
    planned_on: date | None = None

    @model_validator(mode="after")
    def _one(self) -> SpreadTargetForm:
        if bool(self.municipality_number) == bool(self.body_id):
            raise ValueError(lazy("Velg enten en kommune eller et råd eller nettverk."))
        return self


class RequestLinkForm(BaseModel):
    help_request_number: int = Field(ge=1)


# --- API -----------------------------------------------------------------------------------


class RoleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    municipality_number: str
    municipality_name: str
    role: str
    spreading_role: str


class AdoptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    innovation_id: int
    municipality_number: str
    municipality_name: str
    county_number: str
    status: str
    reason: str
    started_on: date | None
    in_use_on: date | None
    own: bool  # recorded by this workspace
    updated_at: datetime


class InnovationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    problem: str
    solution: str
    areas: list[str]
    origin_municipality_number: str | None
    origin_body_id: int | None
    contact_name: str
    contact_email: str
    phase: str
    adoption_cost: str
    links: list[Link]
    shared: bool
    own: bool
    owner_workspace: str
    spread: int  # municipalities other than the origin where it is in use
    internal_note: str | None = None  # only in its own workspace
    roles: list[RoleRead] = Field(default_factory=list)
    updated_at: datetime
