"""Parsing HTML forms into Pydantic models with messages a person can act on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData as StarletteFormData
from starlette.datastructures import UploadFile

from app.errors import InvalidInput, _validation_message
from app.i18n import lazy

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")


LIST_FIELDS = frozenset({"areas", "assignees", "competences", "extra_roles", "helpers", "partners"})


async def form_data(request: Request) -> dict[str, Any]:
    """Form fields without surrounding space (but a password as typed)."""
    return _fields(await request.form(), lists=frozenset())


async def multi_form(request: Request) -> dict[str, Any]:
    """Form fields; the fields that repeat (check boxes, multiple select) become lists."""
    return _fields(await request.form(), lists=LIST_FIELDS)


def _fields(form: StarletteFormData, *, lists: frozenset[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in form.multi_items():
        if key == "csrf_token" or not isinstance(value, str):
            continue
        if key in lists:
            data.setdefault(key, []).append(value)
        else:
            data[key] = value.strip() if key != "password" else value
    return data


async def uploaded_files(request: Request) -> list[UploadFile]:
    """The files chosen in a form's ``attachments`` field (none when the form has no files)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return []
    form = await request.form()
    return [f for f in form.getlist("attachments") if isinstance(f, UploadFile) and f.filename]


FormData = Annotated[dict[str, Any], Depends(form_data)]
"""A form's fields, for a route: ``data: FormData``."""
MultiFormData = Annotated[dict[str, Any], Depends(multi_form)]
"""A form's fields with the repeating ones (check boxes) as lists."""


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


def submit(
    request: Request,
    session: Session,
    data: Mapping[str, Any],
    act: Callable[[Any], R],
    *,
    schema: type[BaseModel] | None = None,
    done: str | Callable[[R], str],
    flash: str | Callable[[R], str] | None = None,
    again: Callable[[dict[str, str]], Response],
) -> Response:
    """The one form cycle: parse the form into ``schema`` → ``act`` (one service call) → a
    redirect to ``done`` with ``flash``, or ``again`` (the form re-rendered with the messages
    by field) answered with 422.

    ``act`` gets the parsed form (``None`` without a schema). It runs in a savepoint, so a rule
    it refuses with :class:`InvalidInput` leaves nothing behind even if it had written part of
    its work. Other errors (404, 403, 409) go to the app's handlers as everywhere else.
    """
    from app.web import redirect

    form: BaseModel | None = None
    if schema is not None:
        form, errors = parse(schema, dict(data))
        if form is None:
            return _unprocessable(again(errors))
    try:
        with session.begin_nested():
            result = act(form)
    except InvalidInput as exc:
        return _unprocessable(again(exc.messages()), exc.status_code)
    url = done(result) if callable(done) else done
    message = flash(result) if callable(flash) else flash
    return redirect(request, url, flash=message)


def _unprocessable(response: Response, status: int = 422) -> Response:
    response.status_code = status  # 422, or what the refusal says (413: a file too large)
    return response
