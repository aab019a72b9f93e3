"""What the codes of ``app.innovations.models`` are called on the pages (lazily translated)."""

from __future__ import annotations

from app.i18n import lazy
from app.innovations.models import ADOPTION_STATES, CHANNELS, INNOVATION_AREAS, PHASES, ROLES
from app.networks.labels import AREA_LABELS

# KS's roadmap for service innovation
PHASE_LABELS = {
    "anchoring": lazy("Forankring"),
    "insight": lazy("Innsikt"),
    "development": lazy("Tjenesteutvikling"),
    "piloting": lazy("Pilotering"),
    "transition": lazy("Overgang til drift"),
    "new_practice": lazy("Ny praksis"),
}
ROLE_LABELS = {
    "origin": lazy("Opphav"),
    "pilot": lazy("Pilot"),
    "follower": lazy("Etterfølger"),
}
ADOPTION_LABELS = {
    "considering": lazy("Vurderer"),
    "planned": lazy("Planlagt"),
    "in_progress": lazy("Innføres"),
    "in_use": lazy("I bruk"),
    "abandoned": lazy("Avsluttet"),
}
CHANNEL_LABELS = {
    "body": lazy("Råd eller nettverk"),
    "webinar": lazy("Webinar"),
    "conference": lazy("Konferanse"),
    "visit": lazy("Besøk"),
    "other": lazy("Annet"),
}
LABELS = {
    "phases": PHASE_LABELS,
    "roles": ROLE_LABELS,
    "adoptions": ADOPTION_LABELS,
    "channels": CHANNEL_LABELS,
    "areas": AREA_LABELS,
    "phase_order": PHASES,
    "role_order": ROLES,
    "adoption_order": ADOPTION_STATES,
    "channel_order": CHANNELS,
    "area_order": INNOVATION_AREAS,
}
