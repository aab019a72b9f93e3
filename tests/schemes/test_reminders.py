"""Deadline reminders by e-mail: who gets them, when, in which language, once only, as one
digest per address and run, and the link that stops them — on both databases, delivered over
SMTP on loopback."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import cast

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.clock import at, local_date, today
from app.config import get_settings
from app.mail.models import OutboxMessage
from app.schemes import reminder_token, reminders
from app.schemes import service as schemes_service
from app.schemes.models import DeadlineReminder, ReminderOptOut
from app.schemes.reminder_text import deadline_text
from app.schemes.schemas import NoteForm
from app.tenancy import scoped
from factories import (
    create_call,
    create_member,
    create_person,
    create_scheme,
    create_workspace,
    csrf,
    in_workspace,
    national_scheme,
    post,
)

COORDINATOR = "kari.koordinator@fylke.no"
DIGITAL = "dina.digital@osen.kommune.no"
SCHOOL = "skule.skole@osen.kommune.no"


class Lend:
    """A session factory for ``reminders.run_all`` that lends it the test's session (so that
    what it writes is rolled back with the test)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __call__(self) -> Lend:
        return self

    def __enter__(self) -> Session:
        return self.session

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.fixture
def people(db, ws):
    """A coordinator, a contact for digitalisation and one for school in Osen."""
    coordinator = create_member(db, ws, "coordinator", email=COORDINATOR, name="Kari Koordinator")
    create_person(db, ws, "Dina Digital", areas=["digitalisation"], email=DIGITAL)
    create_person(db, ws, "Skule Skole", areas=["school"], email=SCHOOL)
    return coordinator


def lend(session: Session) -> sessionmaker[Session]:
    return cast("sessionmaker[Session]", Lend(session))


def run(db, ws, now: datetime) -> dict[str, int]:
    with in_workspace(db, ws):
        return reminders.run_workspace(db, ws, now)


def day_before(call, days: int, clock: time = time(8, 0)) -> datetime:
    """``days`` before the call's deadline day, at ``clock`` Norwegian time."""
    return at(local_date(call.deadline) - timedelta(days=days), clock)


def queued(db, ws) -> list[OutboxMessage]:
    with in_workspace(db, ws):  # the outbox shows each workspace only its own mail
        return list(
            db.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.workspace_id == ws.id)
                .order_by(OutboxMessage.id)
            )
        )


def to(db, ws, address: str) -> list[OutboxMessage]:
    return [m for m in queued(db, ws) if m.recipient == address]


def sent_rows(db, ws) -> set[tuple[int, int, str]]:
    with in_workspace(db, ws):
        rows = db.scalars(scoped(DeadlineReminder, ws.id))
        return {(r.call_id, r.days_before, r.email) for r in rows}


def opt_out_path(message: OutboxMessage) -> str:
    match = re.search(r"http://[^/\s]+(/\S+/virkemidler/avmelding/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_job_twice_at_the_same_moment_sends_once(db, ws, people):
    digifin = national_scheme(db, "digifin")
    call = create_call(db, ws, digifin, title="DigiFin 2027", deadline=today() + timedelta(days=40))
    factory = lend(db)

    assert reminders.run_all(factory, now=day_before(call, 22))["mails"] == 0  # not yet
    first = reminders.run_all(factory, now=day_before(call, 21))
    assert first["mails"] == 2 and first["reminders"] == 2
    assert {m.recipient for m in queued(db, ws)} == {COORDINATOR, DIGITAL}
    again = reminders.run_all(factory, now=day_before(call, 21))
    assert again["mails"] == 0 and len(queued(db, ws)) == 2
    assert sent_rows(db, ws) == {(call.id, 21, COORDINATOR), (call.id, 21, DIGITAL)}

    # The hours in between send nothing; the 7-day reminder comes once, then nothing more.
    assert reminders.run_all(factory, now=day_before(call, 10))["mails"] == 0
    assert reminders.run_all(factory, now=day_before(call, 7))["mails"] == 2
    assert reminders.run_all(factory, now=day_before(call, 7, time(9, 0)))["mails"] == 0
    assert reminders.run_all(factory, now=day_before(call, 0))["mails"] == 0
    assert len(to(db, ws, DIGITAL)) == 2
    # After the deadline, never.
    assert reminders.run_all(factory, now=call.deadline + timedelta(hours=1))["mails"] == 0


def test_a_concurrent_run_that_read_too_early_sends_nothing_twice(db, ws, people, monkeypatch):
    call = create_call(db, ws, national_scheme(db, "digifin"))
    now = day_before(call, 21)
    assert run(db, ws, now)["mails"] == 2
    # A second worker that read "nothing sent yet" before the first one committed: the unique
    # constraint on the reminder rows stops each of its mails, and it queues none.
    monkeypatch.setattr(reminders, "_already_sent", lambda *args: set())
    late = run(db, ws, now)
    assert late == {"mails": 0, "reminders": 0, "skipped": 2}
    assert len(queued(db, ws)) == 2


def test_a_digest_lists_every_call_due_in_one_mail(db, ws, people, smtp, deliver):
    deadline = today() + timedelta(days=30)
    digifin = create_call(
        db,
        ws,
        national_scheme(db, "digifin"),
        title="DigiFin 2027",
        deadline=deadline,
        url="https://www.ks.no/digifin-2027",
    )
    skjonn = create_call(
        db,
        ws,
        national_scheme(db, "prosjektskjonnsmidler"),
        title="Skjønnsmidler 2027",
        deadline=deadline + timedelta(days=3),
    )
    assert run(db, ws, day_before(skjonn, 21))["mails"] == 2
    (message,) = to(db, ws, DIGITAL)
    link = opt_out_path(message)  # (the outbox keeps no body once the mail is sent)
    assert deliver() == 2
    (mail,) = [m for m in smtp.messages if m["To"] == DIGITAL]
    assert mail["Subject"] == "2 søknadsfrister nærmer seg i Trøndelag test"
    body = mail.get_content()
    assert body.index("DigiFin 2027") < body.index("Skjønnsmidler 2027")  # soonest first
    assert "Hei, Dina Digital!" in body
    assert deadline_text(digifin.deadline, "nb") in body and "kl. 13.00" in body
    assert "om 18 dager" in body and "om 21 dager" in body
    assert "Søk her: https://www.ks.no/digifin-2027" in body
    assert f"/{ws.slug}/virkemidler/{digifin.scheme_id}" in body
    assert "kontaktperson for digitalisering i Osen" in body
    assert mail["List-Unsubscribe"] == f"<{get_settings().base_url.rstrip('/')}{link}>"
    assert link in body
    assert sent_rows(db, ws) >= {(digifin.id, 21, DIGITAL), (skjonn.id, 21, DIGITAL)}


def test_each_recipient_gets_their_own_language(db, ws, people, smtp, deliver):
    people.locale = "en"  # the coordinator chose English
    db.flush()
    call = create_call(db, ws, national_scheme(db, "digifin"), title="DigiFin 2027")
    run(db, ws, day_before(call, 7))
    deliver()
    mails = {m["To"]: m for m in smtp.messages}
    english = mails[COORDINATOR].get_content()
    norwegian = mails[DIGITAL].get_content()
    assert deadline_text(call.deadline, "en") in english  # "Fri 12 March 2027, 13:00"
    assert deadline_text(call.deadline, "nb") not in english
    assert deadline_text(call.deadline, "nb") in norwegian  # "fre. 12. mars 2027 kl. 13.00"
    assert deadline_text(call.deadline, "en") not in norwegian
    # A contact person who has an account with a language gets that language too.
    create_member(db, ws, "municipal", email="nils@osen.kommune.no").locale = "en"
    create_person(db, ws, "Nils Nynorsk", areas=["innovation"], email="nils@osen.kommune.no")
    run(db, ws, day_before(call, 7, time(10, 0)))
    (nils,) = to(db, ws, "nils@osen.kommune.no")
    assert deadline_text(call.deadline, "en") in nils.body


def test_only_contacts_of_the_schemes_areas_and_of_this_workspace(db, ws, people):
    other = create_workspace(db, county="46", name="Vestland test")
    create_member(db, other, "coordinator", email="vest@vlfk.no")
    create_person(db, other, "Vera Vest", "4601", areas=["digitalisation"], email="vera@bergen.no")
    create_person(db, ws, "Uten Epost", areas=["digitalisation"], email=None)
    climate = create_scheme(db, ws, "Klimafondet", areas=["climate"])
    call = create_call(db, ws, climate, title="Klimarunden")
    other_call = create_call(
        db,
        other,
        national_scheme(db, "digifin"),
        title="Vestlandsrunden",
        deadline=today() + timedelta(days=60),
    )

    totals = reminders.run_all(lend(db), now=day_before(call, 21))
    assert totals["mails"] == 1  # only the coordinator: no contact is for climate
    assert [m.recipient for m in queued(db, ws)] == [COORDINATOR]
    assert queued(db, other) == []  # the other workspace's call is weeks away
    assert "Klimarunden" in queued(db, ws)[0].body

    reminders.run_all(lend(db), now=day_before(other_call, 21))
    assert {m.recipient for m in queued(db, other)} == {"vest@vlfk.no", "vera@bergen.no"}
    assert all("Vestlandsrunden" in m.body for m in queued(db, other))
    assert all("Klimarunden" not in m.body for m in queued(db, other))
    assert DIGITAL not in {m.recipient for m in queued(db, ws) + queued(db, other)}
    assert SCHOOL not in {m.recipient for m in queued(db, ws)}


def test_an_opted_out_address_gets_nothing(db, ws, people):
    call = create_call(db, ws, national_scheme(db, "digifin"))
    with in_workspace(db, ws):
        reminders.opt_out(db, ws, DIGITAL)
        reminders.opt_out(db, ws, DIGITAL)  # again: no change, no error
    run(db, ws, day_before(call, 21))
    assert [m.recipient for m in queued(db, ws)] == [COORDINATOR]
    assert (call.id, 21, DIGITAL) not in sent_rows(db, ws)


def test_the_link_in_the_mail_opts_out_only_on_post(client, db, ws, people):
    call = create_call(db, ws, national_scheme(db, "digifin"))
    run(db, ws, day_before(call, 21))
    path = opt_out_path(to(db, ws, DIGITAL)[0])

    def opted_out() -> list[str]:
        with in_workspace(db, ws):
            return [r.email for r in db.scalars(scoped(ReminderOptOut, ws.id))]

    # A mail scanner (or the person) opens the link: nothing changes.
    for _ in range(2):
        r = client.get(path)
        assert r.status_code == 200
        assert DIGITAL in r.text and "Meld meg av påminnelsene" in r.text
    assert opted_out() == []
    # Without the form's CSRF token the POST is refused.
    assert client.post(path).status_code == 403
    assert opted_out() == []

    r = post(client, path)
    assert r.status_code == 303 and r.headers["location"] == path
    assert opted_out() == [DIGITAL]
    page = client.get(path).text
    assert "får ikke påminnelser om søknadsfrister fra Trøndelag test" in page
    run(db, ws, day_before(call, 7))
    assert len(to(db, ws, DIGITAL)) == 1  # the 7-day reminder did not come
    assert len(to(db, ws, COORDINATOR)) == 2

    # Changed their mind.
    assert post(client, path + "/igjen").status_code == 303
    assert opted_out() == []


def test_a_bad_opt_out_link_is_a_clear_404(client, db, ws):
    other = create_workspace(db, county="46")
    good = reminder_token.make(ws.id, DIGITAL)
    body, signature = good.split(".")
    forged = reminder_token.make(ws.id, "someone@else.no").split(".")[0] + "." + signature
    for url in (
        f"/{ws.slug}/virkemidler/avmelding/tull",
        f"/{ws.slug}/virkemidler/avmelding/{body}.{signature[:-2]}",
        f"/{ws.slug}/virkemidler/avmelding/{forged}",
        f"/{other.slug}/virkemidler/avmelding/{good}",  # made for another workspace
        f"/finnes-ikke/virkemidler/avmelding/{good}",
    ):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "Traceback" not in r.text
    r = client.get(f"/{ws.slug}/virkemidler/avmelding/{forged}")
    assert "Lenken for å melde seg av påminnelser er ugyldig" in r.text
    r = client.post(f"/{ws.slug}/virkemidler/avmelding/{forged}", data={"csrf_token": csrf(client)})
    assert r.status_code == 404
    with in_workspace(db, ws):
        assert list(db.scalars(scoped(ReminderOptOut, ws.id))) == []
    assert client.get(f"/{ws.slug}/virkemidler/avmelding/{good}").status_code == 200


def test_catch_up_sends_one_reminder_and_marks_every_due_day(db, ws, people):
    # Recorded five days before its deadline: both the 21- and the 7-day reminder are due.
    call = create_call(db, ws, national_scheme(db, "digifin"), deadline=today() + timedelta(days=5))
    now = day_before(call, 5)
    assert run(db, ws, now) == {"mails": 2, "reminders": 4, "skipped": 0}
    assert len(to(db, ws, DIGITAL)) == 1 and "om 5 dager" in to(db, ws, DIGITAL)[0].body
    assert sent_rows(db, ws) == {
        (call.id, days, email) for days in (21, 7) for email in (COORDINATOR, DIGITAL)
    }
    assert run(db, ws, now + timedelta(days=2))["mails"] == 0


def test_nothing_for_a_deadline_that_has_passed(db, ws, people):
    # Recorded after its deadline (every reminder day long gone): no reminder ever.
    call = create_call(db, ws, national_scheme(db, "digifin"), deadline=today() - timedelta(days=1))
    assert run(db, ws, day_before(call, -1))["mails"] == 0
    # The deadline is today at 13:00: a run at 14:00 sends nothing either.
    call = create_call(db, ws, national_scheme(db, "digifin"), deadline=today() + timedelta(days=3))
    assert run(db, ws, day_before(call, 0, time(14, 0)))["mails"] == 0
    assert queued(db, ws) == []


def test_the_countys_note_sets_the_days_of_a_national_scheme(db, ws, people):
    digifin = national_scheme(db, "digifin")
    with in_workspace(db, ws):
        schemes_service.save_note(db, ws, digifin.id, NoteForm(reminder_days=[3]))
    call = create_call(db, ws, digifin)
    assert run(db, ws, day_before(call, 21))["mails"] == 0
    assert run(db, ws, day_before(call, 7))["mails"] == 0
    assert run(db, ws, day_before(call, 3, time(6, 59)))["mails"] == 0  # from 07:00
    assert run(db, ws, day_before(call, 3, time(7, 0)))["mails"] == 2
    assert {days for _call, days, _email in sent_rows(db, ws)} == {3}


def test_archived_schemes_remind_no_one(db, ws, people):
    own = create_scheme(db, ws, "Gammelt fond", areas=["digitalisation"])
    call = create_call(db, ws, own)
    with in_workspace(db, ws):
        schemes_service.archive_scheme(db, ws, own.id, True)
    assert run(db, ws, day_before(call, 7))["mails"] == 0


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    from app.config import get_settings
    from app.migrate import migrate

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate(url)
    monkeypatch.setenv("SAMSPILL_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_the_command_runs_the_job_once_and_again_sends_nothing(cli_db):
    from app.cli import cli
    from app.db import make_engine

    engine = make_engine(cli_db)
    with Session(engine) as session:
        ws = create_workspace(session, county="50", name="Kommandolinje")
        create_member(session, ws, "coordinator", email="cli@fylke.no")
        # Three days to go: the 21- and 7-day reminders are both due, whatever the hour.
        create_call(
            session, ws, national_scheme(session, "digifin"), deadline=today() + timedelta(days=3)
        )
        session.commit()
    runner = CliRunner()
    first = runner.invoke(cli, ["schemes-reminders"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(cli, ["schemes-reminders"])
    assert second.exit_code == 0, second.output
    with Session(engine) as session:
        recipients = list(session.scalars(select(OutboxMessage.recipient)))
    engine.dispose()
    assert "mails: 1, reminders: 2" in first.output
    assert "mails: 0" in second.output
    assert recipients == ["cli@fylke.no"]
