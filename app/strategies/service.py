"""Strategy documents: sections of the working draft, published versions, comparison and
adoption. Consultation rounds live in ``consultation/``, measures in ``measures.py``."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Integer, bindparam, func
from sqlalchemy.orm import Session, joinedload, selectinload

from app.accounts.principal import Principal
from app.clock import OSLO
from app.counties.models import Workspace
from app.db import utcnow
from app.errors import AppError, InvalidInput, NotFound
from app.i18n import _, lazy
from app.strategies import text
from app.strategies.models import (
    KINDS,
    ConsultationRound,
    StrategyDocument,
    StrategySection,
    StrategyVersion,
    VersionSection,
)
from app.strategies.schemas import (
    AdoptionForm,
    DocumentForm,
    MoveForm,
    PublishForm,
    SectionCreate,
    SectionUpdate,
)
from app.tenancy import scoped, workspace_param

KIND_LABELS = {
    "innovation_strategy": lazy("Regional innovasjonsstrategi"),
    "digitalisation_strategy": lazy("Digitaliseringsstrategi"),
    "action_plan": lazy("Handlingsplan"),
    "other": lazy("Annet dokument"),
}
assert set(KIND_LABELS) == set(KINDS)

MAX_SECTIONS = 200
T = TypeVar("T")


class Stale(AppError, Generic[T]):
    """A change written against something that someone has changed since: nothing is saved,
    and ``now`` is what it is now, to compare and try again."""

    status_code = 409

    def __init__(self, now: T):
        super().__init__()
        self.now = now


class EditConflict(Stale[StrategySection]):
    """Someone saved the section after this editor opened it."""

    code = "edit_conflict"
    message = lazy(
        "Noen andre har lagret dette avsnittet etter at du åpnet det. Teksten din er ikke "
        "lagret ennå: sammenlign og lagre på nytt."
    )


class Frozen(AppError):
    status_code = 409
    code = "frozen"
    message = lazy("En publisert versjon er låst og kan ikke endres. Endre utkastet i stedet.")


# --- documents -------------------------------------------------------------------------------


@dataclass
class DocumentRow:
    document: StrategyDocument
    sections: int
    latest_version: int | None
    adopted_version: int | None


def documents(session: Session, ws: Workspace) -> list[DocumentRow]:
    """Every document of the workspace with its section count and versions: three queries."""
    docs = list(session.scalars(scoped(StrategyDocument, ws.id).order_by(StrategyDocument.title)))
    counts = dict(
        session.execute(
            scoped(StrategySection, ws.id)
            .with_only_columns(StrategySection.document_id, func.count())
            .group_by(StrategySection.document_id)
        ).all()
    )
    latest: dict[int, int] = {}
    adopted: dict[int, int] = {}
    for doc_id, number, adopted_on in session.execute(
        scoped(StrategyVersion, ws.id).with_only_columns(
            StrategyVersion.document_id, StrategyVersion.number, StrategyVersion.adopted_on
        )
    ):
        latest[doc_id] = max(latest.get(doc_id, 0), number)
        if adopted_on is not None:
            adopted[doc_id] = max(adopted.get(doc_id, 0), number)
    return [DocumentRow(d, counts.get(d.id, 0), latest.get(d.id), adopted.get(d.id)) for d in docs]


# The reads of a document's page, each statement made once per process with the workspace
# (``ws``) and the document (``doc``) as parameters: building them cost as much as running them.
_WS = workspace_param()
_DOC = bindparam("doc", type_=Integer())


@functools.cache
def _document_query() -> Any:
    return scoped(StrategyDocument, _WS).where(StrategyDocument.id == _DOC)


def get_document(session: Session, ws: Workspace, doc_id: int) -> StrategyDocument:
    doc = session.scalar(_document_query(), {"ws": ws.id, "doc": doc_id})
    if doc is None:
        raise NotFound()
    return doc


def create_document(
    session: Session, ws: Workspace, p: Principal, form: DocumentForm
) -> StrategyDocument:
    doc = StrategyDocument(workspace_id=ws.id, created_by_id=p.user_id, **form.model_dump())
    session.add(doc)
    session.flush()
    return doc


def update_document(
    session: Session, ws: Workspace, doc_id: int, form: DocumentForm
) -> StrategyDocument:
    doc = get_document(session, ws, doc_id)
    doc.title, doc.kind, doc.summary = form.title, form.kind, form.summary
    session.flush()
    return doc


# --- sections of the draft -----------------------------------------------------------------


@functools.cache
def _sections_query() -> Any:
    return (
        scoped(StrategySection, _WS)
        .where(StrategySection.document_id == _DOC)
        .order_by(StrategySection.position, StrategySection.id)
        .options(joinedload(StrategySection.updated_by))
    )


def sections_of(session: Session, ws: Workspace, doc_id: int) -> list[StrategySection]:
    return list(session.scalars(_sections_query(), {"ws": ws.id, "doc": doc_id}))


def _section(session: Session, ws: Workspace, doc_id: int, section_id: int) -> StrategySection:
    section = session.scalar(
        scoped(StrategySection, ws.id)
        .where(StrategySection.document_id == doc_id, StrategySection.id == section_id)
        .options(selectinload(StrategySection.updated_by))
        .with_for_update()
    )
    if section is None:
        raise NotFound()
    return section


def get_section(session: Session, ws: Workspace, doc_id: int, section_id: int) -> StrategySection:
    return _section(session, ws, doc_id, section_id)


def add_section(
    session: Session, ws: Workspace, p: Principal, doc_id: int, form: SectionCreate
) -> StrategySection:
    get_document(session, ws, doc_id)
    existing = sections_of(session, ws, doc_id)
    if len(existing) >= MAX_SECTIONS:
        raise InvalidInput({"heading": lazy("Et dokument kan ha høyst 200 avsnitt.")})
    section = StrategySection(
        workspace_id=ws.id,
        document_id=doc_id,
        key=secrets.token_hex(6),
        position=(existing[-1].position + 1) if existing else 1,
        heading=form.heading,
        body=form.body,
        revision=1,
        updated_by_id=p.user_id,
    )
    session.add(section)
    session.flush()
    return section


def save_section(
    session: Session,
    ws: Workspace,
    p: Principal,
    doc_id: int,
    section_id: int,
    form: SectionUpdate,
) -> StrategySection:
    """Save the draft of a section if nobody saved it since ``form.revision``; otherwise
    :class:`EditConflict` with the section as it is now. The row is locked while compared."""
    section = _section(session, ws, doc_id, section_id)
    unchanged = section.heading == form.heading and section.body == form.body
    if section.revision != form.revision:
        if unchanged:
            return section  # the same text twice is no conflict
        raise EditConflict(section)
    if unchanged:
        return section
    section.heading = form.heading
    section.body = form.body
    section.revision += 1
    section.updated_at = utcnow()
    section.updated_by_id = p.user_id
    session.flush()
    session.expire(section, ["updated_by"])  # the loaded editor is the previous one
    return section


def move_section(
    session: Session, ws: Workspace, doc_id: int, section_id: int, form: MoveForm
) -> None:
    sections = sections_of(session, ws, doc_id)
    index = next((i for i, s in enumerate(sections) if s.id == section_id), None)
    if index is None:
        raise NotFound()
    other = index - 1 if form.direction == "up" else index + 1
    if not 0 <= other < len(sections):
        return  # the first cannot go up, the last cannot go down: nothing to do
    sections[index], sections[other] = sections[other], sections[index]
    for position, s in enumerate(sections, start=1):
        s.position = position
    session.flush()


def delete_section(session: Session, ws: Workspace, doc_id: int, section_id: int) -> str:
    section = _section(session, ws, doc_id, section_id)
    heading = section.heading
    session.delete(section)
    session.flush()
    return heading


# --- versions -------------------------------------------------------------------------------


@functools.cache
def _versions_query() -> Any:
    return (
        scoped(StrategyVersion, _WS)
        .where(StrategyVersion.document_id == _DOC)
        .order_by(StrategyVersion.number.desc())
        .options(joinedload(StrategyVersion.published_by))
    )


def versions_of(session: Session, ws: Workspace, doc_id: int) -> list[StrategyVersion]:
    return list(session.scalars(_versions_query(), {"ws": ws.id, "doc": doc_id}))


def get_version(session: Session, ws: Workspace, doc_id: int, number: int) -> StrategyVersion:
    version = session.scalar(
        scoped(StrategyVersion, ws.id).where(
            StrategyVersion.document_id == doc_id, StrategyVersion.number == number
        )
    )
    if version is None:
        raise NotFound()
    return version


@functools.cache
def _version_sections_query() -> Any:
    return (
        scoped(VersionSection, _WS)
        .where(VersionSection.version_id == bindparam("version", type_=Integer()))
        .order_by(VersionSection.position)
    )


def version_sections(session: Session, ws: Workspace, version_id: int) -> list[VersionSection]:
    return list(session.scalars(_version_sections_query(), {"ws": ws.id, "version": version_id}))


def publish(
    session: Session, ws: Workspace, p: Principal, doc_id: int, form: PublishForm
) -> StrategyVersion:
    """Freeze the draft as the next numbered version."""
    get_document(session, ws, doc_id)
    sections = sections_of(session, ws, doc_id)
    if not sections:
        raise InvalidInput({"note": lazy("Dokumentet har ingen avsnitt å publisere.")})
    versions = versions_of(session, ws, doc_id)
    if not draft_changed_since(session, ws, sections, versions):
        raise InvalidInput(
            {
                "note": _("Utkastet er likt versjon {n}. Endre noe før du publiserer.").format(
                    n=versions[0].number
                )
            }
        )
    version = StrategyVersion(
        workspace_id=ws.id,
        document_id=doc_id,
        number=(versions[0].number + 1) if versions else 1,
        note=form.note,
        published_by_id=p.user_id,
        published_at=utcnow(),
    )
    session.add(version)
    session.flush()
    for position, s in enumerate(sections, start=1):
        session.add(
            VersionSection(
                workspace_id=ws.id,
                version_id=version.id,
                key=s.key,
                position=position,
                heading=s.heading,
                body=s.body,
            )
        )
    session.flush()
    return version


def adopt(
    session: Session, ws: Workspace, doc_id: int, number: int, form: AdoptionForm
) -> StrategyVersion:
    """Record that a political body adopted a version (vedtak)."""
    version = get_version(session, ws, doc_id, number)
    if (
        form.adopted_on is not None
        and form.adopted_on < version.published_at.astimezone(OSLO).date()
    ):
        raise InvalidInput(
            {"adopted_on": lazy("Vedtaksdatoen kan ikke ligge før versjonen ble publisert.")}
        )
    version.adopted_by = form.adopted_by
    version.adopted_on = form.adopted_on
    version.case_number = form.case_number
    session.flush()
    return version


# --- comparison -----------------------------------------------------------------------------


@dataclass
class SectionChange:
    change: str  # "same", "changed", "added", "removed"
    key: str
    heading: str
    old_heading: str | None = None
    old_body: str = ""
    new_body: str = ""
    moved: bool = False
    pieces: list[text.Piece] = field(default_factory=list)


def compare(
    old: list[VersionSection] | list[StrategySection],
    new: list[VersionSection] | list[StrategySection],
) -> list[SectionChange]:
    """Section by section, in the order of the newer text, with removed sections where they
    stood: added, removed, changed (a word diff of the text) or the same."""
    old_by_key = {s.key: s for s in old}
    new_keys = {s.key for s in new}
    old_order = [s.key for s in old if s.key in new_keys]
    new_order = [s.key for s in new if s.key in old_by_key]
    changes: list[SectionChange] = []
    removed_before: dict[str, list[SectionChange]] = {}
    pending: list[SectionChange] = []
    for s in old:
        if s.key not in new_keys:
            pending.append(SectionChange("removed", s.key, s.heading, old_body=s.body))
        elif pending:
            removed_before[s.key] = pending
            pending = []
    for s in new:
        changes += removed_before.get(s.key, [])
        before = old_by_key.get(s.key)
        if before is None:
            changes.append(SectionChange("added", s.key, s.heading, new_body=s.body))
            continue
        same = before.heading == s.heading and before.body == s.body
        changes.append(
            SectionChange(
                "same" if same else "changed",
                s.key,
                s.heading,
                old_heading=before.heading if before.heading != s.heading else None,
                old_body=before.body,
                new_body=s.body,
                moved=old_order.index(s.key) != new_order.index(s.key),
                pieces=[] if same else text.word_diff(before.body, s.body),
            )
        )
    return changes + pending


# --- rounds of a document (their own module holds the rest) --------------------------------


@functools.cache
def _rounds_query() -> Any:
    return (
        scoped(ConsultationRound, _WS)
        .where(ConsultationRound.document_id == _DOC)
        .order_by(ConsultationRound.starts_on.desc())
        .options(joinedload(ConsultationRound.version))
    )


def rounds_of(session: Session, ws: Workspace, doc_id: int) -> list[ConsultationRound]:
    return list(session.scalars(_rounds_query(), {"ws": ws.id, "doc": doc_id}))


def version_numbers(session: Session, ws: Workspace, doc_id: int) -> list[int]:
    return list(
        session.scalars(
            scoped(StrategyVersion, ws.id)
            .with_only_columns(StrategyVersion.number)
            .where(StrategyVersion.document_id == doc_id)
            .order_by(StrategyVersion.number)
        )
    )


def draft_changed_since(
    session: Session,
    ws: Workspace,
    draft: list[StrategySection],
    versions: list[StrategyVersion],
) -> bool:
    """Whether the draft differs from the newest of ``versions`` (already loaded, newest
    first): one query for that version's sections."""
    if not versions:
        return True
    return not _same_text(version_sections(session, ws, versions[0].id), draft)


def _same_text(
    a: list[VersionSection] | list[StrategySection], b: list[VersionSection] | list[StrategySection]
) -> bool:
    return [(s.key, s.heading, s.body) for s in a] == [(s.key, s.heading, s.body) for s in b]
