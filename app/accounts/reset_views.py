"""The password-reset pages for local accounts: ask for a link (``/glemt-passord``), then choose
a new password with it (``/nytt-passord/{token}``). The rules are in ``password_reset``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from app.accounts import password_reset
from app.accounts.deps import DbSession
from app.accounts.models import User
from app.accounts.one_trip import Router
from app.accounts.schemas import ForgotPasswordForm, NewPasswordForm
from app.config import get_settings
from app.errors import InvalidInput
from app.forms import FormData, form_data, submit
from app.i18n import _, get_locale, lazy
from app.web import render

router = Router()


def _forgot_form(
    request: Request, errors: dict[str, str] | None = None, values: dict[str, Any] | None = None
) -> Response:
    settings = get_settings()
    return render(
        request,
        "accounts/forgot_password.html",
        {
            "errors": errors or {},
            "values": values or {},
            "oidc_enabled": settings.oidc_enabled,
            "oidc_name": settings.oidc_display_name,
        },
        fragment="accounts/_forgot_form.html",
    )


@router.get("/glemt-passord")
def forgot_password_page(request: Request) -> Response:
    return _forgot_form(request)


@router.post("/glemt-passord")
def forgot_password(request: Request, session: DbSession, data: FormData) -> Response:
    """The same answer whether or not the address has an account (and whether or not a mail
    went out): the page says only what happens if it has."""
    return submit(
        request,
        session,
        data,
        lambda form: password_reset.request_reset(
            session, form.email, get_settings(), locale=get_locale()
        ),
        schema=ForgotPasswordForm,
        done="/glemt-passord/sendt",
        again=lambda errors: _forgot_form(request, errors, {"email": data.get("email", "")}),
    )


@router.get("/glemt-passord/sendt")
def forgot_password_sent(request: Request) -> Response:
    return render(
        request,
        "accounts/forgot_password_sent.html",
        {"minutes": get_settings().password_reset_minutes},
    )


async def _password_form(request: Request) -> dict[str, Any]:
    """The form's fields, with both password fields exactly as typed."""
    data = await form_data(request)
    typed = (await request.form()).get("password_again")
    if isinstance(typed, str):
        data["password_again"] = typed
    return data


def _reset_gone(request: Request) -> Response:
    return render(request, "accounts/new_password.html", {"gone": True}, status_code=410)


def _new_password_form(
    request: Request, token: str, user: User, errors: dict[str, str] | None = None
) -> Response:
    return render(
        request,
        "accounts/new_password.html",
        {"gone": False, "token": token, "email": user.email, "errors": errors or {}},
        fragment="accounts/_new_password_form.html",
    )


@router.get("/nytt-passord/{token}")
def new_password_page(request: Request, token: str, session: DbSession) -> Response:
    try:
        _row, user = password_reset.find(session, token)
    except password_reset.ResetUnusable:
        return _reset_gone(request)
    return _new_password_form(request, token, user)


@router.post("/nytt-passord/{token}")
def new_password(
    request: Request,
    token: str,
    session: DbSession,
    data: Annotated[dict[str, Any], Depends(_password_form)],
) -> Response:
    try:
        _row, user = password_reset.find(session, token)
    except password_reset.ResetUnusable:
        return _reset_gone(request)

    def act(form: NewPasswordForm) -> User:
        if form.password != form.password_again:
            raise InvalidInput({"password_again": lazy("Passordene er ikke like.")})
        return password_reset.complete(session, token, form.password)

    try:
        return submit(
            request,
            session,
            data,
            act,
            schema=NewPasswordForm,
            done="/logg-inn",
            flash=_("Passordet er endret. Logg inn med det nye passordet."),
            again=lambda errors: _new_password_form(request, token, user, errors),
        )
    except password_reset.ResetUnusable:  # used by another request in the meantime
        return _reset_gone(request)
