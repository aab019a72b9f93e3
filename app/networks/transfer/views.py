"""Pages for export (CSV, XLSX) and import of bodies, memberships and contacts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.clock import today
from app.errors import Forbidden, NotFound
from app.i18n import _, lazy
from app.networks.labels import AREA_LABELS, KIND_LABELS, ROLE_LABELS, THEME_LABELS
from app.networks.transfer import columns, exporter, importer
from app.networks.transfer.rows import ImportResult
from app.web import redirect, render

router = Router()

DATASET_LABELS = {
    "organer": lazy("Organer"),
    "medlemskap": lazy("Medlemskap"),
    "kontakter": lazy("Kontaktpersoner"),
}
SHOWN_ERRORS = 200


def _page(
    request: Request,
    ctx: Context,
    *,
    dataset: str = "",
    errors: dict[str, str] | None = None,
    result: ImportResult | None = None,
    status_code: int = 200,
) -> Response:
    datasets = [d for d in columns.DATASETS if d != "kontakter" or ctx.can("contacts.manage")]
    context: dict[str, Any] = {
        "datasets": [(d, _(DATASET_LABELS[d])) for d in datasets],
        "formats": columns.FORMATS,
        "columns": columns.COLUMNS,
        "required_columns": columns.REQUIRED_COLUMNS,
        "codes": {
            "kinds": KIND_LABELS,
            "themes": THEME_LABELS,
            "roles": ROLE_LABELS,
            "areas": AREA_LABELS,
        },
        "values": {"dataset": dataset},
        "errors": errors or {},
        "result": result,
        "shown_errors": result.errors[:SHOWN_ERRORS] if result else [],
        "max_mb": importer.MAX_BYTES // (1024 * 1024),
        "max_rows": importer.MAX_ROWS,
    }
    return render(request, "networks/import.html", context, status_code=status_code)


@router.get("/{workspace_slug}/eksport/{dataset}.{fmt}")
def export(
    session: DbSession,
    ctx: Annotated[Context, Depends(require("networks.read"))],
    dataset: str,
    fmt: str,
) -> Response:
    if dataset not in columns.DATASETS or fmt not in columns.FORMATS:
        raise NotFound()
    content = exporter.export_file(session, ctx.workspace, dataset, fmt)
    filename = f"samspill-{ctx.workspace.slug}-{dataset}-{today().isoformat()}.{fmt}"
    return Response(
        content,
        media_type=columns.MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/{workspace_slug}/import")
def import_page(
    request: Request,
    ctx: Annotated[Context, Depends(require("networks.manage"))],
) -> Response:
    return _page(request, ctx)


@router.post("/{workspace_slug}/import")
def import_upload(
    request: Request,
    session: DbSession,
    ctx: Annotated[Context, Depends(require("networks.manage"))],
    dataset: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    errors: dict[str, str] = {}
    if dataset not in columns.DATASETS:
        errors["dataset"] = _("Velg hva filen inneholder.")
    elif dataset == "kontakter" and not ctx.can("contacts.manage"):
        raise Forbidden()
    if file is None or not file.filename:
        errors["file"] = _("Velg en fil.")
    if errors or file is None:
        return _page(request, ctx, dataset=dataset, errors=errors, status_code=422)
    content = file.file.read(importer.MAX_BYTES + 1)
    result = importer.import_file(session, ctx.workspace, dataset, content)
    if not result.ok:
        status = 413 if result.too_large else 422
        return _page(request, ctx, dataset=dataset, result=result, status_code=status)
    return redirect(
        request,
        f"/{ctx.workspace.slug}/import",
        flash=_("Importen er fullført: {created} nye, {updated} endret ({rows} rader).").format(
            created=result.created, updated=result.updated, rows=result.rows
        ),
    )
