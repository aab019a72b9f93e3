"""What every export shares: the content types, :class:`AfterTransaction`, and the parts both
consultation summary formats (DOCX and PDF) show in the same order: the title, the facts, the
figures, and every comment and amendment numbered through the whole summary. Meaning never rests
on colour alone: removed and added words are struck through and underlined, and a legend says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from app import clock
from app.i18n import _, get_locale
from app.strategies.consultation.answers import ANSWER_LABELS
from app.strategies.models import ConsultationComment
from app.strategies.summary import Item, SectionSummary, Summary
from app.web import templates

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_LANGUAGE_TAGS = {"nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}


class AfterTransaction(Response):
    """A response made only as it is sent: after the route has returned, and so after the
    request's transaction has ended (``get_session`` commits as the route returns).

    Rendering a long consultation as PDF takes seconds. Made inside the route, it would keep
    the request's transaction and connection open all that time; on SQLite, once the request
    has written anything (a session's "last seen" is saved at most once a minute, even on a
    GET), with the write lock taken, so that everyone else's changes wait and then fail. The
    route loads what the export needs and hands over ``make``, which must not use the
    database: its objects are detached by then (loaded attributes read fine; anything not
    loaded raises). An error in ``make`` is an ordinary 500, since nothing has been sent yet."""

    def __init__(self, make: Callable[[], Response]) -> None:
        super().__init__()
        self._make = make

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await run_in_threadpool(self._make)
        response.background = self.background
        await response(scope, receive, send)


def _time(value: datetime | None) -> str:
    """Norwegian local time, dd.mm.yyyy HH:MM, exactly as the pages show it."""
    return str(templates.env.filters["localtime"](value))


def _date(value: date | datetime | None) -> str:
    return str(templates.env.filters["localdate"](value))


def _language() -> str:
    return _LANGUAGE_TAGS.get(get_locale(), "nb-NO")


# --- what both summary formats show -------------------------------------------------------


@dataclass
class Entry:
    """A top-level comment or amendment with its running number in the summary."""

    number: int
    item: Item

    @property
    def comment(self) -> ConsultationComment:
        return self.item.comment

    @property
    def is_amendment(self) -> bool:
        return self.item.comment.kind == "amendment"

    @property
    def heading(self) -> str:
        if self.is_amendment:
            return _("Endringsforslag {n}").format(n=self.number)
        return _("Kommentar {n}").format(n=self.number)

    @property
    def answer_label(self) -> str:
        answer = self.item.comment.answer
        return _(ANSWER_LABELS[answer]) if answer in ANSWER_LABELS else _("Ikke besvart")


def _entries(sections: Sequence[SectionSummary]) -> list[tuple[SectionSummary, list[Entry]]]:
    """Sections with their comments numbered 1, 2, 3 … through the whole summary, so that a
    letter or a decision can refer to "kommentar 7"."""
    out: list[tuple[SectionSummary, list[Entry]]] = []
    n = 0
    for s in sections:
        entries = []
        for item in s.items:
            n += 1
            entries.append(Entry(n, item))
        out.append((s, entries))
    return out


def _author(c: ConsultationComment) -> str:
    who = f"{c.author_name}, {c.author_org}" if c.author_org else c.author_name
    return f"{who} – {_time(c.created_at)}"


def _facts(s: Summary) -> list[tuple[str, str]]:
    """The head of the summary: what was consulted, which version and when."""
    v = s.version
    version = _("{n}, publisert {date}").format(n=v.number, date=_date(v.published_at))
    facts = [
        (_("Dokument"), s.document.title),
        (_("Versjon"), version),
        (_("Høringsperiode"), f"{_date(s.round.starts_on)}–{_date(s.round.ends_on)}"),
    ]
    if s.round.closed_at is not None:
        facts.append((_("Avsluttet før fristen"), _date(s.round.closed_at)))
    if v.case_number:
        facts.append((_("Saksnummer"), v.case_number))
    if s.round.answers_published_at is not None:
        facts.append((_("Svarene publisert"), _date(s.round.answers_published_at)))
    facts.append((_("Laget"), _time(clock.now())))
    return facts


def _figures(s: Summary) -> list[tuple[str, int]]:
    rows = [(_("Kommentarer"), s.comments), (_("Endringsforslag"), s.amendments)]
    rows += [(_(label), s.by_answer.get(key, 0)) for key, label in ANSWER_LABELS.items()]
    rows.append((_("Ikke besvart"), s.unanswered))
    return rows


ROUND_WORD = re.compile(r"(?i)^(?:høring|høyring|consultation)\b\s*(?P<sep>[:–—-])?\s*")


def _title(s: Summary) -> str:
    """ "Høringsoppsummering: {round}", without saying "høring" twice: a round called "Høring:
    Regional plan" gives "Høringsoppsummering: Regional plan", one called "Høring om
    strategien" gives "Oppsummering: Høring om strategien"."""
    title = s.round.title.strip()
    word = ROUND_WORD.match(title)
    if word and word.group("sep") and title[word.end() :]:
        title = title[word.end() :]
    elif word:
        return _("Oppsummering: {title}").format(title=title)
    return _("Høringsoppsummering: {title}").format(title=title)


def _silent(s: Summary, name: str) -> str:
    return _("{name} (svarte ikke)").format(name=name) if name in s.silent else name


def _diff_legend() -> str:
    return _(
        "Foreslått ny tekst for avsnittet. Gjennomstreket tekst foreslås fjernet, understreket "
        "tekst foreslås lagt til."
    )


def _paragraphs(value: str) -> list[str]:
    """Plain text in paragraphs (blank lines); single line breaks stay inside a paragraph."""
    blocks = (value or "").replace("\r\n", "\n").split("\n\n")
    return [b.strip("\n") for b in blocks if b.strip()]
