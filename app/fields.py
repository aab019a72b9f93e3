"""Rules a single form or API field follows by itself, to put on a field with ``Annotated``:

    category: Annotated[str, one_of(CATEGORIES, lazy("Velg hva dere trenger hjelp til."))]
    title: Annotated[str, one_line(lazy("Overskriften må stå på én linje."))]
    heading: Annotated[str, length(1, 200, lazy("Overskriften må ha 1–200 tegn."))]

Each raises ``ValueError`` with the message (bokmål through ``lazy``), which the form parser and
the API show next to the field in the reader's language, and shows its limit in the OpenAPI
document as a JSON Schema constraint (``maxLength``, ``minimum``, ``enum``, ``pattern``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection
from typing import Any

from pydantic import AfterValidator, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"


@dataclasses.dataclass(frozen=True)
class Rule(AfterValidator):
    """An ``AfterValidator`` that also states its limit in the JSON Schema: ``constraints`` go
    on the schema of ``kind`` (``string``, ``integer``, ``array``), also inside an optional
    field's ``anyOf``."""

    kind: str = "string"
    constraints: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        kinds = {self.kind, "number"} if self.kind == "integer" else {self.kind}
        targets = [s for s in [schema, *schema.get("anyOf", ())] if s.get("type") in kinds]
        for target in targets:
            for key, value in self.constraints.items():
                if key == "items":
                    target.setdefault("items", {}).update(value)
                else:
                    target[key] = value
        return schema


def _listed(choices: Collection[str]) -> list[str]:
    """The choices in their own order, or sorted when they have none (a set): the OpenAPI
    document stays the same from one start to the next."""
    return sorted(choices) if isinstance(choices, (set, frozenset)) else list(choices)


def _rule(check: Callable[[Any], Any], kind: str = "string", **constraints: Any) -> Rule:
    return Rule(check, kind, constraints)


def one_of(choices: Collection[str], message: str) -> AfterValidator:
    """One of ``choices`` (``None`` passes, for an optional field)."""

    def check(value: str | None) -> str | None:
        if value is not None and value not in choices:
            raise ValueError(message)
        return value

    return _rule(check, enum=_listed(choices))


def all_of(choices: Collection[str], message: str) -> AfterValidator:
    """A list whose every item is one of ``choices``."""

    def check(values: list[str]) -> list[str]:
        if any(v not in choices for v in values):
            raise ValueError(message)
        return values

    return _rule(check, "array", items={"enum": _listed(choices)})


def length(low: int, high: int, message: str) -> AfterValidator:
    """Without surrounding space, ``low``–``high`` characters long."""

    def check(value: str) -> str:
        value = value.strip()
        if not low <= len(value) <= high:
            raise ValueError(message)
        return value

    return _rule(check, minLength=low, maxLength=high)


def is_one_line(value: str) -> bool:
    """Whether ``value`` has no line break or other control character (tab included)."""
    return not any(ord(ch) < 32 or ord(ch) == 127 for ch in value)


def one_line(message: str) -> AfterValidator:
    """No line break or other control character (titles become e-mail subjects)."""

    def check(value: str) -> str:
        if not is_one_line(value):
            raise ValueError(message)
        return value

    return _rule(check, pattern=CONTROL_CHARACTERS)


def web_address(message: str) -> AfterValidator:
    """Empty, or an address that starts with https:// or http://."""

    def check(value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(message)
        return value

    return _rule(check, pattern="^(https?://.*)?$")


def at_most(high: int, message: str) -> AfterValidator:
    """At most ``high`` characters, as written (a text whose own spacing is kept)."""

    def check(value: str) -> str:
        if len(value) > high:
            raise ValueError(message)
        return value

    return _rule(check, maxLength=high)


def matches(pattern: str, message: str) -> AfterValidator:
    """The whole value matches the regular expression ``pattern`` (``None`` passes, for an
    optional field)."""
    compiled = re.compile(pattern)

    def check(value: str | None) -> str | None:
        if value is not None and not compiled.fullmatch(value):
            raise ValueError(message)
        return value

    return _rule(check, pattern=f"^(?:{pattern})$")


def at_least(low: int, message: str) -> AfterValidator:
    """A number no smaller than ``low`` (``None`` passes, for an optional field)."""

    def check(value: int | None) -> int | None:
        if value is not None and value < low:
            raise ValueError(message)
        return value

    return _rule(check, "integer", minimum=low)
