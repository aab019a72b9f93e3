"""Innovations in the demo (the data is in ``demo_data.py``): fourteen invented innovations in
Trøndelag, Vestland, Buskerud and Telemark with their pilots and followers, adoptions across a
council and across counties (two are shared), and two benefits plans after Kongsbergregionen's
four templates, with each adopting municipality's scaled copy and its measurements."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from app.clock import today
from app.counties.models import Workspace
from app.innovations import service, tally
from app.innovations.demo_data import INNOVATIONS
from app.innovations.demo_plans import BENEFIT_PLANS
from app.innovations.demo_types import BenefitPlanData
from app.innovations.models import Adoption, Benefit, BenefitPlan, Innovation, Measurement
from app.innovations.schemas import InnovationForm, Link, RoleForm
from app.networks import service as networks_service
from app.tenancy import set_db_scope

MONTH = 30.44  # days


def _months_ago(months: int | None) -> date | None:
    return None if months is None else today() - timedelta(days=round(months * MONTH))


def _months_ahead(months: int | None) -> date | None:
    return None if months is None else today() + timedelta(days=round(months * MONTH))


def _number(value: float | None, scale: float = 1.0) -> Decimal | None:
    return None if value is None else Decimal(str(round(value * scale, 2)))


def _scope(session: Session, ws: Workspace) -> None:
    set_db_scope(session, workspace_id=ws.id, user_id=None, county_number=ws.county_number)


def load(session: Session, workspaces: Mapping[str, Workspace]) -> None:
    made: dict[str, Innovation] = {}
    for data in INNOVATIONS:
        ws = workspaces[data.workspace]
        _scope(session, ws)
        body_id = None
        if data.origin_body:
            names = {
                n.body.name: n.body.id
                for n in networks_service.flatten(networks_service.body_tree(session, ws))
            }
            body_id = names.get(data.origin_body)
        fields = {
            "title": data.title,
            "problem": data.problem,
            "solution": data.solution,
            "areas": list(data.areas),
            "origin_body_id": body_id,
            "contact_name": data.contact_name,
            "contact_email": data.contact_email,
            "phase": data.phase,
            "adoption_cost": data.adoption_cost,
            "links": [Link(title=link.title, url=link.url) for link in data.links],
            "internal_note": data.internal_note,
        }
        if data.origin:
            fields["origin_municipality_number"] = data.origin
        inn = service.create_innovation(session, ws, InnovationForm.model_validate(fields))
        if data.shared:
            service.set_shared(session, ws, inn.id, True)
        for role in data.roles:
            service.set_role(
                session,
                ws,
                inn.id,
                RoleForm(
                    municipality_number=role.municipality,
                    role=role.role,
                    spreading_role=role.spreading_role,
                ),
            )
        made[data.key] = inn
    # Adoptions, each recorded by the workspace of the adopting municipality's county.
    for data in INNOVATIONS:
        inn = made[data.key]
        for a in data.adoptions:
            ws = workspaces[a.workspace]
            _scope(session, ws)
            session.add(
                Adoption(
                    workspace_id=ws.id,
                    innovation_id=inn.id,
                    municipality_number=a.municipality,
                    status=a.status,
                    reason=a.reason,
                    started_on=_months_ago(a.started_months_ago),
                    in_use_on=_months_ago(a.in_use_months_ago),
                )
            )
        session.flush()
    for plan in BENEFIT_PLANS:
        _plan(session, workspaces, made, plan)
    session.flush()
    for ws in workspaces.values():  # the adoption tallies, as the app keeps them
        _scope(session, ws)
        tally.refresh(session, ws)


def _plan(
    session: Session,
    workspaces: Mapping[str, Workspace],
    made: Mapping[str, Innovation],
    data: BenefitPlanData,
) -> None:
    inn = made[data.innovation]
    owner = next(ws for ws in workspaces.values() if ws.id == inn.workspace_id)
    _scope(session, owner)
    common = BenefitPlan(
        workspace_id=owner.id,
        innovation_id=inn.id,
        municipality_number=None,
        assessment=dict(data.assessment),
        management=dict(data.management),
        obstacles=dict(data.obstacles),
        realisation=dict(data.realisation),
        responsible_name=data.responsible_name,
        responsible_email=data.responsible_email,
    )
    common.benefits = [
        Benefit(
            workspace_id=owner.id,
            name=b.name,
            kind=b.kind,
            unit=b.unit,
            baseline=_number(b.baseline),
            baseline_date=_months_ago(b.baseline_months_ago),
            target=_number(b.target),
            target_date=_months_ahead(b.target_months_ahead),
            measured_by=b.measured_by,
            when_taken_out=b.when_taken_out,
            status=b.status,
        )
        for b in data.benefits
    ]
    session.add(common)
    session.flush()
    for local in data.municipal_plans:
        ws = workspaces[local.workspace]
        _scope(session, ws)
        plan = BenefitPlan(
            workspace_id=ws.id,
            innovation_id=inn.id,
            municipality_number=local.municipality,
            common_id=common.id,
            scale=Decimal(str(local.scale)),
            assessment=dict(data.assessment),
            management=dict(data.management),
            obstacles=dict(data.obstacles),
            realisation=dict(data.realisation),
            responsible_name=local.responsible_name,
            responsible_email=local.responsible_email,
        )
        benefits = {}
        for b in data.benefits:
            benefit = Benefit(
                workspace_id=ws.id,
                name=b.name,
                kind=b.kind,
                unit=b.unit,
                baseline=_number(b.baseline, local.scale),
                baseline_date=_months_ago(b.baseline_months_ago),
                target=_number(b.target, local.scale),
                target_date=_months_ahead(b.target_months_ahead),
                measured_by=b.measured_by,
                when_taken_out=b.when_taken_out,
                status=local.statuses.get(b.name, b.status),
            )
            benefit.measurements = [
                Measurement(
                    workspace_id=ws.id,
                    measured_on=_months_ago(m.months_ago) or today(),
                    value=_number(m.value),
                    text=m.text,
                )
                for m in local.measurements
                if m.benefit == b.name
            ]
            benefits[b.name] = benefit
        plan.benefits = list(benefits.values())
        session.add(plan)
        session.flush()
