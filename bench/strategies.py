"""Benchmark: strategies, consultation rounds, summaries, exports and search with 2,000 and
200,000 consultation comments.

    .venv/bin/python bench/strategies.py [--sizes 2000,200000] [--rounds 30] [--budget 20]
        [--export-rounds 5] [--documents 40]
        [--owner-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--keep] [--explain]

For each size (a number of comments) it creates a throw-away PostgreSQL database, migrates it
as the owner with the project's migrate function, loads the demo, and fills the Trøndelag
workspace by server-side SQL with strategy documents (12 sections each, 2 published versions
copied into strategy_version_section), a consultation round per version, invitees (partner
organisations, municipalities, councils and guests), comments spread over the rounds and their
sections up to the size (about 10 % amendments with proposed and base text, 30 % replies in
threads; the top-level ones are all answered in rounds whose answers are published, 30–90 % in
closed rounds still being answered, none in open rounds), formal responses and measures, then
runs VACUUM ANALYZE.

Round sizes are drawn as a county would see them: most rounds get 20–200 comments, about one in
ten 200–1,000 and about one in thirty 1,000–4,000. The number of rounds therefore follows the
number of comments (about one round per 180 comments; two rounds per document, so a large size
also means many documents); the workspace has at least --documents documents. The largest round
is one that has closed and is being answered, so the coordinator sees an answer form under every
comment. Texts are drawn from a Norwegian vocabulary with a Zipf-like frequency (the first words
are common, the last rare), and one comment in 2,000 mentions "reindrift", so that full-text
search has common, rare and combined words to find.

It then serves the app as an ordinary database role (row-level security applies as in
production), logs in as the Trøndelag coordinator and times, through the whole app stack
(`create_app` + `TestClient`): the strategies index, a document page, round pages (a random
round, a typical round of 60–150 comments, the largest round), the summary of a typical and of
the largest round, an action plan's measures page, search for a common word, a rare word and two
words, and the DOCX and PDF summary of a typical and of the largest round (--export-rounds times
each).

It prints the fill time and the shape of the data, then per size and route the median and 95th
percentile in milliseconds, the SQL statements per request, the time spent in SQL, the size of
the answer and the number of items behind it (comments in the round; comments matching the
search), and finally the ratio of the largest size to the smallest per route. Figures, not
assertions: it stops only if a page does not answer 200. A route stops after --budget seconds
with the rounds it got (at least three); a route whose first request takes more than half of
--budget is measured by that one request (the note says so).

--explain prints EXPLAIN (ANALYZE, BUFFERS) of the slowest statement of each search at the
largest size, run again as the app's role in the same workspace scope. --keep keeps the
databases (their names are printed) for digging further with psql.

The helpers that create and drop the databases, log in and record SQL are those of
bench/common.py (same owner URL, same app role samspill_bench_app).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar
from urllib.parse import urlencode

from common import (
    LOGIN,
    OWNER_URL,
    WORKSPACE,
    Result,
    SqlLog,
    Statement,
    create_database,
    drop_database,
    explain_slowest,
    login,
)
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, text

from app.clock import OSLO, today
from app.config import get_settings
from app.main import create_app

SECTIONS = 12  # per document
VERSIONS = 2  # per document, one consultation round on each (while there are rounds to place)
COMMENT_SHARES = {"amendment": 0.10, "reply": 0.30}  # the rest are top-level comments
# Round sizes: (share of rounds, fewest comments, most comments), drawn log-uniformly.
ROUND_SIZES = ((0.88, 20, 200), (0.09, 200, 1000), (0.03, 1000, 4000))
# The state of a document's latest round (earlier rounds are all closed and answered).
LATEST_STATE = (("open", 0.08), ("answering", 0.15), ("published", 0.77))
TYPICAL = (60, 150)  # comments in a "typical" round
RARE_WORD = "reindrift"
RARE_SHARE = 0.0005
QUERIES = {
    "search: common word": "kommune",
    "search: rare word": RARE_WORD,
    "search: two words": "hjelpekorps søknad",
}

# --- the words ----------------------------------------------------------------------------

# Content words, most frequent first: word k is drawn with probability ln((k+1)/k)/ln(n+1).
_VOCABULARY = """
kommunene digitalisering tjenester innbyggerne hjelpekorps samarbeid regionrådet innovasjon
kompetanse kapasitet prosjektet strategien tiltakene fylkeskommunen søknad gevinstrealisering
ansatte ledelse forankring budsjett finansiering løsninger helse omsorg velferdsteknologi
oppvekst skole barnehage planen målene ressurser nettverk erfaringer deling tilskudd
skjønnsmidler Statsforvalteren distriktskommuner småkommuner mentorkommune pilot drift spredning
gjenbruk anskaffelse avtale informasjonssikkerhet personvern arkitektur data infrastruktur
bredbånd mobildekning klima miljø næringsliv rekruttering frivillighet brukermedvirkning
tjenestedesign innsikt evaluering rapportering frister saksbehandling fagsystem arkiv
integrasjon plattform skytjenester opplæring endringsledelse kultur eierskap styringsgruppe
arbeidsutvalg prioritering handlingsplan veikart risiko kostnader gevinster målinger indikatorer
kunstig intelligens automatisering selvbetjening chatbot timebestilling digital postkasse
e-helse journal legevakt hjemmetjenesten sykehjem trygghetsalarm sensorer medisinering
barnevern NAV bibliotek kulturskole idrett ungdom eldre innvandrere integrering språk
reiseliv landbruk havbruk fiskeri skog energi vannforsyning avløp renovasjon veier
kollektivtransport samferdsel arealplan byggesak kart eiendom matrikkel geodata beredskap
krisehåndtering brann redning samfunnssikkerhet sårbarhet robusthet
KS Distriktssenteret DigiTrøndelag Forkommune Husbanken Innovasjon Norge Forskningsrådet
universitet høgskole forskning utdanning lærlinger praksisplasser
interkommunalt vertskommune samkommune kommunesammenslåing grensekommuner nabokommuner
regionsenter distrikt bygdene tettsteder sentralisering bolyst tilflytting
likeverdige tilgjengelighet universell utforming klarspråk dialog medvirkning
åpenhet tillit etikk juss regelverk forskrift personvernkonsekvens databehandleravtale
markedsdialog konkurranse leverandør kontrakt oppfølging kvalitet internkontroll tilsyn
"""
VOCABULARY = _VOCABULARY.split()

# The openings of sentences: each paragraph is an opening followed by drawn words.
SECTION_LEADS = [
    "Fylkeskommunen skal i perioden prioritere",
    "Kommunene i Trøndelag trenger",
    "Strategien legger særlig vekt på",
    "Arbeidet bygger på erfaringer med",
    "Regionrådene skal følge opp",
    "Målet er at alle kommuner har tilgang til",
    "I handlingsplanen konkretiseres",
    "Erfaringene fra forrige periode viser behov for",
    "Fylkeskommunen, Statsforvalteren og KS samordner",
    "Små kommuner har ofte begrenset",
    "Innsatsen måles gjennom",
    "Vi vil styrke",
]
COMMENT_LEADS = [
    "Vi savner mer om",
    "Vi støtter satsingen på",
    "Det bør stå mer om",
    "Vår erfaring er at det trengs",
    "Avsnittet bør også omtale",
    "Vi ber fylkeskommunen prioritere",
    "Små kommuner som vår mangler ofte",
    "Det er uklart hvordan strategien vil sikre",
    "Vi foreslår en tydeligere formulering om",
    "Regionrådet har drøftet",
    "Vi er enige i hovedgrepet, men vil løfte fram",
    "Kommunedirektøren ber om at dere ser nærmere på",
    "Vi har gode erfaringer med",
    "Det er viktig at strategien ikke glemmer",
]
COMMENT_ENDINGS = [
    "Vi bidrar gjerne i det videre arbeidet.",
    "Dette er avgjørende for de minste kommunene.",
    "Se også høringssvaret vårt.",
    "Vi ber om at dette tas inn i handlingsplanen.",
    "Ta gjerne kontakt om dere vil vite mer.",
    "Formuleringen i dag er for vag.",
]
REPLY_LEADS = [
    "Takk for innspillet. Vi ser nærmere på",
    "Enig, dette gjelder også oss, særlig",
    "Kan dere utdype hva dere mener med",
    "Vi deler erfaringen, og vil legge til",
    "I vårt regionråd har vi løst dette med",
    "Godt poeng. Samme utfordring gjelder",
]
AMENDMENT_LEADS = [
    "Forslaget presiserer ansvaret for",
    "Endringen gjør teksten tydeligere om",
    "Vi foreslår å legge til et punkt om",
    "Teksten bør forplikte mer når det gjelder",
]
RESPONSE_LEADS = [
    "Vi viser til høringsbrevet og gir med dette vårt svar om",
    "Vi er i hovedsak positive til strategien, men vil peke på",
    "Høringssvaret er behandlet politisk og gjelder særlig",
    "Vi mener strategien i større grad må omtale",
]
ANSWER_REASONS = [
    "Innspillet er tatt inn i revidert tekst.",
    "Vi har tatt inn deler av forslaget; resten følges opp i handlingsplanen.",
    "Forslaget går utover det strategien skal dekke.",
    "Temaet er omtalt i et annet avsnitt.",
    "Vi tar innspillet med i arbeidet med handlingsplanen.",
    "Dette krever en egen utredning før det kan tas inn.",
]
HEADINGS = [
    "Innledning",
    "Bakgrunn og utfordringer",
    "Mål for perioden",
    "Regional forankring",
    "Hjelpekorps for kommunene",
    "Samarbeid i regionrådene",
    "Kompetanse og kapasitet",
    "Spredning og gjenbruk av løsninger",
    "Gevinstrealisering",
    "Finansiering og virkemidler",
    "Informasjonssikkerhet og personvern",
    "Oppfølging og rapportering",
]
TITLE_PREFIXES = (
    ("Regional strategi for", "innovation_strategy"),
    ("Handlingsplan for", "action_plan"),
    ("Strategi for", "digitalisation_strategy"),
    ("Veikart for", "digitalisation_strategy"),
    ("Plan for", "other"),
)
TITLE_THEMES = [
    "innovasjon",
    "digitalisering",
    "velferdsteknologi",
    "digital kompetanse",
    "tjenesteinnovasjon",
    "bredbånd og mobildekning",
    "klimatilpasning",
    "deling av data",
    "smarte lokalsamfunn",
    "innovasjon i offentlig sektor",
    "digitale innbyggertjenester",
    "samarbeid om anskaffelser",
]
TITLE_REGIONS = [
    "Trøndelag",
    "Namdalen",
    "Fosen",
    "Innherred",
    "Trondheimsregionen",
    "Orkdalsregionen",
    "Trøndelag sør",
    "Værnesregionen",
]
_FIRST_NAMES = (
    "Kari Ola Ingrid Per Marit Jon Anne Lars Sigrid Nils Hilde Arne Randi Ole Tone Bjørn Eli "
    "Knut Solveig Even Mari Håkon Gunn Trond"
)
FIRST_NAMES = _FIRST_NAMES.split()
_LAST_NAMES = (
    "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Berg Haugen Hagen Moe "
    "Aune Lie Bakken Solberg Strand Holm Dahl Lund Vik Stene Ness Brekke"
)
LAST_NAMES = _LAST_NAMES.split()
GUESTS = [
    ("NTNU Samfunnsforskning", "post@samfunn.demo"),
    ("Trøndelag forskning og utvikling", "post@tfou.demo"),
    ("Senter for omsorgsforskning", "post@omsorg.demo"),
    ("Nord universitet", "post@nord.demo"),
    ("Bondelaget i Trøndelag", "post@bondelaget.demo"),
    ("Trøndelag næringsforening", "post@naering.demo"),
]
PARTNERS = ("KS", "Distriktssenteret", "Statsforvalteren i Trøndelag")
MEASURE_TITLES = [
    "Etablere hjelpekorps med faste kontaktpersoner",
    "Felles maler for gevinstplaner",
    "Kartlegge digital kompetanse i kommunene",
    "Register over løsninger og piloter",
    "Innovasjon som fast sak i regionrådene",
    "Felles anskaffelse av velferdsteknologi",
    "Kurs i tjenestedesign for ledere",
    "Nettverk for informasjonssikkerhet",
    "Oversikt over tilskudd og frister",
    "Mentorordning mellom kommuner",
    "Innbyggerundersøkelse om digitale tjenester",
    "Samordnet søknad om skjønnsmidler",
]
MEASURE_OWNERS = [
    "Trøndelag fylkeskommune",
    "Statsforvalteren i Trøndelag",
    "KS Trøndelag",
    "DigiTrøndelag",
    "Regionrådene",
]

# The columns each fill writes. Anything else must be nullable or have a default, so that the
# bench keeps working when columns are added; a new required column stops it with a message.
FILLED_COLUMNS = {
    "strategy_document": {
        "workspace_id",
        "title",
        "kind",
        "summary",
        "is_demo",
        "created_by_id",
        "created_at",
        "updated_at",
    },
    "strategy_section": {
        "workspace_id",
        "document_id",
        "key",
        "position",
        "heading",
        "body",
        "revision",
        "updated_at",
        "updated_by_id",
    },
    "strategy_version": {
        "workspace_id",
        "document_id",
        "number",
        "note",
        "published_at",
        "published_by_id",
        "adopted_by",
        "adopted_on",
        "case_number",
    },
    "strategy_version_section": {
        "workspace_id",
        "version_id",
        "key",
        "position",
        "heading",
        "body",
    },
    "consultation_round": {
        "workspace_id",
        "document_id",
        "version_id",
        "title",
        "cover_text",
        "starts_on",
        "ends_on",
        "reminder_days",
        "answers_published_at",
        "created_by_id",
        "created_at",
        "updated_at",
    },
    "consultation_invitee": {
        "workspace_id",
        "round_id",
        "kind",
        "organisation_id",
        "municipality_number",
        "body_id",
        "guest_name",
        "guest_email",
        "deadline",
        "invited_at",
    },
    "consultation_comment": {
        "workspace_id",
        "round_id",
        "section_key",
        "parent_id",
        "kind",
        "quote",
        "body",
        "proposed_text",
        "base_text",
        "invitee_id",
        "author_id",
        "author_name",
        "author_org",
        "author_email",
        "created_at",
        "answer",
        "answer_reason",
        "answered_at",
        "answered_by_id",
        "applied_at",
    },
    "consultation_response": {
        "workspace_id",
        "round_id",
        "invitee_id",
        "body",
        "revision",
        "updated_at",
        "updated_by_name",
        "submitted_at",
        "submitted_by_name",
    },
    "strategy_measure": {
        "workspace_id",
        "document_id",
        "section_key",
        "title",
        "description",
        "owner",
        "partners",
        "deadline",
        "status",
        "created_at",
        "updated_at",
    },
}

# --- the fill, in server-side SQL --------------------------------------------------------------

# Text: a paragraph is an opening from `leads` and `lo`–`hi` words drawn from `vocab`, Zipf-like
# (word k with probability ln((k+1)/k)/ln(n+1)). Temporary functions, gone with the session.
TEXT_FUNCTIONS = [
    """
CREATE FUNCTION pg_temp.bench_words(vocab text[], n int) RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT string_agg(vocab[least(cardinality(vocab),
                                floor(exp(random() * ln(cardinality(vocab) + 1)))::int)], ' ')
  FROM generate_series(1, n)
$$
""",
    """
CREATE FUNCTION pg_temp.bench_para(leads text[], vocab text[], lo int, hi int) RETURNS text
LANGUAGE sql VOLATILE AS $$
  SELECT leads[1 + floor(random() * cardinality(leads))::int] || ' '
         || pg_temp.bench_words(vocab, lo + floor(random() * (hi - lo + 1))::int) || '.'
$$
""",
]

# The plan made in Python (documents and rounds with their dates, states and sizes) goes into
# temporary tables; the rows of the app's tables are made from them here.
PLAN_TABLES = [
    """
CREATE TEMP TABLE bench_doc (
    seq int PRIMARY KEY, title text, kind text, created_at timestamptz, v1_at timestamptz,
    v2_at timestamptz, adopted_on date, id int)
""",
    """
CREATE TEMP TABLE bench_plan (
    seq int PRIMARY KEY, doc_seq int, version int, size int, n_top int, n_amend int,
    starts_on date, ends_on date, published_at timestamptz, answered float8, invitees int,
    round_id int, version_id int)
""",
]

FILL_DOCUMENTS = """
INSERT INTO strategy_document (workspace_id, title, kind, summary, is_demo, created_by_id,
                               created_at, updated_at)
SELECT :ws, d.title, d.kind,
       pg_temp.bench_para(:section_leads, :vocab, 15, 30) || ' '
           || pg_temp.bench_para(:section_leads, :vocab, 10, 20),
       false, :coordinator, d.created_at, d.v2_at
FROM bench_doc d
ORDER BY d.seq
"""

FILL_SECTIONS = """
INSERT INTO strategy_section (workspace_id, document_id, key, position, heading, body, revision,
                              updated_at, updated_by_id)
SELECT :ws, d.id, substr(md5(random()::text || d.id || '-' || p), 1, 12), p,
       (CAST(:headings AS text[]))[p],
       pg_temp.bench_para(:section_leads, :vocab, 20, 45) || E'\\n\\n'
           || pg_temp.bench_para(:section_leads, :vocab, 20, 45) || E'\\n\\n'
           || pg_temp.bench_para(:section_leads, :vocab, 15, 35),
       1 + floor(random() * 4)::int, d.v2_at, :coordinator
FROM bench_doc d CROSS JOIN generate_series(1, :sections) AS p
ORDER BY d.seq, p
"""

FILL_VERSIONS = """
INSERT INTO strategy_version (workspace_id, document_id, number, note, published_at,
                              published_by_id, adopted_by, adopted_on, case_number)
SELECT :ws, d.id, n,
       CASE n WHEN 1 THEN 'Høringsutkast' ELSE 'Revidert etter høringen' END,
       CASE n WHEN 1 THEN d.v1_at ELSE d.v2_at END, :coordinator,
       CASE WHEN n = :versions AND d.adopted_on IS NOT NULL THEN 'Fylkestinget i Trøndelag' END,
       CASE WHEN n = :versions THEN d.adopted_on END,
       CASE WHEN n = :versions AND d.adopted_on IS NOT NULL
            THEN extract(year FROM d.adopted_on) || '/' || (1000 + d.seq) END
FROM bench_doc d CROSS JOIN generate_series(1, :versions) AS n
ORDER BY d.seq, n
"""

# Every version holds the draft's sections; the first had a paragraph more in every third one.
FILL_VERSION_SECTIONS = """
INSERT INTO strategy_version_section (workspace_id, version_id, key, position, heading, body)
SELECT :ws, v.id, s.key, s.position, s.heading,
       CASE WHEN v.number < :versions AND s.position % 3 = 0
            THEN s.body || E'\\n\\n' || pg_temp.bench_para(:section_leads, :vocab, 10, 25)
            ELSE s.body END
FROM bench_doc d
JOIN strategy_version v ON v.document_id = d.id
JOIN strategy_section s ON s.document_id = d.id
ORDER BY v.id, s.position
"""

FILL_ROUNDS = """
INSERT INTO consultation_round (workspace_id, document_id, version_id, title, cover_text,
                                starts_on, ends_on, reminder_days, answers_published_at,
                                created_by_id, created_at, updated_at)
SELECT :ws, d.id, v.id, left('Høring: ' || d.title || ' (versjon ' || p.version || ')', 200),
       'Trøndelag fylkeskommune sender utkastet på høring. '
           || pg_temp.bench_para(:comment_leads, :vocab, 8, 16),
       p.starts_on, p.ends_on, 3, p.published_at, :coordinator,
       p.starts_on - interval '7 days', coalesce(p.published_at, p.starts_on - interval '7 days')
FROM bench_plan p
JOIN bench_doc d ON d.seq = p.doc_seq
JOIN strategy_version v ON v.document_id = d.id AND v.number = p.version
ORDER BY p.seq
"""

# Who may be invited: partner organisations, the county's municipalities, its councils and
# networks, and guest organisations.
CANDIDATES = """
CREATE TEMP TABLE bench_candidate AS
SELECT 'organisation' AS kind, id AS organisation_id, NULL::varchar AS municipality_number,
       NULL::int AS body_id, NULL::varchar AS guest_name, NULL::varchar AS guest_email, name
FROM organisation WHERE name = ANY(:partners)
UNION ALL
SELECT 'municipality', NULL, number, NULL, NULL, NULL, name
FROM municipality WHERE county_number = :county
UNION ALL
SELECT 'body', NULL, NULL, id, NULL, NULL, name
FROM body WHERE workspace_id = :ws AND parent_id IS NULL
UNION ALL
SELECT 'guest', NULL, NULL, NULL, g.name, g.email, g.name
FROM json_to_recordset(CAST(:guests AS json)) AS g(name text, email text)
"""

FILL_INVITEES = """
INSERT INTO consultation_invitee (workspace_id, round_id, kind, organisation_id,
                                  municipality_number, body_id, guest_name, guest_email,
                                  deadline, invited_at)
SELECT :ws, p.round_id, c.kind, c.organisation_id, c.municipality_number, c.body_id,
       c.guest_name, c.guest_email,
       CASE WHEN c.rnd < 0.05 THEN p.ends_on + 14 END,
       (p.starts_on + time '09:00') AT TIME ZONE 'Europe/Oslo'
FROM bench_plan p
CROSS JOIN LATERAL (
    SELECT c.*, random() AS rnd FROM bench_candidate c ORDER BY random() + 0 * p.seq
    LIMIT p.invitees
) AS c
ORDER BY p.seq, c.rnd
"""

INVITEE_NAMES = """
CREATE TEMP TABLE bench_invitee AS
SELECT i.round_id, row_number() OVER (PARTITION BY i.round_id ORDER BY i.id) AS rn, i.id,
       i.kind, i.guest_email, c.name
FROM consultation_invitee i
JOIN bench_candidate c ON c.kind = i.kind
    AND c.organisation_id IS NOT DISTINCT FROM i.organisation_id
    AND c.municipality_number IS NOT DISTINCT FROM i.municipality_number
    AND c.body_id IS NOT DISTINCT FROM i.body_id
    AND c.guest_email IS NOT DISTINCT FROM i.guest_email
WHERE i.round_id IN (SELECT round_id FROM bench_plan)
"""

# Top-level comments and amendments, on a random section of the round's version, by someone of
# a random invitee, during the round; answered (share `answered` of the round) after it closed.
FILL_COMMENTS = """
INSERT INTO consultation_comment (workspace_id, round_id, section_key, parent_id, kind, quote,
                                  body, proposed_text, base_text, invitee_id, author_id,
                                  author_name, author_org, author_email, created_at, answer,
                                  answer_reason, answered_at, answered_by_id, applied_at)
SELECT :ws, x.round_id, vs.key, NULL, x.kind,
       CASE WHEN x.kind = 'comment' AND x.r_quote < 0.15 THEN split_part(vs.body, '. ', 1) END,
       CASE WHEN x.kind = 'amendment' THEN
                CASE WHEN x.r_quote < 0.8 THEN pg_temp.bench_para(:amendment_leads, :vocab, 5, 15)
                     ELSE '' END
            ELSE pg_temp.bench_para(:comment_leads, :vocab, 6, 28)
                 || CASE WHEN x.r_end < 0.5 THEN ' ' || (CAST(:endings AS text[]))
                         [1 + floor(x.r_end * 2 * cardinality(:endings))::int] ELSE '' END
                 || CASE WHEN random() < :rare_share THEN ' Dette gjelder også ' || :rare || '.'
                         ELSE '' END
       END,
       CASE WHEN x.kind = 'amendment' THEN
           replace(vs.body, 'kommunene', 'alle kommunene') || E'\\n\\n'
               || pg_temp.bench_para(:section_leads, :vocab, 10, 25) END,
       CASE WHEN x.kind = 'amendment' THEN vs.body END,
       i.id, NULL, x.author_name,
       i.name, CASE WHEN i.kind = 'guest' THEN i.guest_email END,
       x.created_at,
       x.answer,
       CASE WHEN x.answer IN ('partly', 'not_accepted') OR (x.answer IS NOT NULL AND x.r_ans < 0.3)
            THEN (CAST(:reasons AS text[]))[1 + floor(x.r_reason * cardinality(:reasons))::int]
       END,
       CASE WHEN x.answer IS NOT NULL
            THEN (x.ends_on + 1 + floor(x.r_reason * 20)::int + time '10:00')
                 AT TIME ZONE 'Europe/Oslo' END,
       CASE WHEN x.answer IS NOT NULL THEN :coordinator END,
       CASE WHEN x.kind = 'amendment' AND x.answer = 'accepted' AND x.published_at IS NOT NULL
            THEN x.published_at END
FROM (
    SELECT *,
           CASE WHEN r_kind * n_top < n_amend THEN 'amendment' ELSE 'comment' END AS kind,
           CASE WHEN r_answer >= answered THEN NULL
                WHEN r_ans < 0.25 THEN 'accepted' WHEN r_ans < 0.45 THEN 'partly'
                WHEN r_ans < 0.60 THEN 'not_accepted' ELSE 'noted' END AS answer,
           least(now() - interval '1 minute',
                 (starts_on + (r_time * (ends_on - starts_on + 1)) * interval '1 day')
                     AT TIME ZONE 'Europe/Oslo' + interval '8 hours') AS created_at,
           (CAST(:first_names AS text[]))[1 + floor(r_name * cardinality(:first_names))::int]
               || ' ' || (CAST(:last_names AS text[]))
               [1 + floor(random() * cardinality(:last_names))::int] AS author_name
    FROM (
        SELECT p.round_id, p.version_id, p.starts_on, p.ends_on, p.published_at, p.answered,
               p.n_top, p.n_amend, p.invitees, g,
               random() AS r_kind, random() AS r_section, random() AS r_invitee,
               random() AS r_time, random() AS r_answer, random() AS r_ans,
               random() AS r_reason, random() AS r_quote, random() AS r_end, random() AS r_name
        FROM bench_plan p CROSS JOIN LATERAL generate_series(1, p.n_top) AS g
        OFFSET 0
    ) AS draws
) AS x
JOIN strategy_version_section vs
    ON vs.version_id = x.version_id AND vs.position = 1 + floor(x.r_section * :sections)::int
JOIN bench_invitee i ON i.round_id = x.round_id AND i.rn = 1 + floor(x.r_invitee * x.invitees)::int
ORDER BY x.round_id, x.created_at
"""

TOP_LEVEL = """
CREATE TEMP TABLE bench_top AS
SELECT round_id, row_number() OVER (PARTITION BY round_id ORDER BY id) AS rn, id, section_key,
       created_at
FROM consultation_comment
WHERE parent_id IS NULL AND round_id IN (SELECT round_id FROM bench_plan)
"""

# Replies in the thread of a random top-level comment of the same round, after it: a third from
# the coordinator, the rest from invitees.
FILL_REPLIES = """
INSERT INTO consultation_comment (workspace_id, round_id, section_key, parent_id, kind, body,
                                  invitee_id, author_id, author_name, author_org, author_email,
                                  created_at)
SELECT :ws, x.round_id, t.section_key, t.id, 'comment',
       pg_temp.bench_para(:reply_leads, :vocab, 3, 14)
           || CASE WHEN random() < :rare_share THEN ' Også ' || :rare || '.' ELSE '' END,
       CASE WHEN x.r_who >= 0.3 THEN i.id END,
       CASE WHEN x.r_who < 0.3 THEN :coordinator END,
       CASE WHEN x.r_who < 0.3 THEN :coordinator_name
            ELSE (CAST(:first_names AS text[]))
                 [1 + floor(x.r_name * cardinality(:first_names))::int]
                 || ' ' || (CAST(:last_names AS text[]))
                 [1 + floor(random() * cardinality(:last_names))::int] END,
       CASE WHEN x.r_who < 0.3 THEN :workspace_name ELSE i.name END,
       CASE WHEN x.r_who >= 0.3 AND i.kind = 'guest' THEN i.guest_email END,
       least(now() - interval '1 minute',
             t.created_at + x.r_time * interval '6 days',
             (x.ends_on + time '23:00') AT TIME ZONE 'Europe/Oslo')
FROM (
    SELECT p.round_id, p.ends_on, p.n_top, p.invitees, g, random() AS r_parent,
           random() AS r_who, random() AS r_invitee, random() AS r_time, random() AS r_name
    FROM bench_plan p CROSS JOIN LATERAL generate_series(1, p.size - p.n_top) AS g
    OFFSET 0
) AS x
JOIN bench_top t ON t.round_id = x.round_id AND t.rn = 1 + floor(x.r_parent * x.n_top)::int
JOIN bench_invitee i ON i.round_id = x.round_id AND i.rn = 1 + floor(x.r_invitee * x.invitees)::int
ORDER BY x.round_id, 12  -- created_at
"""

# A formal response from a third of the invitees: submitted before the deadline, or (in an
# open round) half of them still a draft.
FILL_RESPONSES = """
INSERT INTO consultation_response (workspace_id, round_id, invitee_id, body, revision,
                                   updated_at, updated_by_name, submitted_at, submitted_by_name)
SELECT :ws, x.round_id, x.id,
       pg_temp.bench_para(:response_leads, :vocab, 20, 40) || E'\\n\\n'
           || pg_temp.bench_para(:comment_leads, :vocab, 20, 40) || E'\\n\\n'
           || pg_temp.bench_para(:comment_leads, :vocab, 10, 30),
       1 + floor(x.r * 4)::int, x.at, x.who,
       CASE WHEN x.submitted THEN x.at END, CASE WHEN x.submitted THEN x.who END
FROM (
    SELECT i.round_id, i.id, random() AS r,
           least(now() - interval '1 hour',
                 (p.ends_on - floor(random() * 5)::int + time '14:00') AT TIME ZONE 'Europe/Oslo')
               AS at,
           (CAST(:first_names AS text[]))[1 + floor(random() * cardinality(:first_names))::int]
               || ' ' || (CAST(:last_names AS text[]))
               [1 + floor(random() * cardinality(:last_names))::int] AS who,
           p.ends_on < :today OR random() < 0.5 AS submitted
    FROM bench_invitee i JOIN bench_plan p ON p.round_id = i.round_id
    WHERE random() < 0.35
    OFFSET 0
) AS x
ORDER BY x.round_id, x.id
"""

# Measures: 15 on an action plan, 4 on other documents, on sections in turn, with deadlines over
# two years from the latest version; the older the deadline, the likelier it is done.
FILL_MEASURES = """
INSERT INTO strategy_measure (workspace_id, document_id, section_key, title, description, owner,
                              partners, deadline, status, created_at, updated_at)
SELECT :ws, x.id, s.key, x.title, x.description, x.owner, x.partners, x.deadline,
       CASE WHEN x.deadline < :today THEN
                CASE WHEN x.r < 0.6 THEN 'done' WHEN x.r < 0.85 THEN 'under_way'
                     WHEN x.r < 0.9 THEN 'cancelled' ELSE 'planned' END
            ELSE CASE WHEN x.r < 0.5 THEN 'planned' ELSE 'under_way' END END,
       x.v2_at, x.v2_at
FROM (
    SELECT d.id, d.v2_at, g,
           (CAST(:measure_titles AS text[]))[1 + (d.seq + g) % cardinality(:measure_titles)]
               AS title,
           pg_temp.bench_para(:section_leads, :vocab, 8, 20) AS description,
           (CAST(:owners AS text[]))[1 + floor(random() * cardinality(:owners))::int] AS owner,
           CASE WHEN random() < 0.5 THEN 'KS, regionrådene' ELSE '' END AS partners,
           (d.v2_at::date + g * 50 + floor(random() * 40)::int) AS deadline,
           random() AS r
    FROM bench_doc d
    CROSS JOIN LATERAL generate_series(1, CASE WHEN d.kind = 'action_plan' THEN 15 ELSE 4 END) g
    OFFSET 0
) AS x
JOIN strategy_section s ON s.document_id = x.id AND s.position = 1 + (x.g * 5) % :sections
ORDER BY x.id, x.g
"""

# How many comments a search finds (the owner bypasses row-level security).
MATCHING_COMMENTS = """
SELECT count(*) FROM consultation_comment
WHERE workspace_id = :ws
  AND to_tsvector('norwegian', coalesce(body, '') || ' ' || coalesce(proposed_text, ''))
      @@ websearch_to_tsquery('norwegian', :q)
"""


# --- the plan ---------------------------------------------------------------------------------


@dataclass
class PlannedRound:
    seq: int
    doc_seq: int
    version: int
    size: int
    state: str  # "open", "answering" (closed, answers not published) or "published"
    starts_on: date
    ends_on: date
    published_at: datetime | None
    answered: float  # share of the top-level comments answered
    invitees: int
    round_id: int = 0


@dataclass
class Plan:
    documents: list[dict[str, object]]
    rounds: list[PlannedRound]


T = TypeVar("T")


def _draw(rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    """One of the options, each with its share of the draws."""
    draw = rng.random()
    for option, share in options:
        draw -= share
        if draw < 0:
            return option
    return options[-1][0]


def round_sizes(size: int, rng: random.Random) -> list[int]:
    """Comments per round, summing to `size`."""
    sizes: list[int] = []
    total = 0
    while total < size:
        low, high = _draw(rng, [((lo, hi), share) for share, lo, hi in ROUND_SIZES])
        n = round(math.exp(rng.uniform(math.log(low), math.log(high))))
        n = min(n, size - total)
        if n < 10 and sizes:
            sizes[-1] += n
        else:
            sizes.append(n)
        total += n
    return sizes


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=OSLO)


def plan(size: int, min_documents: int, on: date) -> Plan:
    """Documents and rounds with their dates and states. A document's rounds are on its versions
    in turn; its latest round may be open or being answered, earlier ones are published."""
    rng = random.Random(size)
    sizes = round_sizes(size, rng)
    with_rounds = math.ceil(len(sizes) / VERSIONS)
    n_docs = max(min_documents, with_rounds)
    documents: list[dict[str, object]] = []
    rounds: list[PlannedRound] = []
    for d in range(1, n_docs + 1):
        prefix, kind = rng.choice(TITLE_PREFIXES)
        theme, region = rng.choice(TITLE_THEMES), rng.choice(TITLE_REGIONS)
        n_rounds = min(VERSIONS, len(sizes) - len(rounds)) if d <= with_rounds else 0
        # The latest round (or, without rounds, the latest version) and its state.
        latest_state = _draw(rng, LATEST_STATE)
        if n_rounds == 0:
            latest_state = "published"
        if latest_state == "open":
            last_start = on - timedelta(days=rng.randint(0, 25))
        elif latest_state == "answering":
            last_start = on - timedelta(days=41 + rng.randint(3, 40))
        else:
            last_start = on - timedelta(days=41 + rng.randint(50, 1500))
        starts: list[date] = [last_start]
        for _ in range(VERSIONS - 1):
            starts.insert(0, starts[0] - timedelta(days=41 + rng.randint(60, 150)))
        version_at = [_at(s - timedelta(days=7), 10) for s in starts]
        created = version_at[0] - timedelta(days=rng.randint(30, 200))
        year = (created + timedelta(days=300)).year
        adopted_on = None
        if latest_state == "published" and rng.random() < 0.6:
            adopted_on = starts[-1] + timedelta(days=41 + rng.randint(40, 80))
            adopted_on = adopted_on if adopted_on < on else None
        documents.append(
            {
                "seq": d,
                "title": f"{prefix} {theme} i {region} {year}–{year + 3}",
                "kind": kind,
                "created_at": created.isoformat(),
                "v1_at": version_at[0].isoformat(),
                "v2_at": version_at[-1].isoformat(),
                "adopted_on": adopted_on.isoformat() if adopted_on else None,
            }
        )
        for v in range(VERSIONS - n_rounds + 1, VERSIONS + 1):
            state = latest_state if v == VERSIONS else "published"
            starts_on = starts[v - 1]
            ends_on = starts_on + timedelta(days=41)
            published = _at(ends_on + timedelta(days=rng.randint(25, 45)), 10)
            rounds.append(
                PlannedRound(
                    seq=len(rounds) + 1,
                    doc_seq=d,
                    version=v,
                    size=0,
                    state=state,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    published_at=published if state == "published" else None,
                    answered={"open": 0.0, "answering": rng.uniform(0.3, 0.9)}.get(state, 1.0),
                    invitees=rng.randint(5, 14),
                )
            )
    rng.shuffle(sizes)
    for r, n in zip(rounds, sizes, strict=True):
        r.size = n
    # The largest round is the one being answered: the heaviest page the coordinator works on.
    answering = [r for r in rounds if r.state == "answering"]
    if answering:
        largest = max(rounds, key=lambda r: r.size)
        target = max(answering, key=lambda r: r.size)
        largest.size, target.size = target.size, largest.size
    return Plan(documents, rounds)


# --- filling ----------------------------------------------------------------------------------


def check_columns(conn: Connection) -> None:
    """Stop with a clear message if a table got a required column this bench does not fill."""
    rows = conn.execute(
        text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = ANY(:tables) "
            "AND is_nullable = 'NO' AND column_default IS NULL AND column_name <> 'id'"
        ),
        {"tables": list(FILLED_COLUMNS)},
    )
    missing = [f"{t}.{c}" for t, c in rows if c not in FILLED_COLUMNS[t]]
    if missing:
        raise SystemExit(f"required columns the bench does not fill: {', '.join(missing)}")


@dataclass
class Fill:
    seconds: float
    rows: dict[str, int]
    rounds: list[PlannedRound]
    documents: list[int]  # ids of the generated documents that have rounds
    action_plans: list[int]
    matches: dict[str, int]  # comments matching each search


def fill(owner_url: str, size: int, min_documents: int) -> Fill:
    """Fill the workspace with documents, rounds and `size` comments with their related rows,
    then VACUUM ANALYZE (as autovacuum would have done after a load like this)."""
    on = today()
    p = plan(size, min_documents, on)
    engine = create_engine(owner_url)
    start = time.perf_counter()
    with engine.begin() as conn:
        check_columns(conn)
        # The owner is a superuser: row-level security does not apply. Foreign-key triggers are
        # skipped for the bulk load (the generated rows refer only to rows that exist).
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("SET LOCAL work_mem = '256MB'"))
        conn.execute(text("SELECT setseed(0.42)"))
        for sql in TEXT_FUNCTIONS + PLAN_TABLES:
            conn.execute(text(sql))
        ws, county, ws_name = conn.execute(
            text("SELECT id, county_number, name FROM workspace WHERE slug = :s"),
            {"s": WORKSPACE},
        ).one()
        coordinator, coordinator_name = conn.execute(
            text("SELECT id, name FROM user_account WHERE email = :e"), {"e": LOGIN}
        ).one()
        before = conn.scalar(text("SELECT coalesce(max(id), 0) FROM strategy_document"))
        conn.execute(
            text(
                "INSERT INTO bench_doc (seq, title, kind, created_at, v1_at, v2_at, adopted_on) "
                "SELECT * FROM json_to_recordset(CAST(:docs AS json)) AS d(seq int, title text, "
                "kind text, created_at timestamptz, v1_at timestamptz, v2_at timestamptz, "
                "adopted_on date)"
            ),
            {"docs": json.dumps(p.documents)},
        )
        rounds = [
            {
                "seq": r.seq,
                "doc_seq": r.doc_seq,
                "version": r.version,
                "size": r.size,
                "n_top": r.size - round(r.size * COMMENT_SHARES["reply"]),
                "n_amend": round(r.size * COMMENT_SHARES["amendment"]),
                "starts_on": r.starts_on.isoformat(),
                "ends_on": r.ends_on.isoformat(),
                "published_at": r.published_at.isoformat() if r.published_at else None,
                "answered": r.answered,
                "invitees": r.invitees,
            }
            for r in p.rounds
        ]
        conn.execute(
            text(
                "INSERT INTO bench_plan SELECT *, NULL, NULL "
                "FROM json_to_recordset(CAST(:rounds AS json)) AS r(seq int, doc_seq int, "
                "version int, size int, n_top int, n_amend int, starts_on date, ends_on date, "
                "published_at timestamptz, answered float8, invitees int)"
            ),
            {"rounds": json.dumps(rounds)},
        )
        words = {
            "vocab": VOCABULARY,
            "section_leads": SECTION_LEADS,
            "comment_leads": COMMENT_LEADS,
            "reply_leads": REPLY_LEADS,
            "amendment_leads": AMENDMENT_LEADS,
            "response_leads": RESPONSE_LEADS,
            "endings": COMMENT_ENDINGS,
            "reasons": ANSWER_REASONS,
            "headings": HEADINGS,
            "first_names": FIRST_NAMES,
            "last_names": LAST_NAMES,
            "measure_titles": MEASURE_TITLES,
            "owners": MEASURE_OWNERS,
        }
        common = {
            "ws": ws,
            "coordinator": coordinator,
            "sections": SECTIONS,
            "versions": VERSIONS,
            "today": on,
            **words,
        }

        def run(sql: str, **extra: object) -> None:
            params = {k: v for k, v in {**common, **extra}.items() if f":{k}" in sql}
            conn.execute(text(sql), params)

        run(FILL_DOCUMENTS)
        conn.execute(
            text(
                "UPDATE bench_doc b SET id = d.id FROM (SELECT id, row_number() OVER (ORDER BY id) "
                "AS seq FROM strategy_document WHERE id > :before) AS d WHERE d.seq = b.seq"
            ),
            {"before": before},
        )
        run(FILL_SECTIONS)
        run(FILL_VERSIONS)
        run(FILL_VERSION_SECTIONS)
        before = conn.scalar(text("SELECT coalesce(max(id), 0) FROM consultation_round"))
        run(FILL_ROUNDS)
        conn.execute(
            text(
                "UPDATE bench_plan b SET round_id = r.id, version_id = r.version_id FROM ("
                "SELECT id, version_id, row_number() OVER (ORDER BY id) AS seq "
                "FROM consultation_round WHERE id > :before) AS r WHERE r.seq = b.seq"
            ),
            {"before": before},
        )
        run(
            CANDIDATES,
            partners=list(PARTNERS),
            county=county,
            guests=json.dumps([{"name": n, "email": e} for n, e in GUESTS]),
        )
        run(FILL_INVITEES)
        run(INVITEE_NAMES)
        conn.execute(text("CREATE INDEX ON bench_invitee (round_id, rn)"))
        conn.execute(text("ANALYZE bench_invitee"))
        conn.execute(text("ANALYZE bench_plan"))
        run(FILL_COMMENTS, rare=RARE_WORD, rare_share=RARE_SHARE)
        run(TOP_LEVEL)
        conn.execute(text("CREATE INDEX ON bench_top (round_id, rn)"))
        conn.execute(text("ANALYZE bench_top"))
        run(
            FILL_REPLIES,
            rare=RARE_WORD,
            rare_share=RARE_SHARE,
            coordinator_name=coordinator_name,
            workspace_name=ws_name,
        )
        run(FILL_RESPONSES)
        run(FILL_MEASURES)
        ids = dict(conn.execute(text("SELECT seq, round_id FROM bench_plan")).all())
        for r in p.rounds:
            r.round_id = ids[r.seq]
        documents = list(
            conn.scalars(
                text(
                    "SELECT DISTINCT d.id FROM bench_doc d JOIN bench_plan p ON p.doc_seq = d.seq "
                    "ORDER BY d.id"
                )
            )
        )
        action_plans = list(
            conn.scalars(text("SELECT id FROM bench_doc WHERE kind = 'action_plan' ORDER BY id"))
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in FILLED_COLUMNS:
            conn.execute(text(f"VACUUM (ANALYZE) {table}"))
    seconds = time.perf_counter() - start
    with engine.connect() as conn:
        rows = {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) or 0 for t in FILLED_COLUMNS}
        matches = {
            label: conn.scalar(text(MATCHING_COMMENTS), {"ws": ws, "q": q}) or 0
            for label, q in QUERIES.items()
        }
    engine.dispose()
    return Fill(seconds, rows, p.rounds, documents, action_plans, matches)


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class RouteResult(Result):
    kb: list[float] = field(default_factory=list)
    items: list[int] = field(default_factory=list)
    note: str = ""
    statements: list[Statement] = field(default_factory=list)  # of the last request

    @property
    def p95(self) -> float:
        """Nearest rank: with few requests, the slowest of them."""
        ordered = sorted(self.timings)
        return ordered[max(math.ceil(len(ordered) * 0.95) - 1, 0)]

    def add(self, ms: float, statements: list[Statement], body: bytes, items: int | None) -> None:
        self.timings.append(ms)
        self.queries.append(len(statements))
        self.sql_ms.append(sum(s.ms for s in statements))
        self.kb.append(len(body) / 1024)
        if items is not None:
            self.items.append(items)
        self.statements = statements


# A target gives the URL of one request and the number of items behind it (or None).
Target = Callable[[], tuple[str, int | None]]


def fetch(client: TestClient, url: str) -> bytes:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}, not 200")
    return response.content


def time_route(
    client: TestClient,
    log: SqlLog,
    size: int,
    label: str,
    target: Target,
    rounds: int,
    budget: float,
    note: str = "",
) -> RouteResult:
    """A warm-up request (two for a fast route), then `rounds` timed ones; a slow route stops
    after `budget` seconds, but not before three. A route whose first request takes more than
    half the budget is not repeated: that request is the measurement."""
    result = RouteResult(size, label, [], [], [], note=note)
    url, items = target()
    with log.record() as statements:
        start = time.perf_counter()
        body = fetch(client, url)
        ms = (time.perf_counter() - start) * 1000
    if ms > budget * 1000 / 2:
        result.add(ms, statements, body, items)
        result.note = f"{note}, 1 request (too slow to repeat)".lstrip(", ")
        return result
    if ms < budget * 1000 / 20:
        fetch(client, target()[0])
    deadline = time.perf_counter() + budget
    for i in range(rounds):
        url, items = target()
        with log.record() as statements:
            start = time.perf_counter()
            body = fetch(client, url)
            ms = (time.perf_counter() - start) * 1000
        result.add(ms, statements, body, items)
        if i >= 2 and time.perf_counter() > deadline:
            break
    return result


def measure(
    client: TestClient, log: SqlLog, size: int, filled: Fill, args: argparse.Namespace
) -> list[RouteResult]:
    base = f"/{WORKSPACE}"
    pick = random.Random(size)
    rounds = filled.rounds
    typical = [r for r in rounds if TYPICAL[0] <= r.size <= TYPICAL[1]] or sorted(
        rounds, key=lambda r: abs(r.size - 100)
    )[:3]
    largest = max(rounds, key=lambda r: r.size)
    # The export is of one fixed typical round: closed, answers published, closest to 100.
    published = [r for r in typical if r.state == "published"] or typical
    export = min(published, key=lambda r: abs(r.size - 100))

    def round_of(choices: list[PlannedRound], suffix: str = "") -> Target:
        def target() -> tuple[str, int | None]:
            r = pick.choice(choices)
            return f"{base}/hoeringer/{r.round_id}{suffix}", r.size

        return target

    def search(q: str, label: str) -> Target:
        return lambda: (f"{base}/strategier/sok?{urlencode({'q': q})}", filled.matches[label])

    big = f"{largest.size:,} comments, {largest.state}"
    routes: list[tuple[str, Target, int, str]] = [
        ("strategies index", lambda: (f"{base}/strategier", None), args.rounds, ""),
        (
            "document page (random)",
            lambda: (f"{base}/strategier/{pick.choice(filled.documents)}", None),
            args.rounds,
            "",
        ),
        ("round page (random)", round_of(rounds), args.rounds, ""),
        ("round page (typical)", round_of(typical), args.rounds, ""),
        ("round page (largest)", round_of([largest]), args.rounds, big),
        ("summary (typical)", round_of(typical, "/oppsummering"), args.rounds, ""),
        ("summary (largest)", round_of([largest], "/oppsummering"), args.rounds, big),
        (
            "measures page (action plan)",
            lambda: (f"{base}/strategier/{pick.choice(filled.action_plans)}/tiltak", None),
            args.rounds,
            "",
        ),
        *((label, search(q, label), args.rounds, f"q={q}") for label, q in QUERIES.items()),
        (
            "summary DOCX (typical)",
            round_of([export], "/oppsummering.docx"),
            args.export_rounds,
            f"{export.size} comments",
        ),
        (
            "summary PDF (typical)",
            round_of([export], "/oppsummering.pdf"),
            args.export_rounds,
            f"{export.size} comments",
        ),
        (
            "summary DOCX (largest)",
            round_of([largest], "/oppsummering.docx"),
            args.export_rounds,
            big,
        ),
        (
            "summary PDF (largest)",
            round_of([largest], "/oppsummering.pdf"),
            args.export_rounds,
            big,
        ),
    ]
    results = []
    for label, target, n, note in routes:
        result = time_route(client, log, size, label, target, n, args.budget, note)
        print(f"  {label:30} {result.median:9.1f} ms median ({len(result.timings)})", flush=True)
        results.append(result)
    return results


def explain_search(results: list[RouteResult], engine: Engine) -> None:
    """EXPLAIN ANALYZE the slowest statement of each search's last request. The search is one
    statement that starts with WITH, which common's explain_slowest passes over (it takes
    SELECTs only), so it goes in wrapped as a subquery: the plan is the same."""
    for r in results:
        if not r.route.startswith("search"):
            continue
        statements = [
            Statement(f"SELECT * FROM ({s.sql}) AS statement", s.parameters, s.ms)
            if s.sql.lstrip().upper().startswith("WITH")
            else s
            for s in r.statements
        ]
        print(f"\n=== size {r.size:,}, {r.route} ({r.note})")
        explain_slowest(engine, statements, top=1)


def describe(size: int, filled: Fill) -> None:
    rows = ", ".join(f"{t} {n:,}" for t, n in filled.rows.items())
    sizes = sorted(r.size for r in filled.rounds)
    states = {s: sum(1 for r in filled.rounds if r.state == s) for s, _ in LATEST_STATE}
    bands = [
        sum(1 for n in sizes if n < 20),
        sum(1 for n in sizes if 20 <= n <= 200),
        sum(1 for n in sizes if 200 < n <= 1000),
        sum(1 for n in sizes if n > 1000),
    ]
    matches = ", ".join(f"'{QUERIES[k]}' {v:,}" for k, v in filled.matches.items())
    print(
        f"size {size:,}: filled in {filled.seconds:.1f} s (incl. VACUUM ANALYZE); {rows}\n"
        f"  {len(sizes)} generated rounds ({', '.join(f'{n} {s}' for s, n in states.items())}); "
        f"comments per round: median {statistics.median(sizes):.0f}, largest {sizes[-1]:,}; "
        f"<20: {bands[0]}, 20–200: {bands[1]}, 201–1000: {bands[2]}, >1000: {bands[3]}\n"
        f"  comments matching: {matches}",
        flush=True,
    )


def run_size(size: int, args: argparse.Namespace, explain: bool) -> list[RouteResult]:
    name = f"samspill_bench_s{size}_{uuid.uuid4().hex[:8]}"
    try:
        owner, app_url = create_database(args.owner_url, name)
        filled = fill(owner, size, args.documents)
        describe(size, filled)
        settings = get_settings().model_copy(
            update={"database_url": app_url, "environment": "test", "mail_worker_in_process": False}
        )
        app = create_app(settings)
        log = SqlLog()
        log.attach(app.state.engine)
        with TestClient(app) as client:
            login(client)
            results = measure(client, log, size, filled, args)
        if explain:
            started = time.perf_counter()
            explain_search(results, app.state.engine)
            print(f"\n(EXPLAIN ANALYZE took {time.perf_counter() - started:.0f} s)", flush=True)
        app.state.engine.dispose()
        return results
    finally:
        if args.keep:
            print(f"kept database {name}")
        else:
            drop_database(args.owner_url, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,200000", help="comma-separated comment counts")
    parser.add_argument("--rounds", type=int, default=30, help="timed requests per route")
    parser.add_argument("--export-rounds", type=int, default=5, help="timed DOCX and PDF exports")
    parser.add_argument(
        "--budget", type=float, default=20, help="seconds per route before it stops early"
    )
    parser.add_argument("--documents", type=int, default=40, help="at least this many documents")
    parser.add_argument("--owner-url", default=OWNER_URL, help="a PostgreSQL superuser URL")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE search at the largest size"
    )
    args = parser.parse_args()
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    started = time.perf_counter()
    results: list[RouteResult] = []
    for size in sizes:
        results += run_size(size, args, explain=args.explain and size == sizes[-1])

    print(
        f"\nPostgreSQL, logged in as {LOGIN}; queries, sql ms and KB are medians per request; "
        "items: comments in the round, or comments matching the search (a page shows at most 50)"
    )
    print(
        f"{'size':>8}  {'route':30} {'rounds':>6} {'median ms':>10} {'p95 ms':>9} "
        f"{'queries':>7} {'sql ms':>8} {'KB':>7} {'items':>8}  note"
    )
    for r in results:
        items = f"{statistics.median(r.items):8,.0f}" if r.items else f"{'':8}"
        print(
            f"{r.size:>8,}  {r.route:30} {len(r.timings):6} {r.median:10.1f} {r.p95:9.1f} "
            f"{statistics.median(r.queries):7.0f} {statistics.median(r.sql_ms):8.1f} "
            f"{statistics.median(r.kb):7.0f} {items}  {r.note}"
        )
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(f"\nratio {large:,} / {small:,}")
        print(f"{'route':32} {'median':>7} {'p95':>7} {'items':>7}")
        for route in dict.fromkeys(r.route for r in results):
            a = next(r for r in results if r.route == route and r.size == small)
            b = next(r for r in results if r.route == route and r.size == large)
            items = (
                f"{statistics.median(b.items) / max(statistics.median(a.items), 1):7.1f}"
                if a.items and b.items
                else ""
            )
            print(f"{route:32} {b.median / a.median:7.2f} {b.p95 / a.p95:7.2f} {items}")
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
