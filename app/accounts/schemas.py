from __future__ import annotations

from pydantic import BaseModel, ConfigDict, EmailStr, Field


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
    name: str = Field(min_length=2, max_length=200)
    password: str = Field(min_length=10, max_length=200)


class TokenForm(BaseModel):
    name: str = Field(min_length=1, max_length=100)


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
