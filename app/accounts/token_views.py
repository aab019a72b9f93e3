"""A person's own API tokens ("API-nøkler"): make one with a name and optionally an expiry or
read-only, see it once, list and revoke them. The county admin's service tokens are in
``service_token_views``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from app.accounts import tokens
from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.accounts.schemas import TokenForm
from app.db import utcnow
from app.forms import FormData, parse
from app.i18n import _
from app.web import redirect, render

router = Router()

TokenOwner = Annotated[Context, Depends(require("tokens.manage_own"))]


@router.get("/{workspace_slug}/api-nokler")
def tokens_page(request: Request, session: DbSession, ctx: TokenOwner) -> Response:
    return _tokens_page(request, session, ctx)


def _tokens_page(
    request: Request,
    session: DbSession,
    ctx: Context,
    *,
    new_token: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": tokens.list_api_tokens(session, ctx.workspace.id, ctx.user.id),
            "new_token": new_token,
            "now": utcnow(),
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status_code,
    )


@router.post("/{workspace_slug}/api-nokler")
def create_token(
    request: Request,
    session: DbSession,
    data: FormData,
    ctx: TokenOwner,
) -> Response:
    form, errors = parse(TokenForm, data)
    new_token = None
    status = 422
    if form is not None:
        _row, new_token = tokens.create_api_token(
            session,
            ctx.workspace.id,
            ctx.user,
            form.name,
            expires_on=form.expires_on,
            read_only=form.read_only,
        )
        status = 201
    # The token is shown once, on this response, and never again.
    return _tokens_page(
        request,
        session,
        ctx,
        new_token=new_token,
        errors=errors,
        values=data if form is None else None,
        status_code=status,
    )


@router.post("/{workspace_slug}/api-nokler/{token_id}/trekk-tilbake")
def revoke_token(
    request: Request,
    token_id: int,
    session: DbSession,
    ctx: TokenOwner,
) -> Response:
    tokens.revoke_api_token(session, ctx.workspace.id, ctx.user.id, token_id)
    return redirect(
        request, f"/{ctx.workspace.slug}/api-nokler", flash=_("API-nøkkelen er trukket tilbake.")
    )
