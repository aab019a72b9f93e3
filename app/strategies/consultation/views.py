"""HTML pages of consultation rounds: a new round, the round page with its invitees, comments,
amendments, formal responses and answers (also through a guest's link), and the summary with
its exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from app.accounts.deps import Context, DbSession
from app.accounts.principal import Principal
from app.clock import today
from app.counties import service as counties_service
from app.counties.models import Workspace
from app.errors import InvalidInput, NotFound
from app.forms import FormData, submit, uploaded_files
from app.helpdesk import attachments
from app.i18n import _
from app.networks import service as networks_service
from app.strategies import service, summary
from app.strategies.consultation import answers, comments, invitees, page, responses, rounds
from app.strategies.consultation.access import resolve_guest
from app.strategies.consultation.schemas import (
    AmendmentCreate,
    AnswerForm,
    ApplyForm,
    CommentCreate,
    InviteeCreate,
    ResponsePageForm,
    ResponseSendForm,
    RoundCreate,
    RoundForm,
)
from app.strategies.deps import Consulter, DraftReader, Reader
from app.strategies.render import download
from app.strategies.render import page as render_page
from app.tenancy import set_db_scope

router = APIRouter()
Files = Annotated[list[UploadFile], Depends(uploaded_files)]


# --- a new round -----------------------------------------------------------------------------


def _round_form(
    request: Request,
    session: DbSession,
    ctx: Context,
    doc_id: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    doc = service.get_document(session, ctx.workspace, doc_id)
    numbers = service.version_numbers(session, ctx.workspace, doc_id)
    if values is None:  # a new form: the latest version, open today for six weeks
        start = today()
        values = {
            "version": numbers[-1] if numbers else "",
            "title": _("Høring: {title}").format(title=doc.title)[:200],
            "starts_on": start.isoformat(),
            "ends_on": date.fromordinal(start.toordinal() + 42).isoformat(),
            "reminder_days": 3,
        }
    return render_page(
        request,
        "strategies/round_form.html",
        doc=doc,
        numbers=numbers,
        values=values,
        errors=errors or {},
    )


@router.get("/{workspace_slug}/strategier/{doc_id}/hoeringer/ny")
def new_round(request: Request, doc_id: int, session: DbSession, ctx: Consulter) -> Response:
    return _round_form(request, session, ctx, doc_id)


@router.post("/{workspace_slug}/strategier/{doc_id}/hoeringer/ny")
def create_round(
    request: Request, doc_id: int, session: DbSession, data: FormData, ctx: Consulter
) -> Response:
    service.get_document(session, ctx.workspace, doc_id)
    return submit(
        request,
        session,
        data,
        lambda form: rounds.create_round(session, ctx.workspace, ctx.principal, doc_id, form),
        schema=RoundCreate,
        done=lambda r: f"/{ctx.workspace.slug}/hoeringer/{r.id}#inviterte",
        flash=_("Høringen er opprettet. Inviter deltakerne."),
        again=lambda errors: _round_form(request, session, ctx, doc_id, data, errors),
    )


# --- the round page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    """A round as someone takes part in it: a member under the workspace, a guest under the
    link. Every round handler works from one of these."""

    ws: Workspace
    principal: Principal
    round_id: int
    url: str
    guest: bool = False


def _member(ctx: Context, round_id: int) -> _Place:
    return _Place(
        ctx.workspace, ctx.principal, round_id, f"/{ctx.workspace.slug}/hoeringer/{round_id}"
    )


def _guest(session: DbSession, workspace_slug: str, token: str) -> _Place:
    ws = counties_service.get_workspace(session, workspace_slug)
    set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    inv, principal = resolve_guest(session, ws, token)
    return _Place(ws, principal, inv.round_id, f"/{ws.slug}/gjest/{token}", guest=True)


def _invite_options(session: DbSession, ws: Workspace) -> dict[str, Any]:
    """What the coordinator may invite: organisations, the county's municipalities, and the
    bodies the workspace sees (its own and those shared with the county)."""
    bodies = [n.body for n in networks_service.flatten(networks_service.body_tree(session, ws))]
    return {
        "organisations": counties_service.list_organisations(session),
        "municipalities": counties_service.municipalities_of_county(session, ws.county_number),
        "bodies": sorted(bodies, key=lambda b: b.name),
    }


def _round_page(
    request: Request,
    session: DbSession,
    place: _Place,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
    **extra: Any,
) -> Response:
    p = place.principal
    round_page = page.round_page(session, place.ws, p, place.round_id)
    options = _invite_options(session, place.ws) if p.can("strategies.consult") else {}
    return render_page(
        request,
        "strategies/round.html",
        status,
        page=round_page,
        r=round_page.access.round,
        state=rounds.state_of(round_page.access.round),
        actor=p,
        where=place,
        errors=errors or {},
        values=values or {},
        today=today(),
        workspace=place.ws,
        accept=attachments.ACCEPT,
        limit_text=attachments.limit_text(),
        **options,
        **extra,
    )


@router.get("/{workspace_slug}/hoeringer/{round_id}")
def round_page(request: Request, round_id: int, session: DbSession, ctx: Reader) -> Response:
    return _round_page(request, session, _member(ctx, round_id))


@router.post("/{workspace_slug}/hoeringer/{round_id}/rediger")
def update_round(
    request: Request, round_id: int, session: DbSession, data: FormData, ctx: Consulter
) -> Response:
    place = _member(ctx, round_id)
    return submit(
        request,
        session,
        data,
        lambda form: rounds.update_round(session, ctx.workspace, round_id, form),
        schema=RoundForm,
        done=place.url,
        flash=_("Høringen er lagret."),
        again=lambda errors: _round_page(request, session, place, errors, data),
    )


@router.post("/{workspace_slug}/hoeringer/{round_id}/inviterte")
def add_invitee(
    request: Request, round_id: int, session: DbSession, data: FormData, ctx: Consulter
) -> Response:
    place = _member(ctx, round_id)
    return submit(
        request,
        session,
        data,
        lambda form: invitees.add_invitee(session, ctx.workspace, round_id, form),
        schema=InviteeCreate,
        done=f"{place.url}#inviterte",
        flash=_("Invitasjonen er registrert."),
        again=lambda errors: _round_page(request, session, place, errors, data),
    )


@router.post("/{workspace_slug}/hoeringer/{round_id}/inviterte/{invitee_id}/slett")
def remove_invitee(
    request: Request, round_id: int, invitee_id: int, session: DbSession, ctx: Consulter
) -> Response:
    place = _member(ctx, round_id)
    return submit(
        request,
        session,
        {},
        lambda _form: invitees.remove_invitee(session, ctx.workspace, round_id, invitee_id),
        done=f"{place.url}#inviterte",
        flash=_("Invitasjonen er fjernet."),
        again=lambda errors: _round_page(request, session, place, errors),
    )


# Comments, amendments and responses: the same handlers serve members and guests.


def _comment(request: Request, session: DbSession, place: _Place, data: dict[str, Any]) -> Response:
    failed = data.get("parent_id") or data.get("section_key")
    return submit(
        request,
        session,
        data,
        lambda form: comments.add_comment(session, place.ws, place.principal, place.round_id, form),
        schema=CommentCreate,
        done=lambda comment: f"{place.url}#k{comment.id}",
        flash=_("Kommentaren er lagt inn."),
        again=lambda errors: _round_page(request, session, place, errors, data, failed=failed),
    )


def _amend(request: Request, session: DbSession, place: _Place, data: dict[str, Any]) -> Response:
    failed = "amend-" + data.get("section_key", "")
    try:
        return submit(
            request,
            session,
            data,
            lambda form: comments.add_amendment(
                session, place.ws, place.principal, place.round_id, form
            ),
            schema=AmendmentCreate,
            done=lambda comment: f"{place.url}#k{comment.id}",
            flash=_("Endringsforslaget er lagt inn."),
            again=lambda errors: _round_page(request, session, place, errors, data, failed=failed),
        )
    except comments.SectionChanged as exc:
        errors = {"proposed_text": _(exc.message)}
        return _round_page(
            request, session, place, errors, data, 409, failed=failed, changed_text=exc.now
        )


def _respond(
    request: Request,
    session: DbSession,
    place: _Place,
    data: dict[str, Any],
    files: list[UploadFile],
) -> Response:
    """Save the draft (with the files chosen), then back to the round — or on to the preview,
    where it is sent. Nothing is sent from here."""
    data["_dropped"] = attachments.chosen(files)  # named again if the form comes back

    def act(form: ResponsePageForm) -> ResponsePageForm:
        # Read in the form's savepoint, so that a file too large comes back to the page (413).
        uploads = attachments.read_form_files(files, "attachments")
        args = (session, place.ws, place.principal, place.round_id, form.invitee_id)
        responses.save_response(*args, form, uploads)
        return form

    def again(errors: dict[str, str]) -> Response:
        message = {"response": errors.get("body", next(iter(errors.values()), ""))}
        if "attachments" in errors:
            message["attachments"] = errors["attachments"]
        return _round_page(request, session, place, message, data, failed="svar")

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
        return _round_page(
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
    place: _Place,
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
    request: Request, session: DbSession, place: _Place, invitee_id: int, data: dict[str, Any]
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
    request: Request, session: DbSession, place: _Place, invitee_id: int, file_id: int
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
        again=lambda errors: _round_page(
            request, session, place, {"response": next(iter(errors.values()), "")}, failed="svar"
        ),
    )


def _response_file(session: DbSession, place: _Place, invitee_id: int, file_id: int) -> Response:
    row = responses.find_file(
        session, place.ws, place.principal, place.round_id, invitee_id, file_id
    )
    return attachments.file_response(row.storage_key, row.filename, row.content_type)


@router.post("/{workspace_slug}/hoeringer/{round_id}/kommentarer")
def comment(
    request: Request, round_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    return _comment(request, session, _member(ctx, round_id), data)


@router.post("/{workspace_slug}/hoeringer/{round_id}/endringsforslag")
def amend(
    request: Request, round_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    return _amend(request, session, _member(ctx, round_id), data)


@router.post("/{workspace_slug}/hoeringer/{round_id}/svar")
def respond(
    request: Request, round_id: int, session: DbSession, data: FormData, files: Files, ctx: Reader
) -> Response:
    return _respond(request, session, _member(ctx, round_id), data, files)


@router.get("/{workspace_slug}/hoeringer/{round_id}/svar/{invitee_id}")
def response_page(
    request: Request, round_id: int, invitee_id: int, session: DbSession, ctx: Reader
) -> Response:
    return _response_page(request, session, _member(ctx, round_id), invitee_id)


@router.post("/{workspace_slug}/hoeringer/{round_id}/svar/{invitee_id}/send")
def send_response(
    request: Request,
    round_id: int,
    invitee_id: int,
    session: DbSession,
    data: FormData,
    ctx: Reader,
) -> Response:
    return _send(request, session, _member(ctx, round_id), invitee_id, data)


@router.post("/{workspace_slug}/hoeringer/{round_id}/svar/{invitee_id}/vedlegg/{file_id}/slett")
def remove_response_file(
    request: Request, round_id: int, invitee_id: int, file_id: int, session: DbSession, ctx: Reader
) -> Response:
    return _remove_file(request, session, _member(ctx, round_id), invitee_id, file_id)


@router.get("/{workspace_slug}/hoeringer/{round_id}/svar/{invitee_id}/vedlegg/{file_id}")
def response_file(
    round_id: int, invitee_id: int, file_id: int, session: DbSession, ctx: Reader
) -> Response:
    return _response_file(session, _member(ctx, round_id), invitee_id, file_id)


# --- answers ---------------------------------------------------------------------------------


def _apply_page(
    request: Request, result: answers.AnswerResult, round_id: int, status: int = 200
) -> Response:
    """The accepted amendment could not be written in: the draft has moved on; let the
    coordinator see it and choose."""
    return render_page(
        request,
        "strategies/apply_amendment.html",
        status,
        comment=result.comment,
        draft=result.draft_section,
        round_id=round_id,
    )


def _moved_on(result: answers.AnswerResult | None) -> bool:
    """Whether an accepted amendment was left out because the draft section has changed."""
    return result is not None and result.draft_section is not None and not result.applied


@router.post("/{workspace_slug}/hoeringer/{round_id}/kommentarer/{comment_id}/svar")
def answer(
    request: Request,
    round_id: int,
    comment_id: int,
    session: DbSession,
    data: FormData,
    ctx: Consulter,
) -> Response:
    place = _member(ctx, round_id)
    outcome: list[answers.AnswerResult] = []

    def act(form: AnswerForm) -> answers.AnswerResult:
        result = answers.answer(session, ctx.workspace, place.principal, round_id, comment_id, form)
        outcome.append(result)
        return result

    response = submit(
        request,
        session,
        data,
        act,
        schema=AnswerForm,
        done=f"{place.url}#k{comment_id}",
        flash=lambda result: (
            _("Svaret er lagret, og endringsforslaget er ført inn i utkastet.")
            if result.applied
            else _("Svaret er lagret.")
        ),
        again=lambda errors: _round_page(
            request, session, place, errors, data, failed=f"svar-{comment_id}"
        ),
    )
    if outcome and _moved_on(outcome[0]):  # the answer is saved; the draft waits for a choice
        return _apply_page(request, outcome[0], round_id)
    return response


@router.post("/{workspace_slug}/hoeringer/{round_id}/kommentarer/{comment_id}/for-inn")
def apply_amendment(
    request: Request,
    round_id: int,
    comment_id: int,
    session: DbSession,
    data: FormData,
    ctx: Consulter,
) -> Response:
    place = _member(ctx, round_id)
    outcome: list[answers.AnswerResult] = []

    def act(form: ApplyForm) -> answers.AnswerResult:
        result = answers.apply_accepted(
            session, ctx.workspace, place.principal, round_id, comment_id, form
        )
        outcome.append(result)
        return result

    response = submit(
        request,
        session,
        data,
        act,
        schema=ApplyForm,
        done=f"{place.url}#k{comment_id}",
        flash=_("Endringsforslaget er ført inn i utkastet."),
        again=lambda errors: _round_page(request, session, place, errors),
    )
    if outcome and _moved_on(outcome[0]):  # someone saved the section again meanwhile
        return _apply_page(request, outcome[0], round_id, 409)
    return response


@router.post("/{workspace_slug}/hoeringer/{round_id}/avslutt")
def close_round(
    request: Request, round_id: int, session: DbSession, data: FormData, ctx: Consulter
) -> Response:
    """Close the round now. The form asks to confirm with a checkbox: one click on the wrong
    button must not end a consultation."""
    place = _member(ctx, round_id)

    def act(_form: Any) -> Any:
        if data.get("confirm") != "yes":
            raise InvalidInput(
                {"confirm": _("Kryss av for å bekrefte at høringen skal avsluttes nå.")}
            )
        return rounds.close_now(session, ctx.workspace, place.principal, round_id)

    return submit(
        request,
        session,
        {},
        act,
        done=place.url,
        flash=_("Høringen er avsluttet. Ingen kan sende innspill lenger."),
        again=lambda errors: _round_page(request, session, place, errors),
    )


@router.post("/{workspace_slug}/hoeringer/{round_id}/publiser-svar")
def publish_answers(
    request: Request, round_id: int, session: DbSession, ctx: Consulter
) -> Response:
    place = _member(ctx, round_id)
    return submit(
        request,
        session,
        {},
        lambda _form: answers.publish_answers(session, ctx.workspace, place.principal, round_id),
        done=f"{place.url}/oppsummering",
        flash=_("Svarene er publisert, og deltakerne har fått beskjed."),
        again=lambda errors: _round_page(request, session, place, errors),
    )


# --- guests ----------------------------------------------------------------------------------


@router.get("/{workspace_slug}/gjest/{token}")
def guest_page(request: Request, workspace_slug: str, token: str, session: DbSession) -> Response:
    return _round_page(request, session, _guest(session, workspace_slug, token))


@router.post("/{workspace_slug}/gjest/{token}/kommentarer")
def guest_comment(
    request: Request, workspace_slug: str, token: str, session: DbSession, data: FormData
) -> Response:
    return _comment(request, session, _guest(session, workspace_slug, token), data)


@router.post("/{workspace_slug}/gjest/{token}/endringsforslag")
def guest_amend(
    request: Request, workspace_slug: str, token: str, session: DbSession, data: FormData
) -> Response:
    return _amend(request, session, _guest(session, workspace_slug, token), data)


@router.post("/{workspace_slug}/gjest/{token}/svar")
def guest_respond(
    request: Request,
    workspace_slug: str,
    token: str,
    session: DbSession,
    data: FormData,
    files: Files,
) -> Response:
    return _respond(request, session, _guest(session, workspace_slug, token), data, files)


@router.get("/{workspace_slug}/gjest/{token}/svar/{invitee_id}")
def guest_response_page(
    request: Request, workspace_slug: str, token: str, invitee_id: int, session: DbSession
) -> Response:
    return _response_page(request, session, _guest(session, workspace_slug, token), invitee_id)


@router.post("/{workspace_slug}/gjest/{token}/svar/{invitee_id}/send")
def guest_send_response(
    request: Request,
    workspace_slug: str,
    token: str,
    invitee_id: int,
    session: DbSession,
    data: FormData,
) -> Response:
    return _send(request, session, _guest(session, workspace_slug, token), invitee_id, data)


@router.post("/{workspace_slug}/gjest/{token}/svar/{invitee_id}/vedlegg/{file_id}/slett")
def guest_remove_response_file(
    request: Request,
    workspace_slug: str,
    token: str,
    invitee_id: int,
    file_id: int,
    session: DbSession,
) -> Response:
    place = _guest(session, workspace_slug, token)
    return _remove_file(request, session, place, invitee_id, file_id)


@router.get("/{workspace_slug}/gjest/{token}/svar/{invitee_id}/vedlegg/{file_id}")
def guest_response_file(
    workspace_slug: str, token: str, invitee_id: int, file_id: int, session: DbSession
) -> Response:
    return _response_file(session, _guest(session, workspace_slug, token), invitee_id, file_id)


# --- summary and exports --------------------------------------------------------------------


@router.get("/{workspace_slug}/hoeringer/{round_id}/oppsummering")
def summary_page(request: Request, round_id: int, session: DbSession, ctx: Reader) -> Response:
    p = ctx.principal
    s = summary.build(session, ctx.workspace, p, round_id)
    if not (p.can("strategies.read_drafts") or s.round.answers_published_at):
        raise NotFound()
    return render_page(request, "strategies/summary.html", s=s, actor=p)


@router.get("/{workspace_slug}/hoeringer/{round_id}/oppsummering.docx")
def summary_docx(round_id: int, session: DbSession, ctx: DraftReader) -> Response:
    from app.strategies import exports

    s = summary.build(session, ctx.workspace, ctx.principal, round_id)
    return exports.AfterTransaction(
        lambda: download(
            exports.summary_docx(s), exports.DOCX_TYPE, f"hoeringsoppsummering-{round_id}.docx"
        )
    )


@router.get("/{workspace_slug}/hoeringer/{round_id}/oppsummering.pdf")
def summary_pdf(round_id: int, session: DbSession, ctx: DraftReader) -> Response:
    from app.strategies import exports

    s = summary.build(session, ctx.workspace, ctx.principal, round_id)
    return exports.AfterTransaction(
        lambda: download(
            exports.summary_pdf(s), exports.PDF_TYPE, f"hoeringsoppsummering-{round_id}.pdf"
        )
    )
