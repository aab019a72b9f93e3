"""Importing memberships: a row per period of a municipality or an organisation in a body,
matched by body, member and start date. Periods of the same member may not overlap."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.counties.models import Municipality, Organisation, Workspace
from app.i18n import _
from app.networks import service as networks_service
from app.networks.labels import ROLE_LABELS
from app.networks.models import Body, BodyMembership
from app.networks.schemas import MembershipForm
from app.networks.transfer.columns import name_key
from app.networks.transfer.rows import (
    ImportResult,
    Record,
    known_code,
    municipality_number_of,
    parse_date,
    required,
)
from app.tenancy import scoped

MemberKey = tuple[str, str | int]


@dataclass
class _MembershipPlan:
    row: int
    body: Body
    member: MemberKey
    municipality_number: str | None
    organisation_id: int | None
    role: str
    start_date: date | None
    end_date: date | None
    existing: BodyMembership | None


def _period(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{start.isoformat()} – {end.isoformat()}"
    if start:
        return _("fra {date}").format(date=start.isoformat())
    if end:
        return _("til {date}").format(date=end.isoformat())
    return _("uten datoer")


def import_memberships(
    session: Session, ws: Workspace, records: list[Record], result: ImportResult
) -> None:
    bodies = {name_key(b.name): b for b in session.scalars(scoped(Body, ws.id))}
    municipalities = set(session.scalars(select(Municipality.number)))
    organisations = {name_key(o.name): o for o in session.scalars(select(Organisation))}
    existing: dict[tuple[int, MemberKey, date | None], BodyMembership] = {}
    for m in session.scalars(scoped(BodyMembership, ws.id)):
        member: MemberKey = (
            ("m", m.municipality_number) if m.municipality_number else ("o", m.organisation_id or 0)
        )
        existing[(m.body_id, member, m.start_date)] = m

    plans: dict[tuple[int, MemberKey, date | None], _MembershipPlan] = {}
    for row, values in records:
        before = len(result.errors)
        body_name = required(values, "organ", row, result)
        body = bodies.get(name_key(body_name)) if body_name else None
        if body_name and body is None:
            result.error(
                row,
                "organ",
                _("Fant ikke organet «{name}» i dette arbeidsområdet.").format(name=body_name),
            )
        number = municipality_number_of(values.get("kommunenummer", ""))
        org_name = values.get("organisasjon", "")
        organisation = organisations.get(name_key(org_name)) if org_name else None
        if bool(number) == bool(org_name):
            result.error(
                row,
                "kommunenummer",
                _("Fyll ut enten kommunenummer eller organisasjon, ikke begge."),
            )
        elif number and number not in municipalities:
            result.error(
                row, "kommunenummer", _("Kommunen {number} finnes ikke.").format(number=number)
            )
        elif org_name and organisation is None:
            result.error(
                row,
                "organisasjon",
                _("Organisasjonen «{name}» finnes ikke.").format(name=org_name),
            )
        dates: dict[str, date | None] = {}
        for column in ("fra", "til"):
            try:
                dates[column] = parse_date(values.get(column, ""))
            except ValueError:
                result.error(
                    row, column, _("Skriv datoen som ÅÅÅÅ-MM-DD, for eksempel 2025-01-31.")
                )
        if len(result.errors) > before or body is None:
            continue
        member = ("m", number) if number else ("o", organisation.id if organisation else 0)
        start = dates["fra"]
        key = (body.id, member, start)
        if key in plans:
            result.error(
                row,
                "fra",
                _("Samme organ, medlem og startdato står også i rad {other}.").format(
                    other=plans[key].row
                ),
            )
            continue
        stored = existing.get(key)
        written = values.get("rolle", stored.role if stored else "")
        role = known_code(written or "member", ROLE_LABELS, "rolle", row, result)
        if role is None:
            continue
        end = dates["til"] if "til" in values else (stored.end_date if stored else None)
        if start and end and end < start:
            result.error(row, "til", _("Sluttdatoen kan ikke være før startdatoen."))
            continue
        plans[key] = _MembershipPlan(
            row=row,
            body=body,
            member=member,
            municipality_number=number or None,
            organisation_id=organisation.id if organisation else None,
            role=role,
            start_date=start,
            end_date=end,
            existing=stored,
        )
    if result.errors:
        return
    _check_overlaps(plans, existing, result)
    if result.errors:
        return

    # Updates first, earliest start first, so that a shortened period is stored before the
    # next one is checked against it; then the new memberships.
    updates = sorted(
        (p for p in plans.values() if p.existing is not None),
        key=lambda p: p.start_date or date.min,
    )
    for plan in updates:
        membership = plan.existing
        assert membership is not None
        changed = False
        if plan.end_date != membership.end_date:
            if plan.end_date is not None:
                networks_service.end_membership(
                    session, ws, plan.body.id, membership.id, plan.end_date
                )
            else:
                membership.end_date = None  # the service has no use case for reopening
            changed = True
        if plan.role != membership.role:
            membership.role = plan.role  # nor for changing the role
            changed = True
        if changed:
            session.flush()
            result.updated += 1
    for plan in plans.values():
        if plan.existing is not None:
            continue
        networks_service.add_membership(
            session,
            ws,
            plan.body.id,
            MembershipForm.model_validate(plan, from_attributes=True),
        )
        result.created += 1


@dataclass
class _Span:
    start: date
    end: date
    plan: _MembershipPlan | None
    stored: BodyMembership | None


def _check_overlaps(
    plans: dict[tuple[int, MemberKey, date | None], _MembershipPlan],
    existing: dict[tuple[int, MemberKey, date | None], BodyMembership],
    result: ImportResult,
) -> None:
    """Periods of the same member in the same body may not overlap: neither two rows of the
    file, nor a row and a stored membership the file does not replace."""
    groups: dict[tuple[int, MemberKey], list[_Span]] = defaultdict(list)
    for (body_id, member, _start), plan in plans.items():
        groups[(body_id, member)].append(
            _Span(plan.start_date or date.min, plan.end_date or date.max, plan, None)
        )
    for key, stored in existing.items():
        if key in plans:
            continue
        body_id, member, _start = key
        if (body_id, member) in groups:
            groups[(body_id, member)].append(
                _Span(stored.start_date or date.min, stored.end_date or date.max, None, stored)
            )
    for spans in groups.values():
        spans.sort(key=lambda s: (s.start, s.plan is not None))
        widest: _Span | None = None
        for span in spans:
            if widest is not None and span.start <= widest.end:
                _report_overlap(span, widest, result)
            if widest is None or span.end > widest.end:
                widest = span


def _report_overlap(span: _Span, other: _Span, result: ImportResult) -> None:
    row_span, against = (span, other) if span.plan is not None else (other, span)
    if row_span.plan is None:
        return  # two stored memberships: not this file's doing
    if against.plan is not None:
        message = _("Perioden overlapper med rad {other} (samme organ og medlem).").format(
            other=against.plan.row
        )
    else:
        assert against.stored is not None
        message = _(
            "Perioden overlapper med et medlemskap som allerede er registrert ({period})."
        ).format(period=_period(against.stored.start_date, against.stored.end_date))
    result.error(row_span.plan.row, "fra", message)
