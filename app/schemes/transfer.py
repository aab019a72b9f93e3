"""Import and export of participation records (søknader og prosjekter) as CSV or XLSX: the page
under ``/{county}/virkemidler/soknader/import`` with the template and the export to download,
and the same through the JSON API. The work is in ``transfer_import`` (checking and applying a
file through the service), ``transfer_export`` (the rows, the template) and
``transfer_columns`` (what the files hold)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, File, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from app.accounts.deps import Context, DbSession, api_require, require
from app.accounts.one_trip import Router
from app.clock import today
from app.errors import NotFound
from app.i18n import _, ngettext
from app.schemes import transfer_export as exporter
from app.schemes import transfer_import as importer
from app.schemes.labels import STATUS_LABELS
from app.schemes.models import PARTICIPATION_ROLES, PARTICIPATION_STATUSES
from app.schemes.transfer_columns import COLUMNS, FILE_ROLE, REQUIRED
from app.schemes.transfer_import import ParticipationImport
from app.web import redirect, render

router = Router()
api_router = Router(tags=["schemes"])

Reader = Annotated[Context, Depends(require("schemes.read"))]
Editor = Annotated[Context, Depends(require("participation.edit"))]
ApiReader = Annotated[Context, Depends(api_require("schemes.read"))]
ApiEditor = Annotated[Context, Depends(api_require("participation.edit"))]
SHOWN_ERRORS = 200


def _download(content: bytes, fmt: str, filename: str) -> Response:
    return Response(
        content,
        media_type=exporter.MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}.{fmt}"',
            "Cache-Control": "no-store",
        },
    )


def _export(session: DbSession, ctx: Context, fmt: str) -> Response:
    if fmt not in exporter.FORMATS:
        raise NotFound()
    content = exporter.export_file(session, ctx.workspace, fmt)
    return _download(content, fmt, f"samspill-{ctx.workspace.slug}-soknader-{today().isoformat()}")


def _template(session: DbSession, ctx: Context, fmt: str) -> Response:
    if fmt not in exporter.FORMATS:
        raise NotFound()
    content = exporter.template_file(session, ctx.workspace, fmt)
    return _download(content, fmt, "samspill-mal-soknader")


def _summary(result: ParticipationImport) -> str:
    rows = ngettext("(%(num)d rad)", "(%(num)d rader)", result.rows) % {"num": result.rows}
    text = _(
        "Importen er fullført: {created} nye, {updated} endret, {unchanged} uendret {rows}."
    ).format(
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        rows=rows,
    )
    if result.skipped:
        text += " " + ngettext(
            "%(num)d eksempelrad ble hoppet over.",
            "%(num)d eksempelrader ble hoppet over.",
            result.skipped,
        ) % {"num": result.skipped}
    return text


# --- pages ---------------------------------------------------------------------------------


def _page(
    request: Request,
    ctx: Context,
    *,
    errors: dict[str, str] | None = None,
    result: ParticipationImport | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "columns": [(c.heading, _(c.help), c.key in REQUIRED) for c in COLUMNS],
        "statuses": [(STATUS_LABELS[s], s) for s in PARTICIPATION_STATUSES],
        "roles": [(FILE_ROLE[r], r) for r in PARTICIPATION_ROLES],
        "formats": exporter.FORMATS,
        "can_import": ctx.can("participation.edit"),
        "errors": errors or {},
        "result": result,
        "shown_errors": result.errors[:SHOWN_ERRORS] if result else [],
        "max_mb": importer.MAX_BYTES // (1024 * 1024),
        "max_rows": importer.MAX_ROWS,
    }
    return render(request, "schemes/import.html", context, status_code=status_code)


@router.get("/{workspace_slug}/virkemidler/soknader/import")
def import_page(request: Request, ctx: Reader) -> Response:
    """The import form (for those who may edit every record), the template and the export."""
    return _page(request, ctx)


@router.post("/{workspace_slug}/virkemidler/soknader/import")
def import_upload(
    request: Request,
    session: DbSession,
    ctx: Editor,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    if file is None or not file.filename:
        return _page(request, ctx, errors={"file": _("Velg en fil.")}, status_code=422)
    content = file.file.read(importer.MAX_BYTES + 1)
    result = importer.import_file(session, ctx.workspace, ctx.principal, content)
    if not result.ok:
        status = 413 if result.too_large else 422
        return _page(request, ctx, result=result, status_code=status)
    return redirect(
        request, f"/{ctx.workspace.slug}/virkemidler/soknader/import", flash=_summary(result)
    )


@router.get("/{workspace_slug}/virkemidler/soknader/mal.{fmt}")
def template(session: DbSession, ctx: Reader, fmt: str) -> Response:
    return _template(session, ctx, fmt)


@router.get("/{workspace_slug}/virkemidler/soknader/eksport.{fmt}")
def export(session: DbSession, ctx: Reader, fmt: str) -> Response:
    return _export(session, ctx, fmt)


# --- API -----------------------------------------------------------------------------------


class ImportSummary(BaseModel):
    created: int
    updated: int
    unchanged: int
    skipped: int
    rows: int


class ImportProblem(BaseModel):
    row: int | None  # as a spreadsheet numbers it: 1 is the headings; None is the whole file
    column: str | None  # the Norwegian heading
    message: str


class ImportRefused(BaseModel):
    code: str
    message: str
    errors: list[ImportProblem]


FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {m: {} for m in exporter.MEDIA_TYPES.values()}},
}


@api_router.get(
    "/{workspace_slug}/participations/export.{fmt}",
    response_class=Response,
    responses=FILE_RESPONSES,
)
def api_export(session: DbSession, ctx: ApiReader, fmt: str) -> Response:
    """Every participation record of the workspace, a row per municipality (`csv` or `xlsx`)."""
    return _export(session, ctx, fmt)


@api_router.get(
    "/{workspace_slug}/participations/template.{fmt}",
    response_class=Response,
    responses=FILE_RESPONSES,
)
def api_template(session: DbSession, ctx: ApiReader, fmt: str) -> Response:
    """The import template: the headings and an example row (skipped when imported)."""
    return _template(session, ctx, fmt)


@api_router.post(
    "/{workspace_slug}/participations/import",
    response_model=ImportSummary,
    responses={413: {"model": ImportRefused}, 422: {"model": ImportRefused}},
)
def api_import(
    session: DbSession,
    ctx: ApiEditor,
    file: Annotated[UploadFile, File(description="CSV or XLSX, as the export writes it")],
) -> Any:
    """Import a file, all or nothing: 200 with what was created, changed and left as it was,
    or 422 with every error by row and column (and nothing stored)."""
    content = file.file.read(importer.MAX_BYTES + 1)
    result = importer.import_file(session, ctx.workspace, ctx.principal, content)
    if not result.ok:
        status = 413 if result.too_large else 422
        body = ImportRefused(
            code="too_large" if result.too_large else "invalid_input",
            message=_("Filen ble ikke importert. Ingenting er lagret."),
            errors=[
                ImportProblem(row=e.row, column=e.column, message=e.message) for e in result.errors
            ],
        )
        return JSONResponse(body.model_dump(), status_code=status)
    return ImportSummary(
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        skipped=result.skipped,
        rows=result.rows,
    )
