"""Full-text search across the workspace's documents, draft sections and consultation comments.

PostgreSQL: the 'norwegian' text-search configuration over expression indexes (stemming:
"kommunene" finds "kommune"), ranked with ts_rank, highlighted with ts_headline.
SQLite: the FTS5 table the migration keeps with triggers, ranked with bm25, every word
matched as a prefix. Both highlight with control characters that are swapped for <mark> after
the text has been escaped, so nothing a user wrote is ever taken as markup.

A word in most rows must not rank them all: only the newest CANDIDATES matches are ranked
(PostgreSQL: of each kind; SQLite: of all kinds together, the FTS5 table holds them in one
rowid order), and the result says when it was capped, so the page can ask for more words."""

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
CANDIDATES = 200  # the newest matches, the only ones ranked (see the module docstring)
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


class Hits(list[Hit]):
    """The best hits, best first. ``capped``: there were more than CANDIDATES matches, so only
    the newest were ranked (more words narrow the search)."""

    capped: bool = False
    candidates = CANDIDATES

    def __init__(self, hits: Sequence[Hit] = (), *, capped: bool = False) -> None:
        super().__init__(hits)
        self.capped = capped


def _mark(raw: str | None) -> Markup:
    escaped = str(escape(raw or ""))
    return Markup(  # noqa: S704 - the text is escaped; only our own markers become <mark>
        escaped.replace(START, "<mark>").replace(STOP, "</mark>")
    )


_HEADLINE = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=10"
# Each kind's candidates are its newest CANDIDATES + 1 matches, taken in the order of an index
# the table already has (comments: newest round first, through ix_consultation_comment_round;
# sections: newest document first, through ix_strategy_section_document; documents: newest
# first), so a word in most rows stops after a few hundred of them instead of ranking them all.
# A rare word is still found through the GIN index and sorted (the planner chooses, from the
# word's frequency). The match is written out in each condition,
# ``search_vector @@ websearch_to_tsquery('norwegian', :q)``: a constant the GIN index can take
# (a query from a CTE joined in is a join filter the index never sees). Only CANDIDATES of each
# kind are ranked (the extra one only says that there were more), and only the best LIMIT rows
# get a headline, which is the expensive part.
_TSQ = "websearch_to_tsquery('norwegian', :q)"
_PG = f"""
WITH documents AS MATERIALIZED (
  SELECT d.id, d.title, d.summary, d.search_vector
  FROM strategy_document d
  WHERE d.workspace_id = :ws AND d.search_vector @@ {_TSQ}
  ORDER BY d.id DESC
  LIMIT :candidates + 1
), sections AS MATERIALIZED (
  SELECT s.id, s.document_id, s.position, s.heading, s.body, s.search_vector
  FROM strategy_section s
  WHERE s.workspace_id = :ws AND s.search_vector @@ {_TSQ}
  ORDER BY s.document_id DESC, s.position DESC
  LIMIT :candidates + 1
), comments AS MATERIALIZED (
  SELECT c.id, c.round_id, c.section_key, c.author_name, c.author_org, c.body, c.proposed_text,
         c.search_vector
  FROM consultation_comment c
  WHERE c.workspace_id = :ws AND c.search_vector @@ {_TSQ}
  ORDER BY c.round_id DESC, c.section_key DESC, c.id DESC
  LIMIT :candidates + 1
)
SELECT kind, id, document_id, document_title, title,
       ts_headline('norwegian', content, {_TSQ}, '{_HEADLINE}') AS snippet,
       rank, round_id,
       (SELECT count(*) FROM documents) > :candidates
         OR (SELECT count(*) FROM sections) > :candidates
         OR (SELECT count(*) FROM comments) > :candidates AS capped
FROM (
  SELECT 'document' AS kind, d.id, d.id AS document_id, d.title AS document_title,
         d.title AS title, coalesce(d.title, '') || ' ' || coalesce(d.summary, '') AS content,
         ts_rank(d.search_vector, {_TSQ}) AS rank, NULL::integer AS round_id
  FROM (SELECT * FROM documents ORDER BY id DESC LIMIT :candidates) d
  UNION ALL
  SELECT 'section', s.id, s.document_id, d.title, s.heading,
         coalesce(s.heading, '') || ' ' || coalesce(s.body, ''),
         ts_rank(s.search_vector, {_TSQ}), NULL::integer
  FROM (SELECT * FROM sections ORDER BY document_id DESC, position DESC LIMIT :candidates) s
    JOIN strategy_document d ON d.id = s.document_id
  UNION ALL
  SELECT 'comment', c.id, r.document_id, d.title, c.author_name || ', ' || c.author_org,
         coalesce(c.body, '') || ' ' || coalesce(c.proposed_text, ''),
         ts_rank(c.search_vector, {_TSQ}), r.id
  FROM (
    SELECT * FROM comments ORDER BY round_id DESC, section_key DESC, id DESC LIMIT :candidates
  ) c
    JOIN consultation_round r ON r.id = c.round_id
    JOIN strategy_document d ON d.id = r.document_id
  ORDER BY rank DESC, kind, id
  LIMIT :limit
) hits
ORDER BY rank DESC, kind, id
"""

# SQLite: the workspace and the kind are UNINDEXED columns of the FTS5 table, read from its
# content row per match, so only the rowid (the order rows were written in: newest last) bounds
# the work. The floor is the rowid of the (CANDIDATES + 1)-th newest match of the workspace; the
# ranking then takes only the matches above it (FTS5 takes the rowid range itself).
_SQLITE_FLOOR = """
SELECT s.rowid FROM strategy_search s
WHERE strategy_search MATCH :q AND s.workspace_id = :ws
ORDER BY s.rowid DESC
LIMIT 1 OFFSET :candidates
"""
_SQLITE = f"""
SELECT s.kind, s.ref_id, s.title, snippet(strategy_search, 4, '{START}', '{STOP}', '…', 24),
       highlight(strategy_search, 3, '{START}', '{STOP}')
FROM strategy_search s
WHERE strategy_search MATCH :q AND s.workspace_id = :ws AND s.rowid > :floor
ORDER BY bm25(strategy_search, 0, 0, 0, 4.0, 1.0)
LIMIT :limit
"""

_WORD = re.compile(r"\w+", re.UNICODE)


def fts5_query(q: str) -> str:
    """Each word as a quoted prefix term, all required: no FTS5 syntax from the user."""
    words = _WORD.findall(q)[:12]
    return " ".join(f'"{w}"*' for w in words)


def search(session: Session, ws: Workspace, q: str) -> Hits:
    q = q.strip()[:200]
    if not q:
        return Hits()
    slug = ws.slug
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text(_PG), {"q": q, "ws": ws.id, "limit": LIMIT, "candidates": CANDIDATES}
        ).all()
        return Hits(
            [
                Hit(
                    kind,
                    id_,
                    doc_id,
                    doc_title,
                    title,
                    _mark(snippet),
                    _url(slug, kind, id_, doc_id, round_id),
                )
                for kind, id_, doc_id, doc_title, title, snippet, _rank, round_id, _capped in rows
            ],
            capped=bool(rows and rows[0].capped),
        )
    match = fts5_query(q)
    if not match:
        return Hits()
    params = {"q": match, "ws": ws.id}
    floor = session.scalar(text(_SQLITE_FLOOR), {**params, "candidates": CANDIDATES})
    found = session.execute(text(_SQLITE), {**params, "floor": floor or 0, "limit": LIMIT}).all()
    hits = _resolve(session, ws, found)
    hits.capped = floor is not None
    return hits


def _resolve(session: Session, ws: Workspace, found: Sequence[Any]) -> Hits:
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
    hits = Hits()
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
