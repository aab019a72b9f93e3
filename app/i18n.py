"""Translations through gettext. Message ids are the Norwegian bokmål text; nynorsk and English
catalogues live in app/locale/<lang>/LC_MESSAGES/messages.po and are compiled in memory at start.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator, Mapping
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


# Language tags an Accept-Language header may name, by the locale they mean ("no" is
# Norwegian without saying which written form: bokmål, as most readers write it).
_TAGS = {"nb": "nb", "no": "nb", "nn": "nn", "en": "en"}


def from_accept_language(header: str | None) -> str | None:
    """The locale an ``Accept-Language`` header prefers most among ours (``nb-NO;q=0.9,
    en;q=0.8`` → ``nb``), or ``None`` when it names none of them."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((header or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        locale = _TAGS.get(tag.strip().lower().split("-")[0])
        if locale is None:
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight <= 0:
            continue
        candidate = (-weight, position, locale)
        if best is None or candidate < best:
            best = candidate
    return best[2] if best else None


def fold(text: str) -> str:
    """Text as headings and words in imported files are matched: case, spaces, ``_``/``-`` and
    æøå folded."""
    text = text.lstrip("\ufeff").casefold().replace("_", " ").replace("-", " ")
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "a").replace("é", "e")
    return " ".join(text.split())


def vocabulary(labels: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Folded word → code, for a file a person fills in: the codes, the bokmål labels the pages
    show and their translations, and ``extra``."""
    words: dict[str, str] = {}
    for code, label in labels.items():
        words[fold(code)] = code
        for locale in LOCALES:
            words.setdefault(fold(translations(locale).gettext(str(label))), code)
    for word, code in (extra or {}).items():
        words.setdefault(fold(word), code)
    return words
