"""The kinds of event a person is notified of, and the ways they may choose to hear of them —
in one place: the preference page lists them in this order."""

from __future__ import annotations

from app.i18n import lazy

NEW_REQUEST = "new_request"
REPLY = "reply"
ASSIGNED = "assigned"
STATUS = "status"
INVITATION = "invitation"
DEADLINE = "deadline"
ANSWER = "answer"
COMMENT = "comment"
MEETING_INVITATION = "meeting_invitation"

KINDS: dict[str, str] = {
    NEW_REQUEST: lazy("Ny forespørsel om hjelp"),
    REPLY: lazy("Svar på en forespørsel"),
    ASSIGNED: lazy("Tildelt en forespørsel"),
    STATUS: lazy("Status eller besøk endret på en forespørsel"),
    INVITATION: lazy("Invitasjon til høring"),
    DEADLINE: lazy("Frister (høringer og virkemidler)"),
    ANSWER: lazy("Svar på kommentaren min"),
    COMMENT: lazy("Ny kommentar i en høring"),
    MEETING_INVITATION: lazy("Invitasjon til møte"),
}

APP = "app"
EMAIL = "email"
DIGEST = "digest"

CHANNELS: dict[str, str] = {
    APP: lazy("I appen"),
    EMAIL: lazy("E-post med en gang"),
    DIGEST: lazy("Daglig oppsummering"),
}
# What happens when a person has chosen nothing: what Samspill did before there was a choice.
DEFAULT_CHANNEL = EMAIL
