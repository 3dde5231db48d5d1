"""Benchmarks the project ships, so speed and memory figures are measured, not claimed.

``customer-truth benchmark foundation --persons N`` generates a world, ingests it into a fresh
warehouse (the raw layer alone), then runs the whole main job on it, and prints wall time and
peak memory (max RSS of the step's process tree) for each step.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from customer_truth.progress import running

# Runs a command as a child and prints the peak RSS (KiB) of everything it waited for.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print('PEAK_RSS_KIB', peak, file=sys.stderr)\n"
    "sys.exit(code)\n"
)

_INGEST_ONLY = (
    "from customer_truth.contracts import SYSTEMS\n"
    "from customer_truth.ingest import load_new_batches\n"
    "from customer_truth.settings import load_settings\n"
    "from customer_truth.warehouse import open_warehouse\n"
    "settings = load_settings()\n"
    "with open_warehouse(settings) as con:\n"
    "    for system in SYSTEMS:\n"
    "        load_new_batches(con, settings.landing, system)\n"
    "    print(con.sql('select sum(loaded_rows), sum(quarantined_rows) "
    "from ingest.file_loads').fetchall())\n"
)


@dataclass(frozen=True)
class StepResult:
    step: str
    seconds: float
    peak_rss_mib: float


def _measure(step: str, command: list[str], env: dict[str, str]) -> StepResult:
    started = time.perf_counter()
    with running(step):
        completed = subprocess.run(
            [sys.executable, "-c", _MEASURE, *command], env=env, capture_output=True, text=True
        )
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
        raise SystemExit(f"benchmark step {step!r} failed with exit code {completed.returncode}")
    peak_kib = next(
        int(line.split()[1])
        for line in completed.stderr.splitlines()
        if line.startswith("PEAK_RSS_KIB")
    )
    return StepResult(step, seconds, peak_kib / 1024)


def bench_foundation(
    persons: int, seed: int, days: int, work: Path, keep: bool
) -> list[StepResult]:
    world = work / f"world-{persons}-{seed}-{days}"
    home_ingest = work / "home-ingest-only"
    home_run = work / "home-main-job"
    for folder in (world, home_ingest, home_run):
        shutil.rmtree(folder, ignore_errors=True)
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "false",
        "CUSTOMER_TRUTH_LANDING": str(world / "landing"),
    }
    cli = [sys.executable, "-m", "customer_truth.cli"]
    results = [
        _measure(
            "generate",
            [
                *cli,
                "generate",
                "--persons",
                str(persons),
                "--seed",
                str(seed),
                "--days",
                str(days),
                "--out",
                str(world),
            ],
            env,
        ),
        _measure(
            "ingest (raw layer only)",
            [sys.executable, "-c", _INGEST_ONLY],
            {**env, "CUSTOMER_TRUTH_HOME": str(home_ingest)},
        ),
        _measure(
            "main job (customer-truth run)",
            [*cli, "run"],
            {**env, "CUSTOMER_TRUTH_HOME": str(home_run)},
        ),
    ]
    landing_bytes = sum(p.stat().st_size for p in (world / "landing").rglob("*") if p.is_file())
    print(
        f"world: {persons} persons, seed {seed}, {days} incremental days, "
        f"landing {landing_bytes / 2**20:.0f} MiB"
    )
    for result in results:
        print(
            f"{result.step:<32} {result.seconds:>8.1f} s   peak RSS {result.peak_rss_mib:>7.0f} MiB"
        )
    print(json.dumps([result.__dict__ for result in results]))
    if not keep:
        for folder in (world, home_ingest, home_run):
            shutil.rmtree(folder, ignore_errors=True)
    return results
