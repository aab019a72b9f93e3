"""Action-plan measures (tiltak): owner, partners, deadline, status, the section they
implement; overdue ones; the workspace figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy.orm import Session

from app.clock import today
from app.counties.models import Workspace
from app.errors import InvalidInput, NotFound
from app.i18n import lazy
from app.strategies import service
from app.strategies.models import MEASURE_STATUSES, Measure, StrategySection
from app.tenancy import scoped

STATUS_LABELS = {
    "planned": lazy("Planlagt"),
    "under_way": lazy("Pågår"),
    "done": lazy("Gjennomført"),
    "cancelled": lazy("Avlyst"),
}
OPEN_STATUSES = ("planned", "under_way")


def is_overdue(m: Measure, on: date | None = None) -> bool:
    return m.status in OPEN_STATUSES and m.deadline is not None and m.deadline < (on or today())


def measures_of(session: Session, ws: Workspace, doc_id: int) -> list[Measure]:
    return list(
        session.scalars(
            scoped(Measure, ws.id)
            .where(Measure.document_id == doc_id)
            .order_by(Measure.deadline.is_(None), Measure.deadline, Measure.id)
        )
    )


def get_measure(session: Session, ws: Workspace, doc_id: int, measure_id: int) -> Measure:
    m = session.scalar(
        scoped(Measure, ws.id).where(Measure.document_id == doc_id, Measure.id == measure_id)
    )
    if m is None:
        raise NotFound()
    return m


@dataclass
class MeasureInput:
    title: str
    owner: str
    partners: str = ""
    description: str = ""
    deadline: date | None = None
    status: str = "planned"
    section_key: str | None = None


def _check(session: Session, ws: Workspace, doc_id: int, data: MeasureInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not 3 <= len(data.title.strip()) <= 200:
        errors["title"] = lazy("Tittelen må ha 3–200 tegn.")
    if not 2 <= len(data.owner.strip()) <= 200:
        errors["owner"] = lazy("Skriv hvem som eier tiltaket.")
    if len(data.partners) > 500:
        errors["partners"] = lazy("Partnerlista kan ha høyst 500 tegn.")
    if len(data.description) > 5000:
        errors["description"] = lazy("Beskrivelsen kan ha høyst 5000 tegn.")
    if data.status not in MEASURE_STATUSES:
        errors["status"] = lazy("Velg en status fra lista.")
    if data.section_key:
        found = session.scalar(
            scoped(StrategySection, ws.id)
            .with_only_columns(StrategySection.id)
            .where(StrategySection.document_id == doc_id, StrategySection.key == data.section_key)
        )
        if found is None:
            errors["section_key"] = lazy("Velg et avsnitt i dokumentet.")
    return errors


def add(session: Session, ws: Workspace, doc_id: int, data: MeasureInput) -> Measure:
    service.get_document(session, ws, doc_id)
    errors = _check(session, ws, doc_id, data)
    if errors:
        raise InvalidInput(errors)
    m = Measure(
        workspace_id=ws.id,
        document_id=doc_id,
        title=data.title.strip(),
        owner=data.owner.strip(),
        partners=data.partners.strip(),
        description=data.description.strip(),
        deadline=data.deadline,
        status=data.status,
        section_key=data.section_key or None,
    )
    session.add(m)
    session.flush()
    return m


def update(
    session: Session, ws: Workspace, doc_id: int, measure_id: int, data: MeasureInput
) -> Measure:
    m = get_measure(session, ws, doc_id, measure_id)
    errors = _check(session, ws, doc_id, data)
    if errors:
        raise InvalidInput(errors)
    m.title, m.owner, m.partners = data.title.strip(), data.owner.strip(), data.partners.strip()
    m.description, m.deadline, m.status = data.description.strip(), data.deadline, data.status
    m.section_key = data.section_key or None
    session.flush()
    return m


def delete(session: Session, ws: Workspace, doc_id: int, measure_id: int) -> None:
    session.delete(get_measure(session, ws, doc_id, measure_id))
    session.flush()


@dataclass
class Figures:
    total: int
    by_status: dict[str, int]
    overdue: int


def figures(session: Session, ws: Workspace, doc_id: int | None = None) -> Figures:
    """Measures by status and how many are overdue, for one document or the workspace."""
    query = scoped(Measure, ws.id).with_only_columns(Measure.status, func.count())
    overdue = (
        scoped(Measure, ws.id)
        .with_only_columns(func.count())
        .where(Measure.status.in_(OPEN_STATUSES), Measure.deadline < today())
    )
    if doc_id is not None:
        query = query.where(Measure.document_id == doc_id)
        overdue = overdue.where(Measure.document_id == doc_id)
    by_status = {s: 0 for s in MEASURE_STATUSES}
    by_status.update(dict(session.execute(query.group_by(Measure.status)).all()))
    return Figures(sum(by_status.values()), by_status, session.scalar(overdue) or 0)
