"""Kongsbergregionen's four templates for benefits realisation, as named text fields — the one
list the forms, the pages, the API and the DOCX/PDF exports all use — and the labels of a
benefit's kind, status and when it is taken out.

1. Prosjektvurdering (project assessment): should we start?
2. Prosjektstyring (project management): how we carry it out.
3. Gevinstplan (benefits plan): which benefits (the indicators, rows of ``Benefit``) and what
   may stand in their way — organisational, technical, economic and legal obstacles.
4. Gevinstrealiseringsplan (benefits realisation plan): which benefits are taken out during
   the project and in operation, when, what it takes, and how each is measured.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import lazy


@dataclass(frozen=True)
class PartField:
    key: str
    label: str
    help: str


@dataclass(frozen=True)
class Part:
    key: str  # the BenefitPlan attribute that holds the part (a dict of field key → text)
    number: int
    title: str
    question: str
    fields: tuple[PartField, ...]

    @property
    def field_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)


PARTS: tuple[Part, ...] = (
    Part(
        "assessment",
        1,
        lazy("Prosjektvurdering"),
        lazy("Bør vi starte?"),
        (
            PartField(
                "need",
                lazy("Behov og bakgrunn"),
                lazy("Hvilket problem løser vi, for hvem, og hvorfor nå?"),
            ),
            PartField("goal", lazy("Mål"), lazy("Hva skal være annerledes når vi er ferdige?")),
            PartField(
                "alternatives",
                lazy("Alternativer"),
                lazy("Hva skjer om vi ikke gjør noe, og finnes det andre måter å løse det på?"),
            ),
            PartField(
                "cost",
                lazy("Kostnadsanslag"),
                lazy("Innkjøp, lisenser, arbeidstid og drift – engangs og årlig."),
            ),
            PartField("risk", lazy("Risiko"), lazy("Hva kan gå galt, og hva gjør vi da?")),
            PartField(
                "recommendation",
                lazy("Anbefaling"),
                lazy("Start, vent eller ikke start – og hvorfor."),
            ),
        ),
    ),
    Part(
        "management",
        2,
        lazy("Prosjektstyring"),
        lazy("Hvordan gjennomfører vi?"),
        (
            PartField(
                "organisation",
                lazy("Organisering og prosjekteier"),
                lazy("Hvem eier prosjektet, hvem leder det, og hvem er med?"),
            ),
            PartField("milestones", lazy("Milepæler"), lazy("De viktigste stegene, med datoer.")),
            PartField(
                "resources",
                lazy("Ressurser"),
                lazy("Folk, tid og penger prosjektet trenger, og hvor de kommer fra."),
            ),
            PartField(
                "communication",
                lazy("Kommunikasjon og involvering"),
                lazy("Hvordan ansatte, innbyggere og tillitsvalgte blir informert og tatt med."),
            ),
        ),
    ),
    Part(
        "obstacles",
        3,
        lazy("Gevinstplan"),
        lazy("Hvilke gevinster, og hva kan hindre dem?"),
        (
            PartField(
                "organisational",
                lazy("Organisatoriske hindringer"),
                lazy("Arbeidsprosesser, roller, kultur og kompetanse som må endres."),
            ),
            PartField(
                "technical",
                lazy("Tekniske hindringer"),
                lazy("Systemer, integrasjoner, utstyr og nett."),
            ),
            PartField(
                "economic",
                lazy("Økonomiske hindringer"),
                lazy("Budsjett, finansiering og hvem som får gevinsten og hvem som betaler."),
            ),
            PartField(
                "legal",
                lazy("Juridiske hindringer"),
                lazy("Personvern, hjemmel, anskaffelsesregler og avtaler."),
            ),
        ),
    ),
    Part(
        "realisation",
        4,
        lazy("Gevinstrealiseringsplan"),
        lazy("Når og hvordan tas gevinstene ut?"),
        (
            PartField(
                "during_project",
                lazy("Gevinster i prosjektperioden"),
                lazy("Hvilke gevinster tas ut mens prosjektet pågår, og når?"),
            ),
            PartField(
                "in_operation",
                lazy("Gevinster i drift"),
                lazy("Hvilke gevinster tas ut etter at løsningen er i vanlig drift, og når?"),
            ),
            PartField(
                "what_it_takes",
                lazy("Hva som skal til"),
                lazy("Tiltak, beslutninger og ansvar for at gevinstene faktisk tas ut."),
            ),
            PartField(
                "how_measured",
                lazy("Hvordan gevinstene måles"),
                lazy("Kilder, hvem som måler, og hvor ofte."),
            ),
        ),
    ),
)
PART_KEYS = tuple(p.key for p in PARTS)
FIELD_MAX = 5000  # characters in one field of a template

KIND_LABELS = {
    "quantitative": lazy("Kvantitativ"),
    "qualitative": lazy("Kvalitativ"),
}
STATUS_LABELS = {
    "planned": lazy("Planlagt"),
    "on_track": lazy("I rute"),
    "behind": lazy("Forsinket"),
    "realised": lazy("Realisert"),
    "dropped": lazy("Droppet"),
}
# Designsystemet colours of a status tag (the word is always shown too)
STATUS_COLOURS = {
    "planned": "neutral",
    "on_track": "info",
    "behind": "warning",
    "realised": "success",
    "dropped": "neutral",
}
WHEN_LABELS = {
    "project": lazy("I prosjektperioden"),
    "operation": lazy("I drift"),
}
WHEN_TAKEN_OUT = tuple(WHEN_LABELS)


def part(key: str) -> Part:
    return next(p for p in PARTS if p.key == key)


def filled(values: dict[str, str] | None) -> int:
    """How many fields of a part have text."""
    return sum(1 for v in (values or {}).values() if str(v).strip())


LABELS = {
    "parts": PARTS,
    "kinds": KIND_LABELS,
    "statuses": STATUS_LABELS,
    "status_colours": STATUS_COLOURS,
    "when": WHEN_LABELS,
}
