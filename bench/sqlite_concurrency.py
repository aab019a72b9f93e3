"""Benchmark: SQLite with 16 concurrent readers and one writer on the real server.

    .venv/bin/python bench/sqlite_concurrency.py [--seconds 30] [--readers 16] [--pause 0.25]
        [--workers 1] [--no-writer] [--set SAMSPILL_NAME=value ...]

Makes a SQLite file with the demo loaded (bench/load.py's ``database``), starts
``samspill serve`` on it (rate limits off), logs in as the Trøndelag coordinator and, for
--seconds seconds, drives (each on a connection of its own, opened one after another first, so
that several worker processes share them out; the count per process is printed)

- --readers reader connections, each looping over the help-desk queue, a request page and a
  body page (GET), waiting --pause seconds between requests (0: as fast as the server answers;
  then the figures measure queueing for the server's workers, not the database's locks);
- one writer connection posting internal notes on help requests through the page form (with
  the CSRF token), one after another, as fast as the server answers (--no-writer: none, for
  a comparison of the readers' figures with and without it).

It prints, for the readers and for the writer: requests, req/s, p50, p95, p99 and max in
milliseconds, and errors (any answer but 200 for a read and 303 for a write, or a broken
connection), the reads slower than 250 ms by second of the run (a burst at 0 s is the
warm-up; bursts later, with the load average, show other processes taking the CPU), the
resident memory of the server's processes at the end (with several workers: uvicorn's
supervisor, then each worker) and the size of SQLite's write-ahead log (it grows when
checkpoints cannot keep up with the readers), then checks that every acknowledged note is
stored exactly once. Figures, not assertions: it exits non-zero only when an acknowledged
write is missing or doubled.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import BIN, database, free_port, login, rss_mb, serve, server_env

READS = ("/trondelag/hjelp", "/trondelag/hjelp/1", "/trondelag/hjelp/2", "/trondelag/organer/8")
REQUESTS = (1, 2, 3)  # help requests the writer adds notes to
NOTE = "samtidig {run} {seq}"
SLOW_MS = 250  # the goal's p99


class Tally:
    def __init__(self) -> None:
        self.timings: list[float] = []
        self.slow: Counter[int] = Counter()  # answers slower than SLOW_MS by second of the run
        self.statuses: Counter[str] = Counter()

    def add(self, at: float, ms: float) -> None:
        self.timings.append(ms)
        if ms > SLOW_MS:
            self.slow[int(at)] += 1

    def line(self, name: str, seconds: float, ok: str) -> str:
        t = sorted(self.timings)
        if not t:
            return f"{name:8} no requests"
        errors = sum(n for status, n in self.statuses.items() if status != ok)

        def pct(p: float) -> float:
            return t[min(len(t) - 1, max(0, int(len(t) * p) - 1))]

        return (
            f"{name:8} {len(t):7d} {len(t) / seconds:8.1f} {statistics.median(t):8.1f} "
            f"{pct(0.95):8.1f} {pct(0.99):8.1f} {t[-1]:8.1f} {errors:7d}"
        )


def connections_per_process(pids: list[int], port: int) -> list[int]:
    """How many established connections to ``port`` each of ``pids`` holds (Linux /proc)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    counts = []
    for pid in pids:
        n = 0
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    n += 1
        except OSError:
            pass
        counts.append(n)
    return counts


async def drive(
    base: str, cookies: dict[str, str], args: argparse.Namespace, run: str, server: int
) -> tuple[Tally, Tally, set[str], float, list[int]]:
    """Each reader and the writer on a connection of its own, opened one after another before
    the timed run (a first GET each, not counted: it also warms each worker up). Opened all at
    once, the connections would all go to the worker process that wakes first (uvicorn's
    workers share one listening socket and each accepts every waiting connection), and a
    second worker would have nothing to do."""
    readers, writer = Tally(), Tally()
    acknowledged: set[str] = set()
    one = httpx.Limits(max_connections=1)
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=base, cookies=cookies, limits=one, timeout=30, follow_redirects=False
                )
            )
            for _ in range(args.readers + 1)
        ]
        for client in clients:
            await client.get(READS[0])
            await asyncio.sleep(0.05)
        port = int(base.rsplit(":", 1)[1])
        spread = connections_per_process(worker_pids(server), port)
        began = time.perf_counter()
        end = began + args.seconds

        async def read(n: int) -> None:
            client = clients[n]
            seq = n
            while time.perf_counter() < end:
                seq += 1
                start = time.perf_counter()
                try:
                    status = str((await client.get(READS[seq % len(READS)])).status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                readers.add(start - began, (time.perf_counter() - start) * 1000)
                readers.statuses[status] += 1
                if args.pause:
                    await asyncio.sleep(args.pause)

        async def write() -> None:
            client = clients[-1]
            seq = 0
            while time.perf_counter() < end:
                seq += 1
                note = NOTE.format(run=run, seq=seq)
                start = time.perf_counter()
                try:
                    answer = await client.post(
                        f"/trondelag/hjelp/{REQUESTS[seq % len(REQUESTS)]}/svar",
                        data={
                            "body": note,
                            "internal": "on",
                            "csrf_token": cookies["samspill_csrf"],
                        },
                    )
                    status = str(answer.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                writer.add(start - began, (time.perf_counter() - start) * 1000)
                writer.statuses[status] += 1
                if status == "303":
                    acknowledged.add(note)

        writers = [write()] if args.writer else []
        await asyncio.gather(*writers, *(read(n) for n in range(args.readers)))
        took = time.perf_counter() - began
    return readers, writer, acknowledged, took, spread


def worker_pids(pid: int) -> list[int]:
    """The server's worker processes: uvicorn's children when it has any, else itself."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return [int(c) for c in children] or [pid]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--pause", type=float, default=0.25, help="a reader's wait between GETs")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--no-writer",
        dest="writer",
        action="store_false",
        help="readers alone, to compare: what the writer costs the readers",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SAMSPILL_NAME=value",
        help="a setting for the server, e.g. SAMSPILL_DATABASE_POOL_SIZE=4 (repeatable)",
    )
    args = parser.parse_args()
    run = uuid.uuid4().hex[:8]
    intact = True
    with database("sqlite", "") as db:
        folder = Path(tempfile.mkdtemp(prefix="samspill-concurrency-"))
        port = free_port()
        command = [str(BIN / "samspill"), "serve", "--port", str(port)]
        command += ["--workers", str(args.workers)]
        try:
            env = server_env(db, folder)
            env.update(setting.split("=", 1) for setting in args.set)
            with serve(command, env, port, folder / "app.log") as pid:
                base = f"http://127.0.0.1:{port}"
                cookies = login(base)
                readers, writer, acknowledged, took, spread = asyncio.run(
                    drive(base, cookies, args, run, pid)
                )
                memory = rss_mb(pid)
                wal = Path(db.url.split("///", 1)[1] + "-wal")
                wal_mb = wal.stat().st_size / 2**20 if wal.exists() else 0.0
        finally:
            log = (folder / "app.log").read_text(errors="replace") if folder.exists() else ""
            shutil.rmtree(folder, ignore_errors=True)
        engine = create_engine(db.url)
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT body, count(*) FROM request_message WHERE body LIKE :p GROUP BY body"),
                {"p": f"samtidig {run} %"},
            ).all()
        engine.dispose()
    stored = {str(body): int(n) for body, n in rows}
    missing = acknowledged - set(stored)
    doubled = [note for note, n in stored.items() if n > 1]
    intact = not missing and not doubled
    print(
        f"sqlite, {args.workers} worker(s): {args.readers} readers (pause {args.pause:g} s) "
        f"+ {int(args.writer)} writer for {took:.0f} s" + "".join(f", {x}" for x in args.set)
    )
    print(
        f"{'':8} {'requests':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'errors':>7}"
    )
    print(readers.line("readers", took, "200"))
    print(writer.line("writer", took, "303"))
    print(
        "  answers: readers " + ", ".join(f"{k}: {n}" for k, n in sorted(readers.statuses.items()))
    )
    print("           writer " + ", ".join(f"{k}: {n}" for k, n in sorted(writer.statuses.items())))
    for name, tally in (("readers", readers), ("writer", writer)):
        if tally.slow:
            print(
                f"  {name} slower than {SLOW_MS} ms, by second of the run: "
                + ", ".join(f"{at}s: {n}" for at, n in sorted(tally.slow.items()))
            )
    print(
        f"  writes acknowledged {len(acknowledged)}, stored {sum(stored.values())}: "
        f"missing {len(missing)}, stored twice {len(doubled)}"
    )
    print("  connections per server process: " + ", ".join(str(n) for n in spread))
    print("  memory (RSS, MB): " + ", ".join(f"{mb:.0f}" for mb in memory))
    print(f"  write-ahead log at the end: {wal_mb:.1f} MB")
    locked = log.count("database is locked")
    if locked:
        print(f"  the server logged 'database is locked' {locked} times")
    if not intact:
        raise SystemExit("an acknowledged write is missing or stored twice")


if __name__ == "__main__":
    main()
