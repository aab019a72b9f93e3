"""What the codes of ``app.schemes.models`` are called on the pages (lazily translated), and the
order the pages list them in. Areas are the contact persons' areas (``app.networks``)."""

from __future__ import annotations

from app.i18n import lazy
from app.networks.labels import AREA_LABELS
from app.schemes.models import (
    CALL_STATES,
    LEVELS,
    PARTICIPATION_ROLES,
    PARTICIPATION_STATUSES,
    SCHEME_AREAS,
)

LEVEL_LABELS = {"national": lazy("Nasjonal"), "regional": lazy("Regional")}
ROLE_LABELS = {"lead": lazy("Søker (leder)"), "partner": lazy("Partner")}
STATUS_LABELS = {
    "idea": lazy("Idé"),
    "applying": lazy("Søker"),
    "granted": lazy("Innvilget"),
    "rejected": lazy("Avslått"),
    "withdrawn": lazy("Trukket"),
    "completed": lazy("Fullført"),
}
CALL_STATE_LABELS = {
    "upcoming": lazy("Kommer"),
    "open": lazy("Åpen"),
    "closed": lazy("Stengt"),
}
LABELS = {
    "levels": LEVEL_LABELS,
    "roles": ROLE_LABELS,
    "statuses": STATUS_LABELS,
    "call_states": CALL_STATE_LABELS,
    "areas": AREA_LABELS,
    "level_order": LEVELS,
    "role_order": PARTICIPATION_ROLES,
    "status_order": PARTICIPATION_STATUSES,
    "call_state_order": CALL_STATES,
    "area_order": SCHEME_AREAS,
}
