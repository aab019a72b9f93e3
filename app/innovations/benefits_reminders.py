"""Measurement reminders by e-mail: when a municipality's benefits are due to be measured (6
and 12 months after it took the innovation into use, and at each benefit's target date), the
plan's responsible person gets a mail in their own language with what to measure and where.

Sending is idempotent: a :class:`MeasurementReminder` row per (plan, due date, address) is
written in the same savepoint as the mail is queued, and its unique constraint turns a second,
concurrent run into a no-op. Several due dates come at once (the worker was down, the plan was
made late): one mail, every date marked. A due date a measurement has already taken care of
(one on or after it, or shortly before) is skipped, and so is one more than a year old.

``job`` is run every hour by ``samspill worker``.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from app.accounts import service as accounts_service
from app.clock import local, local_date, utcnow
from app.counties.models import Workspace
from app.i18n import _, speaking
from app.innovations import benefits, benefits_status
from app.innovations import service as innovations
from app.innovations.models import Adoption, BenefitPlan, Innovation, MeasurementReminder
from app.mail import service as mail
from app.schemes.reminder_mail import Recipient, base_url
from app.schemes.reminder_text import date_text
from app.schemes.reminders import language_of
from app.tenancy import scoped, set_db_scope

log = logging.getLogger("samspill.innovations")

SEND_FROM = time(7, 0)  # a due day's mail goes out from 07:00 Norwegian time
STALE_DAYS = 365  # a due date older than this is not worth a reminder any more


def plan_url(ws: Workspace, plan: BenefitPlan) -> str:
    return f"{base_url()}/{ws.slug}/innovasjoner/{plan.innovation_id}/gevinster/{plan.id}"


def compose(
    ws: Workspace,
    who: Recipient,
    plan: BenefitPlan,
    title: str,
    municipality: str,
    in_use_on: date,
    due: list[date],
    locale: str,
) -> tuple[str, str, dict[str, str]]:
    """Subject, body and headers of the reminder about ``plan`` (``due``: oldest first)."""
    with speaking(locale):
        subject = _("Tid for å måle gevinstene: {title} i {municipality}").format(
            title=title, municipality=municipality
        )
        greeting = _("Hei, {name}!").format(name=who.name) if who.name else _("Hei!")
        parts = [
            greeting,
            "",
            _("Det er tid for å måle gevinstene av «{title}» i {municipality}.").format(
                title=title, municipality=municipality
            ),
            _("Kommunen tok løsningen i bruk {day}.").format(day=date_text(in_use_on, locale)),
            _("Målingen var planlagt {days}.").format(
                days=", ".join(date_text(d, locale) for d in due)
            ),
            "",
            _("Gevinster som skal måles:"),
        ]
        for b in plan.benefits:
            if b.status == "dropped":
                continue
            line = f"- {' '.join(b.name.split())}"
            if b.unit:
                line += f" ({b.unit})"
            if b.measured_by:
                line += " – " + _("måles av {who}").format(who=b.measured_by)
            parts.append(line)
        parts += [
            "",
            _("Før inn målingene her: {url}").format(url=plan_url(ws, plan)),
            "",
            "-- ",
            _(
                "Du får denne e-posten fordi du står som ansvarlig for gevinstplanen i "
                "{county} i Samspill. Ansvarlig kan endres på planen."
            ).format(county=ws.name),
            "",
        ]
        body = "\n".join(parts)
    headers = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
    return " ".join(subject.split())[:300], body, headers


def run_workspace(session: Session, ws: Workspace, now: datetime | None = None) -> dict[str, int]:
    """Queue the reminders due in ``ws`` at ``now`` (the current time unless given). The caller
    has set the workspace scope and commits."""
    now = now or utcnow()
    day = local_date(now)
    if local(now).time() < SEND_FROM:
        day -= timedelta(days=1)  # today's due dates wait until 07:00
    totals = {"mails": 0, "reminders": 0, "skipped": 0}
    rows = session.execute(
        scoped(BenefitPlan, ws.id)
        .join(
            Adoption,
            (Adoption.workspace_id == ws.id)
            & (Adoption.innovation_id == BenefitPlan.innovation_id)
            & (Adoption.municipality_number == BenefitPlan.municipality_number),
        )
        .where(
            BenefitPlan.municipality_number.is_not(None),
            BenefitPlan.responsible_email != "",
            Adoption.status == "in_use",
            Adoption.in_use_on.is_not(None),
        )
        .add_columns(Adoption.in_use_on)
        .options(selectinload(BenefitPlan.benefits))
        .order_by(BenefitPlan.id)
    ).all()
    if not rows:
        return totals
    plans = [plan for plan, _in_use in rows]
    sent = {
        (r.plan_id, r.due_on, r.email)
        for r in session.scalars(
            scoped(MeasurementReminder, ws.id).where(
                MeasurementReminder.plan_id.in_([p.id for p in plans])
            )
        )
    }
    measured = benefits_status.measured_dates(session, ws, plans)
    titles = dict(
        session.execute(
            innovations.visible_innovations(ws)
            .where(Innovation.id.in_({p.innovation_id for p in plans}))
            .with_only_columns(Innovation.id, Innovation.title)
        ).all()
    )
    names = benefits.municipality_names(session, {p.municipality_number or "" for p in plans})
    for plan, in_use_on in rows:
        email = accounts_service.normalise_email(plan.responsible_email)
        due = [
            d
            for d in benefits_status.open_due(
                benefits_status.due_dates(in_use_on, plan.benefits), measured.get(plan.id, [])
            )
            if day - timedelta(days=STALE_DAYS) <= d <= day and (plan.id, d, email) not in sent
        ]
        if not due:
            continue
        who = Recipient(email=email, name=plan.responsible_name)
        locale = language_of(session, who, users_checked=False)
        subject, body, headers = compose(
            ws,
            who,
            plan,
            titles.get(plan.innovation_id, ""),
            names.get(plan.municipality_number or "", plan.municipality_number or ""),
            in_use_on,
            due,
            locale,
        )
        try:
            with session.begin_nested():
                session.add_all(
                    MeasurementReminder(
                        workspace_id=ws.id, plan_id=plan.id, due_on=d, email=email, sent_at=now
                    )
                    for d in due
                )
                session.flush()
                mail.enqueue(
                    session,
                    to=email,
                    subject=subject,
                    body=body,
                    workspace_id=ws.id,
                    headers=headers,
                )
        except IntegrityError:
            totals["skipped"] += 1  # another run sent it in the meantime: that one counts
            continue
        totals["mails"] += 1
        totals["reminders"] += len(due)
    return totals


def run_all(factory: sessionmaker[Session], now: datetime | None = None) -> dict[str, int]:
    """Every workspace, each in its own transaction with its own scope; one that fails is
    logged and tried again next time, the others go on."""
    totals = {"workspaces": 0, "mails": 0, "reminders": 0, "skipped": 0}
    with factory() as session:
        workspace_ids = list(session.scalars(select(Workspace.id).order_by(Workspace.id)))
    for ws_id in workspace_ids:
        try:
            with factory() as session:
                ws = session.get(Workspace, ws_id)
                if ws is None:
                    continue
                set_db_scope(
                    session, workspace_id=ws.id, user_id=None, county_number=ws.county_number
                )
                done = run_workspace(session, ws, now)
                session.commit()
        except Exception:  # the next run tries again; nothing of this workspace was kept
            log.exception("measurement reminders of workspace %s failed", ws_id)
            continue
        totals["workspaces"] += 1
        for key, value in done.items():
            totals[key] += value
    if totals["mails"]:
        log.info("measurement reminders: %s", totals)
    return totals


def job(factory: sessionmaker[Session]) -> dict[str, int]:
    """The worker's hourly job: the measurement reminders due now."""
    return run_all(factory)
