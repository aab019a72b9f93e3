"""When a municipality's benefits should be measured (6 and 12 months after "in use", and at
each benefit's target date), how each plan is going, and the benefits page's overview of an
innovation: the common plan, the municipalities' plans and who may get one."""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from app.accounts.principal import Principal
from app.clock import today
from app.counties.models import Workspace
from app.innovations import service as innovations
from app.innovations.benefits import (
    COPY_STATES,
    adoptions_here,
    common_plan,
    may_copy,
    municipal_plans,
    municipality_names,
)
from app.innovations.benefits_scale import population_scale
from app.innovations.models import Benefit, BenefitPlan, Innovation, Measurement
from app.tenancy import scoped

DUE_MONTHS = (6, 12)  # measurements are due this many months after "in use"
EARLY_DAYS = 30  # a measurement up to this many days before a due date counts for it


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_dates(in_use_on: date | None, benefits: list[Benefit]) -> list[date]:
    """When the plan's benefits should be measured: 6 and 12 months after the municipality
    took the innovation into use, and at the target date of each benefit still pursued."""
    days: set[date] = set()
    if in_use_on is not None:
        days.update(add_months(in_use_on, m) for m in DUE_MONTHS)
    days.update(
        b.target_date
        for b in benefits
        if b.target_date is not None and b.status not in ("realised", "dropped")
    )
    return sorted(days)


def covered(due_on: date, measured: list[date]) -> bool:
    """A measurement on or after the due date (or shortly before it) takes care of it."""
    return any(d >= due_on - timedelta(days=EARLY_DAYS) for d in measured)


def open_due(due: list[date], measured: list[date]) -> list[date]:
    return [d for d in due if not covered(d, measured)]


@dataclass
class PlanStatus:
    plan: BenefitPlan
    name: str  # the municipality's name ("" for the common plan)
    in_use_on: date | None = None
    adoption_status: str | None = None
    by_status: dict[str, int] = field(default_factory=dict)
    last_measured_on: date | None = None
    next_due_on: date | None = None

    @property
    def overdue(self) -> bool:
        return self.next_due_on is not None and self.next_due_on < today()


def measured_dates(
    session: Session, ws: Workspace, plans: list[BenefitPlan]
) -> dict[int, list[date]]:
    """Measurement dates by plan id (one query for all the plans)."""
    by_benefit = {b.id: plan.id for plan in plans for b in plan.benefits}
    out: dict[int, list[date]] = {plan.id: [] for plan in plans}
    if not by_benefit:
        return out
    rows = session.execute(
        scoped(Measurement, ws.id)
        .where(Measurement.benefit_id.in_(list(by_benefit)))
        .with_only_columns(Measurement.benefit_id, Measurement.measured_on)
    )
    for benefit_id, measured_on in rows.all():
        out[by_benefit[benefit_id]].append(measured_on)
    return out


def statuses(
    session: Session, ws: Workspace, inn: Innovation, plans: list[BenefitPlan]
) -> list[PlanStatus]:
    """How each plan is going: benefits by status, the last measurement, the next due."""
    adoptions = adoptions_here(session, ws, inn)
    names = municipality_names(
        session, {p.municipality_number for p in plans if p.municipality_number}
    )
    measured = measured_dates(session, ws, [p for p in plans if p.workspace_id == ws.id])
    out = []
    for plan in plans:
        number = plan.municipality_number
        adoption = adoptions.get(number) if number else None
        in_use_on = adoption.in_use_on if adoption and adoption.status == "in_use" else None
        dates = measured.get(plan.id, [])
        due = open_due(due_dates(in_use_on, plan.benefits), dates) if number else []
        out.append(
            PlanStatus(
                plan=plan,
                name=names.get(number, number) if number else "",
                in_use_on=in_use_on,
                adoption_status=adoption.status if adoption else None,
                by_status=dict(Counter(b.status for b in plan.benefits)),
                last_measured_on=max(dates) if dates else None,
                next_due_on=due[0] if due else None,
            )
        )
    return out


def copy_candidates(
    session: Session, ws: Workspace, p: Principal, inn: Innovation, plans: list[BenefitPlan]
) -> list[tuple[str, str, Decimal]]:
    """The municipalities of this workspace's adoptions that may get a plan now, with their
    name and population-based scale (for a municipal user only their own)."""
    have = {plan.municipality_number for plan in plans}
    numbers = {
        n
        for n, a in adoptions_here(session, ws, inn).items()
        if a.status in COPY_STATES and n not in have and may_copy(p, n)
    }
    names = municipality_names(session, numbers)
    return [
        (n, names.get(n, n), population_scale(session, inn, n))
        for n in sorted(numbers, key=lambda n: names.get(n, n))
    ]


@dataclass
class Overview:
    innovation: Innovation
    own: bool
    owner: str
    common: BenefitPlan | None
    plans: list[PlanStatus]
    candidates: list[tuple[str, str, Decimal]]


def overview(session: Session, ws: Workspace, p: Principal, innovation_id: int) -> Overview:
    """The innovation's benefits page: the common plan and the municipalities' plans here."""
    inn = innovations.get_innovation(session, ws, innovation_id)
    common = common_plan(session, ws, inn, benefits=True)
    plans = municipal_plans(session, ws, inn)
    return Overview(
        innovation=inn,
        own=inn.workspace_id == ws.id,
        owner=innovations.owner_name(session, inn),
        common=common,
        plans=statuses(session, ws, inn, plans),
        candidates=copy_candidates(session, ws, p, inn, plans) if common else [],
    )


def plan_status(session: Session, ws: Workspace, plan: BenefitPlan) -> PlanStatus:
    inn = innovations.get_innovation(session, ws, plan.innovation_id)
    return statuses(session, ws, inn, [plan])[0]
