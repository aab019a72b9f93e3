"""The hjelpekorps part of the workspace settings: the working day and the service levels.

The settings page shows it as a section (:func:`section`); saving it gives every open request
new due times. A form that does not hold comes back on a page of its own with the messages.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.forms import FormData, submit
from app.helpdesk import service, sla
from app.i18n import _
from app.registry import SettingsSection
from app.web import render

router = Router()

Admin = Annotated[Context, Depends(require("workspace.settings"))]


def _context(
    ctx: Context, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    current = sla.LevelsForm.values_of(sla.levels_of(ctx.workspace))
    return {
        "values": {**current, **(values or {})},
        "errors": errors or {},
        "priorities": [(p, service.PRIORITY_LABELS[p]) for p in sla.LEVEL_PRIORITIES],
    }


def _section_context(session: Session, ctx: Context) -> dict[str, Any]:
    return _context(ctx)


SECTION = SettingsSection(template="helpdesk/_settings.html", context=_section_context)


@router.get("/{workspace_slug}/innstillinger/hjelpekorps")
def levels_page(request: Request, ctx: Admin) -> Response:
    return render(request, "helpdesk/settings.html", _context(ctx))


@router.post("/{workspace_slug}/innstillinger/hjelpekorps")
def save_levels(request: Request, session: DbSession, data: FormData, ctx: Admin) -> Response:
    def act(form: sla.LevelsForm) -> int:
        sla.save_levels(session, ctx.workspace, form.levels())
        return service.refresh_all_due(session, ctx.workspace)

    return submit(
        request,
        session,
        data,
        act,
        schema=sla.LevelsForm,
        done=f"/{ctx.workspace.slug}/innstillinger",
        flash=lambda count: _(
            "Tjenestenivåene er lagret. {n} åpne forespørsler har fått nye frister."
        ).format(n=count),
        again=lambda errors: render(request, "helpdesk/settings.html", _context(ctx, data, errors)),
    )
