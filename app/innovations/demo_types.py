"""The types of the innovations demo data (``demo_data.py``, ``demo_plans.py``): what an
innovation, an adoption, a benefits plan and a measurement hold, and the demo workspaces'
counties."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypedDict

WorkspaceSlug = Literal["trondelag", "vestland", "buskerud", "telemark"]
Area = Literal[
    "digitalisation",
    "health_care",
    "school",
    "climate",
    "business",
    "finance",
    "procurement",
    "innovation",
    "other",
]
Phase = Literal["anchoring", "insight", "development", "piloting", "transition", "new_practice"]
RoleKind = Literal["pilot", "follower"]
AdoptionStatus = Literal["considering", "planned", "in_progress", "in_use", "abandoned"]
BenefitKind = Literal["quantitative", "qualitative"]
WhenTakenOut = Literal["project", "operation"]
BenefitStatus = Literal["planned", "on_track", "behind", "realised", "dropped"]

# The county of each demo workspace (app/demo.py).
WORKSPACE_COUNTY: dict[str, str] = {
    "trondelag": "50",
    "vestland": "46",
    "buskerud": "33",
    "telemark": "40",
}


@dataclass(frozen=True)
class LinkData:
    title: str
    url: str


@dataclass(frozen=True)
class RoleData:
    municipality: str
    role: RoleKind
    spreading_role: str = ""


@dataclass(frozen=True)
class AdoptionData:
    workspace: WorkspaceSlug  # the workspace that records it: the adopting municipality's county
    municipality: str
    status: AdoptionStatus
    started_months_ago: int | None = None
    in_use_months_ago: int | None = None
    reason: str = ""  # why it was abandoned


@dataclass(frozen=True)
class InnovationData:
    key: str
    workspace: WorkspaceSlug
    title: str
    problem: str
    solution: str  # Markdown
    areas: tuple[Area, ...]
    contact_name: str
    contact_email: str
    phase: Phase
    adoption_cost: str
    origin: str | None = None  # municipality number
    origin_body: str | None = None  # name of a demo council or network in the same workspace
    links: tuple[LinkData, ...] = ()
    internal_note: str = ""
    shared: bool = False
    roles: tuple[RoleData, ...] = ()
    adoptions: tuple[AdoptionData, ...] = ()


class Assessment(TypedDict):
    """1. Project assessment: should we start?"""

    need: str
    goal: str
    alternatives: str
    cost: str
    risk: str
    recommendation: str


class Management(TypedDict):
    """2. Project management: how we carry it out."""

    owner: str
    organisation: str
    milestones: str
    resources: str
    communication: str


class Obstacles(TypedDict):
    """3. Benefits plan: the obstacles (the benefits themselves are ``BenefitData``)."""

    organisational: str
    technical: str
    economic: str
    legal: str


class Realisation(TypedDict):
    """4. Benefits realisation plan: what is taken out when, what it takes, how it is measured."""

    during_project: str
    in_operation: str
    what_it_takes: str
    how_measured: str


@dataclass(frozen=True)
class BenefitData:
    name: str
    kind: BenefitKind
    measured_by: str
    when_taken_out: WhenTakenOut
    status: BenefitStatus
    unit: str = ""
    baseline: float | None = None
    baseline_months_ago: int | None = None
    target: float | None = None
    target_months_ahead: int | None = None


@dataclass(frozen=True)
class MeasurementData:
    benefit: str  # BenefitData.name
    months_ago: int
    value: float | None = None  # quantitative
    text: str = ""  # qualitative


@dataclass(frozen=True)
class MunicipalPlanData:
    workspace: WorkspaceSlug  # the municipality's county
    municipality: str
    scale: float  # of the common plan's quantitative baselines and targets
    responsible_name: str
    responsible_email: str
    measurements: tuple[MeasurementData, ...] = ()
    statuses: dict[str, BenefitStatus] = field(default_factory=dict)  # benefit name → status


@dataclass(frozen=True)
class BenefitPlanData:
    innovation: str  # InnovationData.key
    assessment: Assessment
    management: Management
    obstacles: Obstacles
    realisation: Realisation
    responsible_name: str
    responsible_email: str
    benefits: tuple[BenefitData, ...]
    municipal_plans: tuple[MunicipalPlanData, ...] = ()
