"""``customer-truth benchmark scale --persons 10000,100000``: the main job against its floor.

For each world size it generates a world (or reuses one in ``--work``), then, on a fresh home:

1. measures the **floor**: DuckDB reading every landing file of the world once, nothing else;
2. runs ``customer-truth run`` on every batch but the last day's (**full**);
3. lands the last day's batches and runs again (**incremental**);
4. runs again with nothing new (**nothing new**: no run, no release expected);
5. lands one batch holding one row and runs again (**one-row batch**: the fixed cost of a run);
6. rewrites the warehouse file without the bytes the runs' erasure sweeps deleted
   (``customer-truth purge-warehouse``, **warehouse purge**): the runs leave it to the purge
   window (``privacy/warehouse_purge.py``), so a day's run pays it about once a week.

Each run is a child process; the peak resident memory of its whole process tree (the job and
its dbt subprocesses, summed) is sampled from /proc. Per stage, the seconds come from the run's
Dagster event log (``stages``) and the peak from the samples taken while the stage ran. Rows
per second are the rows the run took in (landed) per second of the stage. Results are printed
as tables and written as JSON (``--json``, default ``<work>/scale-results.json``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from customer_truth.benchmarks.process_tree import TreeSampler
from customer_truth.benchmarks.stages import STAGES, dbt_stage_of_keys, stage_times
from customer_truth.code_version import code_version
from customer_truth.landing import SUCCESS, complete_batch_dirs, every_complete_batch_dir
from customer_truth.progress import running, say
from customer_truth.publication.log import STATUS_PUBLISHED, read_entries
from customer_truth.settings import Settings, load_settings
from customer_truth.statements import statement
from customer_truth.warehouse import connect, open_warehouse

SQL = "benchmarks/sql"  # one statement per file: customer_truth/benchmarks/sql/<name>.sql
_GIB = 2**30
OTHER_STAGE = "other: start-up, Dagster, report"
_RUN_ID = re.compile(r"^run ([0-9a-f-]{36}): ", re.MULTILINE)


@dataclass
class StageResult:
    stage: str
    seconds: float
    rows_per_second: float | None
    peak_rss_gib: float


@dataclass
class RunResult:
    name: str
    seconds: float
    ratio_to_floor: float
    peak_rss_gib: float
    rows_landed: int
    released: bool
    run_id: str | None
    stages: list[StageResult] = field(default_factory=list)


@dataclass
class WorldResult:
    persons: int
    seed: int
    days: int
    landing_gib: float
    landing_files: int
    floor_seconds: float
    floor_records: int
    runs: list[RunResult] = field(default_factory=list)


def ensure_world(work: Path, persons: int, seed: int, days: int, reuse: bool) -> Path:
    """The generated world of this size, made once (``--reuse`` keeps a complete one)."""
    world = work / f"world-{persons}-{seed}-{days}"
    done = world / ".generated"
    if reuse and done.exists():
        say(f"reusing {world}")
        return world
    shutil.rmtree(world, ignore_errors=True)
    # the child reports its own progress on stderr, which it shares with this process
    subprocess.run(
        [sys.executable, "-m", "customer_truth.cli", "generate", "--persons", str(persons),
         "--seed", str(seed), "--days", str(days), "--out", str(world)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    done.write_text(datetime.now(UTC).isoformat())
    return world


def landing_files(landing: Path) -> list[Path]:
    return sorted(
        path
        for batch in every_complete_batch_dir(landing)
        for path in batch.iterdir()
        if path.is_file() and path.name != SUCCESS
    )


def measure_floor(files: list[Path], settings: Settings) -> tuple[float, int]:
    """Seconds for DuckDB to read ``files`` (landing files) once, and the records it read."""
    jsonl = [str(p) for p in files if p.suffix == ".jsonl"]
    csv_by_entity: dict[str, list[str]] = {}
    for path in files:
        if path.suffix == ".csv":
            csv_by_entity.setdefault(f"{path.parent.parent.name}/{path.name}", []).append(str(path))
    con = connect(":memory:", settings)
    try:
        started = time.perf_counter()
        records = 0
        if jsonl:
            found = con.execute(statement(f"{SQL}/floor_jsonl"), {"files": jsonl}).fetchall()
            records += found[0][0]
        for paths in csv_by_entity.values():
            found = con.execute(statement(f"{SQL}/floor_csv"), {"files": paths}).fetchall()
            records += found[0][0]
        return time.perf_counter() - started, records
    finally:
        con.close()


def last_day_batches(landing: Path) -> set[Path]:
    """The batches of the latest delivery day (batch ids start with the day, YYYYMMDD)."""
    batches = every_complete_batch_dir(landing)
    last_day = max(b.name[:8] for b in batches)
    return {b for b in batches if b.name[:8] == last_day}


def link_batches(source: Path, target: Path, batches: list[Path]) -> None:
    """Land ``batches`` of ``source`` in ``target`` as hard links (no copy of the bytes); the
    ``_SUCCESS`` goes last, as a real delivery completes."""
    for batch in batches:
        folder = target / batch.relative_to(source)
        folder.mkdir(parents=True, exist_ok=True)
        for path in sorted(batch.iterdir(), key=lambda p: p.name == SUCCESS):
            os.link(path, folder / path.name)


def land_one_row_batch(landing: Path) -> str:
    """A support batch one hour after the latest one, re-delivering one ticket whole."""
    support = complete_batch_dirs(landing, "support")
    source = next(b / "tickets.jsonl" for b in reversed(support) if (b / "tickets.jsonl").exists())
    line = next(line for line in source.read_bytes().splitlines() if line.strip())
    extracted = datetime.strptime(support[-1].name, "%Y%m%dT%H%M%SZ") + timedelta(hours=1)
    batch_id = extracted.strftime("%Y%m%dT%H%M%SZ")
    folder = landing / "support" / batch_id
    folder.mkdir(parents=True)
    (folder / "tickets.jsonl").write_bytes(line + b"\n")
    manifest = {
        "system": "support",
        "batch_id": batch_id,
        "extracted_at": extracted.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "mode": "incremental",
        "files": {"tickets.jsonl": 1},
    }
    (folder / SUCCESS).write_text(json.dumps(manifest))
    return f"support/{batch_id}"


def _rows_landed(settings: Settings, since: datetime) -> int:
    if not settings.warehouse.exists():
        return 0
    with open_warehouse(settings) as con:
        landed = con.execute(statement(f"{SQL}/rows_landed"), {"since": since}).fetchall()
    return int(landed[0][0])


def _releases(settings: Settings) -> int:
    return sum(1 for e in read_entries(settings.published) if e.status == STATUS_PUBLISHED)


def _run_events(settings: Settings, run_id: str) -> list[object]:
    import dagster as dg

    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        return list(instance.all_logs(run_id))


def measure_run(
    name: str,
    settings: Settings,
    floor_seconds: float,
    log_dir: Path,
    command: tuple[str, ...] = ("run",),
) -> RunResult:
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "false",
        "CUSTOMER_TRUTH_LANDING": str(settings.landing),
        "CUSTOMER_TRUTH_HOME": str(settings.home),
        "CUSTOMER_TRUTH_MEMORY_LIMIT": settings.memory_limit,
    }
    log_path = log_dir / f"{name.replace(' ', '-')}.log"
    releases_before = _releases(settings)
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "customer_truth.cli", *command], env=env, stdout=log, stderr=log
        )
        with (
            TreeSampler(process.pid) as sampler,
            running(
                f"{name}: customer-truth {' '.join(command)} (log: {log_path})",
                detail=lambda: f"process tree RSS {sampler.latest() / _GIB:.1f} GiB",
            ),
        ):
            code = process.wait()
    seconds = time.perf_counter() - started
    output = log_path.read_text()
    if code != 0:
        sys.stderr.write(output[-4000:])
        raise SystemExit(f"benchmark run {name!r} failed with exit code {code} (log: {log_path})")
    match = _RUN_ID.search(output)
    run_id = match.group(1) if match else None
    releases_after = _releases(settings)
    rows = _rows_landed(settings, started_at)
    result = RunResult(
        name=name,
        seconds=round(seconds, 2),
        ratio_to_floor=round(seconds / floor_seconds, 2),
        peak_rss_gib=round(sampler.peak() / _GIB, 2),
        rows_landed=rows,
        released=releases_after > releases_before,
        run_id=run_id,
    )
    if run_id is not None:
        from dagster_project.transform.project import customer_truth_project

        times = stage_times(
            _run_events(settings, run_id),
            dbt_stage_of_keys(Path(customer_truth_project.manifest_path)),
        )
        staged = 0.0
        for stage in STAGES:
            spent = times[stage]
            if not spent.windows:
                continue
            staged += spent.seconds
            peak = max(
                sampler.peak(a - sampler.interval, b + sampler.interval) for a, b in spent.windows
            )
            result.stages.append(
                StageResult(
                    stage=stage,
                    seconds=round(spent.seconds, 2),
                    rows_per_second=round(rows / spent.seconds) if rows and spent.seconds else None,
                    peak_rss_gib=round(peak / _GIB, 2),
                )
            )
        # process start-up, loading the definitions, Dagster's bookkeeping, the report
        result.stages.append(
            StageResult(OTHER_STAGE, round(seconds - staged, 2), None, result.peak_rss_gib)
        )
    say(
        f"{name}: {seconds:.1f} s ({result.ratio_to_floor:.1f}x the floor), peak "
        f"{result.peak_rss_gib:.2f} GiB, {rows:,} rows landed, "
        f"{'a release written' if result.released else 'no release written'}"
    )
    return result


def bench_world(
    persons: int,
    seed: int,
    days: int,
    work: Path,
    reuse: bool,
    keep: Callable[[WorldResult], None] = lambda world: None,
) -> WorldResult:
    """The world's runs in order; ``keep`` is given the world after each of them (a 1M-person
    world runs for hours: what was measured survives a stop before the last run)."""
    world = ensure_world(work, persons, seed, days, reuse)
    source = world / "landing"
    landing = work / f"landing-{persons}"
    home = work / f"home-{persons}"
    logs = work / f"logs-{persons}"
    for folder in (landing, home, logs):
        shutil.rmtree(folder, ignore_errors=True)
    logs.mkdir(parents=True)
    base = load_settings()
    settings = Settings(landing=landing, home=home, memory_limit=base.memory_limit)

    files = landing_files(source)
    with running(f"floor: DuckDB reads the {len(files):,} landing files once"):
        floor_seconds, floor_records = measure_floor(files, settings)
    say(f"floor: {floor_seconds:.1f} s for {floor_records:,} records")
    result = WorldResult(
        persons=persons,
        seed=seed,
        days=days,
        landing_gib=round(sum(p.stat().st_size for p in files) / _GIB, 3),
        landing_files=len(files),
        floor_seconds=round(floor_seconds, 2),
        floor_records=floor_records,
    )

    last_day = last_day_batches(source)
    earlier = [b for b in every_complete_batch_dir(source) if b not in last_day]
    link_batches(source, landing, earlier)

    def measure(name: str, command: tuple[str, ...] = ("run",)) -> None:
        result.runs.append(measure_run(name, settings, floor_seconds, logs, command))
        keep(result)

    measure("full")
    link_batches(source, landing, sorted(last_day))
    measure("incremental")
    measure("nothing new")
    land_one_row_batch(landing)
    measure("one-row batch")
    measure("warehouse purge", ("purge-warehouse",))
    print_world(result)
    return result


def print_world(result: WorldResult) -> None:
    print(
        f"\n{result.persons:,} persons (seed {result.seed}, {result.days} days): "
        f"{result.landing_gib:.2f} GiB in {result.landing_files:,} landing files; "
        f"floor {result.floor_seconds:.1f} s ({result.floor_records:,} records)"
    )
    print("| run | stage | seconds | x floor | rows/s | peak RSS GiB |")
    print("|---|---|---:|---:|---:|---:|")
    for run in result.runs:
        released = "release" if run.released else "no release"
        print(
            f"| {run.name} ({run.rows_landed:,} rows, {released}) | **whole run** | "
            f"{run.seconds:.1f} | {run.ratio_to_floor:.2f} | | {run.peak_rss_gib:.2f} |"
        )
        for stage in run.stages:
            rate = f"{stage.rows_per_second:,}" if stage.rows_per_second else ""
            print(
                f"| | {stage.stage} | {stage.seconds:.1f} | "
                f"{stage.seconds / result.floor_seconds:.2f} | {rate} | {stage.peak_rss_gib:.2f} |"
            )
    print(flush=True)


def run_scale_benchmark(
    persons: list[int], seed: int, days: int, work: Path, reuse: bool, out: Path | None
) -> dict[str, object]:
    work.mkdir(parents=True, exist_ok=True)
    out = out or work / "scale-results.json"
    report: dict[str, object] = {
        "command": "customer-truth benchmark scale " + " ".join(sys.argv[3:]),
        "code_version": code_version(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "memory_limit": load_settings().memory_limit,
    }
    worlds: list[WorldResult] = []

    def keep(world: WorldResult) -> None:
        """Rewrite the results file with every run measured so far."""
        if not any(w is world for w in worlds):
            worlds.append(world)
        report["worlds"] = [asdict(w) for w in worlds]
        out.write_text(json.dumps(report, indent=2))

    for size in persons:
        bench_world(size, seed, days, work, reuse, keep)
        say(f"results: {out}")
    report["worlds"] = [asdict(w) for w in worlds]
    return report
