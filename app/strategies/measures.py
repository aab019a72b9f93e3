"""Action-plan measures (tiltak): owner, partners, deadline, status, the section they
implement; overdue ones; the workspace figures."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, Select, bindparam, func
from sqlalchemy.orm import Session

from app.clock import today
from app.counties.models import Workspace
from app.errors import InvalidInput, NotFound
from app.i18n import lazy
from app.strategies import service
from app.strategies.models import MEASURE_STATUSES, Measure, StrategySection
from app.strategies.schemas import MeasureForm
from app.tenancy import scoped, workspace_param

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


def _check_section(session: Session, ws: Workspace, doc_id: int, form: MeasureForm) -> None:
    """The section a measure implements is one of the document's."""
    if form.section_key is None:
        return
    found = session.scalar(
        scoped(StrategySection, ws.id)
        .with_only_columns(StrategySection.id)
        .where(StrategySection.document_id == doc_id, StrategySection.key == form.section_key)
    )
    if found is None:
        raise InvalidInput({"section_key": lazy("Velg et avsnitt i dokumentet.")})


def add(session: Session, ws: Workspace, doc_id: int, form: MeasureForm) -> Measure:
    service.get_document(session, ws, doc_id)
    _check_section(session, ws, doc_id, form)
    m = Measure(workspace_id=ws.id, document_id=doc_id)
    _apply(m, form)
    session.add(m)
    session.flush()
    return m


def update(
    session: Session, ws: Workspace, doc_id: int, measure_id: int, form: MeasureForm
) -> Measure:
    m = get_measure(session, ws, doc_id, measure_id)
    _check_section(session, ws, doc_id, form)
    _apply(m, form)
    session.flush()
    return m


def _apply(m: Measure, form: MeasureForm) -> None:
    m.title, m.owner, m.partners = form.title, form.owner, form.partners
    m.description, m.deadline, m.status = form.description, form.deadline, form.status
    m.section_key = form.section_key


def delete(session: Session, ws: Workspace, doc_id: int, measure_id: int) -> None:
    session.delete(get_measure(session, ws, doc_id, measure_id))
    session.flush()


def overdue_query(ws: Workspace, *, limit: int, on: Any = None) -> Select[Any]:
    """The select of :func:`overdue` (for one workspace; the start page unites one per
    workspace). ``on``, today unless given, may be a bind parameter."""
    return (
        scoped(Measure, ws.id)
        .where(
            Measure.status.in_(OPEN_STATUSES), Measure.deadline < (today() if on is None else on)
        )
        .order_by(Measure.deadline, Measure.id)
        .limit(limit)
    )


def overdue(session: Session, ws: Workspace, *, limit: int) -> list[Measure]:
    """Measures behind plan (open, past their deadline), the longest overdue first."""
    return list(session.scalars(overdue_query(ws, limit=limit)))


@dataclass
class Figures:
    total: int
    by_status: dict[str, int]
    overdue: int


def figures_query(ws: Workspace, doc_id: int | None = None) -> Select[Any]:
    """One row: the measures by status (in the order of ``MEASURE_STATUSES``), then how many are
    overdue — for one document or the workspace; see :func:`figures_of`."""
    query = _figures_query(ws.id, today())
    if doc_id is not None:
        query = query.where(Measure.document_id == doc_id)
    return query


def _figures_query(ws_id: Any, on: Any) -> Select[Any]:
    """:func:`figures_query` of the workspace ``ws_id`` on the day ``on``: values, or bind
    parameters for :func:`_document_figures_query`."""
    return scoped(Measure, ws_id).with_only_columns(  # type: ignore[return-value]
        *(func.count(Measure.id).filter(Measure.status == s) for s in MEASURE_STATUSES),
        func.count(Measure.id).filter(Measure.status.in_(OPEN_STATUSES), Measure.deadline < on),
    )


@functools.cache
def _document_figures_query() -> Select[Any]:
    """The figures of one document (``doc``) of a workspace (``ws``) on a day (``on``), made
    once per process: a document's page shows them on every view."""
    return _figures_query(workspace_param(), bindparam("on", type_=Date())).where(
        Measure.document_id == bindparam("doc", type_=Integer())
    )


def figures_of(row: Sequence[Any]) -> Figures:
    """The figures of a row of :func:`figures_query`."""
    by_status = {s: int(n or 0) for s, n in zip(MEASURE_STATUSES, row, strict=False)}
    return Figures(sum(by_status.values()), by_status, int(row[len(MEASURE_STATUSES)] or 0))


def figures(session: Session, ws: Workspace, doc_id: int | None = None) -> Figures:
    """Measures by status and how many are overdue, for one document or the workspace (one
    query)."""
    if doc_id is None:
        return figures_of(session.execute(figures_query(ws)).one())
    values = {"ws": ws.id, "doc": doc_id, "on": today()}
    return figures_of(session.execute(_document_figures_query(), values).one())
