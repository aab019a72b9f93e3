"""HTML pages of networks: bodies, memberships, representatives, contacts, municipality page,
coverage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.clock import today
from app.counties import service as counties_service
from app.errors import Forbidden, InvalidInput
from app.forms import MultiFormData, submit
from app.i18n import _, lazy
from app.networks import body_detail, contacts, coverage, service
from app.networks.labels import LABELS
from app.networks.models import BODY_KINDS, Body, Person
from app.networks.schemas import BodyForm, EndMembershipForm, MembershipForm, PersonForm
from app.networks.svg import coverage_matrix
from app.web import redirect, render

router = Router()

Reader = Annotated[Context, Depends(require("networks.read"))]
Manager = Annotated[Context, Depends(require("networks.manage"))]
ContactReader = Annotated[Context, Depends(require("contacts.read"))]


def _ctx(**extra: Any) -> dict[str, Any]:
    return {"labels": LABELS, **extra}


def _back_to_body(request: Request, ctx: Context, body_id: int, message: str) -> Response:
    return redirect(request, f"/{ctx.workspace.slug}/organer/{body_id}", flash=message)


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
    requests = service.share_requests(session, ctx.workspace) if ctx.can("networks.manage") else []
    return render(
        request,
        "networks/bodies.html",
        _ctx(nodes=service.flatten(roots), kind=kind, archived=arkiv, share_requests=requests),
    )


# --- share requests: another county's body with municipalities of this county ----------------


def _answer_share(
    request: Request, session: DbSession, ctx: Context, share_id: int, *, accept: bool
) -> Response:
    service.answer_share(session, ctx.workspace, share_id, accept=accept, user_id=ctx.user.id)
    message = (
        _("Delingen er godtatt. Organet vises nå her.")
        if accept
        else _("Delingen er avslått. Organet vises ikke her.")
    )
    return redirect(request, f"/{ctx.workspace.slug}/organer", flash=message)


@router.post("/{workspace_slug}/organer/delinger/{share_id}/godta")
def accept_share(request: Request, share_id: int, session: DbSession, ctx: Manager) -> Response:
    return _answer_share(request, session, ctx, share_id, accept=True)


@router.post("/{workspace_slug}/organer/delinger/{share_id}/avsla")
def decline_share(request: Request, share_id: int, session: DbSession, ctx: Manager) -> Response:
    return _answer_share(request, session, ctx, share_id, accept=False)


def _body_form(
    request: Request,
    session: DbSession,
    ctx: Context,
    values: dict[str, Any],
    errors: dict[str, str],
    body: Body | None = None,
) -> Response:
    own = [n for n in service.flatten(service.body_tree(session, ctx.workspace)) if n.owned]
    return render(
        request,
        "networks/body_form.html",
        _ctx(
            values=values,
            errors=errors,
            body=body,
            parents=[n for n in own if body is None or n.body.id != body.id],
        ),
    )


def _submit_body(
    request: Request,
    session: DbSession,
    ctx: Context,
    data: dict[str, Any],
    act: Callable[[BodyForm], Body],
    body: Body | None = None,
) -> Response:
    return submit(
        request,
        session,
        data,
        act,
        schema=BodyForm,
        done=lambda saved: f"/{ctx.workspace.slug}/organer/{saved.id}",
        flash=lambda saved: _("«{name}» er lagret.").format(name=saved.name),
        again=lambda errors: _body_form(request, session, ctx, data, errors, body),
    )


@router.get("/{workspace_slug}/organer/ny")
def new_body_page(
    request: Request,
    session: DbSession,
    ctx: Manager,
    overordnet: Annotated[int | None, Query()] = None,
) -> Response:
    values = {"kind": "working_committee" if overordnet else "network", "parent_id": overordnet}
    return _body_form(request, session, ctx, values, {})


@router.post("/{workspace_slug}/organer")
def create_body(
    request: Request, session: DbSession, data: MultiFormData, ctx: Manager
) -> Response:
    return _submit_body(
        request, session, ctx, data, lambda form: service.create_body(session, ctx.workspace, form)
    )


def _body_page(
    request: Request,
    session: DbSession,
    ctx: Context,
    body_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    detail = body_detail.body_page(session, ctx.workspace, body_id)
    can_edit = detail.owned and ctx.can("networks.manage")
    extra: dict[str, Any] = {}
    if can_edit:
        # the choices of the form's two lists, as (value, label)
        extra["mun_options"] = [
            (mu.number, mu.name)
            for mu in counties_service.municipality_choices(session, ctx.workspace.county_number)
        ]
        extra["org_options"] = counties_service.organisation_choices(session)
        extra["persons"] = contacts.persons_to_choose(session, ctx.workspace)
    return render(
        request,
        "networks/body.html",
        _ctx(
            detail=detail,
            can_edit=can_edit,
            shares=service.share_statuses(session, ctx.workspace, detail.body)
            if detail.owned
            else [],
            errors=errors or {},
            values=values or {},
            today=today(),
            **extra,
        ),
    )


@router.get("/{workspace_slug}/organer/{body_id}")
def body_page(request: Request, body_id: int, session: DbSession, ctx: Reader) -> Response:
    return _body_page(request, session, ctx, body_id)


@router.get("/{workspace_slug}/organer/{body_id}/rediger")
def edit_body_page(request: Request, body_id: int, session: DbSession, ctx: Manager) -> Response:
    body = service.get_own_body(session, ctx.workspace, body_id)
    values = {k: getattr(body, k) for k in BodyForm.model_fields}
    return _body_form(request, session, ctx, values, {}, body)


@router.post("/{workspace_slug}/organer/{body_id}/rediger")
def update_body(
    request: Request, body_id: int, session: DbSession, data: MultiFormData, ctx: Manager
) -> Response:
    body = service.get_own_body(session, ctx.workspace, body_id)
    return _submit_body(
        request,
        session,
        ctx,
        data,
        lambda form: service.update_body(session, ctx.workspace, body_id, form),
        body,
    )


@router.post("/{workspace_slug}/organer/{body_id}/arkiver")
def archive_body(
    request: Request, body_id: int, session: DbSession, data: MultiFormData, ctx: Manager
) -> Response:
    archived = data.get("arkivert", "1") == "1"
    body = service.set_archived(session, ctx.workspace, body_id, archived)
    message = _("«{name}» er arkivert.") if archived else _("«{name}» er hentet fram igjen.")
    return _back_to_body(request, ctx, body.id, message.format(name=body.name))


# --- members and representatives (forms on the body page) -----------------------------------


def _submit_on_body(
    request: Request,
    session: DbSession,
    ctx: Context,
    body_id: int,
    data: dict[str, Any],
    act: Callable[[Any], object],
    *,
    schema: type[MembershipForm | EndMembershipForm] | None = None,
    flash: str,
    errors_as: Callable[[dict[str, str]], dict[str, str]] = lambda errors: errors,
) -> Response:
    """A form on the page of a body this workspace owns: back to the page, or the page again
    with the messages (``errors_as`` says next to which field)."""
    service.get_own_body(session, ctx.workspace, body_id)  # another county's body: 403
    return submit(
        request,
        session,
        data,
        act,
        schema=schema,
        done=f"/{ctx.workspace.slug}/organer/{body_id}",
        flash=flash,
        again=lambda errors: _body_page(request, session, ctx, body_id, errors_as(errors), data),
    )


@router.post("/{workspace_slug}/organer/{body_id}/medlemmer")
def add_member(
    request: Request, body_id: int, session: DbSession, data: MultiFormData, ctx: Manager
) -> Response:
    return _submit_on_body(
        request,
        session,
        ctx,
        body_id,
        data,
        lambda form: service.add_membership(session, ctx.workspace, body_id, form),
        schema=MembershipForm,
        flash=_("Medlemmet er lagt til."),
    )


@router.post("/{workspace_slug}/organer/{body_id}/medlemmer/{membership_id}/avslutt")
def end_member(
    request: Request,
    body_id: int,
    membership_id: int,
    session: DbSession,
    data: MultiFormData,
    ctx: Manager,
) -> Response:
    return _submit_on_body(
        request,
        session,
        ctx,
        body_id,
        data,
        lambda form: service.end_membership(
            session, ctx.workspace, body_id, membership_id, form.end_date
        ),
        schema=EndMembershipForm,
        flash=_("Medlemskapet er avsluttet."),
        # The end date field of each member's row has its own name.
        errors_as=lambda errors: {f"end_{membership_id}": v for v in errors.values()},
    )


@router.post("/{workspace_slug}/organer/{body_id}/medlemmer/{membership_id}/slett")
def delete_member(
    request: Request, body_id: int, membership_id: int, session: DbSession, ctx: Manager
) -> Response:
    service.delete_membership(session, ctx.workspace, body_id, membership_id)
    return _back_to_body(request, ctx, body_id, _("Medlemskapet er slettet."))


@router.post("/{workspace_slug}/organer/{body_id}/representanter")
def add_representative(
    request: Request, body_id: int, session: DbSession, data: MultiFormData, ctx: Manager
) -> Response:
    def act(_form: None) -> object:
        person_id = str(data.get("person_id", ""))
        if not person_id.isdecimal():
            raise InvalidInput({"person_id": lazy("Velg en person.")})
        return contacts.add_representative(session, ctx.workspace, body_id, int(person_id))

    return _submit_on_body(
        request, session, ctx, body_id, data, act, flash=_("Representanten er lagt til.")
    )


@router.post("/{workspace_slug}/organer/{body_id}/representanter/{rep_id}/fjern")
def remove_representative(
    request: Request, body_id: int, rep_id: int, session: DbSession, ctx: Manager
) -> Response:
    contacts.remove_representative(session, ctx.workspace, body_id, rep_id)
    return _back_to_body(request, ctx, body_id, _("Representanten er fjernet."))


# --- municipality page ---------------------------------------------------------------------


@router.get("/{workspace_slug}/kommuner/{number}")
def municipality_page(request: Request, number: str, session: DbSession, ctx: Reader) -> Response:
    detail = contacts.municipality_detail(session, ctx.workspace, number)
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
    return contacts.may_edit_contacts(
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
    persons, total = contacts.search_persons(
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
    person: Person | None = None,
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
    )


def _contact_editor(ctx: Context) -> Context:
    if not (ctx.can("contacts.manage") or ctx.can("contacts.manage_own")):
        raise Forbidden()
    return ctx


def _submit_person(
    request: Request,
    session: DbSession,
    ctx: Context,
    data: dict[str, Any],
    save: Callable[[PersonForm], Person],
    person: Person | None = None,
) -> Response:
    """The contact form: a municipal user saves contacts of their own municipality only."""
    data.setdefault("areas", [])

    def act(form: PersonForm) -> Person:
        if not _may_edit_contacts(ctx, form.municipality_number):
            raise Forbidden(lazy("Du kan bare endre kontaktpersoner i din egen kommune."))
        return save(form)

    return submit(
        request,
        session,
        data,
        act,
        schema=PersonForm,
        done=lambda saved: f"/{ctx.workspace.slug}/kommuner/{saved.municipality_number}",
        flash=_("Kontaktpersonen er lagret."),
        again=lambda errors: _person_form(request, session, ctx, data, errors, person),
    )


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


@router.post("/{workspace_slug}/kontakter")
def create_person(
    request: Request, session: DbSession, data: MultiFormData, ctx: Editor
) -> Response:
    _contact_editor(ctx)
    return _submit_person(
        request,
        session,
        ctx,
        data,
        lambda form: contacts.create_person(session, ctx.workspace, form),
    )


def _editable_person(session: DbSession, ctx: Context, person_id: int) -> Person:
    person = contacts.get_person(session, ctx.workspace, person_id)
    if not _may_edit_contacts(ctx, person.municipality_number):
        raise Forbidden()
    return person


@router.get("/{workspace_slug}/kontakter/{person_id}")
def edit_person_page(request: Request, person_id: int, session: DbSession, ctx: Editor) -> Response:
    person = _editable_person(session, ctx, person_id)
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
    request: Request, person_id: int, session: DbSession, data: MultiFormData, ctx: Editor
) -> Response:
    _contact_editor(ctx)
    person = _editable_person(session, ctx, person_id)
    return _submit_person(
        request,
        session,
        ctx,
        data,
        lambda form: contacts.update_person(session, ctx.workspace, person_id, form),
        person,
    )


@router.post("/{workspace_slug}/kontakter/{person_id}/slett")
def delete_person(request: Request, person_id: int, session: DbSession, ctx: Editor) -> Response:
    number = _editable_person(session, ctx, person_id).municipality_number
    contacts.delete_person(session, ctx.workspace, person_id)
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
    cov = coverage.coverage(session, ctx.workspace, size_class)
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
