"""JSON API of benefits realisation (``/api/v1/{workspace}/benefit-plans``): the plans of an
innovation with how they are going, one plan with its four parts, benefits and measurements,
the common plan, a municipality's scaled copy, benefits and measurements.

Everything is on ``api_router``; ``router`` is kept (mounted by the module) and holds nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response

from app.accounts.deps import Context, DbSession, api_require
from app.accounts.one_trip import Router
from app.errors import found
from app.innovations import benefits, benefits_status
from app.innovations.benefits_schemas import (
    BenefitForm,
    BenefitRead,
    CommonPlanCreate,
    CopyForm,
    MeasurementForm,
    MeasurementRead,
    MunicipalPlanCreate,
    PlanForm,
    PlanRead,
    PlanSummary,
)
from app.innovations.models import BenefitPlan
from app.reads import Page, read, whole

router = Router()
api_router = Router(tags=["innovations"])

Reader = Annotated[Context, Depends(api_require("innovations.read"))]
BASE = "/{workspace_slug}/benefit-plans"


def _summary(ctx: Context, s: benefits_status.PlanStatus) -> PlanSummary:
    p = s.plan
    return PlanSummary(
        id=p.id,
        innovation_id=p.innovation_id,
        municipality_number=p.municipality_number,
        municipality_name=s.name or None,
        common=p.municipality_number is None,
        own=p.workspace_id == ctx.workspace.id,
        scale=p.scale,
        benefits=len(p.benefits),
        by_status=s.by_status,
        last_measured_on=s.last_measured_on,
        next_due_on=s.next_due_on,
        updated_at=p.updated_at,
    )


def _read(session: DbSession, ctx: Context, plan: BenefitPlan) -> PlanRead:
    status = benefits_status.plan_status(session, ctx.workspace, plan)
    measured = benefits.measurements_of(session, ctx.workspace, plan)
    return PlanRead(
        **_summary(ctx, status).model_dump(),
        common_id=plan.common_id,
        assessment=plan.assessment or {},
        management=plan.management or {},
        obstacles=plan.obstacles or {},
        realisation=plan.realisation or {},
        responsible_name=plan.responsible_name,
        responsible_email=plan.responsible_email,
        benefit_list=[
            read(
                BenefitRead,
                b,
                measurements=[read(MeasurementRead, m) for m in measured.get(b.id, [])],
            )
            for b in plan.benefits
        ],
    )


def _fresh(session: DbSession, ctx: Context, plan: BenefitPlan) -> PlanRead:
    session.flush()
    again = benefits.get_plan(session, ctx.workspace, plan.innovation_id, plan.id)
    return _read(session, ctx, again)


@api_router.get(BASE, response_model=Page[PlanSummary])
def list_plans(
    session: DbSession, ctx: Reader, innovation_id: Annotated[int, Query(ge=1)]
) -> Page[PlanSummary]:
    """The innovation's common plan (this county's, or the owner's for another county's shared
    innovation) and this county's municipal plans, with benefits by status and the next
    measurement due (all, on one page)."""
    view = benefits_status.overview(session, ctx.workspace, ctx.principal, innovation_id)
    items = []
    if view.common is not None:
        items.append(
            _summary(
                ctx,
                benefits_status.statuses(session, ctx.workspace, view.innovation, [view.common])[0],
            )
        )
    items += [_summary(ctx, s) for s in view.plans]
    return whole(items)


@api_router.get(BASE + "/{plan_id}", response_model=PlanRead)
def read_plan(session: DbSession, ctx: Reader, plan_id: int) -> PlanRead:
    """One plan with its four parts, benefits and (in this county's plans) measurements."""
    plan = _visible(session, ctx, plan_id)
    return _read(session, ctx, plan)


def _visible(session: DbSession, ctx: Context, plan_id: int) -> BenefitPlan:
    """A plan by id alone: its innovation first, so that the same rules apply as on a page."""
    row = found(
        session.scalar(
            benefits.visible_plans(ctx.workspace)
            .where(BenefitPlan.id == plan_id)
            .with_only_columns(BenefitPlan.innovation_id)
        )
    )
    return benefits.get_plan(session, ctx.workspace, row, plan_id)


@api_router.post(BASE + "/common", response_model=PlanRead)
def save_common_plan(session: DbSession, ctx: Reader, data: CommonPlanCreate) -> PlanRead:
    """Create or change the common plan of one of this county's innovations (the parts given
    replace those parts; parts left out are kept)."""
    form = PlanForm(**data.model_dump(exclude={"innovation_id"}, exclude_unset=True))
    plan = benefits.save_common(session, ctx.workspace, ctx.principal, data.innovation_id, form)
    return _fresh(session, ctx, plan)


@api_router.post(BASE, response_model=PlanRead, status_code=201)
def make_copy(session: DbSession, ctx: Reader, data: MunicipalPlanCreate) -> PlanRead:
    """A municipality's plan scaled from the common plan (``scale`` left out: the
    municipality's population over the origin municipality's)."""
    plan = benefits.make_copy(
        session,
        ctx.workspace,
        ctx.principal,
        data.innovation_id,
        CopyForm(municipality_number=data.municipality_number, scale=data.scale),
    )
    return _fresh(session, ctx, plan)


@api_router.put(BASE + "/{plan_id}", response_model=PlanRead)
def update_plan(session: DbSession, ctx: Reader, plan_id: int, data: PlanForm) -> PlanRead:
    """Change a plan: the parts given replace those parts; the responsible person; for a
    municipality's plan the scale (``rescale``: recalculate the figures)."""
    plan = _visible(session, ctx, plan_id)
    benefits.update_plan(session, ctx.workspace, ctx.principal, plan.innovation_id, plan.id, data)
    return _fresh(session, ctx, plan)


@api_router.post(BASE + "/{plan_id}/benefits", response_model=BenefitRead, status_code=201)
def add_benefit(session: DbSession, ctx: Reader, plan_id: int, data: BenefitForm) -> BenefitRead:
    plan = _visible(session, ctx, plan_id)
    b = benefits.add_benefit(
        session, ctx.workspace, ctx.principal, plan.innovation_id, plan.id, data
    )
    return read(BenefitRead, b, measurements=[])


@api_router.put(BASE + "/{plan_id}/benefits/{benefit_id}", response_model=BenefitRead)
def update_benefit(
    session: DbSession, ctx: Reader, plan_id: int, benefit_id: int, data: BenefitForm
) -> BenefitRead:
    plan = _visible(session, ctx, plan_id)
    b = benefits.update_benefit(
        session, ctx.workspace, ctx.principal, plan.innovation_id, plan.id, benefit_id, data
    )
    measured = benefits.measurements_of(session, ctx.workspace, plan)
    return read(
        BenefitRead, b, measurements=[read(MeasurementRead, m) for m in measured.get(b.id, [])]
    )


@api_router.delete(BASE + "/{plan_id}/benefits/{benefit_id}", status_code=204)
def delete_benefit(session: DbSession, ctx: Reader, plan_id: int, benefit_id: int) -> Response:
    plan = _visible(session, ctx, plan_id)
    benefits.delete_benefit(
        session, ctx.workspace, ctx.principal, plan.innovation_id, plan.id, benefit_id
    )
    return Response(status_code=204)


@api_router.post(
    BASE + "/{plan_id}/benefits/{benefit_id}/measurements",
    response_model=MeasurementRead,
    status_code=201,
)
def add_measurement(
    session: DbSession, ctx: Reader, plan_id: int, benefit_id: int, data: MeasurementForm
) -> MeasurementRead:
    """A measured value (a number for a quantitative benefit, a text for a qualitative one)."""
    plan = _visible(session, ctx, plan_id)
    m = benefits.add_measurement(
        session, ctx.workspace, ctx.principal, plan.innovation_id, plan.id, benefit_id, data
    )
    return read(MeasurementRead, m)
