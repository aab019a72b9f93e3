"""HTML pages of funding schemes: the catalogue, a scheme with its calls and the county's note,
the forms for the county's own schemes and calls, "help us apply" from a call, and the
participation records (applications and projects)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.clock import local, local_date, today, utcnow
from app.counties import service as counties_service
from app.errors import Forbidden
from app.forms import MultiFormData, submit
from app.i18n import _
from app.networks import service as networks_service
from app.schemes import help as scheme_help
from app.schemes import reference, service
from app.schemes.labels import LABELS
from app.schemes.models import LEVELS, PARTICIPATION_STATUSES, SCHEME_AREAS, Scheme, SchemeCall
from app.schemes.schemas import CallForm, NoteForm, ParticipationForm, SchemeForm
from app.web import redirect, render

router = Router()

Reader = Annotated[Context, Depends(require("schemes.read"))]
Manager = Annotated[Context, Depends(require("schemes.manage"))]
PAGE_SIZE = 50


def _ctx(**extra: Any) -> dict[str, Any]:
    return {"labels": LABELS, "now": utcnow(), **extra}


def _base(ctx: Context) -> str:
    return f"/{ctx.workspace.slug}/virkemidler"


def days_left(call: SchemeCall) -> int:
    return (local_date(call.deadline) - today()).days


# --- the catalogue -------------------------------------------------------------------------


@router.get("/{workspace_slug}/virkemidler")
def catalogue_page(
    request: Request,
    session: DbSession,
    ctx: Reader,
    q: Annotated[str, Query(max_length=100)] = "",
    omrade: Annotated[str, Query(max_length=30)] = "",
    eier: Annotated[str, Query(max_length=200)] = "",
    niva: Annotated[str, Query(max_length=20)] = "",
    apen: Annotated[bool, Query()] = False,
    arkiv: Annotated[bool, Query()] = False,
) -> Response:
    f = service.CatalogueFilter(
        q=q.strip() or None,
        area=omrade if omrade in SCHEME_AREAS else None,
        owner=eier or None,
        level=niva if niva in LEVELS else None,
        open_now=apen,
        include_archived=arkiv,
    )
    rows = service.catalogue(session, ctx.workspace, f)
    soon = service.deadlines(session, ctx.workspace, end=service.soon_end())
    return render(
        request,
        "schemes/catalogue.html",
        _ctx(
            rows=rows,
            soon=soon,
            days_left=days_left,
            owners=service.owners(session, ctx.workspace),
            f=f,
            q=q,
            filtered=bool(f.q or f.area or f.owner or f.level or f.open_now),
        ),
        fragment="schemes/_catalogue_list.html",
    )


# --- the county's own schemes --------------------------------------------------------------


def _scheme_values(scheme: Scheme) -> dict[str, Any]:
    values: dict[str, Any] = {k: getattr(scheme, k) for k in SchemeForm.model_fields}
    values["reminder_days"] = ", ".join(str(d) for d in scheme.reminder_days or [])
    return values


def _scheme_form(
    request: Request,
    ctx: Context,
    values: dict[str, Any],
    errors: dict[str, str],
    scheme: Scheme | None = None,
) -> Response:
    return render(
        request,
        "schemes/scheme_form.html",
        _ctx(values=values, errors=errors, scheme=scheme),
    )


def _submit_scheme(
    request: Request,
    session: DbSession,
    ctx: Context,
    data: dict[str, Any],
    act: Callable[[SchemeForm], Scheme],
    scheme: Scheme | None = None,
) -> Response:
    # An empty field means no reminders (not the default days).
    data = {**data, "reminder_days": data.get("reminder_days") or []}
    return submit(
        request,
        session,
        data,
        act,
        schema=SchemeForm,
        done=lambda saved: f"{_base(ctx)}/{saved.id}",
        flash=lambda saved: _("«{name}» er lagret.").format(name=saved.name),
        again=lambda errors: _scheme_form(request, ctx, data, errors, scheme),
    )


@router.get("/{workspace_slug}/virkemidler/nytt")
def new_scheme_page(request: Request, ctx: Manager) -> Response:
    return _scheme_form(request, ctx, {"level": "regional", "reminder_days": "21, 7"}, {})


@router.post("/{workspace_slug}/virkemidler")
def create_scheme(
    request: Request, session: DbSession, data: MultiFormData, ctx: Manager
) -> Response:
    return _submit_scheme(
        request,
        session,
        ctx,
        data,
        lambda form: service.create_scheme(session, ctx.workspace, form),
    )


@router.get("/{workspace_slug}/virkemidler/{scheme_id:int}")
def scheme_page(request: Request, scheme_id: int, session: DbSession, ctx: Reader) -> Response:
    return _scheme_page(request, session, ctx, scheme_id)


def _scheme_page(
    request: Request,
    session: DbSession,
    ctx: Context,
    scheme_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    scheme = service.get_scheme(session, ctx.workspace, scheme_id)
    note = service.get_note(session, ctx.workspace, scheme.id)
    calls = service.calls_of(session, ctx.workspace, scheme.id)
    now = utcnow()
    current = sorted((c for c in calls if c.deadline > now), key=lambda c: c.deadline)
    past = [c for c in calls if c.deadline <= now]
    records, total = service.list_participations(
        session, ctx.workspace, service.ParticipationFilter(scheme_id=scheme.id), limit=10
    )
    p = ctx.principal
    asked = scheme_help.asked_calls(session, ctx.workspace, p, [c.id for c in current])
    return render(
        request,
        "schemes/scheme.html",
        _ctx(
            scheme=scheme,
            note=note,
            current_calls=current,
            past_calls=past,
            records=records,
            records_total=total,
            days_left=days_left,
            reminder_days=service.reminder_days(scheme, note),
            can_manage=ctx.can("schemes.manage"),
            can_ask=bool(p.municipality_number) and ctx.can("helpdesk.file"),
            asked=asked,
            sources=_sources(scheme),
            errors=errors or {},
            values=values or {},
        ),
        status_code=status_code,
    )


def _sources(scheme: Scheme) -> list[str]:
    if not scheme.national:
        return []
    for record in reference.national_records():
        if record["key"] == scheme.key:
            return list(record.get("sources") or [])
    return []


@router.get("/{workspace_slug}/virkemidler/{scheme_id:int}/rediger")
def edit_scheme_page(
    request: Request, scheme_id: int, session: DbSession, ctx: Manager
) -> Response:
    scheme = service.own_scheme(session, ctx.workspace, scheme_id)
    return _scheme_form(request, ctx, _scheme_values(scheme), {}, scheme)


@router.post("/{workspace_slug}/virkemidler/{scheme_id:int}/rediger")
def update_scheme(
    request: Request, scheme_id: int, session: DbSession, data: MultiFormData, ctx: Manager
) -> Response:
    scheme = service.own_scheme(session, ctx.workspace, scheme_id)
    return _submit_scheme(
        request,
        session,
        ctx,
        data,
        lambda form: service.update_scheme(session, ctx.workspace, scheme_id, form),
        scheme,
    )


@router.post("/{workspace_slug}/virkemidler/{scheme_id:int}/arkiver")
def archive_scheme(
    request: Request, scheme_id: int, session: DbSession, data: MultiFormData, ctx: Manager
) -> Response:
    archived = data.get("arkivert", "1") == "1"
    scheme = service.archive_scheme(session, ctx.workspace, scheme_id, archived)
    message = _("«{name}» er arkivert.") if archived else _("«{name}» er hentet fram igjen.")
    return redirect(request, f"{_base(ctx)}/{scheme.id}", flash=message.format(name=scheme.name))


@router.post("/{workspace_slug}/virkemidler/{scheme_id:int}/merknad")
def save_note(
    request: Request, scheme_id: int, session: DbSession, data: MultiFormData, ctx: Manager
) -> Response:
    # The note's fields carry a prefix on the scheme's page (its own form among others).
    fields = {k.removeprefix("note_"): v for k, v in data.items()}
    return submit(
        request,
        session,
        fields,
        lambda form: service.save_note(session, ctx.workspace, scheme_id, form),
        schema=NoteForm,
        done=f"{_base(ctx)}/{scheme_id}",
        flash=_("Fylkets merknad er lagret."),
        again=lambda errors: _scheme_page(
            request,
            session,
            ctx,
            scheme_id,
            errors={f"note_{k}": v for k, v in errors.items()},
            values=dict(data),
        ),
    )


# --- calls ---------------------------------------------------------------------------------


def _call_values(call: SchemeCall) -> dict[str, Any]:
    return {
        "title": call.title,
        "opens_on": call.opens_on.isoformat() if call.opens_on else "",
        "deadline_date": local_date(call.deadline).isoformat(),
        "deadline_time": local(call.deadline).strftime("%H:%M"),
        "budget": call.budget if call.budget is not None else "",
        "url": call.url,
        "description": call.description,
    }


def _call_form(
    request: Request,
    ctx: Context,
    scheme: Scheme,
    values: dict[str, Any],
    errors: dict[str, str],
    call: SchemeCall | None = None,
) -> Response:
    # A message about the pair of dates belongs next to the deadline.
    if "form" in errors and "deadline_date" not in errors:
        errors = {**errors, "deadline_date": errors["form"]}
    return render(
        request,
        "schemes/call_form.html",
        _ctx(scheme=scheme, values=values, errors=errors, call=call),
    )


def _submit_call(
    request: Request,
    session: DbSession,
    ctx: Context,
    scheme: Scheme,
    data: dict[str, Any],
    act: Callable[[CallForm], SchemeCall],
    call: SchemeCall | None = None,
) -> Response:
    return submit(
        request,
        session,
        data,
        act,
        schema=CallForm,
        done=lambda saved: f"{_base(ctx)}/{saved.scheme_id}",
        flash=lambda saved: _("Utlysningen «{title}» er lagret.").format(title=saved.title),
        again=lambda errors: _call_form(request, ctx, scheme, data, errors, call),
    )


@router.get("/{workspace_slug}/virkemidler/{scheme_id:int}/utlysninger/ny")
def new_call_page(request: Request, scheme_id: int, session: DbSession, ctx: Manager) -> Response:
    scheme = service.get_scheme(session, ctx.workspace, scheme_id)
    return _call_form(request, ctx, scheme, {"deadline_time": "13:00"}, {})


@router.post("/{workspace_slug}/virkemidler/{scheme_id:int}/utlysninger")
def create_call(
    request: Request, scheme_id: int, session: DbSession, data: MultiFormData, ctx: Manager
) -> Response:
    scheme = service.get_scheme(session, ctx.workspace, scheme_id)
    return _submit_call(
        request,
        session,
        ctx,
        scheme,
        data,
        lambda form: service.create_call(session, ctx.workspace, scheme.id, form),
    )


@router.get("/{workspace_slug}/virkemidler/utlysninger/{call_id:int}/rediger")
def edit_call_page(request: Request, call_id: int, session: DbSession, ctx: Manager) -> Response:
    call = service.get_call(session, ctx.workspace, call_id)
    return _call_form(request, ctx, call.scheme, _call_values(call), {}, call)


@router.post("/{workspace_slug}/virkemidler/utlysninger/{call_id:int}/rediger")
def update_call(
    request: Request, call_id: int, session: DbSession, data: MultiFormData, ctx: Manager
) -> Response:
    call = service.get_call(session, ctx.workspace, call_id)
    return _submit_call(
        request,
        session,
        ctx,
        call.scheme,
        data,
        lambda form: service.update_call(session, ctx.workspace, call_id, form),
        call,
    )


@router.post("/{workspace_slug}/virkemidler/utlysninger/{call_id:int}/slett")
def delete_call(request: Request, call_id: int, session: DbSession, ctx: Manager) -> Response:
    scheme_id = service.delete_call(session, ctx.workspace, call_id)
    return redirect(request, f"{_base(ctx)}/{scheme_id}", flash=_("Utlysningen er slettet."))


@router.post("/{workspace_slug}/virkemidler/utlysninger/{call_id:int}/kopier")
def copy_call(request: Request, call_id: int, session: DbSession, ctx: Manager) -> Response:
    copy = service.copy_to_next_year(session, ctx.workspace, call_id)
    return redirect(
        request,
        f"{_base(ctx)}/utlysninger/{copy.id}/rediger",
        flash=_("Kopiert til neste år som «{title}». Sjekk datoene og lagre.").format(
            title=copy.title
        ),
    )


@router.post("/{workspace_slug}/virkemidler/utlysninger/{call_id:int}/be-om-hjelp")
def ask_for_help(
    request: Request,
    call_id: int,
    session: DbSession,
    ctx: Annotated[Context, Depends(require("helpdesk.file"))],
) -> Response:
    req = scheme_help.ask_for_help(session, ctx.workspace, ctx.principal, call_id)
    return redirect(
        request,
        f"/{ctx.workspace.slug}/hjelp/{req.number}",
        flash=_(
            "Hjelpekorpset har fått beskjed (HK-{number}). Skriv gjerne mer om søknaden her."
        ).format(number=req.number),
    )


# --- participation -------------------------------------------------------------------------


def _participation_options(session: DbSession, ctx: Context) -> dict[str, Any]:
    ws = ctx.workspace
    schemes = service.catalogue(session, ws)
    calls = service.deadlines(session, ws, start=utcnow() - timedelta(days=365 * 8))
    bodies = [n.body for n in networks_service.flatten(networks_service.body_tree(session, ws))]
    return {
        "schemes": [r.scheme for r in schemes],
        "calls": calls,
        "bodies": bodies,
        "municipalities": counties_service.municipalities_of_county(session, ws.county_number),
    }


@router.get("/{workspace_slug}/virkemidler/soknader")
def participation_list(
    request: Request,
    session: DbSession,
    ctx: Reader,
    virkemiddel: Annotated[int | None, Query()] = None,
    ar: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    kommune: Annotated[str, Query(max_length=4)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    side: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    ws = ctx.workspace
    f = service.ParticipationFilter(
        scheme_id=virkemiddel,
        year=ar,
        municipality_number=kommune or None,
        status=status if status in PARTICIPATION_STATUSES else None,
    )
    rows, total = service.list_participations(
        session, ws, f, limit=PAGE_SIZE, offset=(side - 1) * PAGE_SIZE
    )
    p = ctx.principal
    return render(
        request,
        "schemes/participations.html",
        _ctx(
            rows=rows,
            total=total,
            page=side,
            pages=max(1, -(-total // PAGE_SIZE)),
            f=f,
            schemes=[r.scheme for r in service.catalogue(session, ws)],
            municipalities=counties_service.municipalities_of_county(session, ws.county_number),
            can_add=service.may_edit(p, None),
            editable={r.id for r in rows if service.may_edit(p, r)},
        ),
        fragment="schemes/_participation_rows.html",
    )


def _participation_form(
    request: Request,
    session: DbSession,
    ctx: Context,
    values: dict[str, Any],
    errors: dict[str, str],
    record_id: int | None = None,
) -> Response:
    return render(
        request,
        "schemes/participation_form.html",
        _ctx(
            values=values,
            errors=errors,
            record_id=record_id,
            **_participation_options(session, ctx),
        ),
    )


def _submit_participation(
    request: Request,
    session: DbSession,
    ctx: Context,
    data: dict[str, Any],
    act: Callable[[ParticipationForm], Any],
    record_id: int | None = None,
) -> Response:
    data.setdefault("partners", [])
    return submit(
        request,
        session,
        data,
        act,
        schema=ParticipationForm,
        done=f"{_base(ctx)}/soknader",
        flash=_("Deltakelsen er lagret."),
        again=lambda errors: _participation_form(request, session, ctx, data, errors, record_id),
    )


@router.get("/{workspace_slug}/virkemidler/soknader/ny")
def new_participation_page(
    request: Request,
    session: DbSession,
    ctx: Reader,
    virkemiddel: Annotated[int | None, Query()] = None,
    utlysning: Annotated[int | None, Query()] = None,
) -> Response:
    p = ctx.principal
    if not service.may_edit(p, None):
        raise Forbidden()
    values: dict[str, Any] = {
        "year": today().year,
        "status": "applying",
        "lead": p.municipality_number or "",
        "partners": [],
        "scheme_id": virkemiddel or "",
        "call_id": utlysning or "",
    }
    return _participation_form(request, session, ctx, values, {})


@router.post("/{workspace_slug}/virkemidler/soknader")
def create_participation(
    request: Request, session: DbSession, data: MultiFormData, ctx: Reader
) -> Response:
    if not service.may_edit(ctx.principal, None):
        raise Forbidden()
    return _submit_participation(
        request,
        session,
        ctx,
        data,
        lambda form: service.create_participation(session, ctx.workspace, ctx.principal, form),
    )


@router.get("/{workspace_slug}/virkemidler/soknader/{record_id:int}")
def participation_page(
    request: Request, record_id: int, session: DbSession, ctx: Reader
) -> Response:
    record = service.get_participation(session, ctx.workspace, record_id)
    if not service.may_edit(ctx.principal, record):
        return render(request, "schemes/participation.html", _ctx(record=record))
    values = service.form_values(record)
    values["help_request_number"] = scheme_help.request_number(
        session, ctx.workspace, record.help_request_id
    )
    return _participation_form(request, session, ctx, values, {}, record.id)


@router.post("/{workspace_slug}/virkemidler/soknader/{record_id:int}")
def update_participation(
    request: Request, record_id: int, session: DbSession, data: MultiFormData, ctx: Reader
) -> Response:
    # Another workspace's record answers 404, and one the user may not change 403, before
    # the form is read.
    if not service.may_edit(
        ctx.principal, service.get_participation(session, ctx.workspace, record_id)
    ):
        raise Forbidden(_("Du kan bare endre deltakelse for din egen kommune."))
    return _submit_participation(
        request,
        session,
        ctx,
        data,
        lambda form: service.update_participation(
            session, ctx.workspace, ctx.principal, record_id, form
        ),
        record_id,
    )


@router.post("/{workspace_slug}/virkemidler/soknader/{record_id:int}/slett")
def delete_participation(
    request: Request, record_id: int, session: DbSession, ctx: Reader
) -> Response:
    service.delete_participation(session, ctx.workspace, ctx.principal, record_id)
    return redirect(request, f"{_base(ctx)}/soknader", flash=_("Deltakelsen er slettet."))
