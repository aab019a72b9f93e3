from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    model_validator,
)

from app.fields import all_of, matches, one_line, one_of, web_address
from app.i18n import lazy
from app.networks.models import AREAS, BODY_KINDS, MEMBER_ROLES, THEMES


class BodyForm(BaseModel):
    name: Annotated[str, one_line(lazy("Navnet må stå på én linje."))] = Field(
        min_length=2, max_length=200
    )
    kind: Annotated[str, one_of(BODY_KINDS, lazy("Velg en gyldig type."))]
    theme: Annotated[str | None, one_of(THEMES, lazy("Velg et gyldig tema."))] = None
    parent_id: int | None = None
    description: str = Field(default="", max_length=5000)
    purpose: str = Field(default="", max_length=5000)
    contact_name: Annotated[str, one_line(lazy("Navnet må stå på én linje."))] = Field(
        default="", max_length=200
    )
    contact_email: EmailStr | None = None
    contact_phone: str = Field(default="", max_length=40)
    website: Annotated[
        str, Field(max_length=300), web_address(lazy("Nettadressen må begynne med https://"))
    ] = ""


class MembershipForm(BaseModel):
    municipality_number: str | None = Field(default=None, max_length=4)
    organisation_id: int | None = None
    role: Annotated[str, one_of(MEMBER_ROLES, lazy("Velg en gyldig rolle."))] = "member"
    start_date: date | None = None
    end_date: date | None = None

    @model_validator(mode="after")
    def _check(self) -> MembershipForm:
        if bool(self.municipality_number) == bool(self.organisation_id):
            raise ValueError(lazy("Velg enten en kommune eller en organisasjon."))
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(lazy("Sluttdatoen kan ikke være før startdatoen."))
        return self


class EndMembershipForm(BaseModel):
    end_date: date


class PersonForm(BaseModel):
    name: Annotated[str, one_line(lazy("Navnet må stå på én linje."))] = Field(
        min_length=2, max_length=200
    )
    municipality_number: str = Field(min_length=4, max_length=4)
    title: Annotated[str, one_line(lazy("Tittelen må stå på én linje."))] = Field(
        default="", max_length=200
    )
    email: EmailStr | None = None
    phone: Annotated[
        str,
        Field(max_length=40),
        matches(r"[+0-9 ()-]*", lazy("Telefonnummeret kan bare ha tall, mellomrom og +.")),
    ] = ""
    areas: Annotated[
        list[str],
        all_of(AREAS, lazy("Ukjent ansvarsområde.")),
        AfterValidator(lambda areas: sorted(set(areas))),  # each once, in a stable order
    ] = Field(default_factory=list)


# --- API -----------------------------------------------------------------------------------


class BodyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    theme: str | None
    parent_id: int | None
    description: str
    purpose: str
    contact_name: str
    contact_email: str
    contact_phone: str
    website: str
    archived: bool
    owned: bool
    owner_workspace: str
    updated_at: datetime


class ShareRequestRead(BaseModel):
    """A body another county's workspace shares with this one, and this county's answer."""

    id: int
    body_id: int
    body_name: str
    owner_workspace: str
    inner_bodies: int
    state: str


class ShareStatusRead(BaseModel):
    """A county a body of this workspace is shared with, and its answer."""

    county: str
    state: str


class MembershipRead(BaseModel):
    id: int
    body_id: int
    municipality_number: str | None
    municipality_name: str | None
    organisation_id: int | None
    organisation_name: str | None
    role: str
    start_date: date | None
    end_date: date | None
    current: bool


class PersonRead(BaseModel):
    id: int
    name: str
    title: str
    email: str
    phone: str
    municipality_number: str
    municipality_name: str
    areas: list[str]
    updated_at: datetime
