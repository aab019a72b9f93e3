from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from app.i18n import lazy
from app.networks.models import AREAS, BODY_KINDS, MEMBER_ROLES, THEMES


class BodyForm(BaseModel):
    name: str = Field(min_length=2, max_length=200)
    kind: str
    theme: str | None = None
    parent_id: int | None = None
    description: str = Field(default="", max_length=5000)
    purpose: str = Field(default="", max_length=5000)
    contact_name: str = Field(default="", max_length=200)
    contact_email: EmailStr | None = None
    contact_phone: str = Field(default="", max_length=40)
    website: str = Field(default="", max_length=300)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in BODY_KINDS:
            raise ValueError(lazy("Velg en gyldig type."))
        return value

    @field_validator("theme")
    @classmethod
    def _theme(cls, value: str | None) -> str | None:
        if value is not None and value not in THEMES:
            raise ValueError(lazy("Velg et gyldig tema."))
        return value

    @field_validator("website")
    @classmethod
    def _website(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(lazy("Nettadressen må begynne med https://"))
        return value


class MembershipForm(BaseModel):
    municipality_number: str | None = Field(default=None, max_length=4)
    organisation_id: int | None = None
    role: str = "member"
    start_date: date | None = None
    end_date: date | None = None

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        if value not in MEMBER_ROLES:
            raise ValueError(lazy("Velg en gyldig rolle."))
        return value

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
    name: str = Field(min_length=2, max_length=200)
    municipality_number: str = Field(min_length=4, max_length=4)
    title: str = Field(default="", max_length=200)
    email: EmailStr | None = None
    phone: str = Field(default="", max_length=40)
    areas: list[str] = Field(default_factory=list)

    @field_validator("areas")
    @classmethod
    def _areas(cls, value: list[str]) -> list[str]:
        for area in value:
            if area not in AREAS:
                raise ValueError(lazy("Ukjent ansvarsområde."))
        return sorted(set(value))

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        allowed = set("+0123456789 -()")
        if value and not set(value) <= allowed:
            raise ValueError(lazy("Telefonnummeret kan bare ha tall, mellomrom og +."))
        return value


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


class BodyPage(BaseModel):
    items: list[BodyRead]
    total: int
    limit: int
    offset: int


class MembershipPage(BaseModel):
    items: list[MembershipRead]
    total: int
    limit: int
    offset: int


class PersonPage(BaseModel):
    items: list[PersonRead]
    total: int
    limit: int
    offset: int
