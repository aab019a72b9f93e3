from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, EmailStr, Field

from app import clock
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
    extra_roles: list[Annotated[str, Field(max_length=20)]] = Field(default=[], max_length=10)
    municipality_number: str | None = Field(default=None, max_length=4)
    organisation_id: int | None = None


class RoleForm(BaseModel):
    role: str = Field(max_length=20)
    municipality_number: str | None = Field(default=None, max_length=4)
    organisation_id: int | None = None


class ExtraRolesForm(BaseModel):
    """The extra roles of a member, as the users page's check boxes send them (none checked:
    the field is absent and the member keeps only the main role)."""

    extra_roles: list[Annotated[str, Field(max_length=20)]] = Field(default=[], max_length=10)


class ExtraRolesUpdate(BaseModel):
    """The API: a member's extra roles, replacing those they hold (``[]``: none)."""

    extra_roles: list[Annotated[str, Field(max_length=20)]] = Field(max_length=10)


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


# How far ahead a token's expiry may be chosen.
TOKEN_MAX_DAYS = 3 * 365


def _iso_date(value: Any) -> Any:
    """A date as a date input sends it (``YYYY-MM-DD``), nothing else (no timestamps)."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(lazy("Skriv en gyldig dato (åååå-mm-dd).")) from None


def _expiry_ahead(value: date | None) -> date | None:
    if value is None:
        return None
    today = clock.today()
    if value <= today:
        raise ValueError(lazy("Utløpsdatoen må være etter i dag."))
    if value > today + timedelta(days=TOKEN_MAX_DAYS):
        raise ValueError(lazy("Utløpsdatoen kan være høyst tre år fram i tid."))
    return value


class TokenForm(BaseModel):
    name: Annotated[str, one_line(lazy("Navnet må stå på én linje."))] = Field(
        min_length=1, max_length=100
    )
    # The token stops working at the start of this day (Norwegian time); none: it never does.
    expires_on: Annotated[
        date | None, BeforeValidator(_iso_date), AfterValidator(_expiry_ahead)
    ] = None
    read_only: bool = False


class ServiceTokenForm(TokenForm):
    """A service token: what a personal token has, and the role it acts in."""

    role: str = Field(max_length=20)
    municipality_number: str | None = Field(default=None, max_length=4)
    organisation_id: int | None = None


class MembershipRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    workspace: str
    workspace_name: str
    role: str = Field(description="The main role (binds the municipality or organisation).")
    roles: list[str] = Field(description="The main role first, then any extra roles.")


class MeRead(BaseModel):
    id: int
    email: str
    name: str
    memberships: list[MembershipRead]


class MemberRead(BaseModel):
    """A member of the workspace, with their roles (the rights are the union)."""

    id: int = Field(description="The membership's id.")
    user_id: int
    name: str
    email: str
    role: str = Field(description="The main role (binds the municipality or organisation).")
    roles: list[str] = Field(description="The main role first, then any extra roles.")
    municipality_number: str | None
    organisation_id: int | None
