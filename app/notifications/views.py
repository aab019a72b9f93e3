"""The person's notifications (``/varsler``), opening one, marking all read, and the choice per
kind of event (``/varsler/innstillinger``). Outside any workspace: a person's own, from every
workspace they belong to."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import object_session

from app.accounts.deps import CurrentUser, DbSession
from app.accounts.one_trip import Router
from app.config import get_settings
from app.forms import FormData, submit
from app.i18n import LOCALES, _
from app.notifications import service
from app.notifications.kinds import CHANNELS, KINDS
from app.security import LOCALE_COOKIE
from app.web import redirect, render, templates

router = Router()


def notification_count(request: Request) -> int | None:
    """The signed-in person's unread count for the header bell (one query), or None where the
    request's session is gone (an error page after a rollback)."""
    user = getattr(request.state, "user", None)
    session = object_session(user) if user is not None else None
    if user is None or session is None or not session.is_active:
        return None
    if not hasattr(request.state, "unread_notifications"):
        try:
            request.state.unread_notifications = service.unread_count(session, user.id)
        except SQLAlchemyError:  # a page about a failed request: the bell without its count
            return None
    return int(request.state.unread_notifications)


templates.env.globals["notification_count"] = notification_count


@router.get("/varsler")
def list_page(
    request: Request, session: DbSession, user: CurrentUser, eldre: int | None = None
) -> Response:
    listing = service.listing(session, user.id, before=eldre)
    request.state.unread_notifications = listing.unread  # the bell's count, already known
    return render(request, "notifications/list.html", {"listing": listing, "kinds": KINDS})


@router.post("/varsler/les-alle")
def mark_all(request: Request, session: DbSession, user: CurrentUser) -> Response:
    n = service.mark_all_read(session, user.id)
    return redirect(
        request, "/varsler", flash=_("Merket {n} varsler som lest.").format(n=n) if n else None
    )


@router.get("/varsler/innstillinger")
def preferences_page(request: Request, session: DbSession, user: CurrentUser) -> Response:
    values: dict[str, Any] = {**service.preferences(session, user.id)}
    values["locale"] = service.language_of(user)
    return _preferences_form(request, values, {})


@router.post("/varsler/innstillinger")
def save_preferences(
    request: Request, session: DbSession, user: CurrentUser, data: FormData
) -> Response:
    wanted = {kind: str(data.get(kind, "")) for kind in KINDS}
    locale = data.get("locale") or None

    def act(_form: object) -> None:
        service.save_preferences(session, user, wanted, locale)

    response = submit(
        request,
        session,
        data,
        act,
        done="/varsler/innstillinger",
        flash=_("Valgene dine er lagret."),
        again=lambda errors: _preferences_form(request, {**wanted, "locale": locale}, errors),
    )
    if locale in LOCALES and response.status_code < 400:
        # the pages follow the language chosen here, as with the language buttons
        response.set_cookie(
            LOCALE_COOKIE,
            str(locale),
            max_age=365 * 86400,
            samesite="lax",
            httponly=True,
            secure=get_settings().secure_cookies,
            path="/",
        )
    return response


def _preferences_form(request: Request, values: dict[str, Any], errors: dict[str, str]) -> Response:
    return render(
        request,
        "notifications/preferences.html",
        {"values": values, "errors": errors, "kinds": KINDS, "channels": CHANNELS},
    )


@router.post("/varsler/{notification_id}/apne")
def open_one(
    request: Request, session: DbSession, user: CurrentUser, notification_id: int
) -> Response:
    return redirect(request, service.open_one(session, user.id, notification_id))
