"""HTML pages of the help corps' members: the list with competences and load, and the profile
form (coordinators edit anyone's, a helper their own)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, require
from app.accounts.views import ROLE_LABELS
from app.errors import InvalidInput
from app.forms import multi_form, parse
from app.helpdesk import helpers, service
from app.helpdesk.helper_schemas import HelperProfileUpdate
from app.helpdesk.models import CATEGORIES
from app.helpdesk.views import viewer_of
from app.i18n import _
from app.web import redirect, render

router = APIRouter()

Worker = Annotated[Context, Depends(require("helpdesk.work"))]
FormData = Annotated[dict[str, Any], Depends(multi_form)]

LABELS = {"categories": service.CATEGORY_LABELS, "category_order": CATEGORIES}


@router.get("/{workspace_slug}/hjelpere")
def helpers_page(request: Request, session: DbSession, ctx: Worker) -> Response:
    viewer = viewer_of(ctx)
    rows = helpers.list_helpers(session, ctx.workspace)
    return render(
        request,
        "helpdesk/helpers.html",
        {
            "labels": LABELS,
            "rows": rows,
            "editable": {r.user.id for r in rows if helpers.may_edit(viewer, r.user.id)},
            "load_text": service.ngettext_load,
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
    status: int = 200,
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
            "load_text": service.ngettext_load,
        },
        status_code=status,
    )


@router.get("/{workspace_slug}/hjelpere/{user_id}")
def helper_form(request: Request, user_id: int, session: DbSession, ctx: Worker) -> Response:
    row = helpers.get_helper(session, ctx.workspace, viewer_of(ctx), user_id)
    return _form(request, session, ctx, row, _values(row), {})


@router.post("/{workspace_slug}/hjelpere/{user_id}")
def save_helper(
    request: Request, user_id: int, session: DbSession, data: FormData, ctx: Worker
) -> Response:
    viewer = viewer_of(ctx)
    # Another workspace's user is a 404 and someone else's profile a 403, whatever the form says.
    row = helpers.get_helper(session, ctx.workspace, viewer, user_id, eligible_only=False)
    data.setdefault("competences", [])
    form, errors = parse(HelperProfileUpdate, data)
    if form is not None:
        try:
            helpers.save_profile(session, ctx.workspace, viewer, user_id, form)
        except InvalidInput as exc:
            errors = {k: _(v) for k, v in exc.errors.items()}
        else:
            return redirect(
                request,
                f"/{ctx.workspace.slug}/hjelpere",
                flash=_("Hjelperprofilen til {name} er lagret.").format(name=row.user.name),
            )
    return _form(request, session, ctx, row, data, errors, 422)
