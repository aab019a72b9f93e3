"""Benefits realisation after Kongsbergregionen's method: one common plan per innovation and
workspace (the four templates and the benefits it expects), and per adopting municipality a
copy scaled to its size that the municipality adjusts and measures against.

Who sees what: every member of the workspace reads its plans; another county reads the common
plan of a shared innovation (read-only) and may scale it for one of its own municipalities,
stored in its own workspace. Municipal plans and measurements never leave their workspace.
Who changes what: ``benefits.edit`` the common plan and every municipal plan of the workspace;
``benefits.edit_own`` (a municipal user) only their own municipality's plan and measurements.

Scaling a figure to a municipality's size is in ``benefits_scale.py``; when to measure and how
each plan is going (the benefits page's overview) in ``benefits_status.py``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.principal import Principal
from app.clock import today
from app.counties.models import Municipality, Workspace
from app.errors import Forbidden, InvalidInput, found
from app.i18n import lazy
from app.innovations import service as innovations
from app.innovations.benefits_parts import PARTS
from app.innovations.benefits_scale import population_scale, scaled
from app.innovations.benefits_scale import round_scale as round_scale
from app.innovations.benefits_schemas import BenefitForm, CopyForm, MeasurementForm, PlanForm
from app.innovations.models import Adoption, Benefit, BenefitPlan, Innovation, Measurement
from app.innovations.visibility import shared_ids
from app.tenancy import scoped, scoped_or_shared

# An adoption at any of these stages may get a plan (the assessment is for "should we start?")
COPY_STATES = ("considering", "planned", "in_progress", "in_use")

NOT_OWN = lazy("Denne planen eies av et annet fylke og kan bare leses her.")
ONLY_OWN = lazy("Du kan bare endre planen og målingene for din egen kommune.")


# --- what a workspace sees -------------------------------------------------------------------


def visible_plans(ws: Workspace) -> Any:
    """This workspace's plans, and the common plans of innovations other counties share."""
    return scoped_or_shared(
        BenefitPlan,
        ws.id,
        BenefitPlan.municipality_number.is_(None) & BenefitPlan.innovation_id.in_(shared_ids()),
    )


def common_plan(
    session: Session, ws: Workspace, inn: Innovation, *, benefits: bool = False
) -> BenefitPlan | None:
    """The innovation's common plan: this workspace's own, or — for another county's shared
    innovation — the owner's."""
    owner = ws.id if inn.workspace_id == ws.id else inn.workspace_id
    query = visible_plans(ws).where(
        BenefitPlan.innovation_id == inn.id,
        BenefitPlan.municipality_number.is_(None),
        BenefitPlan.workspace_id == owner,
    )
    if benefits:
        query = query.options(selectinload(BenefitPlan.benefits)).execution_options(
            populate_existing=True
        )
    return session.scalars(query.order_by(BenefitPlan.id)).first()


def municipal_plans(session: Session, ws: Workspace, inn: Innovation) -> list[BenefitPlan]:
    return list(
        session.scalars(
            scoped(BenefitPlan, ws.id)
            .where(
                BenefitPlan.innovation_id == inn.id,
                BenefitPlan.municipality_number.is_not(None),
            )
            .options(selectinload(BenefitPlan.benefits))
            .execution_options(populate_existing=True)
            .order_by(BenefitPlan.municipality_number)
        )
    )


def get_plan(session: Session, ws: Workspace, innovation_id: int, plan_id: int) -> BenefitPlan:
    """A plan of the innovation this workspace sees, with its benefits; 404 otherwise."""
    inn = innovations.get_innovation(session, ws, innovation_id)
    return found(
        session.scalar(
            visible_plans(ws)
            .where(BenefitPlan.id == plan_id, BenefitPlan.innovation_id == inn.id)
            .options(selectinload(BenefitPlan.benefits))
            .execution_options(populate_existing=True)
        )
    )


def measurements_of(
    session: Session, ws: Workspace, plan: BenefitPlan
) -> dict[int, list[Measurement]]:
    """The measurements of the plan's benefits by benefit, oldest first (none for a plan of
    another workspace: they never leave it)."""
    out: dict[int, list[Measurement]] = {b.id: [] for b in plan.benefits}
    if plan.workspace_id != ws.id or not out:
        return out
    rows = session.scalars(
        scoped(Measurement, ws.id)
        .where(Measurement.benefit_id.in_(list(out)))
        .order_by(Measurement.measured_on, Measurement.id)
    )
    for m in rows:
        out[m.benefit_id].append(m)
    return out


def municipality_names(session: Session, numbers: set[str]) -> dict[str, str]:
    if not numbers:
        return {}
    rows = session.execute(
        select(Municipality.number, Municipality.name).where(Municipality.number.in_(numbers))
    )
    return {number: name for number, name in rows.all()}


def adoptions_here(session: Session, ws: Workspace, inn: Innovation) -> dict[str, Adoption]:
    """This workspace's adoptions of the innovation, by municipality."""
    rows = session.scalars(scoped(Adoption, ws.id).where(Adoption.innovation_id == inn.id))
    return {a.municipality_number: a for a in rows}


# --- who may change what ---------------------------------------------------------------------


def may_edit(p: Principal, ws: Workspace, plan: BenefitPlan) -> bool:
    if plan.workspace_id != ws.id:
        return False
    if p.can("benefits.edit"):
        return True
    return (
        p.can("benefits.edit_own")
        and plan.municipality_number is not None
        and plan.municipality_number == p.municipality_number
    )


def _check_edit(p: Principal, ws: Workspace, plan: BenefitPlan) -> None:
    if plan.workspace_id != ws.id:
        raise Forbidden(NOT_OWN)
    if not may_edit(p, ws, plan):
        raise Forbidden(ONLY_OWN)


def may_copy(p: Principal, municipality_number: str | None = None) -> bool:
    if p.can("benefits.edit"):
        return True
    return p.can("benefits.edit_own") and (
        municipality_number is None or municipality_number == p.municipality_number
    )


# --- the plans -------------------------------------------------------------------------------


def _apply_parts(plan: BenefitPlan, form: PlanForm) -> None:
    for p in PARTS:
        value = getattr(form, p.key)
        if value is not None:
            setattr(plan, p.key, dict(value))
    plan.responsible_name = form.responsible_name.strip()
    plan.responsible_email = str(form.responsible_email or "").strip().lower()


def save_common(
    session: Session, ws: Workspace, p: Principal, innovation_id: int, form: PlanForm
) -> BenefitPlan:
    """Create or change the innovation's common plan (only the workspace that owns it)."""
    inn = innovations.get_innovation(session, ws, innovation_id)
    if inn.workspace_id != ws.id:
        raise Forbidden(
            lazy(
                "Den felles planen for denne innovasjonen eies av et annet fylke. Lag en plan "
                "for en av kommunene deres i stedet."
            )
        )
    if not p.can("benefits.edit"):
        raise Forbidden(lazy("Bare fylkets koordinatorer og hjelpere kan endre den felles planen."))
    plan = common_plan(session, ws, inn)
    if plan is None:
        plan = BenefitPlan(
            workspace_id=ws.id,
            innovation_id=inn.id,
            municipality_number=None,
            assessment={},
            management={},
            obstacles={},
            realisation={},
        )
        session.add(plan)
    _apply_parts(plan, form)
    session.flush()
    return plan


def make_copy(
    session: Session, ws: Workspace, p: Principal, innovation_id: int, form: CopyForm
) -> BenefitPlan:
    """A municipality's plan: the common plan's four parts and benefits, the quantitative
    figures multiplied by the scale (population-based unless given)."""
    inn = innovations.get_innovation(session, ws, innovation_id)
    number = form.municipality_number
    if not may_copy(p, number):
        raise Forbidden(ONLY_OWN)
    adoption = adoptions_here(session, ws, inn).get(number)
    if adoption is None or adoption.status not in COPY_STATES:
        raise InvalidInput(
            {
                "municipality_number": lazy(
                    "Kommunen har ikke tatt i bruk eller planlagt å ta i bruk innovasjonen. "
                    "Registrer det på innovasjonen først."
                )
            }
        )
    existing = session.scalar(
        scoped(BenefitPlan, ws.id).where(
            BenefitPlan.innovation_id == inn.id, BenefitPlan.municipality_number == number
        )
    )
    if existing is not None:
        raise InvalidInput({"municipality_number": lazy("Kommunen har allerede en plan.")})
    source = common_plan(session, ws, inn, benefits=True)
    if source is None:
        message = (
            lazy("Lag den felles planen først.")
            if inn.workspace_id == ws.id
            else lazy("Fylket som eier innovasjonen har ikke laget en felles gevinstplan ennå.")
        )
        raise InvalidInput({"municipality_number": message})
    scale = form.scale or population_scale(session, inn, number)
    plan = BenefitPlan(
        workspace_id=ws.id,
        innovation_id=inn.id,
        municipality_number=number,
        common_id=source.id,
        scale=scale,
        assessment=dict(source.assessment or {}),
        management=dict(source.management or {}),
        obstacles=dict(source.obstacles or {}),
        realisation=dict(source.realisation or {}),
        responsible_name="",
        responsible_email="",
    )
    plan.benefits = [
        Benefit(
            workspace_id=ws.id,
            name=b.name,
            kind=b.kind,
            unit=b.unit,
            baseline=_copied(b.baseline, b, scale),
            baseline_date=b.baseline_date,
            target=_copied(b.target, b, scale),
            target_date=b.target_date,
            measured_by=b.measured_by,
            when_taken_out=b.when_taken_out,
            status="planned",
        )
        for b in source.benefits
    ]
    session.add(plan)
    session.flush()
    return plan


def _copied(value: Decimal | None, b: Benefit, scale: Decimal) -> Decimal | None:
    return scaled(value, scale, b.unit) if b.kind == "quantitative" else value


def update_plan(
    session: Session,
    ws: Workspace,
    p: Principal,
    innovation_id: int,
    plan_id: int,
    form: PlanForm,
) -> BenefitPlan:
    """Change a plan's four parts and responsible person; a municipality's plan also its
    scale (with ``rescale``, its quantitative figures follow the new scale)."""
    plan = get_plan(session, ws, innovation_id, plan_id)
    _check_edit(p, ws, plan)
    _apply_parts(plan, form)
    if plan.municipality_number and form.scale is not None and form.scale != plan.scale:
        if form.rescale and plan.scale:
            ratio = form.scale / plan.scale
            for b in plan.benefits:
                if b.kind == "quantitative":
                    b.baseline = scaled(b.baseline, ratio, b.unit)
                    b.target = scaled(b.target, ratio, b.unit)
        plan.scale = form.scale
    session.flush()
    return plan


def delete_plan(
    session: Session, ws: Workspace, p: Principal, innovation_id: int, plan_id: int
) -> int:
    """Remove a municipality's plan with its benefits and measurements."""
    plan = get_plan(session, ws, innovation_id, plan_id)
    _check_edit(p, ws, plan)
    if plan.municipality_number is None:
        raise Forbidden(lazy("Den felles planen kan ikke slettes her."))
    for b in _benefits_with_measurements(session, ws, plan):
        session.delete(b)
    session.flush()
    session.delete(plan)
    session.flush()
    return plan.innovation_id


def _benefits_with_measurements(
    session: Session, ws: Workspace, plan: BenefitPlan
) -> list[Benefit]:
    return list(
        session.scalars(
            scoped(Benefit, ws.id)
            .where(Benefit.plan_id == plan.id)
            .options(selectinload(Benefit.measurements))
        )
    )


# --- benefits (indicators) -------------------------------------------------------------------


def _check_benefit(form: BenefitForm) -> None:
    errors: dict[str, str] = {}
    if form.baseline_date and form.target_date and form.target_date < form.baseline_date:
        errors["target_date"] = lazy("Måldatoen kan ikke være før datoen for utgangspunktet.")
    if form.kind == "qualitative" and (form.baseline is not None or form.target is not None):
        errors["baseline"] = lazy(
            "Tall for utgangspunkt og mål hører til kvantitative gevinster. Velg kvantitativ, "
            "eller la tallfeltene stå tomme."
        )
    if errors:
        raise InvalidInput(errors)


def _apply_benefit(b: Benefit, form: BenefitForm) -> None:
    b.name = form.name.strip()
    b.kind = form.kind
    b.unit = form.unit.strip()
    b.baseline = form.baseline
    b.baseline_date = form.baseline_date
    b.target = form.target
    b.target_date = form.target_date
    b.measured_by = form.measured_by.strip()
    b.when_taken_out = form.when_taken_out
    b.status = form.status


def get_benefit(
    session: Session, ws: Workspace, innovation_id: int, plan_id: int, benefit_id: int
) -> tuple[BenefitPlan, Benefit]:
    plan = get_plan(session, ws, innovation_id, plan_id)
    benefit = next((b for b in plan.benefits if b.id == benefit_id), None)
    return plan, found(benefit)


def add_benefit(
    session: Session,
    ws: Workspace,
    p: Principal,
    innovation_id: int,
    plan_id: int,
    form: BenefitForm,
) -> Benefit:
    plan = get_plan(session, ws, innovation_id, plan_id)
    _check_edit(p, ws, plan)
    _check_benefit(form)
    benefit = Benefit(workspace_id=ws.id)
    _apply_benefit(benefit, form)
    plan.benefits.append(benefit)
    session.flush()
    return benefit


def update_benefit(
    session: Session,
    ws: Workspace,
    p: Principal,
    innovation_id: int,
    plan_id: int,
    benefit_id: int,
    form: BenefitForm,
) -> Benefit:
    plan, benefit = get_benefit(session, ws, innovation_id, plan_id, benefit_id)
    _check_edit(p, ws, plan)
    _check_benefit(form)
    _apply_benefit(benefit, form)
    session.flush()
    return benefit


def delete_benefit(
    session: Session,
    ws: Workspace,
    p: Principal,
    innovation_id: int,
    plan_id: int,
    benefit_id: int,
) -> None:
    plan, _benefit = get_benefit(session, ws, innovation_id, plan_id, benefit_id)
    _check_edit(p, ws, plan)
    row = found(
        session.scalar(
            scoped(Benefit, ws.id)
            .where(Benefit.id == benefit_id)
            .options(selectinload(Benefit.measurements))
        )
    )
    plan.benefits.remove(row)
    session.delete(row)
    session.flush()


# --- measurements ----------------------------------------------------------------------------


def add_measurement(
    session: Session,
    ws: Workspace,
    p: Principal,
    innovation_id: int,
    plan_id: int,
    benefit_id: int,
    form: MeasurementForm,
) -> Measurement:
    """A measured value of a benefit in a municipality's plan: a number for a quantitative
    benefit, a description for a qualitative one."""
    plan, benefit = get_benefit(session, ws, innovation_id, plan_id, benefit_id)
    _check_edit(p, ws, plan)
    if plan.municipality_number is None:
        raise InvalidInput(
            {"value": lazy("Målinger føres i kommunenes planer, ikke i den felles planen.")}
        )
    text = form.text.strip()
    errors: dict[str, str] = {}
    if benefit.kind == "quantitative" and form.value is None:
        errors["value"] = lazy("Skriv inn den målte verdien.")
    if benefit.kind == "qualitative" and not text:
        errors["text"] = lazy("Beskriv hva dere så eller målte.")
    if form.measured_on > today():
        errors["measured_on"] = lazy("Datoen for målingen kan ikke være fram i tid.")
    if errors:
        raise InvalidInput(errors)
    row = Measurement(
        workspace_id=ws.id,
        benefit_id=benefit.id,
        measured_on=form.measured_on,
        value=form.value if benefit.kind == "quantitative" else None,
        text=text,
    )
    session.add(row)
    session.flush()
    return row


def delete_measurement(
    session: Session,
    ws: Workspace,
    p: Principal,
    innovation_id: int,
    plan_id: int,
    benefit_id: int,
    measurement_id: int,
) -> None:
    plan, benefit = get_benefit(session, ws, innovation_id, plan_id, benefit_id)
    _check_edit(p, ws, plan)
    row = found(
        session.scalar(
            scoped(Measurement, ws.id).where(
                Measurement.id == measurement_id, Measurement.benefit_id == benefit.id
            )
        )
    )
    session.delete(row)
    session.flush()
