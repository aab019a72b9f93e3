"""Translations through gettext. Message ids are the Norwegian bokmål text; nynorsk and English
catalogues live in app/locale/<lang>/LC_MESSAGES/messages.po and are compiled in memory at start.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app import PACKAGE_DIR

LOCALES: dict[str, str] = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}
DEFAULT_LOCALE = "nb"
LOCALE_DIR = PACKAGE_DIR / "locale"

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


@lru_cache
def translations(locale: str) -> gettext.NullTranslations:
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == DEFAULT_LOCALE or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def set_locale(locale: str) -> None:
    _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def get_locale() -> str:
    return _current.get()


def gettext_(message: str) -> str:
    return translations(get_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(get_locale()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(get_locale()).pgettext(context, message)


_ = gettext_


def lazy(message: str) -> str:
    """Mark a string for extraction; translate it later with ``_()`` where it is shown."""
    return message


@contextmanager
def speaking(locale: str) -> Iterator[None]:
    """Translate with ``_()`` in ``locale`` inside the block (a mail to one recipient), and go
    back to the language that was in use."""
    before = get_locale()
    set_locale(locale)
    try:
        yield
    finally:
        set_locale(before)
