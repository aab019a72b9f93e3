"""What people read for the hjelpekorps' stored keys: states, categories, priorities, and a
request's reference."""

from __future__ import annotations

from app.helpdesk.models import CATEGORIES, STATES, URGENCIES, HelpRequest
from app.i18n import lazy

STATE_LABELS = {
    "new": lazy("Ny"),
    "triaged": lazy("Vurdert"),
    "assigned": lazy("Tildelt"),
    "in_progress": lazy("Under arbeid"),
    "waiting_for_municipality": lazy("Venter på kommunen"),
    "resolved": lazy("Løst"),
    "closed": lazy("Lukket"),
}
CATEGORY_LABELS = {
    "funding": lazy("Søknad om midler"),
    "service_design": lazy("Innovasjon og tjenestedesign"),
    "reuse": lazy("Ta i bruk en annen kommunes løsning"),
    "benefits": lazy("Gevinstrealisering"),
    "digitalisation": lazy("Digitalisering"),
    "procurement": lazy("Innkjøp"),
    "climate": lazy("Klima"),
    "other": lazy("Annet"),
}
PRIORITY_LABELS = {
    "low": lazy("Lav"),
    "normal": lazy("Normal"),
    "high": lazy("Høy"),
    "urgent": lazy("Haster"),
}


# What the pages get as ``labels``: the words, and the keys in the order the forms list them.
LABELS = {
    "states": STATE_LABELS,
    "categories": CATEGORY_LABELS,
    "priorities": PRIORITY_LABELS,
    "state_order": STATES,
    "category_order": CATEGORIES,
    "priority_order": URGENCIES,
}


def reference(req: HelpRequest) -> str:
    """How people name a request: ``HK-12``."""
    return f"HK-{req.number}"
