"""Names people see for the meetings module's codes."""

from __future__ import annotations

from app.i18n import lazy

KINDS = {"meeting": lazy("Møte"), "webinar": lazy("Webinar"), "conference": lazy("Konferanse")}
ATTENDANCE = {
    "present": lazy("Til stede"),
    "absent": lazy("Fraværende"),
    "represented": lazy("Representert"),
}
STANDING = {
    "scheme_deadlines": lazy("Nye søknadsfrister"),
    "innovations": lazy("Innovasjoner å spre"),
    "help_requests": lazy("Saker til hjelpekorpset"),
}
LABELS = {"kinds": KINDS, "attendance": ATTENDANCE, "standing": STANDING}
# a municipality under this many inhabitants is marked as small in the attendance figures
SMALL_BELOW = 5000
