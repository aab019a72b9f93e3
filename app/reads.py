"""Small helpers for the read models of the JSON API."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, or_

from app.errors import InvalidInput
from app.i18n import _

M = TypeVar("M", bound=BaseModel)


def read(model: type[M], obj: object, **given: Any) -> M:
    """``model`` from the attributes of ``obj`` that bear its field names, with the fields
    in ``given`` (those computed or named otherwise) taken from there instead. Only the
    fields of the model are read, so a relationship it does not name is never loaded."""
    fields = {name: getattr(obj, name) for name in model.model_fields if name not in given}
    return model.model_validate({**fields, **given})


# --- pages of lists ------------------------------------------------------------------------
#
# Every list the API answers is a `Page`: the items, an opaque `next_cursor` for the next page
# (null on the last) and `total` where a COUNT is cheap. Paging is by keyset: the cursor holds
# the sort key of the last item given (its id last, so the order is total), and the next page
# starts after it; an item added or removed meanwhile moves no other item to another page.

T = TypeVar("T")

Cursor = Annotated[
    str | None,
    Query(max_length=2000, description="`next_cursor` of the previous page; none for the first."),
]
Limit = Annotated[int, Query(ge=1, le=200, description="Items on a page.")]
UpdatedSince = Annotated[
    datetime | None,
    Query(
        description="Only items changed at or after this time (ISO 8601 with a UTC offset); "
        "they come oldest change first, so a client can sync by keeping the last `updated_at`."
    ),
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
    total: int | None = Field(
        default=None, description="How many items there are in all, where cheap to count."
    )


def whole(items: Sequence[T]) -> Page[T]:
    """A list that is given complete on one page (a short sub-list of one object)."""
    return Page[Any](items=list(items), next_cursor=None, total=len(items))  # type: ignore[return-value]


def _bad_cursor() -> InvalidInput:
    return InvalidInput({"cursor": _("Ugyldig markør. Bruk `next_cursor` fra forrige side.")})


def encode_cursor(key: Sequence[Any]) -> str:
    values = [v.isoformat() if isinstance(v, datetime | date) else v for v in key]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, kinds: Sequence[type]) -> tuple[Any, ...] | None:
    """The sort key in ``cursor``, each value of the kind in ``kinds`` (int, str, float,
    datetime, date); a cursor that is not one of ours is refused (422), never a 500."""
    if cursor is None or cursor == "":
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _bad_cursor() from exc
    if not isinstance(values, list) or len(values) != len(kinds):
        raise _bad_cursor()
    key: list[Any] = []
    for value, kind in zip(values, kinds, strict=True):
        if value is None:
            key.append(None)
        elif kind is datetime and isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError as exc:
                raise _bad_cursor() from exc
            key.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
        elif kind is date and isinstance(value, str):
            try:
                key.append(date.fromisoformat(value))
            except ValueError as exc:
                raise _bad_cursor() from exc
        elif kind is int and isinstance(value, int) and not isinstance(value, bool):
            if abs(value) > 2**62:
                raise _bad_cursor()
            key.append(value)
        elif kind is float and isinstance(value, int | float) and not isinstance(value, bool):
            key.append(float(value))
        elif kind is str and isinstance(value, str) and len(value) <= 500 and "\x00" not in value:
            key.append(value)
        else:
            raise _bad_cursor()
    return tuple(key)


def since(moment: datetime | None) -> datetime | None:
    """``updated_since`` checked: a time without a UTC offset is ambiguous and refused."""
    if moment is not None and moment.tzinfo is None:
        raise InvalidInput(
            {
                "updated_since": _(
                    "Tidspunktet må ha en UTC-forskyvning, for eksempel 2026-01-31T12:00:00Z."
                )
            }
        )
    return moment


@dataclass(frozen=True)
class Key:
    """A sort key of a keyset page: its columns (the id last), each ascending or descending."""

    columns: tuple[Any, ...]
    descending: tuple[bool, ...]
    kinds: tuple[type, ...]

    @classmethod
    def of(cls, *columns: Any, desc: bool | Sequence[bool] = False) -> Key:
        flags = (desc,) * len(columns) if isinstance(desc, bool) else tuple(desc)
        return cls(tuple(columns), flags, tuple(_kind(c) for c in columns))

    def order_by(self) -> list[Any]:
        pairs = zip(self.columns, self.descending, strict=True)
        return [c.desc() if d else c.asc() for c, d in pairs]

    def after(self, key: tuple[Any, ...]) -> ColumnElement[bool]:
        """Rows after ``key`` in this order (no column may be null)."""
        clauses: list[ColumnElement[bool]] = []
        for i, (column, desc) in enumerate(zip(self.columns, self.descending, strict=True)):
            equal = [c == v for c, v in zip(self.columns[:i], key[:i], strict=True)]
            beyond = column < key[i] if desc else column > key[i]
            clauses.append(and_(*equal, beyond))
        return or_(*clauses)


def _kind(column: Any) -> type:
    try:
        kind = column.type.python_type
    except (AttributeError, NotImplementedError):
        return str
    return kind if kind in (int, str, float, datetime, date) else str


def keyset(query: Select[Any], key: Key, cursor: str | None, limit: int) -> Select[Any]:
    """``query`` ordered by ``key``, from after ``cursor``, one row more than a page (to know
    whether there is a next page: see `page`)."""
    after = decode_cursor(cursor, key.kinds)
    if after is not None:
        query = query.where(key.after(after))
    return query.order_by(*key.order_by()).limit(limit + 1)


def page(
    rows: Sequence[Any],
    limit: int,
    key_of: Callable[[Any], Sequence[Any]],
    item: Callable[[Any], T],
    total: int | None = None,
) -> Page[T]:
    """A page of the first ``limit`` of ``rows`` (fetched by `keyset`, one more than a page),
    each made an item by ``item``; the cursor is the key (``key_of``) of the last one."""
    shown = list(rows[:limit])
    more = len(rows) > limit
    cursor = encode_cursor(key_of(shown[-1])) if more and shown else None
    return Page[Any](items=[item(r) for r in shown], next_cursor=cursor, total=total)  # type: ignore[return-value]


def page_in_memory(
    rows: Sequence[Any],
    key_of: Callable[[Any], tuple[Any, ...]],
    kinds: Sequence[type],
    cursor: str | None,
    limit: int,
    item: Callable[[Any], T],
    *,
    descending: bool = False,
) -> Page[T]:
    """A page of a list already in memory (computed, not queried), in the order of
    ``key_of`` (the id last), from after ``cursor``."""
    ordered = sorted(rows, key=key_of, reverse=descending)
    after = decode_cursor(cursor, kinds)
    if after is not None:
        try:
            ordered = [
                r for r in ordered if (key_of(r) < after if descending else key_of(r) > after)
            ]
        except TypeError as exc:
            raise _bad_cursor() from exc
    return page(ordered[: limit + 1], limit, key_of, item, total=len(rows))


def page_listed(
    rows: Sequence[Any],
    record: Callable[[Any], Any],
    updated_since: datetime | None,
    cursor: str | None,
    limit: int,
    item: Callable[[Any], T],
    *,
    place: tuple[Callable[[int, Any], Any], type] | None = None,
) -> Page[T]:
    """A page of a list computed in memory, in its order (``rows``), the cursor holding the
    place of the last row given (its index, or ``place``: a function of index and row, and
    its kind) and its record's id; with ``updated_since``, only the rows whose record
    (``record``) changed since then, oldest change first (to sync)."""
    if updated_since is not None:
        changed = [r for r in rows if record(r).updated_at >= updated_since]
        return page_in_memory(
            changed,
            lambda r: (record(r).updated_at, record(r).id),
            (datetime, int),
            cursor,
            limit,
            item,
        )
    at, kind = place or ((lambda i, r: i), int)
    placed = [(at(i, r), r) for i, r in enumerate(rows)]
    return page_in_memory(
        placed,
        lambda p: (p[0], record(p[1]).id),
        (kind, int),
        cursor,
        limit,
        lambda p: item(p[1]),
    )
