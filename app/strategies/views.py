"""HTML pages of strategies: documents and their draft, versions, comparison, adoption,
consultation rounds (also through a guest link), the summary with its exports, the action
plan and search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, require
from app.clock import today
from app.counties import service as counties_service
from app.counties.models import Workspace
from app.errors import InvalidInput, NotFound
from app.forms import form_data, optional_date
from app.i18n import _
from app.networks.models import Body
from app.strategies import consultation, measures, search, service, summary, text
from app.strategies.models import ANSWERS, INVITEE_KINDS, KINDS, MEASURE_STATUSES
from app.strategies.service import Actor
from app.tenancy import scoped, set_db_scope
from app.web import redirect, render

router = APIRouter()

Reader = Annotated[Context, Depends(require("strategies.read"))]
DraftReader = Annotated[Context, Depends(require("strategies.read_drafts"))]
Editor = Annotated[Context, Depends(require("strategies.edit"))]
Consulter = Annotated[Context, Depends(require("strategies.consult"))]
FormData = Annotated[dict[str, Any], Depends(form_data)]

LABELS = {
    "kinds": service.KIND_LABELS,
    "kind_order": KINDS,
    "answers": consultation.ANSWER_LABELS,
    "answer_order": ANSWERS,
    "states": consultation.STATE_LABELS,
    "invitee_kinds": consultation.INVITEE_KIND_LABELS,
    "invitee_kind_order": INVITEE_KINDS,
    "statuses": measures.STATUS_LABELS,
    "status_order": MEASURE_STATUSES,
}
HELPERS = {
    "markdown": text.render_markdown,
    "diff_html": text.diff_html,
    "fingerprint": text.fingerprint,
    "quote_found": text.quote_found,
    "state_of": consultation.state_of,
    "deadline_of": consultation.deadline_of,
    "is_overdue": measures.is_overdue,
}


def _page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return render(request, template, {"labels": LABELS, **HELPERS, **context}, status_code=status)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdecimal() and len(value) < 10 else None


def _errors(exc: InvalidInput) -> dict[str, str]:
    return {k: _(v) for k, v in exc.errors.items()}


def _base(ctx: Context) -> str:
    return f"/{ctx.workspace.slug}"


# --- index and documents -------------------------------------------------------------------


@router.get("/{workspace_slug}/strategier")
def index(request: Request, session: DbSession, ctx: Reader) -> Response:
    actor = service.actor_of(ctx)
    rows = service.documents(session, ctx.workspace) if actor.can_read_drafts else []
    rounds = consultation.visible_rounds(session, ctx.workspace, actor)
    return _page(
        request,
        "strategies/index.html",
        rows=rows,
        rounds=rounds,
        actor=actor,
        today=today(),
        digest=consultation.digest_preference(session, ctx.workspace, ctx.user.id),
        figures=measures.figures(session, ctx.workspace) if actor.can_read_drafts else None,
    )


@router.get("/{workspace_slug}/strategier/sok")
def search_page(
    request: Request,
    session: DbSession,
    ctx: DraftReader,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    hits = search.search(session, ctx.workspace, q or "") if q else []
    return _page(request, "strategies/search.html", q=q or "", hits=hits)


@router.post("/{workspace_slug}/strategier/varsler")
def set_digest(request: Request, session: DbSession, data: FormData, ctx: Reader) -> Response:
    digest = data.get("digest") == "1"
    consultation.set_digest(session, ctx.workspace, ctx.user.id, digest)
    message = (
        _("Du får ett sammendrag om dagen.") if digest else _("Du får en e-post for hvert varsel.")
    )
    return redirect(request, f"{_base(ctx)}/strategier", flash=message)


@router.get("/{workspace_slug}/strategier/ny")
def new_document(request: Request, ctx: Editor) -> Response:
    return _page(request, "strategies/document_form.html", values={"kind": KINDS[0]}, errors={})


@router.post("/{workspace_slug}/strategier/ny")
def create_document(request: Request, session: DbSession, data: FormData, ctx: Editor) -> Response:
    try:
        doc = service.create_document(
            session,
            ctx.workspace,
            service.actor_of(ctx),
            data.get("title", ""),
            data.get("kind", ""),
            data.get("summary", ""),
        )
    except InvalidInput as exc:
        return _page(
            request, "strategies/document_form.html", 422, values=data, errors=_errors(exc)
        )
    return redirect(
        request, f"{_base(ctx)}/strategier/{doc.id}", flash=_("Dokumentet er opprettet.")
    )


def _document_page(
    request: Request,
    session: DbSession,
    ctx: Context,
    doc_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    doc = service.get_document(session, ctx.workspace, doc_id)
    versions = service.versions_of(session, ctx.workspace, doc_id)
    sections = service.sections_of(session, ctx.workspace, doc_id)
    return _page(
        request,
        "strategies/document.html",
        status,
        doc=doc,
        sections=sections,
        versions=versions,
        rounds=service.rounds_of(session, ctx.workspace, doc_id),
        changed=service.draft_changed_since(session, ctx.workspace, sections, versions),
        figures=measures.figures(session, ctx.workspace, doc_id),
        actor=service.actor_of(ctx),
        errors=errors or {},
        values=values or {},
        today=today(),
    )


@router.get("/{workspace_slug}/strategier/{doc_id}")
def document_page(request: Request, doc_id: int, session: DbSession, ctx: DraftReader) -> Response:
    return _document_page(request, session, ctx, doc_id)


@router.post("/{workspace_slug}/strategier/{doc_id}/rediger")
def update_document(
    request: Request, doc_id: int, session: DbSession, data: FormData, ctx: Editor
) -> Response:
    try:
        service.update_document(
            session,
            ctx.workspace,
            doc_id,
            data.get("title", ""),
            data.get("kind", ""),
            data.get("summary", ""),
        )
    except InvalidInput as exc:
        return _document_page(request, session, ctx, doc_id, _errors(exc), data, 422)
    return redirect(request, f"{_base(ctx)}/strategier/{doc_id}", flash=_("Dokumentet er lagret."))


def _doc_action(
    request: Request,
    session: DbSession,
    ctx: Context,
    doc_id: int,
    data: dict[str, Any],
    action: Callable[[], object],
    flash: str,
    anchor: str = "",
) -> Response:
    try:
        action()
    except InvalidInput as exc:
        return _document_page(request, session, ctx, doc_id, _errors(exc), data, 422)
    return redirect(request, f"{_base(ctx)}/strategier/{doc_id}{anchor}", flash=flash)


@router.post("/{workspace_slug}/strategier/{doc_id}/avsnitt")
def add_section(
    request: Request, doc_id: int, session: DbSession, data: FormData, ctx: Editor
) -> Response:
    def action() -> object:
        return service.add_section(
            session,
            ctx.workspace,
            service.actor_of(ctx),
            doc_id,
            data.get("heading", ""),
            data.get("body", ""),
        )

    return _doc_action(
        request, session, ctx, doc_id, data, action, _("Avsnittet er lagt til."), "#utkast"
    )


@router.post("/{workspace_slug}/strategier/{doc_id}/avsnitt/{section_id}/flytt")
def move_section(
    request: Request, doc_id: int, section_id: int, session: DbSession, data: FormData, ctx: Editor
) -> Response:
    direction = data.get("direction", "")
    service.move_section(session, ctx.workspace, doc_id, section_id, direction)
    return redirect(
        request,
        f"{_base(ctx)}/strategier/{doc_id}#a{section_id}",
        flash=_("Rekkefølgen er endret."),
    )


@router.post("/{workspace_slug}/strategier/{doc_id}/avsnitt/{section_id}/slett")
def delete_section(
    request: Request, doc_id: int, section_id: int, session: DbSession, ctx: Editor
) -> Response:
    heading = service.delete_section(session, ctx.workspace, doc_id, section_id)
    return redirect(
        request,
        f"{_base(ctx)}/strategier/{doc_id}#utkast",
        flash=_("Avsnittet «{heading}» er fjernet fra utkastet.").format(heading=heading),
    )


@router.get("/{workspace_slug}/strategier/{doc_id}/avsnitt/{section_id}")
def edit_section(
    request: Request, doc_id: int, section_id: int, session: DbSession, ctx: Editor
) -> Response:
    doc = service.get_document(session, ctx.workspace, doc_id)
    section = service.get_section(session, ctx.workspace, doc_id, section_id)
    return _page(
        request,
        "strategies/section_form.html",
        doc=doc,
        section=section,
        values={"heading": section.heading, "body": section.body, "revision": section.revision},
        errors={},
        conflict=None,
    )


@router.post("/{workspace_slug}/strategier/{doc_id}/avsnitt/{section_id}")
def save_section(
    request: Request,
    doc_id: int,
    section_id: int,
    session: DbSession,
    data: FormData,
    ctx: Editor,
) -> Response:
    doc = service.get_document(session, ctx.workspace, doc_id)
    revision = _int(data.get("revision")) or 0
    try:
        section = service.save_section(
            session,
            ctx.workspace,
            service.actor_of(ctx),
            doc_id,
            section_id,
            data.get("heading", ""),
            data.get("body", ""),
            revision,
        )
    except service.EditConflict as exc:
        # Both texts side by side; the form keeps this editor's text and now names the
        # revision they have seen, so saving again is a deliberate choice.
        return _page(
            request,
            "strategies/section_form.html",
            409,
            doc=doc,
            section=exc.section,
            values={**data, "revision": exc.section.revision},
            errors={"form": _(exc.message)},
            conflict=exc.section,
        )
    except InvalidInput as exc:
        section = service.get_section(session, ctx.workspace, doc_id, section_id)
        return _page(
            request,
            "strategies/section_form.html",
            422,
            doc=doc,
            section=section,
            values=data,
            errors=_errors(exc),
            conflict=None,
        )
    return redirect(
        request, f"{_base(ctx)}/strategier/{doc_id}#a{section.id}", flash=_("Avsnittet er lagret.")
    )


# --- versions ------------------------------------------------------------------------------


@router.post("/{workspace_slug}/strategier/{doc_id}/publiser")
def publish(
    request: Request, doc_id: int, session: DbSession, data: FormData, ctx: Editor
) -> Response:
    try:
        version = service.publish(
            session, ctx.workspace, service.actor_of(ctx), doc_id, data.get("note", "")
        )
    except InvalidInput as exc:
        return _document_page(request, session, ctx, doc_id, _errors(exc), data, 422)
    return redirect(
        request,
        f"{_base(ctx)}/strategier/{doc_id}/versjoner/{version.number}",
        flash=_("Versjon {n} er publisert og låst.").format(n=version.number),
    )


def _version_page(
    request: Request,
    session: DbSession,
    ctx: Context,
    doc_id: int,
    number: int,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    doc = service.get_document(session, ctx.workspace, doc_id)
    version = service.get_version(session, ctx.workspace, doc_id, number)
    return _page(
        request,
        "strategies/version.html",
        status,
        doc=doc,
        version=version,
        sections=service.version_sections(session, ctx.workspace, version.id),
        numbers=service.version_numbers(session, ctx.workspace, doc_id),
        actor=service.actor_of(ctx),
        errors=errors or {},
        values=values or {},
    )


@router.get("/{workspace_slug}/strategier/{doc_id}/versjoner/{number}")
def version_page(
    request: Request, doc_id: int, number: int, session: DbSession, ctx: DraftReader
) -> Response:
    return _version_page(request, session, ctx, doc_id, number)


@router.post("/{workspace_slug}/strategier/{doc_id}/versjoner/{number}")
def edit_version(
    request: Request, doc_id: int, number: int, session: DbSession, ctx: Editor
) -> Response:
    """A published version is frozen: any attempt to change its text is refused."""
    service.get_version(session, ctx.workspace, doc_id, number)
    raise service.Frozen()


@router.post("/{workspace_slug}/strategier/{doc_id}/versjoner/{number}/vedtak")
def adopt(
    request: Request, doc_id: int, number: int, session: DbSession, data: FormData, ctx: Editor
) -> Response:
    try:
        service.adopt(
            session,
            ctx.workspace,
            doc_id,
            number,
            data.get("adopted_by", ""),
            optional_date(data, "adopted_on"),
            data.get("case_number", ""),
        )
    except InvalidInput as exc:
        return _version_page(request, session, ctx, doc_id, number, _errors(exc), data, 422)
    return redirect(
        request,
        f"{_base(ctx)}/strategier/{doc_id}/versjoner/{number}",
        flash=_("Vedtaket er registrert."),
    )


@router.get("/{workspace_slug}/strategier/{doc_id}/sammenlign")
def compare(
    request: Request,
    doc_id: int,
    session: DbSession,
    ctx: DraftReader,
    fra: Annotated[str | None, Query(max_length=10)] = None,
    til: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    doc = service.get_document(session, ctx.workspace, doc_id)
    numbers = service.version_numbers(session, ctx.workspace, doc_id)
    if not numbers:
        raise NotFound()
    old_n = _int(fra) or (numbers[-2] if len(numbers) > 1 else numbers[-1])
    new_label = til if til == "utkast" else None
    new_n = None if new_label else (_int(til) or numbers[-1])
    old = service.get_version(session, ctx.workspace, doc_id, old_n)
    old_sections = service.version_sections(session, ctx.workspace, old.id)
    if new_n is None:
        new_sections: Any = service.sections_of(session, ctx.workspace, doc_id)
    else:
        new = service.get_version(session, ctx.workspace, doc_id, new_n)
        new_sections = service.version_sections(session, ctx.workspace, new.id)
    changes = service.compare(old_sections, new_sections)
    return _page(
        request,
        "strategies/compare.html",
        doc=doc,
        numbers=numbers,
        old_n=old_n,
        new_n=new_n,
        changes=changes,
        counts={
            c: sum(1 for x in changes if x.change == c) for c in ("added", "removed", "changed")
        },
    )


# --- consultation rounds --------------------------------------------------------------------


@router.get("/{workspace_slug}/strategier/{doc_id}/hoeringer/ny")
def new_round(request: Request, doc_id: int, session: DbSession, ctx: Consulter) -> Response:
    doc = service.get_document(session, ctx.workspace, doc_id)
    numbers = service.version_numbers(session, ctx.workspace, doc_id)
    start = today()
    values = {
        "version": numbers[-1] if numbers else "",
        "title": _("Høring: {title}").format(title=doc.title)[:200],
        "starts_on": start.isoformat(),
        "ends_on": date.fromordinal(start.toordinal() + 42).isoformat(),
        "reminder_days": 3,
    }
    return _page(
        request, "strategies/round_form.html", doc=doc, numbers=numbers, values=values, errors={}
    )


@router.post("/{workspace_slug}/strategier/{doc_id}/hoeringer/ny")
def create_round(
    request: Request, doc_id: int, session: DbSession, data: FormData, ctx: Consulter
) -> Response:
    doc = service.get_document(session, ctx.workspace, doc_id)
    reminder = _int(data.get("reminder_days"))
    try:
        r = consultation.create_round(
            session,
            ctx.workspace,
            service.actor_of(ctx),
            doc_id,
            _int(data.get("version")),
            data.get("title", ""),
            data.get("cover_text", ""),
            optional_date(data, "starts_on"),
            optional_date(data, "ends_on"),
            reminder if reminder is not None else -1,
        )
    except InvalidInput as exc:
        return _page(
            request,
            "strategies/round_form.html",
            422,
            doc=doc,
            numbers=service.version_numbers(session, ctx.workspace, doc_id),
            values=data,
            errors=_errors(exc),
        )
    return redirect(
        request,
        f"{_base(ctx)}/hoeringer/{r.id}#inviterte",
        flash=_("Høringen er opprettet. Inviter deltakerne."),
    )


def _invite_options(session: DbSession, ws: Workspace) -> dict[str, Any]:
    return {
        "organisations": counties_service.list_organisations(session),
        "municipalities": counties_service.municipalities_of_county(session, ws.county_number),
        "bodies": list(
            session.scalars(
                scoped(Body, ws.id).where(Body.archived_at.is_(None)).order_by(Body.name)
            )
        ),
    }


@dataclass(frozen=True)
class _Place:
    """A round as someone takes part in it: a member under the workspace, a guest under the
    link. Every round handler works from one of these."""

    ws: Workspace
    actor: Actor
    round_id: int
    url: str
    guest: bool = False


def _member(ctx: Context, round_id: int) -> _Place:
    return _Place(
        ctx.workspace,
        service.actor_of(ctx),
        round_id,
        f"/{ctx.workspace.slug}/hoeringer/{round_id}",
    )


def _guest(session: DbSession, workspace_slug: str, token: str) -> _Place:
    ws = counties_service.get_workspace(session, workspace_slug)
    set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)
    inv, actor = consultation.resolve_guest(session, ws, token)
    return _Place(ws, actor, inv.round_id, f"/{ws.slug}/gjest/{token}", guest=True)


def _round_page(
    request: Request,
    session: DbSession,
    place: _Place,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
    **extra: Any,
) -> Response:
    page = consultation.round_page(session, place.ws, place.actor, place.round_id)
    options = _invite_options(session, place.ws) if place.actor.can_consult else {}
    return _page(
        request,
        "strategies/round.html",
        status,
        page=page,
        r=page.access.round,
        state=consultation.state_of(page.access.round),
        actor=place.actor,
        where=place,
        errors=errors or {},
        values=values or {},
        today=today(),
        workspace=place.ws,
        **options,
        **extra,
    )


def _round_action(
    request: Request,
    session: DbSession,
    place: _Place,
    data: dict[str, Any],
    action: Callable[[], object],
    flash: str,
    anchor: str = "",
) -> Response:
    """A coordinator's form on the round page: act and back, or the page with the message."""
    try:
        action()
    except InvalidInput as exc:
        return _round_page(request, session, place, _errors(exc), data, 422)
    return redirect(request, place.url + anchor, flash=flash)


@router.get("/{workspace_slug}/hoeringer/{round_id}")
def round_page(request: Request, round_id: int, session: DbSession, ctx: Reader) -> Response:
    return _round_page(request, session, _member(ctx, round_id))


@router.post("/{workspace_slug}/hoeringer/{round_id}/rediger")
def update_round(
    request: Request, round_id: int, session: DbSession, data: FormData, ctx: Consulter
) -> Response:
    reminder = _int(data.get("reminder_days"))

    def action() -> object:
        return consultation.update_round(
            session,
            ctx.workspace,
            round_id,
            data.get("title", ""),
            data.get("cover_text", ""),
            optional_date(data, "starts_on"),
            optional_date(data, "ends_on"),
            reminder if reminder is not None else -1,
        )

    place = _member(ctx, round_id)
    return _round_action(request, session, place, data, action, _("Høringen er lagret."))


@router.post("/{workspace_slug}/hoeringer/{round_id}/inviterte")
def add_invitee(
    request: Request, round_id: int, session: DbSession, data: FormData, ctx: Consulter
) -> Response:
    def action() -> object:
        return consultation.add_invitee(
            session,
            ctx.workspace,
            round_id,
            data.get("kind", ""),
            organisation_id=_int(data.get("organisation_id")),
            municipality_number=data.get("municipality_number") or None,
            body_id=_int(data.get("body_id")),
            guest_name=data.get("guest_name", ""),
            guest_email=data.get("guest_email", ""),
            deadline=optional_date(data, "deadline"),
        )

    place = _member(ctx, round_id)
    flash = _("Invitasjonen er registrert.")
    return _round_action(request, session, place, data, action, flash, "#inviterte")


@router.post("/{workspace_slug}/hoeringer/{round_id}/inviterte/{invitee_id}/slett")
def remove_invitee(
    request: Request, round_id: int, invitee_id: int, session: DbSession, ctx: Consulter
) -> Response:
    def action() -> object:
        consultation.remove_invitee(session, ctx.workspace, round_id, invitee_id)
        return None

    place = _member(ctx, round_id)
    flash = _("Invitasjonen er fjernet.")
    return _round_action(request, session, place, {}, action, flash, "#inviterte")


# Comments, amendments and responses: the same handlers serve members and guests.


def _comment(request: Request, session: DbSession, place: _Place, data: dict[str, Any]) -> Response:
    try:
        comment = consultation.add_comment(
            session,
            place.ws,
            place.actor,
            place.round_id,
            data.get("section_key", ""),
            data.get("body", ""),
            data.get("quote", ""),
            _int(data.get("parent_id")),
        )
    except InvalidInput as exc:
        failed = data.get("parent_id") or data.get("section_key")
        return _round_page(request, session, place, _errors(exc), data, 422, failed=failed)
    return redirect(request, f"{place.url}#k{comment.id}", flash=_("Kommentaren er lagt inn."))


def _amend(request: Request, session: DbSession, place: _Place, data: dict[str, Any]) -> Response:
    failed = "amend-" + data.get("section_key", "")
    try:
        comment = consultation.add_amendment(
            session,
            place.ws,
            place.actor,
            place.round_id,
            data.get("section_key", ""),
            data.get("proposed_text", ""),
            data.get("body", ""),
            data.get("base", ""),
        )
    except consultation.SectionChanged as exc:
        errors = {"proposed_text": _(exc.message)}
        return _round_page(
            request, session, place, errors, data, 409, failed=failed, changed_text=exc.current
        )
    except InvalidInput as exc:
        return _round_page(request, session, place, _errors(exc), data, 422, failed=failed)
    flash = _("Endringsforslaget er lagt inn.")
    return redirect(request, f"{place.url}#k{comment.id}", flash=flash)


def _respond(request: Request, session: DbSession, place: _Place, data: dict[str, Any]) -> Response:
    invitee_id = _int(data.get("invitee_id")) or 0
    submit = data.get("submit") == "1"
    args = (session, place.ws, place.actor, place.round_id, invitee_id)
    try:
        consultation.save_response(*args, data.get("body", ""), _int(data.get("revision")) or 0)
        if submit:
            consultation.submit_response(*args)
    except consultation.ResponseConflict as exc:
        return _round_page(
            request,
            session,
            place,
            {"response": _(exc.message)},
            {**data, "revision": exc.response.revision},
            409,
            failed="svar",
            response_conflict=exc.response,
        )
    except InvalidInput as exc:
        errors = _errors(exc)
        message = {"response": errors.get("body", next(iter(errors.values()), ""))}
        return _round_page(request, session, place, message, data, 422, failed="svar")
    flash = _("Høringssvaret er sendt inn.") if submit else _("Utkastet til høringssvar er lagret.")
    return redirect(request, f"{place.url}#svar", flash=flash)


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
    request: Request, round_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    return _respond(request, session, _member(ctx, round_id), data)


def _apply_page(
    request: Request, result: consultation.AnswerResult, round_id: int, status: int = 200
) -> Response:
    """The accepted amendment could not be written in: the draft has moved on; let the
    coordinator see it and choose."""
    return _page(
        request,
        "strategies/apply_amendment.html",
        status,
        comment=result.comment,
        draft=result.draft_section,
        round_id=round_id,
    )


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
    try:
        result = consultation.answer(
            session,
            ctx.workspace,
            place.actor,
            round_id,
            comment_id,
            data.get("answer", ""),
            data.get("reason", ""),
        )
    except InvalidInput as exc:
        failed = f"svar-{comment_id}"
        return _round_page(request, session, place, _errors(exc), data, 422, failed=failed)
    if result.draft_section is not None and not result.applied:
        return _apply_page(request, result, round_id)
    flash = _("Svaret er lagret.")
    if result.applied:
        flash = _("Svaret er lagret, og endringsforslaget er ført inn i utkastet.")
    return redirect(request, f"{place.url}#k{comment_id}", flash=flash)


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
    revision = _int(data.get("draft_revision")) or 0
    try:
        result = consultation.apply_accepted(
            session, ctx.workspace, place.actor, round_id, comment_id, revision
        )
    except InvalidInput as exc:
        return _round_page(request, session, place, _errors(exc), {}, 422)
    if not result.applied:
        return _apply_page(request, result, round_id, 409)
    flash = _("Endringsforslaget er ført inn i utkastet.")
    return redirect(request, f"{place.url}#k{comment_id}", flash=flash)


@router.post("/{workspace_slug}/hoeringer/{round_id}/publiser-svar")
def publish_answers(
    request: Request, round_id: int, session: DbSession, ctx: Consulter
) -> Response:
    place = _member(ctx, round_id)
    try:
        consultation.publish_answers(session, ctx.workspace, place.actor, round_id)
    except InvalidInput as exc:
        return _round_page(request, session, place, _errors(exc), {}, 422)
    return redirect(
        request,
        f"{place.url}/oppsummering",
        flash=_("Svarene er publisert, og deltakerne har fått beskjed."),
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
    request: Request, workspace_slug: str, token: str, session: DbSession, data: FormData
) -> Response:
    return _respond(request, session, _guest(session, workspace_slug, token), data)


# --- summary and exports --------------------------------------------------------------------


@router.get("/{workspace_slug}/hoeringer/{round_id}/oppsummering")
def summary_page(request: Request, round_id: int, session: DbSession, ctx: Reader) -> Response:
    actor = service.actor_of(ctx)
    s = summary.build(session, ctx.workspace, actor, round_id)
    if not (actor.can_read_drafts or s.round.answers_published_at):
        raise NotFound()
    return _page(request, "strategies/summary.html", s=s, actor=actor)


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/{workspace_slug}/hoeringer/{round_id}/oppsummering.docx")
def summary_docx(round_id: int, session: DbSession, ctx: DraftReader) -> Response:
    from app.strategies import exports

    s = summary.build(session, ctx.workspace, service.actor_of(ctx), round_id)
    return _download(
        exports.summary_docx(s),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"hoeringsoppsummering-{round_id}.docx",
    )


@router.get("/{workspace_slug}/hoeringer/{round_id}/oppsummering.pdf")
def summary_pdf(round_id: int, session: DbSession, ctx: DraftReader) -> Response:
    from app.strategies import exports

    s = summary.build(session, ctx.workspace, service.actor_of(ctx), round_id)
    return _download(
        exports.summary_pdf(s), "application/pdf", f"hoeringsoppsummering-{round_id}.pdf"
    )


# --- action plan ------------------------------------------------------------------------------


def _measure_input(data: dict[str, Any]) -> measures.MeasureInput:
    return measures.MeasureInput(
        title=data.get("title", ""),
        owner=data.get("owner", ""),
        partners=data.get("partners", ""),
        description=data.get("description", ""),
        deadline=optional_date(data, "deadline"),
        status=data.get("status", "planned"),
        section_key=data.get("section_key") or None,
    )


def _measures_page(
    request: Request,
    session: DbSession,
    ctx: Context,
    doc_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
    editing: int | None = None,
) -> Response:
    doc = service.get_document(session, ctx.workspace, doc_id)
    return _page(
        request,
        "strategies/measures.html",
        status,
        doc=doc,
        rows=measures.measures_of(session, ctx.workspace, doc_id),
        sections=service.sections_of(session, ctx.workspace, doc_id),
        figures=measures.figures(session, ctx.workspace, doc_id),
        actor=service.actor_of(ctx),
        errors=errors or {},
        values=values or {"status": "planned"},
        editing=editing,
        today=today(),
    )


@router.get("/{workspace_slug}/strategier/{doc_id}/tiltak")
def measures_page(
    request: Request,
    doc_id: int,
    session: DbSession,
    ctx: DraftReader,
    endre: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    return _measures_page(request, session, ctx, doc_id, editing=endre)


@router.post("/{workspace_slug}/strategier/{doc_id}/tiltak")
def add_measure(
    request: Request, doc_id: int, session: DbSession, data: FormData, ctx: Editor
) -> Response:
    try:
        m = measures.add(session, ctx.workspace, doc_id, _measure_input(data))
    except InvalidInput as exc:
        return _measures_page(request, session, ctx, doc_id, _errors(exc), data, 422)
    return redirect(
        request,
        f"{_base(ctx)}/strategier/{doc_id}/tiltak#t{m.id}",
        flash=_("Tiltaket er lagt til."),
    )


@router.post("/{workspace_slug}/strategier/{doc_id}/tiltak/{measure_id}")
def update_measure(
    request: Request,
    doc_id: int,
    measure_id: int,
    session: DbSession,
    data: FormData,
    ctx: Editor,
) -> Response:
    try:
        measures.update(session, ctx.workspace, doc_id, measure_id, _measure_input(data))
    except InvalidInput as exc:
        return _measures_page(
            request, session, ctx, doc_id, _errors(exc), data, 422, editing=measure_id
        )
    return redirect(
        request,
        f"{_base(ctx)}/strategier/{doc_id}/tiltak#t{measure_id}",
        flash=_("Tiltaket er lagret."),
    )


@router.post("/{workspace_slug}/strategier/{doc_id}/tiltak/{measure_id}/slett")
def delete_measure(
    request: Request, doc_id: int, measure_id: int, session: DbSession, ctx: Editor
) -> Response:
    measures.delete(session, ctx.workspace, doc_id, measure_id)
    return redirect(
        request, f"{_base(ctx)}/strategier/{doc_id}/tiltak", flash=_("Tiltaket er slettet.")
    )


@router.get("/{workspace_slug}/strategier/{doc_id}/tiltak.xlsx")
def measures_xlsx(doc_id: int, session: DbSession, ctx: DraftReader) -> Response:
    from app.strategies import exports

    doc = service.get_document(session, ctx.workspace, doc_id)
    rows = measures.measures_of(session, ctx.workspace, doc_id)
    headings = {s.key: s.heading for s in service.sections_of(session, ctx.workspace, doc_id)}
    return _download(
        exports.measures_xlsx(doc, rows, headings),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"tiltak-{doc_id}.xlsx",
    )
