"""HTML pages of the innovation registry: the list (this county's and those other counties
share), an innovation with its municipalities, adoptions, spread plan and linked help requests,
the forms, sharing, and "we want this"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.counties import service as counties_service
from app.errors import InvalidInput
from app.forms import MultiFormData, submit, uploaded_files
from app.helpdesk import attachments
from app.i18n import _, ngettext
from app.innovations import files as innovation_files
from app.innovations import requests, service
from app.innovations.labels import LABELS
from app.innovations.models import INNOVATION_AREAS, PHASES, Innovation
from app.innovations.schemas import (
    AdoptionForm,
    InnovationForm,
    RequestLinkForm,
    RoleForm,
    SpreadTargetForm,
)
from app.markdown import render_markdown
from app.networks import service as networks_service
from app.web import redirect, render

router = Router()

Reader = Annotated[Context, Depends(require("innovations.read"))]
Editor = Annotated[Context, Depends(require("innovations.edit"))]
Files = Annotated[list[UploadFile], Depends(uploaded_files)]
PAGE_SIZE = 30


def _ctx(**extra: Any) -> dict[str, Any]:
    return {"labels": LABELS, **extra}


def _base(ctx: Context) -> str:
    return f"/{ctx.workspace.slug}/innovasjoner"


# --- the registry ----------------------------------------------------------------------------


@router.get("/{workspace_slug}/innovasjoner")
def registry_page(
    request: Request,
    session: DbSession,
    ctx: Reader,
    q: Annotated[str, Query(max_length=100)] = "",
    omrade: Annotated[str, Query(max_length=30)] = "",
    fase: Annotated[str, Query(max_length=20)] = "",
    klasse: Annotated[int | None, Query(ge=1, le=9)] = None,
    naer: Annotated[bool, Query()] = False,
    fra: Annotated[str, Query(max_length=10)] = "",
    side: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    ws = ctx.workspace
    p = ctx.principal
    f = service.RegistryFilter(
        q=q.strip() or None,
        area=omrade if omrade in INNOVATION_AREAS else None,
        phase=fase if fase in PHASES else None,
        size_class=klasse,
        near=naer and bool(p.municipality_number),
        scope="others" if fra == "andre" else "own",
    )
    rows, total = service.registry(
        session, ws, p, f, limit=PAGE_SIZE, offset=(side - 1) * PAGE_SIZE
    )
    return render(
        request,
        "innovations/registry.html",
        _ctx(
            rows=rows,
            total=total,
            page=side,
            pages=max(1, -(-total // PAGE_SIZE)),
            f=f,
            q=q,
            others=fra == "andre",
            classes=counties_service.size_classes(counties_service.settings_of(ws)),
            can_edit=ctx.can("innovations.edit"),
            municipal=bool(p.municipality_number),
            body_names={
                n.body.id: n.body.name
                for n in networks_service.flatten(networks_service.body_tree(session, ws))
            },
        ),
        fragment="innovations/_registry_list.html",
    )


# --- an innovation ---------------------------------------------------------------------------


def _options(session: DbSession, ctx: Context) -> dict[str, Any]:
    ws = ctx.workspace
    return {
        "municipalities": counties_service.municipalities_of_county(session, ws.county_number),
        "bodies": [
            n.body
            for n in networks_service.flatten(networks_service.body_tree(session, ws))
            if n.body.kind in ("council", "network")
        ],
    }


def _innovation_page(
    request: Request,
    session: DbSession,
    ctx: Context,
    innovation_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    ws = ctx.workspace
    p = ctx.principal
    inn = service.get_innovation(session, ws, innovation_id)
    own = inn.workspace_id == ws.id
    options = _options(session, ctx)
    adoptions = service.adoptions_of(session, ws, inn)
    mine = next(
        (
            a
            for a in adoptions
            if a.municipality_number == p.municipality_number and a.workspace_id == ws.id
        ),
        None,
    )
    return render(
        request,
        "innovations/innovation.html",
        _ctx(
            inn=inn,
            own=own,
            owner=service.owner_name(session, inn),
            origin_body=next(
                (b.name for b in options["bodies"] if b.id == inn.origin_body_id), None
            ),
            solution_html=render_markdown(inn.solution),
            roles=service.roles_of(session, ws, inn),
            adoptions=adoptions,
            spread=service.spread_of(session, ws, inn.id),
            plan=service.spread_plan(session, ws, inn),
            requests=requests.requests_of(session, ws, inn.id),
            files=innovation_files.files_of(session, ws, inn.id),
            accept=attachments.ACCEPT,
            limit_text=attachments.limit_text(),
            can_edit=own and ctx.can("innovations.edit"),
            can_plan=ctx.can("innovations.edit"),
            can_record=ctx.can("innovations.edit") or ctx.can("adoptions.edit_own"),
            can_want=bool(p.municipality_number) and ctx.can("helpdesk.file"),
            my_adoption=mine,
            my_municipality=p.municipality_number,
            county_number=ws.county_number,
            errors=errors or {},
            values=values or {},
            **options,
        ),
        status_code=status_code,
    )


@router.get("/{workspace_slug}/innovasjoner/{innovation_id:int}")
def innovation_page(
    request: Request, innovation_id: int, session: DbSession, ctx: Reader
) -> Response:
    return _innovation_page(request, session, ctx, innovation_id)


def _form(
    request: Request,
    session: DbSession,
    ctx: Context,
    values: dict[str, Any],
    errors: dict[str, str],
    inn: Innovation | None = None,
) -> Response:
    if "form" in errors and "origin_municipality_number" not in errors:
        errors = {**errors, "origin_municipality_number": errors["form"]}
    for key in [k for k in errors if k.startswith("links.")]:  # a link's own field
        errors.setdefault("links", errors.pop(key))
    return render(
        request,
        "innovations/form.html",
        _ctx(values=values, errors=errors, inn=inn, **_options(session, ctx)),
    )


def _values(inn: Innovation) -> dict[str, Any]:
    values: dict[str, Any] = {k: getattr(inn, k) for k in InnovationForm.model_fields}
    values["links"] = "\n".join(
        f"{link.get('title', '')} {link.get('url', '')}".strip() for link in inn.links or []
    )
    return values


def _submit(
    request: Request,
    session: DbSession,
    ctx: Context,
    data: dict[str, Any],
    act: Callable[[InnovationForm], Innovation],
    inn: Innovation | None = None,
) -> Response:
    return submit(
        request,
        session,
        data,
        act,
        schema=InnovationForm,
        done=lambda saved: f"{_base(ctx)}/{saved.id}",
        flash=lambda saved: _("«{title}» er lagret.").format(title=saved.title),
        again=lambda errors: _form(request, session, ctx, data, errors, inn),
    )


@router.get("/{workspace_slug}/innovasjoner/ny")
def new_page(request: Request, session: DbSession, ctx: Editor) -> Response:
    return _form(request, session, ctx, {"phase": "anchoring"}, {})


@router.post("/{workspace_slug}/innovasjoner")
def create(request: Request, session: DbSession, data: MultiFormData, ctx: Editor) -> Response:
    return _submit(
        request,
        session,
        ctx,
        data,
        lambda form: service.create_innovation(session, ctx.workspace, form),
    )


@router.get("/{workspace_slug}/innovasjoner/{innovation_id:int}/rediger")
def edit_page(request: Request, innovation_id: int, session: DbSession, ctx: Editor) -> Response:
    inn = service.own_innovation(session, ctx.workspace, innovation_id)
    return _form(request, session, ctx, _values(inn), {}, inn)


@router.post("/{workspace_slug}/innovasjoner/{innovation_id:int}/rediger")
def update(
    request: Request, innovation_id: int, session: DbSession, data: MultiFormData, ctx: Editor
) -> Response:
    inn = service.own_innovation(session, ctx.workspace, innovation_id)
    return _submit(
        request,
        session,
        ctx,
        data,
        lambda form: service.update_innovation(session, ctx.workspace, innovation_id, form),
        inn,
    )


@router.post("/{workspace_slug}/innovasjoner/{innovation_id:int}/deling")
def share(
    request: Request, innovation_id: int, session: DbSession, data: MultiFormData, ctx: Editor
) -> Response:
    shared = data.get("delt", "1") == "1"
    inn = service.set_shared(session, ctx.workspace, innovation_id, shared)
    message = (
        _("«{title}» er delt med alle fylker.")
        if shared
        else _("«{title}» deles ikke lenger med andre fylker.")
    )
    return redirect(request, f"{_base(ctx)}/{inn.id}", flash=message.format(title=inn.title))


@router.post("/{workspace_slug}/innovasjoner/{innovation_id:int}/arkiver")
def archive(
    request: Request, innovation_id: int, session: DbSession, data: MultiFormData, ctx: Editor
) -> Response:
    archived = data.get("arkivert", "1") == "1"
    inn = service.set_archived(session, ctx.workspace, innovation_id, archived)
    message = _("«{title}» er arkivert.") if archived else _("«{title}» er hentet fram igjen.")
    return redirect(request, f"{_base(ctx)}/{inn.id}", flash=message.format(title=inn.title))


# --- forms on the innovation's page ------------------------------------------------------------


def _on_page(
    request: Request,
    session: DbSession,
    ctx: Context,
    innovation_id: int,
    data: dict[str, Any],
    act: Callable[[Any], object],
    *,
    schema: type[Any],
    flash: str,
    prefix: str,
) -> Response:
    service.get_innovation(session, ctx.workspace, innovation_id)  # 404 before the form
    fields = {k.removeprefix(prefix): v for k, v in data.items()}
    return submit(
        request,
        session,
        fields,
        act,
        schema=schema,
        done=f"{_base(ctx)}/{innovation_id}",
        flash=flash,
        again=lambda errors: _innovation_page(
            request,
            session,
            ctx,
            innovation_id,
            errors={f"{prefix}{k}": v for k, v in errors.items()},
            values=dict(data),
        ),
    )


@router.post("/{workspace_slug}/innovasjoner/{innovation_id:int}/roller")
def set_role(
    request: Request, innovation_id: int, session: DbSession, data: MultiFormData, ctx: Editor
) -> Response:
    return _on_page(
        request,
        session,
        ctx,
        innovation_id,
        data,
        lambda form: service.set_role(session, ctx.workspace, innovation_id, form),
        schema=RoleForm,
        flash=_("Kommunens rolle er lagret."),
        prefix="role_",
    )


@router.post("/{workspace_slug}/innovasjoner/{innovation_id:int}/roller/{role_id:int}/slett")
def remove_role(
    request: Request, innovation_id: int, role_id: int, session: DbSession, ctx: Editor
) -> Response:
    service.remove_role(session, ctx.workspace, innovation_id, role_id)
    return redirect(request, f"{_base(ctx)}/{innovation_id}", flash=_("Rollen er fjernet."))


@router.post("/{workspace_slug}/innovasjoner/{innovation_id:int}/innforing")
def record_adoption(
    request: Request, innovation_id: int, session: DbSession, data: MultiFormData, ctx: Reader
) -> Response:
    return _on_page(
        request,
        session,
        ctx,
        innovation_id,
        data,
        lambda form: service.record_adoption(
            session, ctx.workspace, ctx.principal, innovation_id, form
        ),
        schema=AdoptionForm,
        flash=_("Innføringen er lagret."),
        prefix="adoption_",
    )


@router.post("/{workspace_slug}/innovasjoner/innforing/{adoption_id:int}/slett")
def delete_adoption(
    request: Request, adoption_id: int, session: DbSession, ctx: Reader
) -> Response:
    innovation_id = service.delete_adoption(session, ctx.workspace, ctx.principal, adoption_id)
    return redirect(request, f"{_base(ctx)}/{innovation_id}", flash=_("Innføringen er fjernet."))


@router.post("/{workspace_slug}/innovasjoner/{innovation_id:int}/spredning")
def add_target(
    request: Request, innovation_id: int, session: DbSession, data: MultiFormData, ctx: Editor
) -> Response:
    return _on_page(
        request,
        session,
        ctx,
        innovation_id,
        data,
        lambda form: service.add_target(session, ctx.workspace, innovation_id, form),
        schema=SpreadTargetForm,
        flash=_("Målet er lagt til i spredningsplanen."),
        prefix="target_",
    )


@router.post("/{workspace_slug}/innovasjoner/spredningsmal/{target_id:int}/slett")
def remove_target(request: Request, target_id: int, session: DbSession, ctx: Editor) -> Response:
    innovation_id = service.remove_target(session, ctx.workspace, target_id)
    return redirect(request, f"{_base(ctx)}/{innovation_id}", flash=_("Målet er fjernet."))


@router.post("/{workspace_slug}/innovasjoner/{innovation_id:int}/foresporsler")
def link_request(
    request: Request, innovation_id: int, session: DbSession, data: MultiFormData, ctx: Editor
) -> Response:
    return _on_page(
        request,
        session,
        ctx,
        innovation_id,
        data,
        lambda form: requests.link_request(
            session, ctx.workspace, innovation_id, form.help_request_number
        ),
        schema=RequestLinkForm,
        flash=_("Forespørselen er koblet til innovasjonen."),
        prefix="link_",
    )


@router.post("/{workspace_slug}/innovasjoner/{innovation_id:int}/filer")
def upload_files(
    request: Request, innovation_id: int, session: DbSession, files: Files, ctx: Editor
) -> Response:
    service.get_innovation(session, ctx.workspace, innovation_id)  # 404 before the files
    try:
        # Read and checked, then stored outside the transaction (deleted again if refused).
        uploads = attachments.keep(session, attachments.read_form_files(files, "attachments"))
        with session.begin_nested():
            added = innovation_files.add_files(
                session, ctx.workspace, ctx.principal, innovation_id, uploads
            )
    except InvalidInput as exc:
        errors = {f"files_{k}": v for k, v in exc.messages().items()}
        return _innovation_page(
            request, session, ctx, innovation_id, errors=errors, status_code=exc.status_code
        )
    return redirect(
        request,
        f"{_base(ctx)}/{innovation_id}",
        flash=ngettext("%(num)d fil er lagt til.", "%(num)d filer er lagt til.", len(added)),
    )


@router.post("/{workspace_slug}/innovasjoner/{innovation_id:int}/vi-vil-ha-denne")
def we_want_this(
    request: Request,
    innovation_id: int,
    session: DbSession,
    ctx: Annotated[Context, Depends(require("helpdesk.file"))],
) -> Response:
    req = requests.we_want_this(session, ctx.workspace, ctx.principal, innovation_id)
    return redirect(
        request,
        f"/{ctx.workspace.slug}/hjelp/{req.number}",
        flash=_(
            "Hjelpekorpset har fått beskjed (HK-{number}). Skriv gjerne mer om hva dere trenger."
        ).format(number=req.number),
    )
