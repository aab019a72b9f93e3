"""Full-text search across the workspace's documents, draft sections and consultation comments.

PostgreSQL: the 'norwegian' text-search configuration over expression indexes (stemming:
"kommunene" finds "kommune"), ranked with ts_rank, highlighted with ts_headline.
SQLite: the FTS5 table the migration keeps with triggers, ranked with bm25, every word
matched as a prefix. Both highlight with control characters that are swapped for <mark> after
the text has been escaped, so nothing a user wrote is ever taken as markup."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.counties.models import Workspace
from app.strategies.models import (
    ConsultationComment,
    ConsultationRound,
    StrategyDocument,
    StrategySection,
)
from app.tenancy import scoped

LIMIT = 50
START, STOP = "\x02", "\x03"


@dataclass
class Hit:
    kind: str  # "document", "section", "comment"
    id: int
    document_id: int
    document_title: str
    title: str  # the document, the section heading, or who commented (name, organisation)
    snippet: Markup
    url: str


def _mark(raw: str | None) -> Markup:
    escaped = str(escape(raw or ""))
    return Markup(  # noqa: S704 - the text is escaped; only our own markers become <mark>
        escaped.replace(START, "<mark>").replace(STOP, "</mark>")
    )


_HEADLINE = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=10"
# Each branch matches on the stored vector (see the migration) with the query written out in
# the condition, ``search_vector @@ websearch_to_tsquery('norwegian', :q)``: a constant the GIN
# index can take (a query from a CTE joined in is a join filter the index never sees, so every
# row of the workspace was read and tested). Only the best LIMIT rows get a headline, which is
# the expensive part.
_TSQ = "websearch_to_tsquery('norwegian', :q)"
_PG = f"""
SELECT kind, id, document_id, document_title, title,
       ts_headline('norwegian', content, {_TSQ}, '{_HEADLINE}') AS snippet,
       rank, round_id
FROM (
  SELECT 'document' AS kind, d.id, d.id AS document_id, d.title AS document_title,
         d.title AS title, coalesce(d.title, '') || ' ' || coalesce(d.summary, '') AS content,
         ts_rank(d.search_vector, {_TSQ}) AS rank, NULL::integer AS round_id
  FROM strategy_document d
  WHERE d.workspace_id = :ws AND d.search_vector @@ {_TSQ}
  UNION ALL
  SELECT 'section', s.id, s.document_id, d.title, s.heading,
         coalesce(s.heading, '') || ' ' || coalesce(s.body, ''),
         ts_rank(s.search_vector, {_TSQ}), NULL::integer
  FROM strategy_section s JOIN strategy_document d ON d.id = s.document_id
  WHERE s.workspace_id = :ws AND s.search_vector @@ {_TSQ}
  UNION ALL
  SELECT 'comment', c.id, r.document_id, d.title, c.author_name || ', ' || c.author_org,
         coalesce(c.body, '') || ' ' || coalesce(c.proposed_text, ''),
         ts_rank(c.search_vector, {_TSQ}), r.id
  FROM consultation_comment c
    JOIN consultation_round r ON r.id = c.round_id
    JOIN strategy_document d ON d.id = r.document_id
  WHERE c.workspace_id = :ws AND c.search_vector @@ {_TSQ}
  ORDER BY rank DESC, kind, id
  LIMIT :limit
) hits
ORDER BY rank DESC, kind, id
"""

_SQLITE = f"""
SELECT s.kind, s.ref_id, s.title, snippet(strategy_search, 4, '{START}', '{STOP}', '…', 24),
       highlight(strategy_search, 3, '{START}', '{STOP}')
FROM strategy_search s
WHERE strategy_search MATCH :q AND s.workspace_id = :ws
ORDER BY bm25(strategy_search, 0, 0, 0, 4.0, 1.0)
LIMIT :limit
"""

_WORD = re.compile(r"\w+", re.UNICODE)


def fts5_query(q: str) -> str:
    """Each word as a quoted prefix term, all required: no FTS5 syntax from the user."""
    words = _WORD.findall(q)[:12]
    return " ".join(f'"{w}"*' for w in words)


def search(session: Session, ws: Workspace, q: str) -> list[Hit]:
    q = q.strip()[:200]
    if not q:
        return []
    slug = ws.slug
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(text(_PG), {"q": q, "ws": ws.id, "limit": LIMIT}).all()
        return [
            Hit(
                kind,
                id_,
                doc_id,
                doc_title,
                title,
                _mark(snippet),
                _url(slug, kind, id_, doc_id, round_id),
            )
            for kind, id_, doc_id, doc_title, title, snippet, _rank, round_id in rows
        ]
    match = fts5_query(q)
    if not match:
        return []
    found = session.execute(text(_SQLITE), {"q": match, "ws": ws.id, "limit": LIMIT}).all()
    return _resolve(session, ws, found)


def _resolve(session: Session, ws: Workspace, found: Sequence[Any]) -> list[Hit]:
    """SQLite: the FTS rows name their source row; fetch titles and links through the
    scoped helper (the FTS table itself is not a model, so it is filtered by hand)."""
    sections = [r[1] for r in found if r[0] == "section"]
    comments = [r[1] for r in found if r[0] == "comment"]
    where: dict[tuple[str, int], tuple[int, str, int | None, str]] = {}
    titles = dict(
        session.execute(
            scoped(StrategyDocument, ws.id).with_only_columns(
                StrategyDocument.id, StrategyDocument.title
            )
        ).all()
    )
    for d_id, title in titles.items():
        where[("document", d_id)] = (d_id, title, None, title)
    if sections:
        for s_id, doc_id, heading in session.execute(
            scoped(StrategySection, ws.id)
            .with_only_columns(
                StrategySection.id, StrategySection.document_id, StrategySection.heading
            )
            .where(StrategySection.id.in_(sections))
        ):
            where[("section", s_id)] = (doc_id, titles.get(doc_id, ""), None, heading)
    if comments:
        for c_id, r_id, doc_id, name, org in session.execute(
            scoped(ConsultationComment, ws.id)
            .join(ConsultationRound, ConsultationRound.id == ConsultationComment.round_id)
            .with_only_columns(
                ConsultationComment.id,
                ConsultationRound.id,
                ConsultationRound.document_id,
                ConsultationComment.author_name,
                ConsultationComment.author_org,
            )
            .where(ConsultationComment.id.in_(comments))
        ):
            where[("comment", c_id)] = (doc_id, titles.get(doc_id, ""), r_id, f"{name}, {org}")
    hits: list[Hit] = []
    for kind, ref_id, _title, snippet, title_marked in found:
        place = where.get((kind, ref_id))
        if place is None:
            continue
        doc_id, doc_title, round_id, title = place
        shown = snippet if START in (snippet or "") or kind == "comment" else title_marked
        hits.append(
            Hit(
                kind,
                ref_id,
                doc_id,
                doc_title,
                title,
                _mark(shown),
                _url(ws.slug, kind, ref_id, doc_id, round_id),
            )
        )
    return hits


def _url(slug: str, kind: str, id_: int, doc_id: int, round_id: int | None) -> str:
    if kind == "comment":
        return f"/{slug}/hoeringer/{round_id}#k{id_}"
    if kind == "section":
        return f"/{slug}/strategier/{doc_id}#a{id_}"
    return f"/{slug}/strategier/{doc_id}"
