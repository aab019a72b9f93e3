"""Rules a single form or API field follows by itself, to put on a field with ``Annotated``:

    category: Annotated[str, one_of(CATEGORIES, lazy("Velg hva dere trenger hjelp til."))]
    title: Annotated[str, one_line(lazy("Overskriften må stå på én linje."))]
    heading: Annotated[str, length(1, 200, lazy("Overskriften må ha 1–200 tegn."))]

Each raises ``ValueError`` with the message (bokmål through ``lazy``), which the form parser and
the API show next to the field in the reader's language.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from pydantic import AfterValidator


def one_of(choices: Collection[str], message: str) -> AfterValidator:
    """One of ``choices`` (``None`` passes, for an optional field)."""

    def check(value: str | None) -> str | None:
        if value is not None and value not in choices:
            raise ValueError(message)
        return value

    return AfterValidator(check)


def all_of(choices: Collection[str], message: str) -> AfterValidator:
    """A list whose every item is one of ``choices``."""

    def check(values: list[str]) -> list[str]:
        if any(v not in choices for v in values):
            raise ValueError(message)
        return values

    return AfterValidator(check)


def length(low: int, high: int, message: str) -> AfterValidator:
    """Without surrounding space, ``low``–``high`` characters long."""

    def check(value: str) -> str:
        value = value.strip()
        if not low <= len(value) <= high:
            raise ValueError(message)
        return value

    return AfterValidator(check)


def is_one_line(value: str) -> bool:
    """Whether ``value`` has no line break or other control character (tab included)."""
    return not any(ord(ch) < 32 or ord(ch) == 127 for ch in value)


def one_line(message: str) -> AfterValidator:
    """No line break or other control character (titles become e-mail subjects)."""

    def check(value: str) -> str:
        if not is_one_line(value):
            raise ValueError(message)
        return value

    return AfterValidator(check)


def web_address(message: str) -> AfterValidator:
    """Empty, or an address that starts with https:// or http://."""

    def check(value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(message)
        return value

    return AfterValidator(check)


def at_most(high: int, message: str) -> AfterValidator:
    """At most ``high`` characters, as written (a text whose own spacing is kept)."""

    def check(value: str) -> str:
        if len(value) > high:
            raise ValueError(message)
        return value

    return AfterValidator(check)


def matches(pattern: str, message: str) -> AfterValidator:
    """The whole value matches the regular expression ``pattern`` (``None`` passes, for an
    optional field)."""
    compiled = re.compile(pattern)

    def check(value: str | None) -> str | None:
        if value is not None and not compiled.fullmatch(value):
            raise ValueError(message)
        return value

    return AfterValidator(check)


def at_least(low: int, message: str) -> AfterValidator:
    """A number no smaller than ``low`` (``None`` passes, for an optional field)."""

    def check(value: int | None) -> int | None:
        if value is not None and value < low:
            raise ValueError(message)
        return value

    return AfterValidator(check)
