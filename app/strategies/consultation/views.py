"""HTML pages of consultation rounds: a new round, the round page with its invitees, comments,
amendments and answers (also through a guest's link), and the summary with its exports. The
formal responses are in ``response_views.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession
from app.accounts.one_trip import Router
from app.accounts.principal import Principal
from app.clock import today
from app.counties import service as counties_service
from app.counties.models import Workspace
from app.errors import InvalidInput, NotFound
from app.forms import FormData, submit
from app.helpdesk import attachments
from app.i18n import _
from app.networks import service as networks_service
from app.strategies import service, summary
from app.strategies.consultation import answers, comments, invitees, page, rounds
from app.strategies.consultation.access import resolve_guest
from app.strategies.consultation.schemas import (
    AmendmentCreate,
    AnswerForm,
    ApplyForm,
    CommentCreate,
    InviteeCreate,
    RoundCreate,
    RoundForm,
)
from app.strategies.deps import Consulter, DraftReader, Reader
from app.strategies.render import download
from app.strategies.render import page as render_page
from app.tenancy import set_db_scope

router = Router()


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
class Place:
    """A round as someone takes part in it: a member under the workspace, a guest under the
    link. Every round handler works from one of these."""

    ws: Workspace
    principal: Principal
    round_id: int
    url: str
    guest: bool = False


def member_place(ctx: Context, round_id: int) -> Place:
    return Place(
        ctx.workspace, ctx.principal, round_id, f"/{ctx.workspace.slug}/hoeringer/{round_id}"
    )


def guest_place(session: DbSession, workspace_slug: str, token: str) -> Place:
    ws = counties_service.get_workspace(session, workspace_slug)
    set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    inv, principal = resolve_guest(session, ws, token)
    return Place(ws, principal, inv.round_id, f"/{ws.slug}/gjest/{token}", guest=True)


def _invite_options(session: DbSession, ws: Workspace) -> dict[str, Any]:
    """What the coordinator may invite: organisations, the county's municipalities, and the
    bodies the workspace sees (its own and those shared with the county)."""
    bodies = [n.body for n in networks_service.flatten(networks_service.body_tree(session, ws))]
    return {
        "organisations": counties_service.list_organisations(session),
        "municipalities": counties_service.municipalities_of_county(session, ws.county_number),
        "bodies": sorted(bodies, key=lambda b: b.name),
    }


def show_round(
    request: Request,
    session: DbSession,
    place: Place,
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
    return show_round(request, session, member_place(ctx, round_id))


@router.post("/{workspace_slug}/hoeringer/{round_id}/rediger")
def update_round(
    request: Request, round_id: int, session: DbSession, data: FormData, ctx: Consulter
) -> Response:
    place = member_place(ctx, round_id)
    return submit(
        request,
        session,
        data,
        lambda form: rounds.update_round(session, ctx.workspace, round_id, form),
        schema=RoundForm,
        done=place.url,
        flash=_("Høringen er lagret."),
        again=lambda errors: show_round(request, session, place, errors, data),
    )


@router.post("/{workspace_slug}/hoeringer/{round_id}/inviterte")
def add_invitee(
    request: Request, round_id: int, session: DbSession, data: FormData, ctx: Consulter
) -> Response:
    place = member_place(ctx, round_id)
    return submit(
        request,
        session,
        data,
        lambda form: invitees.add_invitee(session, ctx.workspace, round_id, form),
        schema=InviteeCreate,
        done=f"{place.url}#inviterte",
        flash=_("Invitasjonen er registrert."),
        again=lambda errors: show_round(request, session, place, errors, data),
    )


@router.post("/{workspace_slug}/hoeringer/{round_id}/inviterte/{invitee_id}/slett")
def remove_invitee(
    request: Request, round_id: int, invitee_id: int, session: DbSession, ctx: Consulter
) -> Response:
    place = member_place(ctx, round_id)
    return submit(
        request,
        session,
        {},
        lambda _form: invitees.remove_invitee(session, ctx.workspace, round_id, invitee_id),
        done=f"{place.url}#inviterte",
        flash=_("Invitasjonen er fjernet."),
        again=lambda errors: show_round(request, session, place, errors),
    )


# Comments and amendments: the same handlers serve members and guests (the formal
# responses: ``response_views.py``).


def _comment(request: Request, session: DbSession, place: Place, data: dict[str, Any]) -> Response:
    failed = data.get("parent_id") or data.get("section_key")
    return submit(
        request,
        session,
        data,
        lambda form: comments.add_comment(session, place.ws, place.principal, place.round_id, form),
        schema=CommentCreate,
        done=lambda comment: f"{place.url}#k{comment.id}",
        flash=_("Kommentaren er lagt inn."),
        again=lambda errors: show_round(request, session, place, errors, data, failed=failed),
    )


def _amend(request: Request, session: DbSession, place: Place, data: dict[str, Any]) -> Response:
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
            again=lambda errors: show_round(request, session, place, errors, data, failed=failed),
        )
    except comments.SectionChanged as exc:
        errors = {"proposed_text": _(exc.message)}
        return show_round(
            request, session, place, errors, data, 409, failed=failed, changed_text=exc.now
        )


@router.post("/{workspace_slug}/hoeringer/{round_id}/kommentarer")
def comment(
    request: Request, round_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    return _comment(request, session, member_place(ctx, round_id), data)


@router.post("/{workspace_slug}/hoeringer/{round_id}/endringsforslag")
def amend(
    request: Request, round_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    return _amend(request, session, member_place(ctx, round_id), data)


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
    place = member_place(ctx, round_id)
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
        again=lambda errors: show_round(
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
    place = member_place(ctx, round_id)
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
        again=lambda errors: show_round(request, session, place, errors),
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
    place = member_place(ctx, round_id)

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
        again=lambda errors: show_round(request, session, place, errors),
    )


@router.post("/{workspace_slug}/hoeringer/{round_id}/publiser-svar")
def publish_answers(
    request: Request, round_id: int, session: DbSession, ctx: Consulter
) -> Response:
    place = member_place(ctx, round_id)
    return submit(
        request,
        session,
        {},
        lambda _form: answers.publish_answers(session, ctx.workspace, place.principal, round_id),
        done=f"{place.url}/oppsummering",
        flash=_("Svarene er publisert, og deltakerne har fått beskjed."),
        again=lambda errors: show_round(request, session, place, errors),
    )


# --- guests ----------------------------------------------------------------------------------


@router.get("/{workspace_slug}/gjest/{token}")
def guest_page(request: Request, workspace_slug: str, token: str, session: DbSession) -> Response:
    return show_round(request, session, guest_place(session, workspace_slug, token))


@router.post("/{workspace_slug}/gjest/{token}/kommentarer")
def guest_comment(
    request: Request, workspace_slug: str, token: str, session: DbSession, data: FormData
) -> Response:
    return _comment(request, session, guest_place(session, workspace_slug, token), data)


@router.post("/{workspace_slug}/gjest/{token}/endringsforslag")
def guest_amend(
    request: Request, workspace_slug: str, token: str, session: DbSession, data: FormData
) -> Response:
    return _amend(request, session, guest_place(session, workspace_slug, token), data)


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
def summary_pdf(request: Request, round_id: int, session: DbSession, ctx: DraftReader) -> Response:
    from app.strategies import exports

    s = summary.build(session, ctx.workspace, ctx.principal, round_id)
    if s.pdf_in_background:  # made by the worker: a page to ask for it (exports/views.py)
        url = f"/{ctx.workspace.slug}/hoeringer/{round_id}/oppsummering"
        return render_page(request, "strategies/summary_pdf.html", job=None, summary_url=url)
    return exports.AfterTransaction(
        lambda: download(
            exports.summary_pdf(s), exports.PDF_TYPE, f"hoeringsoppsummering-{round_id}.pdf"
        )
    )
