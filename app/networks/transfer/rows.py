"""The rows of a file being imported: the result that collects every error by row and column,
and the checks of a row's cells that the dataset importers share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.errors import _validation_message
from app.i18n import _, fold, vocabulary

M = TypeVar("M", bound=BaseModel)

# A row of the file: its number as a spreadsheet counts (1 = the headings), and its values by
# heading (only the columns the file has).
Record = tuple[int, dict[str, str]]


@dataclass(frozen=True)
class RowError:
    row: int | None  # the row as a spreadsheet numbers it (1 = the headings); None = the file
    column: str | None
    message: str


@dataclass
class ImportResult:
    dataset: str
    created: int = 0
    updated: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    too_large: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int | None, column: str | None, message: str) -> None:
        self.errors.append(RowError(row, column, message))


def required(values: dict[str, str], column: str, row: int, result: ImportResult) -> str:
    """The cell's value; an error on the row when it is empty."""
    value = values.get(column, "")
    if not value:
        result.error(row, column, _("Feltet må fylles ut."))
    return value


def known_code(
    value: str, labels: Mapping[str, str], column: str, row: int, result: ImportResult
) -> str | None:
    """The code for ``value``: a code itself, or the label the pages show for it ("Medlem",
    "Vertskommune") in any of the languages, whatever the case; None with an error otherwise."""
    code = _words(tuple(labels.items())).get(fold(value))
    if code is not None:
        return code
    result.error(
        row,
        column,
        _("Ukjent verdi «{value}». Gyldige verdier: {allowed}.").format(
            value=value, allowed=", ".join(f"{_(label)} ({c})" for c, label in labels.items())
        ),
    )
    return None


@lru_cache(maxsize=16)
def _words(labels: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return vocabulary(dict(labels))


def municipality_number_of(value: str) -> str:
    # A spreadsheet drops the leading zero of 0301 when it takes the number for a number.
    return value.zfill(4) if value.isdecimal() and len(value) == 3 else value


def parse_date(value: str) -> date | None:
    """``YYYY-MM-DD`` or ``DD.MM.YYYY``; empty is ``None``; anything else raises ValueError."""
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def validated(
    model: type[M], data: dict[str, Any], columns: dict[str, str], row: int, result: ImportResult
) -> M | None:
    """``data`` as the service's form schema; each refusal becomes an error on the row, in the
    column named by ``columns`` (field → heading)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            field_name = str(err["loc"][0]) if err["loc"] else ""
            result.error(row, columns.get(field_name), _form_message(err))
        return None


def _form_message(err: Any) -> str:
    if err.get("type") == "value_error" and "email" not in str(err.get("msg", "")).lower():
        inner = (err.get("ctx") or {}).get("error")
        if inner is not None:
            return _(str(inner))
    return _validation_message(dict(err))
