"""The county page reads the key figures of every module in one statement (issue 16): the numbers
are the ones the modules' own services give, on both databases."""

from __future__ import annotations

import re
from datetime import timedelta

from app.clock import today
from app.meetings import service as meetings_service
from app.networks import coverage
from app.strategies.consultation import rounds
from factories import (
    add_body_member,
    create_body,
    create_document,
    create_help_request,
    create_meeting,
    create_member,
    create_round,
    create_workspace,
    in_workspace,
    login,
    principal_of,
)


def _figures(html: str) -> dict[str, str]:
    """The figures on the page: label (up to its first comma) → value."""
    found = re.findall(
        r'figure__value">([^<]*)</span><span class="figure__label">([^<]*)</span>', html
    )
    return {label.split(",")[0].replace("\u00ad", ""): value for value, label in found}


def test_the_county_page_shows_each_modules_own_figures_read_in_one_statement(
    client, db, count_queries
):
    ws = create_workspace(db)
    coordinator = create_member(db, ws, "coordinator")
    municipal = create_member(db, ws, "municipal")
    # Networks: a municipality in a council only through one of its working groups counts as
    # in a council; one in a digitalisation network, one in a network of another theme.
    council = create_body(db, ws, "Trøndelag sør", kind="council")
    group = create_body(db, ws, "Arbeidsgruppe", kind="working_committee", parent_id=council.id)
    add_body_member(db, ws, group, "5001")
    digital = create_body(db, ws, "Digi Trøndelag", kind="network", theme="digitalisation")
    add_body_member(db, ws, digital, "5006")
    other = create_body(db, ws, "Klimanettverket", kind="network", theme="climate")
    add_body_member(db, ws, other, "5007")
    # The help desk: two first responses (an even number: the median is the mean of the two
    # middle ones), two ratings, one request open more than four weeks.
    answered = [create_help_request(db, ws, municipal) for _ in range(3)]
    with in_workspace(db, ws):
        for req, minutes, rating in zip(answered, (30, 60, None), (4, 3, None), strict=True):
            req.first_response_minutes = minutes
            req.rating = rating
        answered[2].created_at = answered[2].created_at - timedelta(days=40)
        db.flush()
    # Strategies: one round open now; meetings: one to come.
    doc = create_document(db, ws, coordinator, publish=True)
    create_round(db, ws, coordinator, doc, starts_on=today(), ends_on=today() + timedelta(days=9))
    create_meeting(db, ws, council, day=today() + timedelta(days=3))

    login(client, coordinator)
    client.get(f"/{ws.slug}/oversikt")
    with count_queries() as q:
        html = client.get(f"/{ws.slug}/oversikt").text
    assert sum("figures_0" in s for s in q.statements) == 1, q.statements
    shown = _figures(html)

    with in_workspace(db, ws):
        nets = coverage.overview_figures(db, ws)
        open_rounds = rounds.open_rounds(db, ws)
        upcoming = meetings_service.upcoming_count(db, ws, principal_of(db, ws, coordinator))
    assert shown["regionråd"] == str(nets.councils) == "1"
    assert shown["nettverk"] == str(nets.networks) == "2"
    county = len(nets.no_council) + 1  # 5001 is in a council (through the working group)
    assert shown["kommuner uten regionråd"] == str(len(nets.no_council)) == str(county - 1)
    assert shown["kommuner uten digitaliseringsnettverk"] == str(len(nets.no_digital_network))
    assert len(nets.no_digital_network) == county - 1  # 5006 only
    assert shown["åpne høringer"] == str(open_rounds) == "1"
    assert shown["kommende møter"] == upcoming == "1"
    assert shown["åpne forespørsler til hjelpekorpset"] == "3"
    assert shown["åpne i mer enn 4 uker"] == "1"
    assert shown["til første svar (median"] == "45 min"
    assert shown["av 5 i snitt fra kommunene"] == "3,5"
