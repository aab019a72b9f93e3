"""The text of a deadline reminder: one mail per address and run, listing every call whose
reminder is due for that address (a digest), in the recipient's language, with the link that
stops the reminders. Plain text, like the app's other mails (``app.mail``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.config import get_settings
from app.counties.models import Workspace
from app.i18n import _, speaking
from app.networks.labels import AREA_LABELS
from app.schemes import reminder_token
from app.schemes.models import SchemeCall
from app.schemes.reminder_text import date_text, days_left_text, deadline_text


@dataclass
class Recipient:
    """Who gets a reminder, and why (the reason is told in the mail)."""

    email: str
    name: str = ""
    locale: str | None = None
    coordinator: bool = False
    # municipality name → the areas the person is contact for that the schemes are about
    contact_for: dict[str, set[str]] = field(default_factory=dict)


def base_url() -> str:
    return get_settings().base_url.rstrip("/")


def opt_out_url(ws: Workspace, email: str) -> str:
    return f"{base_url()}/{ws.slug}/virkemidler/avmelding/{reminder_token.make(ws.id, email)}"


def scheme_url(ws: Workspace, call: SchemeCall) -> str:
    return f"{base_url()}/{ws.slug}/virkemidler/{call.scheme_id}"


def apply_url(call: SchemeCall) -> str:
    """Where to apply: the call's own page, else the scheme's."""
    return call.url or call.scheme.url or ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _reason(ws: Workspace, who: Recipient) -> str:
    if who.coordinator:
        return _("Du får denne e-posten fordi du er koordinator i {county} i Samspill.").format(
            county=ws.name
        )
    places = []
    for municipality, areas in sorted(who.contact_for.items()):
        names = ", ".join(_(AREA_LABELS[a]).lower() for a in sorted(areas) if a in AREA_LABELS)
        places.append(_("{areas} i {municipality}").format(areas=names, municipality=municipality))
    return _(
        "Du får denne e-posten fordi du er registrert som kontaktperson for {places} hos {county}."
    ).format(places="; ".join(places), county=ws.name)


def _call_lines(ws: Workspace, call: SchemeCall, now: datetime, locale: str) -> list[str]:
    lines = [
        f"{_one_line(call.scheme.name)} – {_one_line(call.title)}",
        "  "
        + _("Frist: {when} ({left})").format(
            when=deadline_text(call.deadline, locale), left=days_left_text(call.deadline, now)
        ),
    ]
    if call.state(now) == "upcoming" and call.opens_on is not None:
        lines.append("  " + _("Åpner: {day}").format(day=date_text(call.opens_on, locale)))
    url = apply_url(call)
    if url:
        lines.append("  " + _("Søk her: {url}").format(url=url))
    lines.append("  " + _("Om virkemiddelet: {url}").format(url=scheme_url(ws, call)))
    return lines


def compose(
    ws: Workspace, who: Recipient, calls: list[SchemeCall], now: datetime, locale: str
) -> tuple[str, str, dict[str, str]]:
    """Subject, body and headers of the reminder to ``who`` about ``calls`` (soonest first)."""
    link = opt_out_url(ws, who.email)
    with speaking(locale):
        if len(calls) == 1:
            call = calls[0]
            subject = _("Frist {left}: {scheme} – {call}").format(
                left=days_left_text(call.deadline, now),
                scheme=call.scheme.name,
                call=call.title,
            )
            intro = _("En søknadsfrist nærmer seg:")
        else:
            # Always two or more here: the plural form in every language the app speaks.
            subject = _("{count} søknadsfrister nærmer seg i {county}").format(
                count=len(calls), county=ws.name
            )
            intro = _("Disse søknadsfristene nærmer seg:")
        greeting = _("Hei, {name}!").format(name=who.name) if who.name else _("Hei!")
        parts = [greeting, "", intro, ""]
        for call in calls:
            parts.extend(_call_lines(ws, call, now, locale))
            parts.append("")
        parts.append(
            _("Se alle fristene: {url}").format(url=f"{base_url()}/{ws.slug}/virkemidler/frister")
        )
        parts.extend(
            [
                "",
                "-- ",
                _reason(ws, who),
                _(
                    "Vil du ikke ha flere påminnelser om søknadsfrister? Meld deg av her: {url}"
                ).format(url=link),
                "",
            ]
        )
        body = "\n".join(parts)
    headers = {
        "List-Unsubscribe": f"<{link}>",
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    return _one_line(subject)[:300], body, headers
