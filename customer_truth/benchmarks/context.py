"""Context lookup latency: ``customer-truth benchmark context --persons N``.

Generates a world (``customer-truth generate``), runs the main job on it
(``customer-truth run``, which publishes a release), then times ``retrieval.lookup`` over a mix
of identifier types typed the way callers type them (phones in national format, emails in
upper case with spaces, order names without ``#``, tracking codes in lower case), the three
consumers in turn, plus a share of identifiers that exist nowhere. Prints p50/p95/p99 in
milliseconds; the first lookup, which opens the release's index, is reported on its own.

``--reuse`` keeps a world and a published home already in ``--work`` (a rerun measures again
without regenerating or rebuilding).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb
import phonenumbers

from customer_truth.progress import Meter, running
from customer_truth.publication.reader import current_release, read_table
from customer_truth.retrieval.index import release_index
from customer_truth.retrieval.lookup import lookup

CONSUMERS = ("support_agent_ai", "marketing_ai", "analyst")
TYPES = (
    "email",
    "phone",
    "order_name",
    "tracking_code",
    "crm_contact_id",
    "commerce_customer_id",
    "billing_customer_id",
    "support_user_id",
    "anonymous_id",
)
UNKNOWN_SHARE = 0.05


def _step(label: str, command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    with running(label):
        completed = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
        raise SystemExit(f"benchmark step {label!r} failed with exit code {completed.returncode}")
    return seconds


def sample_identifiers(home: Path, count: int, seed: int) -> list[tuple[str, str]]:
    """(identifier_type, value as a caller would type it): the same share of each type, drawn
    set-wise from the release's identifier_lookup, plus identifiers that exist nowhere."""
    known = round(count * (1 - UNKNOWN_SHARE))
    per_type = -(-known // len(TYPES))
    data = read_table(home, "identifier_lookup", columns=["identifier_type", "identifier_value"])
    con = duckdb.connect()
    try:
        con.register("identifiers", data)
        rows = con.execute(
            "select identifier_type, identifier_value from ("
            "  select distinct identifier_type, identifier_value from identifiers"
            "  where identifier_type in (select unnest(?))"
            ") qualify row_number() over (partition by identifier_type"
            "  order by hash(identifier_value || ?)) <= ?"
            " order by hash(identifier_value || ?)",
            [list(TYPES), str(seed), per_type, str(seed)],
        ).fetchall()
    finally:
        con.close()
    typed = [(kind, as_typed(kind, value, n)) for n, (kind, value) in enumerate(rows[:known])]
    unknown = [("unknown", f"nobody.{seed}.{n}@nowhere.example.org") for n in range(count)]
    return (typed + unknown)[:count]


def as_typed(kind: str, value: str, n: int) -> str:
    """A normalised identifier the way a person or an agent would type it."""
    if kind == "phone" and n % 2 == 0:
        number = phonenumbers.parse(value, None)
        # national form only where the lookup's default region reads it (the US plan);
        # a foreign number typed nationally needs its country, which a caller would give
        style = (
            phonenumbers.PhoneNumberFormat.NATIONAL
            if number.country_code == 1
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        return phonenumbers.format_number(number, style)
    if kind == "email":
        return f"  {value.upper()} "
    if kind == "order_name":
        return value.lstrip("#")
    if kind == "tracking_code":
        return value.lower()
    return value


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run_context_benchmark(
    persons: int, seed: int, work: Path, lookups: int = 1000, days: int = 7, reuse: bool = False
) -> dict[str, object]:
    world, home = work / "world", work / "home"
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "false",
        "CUSTOMER_TRUTH_LANDING": str(world / "landing"),
        "CUSTOMER_TRUTH_HOME": str(home),
    }
    cli = [sys.executable, "-m", "customer_truth.cli"]
    seconds: dict[str, float] = {}
    if not (reuse and (world / "landing").is_dir()):
        generate = [*cli, "generate", "--persons", str(persons), "--seed", str(seed)]
        generate += ["--days", str(days), "--out", str(world), "--overwrite"]
        seconds["generate"] = _step("generate", generate, env)
    if not (reuse and current_release(home) is not None):
        seconds["main job"] = _step("main job (customer-truth run)", [*cli, "run"], env)
    release = current_release(home)
    if release is None:
        raise SystemExit(f"the main job published nothing under {home}")

    sample = sample_identifiers(home, lookups, seed)
    started = time.perf_counter()
    with running("the first lookup (it opens the release's index)"):
        lookup(sample[0][1], consumer=CONSUMERS[0], home=home)
    open_ms = (time.perf_counter() - started) * 1000
    timings: list[float] = []
    by_type: dict[str, list[float]] = {}
    outcomes: Counter[str] = Counter()
    meter = Meter("lookups", len(sample))
    for n, (kind, typed) in enumerate(sample):
        started = time.perf_counter()
        response = lookup(typed, consumer=CONSUMERS[n % len(CONSUMERS)], home=home)
        elapsed = (time.perf_counter() - started) * 1000
        timings.append(elapsed)
        by_type.setdefault(kind, []).append(elapsed)
        outcomes[f"{kind}:{response.status}"] += 1
        meter.advance()

    result: dict[str, object] = {
        "persons": persons,
        "seed": seed,
        "publication_id": release.publication_id,
        "index": release_index(home, release, current=True).source,
        "first_lookup_ms": round(open_ms, 1),
        "lookups": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(_percentile(timings, 0.95), 2),
        "p99_ms": round(_percentile(timings, 0.99), 2),
        "max_ms": round(max(timings), 2),
        "p95_ms_by_type": {k: round(_percentile(v, 0.95), 2) for k, v in sorted(by_type.items())},
        "outcomes": dict(sorted(outcomes.items())),
        "step_seconds": {k: round(v, 1) for k, v in seconds.items()},
    }
    print(
        f"world {persons} persons (seed {seed}), release {release.publication_id}, "
        f"index from {result['index']}: first lookup (opens the index) {open_ms:.0f} ms"
    )
    print(
        f"{len(timings)} lookups, consumers {', '.join(CONSUMERS)} in turn: "
        f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms, "
        f"max {result['max_ms']} ms"
    )
    for kind, values in sorted(by_type.items()):
        found = {k.split(":", 1)[1]: c for k, c in outcomes.items() if k.startswith(kind + ":")}
        print(f"  {kind:<22} n={len(values):<4} p95 {_percentile(values, 0.95):6.2f} ms  {found}")
    print(json.dumps(result))
    return result
