"""Small helpers for the read models of the JSON API."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def read(model: type[M], obj: object, **given: Any) -> M:
    """``model`` from the attributes of ``obj`` that bear its field names, with the fields
    in ``given`` (those computed or named otherwise) taken from there instead. Only the
    fields of the model are read, so a relationship it does not name is never loaded."""
    fields = {name: getattr(obj, name) for name in model.model_fields if name not in given}
    return model.model_validate({**fields, **given})
