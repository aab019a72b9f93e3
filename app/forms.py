"""Parsing HTML forms into Pydantic models with messages a person can act on."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from app.errors import InvalidInput, _validation_message
from app.i18n import lazy

M = TypeVar("M", bound=BaseModel)


async def form_data(request: Request) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {}
    for key, value in form.multi_items():
        if key == "csrf_token" or not isinstance(value, str):
            continue
        data[key] = value.strip() if key != "password" else value
    return data


LIST_FIELDS = frozenset({"areas", "assignees", "competences", "helpers"})


async def multi_form(request: Request) -> dict[str, Any]:
    """Form fields; the fields that repeat (check boxes, multiple select) become lists."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key, value in form.multi_items():
        if key == "csrf_token" or not isinstance(value, str):
            continue
        if key in LIST_FIELDS:
            data.setdefault(key, []).append(value)
        else:
            data[key] = value.strip()
    return data


async def uploaded_files(request: Request) -> list[UploadFile]:
    """The files chosen in a form's ``attachments`` field (none when the form has no files)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return []
    form = await request.form()
    return [f for f in form.getlist("attachments") if isinstance(f, UploadFile) and f.filename]


def parse(model: type[M], data: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    """The model, or the errors by field (already translated)."""
    # An empty field counts as not filled in: required fields say so, optional ones get None.
    cleaned = {k: v for k, v in data.items() if v != ""}
    try:
        return model.model_validate(cleaned), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "form"
            errors.setdefault(field, _validation_message(dict(err)))
        return None, errors


def optional_date(data: dict[str, Any], name: str) -> date | None:
    """A date field (``YYYY-MM-DD``, what a date input sends): ``None`` when empty, and
    :class:`InvalidInput` naming the field when it holds something else, so that a date that
    does not parse is never saved as no date."""
    value = data.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput({name: lazy("Skriv en gyldig dato.")}) from None
