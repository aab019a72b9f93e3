from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from app.fields import one_line
from app.i18n import lazy

# The password rules, wherever a password is chosen (invitation, reset link; `samspill
# create-admin` checks the same length).
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200


def _looks_like_email(value: str) -> str:
    """Something@something without spaces: enough to look the address up (an account's address
    may be one a stricter check would refuse)."""
    local, at, domain = value.partition("@")
    if not at or not local or not domain or any(ch.isspace() for ch in value):
        raise ValueError(lazy("Skriv en gyldig e-postadresse."))
    return value


class LoginForm(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=200)


class InviteForm(BaseModel):
    email: EmailStr = Field(max_length=254)
    role: str = Field(max_length=20)
    municipality_number: str | None = Field(default=None, max_length=4)
    organisation_id: int | None = None


class RoleForm(BaseModel):
    role: str = Field(max_length=20)
    municipality_number: str | None = Field(default=None, max_length=4)
    organisation_id: int | None = None


class AcceptForm(BaseModel):
    name: Annotated[str, one_line(lazy("Navnet må stå på én linje."))] = Field(
        min_length=2, max_length=200
    )
    password: str = Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)


class ForgotPasswordForm(BaseModel):
    email: Annotated[str, Field(max_length=254), AfterValidator(_looks_like_email)]


class NewPasswordForm(BaseModel):
    password: str = Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)
    password_again: str = Field(max_length=PASSWORD_MAX_LENGTH)


class TokenForm(BaseModel):
    name: Annotated[str, one_line(lazy("Navnet må stå på én linje."))] = Field(
        min_length=1, max_length=100
    )


class MembershipRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    workspace: str
    workspace_name: str
    role: str


class MeRead(BaseModel):
    id: int
    email: str
    name: str
    memberships: list[MembershipRead]
