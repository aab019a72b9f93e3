"""How a deadline reads, in each of the app's languages: "fre. 13. mars 2027 kl. 13.00", the
month heading, and "om 7 dager". Used by the deadline page, the calendar and the reminder mails
(where the language is the recipient's, not the request's)."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime

from app.clock import OSLO, local_date
from app.i18n import LOCALES, _, get_locale, ngettext

# CLDR patterns: Norwegian "fre. 13. mars 2027 kl. 13.00", English "Fri 13 March 2027, 13:00".
_MOMENT = {
    "nb": "EEE d. MMMM y 'kl.' HH.mm",
    "nn": "EEE d. MMMM y 'kl.' HH.mm",
    "en": "EEE d MMMM y, HH:mm",
}
_DAY = {"nb": "EEE d. MMMM y", "nn": "EEE d. MMMM y", "en": "EEE d MMMM y"}


def _lang(locale: str | None) -> str:
    lang = locale or get_locale()
    return lang if lang in LOCALES else "nb"


def deadline_text(moment: datetime, locale: str | None = None) -> str:
    """A stored (UTC) time as Norwegian wall-clock time, written the language's way."""
    lang = _lang(locale)
    return format_datetime(moment.astimezone(OSLO), _MOMENT[lang], tzinfo=OSLO, locale=lang)


def date_text(day: date, locale: str | None = None) -> str:
    lang = _lang(locale)
    return format_date(day, _DAY[lang], locale=lang)


def month_text(day: date, locale: str | None = None) -> str:
    """ "Mars 2027" (the heading of a month on the page)."""
    lang = _lang(locale)
    text = format_date(day, "LLLL y", locale=lang)
    return text[:1].upper() + text[1:]


def days_until(deadline: datetime, now: datetime) -> int:
    """Whole days from today to the deadline's day, both in Norwegian time (0: today)."""
    return (local_date(deadline) - local_date(now)).days


def days_left_text(deadline: datetime, now: datetime) -> str:
    """ "i dag", "i morgen", "om 12 dager" — or that the deadline has passed."""
    if deadline <= now:
        return _("fristen er ute")
    days = days_until(deadline, now)
    if days <= 0:
        return _("i dag")
    if days == 1:
        return _("i morgen")
    return ngettext("om %(num)d dag", "om %(num)d dager", days) % {"num": days}
