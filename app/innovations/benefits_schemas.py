"""Forms and API models of benefits realisation: a plan's four parts, a scaled copy for a
municipality, a benefit (indicator) and a measurement. One model serves the page's form and
the JSON API's body."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, field_validator

from app.fields import length, matches, one_line, one_of
from app.i18n import lazy
from app.innovations.benefits_parts import FIELD_MAX, PARTS, WHEN_TAKEN_OUT
from app.innovations.models import BENEFIT_KINDS, BENEFIT_STATES

MUNICIPALITY = matches(r"[0-9]{4}", lazy("Velg en kommune."))
LIMIT = Decimal("999999999999")  # Numeric(14, 2)


def _number(value: Any) -> Any:
    """A number as people write it: "1 234,5", "1234.5", "12 %" — or the API's number."""
    if value is None or isinstance(value, (int, float, Decimal)):
        return value
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace("%", "")
    if not text:
        return None
    if "," in text and "." in text:
        text = text.replace(".", "")  # 1.234,5
    text = text.replace(",", ".").replace("−", "-")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(lazy("Skriv et tall, for eksempel 1250 eller 12,5.")) from None
    if not number.is_finite():
        raise ValueError(lazy("Skriv et tall, for eksempel 1250 eller 12,5."))
    return number


def _money(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if abs(value) > LIMIT:
        raise ValueError(lazy("Tallet er for stort."))
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


Number = Annotated[Decimal | None, BeforeValidator(_number)]


def _checked_parts(value: dict[str, str] | None, key: str) -> dict[str, str] | None:
    if value is None:
        return None
    fields = next(p for p in PARTS if p.key == key).field_keys
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise ValueError(lazy("Malen har ikke et felt med dette navnet."))
    out = {}
    for name in fields:
        text = str(value.get(name) or "").replace("\r\n", "\n").strip()
        if len(text) > FIELD_MAX:
            raise ValueError(lazy("Hvert felt i malen kan ha høyst 5000 tegn."))
        out[name] = text
    return out


def _checked_scale(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    # Out of range before rounding too: quantize() of a huge number fails (InvalidOperation).
    if not value.is_finite() or value <= 0 or value > Decimal("9999"):
        raise ValueError(lazy("Skalaen må være større enn 0 og høyst 9999."))
    scaled = value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    if scaled <= 0 or scaled > Decimal("9999"):
        raise ValueError(lazy("Skalaen må være større enn 0 og høyst 9999."))
    return scaled


class PlanForm(BaseModel):
    """The four parts (each a dict of its fields; a part left out is kept as it is), the
    responsible person, and for a municipality's plan its scale."""

    assessment: dict[str, str] | None = None
    management: dict[str, str] | None = None
    obstacles: dict[str, str] | None = None
    realisation: dict[str, str] | None = None
    responsible_name: Annotated[str, one_line(lazy("Navnet må stå på én linje."))] = Field(
        default="", max_length=200
    )
    responsible_email: EmailStr | None = None
    scale: Number = None
    rescale: bool = False  # a changed scale also recalculates the quantitative figures

    @field_validator("assessment", "management", "obstacles", "realisation")
    @classmethod
    def _parts(cls, value: dict[str, str] | None, info: Any) -> dict[str, str] | None:
        return _checked_parts(value, info.field_name)

    @field_validator("scale")
    @classmethod
    def _scale(cls, value: Decimal | None) -> Decimal | None:
        return _checked_scale(value)


def plan_form_data(data: dict[str, Any]) -> dict[str, Any]:
    """A page's flat form (``assessment__need`` …) as :class:`PlanForm` data: every part
    with every field, so that a field emptied is saved empty."""
    out: dict[str, Any] = {
        k: v for k, v in data.items() if "__" not in k and k not in {p.key for p in PARTS}
    }
    for p in PARTS:
        out[p.key] = {f.key: str(data.get(f"{p.key}__{f.key}", "")) for f in p.fields}
    out["rescale"] = data.get("rescale") in ("1", "on", "true", True)
    return out


class CopyForm(BaseModel):
    """A scaled copy of the common plan for a municipality; no scale: population-based."""

    municipality_number: Annotated[str, MUNICIPALITY]
    scale: Number = None

    @field_validator("scale")
    @classmethod
    def _scale(cls, value: Decimal | None) -> Decimal | None:
        return _checked_scale(value)


class CommonPlanCreate(PlanForm):
    innovation_id: int


class MunicipalPlanCreate(BaseModel):
    innovation_id: int
    municipality_number: Annotated[str, MUNICIPALITY]
    scale: Number = None

    @field_validator("scale")
    @classmethod
    def _scale(cls, value: Decimal | None) -> Decimal | None:
        return _checked_scale(value)  # a 422 here, not a CopyForm error in the route


class BenefitForm(BaseModel):
    name: Annotated[
        str,
        one_line(lazy("Navnet må stå på én linje.")),
        length(2, 200, lazy("Navnet må ha 2–200 tegn.")),
    ]
    kind: Annotated[str, one_of(BENEFIT_KINDS, lazy("Velg kvantitativ eller kvalitativ."))] = (
        "quantitative"
    )
    unit: Annotated[str, one_line(lazy("Enheten må stå på én linje."))] = Field(
        default="", max_length=40
    )
    baseline: Number = None
    baseline_date: date | None = None
    target: Number = None
    target_date: date | None = None
    measured_by: Annotated[str, one_line(lazy("Teksten må stå på én linje."))] = Field(
        default="", max_length=200
    )
    when_taken_out: Annotated[
        str, one_of(WHEN_TAKEN_OUT, lazy("Velg i prosjektperioden eller i drift."))
    ] = "operation"
    status: Annotated[str, one_of(BENEFIT_STATES, lazy("Velg en gyldig status."))] = "planned"

    @field_validator("baseline", "target")
    @classmethod
    def _amount(cls, value: Decimal | None) -> Decimal | None:
        return _money(value)


class MeasurementForm(BaseModel):
    measured_on: date
    value: Number = None
    text: str = Field(default="", max_length=2000)

    @field_validator("value")
    @classmethod
    def _amount(cls, value: Decimal | None) -> Decimal | None:
        return _money(value)


# --- API -----------------------------------------------------------------------------------


class MeasurementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    measured_on: date
    value: Decimal | None
    text: str


class BenefitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    unit: str
    baseline: Decimal | None
    baseline_date: date | None
    target: Decimal | None
    target_date: date | None
    measured_by: str
    when_taken_out: str
    status: str
    measurements: list[MeasurementRead] = Field(default_factory=list)


class PlanSummary(BaseModel):
    id: int
    innovation_id: int
    municipality_number: str | None
    municipality_name: str | None
    common: bool
    own: bool  # this workspace's (another county's common plan is read-only)
    scale: Decimal | None
    benefits: int
    by_status: dict[str, int]
    last_measured_on: date | None
    next_due_on: date | None
    updated_at: datetime


class PlanRead(PlanSummary):
    common_id: int | None
    assessment: dict[str, str]
    management: dict[str, str]
    obstacles: dict[str, str]
    realisation: dict[str, str]
    responsible_name: str
    responsible_email: str
    benefit_list: list[BenefitRead]
