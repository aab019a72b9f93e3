"""Benchmark: the consultation summary PDF (and DOCX) of a typical and of the largest round.

    .venv/bin/python bench/exports.py [--sizes 100,500,4000] [--rounds 3] [--docx] [--profile N]
        [--phases N]

For each size (top-level comments in the round) it builds a summary in memory, as
``app.strategies.summary.build`` gives it, with Norwegian texts of the lengths a county sees
(comments of 20–120 words, one in ten an amendment with base and proposed text, three in ten with
a reply in the thread, every comment answered with a reason), 12 sections of consulted text and
20 formal responses. Each size runs in a fresh child process (spawn) so that the memory figures
are that size's alone: the process's resident memory before, after and at its peak, and how much
of the growth it keeps after ``gc.collect()`` — what a web process rendering it in its own
memory would keep. It prints the median and worst wall time and the median CPU time (the
machine may be shared: CPU time is what the rendering itself costs) per format and size, the
PDF's pages and bytes; "summary" is the resident memory once the summary is built, before any
PDF of it; the peak is the process's VmHWM. ``--engine`` picks the direct writer
(``app.pdfwriter``, what the app uses; the default), WeasyPrint (the former way, from the print
document) or both, interleaved per size. ``--offloaded`` also makes each size as the worker
does and prints how long that took and how much the calling process grew.
``--profile N`` prints the 25 costliest functions of one PDF of N comments; ``--phases N``
splits the CPU time of one WeasyPrint PDF (the former way) of N comments into its steps: the
print document (Jinja), HTML parsing, the style cascade, boxes, layout, painting, the tag
tree, and writing the file.

Figures, not assertions. No database is needed: the summary is made of unsaved model objects.
"""

from __future__ import annotations

import argparse
import gc
import io
import multiprocessing
import random
import resource
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

WORDS = [
    "kommunene",
    "fylket",
    "samarbeid",
    "regionen",
    "næringslivet",
    "innbyggerne",
    "tiltak",
    "strategien",
    "bredbånd",
    "klima",
    "omstilling",
    "kompetanse",
    "ungdom",
    "helse",
    "samferdsel",
    "kultur",
    "arbeidsplasser",
    "fjellbygdene",
    "øyene",
    "kysten",
    "prioritere",
    "finansiering",
    "styringsgruppa",
    "tydelig",
    "ansvar",
    "partnerskap",
    "digitalisering",
    "rekruttering",
    "bosetting",
    "reiseliv",
    "havbruk",
    "landbruk",
    "reindrift",
    "skolene",
    "tannhelse",
    "universitetet",
    "forskning",
    "innovasjon",
    "grønn",
    "energi",
    "vannkraft",
    "vindkraft",
    "naturmangfold",
    "friluftsliv",
    "beredskap",
]
FILLER = [
    "og",
    "i",
    "på",
    "for",
    "med",
    "til",
    "av",
    "at",
    "som",
    "det",
    "er",
    "vi",
    "de",
    "skal",
    "bør",
    "må",
    "ikke",
    "også",
    "mer",
    "enn",
]


def _sentence(rng: random.Random, words: int) -> str:
    out = []
    for n in range(words):
        out.append(rng.choice(WORDS) if n % 3 == 0 else rng.choice(FILLER))
    return " ".join(out).capitalize() + "."


def _text(rng: random.Random, words: int) -> str:
    parts = []
    while words > 0:
        n = min(words, rng.randint(8, 20))
        parts.append(_sentence(rng, n))
        words -= n
    return " ".join(parts)


def build_summary(comments: int, seed: int = 7) -> Any:
    """A Summary of ``comments`` top-level comments, made of unsaved model objects."""
    from app.counties.models import Workspace
    from app.strategies.models import (
        ConsultationComment,
        ConsultationRound,
        StrategyDocument,
        StrategyVersion,
        VersionSection,
    )
    from app.strategies.summary import Item, ResponseSummary, SectionSummary, Summary

    rng = random.Random(seed)
    at = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    ws = Workspace(id=1, slug="trondelag", name="Trøndelag fylkeskommune", county_number="50")
    doc = StrategyDocument(id=1, title="Regional innovasjonsstrategi 2027–2030", kind="strategy")
    version = StrategyVersion(id=1, document_id=1, number=2, published_at=at, case_number="26/1234")
    rnd = ConsultationRound(
        id=1,
        document_id=1,
        version_id=1,
        title="Høring om innovasjonsstrategien",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 11, 15),
        answers_published_at=at + timedelta(days=60),
        closed_at=None,
    )
    rnd.document, rnd.version = doc, version
    sections = []
    for n in range(12):
        body = (
            "\n\n".join(_text(rng, 60) for _ in range(4))
            + "\n\n- færre søknader\n- felles løsninger"
        )
        sections.append(
            VersionSection(
                id=n + 1,
                version_id=1,
                key=f"s{n}",
                position=n + 1,
                heading=f"Avsnitt om {WORDS[n]}",
                body=body,
            )
        )
    items: dict[str, list[Item]] = {s.key: [] for s in sections}
    answers = ("accepted", "partly", "noted", "rejected")
    next_id = 1
    for n in range(comments):
        section = sections[rng.randrange(len(sections))]
        amendment = rng.random() < 0.1
        base = _text(rng, 30)
        c = ConsultationComment(
            id=next_id,
            round_id=1,
            section_key=section.key,
            kind="amendment" if amendment else "comment",
            quote=_text(rng, 12) if rng.random() < 0.2 else None,
            body=_text(rng, rng.randint(20, 120)),
            base_text=base if amendment else None,
            proposed_text=(base[:60] + " " + _text(rng, 15) + base[90:]) if amendment else None,
            author_name=f"Person {n % 300}",
            author_org=f"Kommune {n % 38}",
            created_at=at + timedelta(minutes=n),
            answer=answers[n % 4],
            answer_reason=_text(rng, rng.randint(10, 40)),
            answered_at=at + timedelta(days=50),
        )
        next_id += 1
        replies = []
        if rng.random() < 0.3:
            replies.append(
                ConsultationComment(
                    id=next_id,
                    round_id=1,
                    section_key=section.key,
                    parent_id=c.id,
                    kind="comment",
                    body=_text(rng, 25),
                    author_name="Kari Østby",
                    author_org="Trøndelag fylkeskommune",
                    created_at=at + timedelta(days=3),
                )
            )
            next_id += 1
        items[section.key].append(Item(c, replies))
    invited = [f"Kommune {n}" for n in range(38)] + [f"Organisasjon {n}" for n in range(20)]
    return Summary(
        workspace=ws,
        round=rnd,
        document=doc,
        version=version,
        sections=[SectionSummary(s, items[s.key]) for s in sections],
        responses=[
            ResponseSummary(f"Organisasjon {n}", _text(rng, 150), "Ola Nordmann", at, [])
            for n in range(20)
        ],
        invited=invited,
        silent=invited[40:],
        comments=comments,
        amendments=sum(1 for s in items.values() for i in s if i.comment.kind == "amendment"),
        unanswered=0,
        by_answer={a: comments // 4 for a in answers},
    )


def _rss() -> float:
    """Resident memory of this process now, in MB (Linux)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 1e6


def _peak() -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def _maker(engine: str) -> Any:
    from app.strategies import exports
    from app.strategies.exports.pdf import summary_pdf_weasyprint

    return summary_pdf_weasyprint if engine == "weasyprint" else exports.summary_pdf


def run_size(size: int, rounds: int, docx: bool, engine: str = "direct") -> dict[str, Any]:
    from app.i18n import speaking
    from app.strategies import exports

    make = _maker(engine)
    out: dict[str, Any] = {"size": size}
    with speaking("nb"):
        make(build_summary(5))  # imports and fonts, as a warm web process has
        gc.collect()
        out["rss_before"] = _rss()
        s = build_summary(size)
        gc.collect()
        out["rss_summary"] = _rss()  # with the summary built, before any PDF of it
        times, cpu = [], []
        data = b""
        for _ in range(rounds):
            start, start_cpu = time.perf_counter(), time.process_time()
            data = make(s)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        out["pdf"], out["cpu"] = times, cpu
        out["pdf_bytes"] = len(data)
        from pypdf import PdfReader

        out["pages"] = len(PdfReader(io.BytesIO(data)).pages)
        out["rss_after"] = _rss()
        gc.collect()
        out["rss_kept"] = _rss()
        out["peak"] = _peak()
        if docx:
            times = []
            for _ in range(rounds):
                start = time.perf_counter()
                exports.summary_docx(s)
                times.append(time.perf_counter() - start)
            out["docx"] = times
    return out


def _child(size: int, rounds: int, docx: bool, queue: Any, engine: str = "direct") -> None:
    queue.put(run_size(size, rounds, docx, engine))


def _child_offloaded(size: int, queue: Any) -> None:
    """As the worker makes a large PDF (``summary_pdf``, the direct writer, in the
    worker's own process). How long, and how much this process grew meanwhile."""
    from app.i18n import speaking
    from app.strategies.exports.pdf import summary_pdf

    with speaking("nb"):
        summary_pdf(build_summary(5))
        s = build_summary(size)
        gc.collect()
        before = _rss()
        start = time.perf_counter()
        summary_pdf(s)
        seconds = time.perf_counter() - start
        gc.collect()
        queue.put({"seconds": seconds, "growth": _rss() - before})


def profile(size: int) -> None:
    import cProfile
    import pstats

    from app.i18n import speaking
    from app.strategies import exports

    with speaking("nb"):
        s = build_summary(size)
        exports.summary_pdf(build_summary(5))
        prof = cProfile.Profile()
        prof.enable()
        exports.summary_pdf(s)
        prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


def phases(size: int) -> None:
    """CPU seconds of each step of one PDF, best of two. The steps inside WeasyPrint are timed
    by wrapping its own functions here, in this benchmark only."""
    import weasyprint.document as wd
    import weasyprint.pdf as wp
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    from app.documents import PDF_OPTIONS, tag_tree_in_linear_time
    from app.i18n import speaking
    from app.strategies.exports.pdf import summary_html

    spent: dict[str, float] = {}

    def timed(module: Any, name: str, label: str) -> None:
        original = getattr(module, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - start

        setattr(module, name, wrapper)

    timed(wd, "get_all_computed_styles", "style cascade")
    timed(wd, "build_formatting_structure", "boxes")
    timed(wd, "layout_document", "layout")
    timed(wd, "draw_page", "paint")
    timed(wp, "add_tags", "tag tree")
    tag_tree_in_linear_time()
    with speaking("nb"):
        summary_html(build_summary(5))
        s = build_summary(size)
        best: dict[str, float] = {}
        for _ in range(2):
            spent.clear()
            start = time.process_time()
            html = summary_html(s)
            spent["print document (Jinja)"] = time.process_time() - start
            start = time.process_time()
            document = HTML(
                string=html, base_url=None, url_fetcher=URLFetcher(allowed_protocols=())
            )
            spent["HTML parsing"] = time.process_time() - start
            start = time.process_time()
            rendered = document.render(pdf_tags=True)
            # layout_document is a generator: its time is spent while _render lists the pages
            spent["layout"] = time.process_time() - start - spent["style cascade"] - spent["boxes"]
            start = time.process_time()
            rendered.write_pdf(**PDF_OPTIONS)
            spent["writing the file"] = (
                time.process_time() - start - spent["paint"] - spent["tag tree"]
            )
            if not best or sum(spent.values()) < sum(best.values()):
                best = dict(spent)
    total = sum(best.values())
    print(f"{size} comments, {len(rendered.pages)} pages, {total:.2f} s CPU")
    for label, seconds in best.items():
        print(f"  {label:<24} {seconds:6.3f} s {seconds / total:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,500,4000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--docx", action="store_true", help="time the DOCX too")
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--phases", type=int, default=0, help="WeasyPrint's steps (former way)")
    parser.add_argument(
        "--engine",
        choices=("direct", "weasyprint", "both"),
        default="direct",
        help="the direct writer (what the app uses), WeasyPrint (the former way), or both",
    )
    parser.add_argument(
        "--offloaded", action="store_true", help="also time it as the worker makes it"
    )
    args = parser.parse_args()
    if args.profile:
        profile(args.profile)
        return
    if args.phases:
        phases(args.phases)
        return
    ctx = multiprocessing.get_context("spawn")
    engines = ("direct", "weasyprint") if args.engine == "both" else (args.engine,)
    print(
        f"{'engine':>10} {'comments':>8} {'pages':>6} {'MB':>6} {'median s':>9} {'max s':>7} "
        f"{'CPU s':>6} {'RSS before':>11} {'summary':>8} {'after':>7} {'kept':>7} {'peak':>7}"
        + (f" {'DOCX s':>7}" if args.docx else "")
    )
    for size, engine in ((int(x), e) for x in args.sizes.split(",") for e in engines):
        queue = ctx.Queue()
        child = ctx.Process(target=_child, args=(size, args.rounds, args.docx, queue, engine))
        child.start()
        r = queue.get()
        child.join()
        line = (
            f"{engine:>10} {size:>8} {r['pages']:>6} {r['pdf_bytes'] / 1e6:>6.2f} "
            f"{statistics.median(r['pdf']):>9.2f} {max(r['pdf']):>7.2f} "
            f"{statistics.median(r['cpu']):>6.2f} "
            f"{r['rss_before']:>9.0f}MB {r['rss_summary']:>6.0f}MB "
            f"{r['rss_after']:>5.0f}MB {r['rss_kept']:>5.0f}MB "
            f"{r['peak']:>5.0f}MB"
        )
        if args.docx:
            line += f" {statistics.median(r['docx']):>7.2f}"
        print(line, flush=True)
        if args.offloaded:
            child = ctx.Process(target=_child_offloaded, args=(size, queue))
            child.start()
            o = queue.get()
            child.join()
            print(
                f"{'':>8} in a child process: {o['seconds']:.2f} s, the caller grew by "
                f"{o['growth']:.0f} MB",
                flush=True,
            )


if __name__ == "__main__":
    main()
