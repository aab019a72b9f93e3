"""The hjelpekorps as the rest of the house calls it — the names other modules (the start page,
the settings, the command line) may use. Inside the module the work is split by what it does:

- ``queue``: who sees which requests, the queue with its views and filters, one request;
- ``lifecycle``: filing, the state machine, replies and notes, files, rating, follow-up;
- ``triage``: the coordinators' assessment, who may be assigned, the suggested helpers;
- ``notifications``: e-mail to the people involved, one thread per request;
- ``due``: due times from the service levels (``sla``), and what is overdue;
- ``figures``: the numbers on the start page; ``dashboard/``: the full figures;
- ``work``: plan, links and time spent; ``visits``: visits and the agenda;
- ``attachments``: files; ``helpers/``: the help corps' profiles;
- ``labels``: what people read for the stored keys.
"""

from __future__ import annotations

from app.helpdesk.due import fill_missing_derived, refresh_all_due
from app.helpdesk.figures import (
    HelpdeskFigures,
    KeyFigures,
    duration,
    key_figures,
    overview_figures,
)
from app.helpdesk.labels import CATEGORY_LABELS, PRIORITY_LABELS, STATE_LABELS
from app.helpdesk.queue import open_requests_from

__all__ = [
    "CATEGORY_LABELS",
    "PRIORITY_LABELS",
    "STATE_LABELS",
    "HelpdeskFigures",
    "KeyFigures",
    "duration",
    "fill_missing_derived",
    "key_figures",
    "open_requests_from",
    "overview_figures",
    "refresh_all_due",
]
