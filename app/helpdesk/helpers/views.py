"""HTML pages of the help corps' members: the list with competences and load, and the profile
form (coordinators edit anyone's, a helper their own)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.accounts.permissions import ROLE_LABELS
from app.forms import multi_form, submit
from app.helpdesk.helpers import service as helpers
from app.helpdesk.helpers.schemas import HelperProfileUpdate
from app.helpdesk.labels import LABELS
from app.helpdesk.triage import load_text
from app.i18n import _
from app.web import render

router = Router()

Worker = Annotated[Context, Depends(require("helpdesk.work"))]
FormData = Annotated[dict[str, Any], Depends(multi_form)]


@router.get("/{workspace_slug}/hjelpere")
def helpers_page(request: Request, session: DbSession, ctx: Worker) -> Response:
    p = ctx.principal
    rows = helpers.list_helpers(session, ctx.workspace)
    return render(
        request,
        "helpdesk/helpers.html",
        {
            "labels": LABELS,
            "rows": rows,
            "editable": {r.user.id for r in rows if helpers.may_edit(p, r.user.id)},
            "load_text": load_text,
            "role_labels": ROLE_LABELS,
        },
    )


def _values(row: helpers.HelperRow) -> dict[str, Any]:
    return {
        "competences": row.competences,
        "tags": ", ".join(row.tags),
        "home_municipality_number": row.profile.home_municipality_number if row.profile else "",
        "organisation": row.organisation,
    }


def _form(
    request: Request,
    session: DbSession,
    ctx: Context,
    row: helpers.HelperRow,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Response:
    return render(
        request,
        "helpdesk/helper_form.html",
        {
            "labels": LABELS,
            "row": row,
            "values": values,
            "errors": errors,
            "groups": helpers.municipality_groups(session, ctx.workspace),
            "load_text": load_text,
        },
    )


@router.get("/{workspace_slug}/hjelpere/{user_id}")
def helper_form(request: Request, user_id: int, session: DbSession, ctx: Worker) -> Response:
    row = helpers.get_helper(session, ctx.workspace, ctx.principal, user_id)
    return _form(request, session, ctx, row, _values(row), {})


@router.post("/{workspace_slug}/hjelpere/{user_id}")
def save_helper(
    request: Request, user_id: int, session: DbSession, data: FormData, ctx: Worker
) -> Response:
    p = ctx.principal
    # Another workspace's user is a 404 and someone else's profile a 403, whatever the form says.
    row = helpers.get_helper(session, ctx.workspace, p, user_id, eligible_only=False)
    data.setdefault("competences", [])
    return submit(
        request,
        session,
        data,
        lambda form: helpers.save_profile(session, ctx.workspace, p, user_id, form),
        schema=HelperProfileUpdate,
        done=f"/{ctx.workspace.slug}/hjelpere",
        flash=_("Hjelperprofilen til {name} er lagret.").format(name=row.user.name),
        again=lambda errors: _form(request, session, ctx, row, data, errors),
    )
