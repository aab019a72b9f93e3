from datetime import datetime, timedelta

from app.helpdesk.sla import CALENDAR, OSLO, due_times


def oslo(*args):
    return datetime(*args, tzinfo=OSLO)


def test_working_hours_skip_evenings_weekends_and_easter():
    # Wednesday 1 April 2026 at 15:00, 60 working minutes: 30 today, then Maundy Thursday,
    # Good Friday, the weekend and Easter Monday are holidays -> Tuesday 7 April 08:30.
    assert CALENDAR.add(oslo(2026, 4, 1, 15, 0), 60) == oslo(2026, 4, 7, 8, 30)
    # Before opening counts from 08:00.
    assert CALENDAR.add(oslo(2026, 11, 27, 6, 0), 30) == oslo(2026, 11, 27, 8, 30)
    # Friday afternoon to Monday.
    assert CALENDAR.add(oslo(2026, 11, 27, 15, 0), 60) == oslo(2026, 11, 30, 8, 30)
    # 17 May 2027 is a Monday and a holiday; Ascension Day 2026 is Thursday 14 May.
    assert not CALENDAR.is_working_day(oslo(2027, 5, 17).date())
    assert not CALENDAR.is_working_day(oslo(2026, 5, 14).date())
    assert CALENDAR.is_working_day(oslo(2026, 5, 13).date())


def test_minutes_between_is_the_inverse_of_add():
    start = oslo(2026, 12, 22, 14, 0)
    # 90 + 450 (23rd) + 450 (24th is a working day in Norway) = 990; the 25th, 26th and the
    # Sunday are not: the last 210 minutes fall on Monday 28th.
    end = CALENDAR.add(start, 1200)
    assert end == oslo(2026, 12, 28, 11, 30)
    assert abs(CALENDAR.minutes_between(start, end) - 1200) < 1e-6
    assert CALENDAR.minutes_between(end, start) == 0


def test_waiting_for_the_municipality_pauses_the_resolution_clock():
    created = oslo(2026, 11, 2, 8, 0)  # a Monday
    now = oslo(2026, 11, 3, 12, 0)
    plain = due_times(
        created_at=created,
        priority="urgent",
        first_response_at=None,
        resolved_at=None,
        waits=[],
        now=now,
    )
    # Urgent: first response within 4 working hours, resolution within 15.
    assert plain.first_response_due == oslo(2026, 11, 2, 12, 0)
    assert plain.resolution_due == oslo(2026, 11, 3, 15, 30)  # 7.5 + 7.5 working hours
    assert plain.first_response_overdue and not plain.resolution_overdue
    paused = due_times(
        created_at=created,
        priority="urgent",
        first_response_at=created,
        resolved_at=None,
        waits=[(oslo(2026, 11, 2, 9, 0), oslo(2026, 11, 2, 11, 0))],
        now=now,
    )
    assert paused.resolution_due == oslo(2026, 11, 4, 10, 0)  # two working hours later
    assert paused.resolution_due - plain.resolution_due > timedelta(hours=2)  # across the night
    assert not paused.first_response_overdue
