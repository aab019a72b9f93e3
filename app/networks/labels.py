"""What the codes of ``app.networks.models`` are called on the pages (lazily translated), and
the order the pages list them in."""

from __future__ import annotations

from app.i18n import lazy
from app.networks.models import AREAS, BODY_KINDS, MEMBER_ROLES, THEMES

KIND_LABELS = {
    "council": lazy("Regionråd"),
    "network": lazy("Nettverk"),
    "board": lazy("Styre"),
    "ceo_committee": lazy("Rådmannsutvalg"),
    "secretariat": lazy("Sekretariat"),
    "steering_group": lazy("Styringsgruppe"),
    "working_committee": lazy("Arbeidsutvalg"),
    "professional_group": lazy("Faggruppe"),
    "joint_operation": lazy("Felles drift"),
}
THEME_LABELS = {
    "digitalisation": lazy("Digitalisering"),
    "health_welfare_tech": lazy("Helse og velferdsteknologi"),
    "climate": lazy("Klima"),
    "school": lazy("Skole"),
    "procurement": lazy("Innkjøp"),
    "other": lazy("Annet"),
}
ROLE_LABELS = {
    "member": lazy("Medlem"),
    "host": lazy("Vertskommune"),
    "secretariat": lazy("Sekretariat"),
    "observer": lazy("Observatør"),
}
AREA_LABELS = {
    "digitalisation": lazy("Digitalisering"),
    "health_care": lazy("Helse og omsorg"),
    "school": lazy("Skole og barnehage"),
    "climate": lazy("Klima og miljø"),
    "business": lazy("Næringsutvikling"),
    "finance": lazy("Økonomi"),
    "procurement": lazy("Innkjøp"),
    "innovation": lazy("Innovasjon"),
    "other": lazy("Annet"),
}
LABELS = {
    "kinds": KIND_LABELS,
    "themes": THEME_LABELS,
    "roles": ROLE_LABELS,
    "areas": AREA_LABELS,
    "kind_order": BODY_KINDS,
    "theme_order": THEMES,
    "role_order": MEMBER_ROLES,
    "area_order": AREAS,
}
