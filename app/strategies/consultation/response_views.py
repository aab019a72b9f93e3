"""The formal response to a consultation round, for members under the workspace and guests
under their link: the draft (with its files), the preview and the sending, and the files of a
response. The round page itself and comments are in ``views.py``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from app.accounts.deps import DbSession
from app.accounts.one_trip import Router
from app.errors import InvalidInput
from app.forms import FormData, submit, uploaded_files
from app.helpdesk import attachments
from app.i18n import _
from app.strategies.consultation import responses
from app.strategies.consultation.schemas import ResponsePageForm, ResponseSendForm
from app.strategies.consultation.views import Place, guest_place, member_place, show_round
from app.strategies.deps import Reader
from app.strategies.render import page as render_page

router = Router()
Files = Annotated[list[UploadFile], Depends(uploaded_files)]


def _respond(
    request: Request,
    session: DbSession,
    place: Place,
    data: dict[str, Any],
    files: list[UploadFile],
) -> Response:
    """Save the draft (with the files chosen), then back to the round — or on to the preview,
    where it is sent. Nothing is sent from here."""
    data["_dropped"] = attachments.chosen(files)  # named again if the form comes back
    # Stored before the form's savepoint, outside the transaction; a file refused (413 for one
    # too large) comes back to the page, and the files of a refused draft are deleted again.
    uploads = attachments.form_files(session, files, "attachments")

    def act(form: ResponsePageForm) -> ResponsePageForm:
        args = (session, place.ws, place.principal, place.round_id, form.invitee_id)
        responses.save_response(*args, form, uploads.get())
        return form

    def again(errors: dict[str, str]) -> Response:
        message = {"response": errors.get("body", next(iter(errors.values()), ""))}
        if "attachments" in errors:
            message["attachments"] = errors["attachments"]
        return show_round(request, session, place, message, data, failed="svar")

    try:
        return submit(
            request,
            session,
            data,
            act,
            schema=ResponsePageForm,
            done=lambda form: (
                f"{place.url}/svar/{form.invitee_id}" if form.preview else f"{place.url}#svar"
            ),
            flash=lambda form: (
                _("Utkastet er lagret. Se over høringssvaret før du sender det inn.")
                if form.preview
                else _("Utkastet til høringssvar er lagret.")
            ),
            again=again,
        )
    except responses.ResponseConflict as exc:
        return show_round(
            request,
            session,
            place,
            {"response": _(exc.message)},
            {**data, "revision": exc.now.revision},
            409,
            failed="svar",
            response_conflict=exc.now,
        )


def _response_page(
    request: Request,
    session: DbSession,
    place: Place,
    invitee_id: int,
    errors: dict[str, str] | None = None,
) -> Response:
    """The response as it will be sent (the preview, with the confirmation), or as it was sent
    (the receipt)."""
    view = responses.response_view(session, place.ws, place.principal, place.round_id, invitee_id)
    return render_page(
        request,
        "strategies/response.html",
        v=view,
        where=place,
        sender=place.principal.name,
        errors=errors or {},
        workspace=place.ws,
    )


def _send(
    request: Request, session: DbSession, place: Place, invitee_id: int, data: dict[str, Any]
) -> Response:
    """Send the response looked over, on the confirmation that it is the organisation's."""

    def act(form: ResponseSendForm) -> Any:
        if not form.confirm:
            raise InvalidInput(
                {
                    "confirm": _(
                        "Kryss av for å bekrefte at dette er organisasjonens høringssvar. "
                        "Ingenting er sendt inn."
                    )
                }
            )
        args = (session, place.ws, place.principal, place.round_id, invitee_id)
        return responses.submit_response(*args, form.revision)

    def again(errors: dict[str, str]) -> Response:
        if "confirm" not in errors:  # sent already, or changed since: a message for the form
            errors = {"form": next(iter(errors.values()), "")}
        return _response_page(request, session, place, invitee_id, errors)

    return submit(
        request,
        session,
        data,
        act,
        schema=ResponseSendForm,
        done=f"{place.url}/svar/{invitee_id}",
        flash=_("Høringssvaret er sendt inn og låst. Fylkeskommunen har fått beskjed."),
        again=again,
    )


def _remove_file(
    request: Request, session: DbSession, place: Place, invitee_id: int, file_id: int
) -> Response:
    return submit(
        request,
        session,
        {},
        lambda _form: responses.remove_file(
            session, place.ws, place.principal, place.round_id, invitee_id, file_id
        ),
        done=f"{place.url}#svar",
        flash=_("Vedlegget er fjernet fra utkastet."),
        again=lambda errors: show_round(
            request, session, place, {"response": next(iter(errors.values()), "")}, failed="svar"
        ),
    )


def _response_file(session: DbSession, place: Place, invitee_id: int, file_id: int) -> Response:
    row = responses.find_file(
        session, place.ws, place.principal, place.round_id, invitee_id, file_id
    )
    return attachments.file_response(session, row.storage_key, row.filename, row.content_type)


@router.post("/{workspace_slug}/hoeringer/{round_id}/svar")
def respond(
    request: Request, round_id: int, session: DbSession, data: FormData, files: Files, ctx: Reader
) -> Response:
    return _respond(request, session, member_place(ctx, round_id), data, files)


@router.get("/{workspace_slug}/hoeringer/{round_id}/svar/{invitee_id}")
def response_page(
    request: Request, round_id: int, invitee_id: int, session: DbSession, ctx: Reader
) -> Response:
    return _response_page(request, session, member_place(ctx, round_id), invitee_id)


@router.post("/{workspace_slug}/hoeringer/{round_id}/svar/{invitee_id}/send")
def send_response(
    request: Request,
    round_id: int,
    invitee_id: int,
    session: DbSession,
    data: FormData,
    ctx: Reader,
) -> Response:
    return _send(request, session, member_place(ctx, round_id), invitee_id, data)


@router.post("/{workspace_slug}/hoeringer/{round_id}/svar/{invitee_id}/vedlegg/{file_id}/slett")
def remove_response_file(
    request: Request, round_id: int, invitee_id: int, file_id: int, session: DbSession, ctx: Reader
) -> Response:
    return _remove_file(request, session, member_place(ctx, round_id), invitee_id, file_id)


@router.get("/{workspace_slug}/hoeringer/{round_id}/svar/{invitee_id}/vedlegg/{file_id}")
def response_file(
    round_id: int, invitee_id: int, file_id: int, session: DbSession, ctx: Reader
) -> Response:
    return _response_file(session, member_place(ctx, round_id), invitee_id, file_id)


@router.post("/{workspace_slug}/gjest/{token}/svar")
def guest_respond(
    request: Request,
    workspace_slug: str,
    token: str,
    session: DbSession,
    data: FormData,
    files: Files,
) -> Response:
    return _respond(request, session, guest_place(session, workspace_slug, token), data, files)


@router.get("/{workspace_slug}/gjest/{token}/svar/{invitee_id}")
def guest_response_page(
    request: Request, workspace_slug: str, token: str, invitee_id: int, session: DbSession
) -> Response:
    return _response_page(request, session, guest_place(session, workspace_slug, token), invitee_id)


@router.post("/{workspace_slug}/gjest/{token}/svar/{invitee_id}/send")
def guest_send_response(
    request: Request,
    workspace_slug: str,
    token: str,
    invitee_id: int,
    session: DbSession,
    data: FormData,
) -> Response:
    return _send(request, session, guest_place(session, workspace_slug, token), invitee_id, data)


@router.post("/{workspace_slug}/gjest/{token}/svar/{invitee_id}/vedlegg/{file_id}/slett")
def guest_remove_response_file(
    request: Request,
    workspace_slug: str,
    token: str,
    invitee_id: int,
    file_id: int,
    session: DbSession,
) -> Response:
    place = guest_place(session, workspace_slug, token)
    return _remove_file(request, session, place, invitee_id, file_id)


@router.get("/{workspace_slug}/gjest/{token}/svar/{invitee_id}/vedlegg/{file_id}")
def guest_response_file(
    workspace_slug: str, token: str, invitee_id: int, file_id: int, session: DbSession
) -> Response:
    return _response_file(session, guest_place(session, workspace_slug, token), invitee_id, file_id)
