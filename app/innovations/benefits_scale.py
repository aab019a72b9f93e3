"""Scaling the common benefits plan to a municipality of another size: the population ratio
(to three significant digits), applied to quantitative figures that are not shares."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.counties.models import Municipality
from app.innovations.models import Innovation

SHARE_UNITS = ("%", "prosent", "percent", "andel")  # shares are not scaled by population


def round_scale(value: Decimal) -> Decimal:
    """Three significant digits, at most four decimals, within what the column holds."""
    if value <= 0:
        return Decimal(1)
    digits = value.adjusted()  # the power of ten of the first digit
    rounded = value.quantize(Decimal(1).scaleb(digits - 2), rounding=ROUND_HALF_UP)
    rounded = rounded.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return min(max(rounded, Decimal("0.0001")), Decimal("9999"))


def population_scale(session: Session, inn: Innovation, municipality_number: str) -> Decimal:
    """The municipality's population over the origin municipality's (1 without an origin)."""
    if not inn.origin_municipality_number:
        return Decimal(1)
    pops = dict(
        session.execute(
            select(Municipality.number, Municipality.population).where(
                Municipality.number.in_({inn.origin_municipality_number, municipality_number})
            )
        ).all()
    )
    origin, mine = pops.get(inn.origin_municipality_number), pops.get(municipality_number)
    if not origin or not mine:
        return Decimal(1)
    return round_scale(Decimal(mine) / Decimal(origin))


def is_share(unit: str) -> bool:
    u = unit.strip().lower()
    return any(u == s or u.startswith(s) for s in SHARE_UNITS)


def scaled(value: Decimal | None, scale: Decimal, unit: str) -> Decimal | None:
    """A quantitative figure of the common plan for a municipality of another size (shares,
    in per cent, stay as they are)."""
    if value is None or is_share(unit):
        return value
    return (value * scale).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
