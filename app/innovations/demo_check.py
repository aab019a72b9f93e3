"""A check of the innovations demo data (``demo_data.py``, ``demo_plans.py``): municipality
numbers and counties, codes, the two shared innovations, the plans' benefits and measurements.
Run ``python -m app.innovations.demo_check``."""

from __future__ import annotations

from app.innovations.demo_data import INNOVATIONS
from app.innovations.demo_plans import BENEFIT_PLANS
from app.innovations.demo_types import (
    WORKSPACE_COUNTY,
    Assessment,
    InnovationData,
    Management,
    Obstacles,
    Realisation,
)

# The demo bodies that app/networks/demo.py creates, by workspace (kept by hand: the innovations
# module may not import another module's demo).
DEMO_BODIES: dict[str, set[str]] = {
    "trondelag": {
        "Namdal regionråd",
        "Inn-Trøndelag regionråd",
        "Midt-Trøndelag regionråd",
        "Fosen regionråd",
        "Trondheimsregionen",
        "Orkdalsregionen",
        "Regionråd Trøndelag sør",
        "DigiTrøndelag",
        "DigiTrøndelag arbeidsutvalg",
    },
    "buskerud": {"Kongsbergregionen", "SuksIT"},
    "vestland": {"DigiVestland"},
    "telemark": set(),
}
# Fosen regionråd's members (app/networks/demo_data.py): the council the demo spreads across.
FOSEN = {"5020", "5054", "5057", "5058"}
SMALL = 3000  # inhabitants


def check() -> list[str]:
    """Everything that is wrong with the data (an empty list when it is sound)."""
    import csv
    from pathlib import Path

    from app.innovations.models import (
        ADOPTION_STATES,
        BENEFIT_KINDS,
        BENEFIT_STATES,
        INNOVATION_AREAS,
        PHASES,
    )

    csv_path = Path(__file__).resolve().parents[1] / "counties" / "data" / "municipalities.csv"
    with csv_path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    county = {r["number"]: r["county"] for r in rows}
    population = {r["number"]: int(r["population"]) for r in rows}
    errors: list[str] = []

    def known(where: str, number: str, ws: str, shared: bool) -> None:
        if number not in county:
            errors.append(f"{where}: unknown municipality {number}")
        elif county[number] != WORKSPACE_COUNTY[ws] and not shared:
            errors.append(f"{where}: {number} is not in {ws}'s county")

    by_key: dict[str, InnovationData] = {}
    for inn in INNOVATIONS:
        w = inn.key
        if w in by_key:
            errors.append(f"{w}: duplicate key")
        by_key[w] = inn
        if not inn.title.endswith(" (demo)") or not inn.contact_name.endswith("(demo)"):
            errors.append(f"{w}: title and contact must say (demo)")
        if not inn.contact_email.endswith(".demo"):
            errors.append(f"{w}: contact address must be on a .demo domain")
        if not inn.areas or any(a not in INNOVATION_AREAS for a in inn.areas):
            errors.append(f"{w}: bad areas {inn.areas}")
        if inn.phase not in PHASES:
            errors.append(f"{w}: bad phase {inn.phase}")
        if (inn.origin is None) == (inn.origin_body is None):
            errors.append(f"{w}: give exactly one of origin and origin_body")
        if inn.origin is not None:
            known(f"{w} origin", inn.origin, inn.workspace, shared=False)
        if inn.origin_body is not None and inn.origin_body not in DEMO_BODIES[inn.workspace]:
            errors.append(f"{w}: no demo body {inn.origin_body!r} in {inn.workspace}")
        for link in inn.links:
            if not link.url.startswith("https://example.no/"):
                errors.append(f"{w}: links must point at example.no")
        seen_roles: set[str] = set()
        for role in inn.roles:
            known(f"{w} role", role.municipality, inn.workspace, inn.shared)
            if role.role not in ("pilot", "follower"):
                errors.append(f"{w}: bad role {role.role}")
            if role.municipality == inn.origin or role.municipality in seen_roles:
                errors.append(f"{w}: {role.municipality} has two roles")
            seen_roles.add(role.municipality)
        seen_adoptions: set[str] = set()
        for a in inn.adoptions:
            where = f"{w} adoption {a.municipality}"
            known(where, a.municipality, a.workspace, shared=False)
            if a.workspace != inn.workspace and not inn.shared:
                errors.append(f"{where}: another county records only shared innovations")
            if a.status not in ADOPTION_STATES:
                errors.append(f"{where}: bad status {a.status}")
            if a.municipality in seen_adoptions:
                errors.append(f"{where}: recorded twice")
            seen_adoptions.add(a.municipality)
            if (a.status == "abandoned") != bool(a.reason):
                errors.append(f"{where}: a reason goes with abandoned, and only with it")
            if (a.status == "in_use") != (a.in_use_months_ago is not None):
                errors.append(f"{where}: an in-use date goes with in_use, and only with it")
            if a.status in ("in_progress", "in_use", "abandoned") and a.started_months_ago is None:
                errors.append(f"{where}: started when?")
            if (
                a.in_use_months_ago is not None
                and a.started_months_ago is not None
                and a.in_use_months_ago > a.started_months_ago
            ):
                errors.append(f"{where}: in use before it started")
        if inn.shared and len({a.workspace for a in inn.adoptions} - {inn.workspace}) < 2:
            errors.append(f"{w}: a shared innovation should be adopted in two other counties")

    if not 12 <= len(INNOVATIONS) <= 14:
        errors.append(f"{len(INNOVATIONS)} innovations; 12–14 wanted")
    if sum(inn.shared for inn in INNOVATIONS) != 2:
        errors.append("exactly two innovations must be shared")
    if {inn.workspace for inn in INNOVATIONS} != set(WORKSPACE_COUNTY):
        errors.append("every demo workspace needs innovations")
    if not any(inn.origin and population[inn.origin] < SMALL for inn in INNOVATIONS):
        errors.append("no small municipality is an origin")
    if not any(
        r.role == "follower" and population[r.municipality] < SMALL
        for inn in INNOVATIONS
        for r in inn.roles
    ):
        errors.append("no small municipality is a follower")
    if not any(
        len({a.municipality for a in inn.adoptions if a.status == "in_use"} & FOSEN) >= 3
        for inn in INNOVATIONS
    ):
        errors.append("no innovation is in use across the Fosen council")

    if len(BENEFIT_PLANS) != 2:
        errors.append("two benefits plans wanted")
    if not any(
        by_key[p.innovation].origin_body == "Kongsbergregionen"
        for p in BENEFIT_PLANS
        if p.innovation in by_key
    ):
        errors.append("one benefits plan should be Kongsbergregionen's own method")
    for plan in BENEFIT_PLANS:
        inn_or_none = by_key.get(plan.innovation)
        if inn_or_none is None:
            errors.append(f"plan for unknown innovation {plan.innovation}")
            continue
        inn = inn_or_none
        w = f"plan {plan.innovation}"
        for part, keys in (
            (plan.assessment, Assessment.__annotations__),
            (plan.management, Management.__annotations__),
            (plan.obstacles, Obstacles.__annotations__),
            (plan.realisation, Realisation.__annotations__),
        ):
            if set(part) != set(keys) or not all(str(v).strip() for v in part.values()):
                errors.append(f"{w}: a template part is incomplete: {sorted(part)}")
        if not plan.responsible_name.endswith("(demo)"):
            errors.append(f"{w}: the responsible must say (demo)")
        if not 3 <= len(plan.benefits) <= 5:
            errors.append(f"{w}: 3–5 benefits wanted")
        benefits = {b.name: b for b in plan.benefits}
        if len(benefits) != len(plan.benefits):
            errors.append(f"{w}: benefit names must be unique")
        for b in plan.benefits:
            if b.kind not in BENEFIT_KINDS or b.status not in BENEFIT_STATES:
                errors.append(f"{w} {b.name}: bad kind or status")
            if b.when_taken_out not in ("project", "operation"):
                errors.append(f"{w} {b.name}: bad when_taken_out")
            if b.kind == "quantitative" and (not b.unit or b.baseline is None or b.target is None):
                errors.append(f"{w} {b.name}: a quantitative benefit needs unit and figures")
            if b.kind == "qualitative" and (b.unit or b.baseline is not None or b.target):
                errors.append(f"{w} {b.name}: a qualitative benefit has no figures")
        adopted = {(a.workspace, a.municipality) for a in inn.adoptions}
        for mp in plan.municipal_plans:
            where = f"{w} {mp.municipality}"
            known(where, mp.municipality, mp.workspace, shared=False)
            if (mp.workspace, mp.municipality) not in adopted:
                errors.append(f"{where}: no adoption recorded by {mp.workspace}")
            if mp.workspace != inn.workspace and not inn.shared:
                errors.append(f"{where}: another county scales only a shared innovation's plan")
            if not 0 < mp.scale <= 1:
                errors.append(f"{where}: scale out of range")
            if not mp.responsible_name.endswith("(demo)"):
                errors.append(f"{where}: the responsible must say (demo)")
            for name, status in mp.statuses.items():
                if name not in benefits or status not in BENEFIT_STATES:
                    errors.append(f"{where}: bad status override {name}: {status}")
            for m in mp.measurements:
                benefit = benefits.get(m.benefit)
                if benefit is None:
                    errors.append(f"{where}: measurement of unknown benefit {m.benefit}")
                    continue
                if (benefit.kind == "quantitative") != (m.value is not None) or (
                    benefit.kind == "qualitative"
                ) != bool(m.text):
                    errors.append(f"{where} {m.benefit}: value or text, after the kind")
                if m.months_ago < 0 or (
                    benefit.baseline_months_ago is not None
                    and m.months_ago > benefit.baseline_months_ago
                ):
                    errors.append(f"{where} {m.benefit}: measured before the baseline")
    return errors


if __name__ == "__main__":
    problems = check()
    for problem in problems:
        print(problem)
    shared = [inn.title for inn in INNOVATIONS if inn.shared]
    print(
        f"{len(INNOVATIONS)} innovations, {sum(len(i.adoptions) for i in INNOVATIONS)} "
        f"adoptions, {len(BENEFIT_PLANS)} benefits plans; shared: {', '.join(shared)}"
    )
    raise SystemExit(1 if problems else 0)
