"""Measurement reminders: due 6 and 12 months after the municipality took the innovation into
use, to the plan's responsible person in their language, once only, and not once a
measurement has been made — on both databases, the job given the moment to run at."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.clock import at
from app.innovations import benefits, benefits_reminders
from app.innovations.benefits_schemas import BenefitForm, CopyForm, MeasurementForm, PlanForm
from app.innovations.models import MeasurementReminder
from app.mail.models import OutboxMessage
from app.tenancy import scoped
from factories import adopt, create_innovation, create_user, in_workspace, staff_principal

COORD = staff_principal("coordinator")
IN_USE = date(2026, 1, 15)
RESPONSIBLE = "rita.radgiver@osen.kommune.no"


class Lend:
    """A session factory for ``run_all`` that lends it the test's session (what it writes is
    rolled back with the test)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __call__(self) -> Lend:
        return self

    def __enter__(self) -> Session:
        return self.session

    def __exit__(self, *exc: object) -> None:
        return None


def lend(session: Session) -> sessionmaker[Session]:
    return cast("sessionmaker[Session]", Lend(session))


def osen_plan(db, ws, email: str = RESPONSIBLE):
    """Osen took the innovation into use on 15 January 2026; its plan names Rita."""
    inn = create_innovation(db, ws, "Digital byggesak", origin="5001")
    adopt(db, ws, inn, "5020", status="in_use", in_use_on=IN_USE)
    with in_workspace(db, ws):
        common = benefits.save_common(db, ws, COORD, inn.id, PlanForm())
        benefits.add_benefit(
            db, ws, COORD, inn.id, common.id, BenefitForm(name="Færre telefoner", unit="antall")
        )
        plan = benefits.make_copy(db, ws, COORD, inn.id, CopyForm(municipality_number="5020"))
        benefits.update_plan(
            db,
            ws,
            COORD,
            inn.id,
            plan.id,
            PlanForm(responsible_name="Rita Rådgiver", responsible_email=email or None),
        )
    return inn, plan


def mails(db, ws) -> list[OutboxMessage]:
    return list(
        db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.workspace_id == ws.id)
            .order_by(OutboxMessage.id)
        )
    )


def morning(day: date) -> object:
    return at(day, time(8, 0))


def test_due_six_and_twelve_months_after_in_use_and_sent_once(db, ws):
    _inn, plan = osen_plan(db, ws)
    factory = lend(db)
    assert benefits_reminders.run_all(factory, now=morning(date(2026, 7, 14)))["mails"] == 0
    # on the day, but before 07:00 Norwegian time: not yet
    assert benefits_reminders.run_all(factory, now=at(date(2026, 7, 15), time(6, 30)))["mails"] == 0

    first = benefits_reminders.run_all(factory, now=morning(date(2026, 7, 15)))
    assert first["mails"] == 1 and first["reminders"] == 1
    again = benefits_reminders.run_all(factory, now=morning(date(2026, 7, 15)))
    assert again["mails"] == 0
    sent = mails(db, ws)
    assert [m.recipient for m in sent] == [RESPONSIBLE]
    assert "Digital byggesak" in sent[0].subject and "Osen" in sent[0].subject
    assert f"/innovasjoner/{plan.innovation_id}/gevinster/{plan.id}" in sent[0].body
    assert "Færre telefoner" in sent[0].body
    assert "15. januar 2026" in sent[0].body  # in use since, in bokmål

    assert benefits_reminders.run_all(factory, now=morning(date(2026, 12, 1)))["mails"] == 0
    twelve = benefits_reminders.run_all(factory, now=morning(date(2027, 1, 15)))
    assert twelve["mails"] == 1
    assert len(mails(db, ws)) == 2
    with in_workspace(db, ws):
        rows = db.scalars(scoped(MeasurementReminder, ws.id))
        assert sorted((r.due_on, r.email) for r in rows) == [
            (date(2026, 7, 15), RESPONSIBLE),
            (date(2027, 1, 15), RESPONSIBLE),
        ]


def test_a_late_run_sends_one_mail_for_every_date_that_came(db, ws):
    osen_plan(db, ws)
    done = benefits_reminders.run_all(lend(db), now=morning(date(2027, 2, 1)))
    assert done["mails"] == 1 and done["reminders"] == 2
    assert len(mails(db, ws)) == 1


def test_no_reminder_once_a_later_measurement_exists(db, ws):
    inn, plan = osen_plan(db, ws)
    with in_workspace(db, ws):
        benefit = benefits.get_plan(db, ws, inn.id, plan.id).benefits[0]
        db.add(
            benefits.Measurement(
                workspace_id=ws.id,
                benefit_id=benefit.id,
                measured_on=date(2026, 7, 20),
                value=Decimal("3"),
            )
        )
    # the six-month measurement is made: no reminder for it, even when the job runs after
    assert benefits_reminders.run_all(lend(db), now=morning(date(2026, 8, 1)))["mails"] == 0
    assert mails(db, ws) == []
    # the twelve-month one is still due
    assert benefits_reminders.run_all(lend(db), now=morning(date(2027, 1, 15)))["mails"] == 1


def test_the_measurement_form_covers_a_due_date_measured_a_little_early(db, ws):
    inn, plan = osen_plan(db, ws)
    with in_workspace(db, ws):
        benefit = benefits.get_plan(db, ws, inn.id, plan.id).benefits[0]
        benefits.add_measurement(
            db,
            ws,
            COORD,
            inn.id,
            plan.id,
            benefit.id,
            MeasurementForm(measured_on=date(2026, 7, 1), value=2),
        )
    assert benefits_reminders.run_all(lend(db), now=morning(date(2026, 7, 15)))["mails"] == 0


def test_a_user_with_english_chosen_gets_the_reminder_in_english(db, ws):
    user = create_user(db, email=RESPONSIBLE, name="Rita Rådgiver")
    user.locale = "en"
    db.flush()
    osen_plan(db, ws)
    assert benefits_reminders.run_all(lend(db), now=morning(date(2026, 7, 15)))["mails"] == 1
    body = mails(db, ws)[0].body
    # the dates are written the English way (the words follow once the texts are translated)
    assert "15 January 2026" in body and "15 July 2026" in body
    assert "januar" not in body and "juli" not in body


def test_no_reminder_without_a_responsible_person_or_before_in_use(db, ws):
    inn, plan = osen_plan(db, ws, email="")
    assert benefits_reminders.run_all(lend(db), now=morning(date(2026, 7, 15)))["mails"] == 0
    adopt(db, ws, inn, "5020", status="in_progress")
    with in_workspace(db, ws):
        benefits.update_plan(
            db, ws, COORD, inn.id, plan.id, PlanForm(responsible_email=RESPONSIBLE)
        )
    assert benefits_reminders.run_all(lend(db), now=morning(date(2026, 7, 15)))["mails"] == 0
    assert mails(db, ws) == []
