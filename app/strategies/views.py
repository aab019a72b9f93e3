"""HTML pages of strategy documents: the index, documents and their draft, versions,
comparison, adoption, the action plan and search. Consultation rounds have their own pages
(``consultation/views.py``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession
from app.accounts.one_trip import Router
from app.clock import today
from app.errors import NotFound
from app.forms import FormData, submit
from app.i18n import _
from app.strategies import measures, search, service
from app.strategies.consultation import access
from app.strategies.deps import DraftReader, Editor, Reader
from app.strategies.models import KINDS, StrategySection, StrategyVersion
from app.strategies.render import download, page, query_number
from app.strategies.schemas import (
    AdoptionForm,
    DocumentForm,
    MeasureForm,
    MoveForm,
    PublishForm,
    SectionCreate,
    SectionUpdate,
)
from app.web import redirect

router = Router()


def _base(ctx: Context) -> str:
    return f"/{ctx.workspace.slug}"


# --- index and documents -------------------------------------------------------------------


@router.get("/{workspace_slug}/strategier")
def index(request: Request, session: DbSession, ctx: Reader) -> Response:
    p = ctx.principal
    drafts = p.can("strategies.read_drafts")
    return page(
        request,
        "strategies/index.html",
        rows=service.documents(session, ctx.workspace) if drafts else [],
        rounds=access.visible_rounds(session, ctx.workspace, p),
        actor=p,
        today=today(),
        figures=measures.figures(session, ctx.workspace) if drafts else None,
    )


@router.get("/{workspace_slug}/strategier/sok")
def search_page(
    request: Request,
    session: DbSession,
    ctx: DraftReader,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    hits = search.search(session, ctx.workspace, q or "") if q else []
    return page(request, "strategies/search.html", q=q or "", hits=hits)


@router.get("/{workspace_slug}/strategier/ny")
def new_document(request: Request, ctx: Editor) -> Response:
    return page(request, "strategies/document_form.html", values={"kind": KINDS[0]}, errors={})


@router.post("/{workspace_slug}/strategier/ny")
def create_document(request: Request, session: DbSession, data: FormData, ctx: Editor) -> Response:
    return submit(
        request,
        session,
        data,
        lambda form: service.create_document(session, ctx.workspace, ctx.principal, form),
        schema=DocumentForm,
        done=lambda doc: f"{_base(ctx)}/strategier/{doc.id}",
        flash=_("Dokumentet er opprettet."),
        again=lambda errors: page(
            request, "strategies/document_form.html", values=data, errors=errors
        ),
    )


def _document_page(
    request: Request,
    session: DbSession,
    ctx: Context,
    doc_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    doc = service.get_document(session, ctx.workspace, doc_id)
    versions = service.versions_of(session, ctx.workspace, doc_id)
    sections = service.sections_of(session, ctx.workspace, doc_id)
    return page(
        request,
        "strategies/document.html",
        doc=doc,
        sections=sections,
        versions=versions,
        rounds=service.rounds_of(session, ctx.workspace, doc_id),
        changed=service.draft_changed_since(session, ctx.workspace, sections, versions),
        figures=measures.figures(session, ctx.workspace, doc_id),
        actor=ctx.principal,
        errors=errors or {},
        values=values or {},
        today=today(),
    )


@router.get("/{workspace_slug}/strategier/{doc_id}")
def document_page(request: Request, doc_id: int, session: DbSession, ctx: DraftReader) -> Response:
    return _document_page(request, session, ctx, doc_id)


@router.post("/{workspace_slug}/strategier/{doc_id}/rediger")
def update_document(
    request: Request, doc_id: int, session: DbSession, data: FormData, ctx: Editor
) -> Response:
    return submit(
        request,
        session,
        data,
        lambda form: service.update_document(session, ctx.workspace, doc_id, form),
        schema=DocumentForm,
        done=f"{_base(ctx)}/strategier/{doc_id}",
        flash=_("Dokumentet er lagret."),
        again=lambda errors: _document_page(request, session, ctx, doc_id, errors, data),
    )


@router.post("/{workspace_slug}/strategier/{doc_id}/avsnitt")
def add_section(
    request: Request, doc_id: int, session: DbSession, data: FormData, ctx: Editor
) -> Response:
    return submit(
        request,
        session,
        data,
        lambda form: service.add_section(session, ctx.workspace, ctx.principal, doc_id, form),
        schema=SectionCreate,
        done=f"{_base(ctx)}/strategier/{doc_id}#utkast",
        flash=_("Avsnittet er lagt til."),
        again=lambda errors: _document_page(request, session, ctx, doc_id, errors, data),
    )


@router.post("/{workspace_slug}/strategier/{doc_id}/avsnitt/{section_id}/flytt")
def move_section(
    request: Request, doc_id: int, section_id: int, session: DbSession, data: FormData, ctx: Editor
) -> Response:
    return submit(
        request,
        session,
        data,
        lambda form: service.move_section(session, ctx.workspace, doc_id, section_id, form),
        schema=MoveForm,
        done=f"{_base(ctx)}/strategier/{doc_id}#a{section_id}",
        flash=_("Rekkefølgen er endret."),
        again=lambda errors: _document_page(request, session, ctx, doc_id, errors, data),
    )


@router.post("/{workspace_slug}/strategier/{doc_id}/avsnitt/{section_id}/slett")
def delete_section(
    request: Request, doc_id: int, section_id: int, session: DbSession, ctx: Editor
) -> Response:
    heading = service.delete_section(session, ctx.workspace, doc_id, section_id)
    return redirect(
        request,
        f"{_base(ctx)}/strategier/{doc_id}#utkast",
        flash=_("Avsnittet «{heading}» er fjernet fra utkastet.").format(heading=heading),
    )


@router.get("/{workspace_slug}/strategier/{doc_id}/avsnitt/{section_id}")
def edit_section(
    request: Request, doc_id: int, section_id: int, session: DbSession, ctx: Editor
) -> Response:
    doc = service.get_document(session, ctx.workspace, doc_id)
    section = service.get_section(session, ctx.workspace, doc_id, section_id)
    return page(
        request,
        "strategies/section_form.html",
        doc=doc,
        section=section,
        values={"heading": section.heading, "body": section.body, "revision": section.revision},
        errors={},
        conflict=None,
    )


@router.post("/{workspace_slug}/strategier/{doc_id}/avsnitt/{section_id}")
def save_section(
    request: Request,
    doc_id: int,
    section_id: int,
    session: DbSession,
    data: FormData,
    ctx: Editor,
) -> Response:
    doc = service.get_document(session, ctx.workspace, doc_id)

    def again(errors: dict[str, str]) -> Response:
        section = service.get_section(session, ctx.workspace, doc_id, section_id)
        return page(
            request,
            "strategies/section_form.html",
            doc=doc,
            section=section,
            values=data,
            errors=errors,
            conflict=None,
        )

    def done(section: StrategySection) -> str:
        return f"{_base(ctx)}/strategier/{doc_id}#a{section.id}"

    try:
        return submit(
            request,
            session,
            data,
            lambda form: service.save_section(
                session, ctx.workspace, ctx.principal, doc_id, section_id, form
            ),
            schema=SectionUpdate,
            done=done,
            flash=_("Avsnittet er lagret."),
            again=again,
        )
    except service.EditConflict as exc:
        # Both texts side by side; the form keeps this editor's text and now names the
        # revision they have seen, so saving again is a deliberate choice.
        return page(
            request,
            "strategies/section_form.html",
            409,
            doc=doc,
            section=exc.now,
            values={**data, "revision": exc.now.revision},
            errors={"form": _(exc.message)},
            conflict=exc.now,
        )


# --- versions ------------------------------------------------------------------------------


@router.post("/{workspace_slug}/strategier/{doc_id}/publiser")
def publish(
    request: Request, doc_id: int, session: DbSession, data: FormData, ctx: Editor
) -> Response:
    def done(version: StrategyVersion) -> str:
        return f"{_base(ctx)}/strategier/{doc_id}/versjoner/{version.number}"

    return submit(
        request,
        session,
        data,
        lambda form: service.publish(session, ctx.workspace, ctx.principal, doc_id, form),
        schema=PublishForm,
        done=done,
        flash=lambda version: _("Versjon {n} er publisert og låst.").format(n=version.number),
        again=lambda errors: _document_page(request, session, ctx, doc_id, errors, data),
    )


def _version_page(
    request: Request,
    session: DbSession,
    ctx: Context,
    doc_id: int,
    number: int,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    doc = service.get_document(session, ctx.workspace, doc_id)
    version = service.get_version(session, ctx.workspace, doc_id, number)
    return page(
        request,
        "strategies/version.html",
        doc=doc,
        version=version,
        sections=service.version_sections(session, ctx.workspace, version.id),
        numbers=service.version_numbers(session, ctx.workspace, doc_id),
        actor=ctx.principal,
        errors=errors or {},
        values=values or {},
    )


@router.get("/{workspace_slug}/strategier/{doc_id}/versjoner/{number}")
def version_page(
    request: Request, doc_id: int, number: int, session: DbSession, ctx: DraftReader
) -> Response:
    return _version_page(request, session, ctx, doc_id, number)


@router.post("/{workspace_slug}/strategier/{doc_id}/versjoner/{number}")
def edit_version(
    request: Request, doc_id: int, number: int, session: DbSession, ctx: Editor
) -> Response:
    """A published version is frozen: any attempt to change its text is refused."""
    service.get_version(session, ctx.workspace, doc_id, number)
    raise service.Frozen()


@router.post("/{workspace_slug}/strategier/{doc_id}/versjoner/{number}/vedtak")
def adopt(
    request: Request, doc_id: int, number: int, session: DbSession, data: FormData, ctx: Editor
) -> Response:
    return submit(
        request,
        session,
        data,
        lambda form: service.adopt(session, ctx.workspace, doc_id, number, form),
        schema=AdoptionForm,
        done=f"{_base(ctx)}/strategier/{doc_id}/versjoner/{number}",
        flash=_("Vedtaket er registrert."),
        again=lambda errors: _version_page(request, session, ctx, doc_id, number, errors, data),
    )


@router.get("/{workspace_slug}/strategier/{doc_id}/sammenlign")
def compare(
    request: Request,
    doc_id: int,
    session: DbSession,
    ctx: DraftReader,
    fra: Annotated[str | None, Query(max_length=10)] = None,
    til: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    doc = service.get_document(session, ctx.workspace, doc_id)
    numbers = service.version_numbers(session, ctx.workspace, doc_id)
    if not numbers:
        raise NotFound()
    old_n = query_number(fra) or (numbers[-2] if len(numbers) > 1 else numbers[-1])
    new_label = til if til == "utkast" else None
    new_n = None if new_label else (query_number(til) or numbers[-1])
    old = service.get_version(session, ctx.workspace, doc_id, old_n)
    old_sections = service.version_sections(session, ctx.workspace, old.id)
    if new_n is None:
        new_sections: Any = service.sections_of(session, ctx.workspace, doc_id)
    else:
        new = service.get_version(session, ctx.workspace, doc_id, new_n)
        new_sections = service.version_sections(session, ctx.workspace, new.id)
    changes = service.compare(old_sections, new_sections)
    return page(
        request,
        "strategies/compare.html",
        doc=doc,
        numbers=numbers,
        old_n=old_n,
        new_n=new_n,
        changes=changes,
        counts={
            c: sum(1 for x in changes if x.change == c) for c in ("added", "removed", "changed")
        },
    )


# --- action plan ------------------------------------------------------------------------------


def _measures_page(
    request: Request,
    session: DbSession,
    ctx: Context,
    doc_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    editing: int | None = None,
) -> Response:
    doc = service.get_document(session, ctx.workspace, doc_id)
    return page(
        request,
        "strategies/measures.html",
        doc=doc,
        rows=measures.measures_of(session, ctx.workspace, doc_id),
        sections=service.sections_of(session, ctx.workspace, doc_id),
        figures=measures.figures(session, ctx.workspace, doc_id),
        actor=ctx.principal,
        errors=errors or {},
        values=values or {"status": "planned"},
        editing=editing,
        today=today(),
    )


@router.get("/{workspace_slug}/strategier/{doc_id}/tiltak")
def measures_page(
    request: Request,
    doc_id: int,
    session: DbSession,
    ctx: DraftReader,
    endre: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    return _measures_page(request, session, ctx, doc_id, editing=endre)


@router.post("/{workspace_slug}/strategier/{doc_id}/tiltak")
def add_measure(
    request: Request, doc_id: int, session: DbSession, data: FormData, ctx: Editor
) -> Response:
    return submit(
        request,
        session,
        data,
        lambda form: measures.add(session, ctx.workspace, doc_id, form),
        schema=MeasureForm,
        done=lambda m: f"{_base(ctx)}/strategier/{doc_id}/tiltak#t{m.id}",
        flash=_("Tiltaket er lagt til."),
        again=lambda errors: _measures_page(request, session, ctx, doc_id, errors, data),
    )


@router.post("/{workspace_slug}/strategier/{doc_id}/tiltak/{measure_id}")
def update_measure(
    request: Request,
    doc_id: int,
    measure_id: int,
    session: DbSession,
    data: FormData,
    ctx: Editor,
) -> Response:
    return submit(
        request,
        session,
        data,
        lambda form: measures.update(session, ctx.workspace, doc_id, measure_id, form),
        schema=MeasureForm,
        done=f"{_base(ctx)}/strategier/{doc_id}/tiltak#t{measure_id}",
        flash=_("Tiltaket er lagret."),
        again=lambda errors: _measures_page(
            request, session, ctx, doc_id, errors, data, editing=measure_id
        ),
    )


@router.post("/{workspace_slug}/strategier/{doc_id}/tiltak/{measure_id}/slett")
def delete_measure(
    request: Request, doc_id: int, measure_id: int, session: DbSession, ctx: Editor
) -> Response:
    measures.delete(session, ctx.workspace, doc_id, measure_id)
    return redirect(
        request, f"{_base(ctx)}/strategier/{doc_id}/tiltak", flash=_("Tiltaket er slettet.")
    )


@router.get("/{workspace_slug}/strategier/{doc_id}/tiltak.xlsx")
def measures_xlsx(doc_id: int, session: DbSession, ctx: DraftReader) -> Response:
    from app.strategies import exports

    doc = service.get_document(session, ctx.workspace, doc_id)
    rows = measures.measures_of(session, ctx.workspace, doc_id)
    headings = {s.key: s.heading for s in service.sections_of(session, ctx.workspace, doc_id)}
    return exports.AfterTransaction(
        lambda: download(
            exports.measures_xlsx(doc, rows, headings), exports.XLSX_TYPE, f"tiltak-{doc_id}.xlsx"
        )
    )
