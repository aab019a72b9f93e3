"""The county admin's service tokens, a section of the users page ("Tjenestenøkler"): make one
with a name, a role and optionally an expiry or read-only, see them, revoke them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from app.accounts import service_tokens
from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.accounts.schemas import ServiceTokenForm
from app.accounts.views import users_context
from app.errors import InvalidInput
from app.forms import FormData, parse
from app.i18n import _
from app.web import redirect, render

router = Router()

ServiceTokenAdmin = Annotated[Context, Depends(require("tokens.manage_service"))]


@router.post("/{workspace_slug}/brukere/tjenestenokler")
def create_service_token(
    request: Request, session: DbSession, data: FormData, ctx: ServiceTokenAdmin
) -> Response:
    form, errors = parse(ServiceTokenForm, data)
    new_token = None
    if form is not None:
        try:
            with session.begin_nested():
                _row, new_token = service_tokens.create_service_token(
                    session,
                    ctx.workspace,
                    name=form.name,
                    role=form.role,
                    municipality_number=form.municipality_number,
                    organisation_id=form.organisation_id,
                    expires_on=form.expires_on,
                    read_only=form.read_only,
                    created_by=ctx.user,
                )
        except InvalidInput as exc:
            errors = exc.messages()
    # The token is shown once, on this response, and never again.
    return render(
        request,
        "accounts/users.html",
        users_context(
            session,
            ctx,
            new_service_token=new_token,
            service_errors=errors,
            service_values=data if new_token is None else {},
        ),
        status_code=201 if new_token else 422,
    )


@router.post("/{workspace_slug}/brukere/tjenestenokler/{token_id}/trekk-tilbake")
def revoke_service_token(
    request: Request, token_id: int, session: DbSession, ctx: ServiceTokenAdmin
) -> Response:
    service_tokens.revoke_service_token(session, ctx.workspace.id, token_id)
    return redirect(
        request, f"/{ctx.workspace.slug}/brukere", flash=_("Tjenestenøkkelen er trukket tilbake.")
    )
