"""Pages of benefits realisation (gevinstrealisering) for an innovation: the overview (the
common plan and the municipalities' plans with how they are going), a plan with its four
parts, benefits and measurements, the forms, and the plan as DOCX, PDF and XLSX."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from app.accounts.deps import Context, DbSession, require
from app.accounts.one_trip import Router
from app.clock import today
from app.errors import Forbidden, InvalidInput
from app.forms import FormData, submit
from app.i18n import _
from app.innovations import benefits, benefits_export, benefits_status
from app.innovations import service as innovations
from app.innovations.benefits_chart import line_chart
from app.innovations.benefits_parts import LABELS, PARTS
from app.innovations.benefits_schemas import (
    BenefitForm,
    CopyForm,
    MeasurementForm,
    PlanForm,
    plan_form_data,
)
from app.innovations.models import Benefit, BenefitPlan
from app.strategies.render import download
from app.web import render

router = Router()

Reader = Annotated[Context, Depends(require("innovations.read"))]
BASE = "/{workspace_slug}/innovasjoner/{innovation_id:int}/gevinster"


def _base(ctx: Context, innovation_id: int) -> str:
    return f"/{ctx.workspace.slug}/innovasjoner/{innovation_id}/gevinster"


def _day(value: Any) -> str:
    return benefits_export.local_date(value)


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    return render(
        request,
        template,
        {"labels": LABELS, "number": benefits_export.number, **context},
        status_code=status_code,
    )


# --- the overview ----------------------------------------------------------------------------


@router.get(BASE)
def overview_page(
    request: Request, innovation_id: int, session: DbSession, ctx: Reader
) -> Response:
    return _overview(request, session, ctx, innovation_id)


def _overview(
    request: Request,
    session: DbSession,
    ctx: Context,
    innovation_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    view = benefits_status.overview(session, ctx.workspace, ctx.principal, innovation_id)
    p = ctx.principal
    return _page(
        request,
        "innovations/benefits.html",
        status_code,
        view=view,
        inn=view.innovation,
        gbase=_base(ctx, innovation_id),
        can_edit_common=view.own and p.can("benefits.edit"),
        can_copy=benefits.may_copy(p),
        today=today(),
        errors=errors or {},
        values=values or {},
    )


@router.post(BASE + "/kommuner")
def make_copy(
    request: Request, innovation_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    return submit(
        request,
        session,
        data,
        lambda form: benefits.make_copy(session, ctx.workspace, ctx.principal, innovation_id, form),
        schema=CopyForm,
        done=lambda plan: f"{_base(ctx, innovation_id)}/{plan.id}",
        flash=_("Planen for kommunen er laget. Juster den til kommunen."),
        again=lambda errors: _overview(
            request, session, ctx, innovation_id, errors=errors, values=data, status_code=422
        ),
    )


# --- the common plan -------------------------------------------------------------------------


def _plan_form(
    request: Request,
    session: DbSession,
    ctx: Context,
    innovation_id: int,
    plan: BenefitPlan | None,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Response:
    inn = innovations.get_innovation(session, ctx.workspace, innovation_id)
    name = ""
    if plan is not None and plan.municipality_number:
        name = benefits.municipality_names(session, {plan.municipality_number}).get(
            plan.municipality_number, ""
        )
    return _page(
        request,
        "innovations/benefits_plan_form.html",
        inn=inn,
        plan=plan,
        municipality=name,
        gbase=_base(ctx, innovation_id),
        values=values,
        errors=errors,
    )


def _plan_values(plan: BenefitPlan | None) -> dict[str, Any]:
    values: dict[str, Any] = {"rescale": True}
    if plan is None:
        return values
    for part in PARTS:
        stored = getattr(plan, part.key) or {}
        for f in part.fields:
            values[f"{part.key}__{f.key}"] = stored.get(f.key, "")
    values["responsible_name"] = plan.responsible_name
    values["responsible_email"] = plan.responsible_email
    values["scale"] = benefits_export.number(plan.scale) if plan.scale is not None else ""
    return values


@router.get(BASE + "/plan")
def common_plan_form(
    request: Request, innovation_id: int, session: DbSession, ctx: Reader
) -> Response:
    inn = innovations.get_innovation(session, ctx.workspace, innovation_id)
    if inn.workspace_id != ctx.workspace.id or not ctx.can("benefits.edit"):
        raise Forbidden(_("Bare fylkets koordinatorer og hjelpere kan endre den felles planen."))
    plan = benefits.common_plan(session, ctx.workspace, inn)
    return _plan_form(request, session, ctx, innovation_id, plan, _plan_values(plan), {})


@router.post(BASE + "/plan")
def save_common_plan(
    request: Request, innovation_id: int, session: DbSession, data: FormData, ctx: Reader
) -> Response:
    form_data = plan_form_data(data)
    return submit(
        request,
        session,
        form_data,
        lambda form: benefits.save_common(
            session, ctx.workspace, ctx.principal, innovation_id, form
        ),
        schema=PlanForm,
        done=lambda plan: f"{_base(ctx, innovation_id)}/{plan.id}",
        flash=_("Den felles planen er lagret."),
        again=lambda errors: _plan_form(
            request, session, ctx, innovation_id, None, data, _flat_errors(errors)
        ),
    )


def _flat_errors(errors: dict[str, str]) -> dict[str, str]:
    """``assessment.need`` → ``assessment__need``, the form's own field names."""
    return {k.replace(".", "__"): v for k, v in errors.items()}


# --- a plan ----------------------------------------------------------------------------------


@router.get(BASE + "/{plan_id:int}")
def plan_page(
    request: Request, innovation_id: int, plan_id: int, session: DbSession, ctx: Reader
) -> Response:
    return _plan_page(request, session, ctx, innovation_id, plan_id)


def _plan_page(
    request: Request,
    session: DbSession,
    ctx: Context,
    innovation_id: int,
    plan_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    error_benefit: int | None = None,
    status_code: int = 200,
) -> Response:
    plan = benefits.get_plan(session, ctx.workspace, innovation_id, plan_id)
    status = benefits_status.plan_status(session, ctx.workspace, plan)
    measured = benefits.measurements_of(session, ctx.workspace, plan)
    charts = {
        b.id: line_chart(b, measured.get(b.id, []), benefits_export.number, _day)
        for b in plan.benefits
    }
    own = plan.workspace_id == ctx.workspace.id
    inn = status_inn(session, ctx, innovation_id)
    return _page(
        request,
        "innovations/benefits_plan.html",
        status_code,
        inn=inn,
        plan=plan,
        status=status,
        measured=measured,
        charts=charts,
        own=own,
        owner="" if own else innovations.owner_name(session, inn),
        can_edit=benefits.may_edit(ctx.principal, ctx.workspace, plan),
        gbase=_base(ctx, innovation_id),
        today=today(),
        errors=errors or {},
        values=values or {},
        error_benefit=error_benefit,
    )


def status_inn(session: DbSession, ctx: Context, innovation_id: int) -> Any:
    return innovations.get_innovation(session, ctx.workspace, innovation_id)


@router.get(BASE + "/{plan_id:int}/rediger")
def plan_form(
    request: Request, innovation_id: int, plan_id: int, session: DbSession, ctx: Reader
) -> Response:
    plan = benefits.get_plan(session, ctx.workspace, innovation_id, plan_id)
    if not benefits.may_edit(ctx.principal, ctx.workspace, plan):
        raise Forbidden(
            _(benefits.NOT_OWN) if plan.workspace_id != ctx.workspace.id else _(benefits.ONLY_OWN)
        )
    return _plan_form(request, session, ctx, innovation_id, plan, _plan_values(plan), {})


@router.post(BASE + "/{plan_id:int}")
def save_plan(
    request: Request,
    innovation_id: int,
    plan_id: int,
    session: DbSession,
    data: FormData,
    ctx: Reader,
) -> Response:
    def again(errors: dict[str, str]) -> Response:
        plan = benefits.get_plan(session, ctx.workspace, innovation_id, plan_id)
        return _plan_form(request, session, ctx, innovation_id, plan, data, _flat_errors(errors))

    return submit(
        request,
        session,
        plan_form_data(data),
        lambda form: benefits.update_plan(
            session, ctx.workspace, ctx.principal, innovation_id, plan_id, form
        ),
        schema=PlanForm,
        done=f"{_base(ctx, innovation_id)}/{plan_id}",
        flash=_("Planen er lagret."),
        again=again,
    )


@router.post(BASE + "/{plan_id:int}/slett")
def delete_plan(
    request: Request, innovation_id: int, plan_id: int, session: DbSession, ctx: Reader
) -> Response:
    return submit(
        request,
        session,
        {},
        lambda _form: benefits.delete_plan(
            session, ctx.workspace, ctx.principal, innovation_id, plan_id
        ),
        done=_base(ctx, innovation_id),
        flash=_("Kommunens plan er slettet."),
        again=lambda errors: _plan_page(
            request, session, ctx, innovation_id, plan_id, errors=errors, status_code=422
        ),
    )


# --- benefits --------------------------------------------------------------------------------


def _benefit_form(
    request: Request,
    session: DbSession,
    ctx: Context,
    innovation_id: int,
    plan_id: int,
    benefit: Benefit | None,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Response:
    plan = benefits.get_plan(session, ctx.workspace, innovation_id, plan_id)
    if not benefits.may_edit(ctx.principal, ctx.workspace, plan):
        raise Forbidden(
            _(benefits.NOT_OWN) if plan.workspace_id != ctx.workspace.id else _(benefits.ONLY_OWN)
        )
    return _page(
        request,
        "innovations/benefits_benefit_form.html",
        inn=status_inn(session, ctx, innovation_id),
        plan=plan,
        benefit=benefit,
        gbase=_base(ctx, innovation_id),
        values=values,
        errors=errors,
    )


def _benefit_values(b: Benefit) -> dict[str, Any]:
    values: dict[str, Any] = {k: getattr(b, k) for k in BenefitForm.model_fields}
    for k in ("baseline", "target"):
        values[k] = benefits_export.number(getattr(b, k))
    for k in ("baseline_date", "target_date"):
        values[k] = getattr(b, k).isoformat() if getattr(b, k) else ""
    return values


@router.get(BASE + "/{plan_id:int}/gevinst/ny")
def new_benefit_form(
    request: Request, innovation_id: int, plan_id: int, session: DbSession, ctx: Reader
) -> Response:
    values = {"kind": "quantitative", "when_taken_out": "operation", "status": "planned"}
    return _benefit_form(request, session, ctx, innovation_id, plan_id, None, values, {})


def _submit_benefit(
    request: Request,
    session: DbSession,
    ctx: Context,
    innovation_id: int,
    plan_id: int,
    data: dict[str, Any],
    act: Callable[[BenefitForm], Any],
    benefit: Benefit | None = None,
) -> Response:
    return submit(
        request,
        session,
        data,
        act,
        schema=BenefitForm,
        done=f"{_base(ctx, innovation_id)}/{plan_id}",
        flash=_("Gevinsten er lagret."),
        again=lambda errors: _benefit_form(
            request, session, ctx, innovation_id, plan_id, benefit, data, errors
        ),
    )


@router.post(BASE + "/{plan_id:int}/gevinst")
def add_benefit(
    request: Request,
    innovation_id: int,
    plan_id: int,
    session: DbSession,
    data: FormData,
    ctx: Reader,
) -> Response:
    return _submit_benefit(
        request,
        session,
        ctx,
        innovation_id,
        plan_id,
        data,
        lambda form: benefits.add_benefit(
            session, ctx.workspace, ctx.principal, innovation_id, plan_id, form
        ),
    )


@router.get(BASE + "/{plan_id:int}/gevinst/{benefit_id:int}")
def edit_benefit_form(
    request: Request,
    innovation_id: int,
    plan_id: int,
    benefit_id: int,
    session: DbSession,
    ctx: Reader,
) -> Response:
    _plan, b = benefits.get_benefit(session, ctx.workspace, innovation_id, plan_id, benefit_id)
    return _benefit_form(request, session, ctx, innovation_id, plan_id, b, _benefit_values(b), {})


@router.post(BASE + "/{plan_id:int}/gevinst/{benefit_id:int}")
def update_benefit(
    request: Request,
    innovation_id: int,
    plan_id: int,
    benefit_id: int,
    session: DbSession,
    data: FormData,
    ctx: Reader,
) -> Response:
    _plan, b = benefits.get_benefit(session, ctx.workspace, innovation_id, plan_id, benefit_id)
    return _submit_benefit(
        request,
        session,
        ctx,
        innovation_id,
        plan_id,
        data,
        lambda form: benefits.update_benefit(
            session, ctx.workspace, ctx.principal, innovation_id, plan_id, benefit_id, form
        ),
        b,
    )


@router.post(BASE + "/{plan_id:int}/gevinst/{benefit_id:int}/slett")
def delete_benefit(
    request: Request,
    innovation_id: int,
    plan_id: int,
    benefit_id: int,
    session: DbSession,
    ctx: Reader,
) -> Response:
    return submit(
        request,
        session,
        {},
        lambda _form: benefits.delete_benefit(
            session, ctx.workspace, ctx.principal, innovation_id, plan_id, benefit_id
        ),
        done=f"{_base(ctx, innovation_id)}/{plan_id}",
        flash=_("Gevinsten er slettet."),
        again=lambda errors: _plan_page(
            request, session, ctx, innovation_id, plan_id, errors=errors, status_code=422
        ),
    )


# --- measurements ----------------------------------------------------------------------------


@router.post(BASE + "/{plan_id:int}/gevinst/{benefit_id:int}/maling")
def add_measurement(
    request: Request,
    innovation_id: int,
    plan_id: int,
    benefit_id: int,
    session: DbSession,
    data: FormData,
    ctx: Reader,
) -> Response:
    return submit(
        request,
        session,
        data,
        lambda form: benefits.add_measurement(
            session, ctx.workspace, ctx.principal, innovation_id, plan_id, benefit_id, form
        ),
        schema=MeasurementForm,
        done=f"{_base(ctx, innovation_id)}/{plan_id}#gevinst-{benefit_id}",
        flash=_("Målingen er lagret."),
        again=lambda errors: _plan_page(
            request,
            session,
            ctx,
            innovation_id,
            plan_id,
            errors=errors,
            values=data,
            error_benefit=benefit_id,
            status_code=422,
        ),
    )


@router.post(BASE + "/{plan_id:int}/gevinst/{benefit_id:int}/maling/{measurement_id:int}/slett")
def delete_measurement(
    request: Request,
    innovation_id: int,
    plan_id: int,
    benefit_id: int,
    measurement_id: int,
    session: DbSession,
    ctx: Reader,
) -> Response:
    return submit(
        request,
        session,
        {},
        lambda _form: benefits.delete_measurement(
            session,
            ctx.workspace,
            ctx.principal,
            innovation_id,
            plan_id,
            benefit_id,
            measurement_id,
        ),
        done=f"{_base(ctx, innovation_id)}/{plan_id}#gevinst-{benefit_id}",
        flash=_("Målingen er slettet."),
        again=lambda errors: _plan_page(
            request, session, ctx, innovation_id, plan_id, errors=errors, status_code=422
        ),
    )


# --- exports ---------------------------------------------------------------------------------


def _doc(session: DbSession, ctx: Context, innovation_id: int, plan: BenefitPlan) -> Any:
    names = benefits.municipality_names(session, {plan.municipality_number or ""})
    return benefits_export.PlanDoc(
        workspace=ctx.workspace,
        innovation=status_inn(session, ctx, innovation_id),
        plan=plan,
        municipality=names.get(plan.municipality_number or "", ""),
        measurements=benefits.measurements_of(session, ctx.workspace, plan),
    )


def _filename(plan: BenefitPlan, ext: str) -> str:
    who = plan.municipality_number or "felles"
    return f"gevinstplan-{plan.innovation_id}-{who}.{ext}"


@router.get(BASE + "/{plan_id:int}.docx")
def plan_docx(innovation_id: int, plan_id: int, session: DbSession, ctx: Reader) -> Response:
    plan = benefits.get_plan(session, ctx.workspace, innovation_id, plan_id)
    content = benefits_export.docx(_doc(session, ctx, innovation_id, plan))
    return download(content, benefits_export.DOCX_TYPE, _filename(plan, "docx"))


@router.get(BASE + "/{plan_id:int}.pdf")
def plan_pdf(innovation_id: int, plan_id: int, session: DbSession, ctx: Reader) -> Response:
    plan = benefits.get_plan(session, ctx.workspace, innovation_id, plan_id)
    content = benefits_export.pdf(_doc(session, ctx, innovation_id, plan))
    return download(content, benefits_export.PDF_TYPE, _filename(plan, "pdf"))


@router.get(BASE + "/{plan_id:int}.xlsx")
def plan_xlsx(innovation_id: int, plan_id: int, session: DbSession, ctx: Reader) -> Response:
    plan = benefits.get_plan(session, ctx.workspace, innovation_id, plan_id)
    content = benefits_export.xlsx([_doc(session, ctx, innovation_id, plan)])
    return download(content, benefits_export.XLSX_TYPE, _filename(plan, "xlsx"))


@router.get("/{workspace_slug}/innovasjoner/{innovation_id:int}/gevinster.xlsx")
def all_plans_xlsx(innovation_id: int, session: DbSession, ctx: Reader) -> Response:
    """Every municipality's indicators and measurements for the innovation in this county."""
    view = benefits_status.overview(session, ctx.workspace, ctx.principal, innovation_id)
    plans = [s.plan for s in view.plans] or ([view.common] if view.common else [])
    if not plans:
        raise InvalidInput({"form": _("Det finnes ingen gevinstplan å laste ned ennå.")})
    content = benefits_export.xlsx([_doc(session, ctx, innovation_id, p) for p in plans])
    return download(content, benefits_export.XLSX_TYPE, f"gevinster-{innovation_id}.xlsx")
