"""A help-corps member's profile: what they can help with, where they are from, whom they work
for. One model for the page's form and the JSON API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from app.helpdesk.models import CATEGORIES
from app.i18n import _, lazy

MAX_TAGS = 10
TAG_MIN, TAG_MAX = 2, 40


class HelperProfileUpdate(BaseModel):
    competences: list[str] = Field(
        default_factory=list,
        description="What the helper can help with: category keys "
        "(funding, service_design, reuse, benefits, digitalisation, procurement, climate, other).",
    )
    tags: list[str] = Field(
        default_factory=list,
        description=f"Free competence tags, at most {MAX_TAGS}, each {TAG_MIN}–{TAG_MAX} "
        "characters; stored trimmed and lower-cased, duplicates dropped. On the page a "
        "comma-separated text.",
    )
    home_municipality_number: str | None = Field(
        default=None,
        max_length=4,
        description="The helper's home municipality: any municipality number, so that a helper "
        "from a mentor municipality in a neighbouring county can be registered.",
    )
    organisation: str = Field(default="", max_length=200, description="Whom the helper works for.")

    @field_validator("competences")
    @classmethod
    def _competences(cls, value: list[str]) -> list[str]:
        chosen = {v.strip() for v in value}
        if chosen - set(CATEGORIES):
            raise ValueError(lazy("Ukjent kategori."))
        return [c for c in CATEGORIES if c in chosen]

    @field_validator("tags", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):  # the page's text field: tags separated by commas
            return [part for part in value.split(",") if part.strip()]
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        out: list[str] = []
        for raw in value:
            tag = " ".join(raw.split()).lower()
            if "," in tag:
                raise ValueError(lazy("Et stikkord kan ikke inneholde komma."))
            if any(ord(ch) < 32 or ord(ch) == 127 for ch in tag):
                raise ValueError(lazy("Verdien er ikke gyldig."))
            if not TAG_MIN <= len(tag) <= TAG_MAX:
                raise ValueError(
                    _("Et stikkord må ha fra 2 til 40 tegn: «{tag}».").format(tag=tag[:TAG_MAX])
                )
            if tag not in out:
                out.append(tag)
        if len(out) > MAX_TAGS:
            raise ValueError(lazy("Du kan legge inn høyst 10 egne stikkord."))
        return out

    @field_validator("home_municipality_number", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        return value.strip() or None if isinstance(value, str) else value

    @field_validator("organisation")
    @classmethod
    def _organisation(cls, value: str) -> str:
        value = value.strip()
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise ValueError(lazy("Organisasjonen må stå på én linje."))
        return value
