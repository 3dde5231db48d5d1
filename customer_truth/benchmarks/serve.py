"""Load test of the HTTP API on loopback: ``customer-truth benchmark serve --home H``.

Starts ``customer-truth serve`` on a free 127.0.0.1 port as a child process over a home with a
published release, creates a ``support_agent_ai`` key there, and for each concurrency level
(``--clients 10,50``) runs that many clients for ``--seconds``, each reading the context of
customers drawn at random from the release (``GET /v1/customers/{id}/context``), one request
after another on a kept-alive connection. The load generator runs in this process on the same
machine as the server (asyncio streams, a minimal HTTP/1.1 client: httpx would cost the
generator more CPU than the server spends per read).

Reported per level: reads, reads/s, errors (any status but 200, or a broken connection),
latency p50/p95/p99 (ms, from sending the request to the last byte of the answer), the
server's resident memory (its process tree) at the start, the end and its peak (sampled every
0.5 s), and the releases the answers came from. Every answer is checked for a mixed read: all the
``publication_id`` values in one body (the answer's and its profile's, stamped on every row of
a release) must be the same.

``--publish-during``: in the last level, a new release of the same data is published into the
home a third of the way through (``republish``: the current release's tables read through the
reader and written by ``publication.publisher`` as a new release, with its ``analytics.duckdb``),
so the server must switch releases under load; the level then reports the releases its answers
came from and that no answer failed or mixed them.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from customer_truth.benchmarks.process_tree import tree_rss
from customer_truth.progress import running, say

_PUBLICATION = re.compile(rb'"publication_id":"([^"]*)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss(pid: int) -> int:
    """The server's resident memory: its process and its workers (``--workers``)."""
    return tree_rss(pid)


class _Sampler:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[int] = []
        self.cpu_start = 0.0
        self.cpu = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(_rss(self.pid))
            self._stop.wait(0.5)

    def __enter__(self) -> _Sampler:
        self.cpu_start = _cpu_seconds(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(_rss(self.pid))
        self.cpu = _cpu_seconds(self.pid) - self.cpu_start


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the server process has used: per read, it says what a read
    costs whatever else the machine runs (the latencies do not: they include waiting for it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _client(
    port: int, key: str, ids: list[str], going: Callable[[], bool], seed: int, out: dict[str, Any]
) -> None:
    rng = random.Random(seed)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while going():
            customer = ids[rng.randrange(len(ids))]
            request = (
                f"GET /v1/customers/{customer}/context HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {key}\r\n\r\n"
            ).encode()
            started = time.perf_counter()
            try:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
                body = await reader.readexactly(length)
            except (OSError, asyncio.IncompleteReadError, AttributeError, ValueError):
                out["errors"] += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            out["latencies"].append(time.perf_counter() - started)
            if not head.startswith(b"HTTP/1.1 200"):
                out["errors"] += 1
                out["statuses"][head.split(b" ", 2)[1].decode()] += 1
                continue
            releases = set(_PUBLICATION.findall(body))
            if len(releases) != 1:
                out["mixed"] += 1
            out["releases"][b",".join(sorted(releases)).decode()] += 1
    finally:
        writer.close()


async def _level(
    port: int, key: str, ids: list[str], clients: int, going: Callable[[], bool]
) -> dict:
    out: dict[str, Any] = {
        "latencies": [],
        "errors": 0,
        "mixed": 0,
        "statuses": Counter(),
        "releases": Counter(),
    }
    await asyncio.gather(*(_client(port, key, ids, going, n, out) for n in range(clients)))
    return out


def _before(until: float) -> Callable[[], bool]:
    return lambda: time.perf_counter() < until


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


def republish(home: Path) -> str:
    """Publish the current release's data again as a new release (the switch under load)."""
    from customer_truth.publication.erasure import ErasedSet
    from customer_truth.publication.log import find_entry
    from customer_truth.publication.publisher import Candidates, publish_release
    from customer_truth.publication.reader import current_release, table_dataset
    from customer_truth.publication.registry import published_table
    from customer_truth.settings import Settings

    settings = Settings(landing=home / "landing", home=home)
    release = current_release(settings)
    assert release is not None, "nothing published to publish again"
    entry = find_entry(settings.published, release.publication_id)

    def stream(key: str) -> Any:
        # streamed batch by batch, as the publisher streams from the warehouse (the publisher
        # stamps the new publication_id over the old one)
        return lambda: table_dataset(settings, key, release).scanner().to_reader()

    candidates = Candidates(
        tables={key: stream(key) for key in release.tables},
        sources={},
        missing=[],
        erased=ErasedSet.empty(),
        landing_batches=entry.landing_batches if entry else [],
    )
    publication_id = f"bench-{uuid.uuid4().hex[:8]}"
    publish_release(
        settings,
        publication_id,
        datetime.now(UTC),
        [{"suite": "benchmark_republish", "success": True}],
        tables=tuple(published_table(key) for key in release.tables),
        candidates=candidates,
    )
    return publication_id


def run_serve_benchmark(
    *,
    home: Path,
    landing: Path | None,
    clients: list[int],
    seconds: float,
    publish_during: bool,
    out: Path | None,
    workers: int = 1,
) -> int:
    from customer_truth.api.keys import create_key, revoke_key
    from customer_truth.publication.reader import current_release, read_table

    home = home.resolve()
    release = current_release(home)
    if release is None:
        print(f"benchmark serve: nothing published in {home}", file=sys.stderr)
        return 1
    ids = read_table(home, "customer_profile", release=release, columns=["customer_id"])
    customer_ids = ids.column("customer_id").to_pylist()
    entry, key = create_key(home, "support_agent_ai")
    port = _free_port()
    env = {**os.environ, "CUSTOMER_TRUTH_HOME": str(home)}
    if landing is not None:
        env["CUSTOMER_TRUTH_LANDING"] = str(landing)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "customer_truth.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
    )
    results: dict[str, Any] = {
        "home": str(home),
        "customers": len(customer_ids),
        "release": release.publication_id,
        "server_workers": workers,
        "levels": [],
    }
    try:
        with running(f"the server starts on 127.0.0.1:{port} and opens the release's index"):
            warm = _warm_up(port, key, customer_ids)
        say(f"server ready ({warm} warm-up reads)")
        for level in clients:
            until = time.perf_counter() + seconds
            with (
                running(f"{level} client(s) read for {seconds:.0f} s"),
                _Sampler(server.pid) as memory,
            ):
                measured = asyncio.run(_level(port, key, customer_ids, level, _before(until)))
            row = _summary(level, seconds, measured, memory.samples)
            row["server_cpu_ms_per_read"] = _per_read(memory.cpu, row["reads"])
            results["levels"].append(row)
            print(json.dumps(row), flush=True)
        if publish_during:
            with running(f"{clients[-1]} client(s) read while a new release is published"):
                results["publication_level"] = _publication_level(
                    home, env, port, key, customer_ids, clients[-1], server.pid, results
                )
            print(json.dumps(results["publication_level"]), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        revoke_key(home, entry.key_id)
    if out is not None:
        out.write_text(json.dumps(results, indent=2))
    return 0


def _publication_level(
    home: Path,
    env: dict[str, str],
    port: int,
    key: str,
    ids: list[str],
    clients: int,
    server_pid: int,
    results: dict[str, Any],
) -> dict[str, Any]:
    """Load by ``clients`` while a new release is published and the server switches to it:
    from 5 s before the publication starts until 20 s after the answers first came from the
    new release (at most 20 minutes)."""
    publisher = threading.Timer(5.0, _republish_child, [home, env, results])
    started = time.perf_counter()
    switched: list[float] = []

    def going() -> bool:
        now = time.perf_counter()
        if now - started > 1200:
            return False
        done = results.get("publication_during_load")
        if done is not None and done.get("exit_code") != 0:
            return False
        return not switched or now - switched[0] < 20

    async def watch(out: dict[str, Any]) -> None:
        # the moment the answers come from a release other than the one the level began with
        while going():
            if len(out["releases"]) > 1 and not switched:
                switched.append(time.perf_counter())
            await asyncio.sleep(0.2)

    async def level() -> dict[str, Any]:
        out: dict[str, Any] = {
            "latencies": [],
            "errors": 0,
            "mixed": 0,
            "statuses": Counter(),
            "releases": Counter(),
        }
        await asyncio.gather(
            watch(out), *(_client(port, key, ids, going, n, out) for n in range(clients))
        )
        return out

    publisher.start()
    with _Sampler(server_pid) as memory:
        measured = asyncio.run(level())
    publisher.join()
    seconds = round(time.perf_counter() - started, 1)
    row = _summary(clients, seconds, measured, memory.samples)
    row["server_cpu_ms_per_read"] = _per_read(memory.cpu, row["reads"])
    row["switched_after_s"] = round(switched[0] - started, 1) if switched else None
    return row


def _warm_up(port: int, key: str, ids: list[str]) -> int:
    """Wait for the server to answer (it opens the release's index first)."""
    deadline = time.monotonic() + 600
    while True:
        try:
            until = time.perf_counter() + 2.0
            measured = asyncio.run(_level(port, key, ids, 1, _before(until)))
            if measured["latencies"] and not measured["errors"]:
                return len(measured["latencies"])
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("the server did not answer within 10 minutes")
        time.sleep(0.5)


def _republish_child(home: Path, env: dict[str, str], results: dict[str, Any]) -> None:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "customer_truth.benchmarks.serve", "republish", str(home)],
        env=env,
        capture_output=True,
        text=True,
    )
    results["publication_during_load"] = {
        "seconds": round(time.perf_counter() - started, 1),
        "exit_code": done.returncode,
        "publication_id": done.stdout.strip().splitlines()[-1] if done.stdout.strip() else None,
        "stderr_tail": done.stderr[-2000:],
    }
    print(f"publication during load: {results['publication_during_load']}", flush=True)


def _per_read(cpu_seconds: float, reads: int) -> float | None:
    return round(cpu_seconds * 1000 / reads, 2) if reads else None


def _summary(clients: int, seconds: float, measured: dict, samples: list[int]) -> dict:
    latencies = measured["latencies"]
    gib = 1024**3
    return {
        "clients": clients,
        "seconds": seconds,
        "reads": len(latencies),
        "reads_per_second": round(len(latencies) / seconds, 1),
        "errors": measured["errors"],
        "statuses": dict(measured["statuses"]),
        "mixed_reads": measured["mixed"],
        "p50_ms": round(_percentile(latencies, 0.50), 2),
        "p95_ms": round(_percentile(latencies, 0.95), 2),
        "p99_ms": round(_percentile(latencies, 0.99), 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else None,
        "server_rss_gib": {
            "start": round(samples[0] / gib, 3),
            "end": round(samples[-1] / gib, 3),
            "peak": round(max(samples) / gib, 3),
        },
        "answers_by_release": dict(measured["releases"]),
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["republish"]:
        print(republish(Path(sys.argv[2])))
