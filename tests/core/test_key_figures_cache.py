"""The help desk's twelve-month key figures on the start page (median time to a first response,
average rating) cost a pass over a year of requests, so they are computed at most every
``key_figures_cache_seconds`` per workspace and say when they were computed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from app import clock
from app.config import get_settings
from app.counties.models import Workspace
from app.helpdesk import figures
from factories import create_help_request, create_member, in_workspace


def year(db: Session, ws: Workspace, **kwargs: object) -> figures.KeyFigures:
    """The figures as the start page gets them: in the workspace's scope."""
    with in_workspace(db, ws):
        return figures.key_figures(db, ws, **kwargs)  # type: ignore[arg-type]


def test_the_year_figures_are_computed_at_most_every_ten_minutes(
    db: Session, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMSPILL_KEY_FIGURES_CACHE_SECONDS", "600")
    get_settings.cache_clear()
    monkeypatch.setattr(figures, "_YEARS", {})
    requester = create_member(db, ws, "municipal")

    def answered(minutes: int, rating: int) -> None:
        req = create_help_request(db, ws, requester)
        with in_workspace(db, ws):
            req.first_response_minutes = minutes
            req.rating = rating
            db.flush()

    answered(30, 4)
    first = year(db, ws)
    assert first.average_rating == 4 and first.median_first_response_minutes == 30
    assert first.computed_at is not None
    shown = clock.local(first.computed_at).strftime("%H:%M")
    assert figures.freshness(first) == f"oppdatert kl. {shown}"

    answered(90, 2)
    again = year(db, ws)  # within ten minutes: the same figures, same time
    assert again.average_rating == 4 and again.computed_at == first.computed_at

    later_time = first.computed_at + timedelta(minutes=10)
    monkeypatch.setattr(figures, "utcnow", lambda: later_time)
    later = year(db, ws)
    assert later.average_rating == 3 and later.computed_at == later_time
    # Asked for a given moment (the dashboard, a report), they are always computed afresh.
    assert year(db, ws, now=clock.utcnow()).average_rating == 3


def test_without_a_cache_every_view_computes_them(
    db: Session, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMSPILL_KEY_FIGURES_CACHE_SECONDS", "0")
    get_settings.cache_clear()
    requester = create_member(db, ws, "municipal")
    req = create_help_request(db, ws, requester)
    with in_workspace(db, ws):
        req.rating = 5
        db.flush()
    assert year(db, ws).average_rating == 5
    with in_workspace(db, ws):
        req.rating = 1
        db.flush()
    assert year(db, ws).average_rating == 1
