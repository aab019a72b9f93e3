"""HTML pages of networks: bodies, memberships, representatives, contacts, municipality page,
coverage."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, require
from app.clock import today
from app.counties import service as counties_service
from app.errors import Forbidden, InvalidInput
from app.forms import multi_form, parse
from app.i18n import _, lazy
from app.networks import service
from app.networks.models import AREAS, BODY_KINDS, MEMBER_ROLES, THEMES
from app.networks.schemas import BodyForm, EndMembershipForm, MembershipForm, PersonForm
from app.networks.svg import coverage_matrix
from app.web import redirect, render

router = APIRouter()

KIND_LABELS = {
    "council": lazy("Regionråd"),
    "network": lazy("Nettverk"),
    "board": lazy("Styre"),
    "ceo_committee": lazy("Rådmannsutvalg"),
    "secretariat": lazy("Sekretariat"),
    "steering_group": lazy("Styringsgruppe"),
    "working_committee": lazy("Arbeidsutvalg"),
    "professional_group": lazy("Faggruppe"),
    "joint_operation": lazy("Felles drift"),
}
THEME_LABELS = {
    "digitalisation": lazy("Digitalisering"),
    "health_welfare_tech": lazy("Helse og velferdsteknologi"),
    "climate": lazy("Klima"),
    "school": lazy("Skole"),
    "procurement": lazy("Innkjøp"),
    "other": lazy("Annet"),
}
ROLE_LABELS = {
    "member": lazy("Medlem"),
    "host": lazy("Vertskommune"),
    "secretariat": lazy("Sekretariat"),
    "observer": lazy("Observatør"),
}
AREA_LABELS = {
    "digitalisation": lazy("Digitalisering"),
    "health_care": lazy("Helse og omsorg"),
    "school": lazy("Skole og barnehage"),
    "climate": lazy("Klima og miljø"),
    "business": lazy("Næringsutvikling"),
    "finance": lazy("Økonomi"),
    "procurement": lazy("Innkjøp"),
    "innovation": lazy("Innovasjon"),
    "other": lazy("Annet"),
}
LABELS = {
    "kinds": KIND_LABELS,
    "themes": THEME_LABELS,
    "roles": ROLE_LABELS,
    "areas": AREA_LABELS,
    "kind_order": BODY_KINDS,
    "theme_order": THEMES,
    "role_order": MEMBER_ROLES,
    "area_order": AREAS,
}


FormData = Annotated[dict[str, Any], Depends(multi_form)]
Reader = Annotated[Context, Depends(require("networks.read"))]
Manager = Annotated[Context, Depends(require("networks.manage"))]
ContactReader = Annotated[Context, Depends(require("contacts.read"))]


def _ctx(**extra: Any) -> dict[str, Any]:
    return {"labels": LABELS, **extra}


# --- bodies --------------------------------------------------------------------------------


@router.get("/{workspace_slug}/organer")
def bodies_page(
    request: Request,
    session: DbSession,
    ctx: Reader,
    type_: Annotated[str | None, Query(alias="type", max_length=30)] = None,
    arkiv: Annotated[bool, Query()] = False,
) -> Response:
    kind = type_ if type_ in BODY_KINDS else None
    roots = service.body_tree(session, ctx.workspace, kind=kind, include_archived=arkiv)
    return render(
        request,
        "networks/bodies.html",
        _ctx(nodes=service.flatten(roots), kind=kind, archived=arkiv),
    )


def _body_form_context(
    session: DbSession,
    ctx: Context,
    values: dict[str, Any],
    errors: dict[str, str],
    body: Any = None,
) -> dict[str, Any]:
    own = [n for n in service.flatten(service.body_tree(session, ctx.workspace)) if n.owned]
    return _ctx(
        values=values,
        errors=errors,
        body=body,
        parents=[n for n in own if body is None or n.body.id != body.id],
    )


@router.get("/{workspace_slug}/organer/ny")
def new_body_page(
    request: Request,
    session: DbSession,
    ctx: Manager,
    overordnet: Annotated[int | None, Query()] = None,
) -> Response:
    values = {"kind": "working_committee" if overordnet else "network", "parent_id": overordnet}
    return render(request, "networks/body_form.html", _body_form_context(session, ctx, values, {}))


def _save_body(
    request: Request, session: DbSession, ctx: Context, data: dict[str, Any], body_id: int | None
) -> Response:
    form, errors = parse(BodyForm, data)
    body = service.get_own_body(session, ctx.workspace, body_id) if body_id else None
    if form is not None:
        try:
            if body_id is None:
                body = service.create_body(session, ctx.workspace, form)
            else:
                body = service.update_body(session, ctx.workspace, body_id, form)
        except InvalidInput as exc:
            errors = {k: _(v) for k, v in exc.errors.items()}
        else:
            return redirect(
                request,
                f"/{ctx.workspace.slug}/organer/{body.id}",
                flash=_("«{name}» er lagret.").format(name=body.name),
            )
    return render(
        request,
        "networks/body_form.html",
        _body_form_context(session, ctx, data, errors, body),
        status_code=422,
    )


@router.post("/{workspace_slug}/organer")
def create_body(request: Request, session: DbSession, data: FormData, ctx: Manager) -> Response:
    return _save_body(request, session, ctx, data, None)


@router.get("/{workspace_slug}/organer/{body_id}")
def body_page(request: Request, body_id: int, session: DbSession, ctx: Reader) -> Response:
    detail = service.body_detail(session, ctx.workspace, body_id)
    can_edit = detail.owned and ctx.can("networks.manage")
    extra: dict[str, Any] = {}
    if can_edit:
        extra["municipalities"] = counties_service.municipalities_of_county(
            session, ctx.workspace.county_number
        )
        extra["organisations"] = counties_service.list_organisations(session)
        extra["persons"], _n = service.search_persons(session, ctx.workspace, limit=500)
    return render(
        request,
        "networks/body.html",
        _ctx(detail=detail, can_edit=can_edit, errors={}, values={}, today=today(), **extra),
    )


@router.get("/{workspace_slug}/organer/{body_id}/rediger")
def edit_body_page(request: Request, body_id: int, session: DbSession, ctx: Manager) -> Response:
    body = service.get_own_body(session, ctx.workspace, body_id)
    values = {
        k: getattr(body, k)
        for k in (
            "name",
            "kind",
            "theme",
            "parent_id",
            "description",
            "purpose",
            "contact_name",
            "contact_email",
            "contact_phone",
            "website",
        )
    }
    return render(
        request, "networks/body_form.html", _body_form_context(session, ctx, values, {}, body)
    )


@router.post("/{workspace_slug}/organer/{body_id}/rediger")
def update_body(
    request: Request, body_id: int, session: DbSession, data: FormData, ctx: Manager
) -> Response:
    return _save_body(request, session, ctx, data, body_id)


@router.post("/{workspace_slug}/organer/{body_id}/arkiver")
def archive_body(
    request: Request, body_id: int, session: DbSession, data: FormData, ctx: Manager
) -> Response:
    archived = data.get("arkivert", "1") == "1"
    body = service.set_archived(session, ctx.workspace, body_id, archived)
    message = _("«{name}» er arkivert.") if archived else _("«{name}» er hentet fram igjen.")
    return redirect(
        request, f"/{ctx.workspace.slug}/organer/{body.id}", flash=message.format(name=body.name)
    )


def _body_error(
    request: Request,
    session: DbSession,
    ctx: Context,
    body_id: int,
    errors: dict[str, str],
    values: dict[str, Any],
) -> Response:
    service.get_own_body(session, ctx.workspace, body_id)  # another county's body: 403
    detail = service.body_detail(session, ctx.workspace, body_id)
    persons, _n = service.search_persons(session, ctx.workspace, limit=500)
    return render(
        request,
        "networks/body.html",
        _ctx(
            detail=detail,
            can_edit=detail.owned,
            errors=errors,
            values=values,
            today=today(),
            municipalities=counties_service.municipalities_of_county(
                session, ctx.workspace.county_number
            ),
            organisations=counties_service.list_organisations(session),
            persons=persons,
        ),
        status_code=422,
    )


@router.post("/{workspace_slug}/organer/{body_id}/medlemmer")
def add_member(
    request: Request, body_id: int, session: DbSession, data: FormData, ctx: Manager
) -> Response:
    service.get_own_body(session, ctx.workspace, body_id)
    form, errors = parse(MembershipForm, data)
    if form is not None:
        try:
            service.add_membership(session, ctx.workspace, body_id, form)
        except InvalidInput as exc:
            errors = {k: _(v) for k, v in exc.errors.items()}
        else:
            return redirect(
                request,
                f"/{ctx.workspace.slug}/organer/{body_id}",
                flash=_("Medlemmet er lagt til."),
            )
    return _body_error(request, session, ctx, body_id, errors, data)


@router.post("/{workspace_slug}/organer/{body_id}/medlemmer/{membership_id}/avslutt")
def end_member(
    request: Request,
    body_id: int,
    membership_id: int,
    session: DbSession,
    data: FormData,
    ctx: Manager,
) -> Response:
    form, errors = parse(EndMembershipForm, data)
    if form is not None:
        try:
            service.end_membership(session, ctx.workspace, body_id, membership_id, form.end_date)
        except InvalidInput as exc:
            errors = {k: _(v) for k, v in exc.errors.items()}
        else:
            return redirect(
                request,
                f"/{ctx.workspace.slug}/organer/{body_id}",
                flash=_("Medlemskapet er avsluttet."),
            )
    return _body_error(
        request, session, ctx, body_id, {f"end_{membership_id}": v for v in errors.values()}, data
    )


@router.post("/{workspace_slug}/organer/{body_id}/medlemmer/{membership_id}/slett")
def delete_member(
    request: Request, body_id: int, membership_id: int, session: DbSession, ctx: Manager
) -> Response:
    service.delete_membership(session, ctx.workspace, body_id, membership_id)
    return redirect(
        request, f"/{ctx.workspace.slug}/organer/{body_id}", flash=_("Medlemskapet er slettet.")
    )


@router.post("/{workspace_slug}/organer/{body_id}/representanter")
def add_representative(
    request: Request, body_id: int, session: DbSession, data: FormData, ctx: Manager
) -> Response:
    person_id = data.get("person_id", "")
    if not str(person_id).isdecimal():
        return _body_error(
            request, session, ctx, body_id, {"person_id": _("Velg en person.")}, data
        )
    service.add_representative(session, ctx.workspace, body_id, int(person_id))
    return redirect(
        request, f"/{ctx.workspace.slug}/organer/{body_id}", flash=_("Representanten er lagt til.")
    )


@router.post("/{workspace_slug}/organer/{body_id}/representanter/{rep_id}/fjern")
def remove_representative(
    request: Request, body_id: int, rep_id: int, session: DbSession, ctx: Manager
) -> Response:
    service.remove_representative(session, ctx.workspace, body_id, rep_id)
    return redirect(
        request, f"/{ctx.workspace.slug}/organer/{body_id}", flash=_("Representanten er fjernet.")
    )


# --- municipality page ---------------------------------------------------------------------


@router.get("/{workspace_slug}/kommuner/{number}")
def municipality_page(request: Request, number: str, session: DbSession, ctx: Reader) -> Response:
    detail = service.municipality_detail(session, ctx.workspace, number)
    settings = counties_service.settings_of(ctx.workspace)
    cls = counties_service.size_class_of(detail.municipality.population, settings)
    label = next(c.label for c in counties_service.size_classes(settings) if c.index == cls)
    return render(
        request,
        "networks/municipality.html",
        _ctx(
            detail=detail,
            size_label=label,
            can_edit_contacts=_may_edit_contacts(ctx, number),
        ),
    )


# --- contacts ------------------------------------------------------------------------------


def _editable_municipalities(ctx: Context, persons: list[Any]) -> set[str]:
    return {
        p.municipality_number for p in persons if _may_edit_contacts(ctx, p.municipality_number)
    }


def _may_edit_contacts(ctx: Context, municipality_number: str) -> bool:
    return service.may_edit_contacts(
        ctx.can, ctx.membership.municipality_number, municipality_number
    )


@router.get("/{workspace_slug}/kontakter")
def contacts_page(
    request: Request,
    session: DbSession,
    ctx: ContactReader,
    q: Annotated[str | None, Query(max_length=100)] = None,
    kommune: Annotated[str | None, Query(max_length=4)] = None,
    omrade: Annotated[str | None, Query(max_length=30)] = None,
    side: Annotated[int, Query(ge=1, le=10000)] = 1,
) -> Response:
    page_size = 50
    persons, total = service.search_persons(
        session,
        ctx.workspace,
        q=q,
        municipality_number=kommune or None,
        area=omrade or None,
        limit=page_size,
        offset=(side - 1) * page_size,
    )
    return render(
        request,
        "networks/contacts.html",
        _ctx(
            persons=persons,
            total=total,
            page=side,
            pages=max(1, (total + page_size - 1) // page_size),
            q=q or "",
            kommune=kommune or "",
            omrade=omrade or "",
            municipalities=counties_service.municipalities_of_county(
                session, ctx.workspace.county_number
            ),
            can_add=ctx.can("contacts.manage") or ctx.can("contacts.manage_own"),
            editable=_editable_municipalities(ctx, persons),
        ),
        fragment="networks/_contact_list.html",
    )


def _person_form(
    request: Request,
    session: DbSession,
    ctx: Context,
    values: dict[str, Any],
    errors: dict[str, str],
    person: Any = None,
    status: int = 200,
) -> Response:
    if ctx.can("contacts.manage"):
        municipalities = counties_service.municipalities_of_county(
            session, ctx.workspace.county_number
        )
    else:
        municipalities = [ctx.membership.municipality] if ctx.membership.municipality else []
    return render(
        request,
        "networks/person_form.html",
        _ctx(values=values, errors=errors, person=person, municipalities=municipalities),
        status_code=status,
    )


def _contact_editor(ctx: Context) -> Context:
    if not (ctx.can("contacts.manage") or ctx.can("contacts.manage_own")):
        raise Forbidden()
    return ctx


Editor = Annotated[Context, Depends(require("contacts.read"))]


@router.get("/{workspace_slug}/kontakter/ny")
def new_person_page(
    request: Request,
    session: DbSession,
    ctx: Editor,
    kommune: Annotated[str | None, Query(max_length=4)] = None,
    omrade: Annotated[str | None, Query(max_length=30)] = None,
) -> Response:
    _contact_editor(ctx)
    number = kommune or ctx.membership.municipality_number or ""
    values: dict[str, Any] = {"municipality_number": number, "areas": [omrade] if omrade else []}
    return _person_form(request, session, ctx, values, {})


def _save_person(
    request: Request, session: DbSession, ctx: Context, data: dict[str, Any], person_id: int | None
) -> Response:
    _contact_editor(ctx)
    person = service.get_person(session, ctx.workspace, person_id) if person_id else None
    if person is not None and not _may_edit_contacts(ctx, person.municipality_number):
        raise Forbidden()
    data.setdefault("areas", [])
    form, errors = parse(PersonForm, data)
    if form is not None and not _may_edit_contacts(ctx, form.municipality_number):
        raise Forbidden(lazy("Du kan bare endre kontaktpersoner i din egen kommune."))
    if form is not None:
        try:
            if person_id is None:
                person = service.create_person(session, ctx.workspace, form)
            else:
                person = service.update_person(session, ctx.workspace, person_id, form)
        except InvalidInput as exc:
            errors = {k: _(v) for k, v in exc.errors.items()}
        else:
            return redirect(
                request,
                f"/{ctx.workspace.slug}/kommuner/{person.municipality_number}",
                flash=_("Kontaktpersonen er lagret."),
            )
    return _person_form(request, session, ctx, data, errors, person, status=422)


@router.post("/{workspace_slug}/kontakter")
def create_person(request: Request, session: DbSession, data: FormData, ctx: Editor) -> Response:
    return _save_person(request, session, ctx, data, None)


@router.get("/{workspace_slug}/kontakter/{person_id}")
def edit_person_page(request: Request, person_id: int, session: DbSession, ctx: Editor) -> Response:
    person = service.get_person(session, ctx.workspace, person_id)
    if not _may_edit_contacts(ctx, person.municipality_number):
        raise Forbidden()
    values = {
        "name": person.name,
        "municipality_number": person.municipality_number,
        "title": person.title,
        "email": person.email,
        "phone": person.phone,
        "areas": [r.area for r in person.responsibilities],
    }
    return _person_form(request, session, ctx, values, {}, person)


@router.post("/{workspace_slug}/kontakter/{person_id}")
def update_person(
    request: Request, person_id: int, session: DbSession, data: FormData, ctx: Editor
) -> Response:
    return _save_person(request, session, ctx, data, person_id)


@router.post("/{workspace_slug}/kontakter/{person_id}/slett")
def delete_person(request: Request, person_id: int, session: DbSession, ctx: Editor) -> Response:
    person = service.get_person(session, ctx.workspace, person_id)
    if not _may_edit_contacts(ctx, person.municipality_number):
        raise Forbidden()
    number = person.municipality_number
    service.delete_person(session, ctx.workspace, person_id)
    return redirect(
        request, f"/{ctx.workspace.slug}/kommuner/{number}", flash=_("Kontaktpersonen er slettet.")
    )


# --- coverage ------------------------------------------------------------------------------


@router.get("/{workspace_slug}/dekning")
def coverage_page(
    request: Request,
    session: DbSession,
    ctx: Reader,
    klasse: Annotated[str | None, Query(max_length=2)] = None,
) -> Response:
    size_class = int(klasse) if klasse and klasse.isdecimal() else None
    cov = service.coverage(session, ctx.workspace, size_class)
    settings = counties_service.settings_of(ctx.workspace)
    classes = counties_service.size_classes(settings)
    small_limit = settings.size_thresholds[1]
    return render(
        request,
        "networks/coverage.html",
        _ctx(
            coverage=cov,
            classes=classes,
            size_class=size_class,
            small_limit=small_limit,
            matrix=coverage_matrix(cov, small_limit),
        ),
    )
